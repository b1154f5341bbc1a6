"""`make check` in each lab's handout tree: every host test of an earlier lab
passes, the lab's own may fail (they are the student's work) but the runner goes
on to the end, and each test of a later lab is skipped with one line,
`skip: NAME (needs lab N, LAB)`.

    /usr/bin/python3 -m pytest -q tests/host/test_handout_trees.py [-k entries]

It builds the handouts with tools/handout.py, so it runs in the reference tree
only (a minute or two a lab: the model check runs in each).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = "/usr/bin/python3"

if not (ROOT / "tools" / "handout.py").exists():
    pytest.skip("a student tree: no tools/handout.py", allow_module_level=True)

sys.path.insert(0, str(ROOT / "tools"))
import course  # noqa: E402

MAN = course.load_manifest(ROOT)
NUMBER = {lab.name: lab.number for lab in MAN.labs}

VERDICT = re.compile(r"^(ok   (\S+) \(\d+\.\d\ds\)|FAIL (\S+) \(.*\)|skip: (\S+) \(needs lab (\d+), (\S+)\))$")


def host_tests(tree):
    """{name: lab name} from the tree's runner (`vmtest --list`)."""
    out = subprocess.run([str(tree / "build/host/vmtest"), "--list"], check=True,
                         capture_output=True, text=True).stdout
    tests = dict(line.split() for line in out.splitlines())
    assert tests and all(lab in NUMBER for lab in tests.values()), out
    return tests


@pytest.mark.parametrize("lab", [lab.name for lab in MAN.available()])
def test_handout_check(lab, tmp_path):
    tree = tmp_path / lab
    subprocess.run([PYTHON, "tools/handout.py", "handout", "--lab", lab, "--out", str(tree)],
                   cwd=ROOT, check=True, capture_output=True)
    run = subprocess.run(["make", "check"], cwd=tree, capture_output=True, text=True)
    out = run.stdout
    tests = host_tests(tree)
    n = NUMBER[lab]

    verdicts = {}
    for line in out.splitlines():
        m = VERDICT.match(line)
        if m:
            name = m.group(2) or m.group(3) or m.group(4)
            assert name not in verdicts, f"two verdicts for {name}"
            verdicts[name] = (line, m)
    assert set(verdicts) == set(tests), out

    passed = 0
    for name, test_lab in tests.items():
        line, m = verdicts[name]
        need = NUMBER[test_lab]
        if need > n:
            assert line == f"skip: {name} (needs lab {need}, {test_lab})"
        elif need < n:
            assert line.startswith("ok   "), f"{name}, of an earlier lab, fails:\n{out}"
        else:
            assert not line.startswith("skip"), line
        passed += line.startswith("ok   ")
    skipped = sum(NUMBER[t] > n for t in tests.values())
    failed = len(tests) - passed - skipped
    assert out.splitlines()[-1] == f"{passed} passed, {failed} failed, {skipped} skipped"
    assert (run.returncode != 0) == (failed > 0), run.stderr[-2000:]
    if n == 1:
        assert "skip: map_verify_catches (needs lab 2, rbtree)" in out

"""make handout and make handin, on the reference tree with synthetic fences
(conftest.py).  The student repo has test_student_repo.py."""

import re
import shutil

import pytest

import classroom
import course
import handout
from conftest import PYTHON, make_handout, run


@pytest.fixture(scope="module")
def trees(reference, tmp_path_factory):
    """The handout of every available lab: {name: path}."""
    base = tmp_path_factory.mktemp("handouts")
    return {lab.name: make_handout(reference, lab.name, base / lab.name)
            for lab in course.load_manifest(reference).available()}


def text(tree, f):
    return (tree / f).read_text()


def test_fences_rendered(trees):
    main = {lab: text(t, "kernel/kern/main.c") for lab, t in trees.items()}
    for lab, want, gone in [
            ("entries", ["entries starter"], ["entries reference", "rbtree", "fork"]),
            ("rbtree", ["entries reference", "rbtree starter"],
             ["entries starter", "rbtree reference", "fork"]),
            ("fork", ["entries reference", "rbtree reference"],
             ["starter\\n\");\n  printf(\"synthetic: rbtree", "fork", "entries starter"])]:
        for w in want:
            assert f"synthetic: {w}" in main[lab], (lab, w)
        for g in gone:
            assert f"synthetic: {g}" not in main[lab], (lab, g)
        assert "synthetic: future starter" in main[lab] and "future reference" not in main[lab]
    param = {lab: text(t, "kernel/kern/param.h") for lab, t in trees.items()}
    assert "_STARTER" in param["entries"] and "_REFERENCE" not in param["entries"]
    assert "_STARTER" not in param["fork"] and "_REFERENCE" in param["fork"]
    for lab, t in trees.items():
        assert "synthetic: future starter" in text(t, "kernel/kern/main.c")
        assert (('SYNTHETIC = "fork starter"' in text(t, "tools/bench.py")) ==
                (lab not in ("stack", "wiring", "upcalls", "resident")))
        assert "SYNTHETIC_REF" not in text(t, "GNUmakefile")
        assert "check-handouts:" not in text(t, "GNUmakefile")
    assert "SYNTHETIC_MK = entries-starter" in text(trees["entries"], "GNUmakefile")
    assert "SYNTHETIC_MK = entries-reference" in text(trees["rbtree"], "GNUmakefile")
    assert "rbtree reference" in text(trees["fork"], "user/usys.S")


def test_no_marker_left(trees):
    for t in trees.values():
        for f in course.tree_files(t):
            data = (t / f).read_bytes()
            assert not handout.LOOKALIKE.search(data.decode("utf-8", "replace")), f


def test_which_files(reference, trees):
    man = course.load_manifest(reference)
    for lab in man.available():
        files = set(course.tree_files(trees[lab.name]))
        for gone in ("tools/handout.py", "tests/course/conftest.py",
                     "grade/gradescope/run_autograder", ".ci/run", "labs/README.student.md"):
            assert gone not in files, (lab.name, gone)
        for keep in ("tools/course.py", "labs/labs.toml", "tests/host/Makefile",
                     "grade/conftest.py", "grade/test_boot.py", "tools/doctor.sh"):
            assert keep in files, (lab.name, keep)
        for other in man.labs:
            for p in other.graders + [other.handout]:
                assert (p in files) == (other.available and other.number <= lab.number), p
        assert (trees[lab.name] / ".handout" / "lab").read_text() == lab.name + "\n"
        readme = (trees[lab.name] / "README.md").read_text()
        assert f"branch `{lab.branch}`" in readme and "handout.py" not in readme
        # The record lists every file, with its hash and mode.
        _, record = course.read_record(trees[lab.name])
        assert set(record) == files
        assert record["tools/doctor.sh"][1] == "755"
        # And GitHub Classroom's workflow of the lab, which the reference has not.
        assert classroom.WORKFLOW in files
    ref_files = set(handout.source_files(reference))
    assert set(course.tree_files(trees["fork"])) - {classroom.WORKFLOW} < ref_files


def test_errors(reference, tmp_path):
    def fails(args, what, cwd=reference):
        p = run([PYTHON, "tools/handout.py", *args], cwd, check=False)
        assert p.returncode == 1 and what in p.stderr, p.stderr
    fails(["handout", "--lab", "nosuch", "--out", str(tmp_path / "a")], "no lab called 'nosuch'")
    fails(["handout", "--lab", "future", "--out", str(tmp_path / "a")], "not available yet")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    fails(["handout", "--lab", "entries", "--out", str(tmp_path / "full")], "not empty")
    # A broken fence anywhere stops it, naming the file and line.
    bad = tmp_path / "bad"
    shutil.copytree(reference, bad, ignore=shutil.ignore_patterns("build"))
    with open(bad / "kernel/vm/vm_map.c", "a") as f:
        f.write("// LAB entries: BEGIN\n")
    n = len((bad / "kernel/vm/vm_map.c").read_text().splitlines())
    fails(["handout", "--lab", "entries", "--out", str(tmp_path / "b")],
          f"kernel/vm/vm_map.c:{n}: LAB entries: BEGIN with no END", cwd=bad)
    assert not (tmp_path / "b").exists()
    (bad / "kernel/vm/vm_map.c").write_text("x\n")
    (bad / "labs/01-entries.md").write_text("see\n// LAB fork: BEGIN\n")
    fails(["check"], "labs/01-entries.md:2: a LAB marker in a file that cannot hold one",
          cwd=bad)


def test_make_targets(reference, tmp_path):
    p = run(["make", "-s", "handout", "LAB=rbtree", f"OUT={tmp_path / 'h'}"], reference)
    assert "the handout of lab 2 (rbtree)" in p.stdout
    p = run(["make", "-s", "handout", "LAB=rbtree"], reference, check=False)
    assert p.returncode and "OUT=dir" in p.stderr
    # The student tree knows none of the staging targets, but grades and hands in.
    h = tmp_path / "h"
    p = run(["make", "-s", "handout", "LAB=fork", "OUT=x"], h, check=False)
    assert p.returncode and "No rule to make target" in p.stderr
    assert "rbtree" in run(["make", "-s", "labs"], h).stdout
    p = run(["make", "-s", "help"], h)
    assert "make grade" in p.stdout and "make handout" not in p.stdout


def test_handin(reference, tmp_path):
    student = make_handout(reference, "rbtree", tmp_path / "student")
    (student / "kernel/kern/main.c").write_text(
        text(student, "kernel/kern/main.c").replace("rbtree starter", "my rbtree"))
    (student / "user/hello.c").write_text("// new\n")
    (student / "user/bin.dat").write_bytes(bytes(range(256)))
    (student / "tools/bench.py").unlink()
    (student / "README.md").chmod(0o755)
    (student / "build").mkdir()
    (student / "build/junk.o").write_text("junk")
    p = run(["make", "-s", "handin"], student)
    assert "handin-rbtree.tar.gz: lab rbtree, 4 changed or new, 1 deleted" in p.stdout
    pack = student / "handin-rbtree.tar.gz"
    clean = make_handout(reference, "rbtree", tmp_path / "clean")
    run([PYTHON, "tools/course.py", "apply", str(pack), str(clean)], clean)
    files = course.tree_files(student)
    assert files == course.tree_files(clean)
    for f in files:
        assert (student / f).read_bytes() == (clean / f).read_bytes(), f
        assert course.file_mode(student / f) == course.file_mode(clean / f), f
    # A handin of one lab does not go on the handout of another.
    other = make_handout(reference, "fork", tmp_path / "other")
    p = run([PYTHON, "tools/course.py", "apply", str(pack), str(other)], other, check=False)
    assert p.returncode == 1 and "not of lab fork" in p.stderr
    # The reference has nothing to hand in.
    p = run(["make", "-s", "handin"], reference, check=False)
    assert p.returncode and "not a student tree" in p.stderr


@pytest.mark.slow
def test_handout_builds_and_boots(reference, tmp_path):
    """The lab-2 handout builds and boots on both ports, with lab 1's code in
    and lab 2's starter in its place."""
    h = make_handout(reference, "rbtree", tmp_path / "h")
    p = run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
             "grade/test_boot.py", "-k", "boot_to_shell", "--arch", "riscv64 x86_64"], h)
    assert "Score: 8/8" in p.stdout or re.search(r"Score: (\d+)/\1", p.stdout), p.stdout
    for arch in ("riscv64", "x86_64"):
        logs = list((h / "build" / arch / "grade" / "logs").glob("*.log"))
        assert logs
        for log in logs:
            out = log.read_text()
            assert "synthetic: entries reference" in out and "synthetic: rbtree starter" in out
    assert run(["make", "-s", "print-SYNTHETIC_MK"], h).stdout.strip() == "entries-reference"

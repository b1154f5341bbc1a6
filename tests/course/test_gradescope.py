"""grade/gradescope/run_autograder, with every path in a temporary directory:
the reference scores full marks; the bare branch of lab 2 (the autograder's
own tree) scores nothing but the given tests; a handin from it that solves
labs 1 and 2 scores full marks, and cannot change the graders.  (The reference
is graded on riscv64, the handins on one port each, for speed; a handin that
builds on no port shows that the autograder tries both unless told.)"""

import json
import shutil
import zipfile

import pytest

import course
import handout

from conftest import PYTHON, run

LAB = "rbtree"


def autograde(source, submission, tmp_path, lab=None, arch=None):
    results = tmp_path / "results" / "results.json"
    env = dict(VMLAB_SOURCE=str(source), VMLAB_SUBMISSION=str(submission),
               VMLAB_RESULTS=str(results), VMLAB_WORK=str(tmp_path / "work"),
               VMLAB_LAB=lab or "", VMLAB_ARCH=arch or "")
    p = run([PYTHON, str(source / "grade/gradescope/run_autograder")], tmp_path, env=env)
    r = json.loads(results.read_text())
    assert r["score"] == sum(t["score"] for t in r["tests"])
    assert r["execution_time"] > 0
    for t in r["tests"]:
        assert set(t) >= {"name", "score", "max_score", "output", "visibility"}
    return r, p.stdout


def by_lab(r):
    broken = [t for t in r["tests"] if not t["tags"]]
    assert not broken, "\n".join(t["output"] for t in broken)
    labs = {}
    for t in r["tests"]:
        labs.setdefault(t["tags"][0], []).append(t)
    return labs


@pytest.fixture(scope="module")
def autograder(reference, tmp_path_factory):
    """The autograder zip for lab 2, unpacked as Gradescope does."""
    tmp = tmp_path_factory.mktemp("autograder")
    run(["make", "-s", "gradescope", f"LAB={LAB}", f"OUT={tmp / 'ag.zip'}"], reference)
    with zipfile.ZipFile(tmp / "ag.zip") as z:
        names = z.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        assert "tools/handout.py" not in names and "grade/test_lab3_fork.py" not in names
        z.extractall(tmp / "source")
    for f in ("setup.sh", "run_autograder", "grade/gradescope/run_autograder"):
        (tmp / "source" / f).chmod(0o755)
    assert (tmp / "source/grade/gradescope/lab").read_text() == LAB + "\n"
    return tmp / "source"


@pytest.mark.slow
def test_reference_scores_full_marks(reference, tmp_path):
    r, out = autograde(reference, reference, tmp_path, lab=LAB, arch="riscv64")
    labs = by_lab(r)
    assert sorted(labs) == ["lab1-entries", "lab2-rbtree"]
    assert r["score"] == sum(t["max_score"] for t in r["tests"]) > 0, out
    assert all("[riscv64" in t["name"] for t in r["tests"])


def test_both_ports_by_default(reference, tmp_path):
    """Without VMLAB_ARCH, every port: here a submission whose header stops the
    first compile, which fails the build on each."""
    sub = tmp_path / "broken"
    (sub / "kernel/kern").mkdir(parents=True)
    (sub / "kernel/kern/param.h").write_text('#error "a broken handin"\n')
    r, out = autograde(reference, sub, tmp_path, lab=LAB)
    assert sorted(t["name"] for t in r["tests"]) == ["build (riscv64)", "build (x86_64)"], out
    assert r["score"] == 0 and all("a broken handin" in t["output"] for t in r["tests"])


def branch(reference, out):
    """The tree of the lab's branch of the student repo."""
    man = course.load_manifest(reference)
    handout.handout(reference, man, man.lab(LAB), out, solved=0)
    return out


@pytest.mark.slow
def test_bare_branch_scores_nothing(autograder, reference, tmp_path):
    bare = branch(reference, tmp_path / "bare")
    r, out = autograde(autograder, bare, tmp_path, arch="riscv64")
    labs = by_lab(r)
    assert sorted(labs) == ["lab1-entries", "lab2-rbtree"]
    for t in labs["lab1-entries"] + labs["lab2-rbtree"]:
        assert t["score"] == 0 or "given" in t["tags"], t["name"]
    assert "0 files of the submission differ" in r["output"]


@pytest.mark.slow
def test_handin_solving_the_lab(autograder, reference, tmp_path):
    student = branch(reference, tmp_path / "student")
    # The student writes the reference's code of labs 1 and 2 (the reference's
    # files, markers and all, are valid code).
    solved = [f for f, nodes in handout.lint(reference).items()
              if any(fence.name in ("entries", LAB) for fence in handout.fenced(nodes))]
    assert solved
    for f in solved:
        shutil.copyfile(reference / f, student / f)
    # A handin that would change a grader: the autograder keeps its own.
    with open(student / "grade/test_lab2_rbtree.py", "a") as f:
        f.write("\ndef test_free_points():\n    pass\n")
    run(["make", "-s", "handin"], student)
    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(student / f"handin-{LAB}.tar.gz", submission)
    r, out = autograde(autograder, submission, tmp_path, arch="x86_64")
    assert r["score"] == sum(t["max_score"] for t in r["tests"]) > 0, out
    assert all("[x86_64" in t["name"] for t in r["tests"])
    assert not any("free_points" in t["name"] for t in r["tests"])
    kept = next(line for line in r["output"].splitlines() if line.startswith("not used ("))
    assert "grade/test_lab2_rbtree.py" in kept.split(": ", 1)[1].split(), kept


def test_cannot_grade(reference, tmp_path):
    (tmp_path / "empty").mkdir()
    results = tmp_path / "r.json"
    p = run([PYTHON, str(reference / "grade/gradescope/run_autograder")], tmp_path,
            check=False, env=dict(VMLAB_SOURCE=str(reference), VMLAB_LAB="nosuch",
                                  VMLAB_SUBMISSION=str(tmp_path / "empty"),
                                  VMLAB_RESULTS=str(results)))
    assert p.returncode == 1
    r = json.loads(results.read_text())
    assert r["score"] == 0 and "no lab called 'nosuch'" in r["output"]

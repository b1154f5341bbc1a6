"""tools/mutants.py: a catalog is checked before anything is graded (each edit
applies once, inside its own lab's fence code), and a mutant applies and is
undone exactly.  Grading mutants needs QEMU: that is `make check-mutants`."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course      # noqa: E402
import mutants     # noqa: E402
import tasks       # noqa: E402

PYTHON = "/usr/bin/python3"

CODE = """\
int f(int x)
{
  x += 1;
  // LAB entries: BEGIN
  x = x * 2;
  x = x - 3;
  // LAB entries: STARTER
  // x = 0;
  // LAB entries: END
  // LAB rbtree: BEGIN
  x = x * 5;
  // LAB rbtree: END
  return x;
}
"""


@pytest.fixture
def tree(tmp_path):
    """A tree with the real manifest and one fenced file."""
    (tmp_path / "labs").mkdir()
    shutil.copy2(ROOT / "labs" / "labs.toml", tmp_path / "labs" / "labs.toml")
    (tmp_path / "f.c").write_text(CODE)
    (tmp_path / "tools" / "mutants").mkdir(parents=True)
    return tmp_path


def catalog(tree, lab, body):
    (tree / "tools" / "mutants" / f"{lab}.toml").write_text(body)
    man = course.load_manifest(tree)
    return mutants.load_catalog(tree, man, man.lab(lab))


def one(name, find, replace, file="f.c"):
    return (f"[[mutant]]\nname = \"{name}\"\nwhy = \"a bug\"\nfile = \"{file}\"\n"
            f"find = '''\n{find}'''\nreplace = '''\n{replace}'''\n")


def test_good_catalog(tree):
    ms = catalog(tree, "entries", one("times-three", "  x = x * 2;\n", "  x = x * 3;\n"))
    assert [m.id for m in ms] == ["entries/times-three"]
    assert "+  x = x * 3;" in mutants.diff(tree, ms[0])


@pytest.mark.parametrize("find,why", [
    ("  x += 1;\n", "outside every fence"),
    ("  // x = 0;\n", "in the starter of a fence of lab entries"),
    ("  x = x * 5;\n", "in the body of a fence of lab rbtree"),
    ("  x = x - 3;\n  // LAB entries: STARTER\n", "outside every fence"),
    ("x = x", "occurs 3 times"),
    ("  x = 42;\n", "occurs 0 times"),
])
def test_bad_find(tree, find, why):
    with pytest.raises(course.Error, match=why):
        catalog(tree, "entries", one("bad", find, "  x = 7;\n"))


def test_bad_names_and_fields(tree):
    with pytest.raises(course.Error, match="lowercase"):
        catalog(tree, "entries", one("Bad_Name", "  x = x * 2;\n", ""))
    with pytest.raises(course.Error, match="two mutants called twice"):
        catalog(tree, "entries", one("twice", "  x = x * 2;\n", "") +
                one("twice", "  x = x - 3;\n", ""))
    with pytest.raises(course.Error, match="same as find"):
        catalog(tree, "entries", one("same", "  x = x * 2;\n", "  x = x * 2;\n"))
    with pytest.raises(course.Error, match="no file"):
        catalog(tree, "entries", one("nofile", "  x = x * 2;\n", "", file="g.c"))
    with pytest.raises(course.Error, match="caught_by is a check's name"):
        catalog(tree, "entries", one("hint", "  x = x * 2;\n", "") + "caught_by = 3\n")
    ms = catalog(tree, "entries", one("hint", "  x = x * 2;\n", "") +
                 'caught_by = "mmaptest split"\n')
    assert ms[0].caught_by == "mmaptest split"


def test_apply_restore(tree):
    ms = catalog(tree, "rbtree", one("times-six", "  x = x * 5;\n", "  x = x * 6;\n"))
    w = mutants.Worktree(tree, tree)
    saved = w.apply(ms[0])
    assert "x = x * 6;" in (tree / "f.c").read_text()
    w.restore(saved)
    assert (tree / "f.c").read_text() == CODE


def test_real_catalogs_are_valid():
    """Every catalog in the reference loads: its edits still apply."""
    if not list((ROOT / "tools" / "mutants").glob("*.toml")):
        pytest.skip("no catalog yet")
    p = subprocess.run([PYTHON, str(ROOT / "tools" / "mutants.py"), "list"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("\n") >= 15, p.stdout


def test_caught_by_names_a_check():
    """A mutant's caught_by names a check of its lab's graders: else --quick
    grades that mutant twice, the check first and then the whole grader."""
    man = course.load_manifest(ROOT)
    for lab, ms in mutants.catalogs(ROOT, man):
        hints = {m.caught_by for m in ms if m.caught_by}
        if hints:
            checks = {t.name for t in tasks.grader_tests(ROOT, lab)}
            assert hints <= checks, f"lab {lab.name}: no check {sorted(hints - checks)}"

"""Task fences (`// LAB entries 2: BEGIN`), the trees with a lab's first tasks
done, and tools/tasks.py's reading of the handouts' *Checks:* lines against the
tests' task tags."""

from pathlib import Path
from types import SimpleNamespace

import pytest

import course
import handout
import tasks
from conftest import ROOT

MAN = course.load_manifest(ROOT)

TASKED = """a
// LAB entries 2: BEGIN
two
// LAB entries 2: STARTER
// two starter
// LAB entries 2: END
// LAB entries 4: BEGIN
four
// LAB entries 4: END
// LAB rbtree 1: BEGIN
tree
// LAB rbtree 1: STARTER
// tree starter
// LAB rbtree 1: END
z
"""


def test_render_the_first_tasks_done():
    nodes = handout.parse("x.c", TASKED, MAN)
    # The lab 1 tree: no task done, tasks before 3 done, before 5 (all) done.
    assert handout.render(nodes, 0) == "a\ntwo starter\ntree starter\nz\n"
    assert handout.render(nodes, 0, task=2) == "a\ntwo starter\ntree starter\nz\n"
    assert handout.render(nodes, 0, task=3) == "a\ntwo\ntree starter\nz\n"
    assert handout.render(nodes, 0, task=5) == "a\ntwo\nfour\ntree starter\nz\n"
    # Tasks are the next lab's only: lab 2's tree with its task 1 not done.
    assert handout.render(nodes, 1, task=1) == "a\ntwo\nfour\ntree starter\nz\n"
    assert handout.render(nodes, 1, task=2) == "a\ntwo\nfour\ntree\nz\n"


@pytest.mark.parametrize("text,line,what", [
    ("// LAB entries 2: BEGIN\n// LAB entries 3: END\n", 2, "its BEGIN (line 1) task 2"),
    ("// LAB entries 2: BEGIN\n// LAB entries: STARTER\n", 2, "says task none"),
    ("// LAB entries 0: BEGIN\n", 1, "a line of its own"),
    ("x // LAB entries 2: BEGIN\n", 1, "a line of its own"),
])
def test_task_marker_errors(text, line, what):
    with pytest.raises(course.Error) as e:
        handout.parse("k.c", text, MAN, text.encode())
    assert str(e.value).startswith(f"k.c:{line}: ")
    assert what in str(e.value)


def test_a_lab_tasks_every_fence_or_none(tmp_path):
    (tmp_path / "a.c").write_text("// LAB fork 1: BEGIN\nx\n// LAB fork 1: END\n")
    (tmp_path / "b.c").write_text("// LAB fork: BEGIN\ny\n// LAB fork: END\n")
    with pytest.raises(course.Error) as e:
        handout.lint(tmp_path, MAN)
    assert "b.c:1: a fence of lab fork without a task number, while a.c:1 has one" \
        in str(e.value)
    (tmp_path / "b.c").write_text("// LAB fork 2: BEGIN\ny\n// LAB fork 2: END\n")
    parsed = handout.lint(tmp_path, MAN)
    assert handout.tasks_of(parsed, MAN.lab("fork")) == [1, 2]
    assert handout.tasks_of(parsed, MAN.lab("entries")) == []


def test_listed_checks():
    f = tasks.listed_checks
    assert f(" `map_clip`, `map_delete`; `mmaptest\n fixed` (in `mmap_insert`). "
             "`mmaptest split` still fails.") == ["map_clip", "map_delete", "mmaptest fixed"]
    assert f(" none: reading. `map_clip` is task 2's.") == []
    # A full stop inside backquotes or parentheses does not end the list.
    assert f(" `a.b` (see `c`. and more), `d`.") == ["a.b", "d"]


HANDOUT = """# Lab

### 1. Read

*Checks:* none.

### 2. Clip

Text.

*Checks:* `map_clip`, `mmaptest fixed`. Prose `map_x`.

### 3. Merge

No checks paragraph.

## Debugging

*Checks:* `not_a_task`
"""


def test_handout_checks(tmp_path):
    (tmp_path / "h.md").write_text(HANDOUT)
    assert tasks.handout_checks(tmp_path / "h.md") == {1: [], 2: ["map_clip", "mmaptest fixed"]}
    (tmp_path / "h.md").write_text(HANDOUT.replace("Text.", "*Checks:* `x`.\n"))
    with pytest.raises(course.Error, match="task 2 has 2"):
        tasks.handout_checks(tmp_path / "h.md")


def lint_with(tmp_path, monkeypatch, hosts, graders, fence_tasks):
    """lint_lab's problems for HANDOUT as lab entries' handout."""
    (tmp_path / "labs").mkdir()
    (tmp_path / "labs" / "h.md").write_text(HANDOUT)
    lab = SimpleNamespace(name="entries", handout="labs/h.md", graders=[])
    monkeypatch.setattr(tasks, "grader_tests", lambda root, lab: graders)
    monkeypatch.setattr(handout, "tasks_of", lambda parsed, lab: fence_tasks)
    return tasks.lint_lab(tmp_path, MAN, lab, {"entries": hosts}, {})


def test_lint_agrees(tmp_path, monkeypatch):
    hosts = [tasks.Test("host", "map_clip", 2), tasks.Test("host", "map_init", 0)]
    graders = [tasks.Test("grader", "mmaptest fixed", 2),
               tasks.Test("grader", "mmaptest ps", 0, given=True)]
    assert lint_with(tmp_path, monkeypatch, hosts, graders, [2]) == []


def test_lint_finds_each_disagreement(tmp_path, monkeypatch):
    hosts = [tasks.Test("host", "map_clip", 3)]                   # listed by task 2
    graders = [tasks.Test("grader", "mmaptest errno", 2),         # not listed
               tasks.Test("grader", "mmaptest split", 0)]         # no task, not given
    got = "\n".join(lint_with(tmp_path, monkeypatch, hosts, graders, [2, 4]))
    assert "task 2 lists `map_clip`, whose tag says task 3" in got
    assert "task 2 lists `mmaptest fixed`, which is no test of lab entries" in got
    assert "`mmaptest errno` (grader) is tagged task 2, but task 2's *Checks:* line " \
           "does not list it" in got
    assert "`map_clip` is tagged task 3 of lab entries, whose code no fence marks" in got
    assert "`mmaptest split`: a grader of lab entries with no task and not given" in got
    assert "task 4 has code (fences) but no *Checks:* line" in got


def test_expected_and_trees():
    t = tasks.Test("host", "map_protect", 5)
    assert [tasks.expected(t, k, 2) for k in (2, 4, 5, 6, 7)] == [False] * 3 + [True] * 2
    given = tasks.Test("grader", "cowtest freemem", 2, given=True)
    assert [tasks.expected(given, k, 1) for k in (1, 2, 3)] == [True, False, True]
    assert [tasks.expected(tasks.Test("host", "zone", 0), k, 1) for k in (1, 2)] == [True] * 2
    assert tasks.trees_of(None, [2, 4, 5, 6]) == [2, 4, 5, 6, 7]


def test_sync_writes_only_what_changed(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    for d in (src, dst):
        (d / "k").mkdir(parents=True)
        (d / "k" / "same.c").write_text("same\n")
    (src / "k" / "new.c").write_text("new\n")
    (dst / "gone.c").write_text("old\n")
    (dst / "build").mkdir()
    (dst / "build" / "x.o").write_text("object\n")
    before = (dst / "k" / "same.c").stat().st_mtime_ns
    tasks.sync(src, dst)
    assert (dst / "k" / "same.c").stat().st_mtime_ns == before
    assert (dst / "k" / "new.c").read_text() == "new\n"
    assert not (dst / "gone.c").exists()
    assert (dst / "build" / "x.o").exists()


def test_the_handouts_agree_with_the_tests():
    """The real handouts' *Checks:* lines against the real tests' tags."""
    with_hosts = tasks.host_tests(ROOT, Path("/dev/null"))
    assert tasks.lint(ROOT, MAN, MAN.available(), with_hosts) == []

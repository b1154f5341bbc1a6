"""The fence parser and renderer of tools/handout.py, on small texts: what a
handout of each lab gets, and every malformed fence as an error with file:line."""

import pytest

import course
import handout
from conftest import FUTURE, ROOT, future_manifest

MAN = future_manifest()


def render(text, lab, path="x.c"):
    """The handout of lab: the labs before it solved."""
    return handout.render(handout.parse(path, text, MAN), MAN.lab(lab).number - 1)


NESTED = """a
// LAB entries: BEGIN
b
  // LAB fork: BEGIN
c
  // LAB fork: STARTER
  // d
  // LAB fork: END
// LAB entries: STARTER
// e
// LAB entries: END
/* LAB rbtree: BEGIN */
f
/*LAB rbtree:END*/
g
"""


def test_render_each_lab():
    assert render(NESTED, "entries") == "a\ne\ng\n"
    assert render(NESTED, "rbtree") == "a\nb\n  d\ng\n"
    assert render(NESTED, "fork") == "a\nb\n  d\nf\ng\n"


def test_render_nothing_solved_and_notes():
    # The student repo's branches: every fence its starter.
    assert handout.render(handout.parse("x.c", NESTED, MAN), 0) == "a\ne\ng\n"
    # A student's own version of the solved labs: a comment line opens each
    # solved fence's code, in the fence's own comment syntax and indentation.
    got = handout.render(handout.parse("x.c", NESTED, MAN), 3, note="mine")
    assert got == "a\n// mine\nb\n  // mine\nc\n/* mine */\nf\ng\n"


def test_render_python_and_makefile():
    text = "x = 1\n    # LAB rbtree: BEGIN\n    y = 2\n    # LAB rbtree: STARTER\n" \
           "    # y = 0\n    # LAB rbtree: END\n"
    assert render(text, "rbtree", "a.py") == "x = 1\n    y = 0\n"
    assert render(text, "fork", "GNUmakefile") == "x = 1\n    y = 2\n"


def test_unavailable_and_reference_fences_always_go():
    text = f"a\n// LAB {FUTURE}: BEGIN\nb\n// LAB {FUTURE}: STARTER\n// c\n// LAB {FUTURE}: END\n" \
           "// LAB reference: BEGIN\nd\n// LAB reference: END\n"
    for lab in ("entries", "fork"):
        assert render(text, lab, "x.h") == "a\nc\n"


def test_crlf_and_no_final_newline():
    text = "a\r\n// LAB entries: BEGIN\r\nb\r\n// LAB entries: END\r\nc"
    assert render(text, "entries") == "a\r\nc"
    assert render(text, "rbtree") == "a\r\nb\r\nc"


@pytest.mark.parametrize("path,text,line,what", [
    ("k.c", "// LAB fork: BEGIN\n// LAB fork: STARTER\nx = 1;\n// LAB fork: END\n", 3,
     "must be commented out"),
    ("k.c", "x\n// LAB entries: BEGIN\ny\n", 2, "BEGIN with no END"),
    ("k.c", "x\n// LAB entries: END\n", 2, "no BEGIN"),
    ("k.c", "// LAB entries: BEGIN\n// LAB rbtree: END\n", 2, "inside the fence of lab entries"),
    ("k.c", "// LAB nosuch: BEGIN\n// LAB nosuch: END\n", 1, "unknown lab 'nosuch'"),
    ("k.c", "// LAB fork: BEGIN\n// LAB entries: BEGIN\n", 2, "only a later lab"),
    ("k.c", "// LAB fork: BEGIN\n// LAB fork: BEGIN\n", 2, "only a later lab"),
    ("k.c", "// LAB fork: BEGIN\n// LAB fork: STARTER\n// LAB fork: STARTER\n", 3,
     "a second STARTER"),
    ("k.c", "int x; // LAB fork: BEGIN\n", 1, "a line of its own"),
    ("k.c", "/* LAB fork: BEGIN\n", 1, "close with */"),
    ("k.c", "// LAB fork: BEGIN */\n", 1, "not close with */"),
    ("k.c", "# LAB fork: BEGIN\n# LAB fork: END\n", 1, "starts with // or /*"),
    ("k.py", "// LAB fork: BEGIN\n", 1, "starts with #"),
    ("labs/01-entries.md", "text\n// LAB fork: BEGIN\n", 2, "cannot hold one"),
    ("GNUmakefile", "all:\n\t# LAB fork: BEGIN here\n", 2, "a line of its own"),
])
def test_errors(path, text, line, what):
    with pytest.raises(course.Error) as e:
        handout.parse(path, text, MAN, text.encode())
    assert str(e.value).startswith(f"{path}:{line}: ")
    assert what in str(e.value)


def test_markers_in_assembly_and_scripts():
    for lead in ("//", "#", "/*"):
        close = " */" if lead == "/*" else ""
        text = f"a\n{lead} LAB fork: BEGIN{close}\nb\n{lead} LAB fork: END{close}\n"
        assert handout.render(handout.parse("u.S", text, MAN), 0) == "a\n"
    script = "#!/bin/sh\n# LAB fork: BEGIN\necho hi\n# LAB fork: END\n"
    assert handout.render(handout.parse("run", script, MAN, script.encode()), 0) == "#!/bin/sh\n"


def test_the_reference_tree_lints():
    handout.lint(ROOT, MAN)

"""Fixtures for the tests of the course machinery (tools/handout.py,
tools/course.py, grade/gradescope/): a copy of the reference tree with
synthetic fences of every kind added, so that the tests do not depend on where
the real fences are.

    /usr/bin/python3 -m pytest -q tests/course          (make check-course)
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import course      # noqa: E402
import handout     # noqa: E402

PYTHON = "/usr/bin/python3"

# A lab not written yet, after the real ones (labs.toml may have none such): its
# fences must go from every handout, and it can be neither handed out nor graded.
FUTURE = "future"
FUTURE_LAB = f"""
[[lab]]
name = "{FUTURE}"
title = "a lab not written yet (synthetic)"
handout = "labs/99-{FUTURE}.md"
graders = []
available = false
"""


def future_manifest():
    """The reference's manifest with the synthetic unavailable lab last."""
    man = course.load_manifest(ROOT)
    man.labs.append(course.Lab(len(man.labs) + 1, FUTURE, "synthetic", f"labs/99-{FUTURE}.md",
                               [], available=False))
    return man


# Synthetic fences.  The real labs are available, future is not; reference is the
# reference-only fence.  The fences say their task, as the real ones do.  Starter
# lines are commented out, as in the real tree.
C_FENCES = """\
// LAB entries 2: BEGIN
  printf("synthetic: entries reference\\n");
  // LAB rbtree 1: BEGIN
  printf("synthetic: rbtree reference\\n");
  // LAB rbtree 1: STARTER
  // printf("synthetic: rbtree starter\\n");
  // LAB rbtree 1: END
// LAB entries 2: STARTER
//   printf("synthetic: entries starter\\n");
// LAB entries 2: END
/* LAB fork 1: BEGIN */
  printf("synthetic: fork reference\\n");
/* LAB fork 1: END */
  // LAB future 1: BEGIN
  printf("synthetic: future reference\\n");
  // LAB future 1: STARTER
  // printf("synthetic: future starter\\n");
  // LAB future 1: END
"""
H_FENCES = """\
// LAB rbtree 1: BEGIN
#define SYNTHETIC_RBTREE_REFERENCE 1
// LAB rbtree 1: STARTER
// #define SYNTHETIC_RBTREE_STARTER 1
// LAB rbtree 1: END
"""
PY_FENCES = """\
# LAB fork 1: BEGIN
SYNTHETIC = "fork reference"
# LAB fork 1: STARTER
# SYNTHETIC = "fork starter"
# LAB fork 1: END
"""
MK_FENCES = """\
# LAB entries 2: BEGIN
SYNTHETIC_MK = entries-reference
# LAB entries 2: STARTER
# SYNTHETIC_MK = entries-starter
# LAB entries 2: END
    # LAB reference: BEGIN
SYNTHETIC_REF = reference-only
    # LAB reference: END
"""
S_FENCES = """\
# LAB rbtree 1: BEGIN
# synthetic rbtree reference
# LAB rbtree 1: END
"""
def insert_after(path, anchor, text):
    s = path.read_text()
    i = s.index(anchor) + len(anchor)
    path.write_text(s[:i] + text + s[i:])


def copy_reference(dest):
    """The reference's files (as handout.py sees them), into dest."""
    for f in handout.source_files(ROOT):
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dest / f)


def add_synthetic_fences(tree):
    with open(tree / course.MANIFEST, "a") as f:
        f.write(FUTURE_LAB)
    insert_after(tree / "kernel/kern/main.c", 'printf("\\nvmlab kernel is booting\\n\\n");\n',
                 C_FENCES)
    insert_after(tree / "kernel/kern/param.h", "#define _KERN_PARAM_H_\n", H_FENCES)
    insert_after(tree / "tools/bench.py", "\nBOOTS = 5\n", PY_FENCES)
    insert_after(tree / "GNUmakefile", "\nARCHES = riscv64 x86_64\n", MK_FENCES)
    insert_after(tree / "user/usys.S", "\n", S_FENCES)
    for lab in course.load_manifest(tree).available():
        p = tree / lab.handout
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(f"# Lab {lab.number}: {lab.name}\n\n{lab.title}\n")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that builds and boots kernels")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The slow tests start at once on different workers, the others filling in
    around them, as in grade/conftest.py: xdist's load scheduling first hands
    each worker a run of consecutive tests, `chunk` long, so the k-th slow test
    goes at the head of the k-th run."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    order = [item for item in items if not item.get_closest_marker("slow")]
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    chunk = max(len(items) // workers // 4, 2) if workers > 1 else 1
    for k, item in enumerate(slow):
        order.insert(min(k * chunk, len(order)), item)
    items[:] = order


@pytest.fixture(scope="session")
def reference(tmp_path_factory):
    """A copy of the reference tree with the synthetic fences; not a git repo."""
    tree = tmp_path_factory.mktemp("reference")
    copy_reference(tree)
    add_synthetic_fences(tree)
    return tree


def run(cmd, cwd, check=True, env=None, timeout=600):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                       env=None if env is None else {**os.environ, **env})
    if check and p.returncode:
        raise AssertionError(f"{cmd} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def make_handout(reference, lab, out):
    run([PYTHON, "tools/handout.py", "handout", "--lab", lab, "--out", str(out)], reference)
    return out

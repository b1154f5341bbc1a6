"""Lab 3 (fork): vmspace_fork with inheritance and copy-on-write, and collapse, by
user/cowtest.c: what parent and child see of each other's writes, what a fork costs
in pages, the chains of shadow objects (vmmap's DEPTH) as processes fork, write and
exit, and that every page comes back. On one CPU with the DEBUG=1 kernel (which
checks the map at every change and poisons freed objects, so that a broken entry or
a use of a freed object panics), and on three CPUs with the normal kernel (parent
and child fault on the same pages at once).

cowtest runs once per machine; each of its tests is worth its own points. Under
xdist, the workers share that one run (harness.shared_run)."""

import re

import pytest

from harness import PANIC, run_test_program, shared_run

# Seconds (before scaling) that one test of cowtest may take: lazy, the longest,
# takes about 3 s on a loaded host.  A test that hangs costs this much, not more.
TEST_TIMEOUT = 30.0

# (check, points, task, given), in the order cowtest runs them.  task: the handout's
# task that makes the check pass (copy-on-write is task 1, collapse task 2).  given:
# the check passes on the starter too, whose fork copies everything at once (and a
# collapse that does nothing collapses nothing wrong).  freemem is both: the
# starter leaks nothing, copy-on-write without collapse leaks shadowed pages, and
# task 2 makes it pass again.
CHECKS = [
    ("isolation", 3, 0, True),        # writes after fork are private, both ways, in
                                      # every segment, to the last page; vmverify on
                                      # both sides
    ("concurrent", 2, 0, True),       # parent and child writing the same pages at once
    ("share", 2, 0, True),            # MAP_SHARED and INHERIT_SHARE: the child's writes show
    ("copy", 1, 0, True),             # INHERIT_COPY of a shared mapping: a private copy
    ("none", 1, 0, True),             # INHERIT_NONE: no entry in the child's map, and a fault
    ("lazy", 3, 1, False),            # fork of 8 MiB costs < 200 pages; the child's
                                      # writes 2048
    ("generations", 2, 0, True),      # four generations, each with its own copy
    ("read_cow", 2, 0, True),         # read() into copy-on-write and untouched memory
    ("write_untouched", 1, 0, True),  # write() from untouched and copy-on-write memory
    ("exec_mapped", 2, 0, True),      # exec of a program whose file is mapped private
                                      # and shared
    ("sibling", 2, 0, True),          # no collapse of an object another process still maps
    ("offsets", 3, 2, False),         # collapse of shadows at offsets: pages stay in place
    ("depth", 3, 2, False),           # the handout's picture: the DEPTH of every process
    ("private_file", 1, 0, True),     # a file's object is never collapsed into a shadow
    ("chain", 2, 2, False),           # the child maps the parent's object; collapse
                                      # keeps chains short
    ("share_cow", 2, 0, True),        # INHERIT_SHARE over copy-on-write memory: the parent
                                      # sees the child's writes (fork drops the parent's
                                      # PTEs under the shadow)
    ("freemem", 2, 2, True),          # not a page lost
]

# The run on this many CPUs boots the DEBUG=1 kernel; the other (3 CPUs), the normal one.
DEBUG_CPUS = 1


@pytest.mark.cpus(1, 3)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.task(t)] if t else []) +
                                               ([pytest.mark.given] if g else []))
                                  for n, p, t, g in CHECKS])
def test_cowtest(boot, arch, cpus, name):
    debug = cpus == DEBUG_CPUS
    out, stopped = shared_run(f"lab3-{arch}-{cpus}{'-debug' if debug else ''}",
                              lambda: run_test_program(boot, "cowtest", cpus, debug,
                                                               TEST_TIMEOUT))
    panic = PANIC.search(out)
    assert not panic, f"the kernel panicked during cowtest: {panic[0]}"
    m = re.search(rf"^cowtest {name}: (.*)$", out, re.M)
    assert m, f"cowtest printed no line for {name}" + (f" ({stopped})" if stopped else "")
    assert m[1] == "OK", f"cowtest {name}: {m[1]}"

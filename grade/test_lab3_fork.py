"""Lab 3 (fork): vmspace_fork with inheritance and copy-on-write, by
user/cowtest.c, on one CPU and on three (where parent and child fault on the same
pages at once).

cowtest runs once per machine; each of its tests is worth its own points."""

import re

import pytest

COWTEST_TIMEOUT = 180.0

# (check, points, given): a given check passes on the starter too, whose fork copies
# everything at once; lazy and chain need copy-on-write and collapse.
CHECKS = [
    ("isolation", 3, True),        # writes after fork are private, both ways, in every segment
    ("concurrent", 2, True),       # parent and child writing the same pages at once
    ("share", 2, True),            # MAP_SHARED and INHERIT_SHARE: the child's writes show
    ("copy", 1, True),             # INHERIT_COPY of a shared mapping: a private copy
    ("none", 1, True),             # INHERIT_NONE: a hole in the child
    ("lazy", 3, False),            # fork of 32 MiB costs < 200 pages; the child's writes 8192
    ("generations", 2, True),      # four generations, each with its own copy
    ("read_cow", 2, True),         # read() into copy-on-write and untouched memory
    ("write_untouched", 1, True),  # write() from untouched and copy-on-write memory
    ("exec_mapped", 2, True),      # exec of a program whose file is mapped private and shared
    ("chain", 2, False),           # the child maps the parent's object; collapse keeps chains short
    ("freemem", 2, True),          # not a page lost
]

_runs = {}


def cowtest_output(boot, arch, cpus):
    key = (arch, cpus)
    if key not in _runs:
        q = boot(cpus=cpus)
        q.sendline("cowtest")
        q.wait_for(r"^cowtest: (ALL OK|\d+ FAILED)$", COWTEST_TIMEOUT)
        q.wait_for_prompt()
        _runs[key] = q.output
    return _runs[key]


@pytest.mark.cpus(1, 3)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.given] if g else []))
                                  for n, p, g in CHECKS])
def test_cowtest(boot, arch, cpus, name):
    out = cowtest_output(boot, arch, cpus)
    m = re.search(rf"^cowtest {name}: (.*)$", out, re.M)
    assert m, f"cowtest printed no line for {name}"
    assert m[1] == "OK", f"cowtest {name}: {m[1]}"
    assert "panic" not in out

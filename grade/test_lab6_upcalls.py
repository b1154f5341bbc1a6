"""Lab 6 (upcalls): upc_register and upc_control, by user/upctest.c: ids from 32 and
never given twice, UPCALL_MAXCOUNT registrations and EFBIG past them, a deleted
one's place free again; each command's errors (EINVAL, ENOENT, EFAULT); a dispatch
to the caller run before upc_control returns, on its own stack; upcalls to a thread
that computes on another CPU, its registers intact; the critical count holding
upcalls off at or above their priority, and letting them run when it drops;
dispatches of one id merging; POLL and POLLANDCLEAR; no upcall delivered while one
runs (upc_pending), the next chained by NEXT on the same frame; WAIT sleeping
until a dispatch; two threads taking 200 turns by upcall, no wakeup lost; a struct
upcall the kernel cannot read or write dropping the upcall (and saying so); exit
with an upcall pending, fork and exec releasing or not copying a process's
upcalls.  On one CPU with the DEBUG=1 kernel and on four with the normal one.

upctest runs once per machine; each of its tests is worth its own points."""

import re

import pytest

from harness import KILLED, passed_section, run_test_program, shared_run

TEST_TIMEOUT = 60.0     # seconds (before scaling) one test may take

# (check, points), in the order upctest runs them.
CHECKS = [
    ("register", 2),        # ids 32, 33, ...; EFBIG at 33; DELETE frees a place; ids
                            # never reused; DELETE -1
    ("errors", 2),          # EINVAL: cmd, priority, a frame outside user space;
                            # ENOENT: ids not the caller's; EFAULT: NEXT's frame
    ("self", 2),            # DISPATCH to the caller runs before it returns 0, below
                            # its stack, upc_pending set meanwhile
    ("sibling", 3),         # 20 upcalls to a thread computing on another CPU, each
                            # run once, its registers intact
    ("critical", 2),        # count 5 holds off priority 5 (not 6); runs when it drops;
                            # dispatches merge at the highest priority
    ("pollandclear", 1),    # POLL, POLLANDCLEAR: a cleared upcall never runs
    ("pending", 2),         # no delivery while an upcall runs; the one dispatched
                            # meanwhile runs after it
    ("chain", 2),           # held-off upcalls run in id order, chained on one frame
    ("wait", 2),            # WAIT sleeps until a DISPATCH, returns once
    ("pingpong", 2),        # two threads, 200 turns each by upcall: no wakeup lost
    ("badptr", 2),          # unreadable or read-only struct upcall: dropped, said so
    ("exit_pending", 1),    # exit with an upcall pending releases the thread's upcalls
    ("fork", 1),            # the child has none of the parent's; its ids start at 32
    ("exec", 1),            # exec releases a thread's upcalls in the shared vmspace
    ("freemem", 1),         # not a page lost
]

# What the kernel says when it drops an upcall: badptr's three.
DROPPED = re.compile(r"^pid \d+ \(upctest\): upcalls dropped: (read-only|unreadable) "
                     r"struct upcall at 0x[0-9a-f]+$", re.M)

DEBUG_CPUS = 1


@pytest.mark.cpus(1, 4)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=pytest.mark.points(p))
                                  for n, p in CHECKS])
def test_upctest(boot, arch, cpus, name):
    debug = cpus == DEBUG_CPUS
    out, stopped = shared_run(f"lab6-{arch}-{cpus}{'-debug' if debug else ''}",
                              lambda: run_test_program(boot, "upctest", cpus, debug,
                                                       TEST_TIMEOUT))
    section = passed_section(out, stopped, "upctest", name)
    killed = KILLED.findall(section)
    assert not killed, f"upctest {name}: the kernel killed a process:\n" + "\n".join(killed)
    dropped = DROPPED.findall(section)
    if name == "badptr":
        assert dropped == ["read-only", "unreadable", "unreadable"], \
            f"upctest badptr: expected the kernel to say it dropped upcalls for a " \
            f"read-only, then twice an unreadable struct upcall; it said: {dropped}"
    else:
        assert not dropped, f"upctest {name}: the kernel dropped upcalls: {dropped}"

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

# (check, points, task), in the order upctest runs them.  task: the handout's task
# that makes the check pass (1 registration, 2 DISPATCH and POLL, 3 delivery and
# NEXT, 4 WAIT); 0: given, it passes on the starter too.
CHECKS = [
    ("register", 2, 1),       # ids 32, 33, ...; EFBIG at 33; DELETE frees a place; ids
                              # never reused; DELETE -1
    ("errors", 2, 4),         # EINVAL: cmd, priority, a frame outside user space;
                              # ENOENT: ids not the caller's; EFAULT: NEXT's frame
    ("self", 2, 3),           # DISPATCH to the caller runs before it returns 0, below
                              # its stack, upc_pending set meanwhile
    ("sibling", 3, 3),        # 20 upcalls to a thread computing on another CPU, each
                              # run once, its registers intact
    ("critical", 2, 3),       # count 5 holds off priority 5 (not 6); runs when it drops
    ("pollandclear", 2, 2),   # what POLL sees; dispatches merge at the highest
                              # priority; a cleared upcall never runs
    ("pending", 2, 3),        # no delivery while an upcall runs; the one dispatched
                              # meanwhile runs after it
    ("chain", 2, 3),          # held-off upcalls run in id order, chained on one frame
    ("wait", 2, 4),           # WAIT sleeps until a DISPATCH, returns once
    ("pingpong", 2, 4),       # two threads, 200 turns each by upcall: no wakeup lost
    ("badptr", 2, 3),         # unreadable or read-only struct upcall: dropped, said so
    ("exit_pending", 1, 2),   # exit with an upcall pending releases the thread's upcalls
    ("fork", 1, 3),           # the child has none of the parent's; its ids start at 32
    ("exec", 1, 2),           # exec releases a thread's upcalls in the shared vmspace
    ("freemem", 1, 0),        # not a page lost
]

# What the kernel says when it drops an upcall: badptr's three.
DROPPED = re.compile(r"^pid \d+ \(upctest\): upcalls dropped: (read-only|unreadable) "
                     r"struct upcall at 0x[0-9a-f]+$", re.M)

DEBUG_CPUS = 1


@pytest.mark.cpus(1, 4)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.task(t)] if t else
                                                [pytest.mark.given]))
                                  for n, p, t in CHECKS])
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


# What `upcdemo 3` prints, in this order and nothing else.
UPCDEMO = """\
pong: critical count 1: ping's upcall waits (POLL: priority 1 pending)
pong: count back to 0
pong: upcall 32 runs: hello from ping
ping: upcall 33 runs: round 1 from pong
pong: upcall 32 runs: round 1 from ping
ping: upcall 33 runs: round 2 from pong
pong: upcall 32 runs: round 2 from ping
ping: upcall 33 runs: round 3 from pong
pong: upcall 32 runs: round 3 from ping
upcdemo: done
"""


@pytest.mark.points(2)
@pytest.mark.task(4)
@pytest.mark.cpus(4)
def test_upcdemo(boot):
    """`upcdemo 3`: two threads take turns by upcall, the first one held off by a
    critical count; the lines come in exactly this order."""
    q = boot()
    out = q.run("upcdemo 3", timeout=TEST_TIMEOUT)
    assert out == UPCDEMO, f"upcdemo 3 printed:\n{out}\nexpected:\n{UPCDEMO}"

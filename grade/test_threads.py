"""Processes that share a vmspace (rfork(RFPROC | RFMEM)) and the thread library on
them (user/uthread.c), by user/threadtest.c: a thread's stores and mappings are the
others'; a plain fork from a thread copies; rfork's EINVAL; four threads changing
one map at once (mmap over memory the others touch, munmap, mprotect, mlock and
munlock of the same pages, the kernel reading and writing them), after which every
word read was one some thread wrote and the map verifies; and TLB shootdown: a
thread reading a page in a loop on another CPU faults once munmap or mprotect has
returned, never reading through a stale translation.  On one CPU with the DEBUG=1
kernel (the map checked at every change), and on four CPUs with the normal one.

threadtest runs once per machine; each of its tests is worth its own points."""

import re

import pytest

from harness import KILLED, passed_section, run_test_program, shared_run

TEST_TIMEOUT = 60.0     # seconds (before scaling) one test may take

# (check, points), in the order threadtest runs them.
CHECKS = [
    ("basic", 1),               # a thread's store to a global; join returns its status
    ("mapping", 1),             # a thread's mmap: the creator reads and unmaps it
    ("fork_in_thread", 1),      # fork from a thread copies the shared memory
    ("errors", 1),              # rfork without RFPROC, or with other flags: EINVAL
    ("ps_shared", 1),           # ps: SH 3 for a process and its 2 threads, one SIZE
                                # and RSS, the PSS split evenly
    ("stress", 3),              # 4 threads, one map: no wrong word, no hang, map verifies
    ("shootdown_munmap", 2),    # the reader on another CPU faults after munmap returns
    ("shootdown_mprotect", 2),  # ... after mprotect(PROT_NONE) returns
    ("freemem", 1),             # not a page lost
]

# Tests whose reader thread the kernel is meant to kill.
KILLS = {"shootdown_munmap", "shootdown_mprotect"}

DEBUG_CPUS = 1


@pytest.mark.cpus(1, 4)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=pytest.mark.points(p))
                                  for n, p in CHECKS])
def test_threadtest(boot, arch, cpus, name):
    debug = cpus == DEBUG_CPUS
    out, stopped = shared_run(f"threads-{arch}-{cpus}{'-debug' if debug else ''}",
                              lambda: run_test_program(boot, "threadtest", cpus, debug,
                                                       TEST_TIMEOUT))
    killed = KILLED.findall(passed_section(out, stopped, "threadtest", name))
    if name in KILLS:
        assert len(killed) == 1, f"threadtest {name}: expected the reader killed once, " \
                                 f"got:\n" + "\n".join(killed)
    else:
        assert not killed, f"threadtest {name}: the kernel killed a process:\n" + \
                           "\n".join(killed)

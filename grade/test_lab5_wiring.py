"""Lab 5 (wiring): mlock, munlock, mlockall and munlockall, by user/wiretest.c: their
errors (EINVAL for an unaligned or wrapping range and bad flags; ENOMEM for holes,
memory not wired, RLIMIT_MEMLOCK; EAGAIN past the system's limit of wired pages),
with nothing changed by a call that failed; the entries mlock clips and wires
(every page in memory) and munlock merges back; mlock twice being mlock once; private
file mappings copied when wired, shared ones not; munmap, exit and exec unwiring;
fork children never wired, yet seeing the parent's data; mlockall(MCL_CURRENT)
wiring the whole map, MCL_FUTURE the mmaps, sbrk and stack growth after it.  On one
CPU with the DEBUG=1 kernel (which checks the map at every change, so that a wiring
that breaks an invariant panics), and on three CPUs with the normal kernel; after
each test, the pages wired system-wide must be back where they were.

wiretest runs once per machine; each of its tests is worth its own points.  Under
xdist, the workers share that one run (harness.shared_run).

test_wired_under_pressure boots a machine of its own with 16 MiB of RAM and a swap
disk, and runs `wiretest pressure`: 4 MiB wired stay in memory, mapped and intact
while more memory than the machine has is written and read back (the rest of the
process paged out and in)."""

import re

import pytest

from harness import KILLED, PANIC, passed_section, run_test_program, shared_run

# Seconds (before scaling) that one test of wiretest may take: syslimit wires three
# quarters of the machine's memory, which takes a few seconds on riscv64 with the
# DEBUG=1 kernel on a loaded host.  A test that hangs costs this much, not more.
TEST_TIMEOUT = 60.0
PRESSURE_TIMEOUT = 60.0     # it takes about 6 s alone on either port
PRESSURE_MEM = "16M"

# (check, points, task, given), in the order wiretest runs them.  task: the
# handout's task that makes the check pass (2 vm_map_wire, 3 vm_map_unwire, 4 fork,
# 5 MCL_FUTURE; 6, the pageout daemon, is test_wired_under_pressure's).  given: the
# check passes on the starter too (and in every tree after).
CHECKS = [
    ("errors", 2, 0, True),           # EINVAL: unaligned, wrapping or leaving user space,
                                      # bad mlockall flags; len 0 succeeds
    ("holes", 3, 2, False),           # mlock over a hole: ENOMEM, nothing newly wired stays
                                      # wired, what was stays
    ("basic", 3, 2, False),           # mlock 64 KiB: one entry, WIRED 1, all in memory
                                      # (MADV_DONTNEED too), 16 pages wired
    ("partial", 2, 2, False),         # mlock of the middle splits in three; overlapping
                                      # mlocks merge
    ("idempotent", 2, 2, False),      # mlock twice is mlock once
    ("rlimit", 3, 2, False),          # RLIMIT_MEMLOCK: ENOMEM past it, wired bytes count,
                                      # munmap gives room back
    ("syslimit", 2, 2, False),        # three quarters of the pages wired: EAGAIN
    ("private_file", 2, 2, False),    # a private file mapping wired: copied, the file
                                      # unchanged
    ("shared_file", 1, 2, False),     # a shared file mapping wired: the file's pages
    ("prot_none", 1, 2, False),       # PROT_NONE memory wired: in memory, not mapped
    ("eof", 2, 2, False),             # a page that cannot be faulted in (past a file's
                                      # end): ENOMEM, what was wired before it unwired
    ("munmap_unwires", 2, 2, False),  # munmap of wired memory, in part and whole: unwired,
                                      # its pages free again
    ("fork_shared", 1, 2, False),     # wired MAP_SHARED memory shared with the child
    ("exit", 2, 2, False),            # exit unwires (mlock, mlockall), frees the pages
    ("exec", 1, 2, False),            # exec unwires, and ends MCL_FUTURE
    ("mlockall", 2, 2, False),        # MCL_CURRENT: every entry wired, a later mmap not
    ("munlock", 3, 3, False),         # ENOMEM for memory not wired or a hole, nothing
                                      # changed; clips; merges back
    ("munlockall", 2, 3, False),      # unwires all, over holes and unwired memory
    ("fork", 3, 4, False),            # the child not wired, sees the parent's data (an
                                      # entry at an offset); writes private both ways; the
                                      # parent's entry untouched
    ("mlockall_future", 3, 5, False),  # MCL_FUTURE: mmap, sbrk, stack growth wired (and
                                      # ENOMEM past RLIMIT_MEMLOCK); not inherited;
                                      # munlockall ends it
    ("freemem", 2, 0, True),          # not a page lost
]

# The run on this many CPUs boots the DEBUG=1 kernel; the other (3 CPUs), the normal one.
DEBUG_CPUS = 1


@pytest.mark.cpus(1, 3)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.task(t)] if t else []) +
                                               ([pytest.mark.given] if g else []))
                                  for n, p, t, g in CHECKS])
def test_wiretest(boot, arch, cpus, name):
    debug = cpus == DEBUG_CPUS
    out, stopped = shared_run(f"lab5-{arch}-{cpus}{'-debug' if debug else ''}",
                              lambda: run_test_program(boot, "wiretest", cpus, debug,
                                                       TEST_TIMEOUT))
    killed = KILLED.findall(passed_section(out, stopped, "wiretest", name))
    assert not killed, f"wiretest {name}: the kernel killed a process:\n" + "\n".join(killed)


@pytest.mark.slow
@pytest.mark.points(3)
@pytest.mark.task(6)
@pytest.mark.cpus(1)
def test_wired_under_pressure(boot):
    """`wiretest pressure` on a machine with 16 MiB of RAM and a swap disk: the
    wired 4 MiB stay mapped, in memory and intact, and reading them pages nothing
    in, while the unwired memory is paged out and back."""
    q = boot(mem=PRESSURE_MEM)
    out = q.run("wiretest pressure", timeout=PRESSURE_TIMEOUT)
    panic = PANIC.search(q.output)
    assert not panic, f"the kernel panicked during wiretest pressure: {panic[0]}"
    m = re.search(r"^wiretest pressure: (.*)$", out, re.M)
    assert m, f"wiretest pressure printed no result line:\n{out}"
    assert m[1] == "OK", f"wiretest pressure: {m[1]}"
    killed = KILLED.findall(out)
    assert not killed, "wiretest pressure: the kernel killed a process:\n" + "\n".join(killed)
    assert "wiretest: ALL OK" in out, out

"""Lab 7 (resident): exec_sys_register, exec_sys_unregister and resident_list, by
user/restest.c with user/reschild.c as the program made resident: each call's
errors (EINVAL, ENOENT, EEXIST, EFAULT); registrations listed oldest first with
their paths, sizes and exec counts; every exec of the file starting from a copy
of the snapshot, set-up intact and its own arguments, never another run's writes
nor what the registering process did after the snapshot; a write, a truncation,
an unlink or a new file under the name dropping the registration; ids never
given twice; 40 execs in a row with every page free again once dropped; fork and
exec from a resident program; execs while another process drops and makes
registrations.  On one CPU with the DEBUG=1 kernel and on
three with the normal one.  And the `resident` tool and the `primes` demo.

restest runs once per machine; each of its tests is worth its own points."""

import re

import pytest

from harness import KILLED, passed_section, run_test_program, shared_run

TEST_TIMEOUT = 60.0     # seconds (before scaling) one test may take

# (check, points, task), in the order restest runs them.  task: the handout's task
# that makes the check pass (1 the registry, 2 exec from the snapshot, 3 the
# file-change rule); 0: given, it passes on the starter too.
CHECKS = [
    ("errors", 2, 1),       # EINVAL, ENOENT, EFAULT; nothing resident, then one
    ("register", 2, 1),     # listed oldest first: id, path, size, 0 execs; EEXIST
    ("snapshot", 3, 2),     # each run from the snapshot, set-up intact, its own argv
    ("file_change", 3, 3),  # write, truncation, unlink, a new file: registration gone
    ("unregister", 2, 1),   # by id, then ENOENT; new ids higher; -1 its own; -2 all
    ("many", 2, 2),         # 40 execs, counted; every page free again once dropped
    ("forkexec", 1, 2),     # a resident program forks, its child execs echo
    ("race", 2, 2),         # execs while another process drops and registers
    ("freemem", 1, 0),      # not a page lost
]

DEBUG_CPUS = 1


@pytest.mark.cpus(1, 3)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.task(t)] if t else
                                                [pytest.mark.given]))
                                  for n, p, t in CHECKS])
def test_restest(boot, arch, cpus, name):
    debug = cpus == DEBUG_CPUS
    out, stopped = shared_run(f"lab7-{arch}-{cpus}{'-debug' if debug else ''}",
                              lambda: run_test_program(boot, "restest", cpus, debug,
                                                       TEST_TIMEOUT))
    killed = KILLED.findall(passed_section(out, stopped, "restest", name))
    assert not killed, f"restest {name}: the kernel killed a process:\n" + "\n".join(killed)


@pytest.mark.points(2)
@pytest.mark.task(2)
@pytest.mark.cpus(3)
def test_resident_tool(boot):
    """primes -r makes itself resident; the next primes runs from its snapshot;
    `resident -l` lists it with its exec count; `resident -x` and `-R` drop it.
    `resident echo` makes echo resident as loaded (its _start registers it), and
    the next echo runs from that snapshot."""
    q = boot()
    out = q.run("primes -r 7919 8000")
    assert re.fullmatch(r"primes: built the table of 4194304 numbers in \d+ ticks\n"
                        r"primes: resident from now on\n7919: prime\n"
                        r"8000: not prime, next prime 8009\n", out), out
    out = q.run("primes 97")
    assert out == "primes: the table from the resident snapshot\n97: prime\n", out
    out = q.run("resident -l")
    m = re.fullmatch(r"ID PATH SIZE EXECS\n(\d+) primes (\d+)K 1\n", out)
    assert m and int(m[2]) > 4096, out
    assert q.run(f"resident -x {m[1]}") == "resident: 1 dropped\n"
    assert q.run(f"resident -x {m[1]}") == "resident: -x: no such registration\n"
    assert q.run("primes 97").startswith("primes: built the table")
    assert q.run("primes -r 5").endswith("resident from now on\n5: prime\n")
    assert q.run("resident -R") == "resident: 1 dropped\n"
    assert q.run("resident -l") == "ID PATH SIZE EXECS\n"
    out = q.run("resident echo")
    m = re.fullmatch(r"resident: echo: id (\d+)\n", out)
    assert m, out
    assert q.run("echo from the snapshot") == "from the snapshot\n"
    out = q.run("resident -l")
    assert re.fullmatch(rf"ID PATH SIZE EXECS\n{m[1]} echo \d+K 1\n", out), out
    assert q.run("resident echo") == "resident: echo: resident already\n"
    assert q.run("resident nosuch") == "resident: nosuch: cannot run it\n"
    assert q.run("resident -R") == "resident: 1 dropped\n"

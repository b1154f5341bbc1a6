"""The pageout daemon and swap: a machine with 16 MiB of RAM runs more anonymous
memory than it has, every word checked (swaptest); several processes at once,
with forked children; pages of a file dirtied through a shared mapping are
written back to it to be freed (launder); and when memory and swap run out, the
biggest process is killed with a console line and the kernel lives on."""

import re

import pytest

MEM = "16M"
SWAPTEST_TIMEOUT = 300.0
LAUNDER_KIB = 1024
LAUNDER_DONE = re.compile(r"^launder: (\d+) pages dirtied; (\d+) rounds; vnodeout (\d+); "
                          r"resident (\d+)\n", re.M)
SWAPTEST_OK = re.compile(r"^swaptest: OK: (\d+) workers x (\d+) pages x (\d+) rounds; "
                         r"swapout (\d+) swapin (\d+)$", re.M)


def vmstat(q):
    """vmstat's numbers, by name."""
    out = q.run("vmstat")
    words = out.split()
    return {words[i]: int(words[i + 1]) for i in range(0, len(words) - 1, 2)
            if words[i + 1].isdigit()}


def swaptest(q, args):
    out = q.run(f"swaptest {args}", timeout=SWAPTEST_TIMEOUT)
    assert "panic" not in q.output, out
    m = SWAPTEST_OK.search(out)
    assert m, f"swaptest {args}: {out}"
    return [int(x) for x in m.groups()]


@pytest.mark.slow
@pytest.mark.points(3)
@pytest.mark.cpus(1)
def test_swap_twice_ram(boot):
    q = boot(mem=MEM)
    st = vmstat(q)
    mib = 2 * st["pages"] // 256
    workers, pages, rounds, out, back = swaptest(q, f"-r 2 {mib}")
    assert (workers, pages, rounds) == (1, mib * 256, 2)
    # Three passes over twice the RAM: each must page out most of it, and read
    # most of it back.
    assert out >= 2 * st["pages"], f"only {out} page-outs"
    assert back >= st["pages"], f"only {back} page-ins"
    after = vmstat(q)
    assert after["oomkills"] == 0
    assert after["swapout"] - st["swapout"] >= out


@pytest.mark.slow
@pytest.mark.points(3)
@pytest.mark.cpus(4)
def test_swap_workers_fork(boot):
    """Two workers and their forked children on four CPUs: each set of pages is
    shared copy-on-write, then copied, under pressure (3 x 6 MiB per worker)."""
    q = boot(mem=MEM)
    st = vmstat(q)
    workers, pages, rounds, out, back = swaptest(q, "-w 2 -f -r 1 6")
    assert (workers, pages, rounds) == (4, 6 * 256, 1)
    assert out > 0 and back > 0
    assert out >= 3 * 2 * 6 * 256 - st["pages"], f"only {out} page-outs"
    assert vmstat(q)["oomkills"] == 0


@pytest.mark.slow
@pytest.mark.points(3)
@pytest.mark.cpus(1)
def test_launder_survives_power_cut(boot):
    """A file mapped shared and dirtied while anonymous memory (4 MiB more than
    RAM) presses: the daemon writes its pages back to free them, mapping and all.
    Then the power is cut, with the mapping still there: after a reboot, read()
    finds every word of the file on the disk."""
    q = boot(mem=MEM)
    st = vmstat(q)
    q.sendline(f"launder write data {LAUNDER_KIB} {st['pages'] // 256 + 4}")
    m = q.wait_for(LAUNDER_DONE, timeout=SWAPTEST_TIMEOUT, in_command=True)
    pages, rounds, vnodeout, resident = (int(x) for x in m.groups())
    assert pages == LAUNDER_KIB // 4
    assert resident == 0, f"{resident} of {pages} pages of the file still resident " \
                          f"after {rounds} rounds of pressure ({vnodeout} written back)"
    assert vnodeout >= pages, f"only {vnodeout} of {pages} dirty pages written back"
    assert "panic" not in q.output
    q.close()       # the power cut: no msync, no munmap, no exit
    q = boot(mem=MEM, fsimg=q.fsimg)
    assert q.run(f"launder check data {LAUNDER_KIB}") == f"launder: OK: {pages} pages\n"


@pytest.mark.slow
@pytest.mark.points(3)
@pytest.mark.cpus(1)
def test_oom_kill(boot):
    """More than memory and swap: the pageout daemon kills the process with the most
    pages, says so, and the machine goes on (the same program, smaller, runs)."""
    q = boot(mem=MEM, swap="8M")
    st = vmstat(q)
    mib = (st["pages"] + st["swap"]) // 256 + 8
    out = q.run(f"swaptest {mib}", timeout=SWAPTEST_TIMEOUT)
    assert re.search(r"^pid \d+: out of memory and swap: \d+ KiB resident or swapped: killed$",
                     out, re.M), out
    assert "swaptest: FAILED: a worker failed" in out, out
    assert "panic" not in q.output
    after = vmstat(q)
    assert after["oomkills"] == 1
    assert after["swap"] == st["swap"] == 8 * 256
    swaptest(q, "4")
    assert q.run("echo alive") == "alive\n"

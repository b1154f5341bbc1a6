"""vmfuzz (user/vmfuzz.c): seeded random sequences of VM system calls (mmap of
anonymous memory and files, private and shared, munmap, mprotect, minherit, fork,
stores, msync, write/read/truncate of the mapped files, ...) checked byte for byte
against a model, and every page back at the end.  A few fixed seeds at a moderate
length, one after another and three at once, on a machine per port: a few seconds
each.  `make fuzz` runs long ones.

Reference only (labs/labs.toml): vmfuzz needs lab 1 (mmap) and lab 3's
copy-on-write fork (lab 3's starter, which copies at fork, fails it: a child's
private file mapping becomes anonymous memory), and it checks no one task of a
handout, which is what each of a lab's graders is held to (make check-tasks); as
a lab's grader it would also run again in check-handouts, check-tasks and
check-mutants, which make test has no time for.  Students have vmfuzz and
`make fuzz` in every tree."""

import pytest

SEEDS = [1, 2, 3]
OPS = 300
TIMEOUT = 120.0        # seconds, before scaling, for all the seeds


@pytest.mark.points(3)
def test_vmfuzz(sh):
    for seed in SEEDS:
        sh.sendline(f"vmfuzz {seed} {OPS}")
        m = sh.wait_for(rf"^vmfuzz: seed {seed}\b(.*)\n", TIMEOUT,   # a whole line
                        in_command=True)
        assert m[1] == f": {OPS} ops ok", \
            f"vmfuzz: seed {seed}{m[1]} (each operation: vmfuzz {seed} {OPS} - v)"
        sh.wait_for_prompt()
    assert "panic" not in sh.output


JOBS = 3


@pytest.mark.points(3)
@pytest.mark.cpus(3)
def test_vmfuzz_jobs(sh):
    """`vmfuzz -j 3`: three seeds at once, in three processes on three CPUs, each with
    a window and files of its own (the kernel's shared structures under concurrent
    use): each checked against its model, and every page back at the end."""
    seed = 10
    sh.sendline(f"vmfuzz -j {JOBS} {seed} {OPS}")
    m = sh.wait_for(rf"^vmfuzz: seed {seed}\b(.*)\n", TIMEOUT, in_command=True)
    assert m[1] == f": {OPS} ops ok", \
        f"vmfuzz -j {JOBS}: seed {seed}{m[1]}:\n{sh.output[-3000:]}"
    sh.wait_for_prompt()
    assert "panic" not in sh.output

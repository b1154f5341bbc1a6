"""vmfuzz (user/vmfuzz.c): seeded random sequences of VM system calls (mmap of
anonymous memory and files, private and shared, munmap, mprotect, minherit, fork,
stores, msync, write/read/truncate of the mapped files, ...) checked byte for byte
against a model, and every page back at the end.  On each port, 50,000 operations
of the default mix: four seeds one after another on one CPU, and four at once
(`vmfuzz -j 4`: four processes, each with a window and files of its own) on four
CPUs; so 100,000 in make test.  `--fuzz-scale K` multiplies them (make flake-check
runs K=2: 200,000 a run, 4 million in its 20 runs); `make fuzz` runs long ones.

Reference only (labs/labs.toml): vmfuzz needs lab 1 (mmap) and lab 3's
copy-on-write fork (lab 3's starter, which copies at fork, fails it: a child's
private file mapping becomes anonymous memory), and it checks no one task of a
handout, which is what each of a lab's graders is held to (make check-tasks); as
a lab's grader it would also run again in check-handouts, check-tasks and
check-mutants, which make test has no time for.  Students have vmfuzz and
`make fuzz` in every tree."""

import pytest

OPS = 6250             # operations a seed, before --fuzz-scale
SEEDS = [1, 2, 3, 4]   # one after another, on one CPU
JOBS = 4               # seeds at once (-j), on four CPUs, from seed 10
# Seconds, before scaling, for one seed's OPS (riscv64 takes about 1 ms an operation
# on one CPU of an idle host, x86_64 a little less; four at once on four CPUs of a
# two-core host, 2.5 ms).
TIMEOUT = 150.0


def ops(request):
    return OPS * request.config.getoption("fuzz_scale")


def expect_ok(sh, seed, n, what):
    m = sh.wait_for(rf"^vmfuzz: seed {seed}\b(.*)\n", TIMEOUT * n / OPS,   # a whole line
                    in_command=True)
    assert m[1] == f": {n} ops ok", f"{what}: seed {seed}{m[1]}:\n{sh.output[-3000:]}"
    sh.wait_for_prompt()
    assert "panic" not in sh.output


@pytest.mark.points(3)
@pytest.mark.cpus(1)
@pytest.mark.slow
def test_vmfuzz(sh, request):
    n = ops(request)
    for seed in SEEDS:
        sh.sendline(f"vmfuzz {seed} {n}")
        expect_ok(sh, seed, n, f"vmfuzz {seed} {n} (each operation: vmfuzz {seed} {n} - v)")


@pytest.mark.points(3)
@pytest.mark.cpus(4)
@pytest.mark.slow
def test_vmfuzz_jobs(sh, request):
    """`vmfuzz -j 4`: four seeds at once, in four processes on four CPUs, each with
    a window and files of its own (the kernel's shared structures under concurrent
    use): each checked against its model, and every page back at the end."""
    seed, n = 10, ops(request)
    sh.sendline(f"vmfuzz -j {JOBS} {seed} {n}")
    expect_ok(sh, seed, n, f"vmfuzz -j {JOBS} {seed} {n}")

"""failtest (user/failtest.c): every kernel allocation of eight small workloads
(anonymous memory, fork, a shared file mapping and a pipe, a thread, stack
growth, an upcall, a resident registration, exec) made to fail in turn with the
DEBUG=1 kernel's failnth: each failure ends in an errno of short memory (or a
retry inside the kernel, or a killed process), the map passes vmverify, not a
page is lost, and the kernel neither panics nor hangs.

Reference only (labs/labs.toml), as vmfuzz: it needs every lab done."""

import re

import pytest

TIMEOUT = 120.0     # seconds, before scaling, for the whole sweep

# Each workload, and the fewest allocations its sweep must reach: they make about
# twice as many, and fewer would mean that failnth no longer reaches an allocator.
WORKLOADS = {"anon": 16, "fork": 10, "file": 7, "thread": 2, "stack": 16, "upcall": 1,
             "resident": 3, "exec": 9}


@pytest.mark.points(3)
@pytest.mark.cpus(1, 4)
def test_failtest(shared, cpus):
    sh = shared(cpus=cpus, debug=True)
    out = sh.run("failtest", timeout=TIMEOUT)
    for name, least in WORKLOADS.items():
        verdict = re.search(rf"^failtest {name}(?: n=\d+)?: (OK|FAILED.*)$", out, re.M)
        assert verdict, f"failtest printed no verdict for {name}:\n{out}"
        assert verdict[1] == "OK", verdict[0]
        m = re.search(rf"^failtest {name}: (\d+) allocations, \d+ children killed$", out, re.M)
        assert m and int(m[1]) >= least, \
            f"failtest {name}: {m[1] if m else 'no'} allocations swept; expected {least} at least"
    assert re.search(r"^failtest freemem: OK$", out, re.M), f"failtest lost pages:\n{out}"
    assert re.search(r"^failtest: ALL OK$", out, re.M), out

"""Lab 2 (rbtree): a map of 10,000 entries whose lookups stay logarithmic, by
user/rbtest.c. The kernel counts the tree nodes lookups visit, so the test needs no
clock: at most 2*log2(n+1)+4 per lookup (a red-black tree's height bound), where a
list walk would visit thousands.

rbtest runs once per machine; each of its steps is worth its own points."""

import re

import pytest

from harness import verify_reason

RBTEST_TIMEOUT = 180.0

# (step, points, given): a given step checks what lab 1 and the starter already do
# right (the starter has no tree, so its checks of the tree pass vacuously); the
# others fail until the tree is in.
STEPS = [
    ("build", 2, True),          # 10,000 one-page entries, each at its hint, none merged
    ("lookups", 4, False),       # mprotect of single pages: visits per lookup within the bound
    ("faults", 2, False),        # first-touch faults: visits per fault within twice the bound
    ("holes", 2, False),         # lookups that miss, and first fit into the lowest hole
    ("verify", 2, True),         # vm_map_verify on the big map (tree = list, max_free, colours)
    ("free", 1, True),           # one munmap takes every entry away
    ("verify_empty", 1, True),
    ("freemem", 2, True),        # and every page comes back
]

_runs = {}


def rbtest_output(boot, arch, cpus):
    key = (arch, cpus)
    if key not in _runs:
        q = boot(cpus=cpus)
        q.sendline("rbtest")
        q.wait_for(r"^rbtest: (ALL OK|\d+ FAILED)$", RBTEST_TIMEOUT)
        q.wait_for_prompt()
        _runs[key] = q.output
    return _runs[key]


@pytest.mark.parametrize("step", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.given] if g else []))
                                  for n, p, g in STEPS])
def test_rbtest(boot, arch, cpus, step):
    out = rbtest_output(boot, arch, cpus)
    m = re.search(rf"^rbtest {step}: (.*)$", out, re.M)
    assert m, f"rbtest printed no line for {step} (an earlier step failed?):\n" + \
        "\n".join(re.findall(r"^rbtest .*$", out, re.M))
    assert m[1].startswith("OK"), verify_reason(out, f"rbtest {step}: {m[1]}")
    assert "panic" not in out

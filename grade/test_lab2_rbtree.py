"""Lab 2 (rbtree): a map of 10,000 entries whose lookups stay logarithmic, by
user/rbtest.c. The kernel counts the tree nodes lookups visit, so the test needs no
clock: at most 2*log2(n+1)+4 per lookup (a red-black tree's height bound), where a
list walk would visit thousands. After random maps, unmaps and protection changes
(churn), every mmap must have gone to the first fit, the map must hold exactly the
expected pages, and the data written must still be there. Then `rbtest small` on a
DEBUG=1 kernel, which checks the whole map (tree included) at every change.

rbtest runs once per machine; each of its steps is worth its own points. Under
xdist, the workers share that one run (harness.shared_run)."""

import re

import pytest

from harness import shared_run, verify_reason

RBTEST_TIMEOUT = 180.0

# (step, points, task): the handout's task that makes the step pass, or 0: given, a
# step that checks what lab 1 and the starter already do right (the starter has no
# tree, so its checks of the tree pass vacuously, and it finds space by a correct
# walk down the list).
STEPS = [
    ("build", 2, 0),          # 10,000 one-page entries, each at its hint, none merged
    ("lookups", 4, 6),       # mprotect of single pages: visits per lookup within the
                                 # bound; a repeated lookup hits the hint
    ("faults", 2, 6),        # first-touch faults: visits per fault within twice the bound
    ("holes", 2, 6),         # lookups that miss, and first fit into the lowest hole
    ("churn", 3, 6),         # 3,000 random mmaps/munmaps/mprotects, then the bound
    ("firstfit", 2, 0),       # every mmap of churn at the first fit
    ("entries", 2, 0),        # vmmap: exactly the pages churn left mapped, protections
    ("data", 1, 0),           # the words churn wrote are still there
    ("front", 2, 0),          # entries below the first one: first fit there, vmverify
    ("verify", 2, 0),         # vm_map_verify on the big map (tree = list, max_free, colours)
    ("free", 1, 0),           # one munmap takes every entry away
    ("verify_empty", 1, 0),
    ("freemem", 2, 0),        # and every page comes back
]

def rbtest_output(boot, arch, cpus, debug=False):
    def run():
        q = boot(cpus=cpus, debug=True) if debug else boot(cpus=cpus)
        q.sendline("rbtest small" if debug else "rbtest")
        q.wait_for(r"^rbtest: (ALL OK|\d+ FAILED)$", RBTEST_TIMEOUT, in_command=True)
        q.wait_for_prompt()
        return q.output
    return shared_run(f"lab2-{arch}-{cpus}{'-debug' if debug else ''}", run)


@pytest.mark.parametrize("step", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.task(t)] if t else
                                                [pytest.mark.given]) +
                                               ([pytest.mark.slow] if n == "build" else []))
                                  for n, p, t in STEPS])
def test_rbtest(boot, arch, cpus, step):
    out = rbtest_output(boot, arch, cpus)
    m = re.search(rf"^rbtest {step}: (.*)$", out, re.M)
    assert m, f"rbtest printed no line for {step} (an earlier step failed?):\n" + \
        "\n".join(re.findall(r"^rbtest .*$", out, re.M))
    assert m[1].startswith("OK"), verify_reason(out, f"rbtest {step}: {m[1]}")
    assert "panic" not in out


@pytest.mark.points(4)
@pytest.mark.slow
@pytest.mark.task(6)
def test_rbtest_debug(boot, arch, cpus):
    """`rbtest small` (512 entries) on a DEBUG=1 kernel: vm_map_verify, with the
    tree checks, runs at every exclusive unlock of the map, so a tree that is
    wrong for a moment panics; freed entries are poisoned."""
    out = rbtest_output(boot, arch, cpus, debug=True)
    assert "panic" not in out, re.search(r"^panic: .*$", out, re.M)[0]
    failed = re.findall(r"^rbtest (\S+): FAILED(.*)$", out, re.M)
    assert re.search(r"^rbtest: ALL OK$", out, re.M), \
        "failed: " + "; ".join(f"{n}{why}" for n, why in failed)

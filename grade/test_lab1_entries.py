"""Lab 1 (entries): mmap, munmap, mprotect, madvise, msync and mincore on the map's
entries, by user/mmaptest.c; and the vmmap and ps tools on a known set of mappings.

One machine (per test process; conftest's shared machines) runs mmaptest, then
vmmap and ps on a known set of mappings; each of mmaptest's named checks is worth
its own points.
mmaptest runs once more on the DEBUG=1 kernel, which checks the map at every
change and poisons freed entries."""

import re
import time

import pytest

from harness import verify_reason

MMAPTEST_TIMEOUT = 120.0

# mmaptest's tests, with their points and the handout's task that makes each pass.
CHECKS = [
    ("split", 3, 5),          # mprotect/munmap in the middle of an entry: 3 entries, merged back
                           # (also before the first touch: one object for the pieces)
    ("coalesce", 2, 6),       # adjacent anonymous mappings become one entry; not across a
                           # gap or another inheritance; a grown object reads zeros
    ("holes", 2, 4),          # first fit reuses a hole
    ("fixed", 2, 2),          # MAP_FIXED replaces what was there
    ("errno", 3, 5),          # every bad argument, and nothing changed
    ("shared_file", 3, 2),    # MAP_SHARED writes reach the file (msync, munmap); write() shows
    ("private_file", 2, 5),   # MAP_PRIVATE writes do not, also after mprotect RW
    ("prot_none", 2, 5),      # PROT_NONE kills on access; data kept
    ("readonly", 2, 5),       # a write to PROT_READ kills, also to a page made read-only
    ("mincore", 1, 2),
    ("madvise", 1, 4),
    ("munmap_span", 1, 2),    # one munmap over mappings and holes
    ("first_free", 2, 4),     # entries from page 0 up merge and grow; first_free follows
    ("write_merge", 2, 2),    # write() to part of a page keeps a mapping's unwritten stores
    ("file_grows", 2, 2),     # a store to a page the file grew into while mapped is kept
    ("file_truncated", 1, 2), # truncated while mapped: zeros past the end; a fault there kills
    ("freemem", 2, 2),        # after all the tests, not a page lost
    ("reprotect", 2, 5),      # a clean shared file page made read-only and writable again:
                              # the next store still faults, marks it dirty, is written back
    ("invalidate", 1, 2),     # msync(MS_INVALIDATE) writes back, then drops the clean pages
    ("sbrk_nomem", 1, 5),     # sbrk(-n) with no map entry to spare: fails, the break stays
    ("vmmap_huge", 1, 4),     # vmmap of the whole address space mapped is quick; RES exact
    ("willneed", 1, 2),       # MADV_WILLNEED over 1 GiB takes at most a quarter of free memory
]

DONE = r"^mmaptest: (ALL OK|\d+ FAILED)$"
_held = {}   # (arch, cpus) -> what vmmap and ps showed of `mmaptest hold`, or why not


def held(shared, arch, cpus, quiet=False):
    """Run `mmaptest hold` in the background on this worker's machine (the one
    that ran mmaptest, unless that one died), then vmmap and ps on it; once per
    worker. A dict of their outputs; or the AssertionError that stopped them,
    raised (or, quiet, returned)."""
    key = (arch, cpus)
    if key not in _held:
        try:
            q = shared()
            pid = hold(q)
            got = dict(pid=pid, vmmap=q.lines(f"vmmap {pid}"), ps=q.lines("ps"))
            got["vmmap 999"] = q.run("vmmap 999")
            assert q.run(f"kill {pid}") == ""
            _held[key] = got
        except AssertionError as e:
            _held[key] = e
    if isinstance(_held[key], AssertionError) and not quiet:
        raise _held[key].with_traceback(None)
    return _held[key]


def result_line(out, name):
    m = re.search(rf"^mmaptest {name}: (.*)$", out, re.M)
    return m[1] if m else None


@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p),
                                                               pytest.mark.task(t)])
                                  for n, p, t in CHECKS])
def test_mmaptest(run_once, shared, arch, cpus, name):
    out = run_once("mmaptest", DONE, MMAPTEST_TIMEOUT)
    # While the machine is up (the next arch's closes it): for test_vmmap_lines.
    held(shared, arch, cpus, quiet=True)
    got = result_line(out, name)
    assert got is not None, f"mmaptest printed no line for {name}"
    assert got == "OK", verify_reason(out, f"mmaptest {name}: {got}")
    assert "panic" not in out


def hold(sh, timeout=15.0):
    """Start `mmaptest hold` in the background; its pid once it has mapped. Its
    output goes to a file, so that it cannot mix with the shell's prompt."""
    assert sh.run("mmaptest hold > hold.out &") == ""
    deadline = time.monotonic() + timeout * sh.scale
    while True:
        out = sh.run("cat hold.out")
        m = re.fullmatch(r"mmaptest hold: pid (\d+) ready\n", out)
        if m:
            return int(m[1])
        # (It says FAILED and exits if a step fails: no need to wait then.)
        assert "FAILED" not in out and time.monotonic() < deadline, \
            f"mmaptest hold said {out!r}"


# What `mmaptest hold` maps, as vmmap prints it: 4 anonymous pages at VM_MMAP_BASE
# with the second made read-only (one object shared by the three pieces, page 0
# written), 2 shared anonymous pages, one page of a file mapped private, two pages
# of the same file (one object per file) from offset 4096 shared, inheritance
# none, the first page read. OBJ and FILE stand for the object ids.
HOLD_LINES = [
    r"0x40000000-0x40001000 rw- rwx copy - 0 default:(?P<OBJ>\d+) 0x0 1 1",
    r"0x40001000-0x40002000 r-- rwx copy - 0 default:(?P=OBJ) 0x1000 0 1",
    r"0x40002000-0x40004000 rw- rwx copy - 0 default:(?P=OBJ) 0x2000 0 1",
    r"0x40004000-0x40006000 r-- rwx share - 0 default:(?P<SHM>\d+) 0x0 0 1",
    r"0x40006000-0x40007000 rw- rwx copy cow,nc 0 vnode:(?P<FILE>\d+) 0x0 0 1",
    r"0x40007000-0x40009000 r-- rwx none - 0 vnode:(?P=FILE) 0x1000 1 1",
]


@pytest.mark.points(4)
@pytest.mark.task(5)
def test_vmmap_lines(shared, arch, cpus):
    r = held(shared, arch, cpus)
    lines = r["vmmap"]
    assert lines[0] == "START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET RES DEPTH"
    entry = re.compile(r"0x[0-9a-f]+-0x[0-9a-f]+ [r-][w-][x-] [r-][w-][x-] (share|copy|none) "
                       r"\S+ \d+ (none|(default|swap|vnode|dead):\d+) 0x[0-9a-f]+ \d+ \d+"
                       # a stack's reservation (lab 4)
                       r"|0x[0-9a-f]+-0x[0-9a-f]+ --- --- - reserved 0 none 0x0 0 0")
    for line in lines[1:]:
        assert entry.fullmatch(line), f"vmmap printed {line!r}"
    mapped = [l for l in lines[1:] if 0x40000000 <= int(l.split("-")[0], 16) < 0x50000000]
    got = "\n".join(mapped)
    want = "\n".join(HOLD_LINES)
    m = re.fullmatch(want, got)
    assert m, f"vmmap {r['pid']} shows\n{got}\nexpected (as regular expressions)\n{want}"
    assert m["OBJ"] != m["SHM"]
    assert r["vmmap 999"] == "vmmap: 999: no such process\n"


@pytest.mark.points(1)
@pytest.mark.task(5)
def test_ps(shared, arch, cpus):
    r = held(shared, arch, cpus)
    lines = r["ps"]
    assert lines[0] == "PID STATE SIZE RSS PSS STACK SH NAME"
    procs = {}
    for line in lines[1:]:
        m = re.fullmatch(r"(\d+) (new|sleep|runnable|run|zombie) (\d+) (\d+) (\d+) (\d+) 1 (\S+)",
                         line)
        assert m, f"ps printed {line!r}"
        assert int(m[6]) > 0, f"ps shows no stack: {line!r}"
        # A page counts 4 KiB divided among the processes that map it.
        rss, pss = int(m[4]), int(m[5])
        assert 0 < pss <= 4 * rss, f"ps shows PSS {pss} KiB for {rss} resident pages: {line!r}"
        procs[int(m[1])] = (m[2], int(m[3]), rss, m[7])
    assert procs[1][3] == "init" and procs[2][3] == "sh"
    state, size, rss, name = procs[r["pid"]]
    assert (state, name) == ("sleep", "mmaptest")
    # Its mappings alone are 4+2+1+2 pages = 36 KiB; resident: text, data, stack, ...
    assert size >= 36 and rss >= 3
    assert procs[max(procs)][3] == "ps" and procs[max(procs)][0] == "run"


# Last: a worker's machine for mmaptest serves vmmap and ps first, before this
# one (at most one machine runs per worker) closes it.
@pytest.mark.points(4)
@pytest.mark.cpus(1)
@pytest.mark.task(6)
def test_mmaptest_debug(run_once):
    """The whole run on one CPU, on the DEBUG=1 kernel: it checks the map at every
    exclusive unlock (not only where mmaptest asks) and poisons freed entries, so
    that an entry used after vm_map_entry_dispose() shows."""
    out = run_once("mmaptest", DONE, MMAPTEST_TIMEOUT, cpus=1, debug=True)
    failed = re.findall(r"^mmaptest (\S+): FAILED(.*)$", out, re.M)
    assert re.search(r"^mmaptest: ALL OK$", out, re.M), verify_reason(
        out, "failed: " + "; ".join(f"{n}{why}" for n, why in failed), "")
    assert "panic" not in out

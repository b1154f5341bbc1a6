"""Lab 4 (stack): stacks that grow down on a fault, by user/stacktest.c: the main
stack exec makes (128 KiB mapped at the top, the rest of RLIMIT_STACK's hard value
reserved below it, where mmap never puts anything), its growth by recursion, a big
local object and fork, up to RLIMIT_STACK and no further, the stack-pointer rule
(a touch far below sp is a bad access, not growth), the kernel's own copies
(read() from a pipe and a file into, write() from an untouched stack buffer), and
mmap(MAP_STACK); and the vmmap tool's line for a stack's reservation.  On one
CPU with the DEBUG=1 kernel (which checks the map at every change, so that a growth
that breaks the map panics), and on three CPUs with the normal kernel.

The kernel's lines count too: a stack overflow must print
`pid N (stacktest): stack overflow: fault at va 0x..., stack limit K KiB: killed`
with the soft limit and a fault address right below it (for a MAP_STACK region,
`MAP_STACK limit K KiB`, its own size); a touch below sp, into a
hole below an entry that is no stack, or into a PROT_NONE page mapped into the
reservation, the usual segmentation fault line.  Each check finds the kernel's lines
between stacktest's line for the test before and its own, and a check that expects
none must find none.

stacktest runs once per machine; each of its tests is worth its own points.  Under
xdist, the workers share that one run (harness.shared_run)."""

import re

import pytest

from harness import KILLED, PANIC, result_section, run_test_program, shared_run

# Seconds (before scaling) that one test of stacktest may take: overflow and
# the crowded maps take a few seconds on riscv64 with the DEBUG=1 kernel on a
# loaded host.  A test that hangs costs this much, not more.
TEST_TIMEOUT = 60.0

KiB = 1024
MiB = 1024 * KiB
MAXSSIZ = 8 * MiB
SGROWSIZ = 128 * KiB

# (check, points, task, given), in the order stacktest runs them.  task: the
# handout's task that makes the check pass (1 the reservation, 2 growth, 3 the
# stack-pointer rule, 4 the kernel's copies, 5 MAP_STACK).  given: the check passes
# on the starter too (and in every tree after).
CHECKS = [
    ("getrlimit", 2, 0, True),        # getrlimit/setrlimit: defaults, EINVAL, EPERM, EFAULT
    ("rlimit_inherit", 1, 0, True),   # limits kept over fork and exec
    ("text", 1, 0, True),             # a write to the text kills (protection violation)
    ("hole", 1, 0, True),             # a hole below an entry that is no stack: read()
                                      # into it EFAULT, a write kills
    ("layout", 3, 1, False),          # after exec: 128 KiB rw- stack at the top, the rest
                                      # of the hard limit reserved below; nothing else there
    ("mmap_avoids", 3, 1, False),     # mmap with a hint in the reservation, or in a full
                                      # map, lands elsewhere (or ENOMEM)
    ("deep", 3, 2, False),            # 4 MiB of frames and back, in 128 KiB steps
    ("bigobject", 2, 2, False),       # a 64 KiB local object below the first 128 KiB
    ("fork_grown", 2, 2, False),      # fork of a grown stack: the child's writes private,
                                      # and it grows further
    ("ssize", 1, 2, False),           # kp_ssize 128 KiB after exec, then the stack's size;
                                      # vmstat's map size grows as much
    ("rlimit", 2, 2, False),          # past a soft limit of 1 MiB: killed, with the line
    ("overflow", 1, 2, False),        # past the default 8 MiB: killed, with the line
    ("guard", 1, 2, False),           # a PROT_NONE page mapped into the reservation: the
                                      # stack grows right down to it, which then kills
    ("split", 2, 2, False),           # mprotect splits the lowest stack entry: the
                                      # reservation stays below the lowest part alone
                                      # (vmverify), the stack still grows to its limit
    ("vmmap", 1, 2, False),           # the vmmap tool's reserved line for a grown stack
    ("belowsp", 3, 3, False),         # a touch at sp (minus the red zone) grows; one byte
                                      # lower, or 64 KiB below sp, kills
    ("readbuf", 3, 4, False),         # read() into, write() from an untouched 256 KiB
                                      # stack buffer
    ("copy_limit", 1, 0, True),       # read() past the limit or below sp: EFAULT, and the
                                      # process lives
    ("mapstack_errors", 2, 5, False),  # MAP_STACK's EINVALs; the top 128 KiB mapped
    ("mapstack_pair", 1, 5, False),   # two MAP_STACKs side by side stay two stacks
    ("mapstack_grows", 3, 5, False),  # a MAP_STACK grows when touched below, to its
                                      # bottom; nothing lands in its reservation
    ("mapstack_overflow", 1, 5, False),  # a touch right below a MAP_STACK: killed, with
                                      # the line, which gives the region's own limit
    ("freemem", 2, 0, True),          # not a page lost
]

# The run on this many CPUs boots the DEBUG=1 kernel; the other (3 CPUs), the normal one.
DEBUG_CPUS = 1

# The line where stacktest says where its stack's top is.
USRSTACK = re.compile(r"^stacktest: USRSTACK (0x[0-9a-f]+)$", re.M)
# The kernel's lines (vm/vm_fault.c) about a process it kills.
OVERFLOW = re.compile(r"^pid (\d+) \((\S+)\): stack overflow: fault at va (0x[0-9a-f]+), "
                      r"(stack|MAP_STACK) limit (\d+) KiB: killed$", re.M)
SEGV = re.compile(r"^pid (\d+) \((\S+)\): segmentation fault: (read|write|exec) at va "
                  r"(0x[0-9a-f]+), pc (0x[0-9a-f]+) \(([^)]*)\): killed$", re.M)


def section(out, name):
    return result_section(out, "stacktest", name)


def usrstack(out):
    m = USRSTACK.search(out)
    assert m, "stacktest did not print its USRSTACK line"
    return int(m[1], 16)


def check_overflow(out, name, limit):
    """One stack overflow line in name's section, for the soft limit limit, at an
    address just below it."""
    top = usrstack(out)
    lines = OVERFLOW.findall(section(out, name))
    killed = KILLED.findall(section(out, name))
    assert len(lines) == 1 and len(killed) == 1, \
        f"stacktest {name}: expected one stack overflow line, got:\n" + "\n".join(killed)
    pid, prog, va, kind, kib = lines[0]
    va = int(va, 16)
    assert prog == "stacktest", f"the stack overflow line names {prog}, not stacktest"
    assert kind == "stack", f"the stack overflow line gives a {kind} limit, not the stack's"
    assert int(kib) == limit // KiB, \
        f"the stack overflow line says a limit of {kib} KiB, not {limit // KiB}"
    assert top - limit - 16 * KiB <= va < top - limit, \
        (f"the stack overflow at va {va:#x} is not right below the limit "
         f"({top - limit:#x}, USRSTACK - {limit // KiB} KiB)")


def check_below_sp(out):
    """Two segmentation fault lines in belowsp's section: writes with no mapping,
    in the reservation (the first a byte below the red zone, the second 64 KiB below
    the stack)."""
    top = usrstack(out)
    text = section(out, "belowsp")
    lines = SEGV.findall(text)
    killed = KILLED.findall(text)
    assert len(lines) == 2 and len(killed) == 2, \
        "stacktest belowsp: expected two segmentation fault lines, got:\n" + "\n".join(killed)
    for pid, prog, access, va, pc, why in lines:
        va = int(va, 16)
        assert (prog, access, why) == ("stacktest", "write", "no mapping"), \
            f"belowsp: a segmentation fault line for a {access} by {prog} ({why})"
        assert top - MAXSSIZ <= va < top - SGROWSIZ, \
            f"belowsp: the segmentation fault at va {va:#x} is not in the reservation"


def check_guard(out):
    """One segmentation fault line in guard's section: a protection violation in
    the PROT_NONE page 2 MiB - 64 KiB below the top."""
    top = usrstack(out)
    lines = SEGV.findall(section(out, "guard"))
    killed = KILLED.findall(section(out, "guard"))
    assert len(lines) == 1 and len(killed) == 1, \
        "stacktest guard: expected one segmentation fault line, got:\n" + "\n".join(killed)
    pid, prog, access, va, pc, why = lines[0]
    va = int(va, 16)
    assert (prog, why) == ("stacktest", "protection violation"), \
        f"guard: a segmentation fault line by {prog} ({why})"
    guard = top - 2 * MiB + 64 * KiB - 4 * KiB
    assert guard <= va < guard + 4 * KiB, \
        f"guard: the segmentation fault at va {va:#x} is not in the PROT_NONE page {guard:#x}"


def check_write(name, why):
    """One segmentation fault line in name's section: a write by stacktest, for why."""
    def check(out):
        lines = SEGV.findall(section(out, name))
        killed = KILLED.findall(section(out, name))
        assert len(lines) == 1 and len(killed) == 1, \
            f"stacktest {name}: expected one segmentation fault line, got:\n" + "\n".join(killed)
        pid, prog, access, va, pc, said = lines[0]
        assert (prog, access, said) == ("stacktest", "write", why), \
            f"{name}: a segmentation fault line for a {access} by {prog} ({said}), not a " \
            f"write ({why})"
    return check


MAPSTACK = re.compile(r"^stacktest: MAP_STACK (0x[0-9a-f]+)-(0x[0-9a-f]+)$", re.M)


def check_mapstack_overflow(out):
    """One stack overflow line in mapstack_overflow's section: a touch a byte below
    the MAP_STACK region stacktest names, whose own size is the limit."""
    text = section(out, "mapstack_overflow")
    region = MAPSTACK.search(text)
    assert region, "stacktest mapstack_overflow did not name its MAP_STACK region"
    lo, hi = int(region[1], 16), int(region[2], 16)
    lines = OVERFLOW.findall(text)
    killed = KILLED.findall(text)
    assert len(lines) == 1 and len(killed) == 1, \
        "stacktest mapstack_overflow: expected one stack overflow line, got:\n" + \
        "\n".join(killed)
    pid, prog, va, kind, kib = lines[0]
    assert prog == "stacktest", f"the stack overflow line names {prog}, not stacktest"
    assert int(va, 16) == lo - 1, \
        f"the stack overflow at va {va} is not a byte below the MAP_STACK at {lo:#x}"
    assert (kind, int(kib)) == ("MAP_STACK", (hi - lo) // KiB), \
        (f"the stack overflow line gives a {kind} limit of {kib} KiB, not the MAP_STACK "
         f"region's {(hi - lo) // KiB} KiB")


HELD = re.compile(r"^stacktest: pid (\d+): stack (0x[0-9a-f]+)-(0x[0-9a-f]+), "
                  r"reserved (0x[0-9a-f]+)$", re.M)
VMMAP_LINE = re.compile(r"^(0x[0-9a-f]+)-(0x[0-9a-f]+) (\S+) \S+ \S+ (\S+) .*$", re.M)


def check_vmmap(out):
    """In vmmap's section: the vmmap tool's lines for the process with a grown
    stack show its reservation exactly as the process reported it, right below
    its lowest stack entry, and that stack's entries up to USRSTACK."""
    top = usrstack(out)
    text = section(out, "vmmap")
    held = HELD.search(text)
    assert held, "stacktest vmmap: the child did not report its stack"
    killed = KILLED.findall(text)
    assert not killed, "stacktest vmmap: the kernel killed a process:\n" + "\n".join(killed)
    lo, end, reserve = (int(held[i], 16) for i in (2, 3, 4))
    assert end == top and lo <= top - MiB and reserve == MAXSSIZ - (top - lo), \
        f"stacktest vmmap: the child reports {held[0]!r}"
    lines = [m for m in VMMAP_LINE.finditer(text) if m.end() > held.end()]
    reserved = [m for m in lines if m[3] == "---"]
    want = f"{lo - reserve:#x}-{lo:#x} --- --- - reserved 0 none 0x0 0 0"
    assert [m[0] for m in reserved] == [want], \
        (f"vmmap {held[1]}: expected one reserved line, {want!r}, got "
         f"{[m[0] for m in reserved]}")
    at = lines.index(reserved[0]) + 1
    while at < len(lines) and int(lines[at][1], 16) == lo and lo < top:
        assert "stack" in lines[at][4].split(","), \
            f"vmmap {held[1]}: {lines[at][0]!r} is no stack entry"
        lo = int(lines[at][2], 16)
        at += 1
    assert lo == top, \
        f"vmmap {held[1]}: the stack's entries from the reserved line end at {lo:#x}, not {top:#x}"


# What each check expects in its section besides its result line: the kernel's lines,
# or the vmmap tool's (the others: no line about a killed process).
KERNEL_LINES = {
    "text": check_write("text", "protection violation"),
    "hole": check_write("hole", "no mapping"),
    "rlimit": lambda out: check_overflow(out, "rlimit", MiB),
    "overflow": lambda out: check_overflow(out, "overflow", MAXSSIZ),
    "guard": check_guard,
    "belowsp": check_below_sp,
    "vmmap": check_vmmap,
    "mapstack_overflow": check_mapstack_overflow,
}


@pytest.mark.cpus(1, 3)
@pytest.mark.parametrize("name", [pytest.param(n, id=n, marks=[pytest.mark.points(p)] +
                                               ([pytest.mark.task(t)] if t else []) +
                                               ([pytest.mark.given] if g else []))
                                  for n, p, t, g in CHECKS])
def test_stacktest(boot, arch, cpus, name):
    debug = cpus == DEBUG_CPUS
    out, stopped = shared_run(f"lab4-{arch}-{cpus}{'-debug' if debug else ''}",
                              lambda: run_test_program(boot, "stacktest", cpus, debug,
                                                               TEST_TIMEOUT))
    panic = PANIC.search(out)
    assert not panic, f"the kernel panicked during stacktest: {panic[0]}"
    m = re.search(rf"^stacktest {name}: (.*)$", out, re.M)
    assert m, f"stacktest printed no line for {name}" + (f" ({stopped})" if stopped else "")
    assert m[1] == "OK", f"stacktest {name}: {m[1]}"
    if name in KERNEL_LINES:
        KERNEL_LINES[name](out)
    else:
        killed = KILLED.findall(section(out, name))
        assert not killed, f"stacktest {name}: the kernel killed a process:\n" + \
            "\n".join(killed)

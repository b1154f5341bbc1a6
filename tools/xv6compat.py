#!/usr/bin/python3
"""xv6compat.py --arch "A..." [--cpus C] [--seconds S] [--progs "P,..."]: run xv6's
own test programs on vmlab, for `make xv6-compat XV6=DIR`.

The GNUmakefile has built them from MIT's xv6-riscv, unchanged, into
build/A/xv6/fs.img.  Each program runs on a machine of its own, booted on a fresh
copy of that image, one machine at a time (so that the times are the program's);
then a table: program, port, result, seconds.  The console logs are in
build/A/xv6/logs/.  Exits 1 if any program failed.

    usertests -q, usertests   pass: "ALL TESTS PASSED" (the first failing test
                              stops them; its name is the result)
    forktest                  pass: "fork test OK"
    stressfs                  pass: its five processes each print "read", and the
                              shell answers
    grind                     runs forever in xv6 too: pass if after S seconds
                              (--seconds) the kernel has not panicked, the shell,
                              with grind in the background, still answers, and
                              grind still runs
Uses grade/harness.py.
"""

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grade"))
import harness  # noqa: E402
from harness import ROOT  # noqa: E402

PROGRAMS = ["forktest", "stressfs", "grind", "usertests -q", "usertests"]
# Seconds (before scaling) a program may take, at most. writebig, in usertests -q,
# writes a file of MAXFILE blocks (64 MiB) a block a transaction: 15 to 45 minutes
# on a busy 2-core host.
TIMEOUT = {"usertests -q": 3600, "usertests": 7200, "forktest": 60, "stressfs": 120}
ALIVE = "xv6compat-alive"


def usertests(q, cmd):
    q.sendline(cmd)
    start = q.pos
    m = q.wait_for(r"^(ALL TESTS PASSED|SOME TESTS FAILED|FAILED -- lost some free "
                   r"pages.*)$", TIMEOUT[cmd], in_command=True)
    if m[1] == "ALL TESTS PASSED":
        return "ok"
    if m[1].startswith("FAILED"):
        return m[1]
    # The test that failed is the last one that started.
    started = re.findall(r"test (\S+): ", q.output[start:m.start()])
    return f"FAILED: {started[-1] if started else '?'}"


def forktest(q, cmd):
    q.sendline(cmd)
    q.wait_for(r"^fork test OK$", TIMEOUT[cmd], in_command=True)
    return "ok"


def shell_answers(q):
    q.sendline(f"echo {ALIVE}")
    # Its output, not the echo of the command line; maybe after a "$ " that a
    # program's exit brought meanwhile.
    q.wait_for(rf"(?<!echo ){ALIVE}$", 30)


def stressfs(q, cmd):
    q.sendline(cmd)
    for _ in range(5):
        q.wait_for(r"^read$", TIMEOUT[cmd])
    shell_answers(q)
    return "ok"


def grind(q, cmd, seconds):
    q.sendline(cmd + " &")
    end = time.monotonic() + seconds
    # A panic ends the wait at once: nothing else can come.
    try:
        q.wait_for(r"^never printed$", seconds / q.scale)
    except harness.Timeout:
        pass
    assert time.monotonic() >= end - 1
    shell_answers(q)
    # And grind is still at it (in xv6 it never stops).
    q.sendline("ps")
    q.wait_for(r"\bgrind\b", 30)
    complaints = len(re.findall(r"^grind: ", q.output, re.M))
    return "ok" + (f" ({complaints} complaints)" if complaints else "")


def run_one(arch, cpus, prog, seconds, scale, tmp):
    """Boot a fresh machine and run prog on it: (result, seconds)."""
    img = Path(tmp) / f"{arch}-fs.img"
    shutil.copyfile(ROOT / "build" / arch / "xv6" / "fs.img", img)
    log = ROOT / "build" / arch / "xv6" / "logs" / (prog.replace(" ", "") + ".log")
    # No swap disk, as in xv6: usertests counts free memory by growing a process
    # until sbrk fails, and runs the machine out of memory on purpose.
    with harness.QEMU(arch, cpus, img, log=log, timeout_scale=scale, swap="0") as q:
        q.wait_booted()
        start = time.monotonic()
        try:
            name = prog.split()[0]
            if name == "usertests":
                result = usertests(q, prog)
            elif name == "grind":
                result = grind(q, prog, seconds)
            else:
                result = {"forktest": forktest, "stressfs": stressfs}[name](q, prog)
        except AssertionError as e:      # a panic, a hang, QEMU gone
            result = f"FAILED: {str(e).splitlines()[0]}"
        return result, time.monotonic() - start, log


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True)
    ap.add_argument("--cpus", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--progs", default=None)
    ap.add_argument("--timeout-scale", type=float, default=1.0)
    a = ap.parse_args()
    progs = PROGRAMS
    if a.progs:
        progs = [p for p in PROGRAMS if p in a.progs.split(",")] or a.progs.split(",")
    rows, bad = [], 0
    print(f"{'program':<14} {'port':<8} {'result':<40} seconds", flush=True)
    with tempfile.TemporaryDirectory(prefix="vmlab-xv6-") as tmp:
        for arch in a.arch.split():
            for prog in progs:
                result, secs, log = run_one(arch, a.cpus, prog, a.seconds,
                                            a.timeout_scale, tmp)
                bad += not result.startswith("ok")
                rows.append((prog, arch, result, secs))
                print(f"{prog:<14} {arch:<8} {result:<40} {secs:7.1f}", flush=True)
                if not result.startswith("ok"):
                    print(f"  console log: {log.relative_to(ROOT)}", flush=True)
    print(f"xv6-compat: {len(rows) - bad} of {len(rows)} passed (CPUS={a.cpus})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

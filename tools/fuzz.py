#!/usr/bin/python3
"""fuzz.py --arch A [--seed S] [--ops N] [--runs R] [--mix MIX] [--cpus C] [--jobs J]:
long runs of vmfuzz (user/vmfuzz.c), for `make fuzz`.

Boots one machine (on a fresh copy of build/A/fs.img) and runs `vmfuzz SEED N` for
R seeds from S on (default: a seed from the clock), a line per seed; with J > 1,
`vmfuzz -j J SEED N`, J seeds at once in J processes, R times (seeds S, S+J, ...).  At the first
failure (a difference from vmfuzz's model, a panic, a hang) it prints what vmfuzz
said, the console log's path and the command that repeats that seed, and exits 1.
Uses grade/harness.py.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grade"))
import harness  # noqa: E402
from harness import ROOT  # noqa: E402

# Seconds (before scaling) that one operation may take, at most; and a seed's floor.
OP_TIMEOUT = 0.2
RUN_TIMEOUT = 60.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--mix", default="-")
    ap.add_argument("--cpus", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout-scale", type=float, default=1.0)
    a = ap.parse_args()
    if not (ROOT / "user" / "vmfuzz.c").exists():
        sys.exit("fuzz: this tree has no user/vmfuzz.c")
    seed = a.seed if a.seed is not None else int(time.time()) % 1000000
    logdir = ROOT / "build" / a.arch / "fuzz"
    logdir.mkdir(parents=True, exist_ok=True)
    log = logdir / f"fuzz-{seed}.log"
    jobs = f"-j {a.jobs} " if a.jobs > 1 else ""
    repeat = f"make fuzz ARCH={a.arch} CPUS={a.cpus} SEED={{}} N={a.ops} RUNS=1" + \
        (f" MIX={a.mix}" if a.mix != "-" else "") + (f" JOBS={a.jobs}" if jobs else "")
    print(f"fuzz: {a.runs * a.jobs} seeds from {seed}, {a.ops} operations each"
          f"{f', {a.jobs} at once' if jobs else ''}, on {a.arch} (CPUS={a.cpus}); "
          f"console log {log.relative_to(ROOT)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="vmlab-fuzz-") as tmp:
        img = Path(tmp) / "fs.img"
        shutil.copyfile(ROOT / "build" / a.arch / "fs.img", img)
        with harness.QEMU(a.arch, a.cpus, img, log=log, timeout_scale=a.timeout_scale) as q:
            q.wait_booted()
            for s in range(seed, seed + a.runs * a.jobs, a.jobs):
                start = time.monotonic()
                try:
                    q.sendline(f"vmfuzz {jobs}{s} {a.ops} {a.mix}")
                    m = q.wait_for(rf"^vmfuzz: seed {s}\b(.*)\n",
                                   max(RUN_TIMEOUT, OP_TIMEOUT * a.ops * a.jobs))
                    q.wait_for_prompt()
                    said = m[0].rstrip("\n")
                except AssertionError as e:       # a panic, a hang, QEMU gone
                    said = f"vmfuzz: seed {s}: {e}"
                if said != f"vmfuzz: seed {s}: {a.ops} ops ok":
                    print(f"{said}\nfuzz: FAILED at seed {s}; console log "
                          f"{log.relative_to(ROOT)}; repeat it with\n  {repeat.format(s)}\n"
                          f"and see each operation with `vmfuzz {jobs}{s} {a.ops} {a.mix} v` "
                          "in `make qemu`")
                    sys.exit(1)
                print(f"{said} ({time.monotonic() - start:.1f} s)", flush=True)
    print(f"fuzz: {a.runs * a.jobs} seeds ok")


if __name__ == "__main__":
    main()

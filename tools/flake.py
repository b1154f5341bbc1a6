#!/usr/bin/python3
"""make flake-check: run the whole QEMU grader suite N times in a row and report
every failure, with its message and the console logs of that run.  A grader
that fails once in N runs is a flaky grader (or a kernel race): both are bugs.
Each run fuzzes twice as long as make test (--fuzz-scale 2).

    flake.py --runs N [--arch "riscv64 x86_64"] [--timeout-scale S] [--workdir DIR]

Each run's pytest output is DIR/run-K.log and its outcomes DIR/run-K.json; a run
with a failure keeps its QEMU console logs in DIR/run-K/ARCH/.  Exit status 1 if
any run had a failure.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course                                   # noqa: E402

ROOT = course.ROOT
# vmfuzz's operations in each run, against make test's (grade/test_vmfuzz.py):
# 200,000 a run, 4 million in 20 runs.
FUZZ_SCALE = 2


def one_run(k, arches, scale, workdir):
    """[(test, arch, message)] of the tests that failed in run k."""
    report, log = workdir / f"run-{k}.json", workdir / f"run-{k}.log"
    cmd = [course.PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto",
           "--tb=line", "grade", "--arch", " ".join(arches), "--timeout-scale", f"{scale:g}",
           "--fuzz-scale", str(FUZZ_SCALE),
           "--lab-json", str(report)]
    with open(log, "w") as f:
        subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    if not report.exists():
        return [("pytest", "-", f"did not run: see {log}")]
    tests = json.loads(report.read_text())["tests"]
    failed = [(t["name"], t["arch"] or "-", t["message"] or "(no message)")
              for t in tests if not t["passed"] and not t["skipped"]]
    if not tests:
        failed.append(("pytest", "-", f"ran no test: see {log}"))
    if failed:
        for a in arches:
            logs = ROOT / "build" / a / "grade" / "logs"
            if logs.is_dir():
                shutil.copytree(logs, workdir / f"run-{k}" / a)
    return failed


def main(argv=None):
    p = argparse.ArgumentParser(prog="flake.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--arch", default=" ".join(course.ARCHES))
    p.add_argument("--timeout-scale", type=float, default=1.0)
    p.add_argument("--workdir", type=Path, default=ROOT / "build" / "flake")
    args = p.parse_args(argv)
    arches = course.parse_arches(args.arch)
    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True)
    counts, started = {}, time.monotonic()
    for k in range(1, args.runs + 1):
        t = time.monotonic()
        failed = one_run(k, arches, args.timeout_scale, args.workdir)
        print(f"flake-check: run {k}/{args.runs}: {len(failed) or 'no'} failures "
              f"({time.monotonic() - t:.0f} s)", flush=True)
        for name, arch, msg in failed:
            print(f"  {name} ({arch}): {msg.splitlines()[0][:300] if msg else ''}\n"
                  f"    console logs: {args.workdir / f'run-{k}' / arch}", flush=True)
            counts[name] = counts.get(name, 0) + 1
    print(f"\nflake-check: {args.runs} runs in {time.monotonic() - started:.0f} s, "
          f"{sum(counts.values())} failures")
    for name, n in sorted(counts.items(), key=lambda x: -x[1]):
        print(f"  {n}/{args.runs}  {name}")
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""bench.py --arch A: how fast vmlab boots and runs, as a markdown table.

Measures, each boot on a fresh copy of build/A/fs.img:
  - wall time from QEMU's start to the first "$ " prompt: the median of 5 boots,
    with CPUS=1 and with CPUS=3;
  - wall time of `usertests` with CPUS=3;
  - the figures the guest's `bench` program prints ("bench NAME VALUE UNIT" lines,
    then "bench done"), with CPUS=3;
  - swap throughput, `bench swap` (swap-out, swap-in, and swap-in by three
    processes at once, in MiB/s), on a small machine
    (CPUS=1, MEM=SWAP_MEM, SWAP=SWAP_DISK) so that memory runs out soon;
  - the pressure workload (`swaptest PRESSURE_MIB`, CPUS=1) on a machine that must
    page (MEM=PRESSURE_MEM) and on one with enough RAM: both wall times, and how
    many times slower paging made it.
`make bench` builds first, then runs this.  Uses grade/harness.py.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grade"))
import harness  # noqa: E402
from harness import ROOT  # noqa: E402

BOOTS = 5
SWAP_MEM, SWAP_DISK = "32M", "32M"
PRESSURE_MIB, PRESSURE_MEM, ENOUGH_MEM = 24, "16M", "128M"


class Bench:
    def __init__(self, arch, scale, logdir, tmpdir):
        self.arch, self.scale, self.logdir, self.tmpdir = arch, scale, logdir, tmpdir
        self.n = 0

    def boot(self, cpus, name, mem=None, swap=None):
        """A machine on a fresh disk copy (and swap disk), to start with `with`."""
        self.n += 1
        img = self.tmpdir / f"{self.n}.img"
        shutil.copyfile(ROOT / "build" / self.arch / "fs.img", img)
        return harness.QEMU(self.arch, cpus, img, log=self.logdir / f"{name}.log",
                            timeout_scale=self.scale, mem=mem, swap=swap)   # `with` starts it

    def boot_time(self, cpus, i):
        with self.boot(cpus, f"boot-cpus{cpus}-{i}") as q:
            q.wait_booted()
            return q.elapsed()

    def usertests(self, cpus):
        with self.boot(cpus, f"usertests-cpus{cpus}") as q:
            q.wait_booted()
            q.sendline("usertests")
            q.wait_for(r"usertests\n")   # the echo
            start = q.elapsed()
            m = q.wait_for(r"^(ALL TESTS PASSED|SOME TESTS FAILED)$", 600)
            return q.elapsed() - start, m[1]

    def workload(self, cmd, mem):
        """Wall time of cmd (which must succeed) on one CPU with mem of RAM."""
        with self.boot(1, f"{cmd.replace(' ', '-')}-{mem}", mem, SWAP_DISK) as q:
            q.wait_booted()
            start = q.elapsed()
            out = q.run(cmd, timeout=600)
            if "FAILED" in out:
                raise harness.Exited(f"{cmd} on {mem}: {out}")
            return q.elapsed() - start

    def guest_bench(self, cpus, args="", mem=None, swap=None):
        """(name, value, unit) for each line `bench args` prints."""
        cmd = f"bench {args}".strip()
        with self.boot(cpus, f"{cmd.replace(' ', '-')}-cpus{cpus}", mem, swap) as q:
            q.wait_booted()
            q.sendline(cmd)
            q.wait_for(re.escape(cmd) + r"\n")   # the echo
            start = q.pos
            m = q.wait_for(r"^(bench done|bench: .*)$", 600)
            if m[1] != "bench done":
                raise harness.Exited(f"{cmd}: {m[1]}")
            lines = q.output[start:q.pos].splitlines()
            rows = []
            for line in lines:
                f = line.split()
                if len(f) == 4 and f[0] == "bench":
                    rows.append((f[1], f[2], f[3]))
            return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "x86_64"])
    ap.add_argument("--timeout-scale", type=float,
                    default=float(os.environ.get("TIMEOUT_SCALE") or 1))
    args = ap.parse_args()

    logdir = ROOT / "build" / args.arch / "bench"
    print(f"vmlab bench, ARCH={args.arch}: logs in {logdir.relative_to(ROOT)}/",
          file=sys.stderr)
    rows = []
    try:
        with tempfile.TemporaryDirectory(dir=ROOT / "build" / args.arch) as tmp:
            b = Bench(args.arch, args.timeout_scale, logdir, Path(tmp))
            for cpus in (1, 3):
                times = [b.boot_time(cpus, i) for i in range(BOOTS)]
                rows.append((f"boot to prompt, CPUS={cpus} (median of {BOOTS})",
                             f"{statistics.median(times):.3f}", "s"))
                print(f"  boot CPUS={cpus}: " + " ".join(f"{t:.3f}" for t in times),
                      file=sys.stderr)
            secs, verdict = b.usertests(3)
            rows.append(("usertests wall time, CPUS=3", f"{secs:.1f}", f"s ({verdict})"))
            print(f"  usertests: {secs:.1f} s, {verdict}", file=sys.stderr)
            rows += [(f"bench {name}, CPUS=3", value, unit) for name, value, unit in b.guest_bench(3)]
            rows += [(f"bench {name}, CPUS=1, MEM={SWAP_MEM}", value, unit)
                     for name, value, unit in b.guest_bench(1, "swap", SWAP_MEM, SWAP_DISK)]
            cmd = f"swaptest {PRESSURE_MIB}"
            paged, fits = b.workload(cmd, PRESSURE_MEM), b.workload(cmd, ENOUGH_MEM)
            rows.append((f"{cmd}, CPUS=1, MEM={PRESSURE_MEM} (pages)", f"{paged:.1f}", "s"))
            rows.append((f"{cmd}, CPUS=1, MEM={ENOUGH_MEM} (fits)", f"{fits:.1f}", "s"))
            rows.append(("pressure: paging's slowdown", f"{paged / fits:.1f}", "x"))
    except (harness.Timeout, harness.Exited) as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    finally:
        harness.kill_all()

    width = max(len(r[0]) for r in rows)
    print(f"\n| {'measure':<{width}} | value | unit |")
    print(f"|{'-' * (width + 2)}|------:|------|")
    for what, value, unit in rows:
        print(f"| {what:<{width}} | {value} | {unit} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

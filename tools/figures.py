"""make figures: the handouts' pictures of the VM system, drawn from real runs.

Each labs/figures/NN-lab.gdb is a GDB script like a tour in labs/demos/: it boots
with a machine (one CPU) halted for GDB, the harness types its `# type:` lines
at the shell, and at the moment it wants it writes the picture with the course's
GDB commands (vmmap --dot, vmtree --dot) to the file $figure names.  Graphviz's
dot then draws labs/figures/NN-lab.svg, which the lab's handout shows.

    figures.py [--arch riscv64] [NAME...]     (default: every script)

Only the reference tree has this file; the SVGs it writes are handed out.
"""

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "grade"))
import harness                                  # noqa: E402

FIGURES = ROOT / "labs" / "figures"
WORK = ROOT / "build" / "figures"
GDB_TIMEOUT = 120.0


def draw(script, arch):
    """Run script on a fresh machine and draw its picture: the SVG's path."""
    name = script.stem
    WORK.mkdir(parents=True, exist_ok=True)
    img, dot = WORK / f"{name}.img", WORK / f"{name}.dot"
    shutil.copyfile(ROOT / "build" / arch / "fs.img", img)
    dot.unlink(missing_ok=True)
    text = script.read_text()
    typed = re.findall(r"^# type: (.*)$", text, re.M)
    q = harness.QEMU(arch, 1, img, log=WORK / f"{name}.log", gdb=True, swap="0")
    init = WORK / f"{name}.gdbinit"
    init.write_text(harness.gdbinit(arch, q.gdbport) + f'set $figure = "{dot}"\n' + text +
                    "detach\n")
    q.start()
    try:
        if not q.listening_for_gdb():
            raise SystemExit(f"figures: QEMU never listened for GDB on port {q.gdbport}")
        with open(WORK / f"{name}.gdb.log", "w") as log:
            gdb = subprocess.Popen(["gdb-multiarch", "-batch", "-nx", "-x", str(init)],
                                   cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
            q.wait_booted()            # GDB's first continue boots the machine
            for line in typed:
                q.sendline(line)
            gdb.wait(GDB_TIMEOUT)
    finally:
        q.close()
        img.unlink(missing_ok=True)
    if not dot.exists():
        raise SystemExit(f"figures: {script.relative_to(ROOT)} wrote no picture; see "
                         f"{(WORK / f'{name}.gdb.log').relative_to(ROOT)}")
    svg = FIGURES / f"{name}.svg"
    subprocess.run(["dot", "-Tsvg", str(dot), "-o", str(svg)], check=True)
    return svg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default="riscv64", choices=["riscv64", "x86_64"])
    ap.add_argument("names", nargs="*", help="NN-lab (default: every script)")
    args = ap.parse_args()
    if not shutil.which("dot"):
        raise SystemExit("figures: no dot: install Debian's graphviz package")
    scripts = sorted(FIGURES.glob("[0-9][0-9]-*.gdb"))
    if args.names:
        scripts = [s for s in scripts if s.stem in args.names]
    for s in scripts:
        print(f"figures: {draw(s, args.arch).relative_to(ROOT)}", flush=True)


if __name__ == "__main__":
    main()

"""A lecturer's GDB session, in batch: QEMU waits for GDB (make qemu-gdb), GDB
loads the template that `make qemu-gdb` turns into .gdbinit, stops at main, and
shows the backtrace."""

import re
import subprocess

import pytest

from harness import ROOT, boot_for_gdb, make_var

GDB_TIMEOUT = 60.0


def gdb_script(arch, port):
    tmpl = ROOT / "tools" / f"gdbinit.{arch}.tmpl"
    assert tmpl.exists(), f"{tmpl.relative_to(ROOT)} is missing"
    init = tmpl.read_text()
    init = init.replace("@GDBPORT@", str(port)).replace("@KERNEL@", make_var(arch, "KERNEL"))
    return init + "break main\ncontinue\nbt\n"


@pytest.mark.points(2)
def test_gdb_break_main(boot, arch, scale, tmp_path):
    q = boot_for_gdb(boot, scale)
    script = tmp_path / "gdbinit"
    script.write_text(gdb_script(arch, q.gdbport))
    p = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-x", str(script)], cwd=ROOT,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=GDB_TIMEOUT * scale)
    out = p.stdout + p.stderr
    log = q.log_path.with_suffix(".gdb.log")
    log.write_text(out)
    assert p.returncode == 0, out
    assert re.search(r"^Breakpoint 1 at 0x[0-9a-f]+: file kernel/kern/main\.c, line \d+\.$",
                     out, re.M), out
    assert re.search(r"Breakpoint 1, main \(\) at kernel/kern/main\.c:\d+$", out, re.M), out
    assert re.search(r"^#0 +main \(\) at kernel/kern/main\.c:\d+$", out, re.M), out

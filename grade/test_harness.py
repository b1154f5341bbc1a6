"""The grading harness itself (worth no points): what graders rely on from
conftest's fixtures and from harness.py.

The panic test needs a kernel that panics on purpose, and no program may be able to
make it panic: so GDB does it, as a student's bug would.  It stops the DEBUG=1
kernel in init's first fork and adds one to the map's entry count; the kernel then
finds the map broken at its next unlock, prints the map, and panics.  Nothing in the
kernel or on the disk is there for the test."""

import os
import re
import shutil
import subprocess
import time

import pytest

import harness
from harness import ROOT, boot_for_gdb, make_var, swap_bytes, verify_reason

GDB_TIMEOUT = 60.0
# The argument register at a function's first instruction.
ARG0 = {"riscv64": "$a0", "x86_64": "$rdi"}


@pytest.mark.points(0)
def test_boot_debug_kernel(boot, arch):
    # boot(debug=True) boots build/ARCH-debug/kernel, built with the normal kernel
    # (so never older than it) and on the same disk image.
    q = boot(debug=True)
    kernel = ROOT / "build" / f"{arch}-debug" / "kernel"
    assert str(kernel.relative_to(ROOT)) in q.argv
    assert kernel.stat().st_mtime >= (ROOT / "build" / arch / "kernel").stat().st_mtime - 1
    assert q.run("echo debug") == "debug\n"


@pytest.mark.points(0)
def test_panic_line_counts_once_complete():
    # The console arrives in pieces: a panic line cut short must not end a wait, or
    # the report shows half the message (no QEMU needed to check that).
    assert not harness.PANIC.search("$ fork\npanic: vm_map_verify: nentries is not the num")
    m = harness.PANIC.search("$ fork\npanic: vm_map_verify: bad\nbacktrace:\n")
    assert m and m[0] == "panic: vm_map_verify: bad\n", m


@pytest.mark.points(0)
def test_panic_ends_wait_with_backtrace(boot, arch, scale, tmp_path):
    q = boot_for_gdb(boot, scale, debug=True)
    init = (ROOT / "tools" / f"gdbinit.{arch}.tmpl").read_text()
    init = init.replace("@GDBPORT@", str(q.gdbport))
    init = init.replace("@KERNEL@", make_var(arch, "KERNEL", DEBUG=1))
    init += ("break *vmspace_fork\ncontinue\n"
             f"set var ((struct vmspace *){ARG0[arch]})->vm_map.nentries += 1\ndetach\n")
    script = tmp_path / "gdbinit"
    script.write_text(init)
    p = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-x", str(script)], cwd=ROOT,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=GDB_TIMEOUT * scale)
    q.log_path.with_suffix(".gdb.log").write_text(p.stdout + p.stderr)
    assert "Breakpoint 1, vmspace_fork" in p.stdout, p.stdout + p.stderr

    # The prompt never comes: the wait ends at the panic, long before its timeout.
    start = time.monotonic()
    with pytest.raises(harness.Panic) as e:
        q.wait_booted(timeout=600)
    took = time.monotonic() - start
    msg = str(e.value)
    print(f"panic to Panic: {took:.2f} s\n{msg}")
    assert took < 20, f"the wait went on {took:.1f} s after the panic"
    why = "vm_map_verify: nentries is not the number of entries"
    assert re.search(rf"^panic: {why}$", msg, re.M), msg
    # Symbolized frames, innermost first, from panic's caller down to the trap.
    frames = re.findall(r"^  (\w+) \((kernel/[\w/]+\.[cS]):(\d+)\)$", msg, re.M)
    names = [f for f, _, _ in frames]
    assert names[:2] == ["vm_map_assert_valid", "vmspace_fork"], msg
    assert "sys_fork" in names, msg
    assert frames[1][1] == "kernel/vm/vm_space.c", msg
    # The debug kernel showed the broken map first: its three entries, the hint marked.
    out = q.output
    assert re.search(r"^map 0x[0-9a-f]+: .* nentries 4 ", out, re.M), out
    assert re.search(r"^START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET\n"
                     r"(0x[0-9a-f]+-0x[0-9a-f]+ [r-][w-][x-] .*\n){3}panic: ", out, re.M), out
    assert re.search(r"^0x[0-9a-f]+-0x[0-9a-f]+ r-x .* <hint$", out, re.M), out


@pytest.mark.points(0)
def test_run_once(run_once, shared, scale):
    # One run, whose output later calls get again.
    assert run_once("echo once", r"^once$") == "once\n"
    q = shared()
    assert run_once("echo once", r"^once$") == "once\n"
    assert q.output.count("echo once\n") == 1
    # A failure is kept too, and raised again at once; the machine is replaced.
    with pytest.raises(harness.Timeout):
        run_once("sleep 1000", r"^never$", timeout=0.2)
    start = time.monotonic()
    with pytest.raises(harness.Timeout):
        run_once("sleep 1000", r"^never$", timeout=0.2)
    assert time.monotonic() - start < 0.5
    assert shared() is not q
    assert shared().run("echo fresh") == "fresh\n"
    # A command that ends without the line fails at once, with its last lines.
    start = time.monotonic()
    with pytest.raises(harness.Ended, match="ended without .*never.*\n.*twice"):
        run_once("echo twice", r"^never$", timeout=60)
    assert time.monotonic() - start < 30


@pytest.mark.points(0)
def test_verify_reason(arch):
    out = ("mmaptest split: OK\n"
           "vm_map_verify: hint is not an entry of this map\n"
           "mmaptest coalesce: FAILED: vmverify after mmap\n"
           "mmaptest holes: FAILED: vmverify after munmap\n")
    msg = "mmaptest coalesce: FAILED: vmverify after mmap"
    assert verify_reason(out, msg) == \
        msg + "\nthe kernel's vm_map_verify said: hint is not an entry of this map"
    # Only what the kernel said since the line before: nothing for holes.
    assert verify_reason(out, "mmaptest holes: FAILED: vmverify after munmap") == \
        "mmaptest holes: FAILED: vmverify after munmap"
    assert verify_reason(out, "failed: coalesce, holes", "").endswith("of this map")


@pytest.mark.points(0)
def test_own_swap_disks(boot, arch):
    # Two machines at once (QEMU locks a writable image): each its own swap disk,
    # fresh and sparse, of the size asked for; and the memory asked for.
    a = boot()
    b = boot(mem="64M", swap="1M")
    assert a.swapimg != b.swapimg
    for q, size in ((a, swap_bytes(arch)), (b, 1 << 20)):
        st = os.stat(q.swapimg)
        assert (st.st_size, st.st_blocks) == (size, 0), (q.swapimg, st)
    assert "1024 KiB on" in b.output, b.output
    i = b.argv.index("-m")
    assert b.argv[i:i + 2] == ["-m", "64M"], b.argv
    assert a.run("echo a") == "a\n" and b.run("echo b") == "b\n"


@pytest.mark.points(0)
def test_swap_image_goes_with_machine(arch, scale, tmp_path):
    # bench.py and fuzz.py boot harness.QEMU with a disk image of their own: the
    # swap disk is named beside it, and close() removes it.
    img = tmp_path / "fs.img"
    shutil.copyfile(ROOT / "build" / arch / "fs.img", img)
    q = harness.QEMU(arch, 1, img, timeout_scale=scale, swap="8K")
    assert q.swapimg == str(tmp_path / "fs.swap.img")
    with q:
        q.wait_booted()
        assert os.path.getsize(q.swapimg) == 8192
        assert "swap: 8 KiB on" in q.output, q.output
    assert not os.path.exists(q.swapimg)
    assert harness.QEMU(arch, 1, img, swap="0").swapimg is None

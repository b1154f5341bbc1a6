"""The base kernel boots to the shell, on one CPU and on several, finds its swap
disk, powers off cleanly, and keeps its files across a reboot."""


import pytest

from harness import BOOT_TIMEOUT, HART_UP, make_var, swap_bytes

# The swap disk's boot line (dev/swapdev.h), printed once, after the disk's.
SWAP_DISK = {"riscv64": "virtio1", "x86_64": "ide0 slave"}


@pytest.mark.points(2)
@pytest.mark.cpus(1, 3)
def test_boot_to_shell(boot, cpus):
    q = boot(prompt=False)
    q.wait_for(r"^vmlab kernel is booting$", BOOT_TIMEOUT)
    q.wait_booted()
    # The swap disk the machine was given (the GNUmakefile's SWAP), in KiB.
    kib = swap_bytes(q.arch) // 1024
    assert q.output.count("swap: ") == 1, q.output
    assert f"\nswap: {kib} KiB on {SWAP_DISK[q.arch]}\n" in q.output, q.output
    # Every other CPU came up (CPU 0 boots the kernel and says nothing).
    assert q.harts() == list(range(1, cpus))
    # Their lines can fall anywhere in init's and the shell's output.
    assert "\ninit: starting sh\n" in HART_UP.sub("", q.output)
    assert q.run("echo booted") == "booted\n"
    assert "panic" not in q.output


@pytest.mark.points(1)
@pytest.mark.parametrize("swap", ["0", "68K"])
def test_swap_disk_size(boot, arch, swap):
    """The kernel takes the swap disk's size from the device, and boots without
    one: the boot line says what it found."""
    q = boot(swap=swap)
    if swap == "0":
        assert "\nswap: none (no disk on " + SWAP_DISK[arch] + ")\n" in q.output, q.output
    else:
        assert "\nswap: 68 KiB on " + SWAP_DISK[arch] + "\n" in q.output, q.output
    assert q.run("echo swap") == "swap\n"


@pytest.mark.points(1)
def test_halt_powers_off(sh):
    assert sh.halt() == 0
    # The shell ran halt: no complaint from it, no panic on the way down.
    assert "halt: failed" not in sh.output and "panic" not in sh.output


@pytest.mark.points(1)
def test_halt_exit_code(sh, arch):
    # A grader (or a lab's test program) can report through QEMU's exit status.
    # Where QEMU cannot exit with any status, the arch.mk says how it encodes one.
    shift = make_var(arch, "EXIT_CODE_SHIFT")
    assert sh.halt("halt 3") == ((3 << int(shift)) | 1 if shift else 3)


@pytest.mark.points(2)
def test_files_survive_reboot(boot):
    q = boot()
    assert q.run("echo kept across a reboot > saved") == ""
    assert q.run("mkdir keepdir") == ""
    assert q.halt() == 0
    q = boot(fsimg=q.fsimg)
    assert q.run("cat saved") == "kept across a reboot\n"
    assert q.run("echo more >> saved") == ""
    assert q.run("cat saved") == "kept across a reboot\nmore\n"
    assert q.run("cd keepdir") == ""
    assert q.run("cd /") == ""         # halt is in /
    assert q.halt() == 0


@pytest.mark.points(1)
@pytest.mark.parametrize("bad", ["0", "9", "two"])
def test_cpus_out_of_range(arch, bad):
    """The kernel has room for 8 CPUs: make says so at once rather than boot a
    machine that would hang."""
    with pytest.raises(RuntimeError, match=rf"CPUS={bad}: choose 1 to 8"):
        make_var(arch, "QEMU", CPUS=bad)
    assert make_var(arch, "CPUS", CPUS=8) == "8"

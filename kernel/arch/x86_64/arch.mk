# x86-64 port: toolchain, flags, devices and the QEMU machine.

# The host's gcc when the host is x86-64; otherwise a cross toolchain.
ifndef TOOLPREFIX
TOOLPREFIX := $(if $(filter x86_64,$(shell uname -m)),,x86_64-linux-gnu-)
endif

# For the kernel and user programs alike: no SSE, MMX or x87 code, so no process has
# floating-point state for the kernel to save (the kernel turns the FPU off: such an
# instruction traps, and the process is killed).
ARCH_CFLAGS  = -m64 -mno-sse -mno-sse2 -mno-mmx -mno-80387 \
	-fno-asynchronous-unwind-tables -fcf-protection=none
# For the kernel only: it is linked in the top 2 GiB of the address space, and has
# no red zone, which an interrupt taken in the kernel would overwrite (it pushes on
# the stack in use). User code keeps the ABI's 128-byte red zone: a trap from user
# mode switches to the kernel stack first.
ARCH_KCFLAGS = -mcmodel=kernel -mno-red-zone
ARCH_LDFLAGS = -m elf_x86_64 -z noexecstack
QEMU         = qemu-system-x86_64
QEMU_MIN_VERSION = 6.2
GDB_ARCH     = i386:x86-64

# Drivers this port's machine needs (paths under kernel/); the disk driver is
# arch/x86_64/ide.c, compiled with the rest of this directory.
ARCH_DEVS = dev/uart.c

# The i440FX ("pc") machine, for its legacy IDE controller (q35's disks are AHCI).
# The file system is the primary master; the swap disk (unless SWAP=0) the primary
# slave. The kernel powers off through ACPI, which makes QEMU exit with status 0;
# isa-debug-exit reports a non-zero `halt` code (QEMU exits with (code << 1) | 1).
# -no-reboot turns a triple fault into an exit. Each disk is a drive and an ide-hd
# device on it (not -drive if=ide), so that record/replay can put blkreplay between.
QEMU_MACHINE = -machine pc -kernel $(KERNEL) -m $(MEM) -smp $(CPUS) -nographic -no-reboot -net none \
	$(call qemu_drive,x0,$(FSIMG)) -device ide-hd,drive=x0,bus=ide.0,unit=0 \
	$(SWAP_DRIVE) \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04

ifneq ($(SWAP_ON),)
SWAP_DRIVE = $(call qemu_drive,x1,$(SWAPIMG)) -device ide-hd,drive=x1,bus=ide.0,unit=1
endif

# QEMU cannot exit with an arbitrary status here: `halt N` (N != 0) leaves through
# isa-debug-exit, so QEMU's status is (N << EXIT_CODE_SHIFT) | 1; 0 stays 0 (ACPI).
EXIT_CODE_SHIFT = 1

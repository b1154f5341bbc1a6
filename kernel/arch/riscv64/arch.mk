# RISC-V (rv64, Sv39) port: toolchain, flags, devices and the QEMU machine.

# Find a RISC-V toolchain as xv6 does: the first prefix whose gcc exists.
ifndef TOOLPREFIX
TOOLPREFIX := $(firstword $(foreach p,riscv64-unknown-elf- riscv64-linux-gnu- riscv64-elf- riscv64-unknown-linux-gnu-,\
	$(if $(shell command -v $(p)gcc 2>/dev/null),$(p))))
endif

ARCH_CFLAGS  = -march=rv64gc -mabi=lp64d -mcmodel=medany -mno-relax
ARCH_LDFLAGS = -z max-page-size=4096
QEMU         = qemu-system-riscv64
QEMU_MIN_VERSION = 7.2
GDB_ARCH     = riscv:rv64

# Drivers this port's machine needs (paths under kernel/).
ARCH_DEVS = dev/uart.c dev/virtio_blk.c

QEMU_MACHINE = -machine virt,aclint=on -bios none -kernel $(KERNEL) -m $(MEM) -smp $(CPUS) -nographic \
	-global virtio-mmio.force-legacy=false \
	$(call qemu_drive,x0,$(FSIMG)) \
	-device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0 $(SWAP_DRIVE)
# The swap disk (unless SWAP=0) in the second virtio-mmio slot (0x10002000, IRQ 2).
ifneq ($(SWAP_ON),)
SWAP_DRIVE = $(call qemu_drive,x1,$(SWAPIMG)) \
	-device virtio-blk-device,drive=x1,bus=virtio-mmio-bus.1
endif

# Flags for the kernel only and for user programs only (ARCH_CFLAGS applies to both).
# User code has no frame pointer: with one, GCC 12 may store into a large frame
# before the prologue has moved sp down over it (a slot addressed from s0 is
# scheduled ahead of `add sp,sp,t0`), i.e. below sp, which the RISC-V psABI and
# lab 4's stack rule forbid: the process would be killed for it. GDB unwinds user
# code from its DWARF frame info, not from frame pointers.
ARCH_KCFLAGS =
ARCH_UCFLAGS = -fomit-frame-pointer

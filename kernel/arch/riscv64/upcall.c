// Entering and leaving an upcall on RISC-V (kern/kern_upcall.c): the user
// registers are the first 32 doublewords of struct trapframe, which
// struct upcall_frame copies as they are.
#include <sys/types.h>
#include <machine/frame.h>
#include <machine/upcall.h>
#include <machine/vmparam.h>
#include "kern/systm.h"
#include "kern/md.h"

_Static_assert(sizeof(struct upcall_frame) == __builtin_offsetof(struct trapframe, kernel_tp),
               "struct upcall_frame is the user part of struct trapframe");

// ctx starts as if called, with sp 16-aligned, and a return address of 0: it must
// not return (it ends in UPC_CONTROL_NEXT).
int
md_upcall_enter(struct trapframe *tf, uint64 frame, uint64 ctx, uint64 func, uint64 data)
{
  if (frame == 0) {
    frame = (tf->sp - sizeof(struct upcall_frame)) & ~15UL;
    if (copyout(frame, tf, sizeof(struct upcall_frame)) < 0)
      return -EFAULT;
  }
  tf->epc = ctx;
  tf->sp = frame & ~15UL;
  tf->ra = 0;
  tf->a0 = func;
  tf->a1 = data;
  tf->a2 = frame;
  return 0;
}

// Nothing in the frame can harm the kernel: sret goes to user mode whatever the pc.
// Still, a pc or sp outside user space is refused, as on x86-64, where it must be.
int
md_upcall_restore(struct trapframe *tf, uint64 frame)
{
  struct upcall_frame f;

  if (copyin(&f, frame, sizeof(f)) < 0)
    return -EFAULT;
  if (f.uf_pc >= VM_MAXUSER_ADDRESS || f.uf_x[1] > VM_MAXUSER_ADDRESS)
    return -EINVAL;
  memmove(tf, &f, sizeof(f));
  return 0;
}

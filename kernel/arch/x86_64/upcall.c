// Entering and leaving an upcall on x86-64 (kern/kern_upcall.c). The general
// registers are the first 15 doublewords of struct trapframe, which
// struct upcall_frame copies as they are; rip, rflags and rsp follow.
#include <sys/types.h>
#include <machine/frame.h>
#include <machine/upcall.h>
#include <machine/vmparam.h>
#include "kern/systm.h"
#include "kern/md.h"

#define GPRS_SIZE __builtin_offsetof(struct trapframe, trapno)
_Static_assert(GPRS_SIZE == __builtin_offsetof(struct upcall_frame, uf_rip),
               "struct upcall_frame begins with the general registers of struct trapframe");

// The flags a user program may set (carry, parity, adjust, zero, sign, direction,
// overflow): not the trap flag, not IOPL, not IF.
#define FL_USER 0xcd5
#define FL_DF   0x400

// ctx starts as if called: rsp + 8 16-aligned, a return address of 0 at rsp (it
// must not return: it ends in UPC_CONTROL_NEXT), and the direction flag clear, as
// the System V ABI has it at every call. A new frame goes below the red zone.
int
md_upcall_enter(struct trapframe *tf, uint64 frame, uint64 ctx, uint64 func, uint64 data)
{
  uint64 ret = 0;

  if (frame == 0) {
    struct upcall_frame f;
    memmove(&f, tf, GPRS_SIZE);
    f.uf_rip = tf->rip;
    f.uf_rflags = tf->rflags;
    f.uf_rsp = tf->rsp;
    frame = (tf->rsp - USER_STACK_REDZONE - sizeof(f)) & ~15UL;
    if (copyout(frame, &f, sizeof(f)) < 0)
      return -EFAULT;
  }
  frame &= ~15UL;
  if (copyout(frame - 8, &ret, sizeof(ret)) < 0)
    return -EFAULT;
  tf->rip = ctx;
  tf->rsp = frame - 8;
  tf->rdi = func;
  tf->rsi = data;
  tf->rdx = frame;
  tf->rflags &= ~FL_DF;
  return 0;
}

// iretq with a non-canonical rip faults in the kernel, so rip and rsp must be
// user addresses; the flags are the user's own only (cs and ss stay the user's).
int
md_upcall_restore(struct trapframe *tf, uint64 frame)
{
  struct upcall_frame f;

  if (copyin(&f, frame, sizeof(f)) < 0)
    return -EFAULT;
  if (f.uf_rip >= VM_MAXUSER_ADDRESS || f.uf_rsp > VM_MAXUSER_ADDRESS)
    return -EINVAL;
  memmove(tf, &f, GPRS_SIZE);
  tf->rip = f.uf_rip;
  tf->rsp = f.uf_rsp;
  tf->rflags = (tf->rflags & ~FL_USER) | (f.uf_rflags & FL_USER);
  return 0;
}

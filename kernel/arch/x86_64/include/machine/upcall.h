// The user context an upcall interrupted, as the kernel saves it on the user stack
// (arch/x86_64/upcall.c): the general registers in the order of struct trapframe,
// then rip, rflags and rsp. UPC_CONTROL_NEXT loads it back. 144 bytes, a multiple
// of 16.
#ifndef _MACHINE_UPCALL_H_
#define _MACHINE_UPCALL_H_

#include <sys/types.h>

struct upcall_frame {
  uint64 uf_r15, uf_r14, uf_r13, uf_r12, uf_r11, uf_r10, uf_r9, uf_r8;
  uint64 uf_rbp, uf_rdi, uf_rsi, uf_rdx, uf_rcx, uf_rbx, uf_rax;
  uint64 uf_rip;
  uint64 uf_rflags;
  uint64 uf_rsp;
};

#endif

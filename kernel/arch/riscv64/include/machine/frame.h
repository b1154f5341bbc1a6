// Saved registers: the user registers on a trap (struct trapframe) and the kernel's
// callee-saved registers across swtch() (struct context).
#ifndef _MACHINE_FRAME_H_
#define _MACHINE_FRAME_H_

#include <sys/types.h>

// The user registers, saved by uservec (uservec.S) at the top of the process's
// kernel stack, as the x86-64 port's trap entry does: p->trapframe. Register xN is
// at offset 8*N; x0 is always zero, so its slot holds the user pc. The offsets are
// used by uservec.S. 272 bytes, a multiple of 16: the stack below stays aligned.
struct trapframe {
  /*   0 */ uint64 epc;           // saved user program counter (sepc)
  /*   8 */ uint64 ra;
  /*  16 */ uint64 sp;
  /*  24 */ uint64 gp;
  /*  32 */ uint64 tp;
  /*  40 */ uint64 t0;
  /*  48 */ uint64 t1;
  /*  56 */ uint64 t2;
  /*  64 */ uint64 s0;
  /*  72 */ uint64 s1;
  /*  80 */ uint64 a0;
  /*  88 */ uint64 a1;
  /*  96 */ uint64 a2;
  /* 104 */ uint64 a3;
  /* 112 */ uint64 a4;
  /* 120 */ uint64 a5;
  /* 128 */ uint64 a6;
  /* 136 */ uint64 a7;
  /* 144 */ uint64 s2;
  /* 152 */ uint64 s3;
  /* 160 */ uint64 s4;
  /* 168 */ uint64 s5;
  /* 176 */ uint64 s6;
  /* 184 */ uint64 s7;
  /* 192 */ uint64 s8;
  /* 200 */ uint64 s9;
  /* 208 */ uint64 s10;
  /* 216 */ uint64 s11;
  /* 224 */ uint64 t3;
  /* 232 */ uint64 t4;
  /* 240 */ uint64 t5;
  /* 248 */ uint64 t6;
  /* 256 */ uint64 kernel_tp;     // the kernel's tp (this CPU's id), for uservec
  /* 264 */ uint64 pad;
};

// Callee-saved registers for kernel context switches (swtch.S).
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
};

// A kernel frame, as gcc lays it out with -fno-omit-frame-pointer: s0 points just
// above the frame, the return address is the doubleword below it and the caller's
// s0 the one below that. Offsets from the frame pointer, for backtrace().
#define FRAME_SAVED_PC  (-8)
#define FRAME_SAVED_FP  (-16)

#endif

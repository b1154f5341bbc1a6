// Saved registers: the user registers on a trap (struct trapframe) and the kernel's
// callee-saved registers across swtch() (struct context).
#ifndef _MACHINE_FRAME_H_
#define _MACHINE_FRAME_H_

#include <sys/types.h>

// What a trap leaves on the kernel stack, lowest address first: the general registers
// pushed by alltraps (trapasm.S), the vector number and error code pushed by the
// vector stub (0 if the CPU pushes none), then the frame the CPU itself pushes.
// For a process it sits at the very top of its kernel stack, where the CPU starts
// pushing on a trap from user mode (the TSS's rsp0 points just above it).
// 176 bytes: a multiple of 16, so the kernel stack below it stays aligned.
struct trapframe {
  /*   0 */ uint64 r15;
  /*   8 */ uint64 r14;
  /*  16 */ uint64 r13;
  /*  24 */ uint64 r12;
  /*  32 */ uint64 r11;
  /*  40 */ uint64 r10;
  /*  48 */ uint64 r9;
  /*  56 */ uint64 r8;
  /*  64 */ uint64 rbp;
  /*  72 */ uint64 rdi;
  /*  80 */ uint64 rsi;
  /*  88 */ uint64 rdx;
  /*  96 */ uint64 rcx;
  /* 104 */ uint64 rbx;
  /* 112 */ uint64 rax;
  /* 120 */ uint64 trapno;
  /* 128 */ uint64 err;
  // pushed by the CPU
  /* 136 */ uint64 rip;
  /* 144 */ uint64 cs;
  /* 152 */ uint64 rflags;
  /* 160 */ uint64 rsp;
  /* 168 */ uint64 ss;
};

// Callee-saved registers for kernel context switches (swtch.S). rip is where
// swtch() to this context resumes, with rsp as it was after swtch() returned.
struct context {
  /*  0 */ uint64 rip;
  /*  8 */ uint64 rsp;
  /* 16 */ uint64 rbx;
  /* 24 */ uint64 rbp;
  /* 32 */ uint64 r12;
  /* 40 */ uint64 r13;
  /* 48 */ uint64 r14;
  /* 56 */ uint64 r15;
};

// A kernel frame, as gcc lays it out with -fno-omit-frame-pointer: rbp points at
// the caller's rbp, pushed on entry, just below the return address that call
// pushed. Offsets from the frame pointer, for backtrace().
#define FRAME_SAVED_PC  8
#define FRAME_SAVED_FP  0

#endif

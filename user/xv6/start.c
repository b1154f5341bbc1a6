// xv6 programs run on vmlab as they would on xv6, which differs in two ways that
// their tests can see. So xv6's programs are linked with this in front of their
// main (ld --wrap=main).
//
// 1. xv6 loads a program whole at exec; vmlab maps its pages on their first touch.
//    xv6's usertests counts the free pages before its tests and after, in one
//    process, and would count the pages of its own that it first touches in between
//    (the code that runs the tests) as lost. So this touches them first, as xv6's
//    exec would have loaded them, and as vmlab's own tests do (warmup()).
//
// 2. xv6's stack is one page (USERSTACK) with an unmapped guard page below it.
//    vmlab's stack, as BSD's, is 128 KiB mapped at exec that grows on faults (lab 4),
//    so a read just below the stack pointer is a read of a mapped page, and legal.
//    usertests' stacktest reads one page below the stack pointer and wants the read
//    killed. So main runs on an xv6 stack: one read-write page above a PROT_NONE
//    guard page, in an mmap of its own (outside any stack's reservation, so no fault
//    there grows anything).
#include <machine/vmparam.h>
#include "user/user.h"

#define XV6_USERSTACK 1   // xv6's kernel/param.h: the user stack's size, in pages

int __real_main(int argc, char *argv[]);

// Call __real_main(argc, argv) on the stack whose top is top, and exit with what it
// returns. The ports' ABIs: the arguments in a0/a1 (RISC-V) or edi/rsi (x86-64),
// the stack 16-byte aligned at the call. Those registers are clobbers, so that the
// compiler gives the operands others (a0 set first must not overwrite argv).
static void __attribute__((noreturn))
main_on(char *top, int argc, char *argv[])
{
#if defined(__riscv)
  asm volatile("mv sp, %0\n mv a0, %1\n mv a1, %2\n call __real_main\n call exit\n"
               : : "r"(top), "r"((long)argc), "r"(argv) : "a0", "a1", "ra", "memory");
#elif defined(__x86_64__)
  asm volatile("mov %0, %%rsp\n mov %1, %%edi\n mov %2, %%rsi\n call __real_main\n"
               "mov %%eax, %%edi\n call exit\n"
               : : "r"(top), "r"(argc), "r"(argv) : "rdi", "rsi", "memory");
#else
#error "main_on: no port"
#endif
  __builtin_unreachable();
}

int
__wrap_main(int argc, char *argv[])
{
  long size = (1 + XV6_USERSTACK) * PAGE_SIZE;
  char *s;

  warmup();
  // The guard, then the stack over its upper pages: two mappings, not one clipped by
  // mprotect, whose two entries would share an object that no fork's copy-on-write
  // could then collapse (usertests would count the stack's page as lost).
  s = mmap(0, size, PROT_NONE, MAP_ANON | MAP_PRIVATE, -1, 0);
  if(s == MAP_FAILED || mmap(s + PAGE_SIZE, size - PAGE_SIZE, PROT_READ | PROT_WRITE,
                             MAP_ANON | MAP_PRIVATE | MAP_FIXED, -1, 0) == MAP_FAILED){
    printf("xv6 start: no memory for the stack\n");
    exit(1);
  }
  memset(s + PAGE_SIZE, 0, size - PAGE_SIZE);   // touched now, as xv6's exec would
  main_on(s + size, argc, argv);
}

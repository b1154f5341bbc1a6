// User-space system call stubs (included by user/usys.S).
// SYSCALL(name) defines the function name(): the number goes in rax, the arguments
// are already where the SysV ABI put them (rdi, rsi, rdx, rcx, r8, r9; `int` clobbers
// none of them, unlike `syscall`, which takes rcx), `int $64` traps to the kernel,
// whose result comes back in rax; then __syscall_ret(result) (user/ulib.c) turns a
// negative errno into errno and -1, and returns to name()'s caller.
#ifndef _MACHINE_USYSCALL_H_
#define _MACHINE_USYSCALL_H_

#define SYSCALL(name)          \
  .global name;                \
  .type name, @function;       \
  name:                        \
    movl $SYS_##name, %eax;    \
    int $64;                   \
    movq %rax, %rdi;           \
    jmp __syscall_ret

#endif

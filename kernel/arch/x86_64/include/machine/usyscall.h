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

// rfork_thread(flags, stack, func, arg): `int` keeps rsi, rdx and rcx (stack, func,
// arg) for parent and child alike. The child (rax == 0) must not return: it is on
// a stack of its own, which the caller aligned to 16 bytes as the ABI wants at a
// call.
#define RFORK_THREAD           \
  .global rfork_thread;        \
  .type rfork_thread, @function; \
  rfork_thread:                \
    movl $SYS_rfork, %eax;     \
    int $64;                   \
    testq %rax, %rax;          \
    jnz 1f;                    \
    movq %rsi, %rsp;           \
    movq %rcx, %rdi;           \
    call *%rdx;                \
    movq %rax, %rdi;           \
    movl $SYS_exit, %eax;      \
    int $64;                   \
  1:                           \
    movq %rax, %rdi;           \
    jmp __syscall_ret

#endif

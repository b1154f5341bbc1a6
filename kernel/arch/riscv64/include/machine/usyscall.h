// User-space system call stubs (included by user/usys.S).
// SYSCALL(name) defines the function name(): the number goes in a7, the arguments are
// already in a0-a5, ecall traps to the kernel, whose result comes back in a0; then
// __syscall_ret (user/ulib.c) turns a negative errno into errno and -1.
#ifndef _MACHINE_USYSCALL_H_
#define _MACHINE_USYSCALL_H_

#define SYSCALL(name)          \
  .global name;                \
  .type name, @function;       \
  name:                        \
    li a7, SYS_##name;         \
    ecall;                     \
    j __syscall_ret

// rfork_thread(flags, stack, func, arg): the arguments it needs after the ecall are
// kept in t0-t2, which the kernel gives back to parent and child alike. The child
// (a0 == 0) must not return: it is on a stack of its own.
#define RFORK_THREAD           \
  .global rfork_thread;        \
  .type rfork_thread, @function; \
  rfork_thread:                \
    mv t0, a1;                 \
    mv t1, a2;                 \
    mv t2, a3;                 \
    li a7, SYS_rfork;          \
    ecall;                     \
    bnez a0, 1f;               \
    mv sp, t0;                 \
    mv a0, t2;                 \
    jalr t1;                   \
    li a7, SYS_exit;           \
    ecall;                     \
  1:                           \
    j __syscall_ret

#endif

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

#endif

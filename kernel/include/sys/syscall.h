// System call numbers, shared by the kernel's dispatch table and the user stubs.
// 1-21 keep xv6's numbering so that xv6 binaries' expectations hold.
#ifndef _SYS_SYSCALL_H_
#define _SYS_SYSCALL_H_

#define SYS_fork     1
#define SYS_exit     2
#define SYS_wait     3
#define SYS_pipe     4
#define SYS_read     5
#define SYS_kill     6
#define SYS_exec     7
#define SYS_fstat    8
#define SYS_chdir    9
#define SYS_dup     10
#define SYS_getpid  11
#define SYS_sbrk    12
#define SYS_sleep   13
#define SYS_uptime  14
#define SYS_open    15
#define SYS_write   16
#define SYS_mknod   17
#define SYS_unlink  18
#define SYS_link    19
#define SYS_mkdir   20
#define SYS_close   21
#define SYS_halt    22   // power the machine off: halt(exit code for QEMU)
#define SYS_freemem 23   // number of free physical pages
// The mmap family (vm/vm_mmap.c), labs 1-3
#define SYS_mmap     24
#define SYS_munmap   25
#define SYS_mprotect 26
#define SYS_minherit 27
#define SYS_madvise  28
#define SYS_msync    29
#define SYS_mincore  30
// Informational (vm/vm_info.c, kern/kern_procinfo.c; structures in sys/vmmap.h)
#define SYS_vmmap    31   // a process's map entries
#define SYS_vmstat   32   // page counts and the caller's map counters
#define SYS_vmverify 33   // check a map's invariants
#define SYS_procinfo 34   // the process table
#define SYS_vmbench  35   // time VM operations in the kernel (make bench)
// Resource limits (kern/kern_resource.c; sys/resource.h)
#define SYS_getrlimit 36
#define SYS_setrlimit 37
// Wiring (lab 5: vm/vm_mmap.c)
#define SYS_mlock      38
#define SYS_munlock    39
#define SYS_mlockall   40
#define SYS_munlockall 41
#define SYS_rfork      42   // fork, or a child that shares the vmspace (threads)
#define SYS_upc_register 43   // lab 6: upcalls (sys/upcall.h)
#define SYS_upc_control  44
#define SYS_exec_sys_register   45   // lab 7: resident executables (sys/resident.h)
#define SYS_exec_sys_unregister 46
#define SYS_resident_list       47
#define SYS_failnth  48   // DEBUG=1 kernels: make the caller's nth allocation fail
#define SYS_nsyscall 49  // one past the last; the VM labs add theirs below it

#endif

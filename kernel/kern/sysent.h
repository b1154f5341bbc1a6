// The system call handlers. Each fetches its own arguments (argint, argaddr,
// argstr) and returns a result, or a negative errno.
#ifndef _KERN_SYSENT_H_
#define _KERN_SYSENT_H_

// Returned (negated) by a handler that has set every user register itself (the
// return register too): syscall() leaves them as they are. BSD's name; never an
// errno that user space sees.
#define EJUSTRETURN 1000

// kern/sysproc.c
long sys_fork(void);
long sys_exit(void);
long sys_wait(void);
long sys_kill(void);
long sys_getpid(void);
long sys_sbrk(void);
long sys_sleep(void);
long sys_uptime(void);
long sys_halt(void);
long sys_freemem(void);

// fs/sysfile.c
long sys_pipe(void);
long sys_read(void);
long sys_write(void);
long sys_close(void);
long sys_exec(void);
long sys_fstat(void);
long sys_chdir(void);
long sys_dup(void);
long sys_open(void);
long sys_mknod(void);
long sys_unlink(void);
long sys_link(void);
long sys_mkdir(void);

// vm/vm_mmap.c
long sys_mmap(void);
long sys_munmap(void);
long sys_mprotect(void);
long sys_minherit(void);
long sys_madvise(void);
long sys_msync(void);
long sys_mincore(void);
long sys_mlock(void);
long sys_munlock(void);
long sys_mlockall(void);
long sys_munlockall(void);
long sys_rfork(void);

// kern/kern_upcall.c
long sys_upc_register(void);
long sys_upc_control(void);

// kern/imgact_resident.c
long sys_exec_sys_register(void);
long sys_exec_sys_unregister(void);
long sys_resident_list(void);

// vm/vm_info.c
long sys_vmmap(void);
long sys_vmstat(void);
long sys_vmverify(void);
long sys_vmbench(void);

// kern/kern_procinfo.c
long sys_procinfo(void);

// kern/kern_failnth.c
long sys_failnth(void);

// kern/kern_resource.c
long sys_getrlimit(void);
long sys_setrlimit(void);

#endif

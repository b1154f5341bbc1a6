// The user library: system calls and the small C library every program links with.
// Source-compatible with xv6's user.h, so an xv6 program compiles unchanged; a failed
// system call returns -1 and leaves a BSD error number (<sys/errno.h>) in errno.
#ifndef _USER_USER_H_
#define _USER_USER_H_

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/errno.h>
#include <sys/mman.h>
#include <sys/vmmap.h>
#include <sys/resource.h>
#include <sys/unistd.h>
#include <sys/upcall.h>
#include <sys/resident.h>

// system calls
int fork(void);
int exit(int) __attribute__((noreturn));
int wait(int*);
int pipe(int*);
int write(int, const void*, int);
int read(int, void*, int);
int close(int);
int kill(int);
int exec(const char*, char**);
int open(const char*, int);
int mknod(const char*, short, short);
int unlink(const char*);
int fstat(int fd, struct stat*);
int link(const char*, const char*);
int mkdir(const char*);
int chdir(const char*);
int dup(int);
int getpid(void);
char* sbrk(int);
int sleep(int);
int uptime(void);
int halt(int code);        // power off; QEMU exits with code
long freemem(void);        // free physical pages, less what swap holds
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int minherit(void *addr, size_t len, int inherit);
int madvise(void *addr, size_t len, int behav);
int msync(void *addr, size_t len, int flags);
int mincore(const void *addr, size_t len, char *vec);
int getrlimit(int resource, struct rlimit *rl);
int setrlimit(int resource, const struct rlimit *rl);
int mlock(const void *addr, size_t len);      // wire: never paged out (lab 5)
int munlock(const void *addr, size_t len);
int mlockall(int flags);                      // MCL_CURRENT | MCL_FUTURE
int munlockall(void);
int rfork(int flags);                         // RFPROC, RFPROC | RFMEM (sys/unistd.h)
// rfork(flags), and the child, on stack (the top of its own: it shares memory),
// calls func(arg) and exits with what it returns. The parent gets the child's pid.
int rfork_thread(int flags, void *stack, int (*func)(void *), void *arg);
// Upcalls (lab 6): see <sys/upcall.h>, and upcall.h for the library on them.
int upc_register(struct upcall *upc, void (*ctxfunc)(void (*)(void *), void *, void *),
                 void (*func)(void *), void *data);   // an id, >= 32
int upc_control(int cmd, int id, void *data);
// Resident executables (lab 7): see <sys/resident.h>.
int exec_sys_register(void (*entry)(int argc, char **argv));
int exec_sys_unregister(int id);
int resident_list(struct kinfo_resident *buf, int n);
// A program exec'd with this as its only argument (argv[0]) registers itself as
// resident before main, instead of running (ulib.c's _start): `resident PROG`.
#define RESIDENT_REGISTER "-resident-register"
// informational (structures in <sys/vmmap.h>)
int vmmap(int pid, struct kinfo_vmentry *buf, int n);  // entries in pid's map (0: mine)
int vmstat(struct vmstats *st);
int vmverify(int pid);                                 // 0, or -1 (EINVAL): see console
int procinfo(struct kinfo_proc *buf, int n);           // number of processes
long vmbench(int op, long n);                          // nanoseconds for n operations (VMBENCH_*)
// DEBUG=1 kernels (ENOSYS in others): my nth kernel allocation from now fails, once
// (0: none); returns how many were left before the last count ran out (0: it did)
long failnth(int n);

extern int errno;
void warmup(void);   // touch the stack and every page of the program (ulib.c)

// ulib.c
int stat(const char*, struct stat*);
char* strcpy(char*, const char*);
void *memmove(void*, const void*, int);
char* strchr(const char*, char c);
int strcmp(const char*, const char*);
char* gets(char*, int max);
uint strlen(const char*);
void* memset(void*, int, uint);
int atoi(const char*);
int memcmp(const void *, const void *, uint);
void *memcpy(void *, const void *, uint);

// printf.c
void fprintf(int, const char*, ...) __attribute__((format(printf, 2, 3)));
void printf(const char*, ...) __attribute__((format(printf, 1, 2)));

// umalloc.c
void* malloc(uint);
void free(void*);

#endif

// Kernel-wide services every subsystem uses: printing, panics, assertions, strings,
// and moving bytes across the user/kernel boundary. (BSD keeps these in sys/systm.h.)
#ifndef _KERN_SYSTM_H_
#define _KERN_SYSTM_H_

#include <sys/types.h>
#include <sys/errno.h>

// printf.c
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void printfinit(void);
extern volatile int panicked;

// KASSERT(cond, fmt, ...): an invariant. Checked in every build: the kernel is for
// teaching, and a violated invariant found early is worth far more than the cycles.
// The message is printf's format and arguments: say the values that were compared.
#define KASSERT(cond, ...) \
  do { if (!(cond)) kassert_failed(#cond, __FILE__, __LINE__, __VA_ARGS__); } while (0)
void kassert_failed(const char *cond, const char *file, int line, const char *fmt, ...)
  __attribute__((noreturn, format(printf, 4, 5)));

// string.c
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *p, const char *q, size_t n);
char *strncpy(char *s, const char *t, int n);
char *safestrcpy(char *s, const char *t, int n);

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// vm/vm_copy.c: copy to and from the current process's user memory.
// Each returns 0, or -EFAULT if any byte of the user range is not mapped with the
// needed access; a bad pointer is never a panic.
int copyin(void *dst, uint64 srcva, uint64 len);
int copyout(uint64 dstva, const void *src, uint64 len);
int copyinstr(char *dst, uint64 srcva, uint64 max); // -EFAULT, or -ENAMETOOLONG if no NUL in max
// Copy to/from either a user address (user_dst != 0) or a kernel address.
int either_copyout(int user_dst, uint64 dst, const void *src, uint64 len);
int either_copyin(void *dst, int user_src, uint64 src, uint64 len);

// kern/syscall.c: fetch the n-th system call argument of the current process.
// argint() truncates to int, as C does: on x86-64 the upper half of a register
// that carried an int is undefined.
int argint(int n);
uint64 argaddr(int n);
int argstr(int n, char *buf, int max);   // length, or -EFAULT / -ENAMETOOLONG
int fetchaddr(uint64 addr, uint64 *ip);  // 0 or -EFAULT
int fetchstr(uint64 addr, char *buf, int max);

// kern/proc.c: sleep on a channel, releasing lk meanwhile; wake its sleepers.
struct spinlock;
void sleep(void *chan, struct spinlock *lk);
void wakeup(void *chan);

// kern/kern_failnth.c: whether the allocation being made must fail (DEBUG=1
// kernels: the calling process's failnth count ran out)
#ifdef VM_DEBUG
int alloc_fail(void);
#else
#define alloc_fail() 0
#endif

// kern/clock.c
extern uint64 ticks;
extern struct spinlock tickslock;
void clockintr(void);     // called by the port's timer interrupt on CPU 0, HZ times a second

#endif

// Threads for user programs: each is a process that shares its creator's memory
// (rfork(RFPROC | RFMEM)), on a stack of its own (mmap(MAP_STACK)), with a copy of
// its file descriptors. A spin lock for short critical sections, and an event to
// sleep on (a pipe: a waiter blocks in read until a byte is written).
#ifndef _USER_UTHREAD_H_
#define _USER_UTHREAD_H_

#define UTHREAD_STACK (64 * 1024)

struct uthread {
  int pid;          // the thread's process
  char *stack;      // its stack: [stack, stack + UTHREAD_STACK)
};

// Start fn(arg) in a new thread: 0, or -1 with errno (no memory, no process).
int uthread_create(struct uthread *t, int (*fn)(void *), void *arg);
// Wait for t, which this process created, to end, and free its stack: what fn
// returned (its exit status; -1 if the kernel killed it). Other threads that end
// meanwhile are remembered for their own join.
int uthread_join(struct uthread *t);

struct uspinlock {
  volatile int locked;
};
void uspin_lock(struct uspinlock *l);
void uspin_unlock(struct uspinlock *l);

struct uevent {
  int fd[2];
};
int uevent_init(struct uevent *e);      // 0, or -1 with errno
void uevent_wait(struct uevent *e);     // until a signal (one per wait)
void uevent_signal(struct uevent *e);
void uevent_close(struct uevent *e);

#endif

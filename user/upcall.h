// Upcalls for user programs (lab 6), on upc_register and upc_control
// (<sys/upcall.h>): each process (or thread, uthread.h) that takes upcalls has a
// struct upcall of its own, which holds its critical count.
#ifndef _USER_UPCALL_H_
#define _USER_UPCALL_H_

#include <sys/upcall.h>

// Register func(data) as an upcall of this process, which will run it with u as
// its state: the id to dispatch, or -1 with errno (EFBIG: too many).
int upcall_register(struct upcall *u, void (*func)(void *), void *data);
// Make id's process run it (priority >= 1): 0, or -1 with errno.
int upcall_dispatch(int id, int priority);
// A critical section: upcalls of priority up to the count wait until it drops, and
// run at the next entry to the kernel after it does (upcall_run_pending: now).
void upcall_crit_enter(struct upcall *u, int n);
void upcall_crit_exit(struct upcall *u, int n);
void upcall_run_pending(void);
// The dispatch loop: sleep until an upcall of this process's comes, let it run,
// and go on until *done is set (by an upcall, say). 0, or -1 with errno (ENOENT:
// this process has no upcalls registered). It holds off upcalls of priority up to
// UPCALL_HOLD while it tests *done.
#define UPCALL_HOLD 0x3fffffff
int upcall_serve(struct upcall *u, volatile int *done);

#endif

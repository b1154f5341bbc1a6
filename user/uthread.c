// Threads on rfork(RFPROC | RFMEM): see uthread.h.
#include "user/user.h"
#include "user/uthread.h"

int
uthread_create(struct uthread *t, int (*fn)(void *), void *arg)
{
  t->stack = mmap(0, UTHREAD_STACK, PROT_READ | PROT_WRITE, MAP_STACK | MAP_PRIVATE | MAP_ANON,
                  -1, 0);
  if (t->stack == MAP_FAILED)
    return -1;
  // The stack grows down from its top, 16-byte aligned as both ABIs want.
  t->pid = rfork_thread(RFPROC | RFMEM, t->stack + UTHREAD_STACK, fn, arg);
  if (t->pid < 0) {
    munmap(t->stack, UTHREAD_STACK);
    return -1;
  }
  return 0;
}

// Threads that ended before their join: pid and exit status. (Shared memory: only
// the creator joins, and threads here create no threads.)
#define NENDED 64
static struct {
  int pid, status;
} ended[NENDED];

static int
take_ended(int pid, int *status)
{
  for (int i = 0; i < NENDED; i++) {
    if (ended[i].pid == pid) {
      ended[i].pid = 0;
      *status = ended[i].status;
      return 1;
    }
  }
  return 0;
}

static void
put_ended(int pid, int status)
{
  for (int i = 0; i < NENDED; i++) {
    if (ended[i].pid == 0) {
      ended[i].pid = pid;
      ended[i].status = status;
      return;
    }
  }
}

int
uthread_join(struct uthread *t)
{
  int pid, status = -1;

  while (!take_ended(t->pid, &status)) {
    if ((pid = wait(&status)) < 0)
      break;          // (not our child: nothing to wait for)
    if (pid != t->pid)
      put_ended(pid, status);
    else
      break;
  }
  munmap(t->stack, UTHREAD_STACK);
  return status;
}

void
uspin_lock(struct uspinlock *l)
{
  while (__sync_lock_test_and_set(&l->locked, 1) != 0)
    ;
  __sync_synchronize();
}

void
uspin_unlock(struct uspinlock *l)
{
  __sync_synchronize();
  __sync_lock_release(&l->locked);
}

int
uevent_init(struct uevent *e)
{
  return pipe(e->fd);
}

void
uevent_wait(struct uevent *e)
{
  char c;

  read(e->fd[0], &c, 1);
}

void
uevent_signal(struct uevent *e)
{
  write(e->fd[1], "x", 1);
}

void
uevent_close(struct uevent *e)
{
  close(e->fd[0]);
  close(e->fd[1]);
}

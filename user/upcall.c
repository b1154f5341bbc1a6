// Upcalls for user programs: see upcall.h.
#include "user/user.h"
#include "user/upcall.h"

// Where the kernel enters every upcall of these: as if called, on the stack just
// below the frame that holds the interrupted context. Run func, then have the
// kernel run the next pending upcall on the same frame, or resume the context.
static void __attribute__((noreturn))
upcall_ctx(void (*func)(void *), void *data, void *frame)
{
  func(data);
  upc_control(UPC_CONTROL_NEXT, -1, frame);
  printf("upcall: UPC_CONTROL_NEXT with frame %p failed (errno %d)\n", frame, errno);
  exit(1);
}

int
upcall_register(struct upcall *u, void (*func)(void *), void *data)
{
  return upc_register(u, upcall_ctx, func, data);
}

int
upcall_dispatch(int id, int priority)
{
  return upc_control(UPC_CONTROL_DISPATCH, id, (void *)(uint64)priority);
}

// The compiler must not move loads and stores across a change of the count: the
// kernel reads it at any entry.
void
upcall_crit_enter(struct upcall *u, int n)
{
  __atomic_add_fetch(&u->upc_critcount, n, __ATOMIC_SEQ_CST);
}

void
upcall_crit_exit(struct upcall *u, int n)
{
  __atomic_sub_fetch(&u->upc_critcount, n, __ATOMIC_SEQ_CST);
}

// Any entry to the kernel will do: on the way out, it runs what may run.
void
upcall_run_pending(void)
{
  upc_control(UPC_CONTROL_POLL, -1, 0);
}

// The count holds upcalls off while *done is tested, so that none can run between
// the test and WAIT, which would then sleep for ever (with *done set). WAIT returns
// as soon as one is pending, held off or not; it runs once the count drops.
int
upcall_serve(struct upcall *u, volatile int *done)
{
  int r = 0;

  upcall_crit_enter(u, UPCALL_HOLD);
  while (!*done && (r = upc_control(UPC_CONTROL_WAIT, -1, 0)) == 0) {
    upcall_crit_exit(u, UPCALL_HOLD);
    upcall_run_pending();
    upcall_crit_enter(u, UPCALL_HOLD);
  }
  upcall_crit_exit(u, UPCALL_HOLD);
  return r;
}

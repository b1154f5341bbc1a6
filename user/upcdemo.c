// upcdemo: two threads that share memory signal each other with upcalls (lab 6).
//
//   upcdemo [rounds]     (3 rounds if not given)
//
// ping and pong each register an upcall, then take turns: each sleeps in
// UPC_CONTROL_WAIT until the other's DISPATCH runs its upcall, then dispatches the
// other's. First, pong shows its critical count holding an upcall off: pending
// (POLL says so) until the count drops. Every line says who runs what, in order:
//
//   pong: critical count 1: ping's upcall waits (POLL: priority 1 pending)
//   pong: count back to 0
//   pong: upcall 32 runs: hello from ping
//   ping: upcall 33 runs: round 1 from pong
//   pong: upcall 32 runs: round 1 from ping
//   ...
#include "user/user.h"
#include "user/uthread.h"
#include "user/upcall.h"

struct player {
  char *name;
  struct upcall upc;
  volatile int id;        // its upcall's id, once registered
  volatile int got;       // how many times its upcall has run
  volatile int round;     // the round the other one sent
  struct player *other;
};

static struct player ping = { .name = "ping" }, pong = { .name = "pong" };
static int rounds = 3;

static void
received(void *arg)
{
  struct player *p = arg;

  p->got++;
  if (p->got == 1 && p == &pong)
    printf("%s: upcall %d runs: hello from %s\n", p->name, p->id, p->other->name);
  else
    printf("%s: upcall %d runs: round %d from %s\n", p->name, p->id, p->other->round,
           p->other->name);
}

// Wait until p's upcall has run n times (upcall_serve's protocol: the count holds
// the upcall off while got is tested, so that it cannot run between the test and
// WAIT).
static void
await(struct player *p, int n)
{
  upcall_crit_enter(&p->upc, 1);
  while (p->got < n) {
    if (upc_control(UPC_CONTROL_WAIT, -1, 0) < 0) {
      printf("%s: upc_control WAIT failed (errno %d)\n", p->name, errno);
      exit(1);
    }
    upcall_crit_exit(&p->upc, 1);
    upcall_run_pending();
    upcall_crit_enter(&p->upc, 1);
  }
  upcall_crit_exit(&p->upc, 1);
}

static void
send(struct player *p, int round)
{
  p->round = round;
  if (upcall_dispatch(p->other->id, 1) < 0) {
    printf("%s: upc_control DISPATCH failed (errno %d)\n", p->name, errno);
    exit(1);
  }
}

static int
play(void *arg)
{
  struct player *p = arg;

  // pong registers first: its id is 32, ping's 33. Its count holds the hello off
  // from the start.
  if (p == &pong)
    upcall_crit_enter(&p->upc, 1);
  while (p == &ping && pong.id == 0)
    sleep(1);
  if ((p->id = upcall_register(&p->upc, received, p)) < 0) {
    printf("%s: upc_register failed (errno %d)\n", p->name, errno);
    return 1;
  }
  while (p->other->id == 0)
    sleep(1);
  if (p == &pong) {
    // The hello: held off by the critical count until it drops.
    while (upc_control(UPC_CONTROL_POLL, p->id, 0) == 0)
      sleep(1);
    printf("%s: critical count 1: %s's upcall waits (POLL: priority %d pending)\n",
           p->name, p->other->name, upc_control(UPC_CONTROL_POLL, p->id, 0));
    printf("%s: count back to 0\n", p->name);
    upcall_crit_exit(&p->upc, 1);
    upcall_run_pending();
  } else {
    send(p, 0);
  }
  // Round r: wait for the other's round r (for pong, the hello is its first).
  for (int r = 1; r <= rounds; r++) {
    await(p, r);
    send(p, r);
  }
  if (p == &pong)
    await(p, rounds + 1);
  return 0;
}

int
main(int argc, char *argv[])
{
  struct uthread t[2];

  if (argc > 1 && (rounds = atoi(argv[1])) < 1) {
    printf("usage: upcdemo [rounds]\n");
    exit(1);
  }
  ping.other = &pong;
  pong.other = &ping;
  if (uthread_create(&t[0], play, &pong) < 0 || uthread_create(&t[1], play, &ping) < 0) {
    printf("upcdemo: uthread_create failed (errno %d)\n", errno);
    exit(1);
  }
  int s0 = uthread_join(&t[0]), s1 = uthread_join(&t[1]);
  printf("upcdemo: %s\n", s0 == 0 && s1 == 0 ? "done" : "FAILED");
  exit(s0 != 0 || s1 != 0);
}

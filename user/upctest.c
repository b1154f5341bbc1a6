// upctest: upcalls (lab 6): upc_register's ids and limit, upc_control's commands and
// their errors, delivery to the process itself and to a sibling thread on another
// CPU with its registers intact, the critical count, the pending flag, chaining
// with NEXT, WAIT, a bad struct upcall, and what exit, fork and exec do to a
// process's upcalls.
//
//   upctest            run every test, then check that no page leaked
//   upctest NAME...    run only the named tests
//
// Each test runs in a child and prints "upctest NAME: OK" or "upctest NAME:
// FAILED: ..."; the last line is "upctest: ALL OK" or "upctest: N FAILED".

#define VMTEST_PROG "upctest"
#include "vmtest.h"
#include "user/uthread.h"
#include "user/upcall.h"
#include <machine/upcall.h>

#define P PAGE_SIZE
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// How long a test waits for what must come at once (a delivery, a wakeup) before it
// says it did not: 20 s of clock ticks, far more than a loaded host needs, far
// less than the grader's timeout.
#define PATIENCE (20 * HZ)

static struct upcall me;          // this process's (the test's child's) state

// What the upcalls have done: a log of their names, in order.
static char log[64];
static volatile int nlog;

static void
note(void *name)
{
  if(nlog < (int)sizeof(log) - 1)
    log[nlog++] = *(char *)name;
}

static void
expect_log(char *what, char *want)
{
  log[nlog] = 0;
  if(strcmp(log, want) != 0){
    printf("upctest %s: FAILED: %s: expected upcalls \"%s\" got \"%s\"\n", test, what, want,
           log);
    exit(1);
  }
}

static int
reg(void (*fn)(void *), void *data)
{
  int id = upcall_register(&me, fn, data);

  check("upc_register", id >= 0);
  return id;
}

static long
ctl(int cmd, int id, long data)
{
  return upc_control(cmd, id, (void *)data);
}

// ---------------------------------------------------------------- register

static void nothing(void *arg) { }

// Ids from 32 up, never one given before; UPCALL_MAXCOUNT at most, and a deleted
// one's place is free again.
static void
register_ids(void)
{
  for(int i = 0; i < UPCALL_MAXCOUNT; i++)
    expect("an id", upcall_register(&me, nothing, 0), UPC_RESERVED + i);
  experr("one more than UPCALL_MAXCOUNT", upcall_register(&me, nothing, 0), EFBIG);
  expect("DELETE of id 40", ctl(UPC_CONTROL_DELETE, 40, 0), 0);
  expect("the id after DELETE (never one given before)", upcall_register(&me, nothing, 0),
         UPC_RESERVED + UPCALL_MAXCOUNT);
  experr("one more than UPCALL_MAXCOUNT again", upcall_register(&me, nothing, 0), EFBIG);
  for(int round = 0; round < 3 * UPCALL_MAXCOUNT; round++){
    expect("DELETE -1", ctl(UPC_CONTROL_DELETE, -1, 0), 0);
    for(int i = 0; i < UPCALL_MAXCOUNT; i++)
      check("register after DELETE -1", upcall_register(&me, nothing, 0) >= 0);
  }
  experr("DELETE of a deleted id", ctl(UPC_CONTROL_DELETE, 40, 0), ENOENT);
  expect("DELETE -1 at the end", ctl(UPC_CONTROL_DELETE, -1, 0), 0);
  expect("DELETE -1 with none left", ctl(UPC_CONTROL_DELETE, -1, 0), 0);
}

// ---------------------------------------------------------------- errors

static void
errors(void)
{
  struct upcall_frame f;
  int id = reg(nothing, 0);

  experr("cmd 0", ctl(0, id, 1), EINVAL);
  experr("cmd 7", ctl(7, id, 1), EINVAL);
  experr("cmd -1", ctl(-1, id, 1), EINVAL);
  experr("DISPATCH id 31", ctl(UPC_CONTROL_DISPATCH, 31, 1), ENOENT);
  experr("DISPATCH id -1", ctl(UPC_CONTROL_DISPATCH, -1, 1), ENOENT);
  experr("DISPATCH id + 1", ctl(UPC_CONTROL_DISPATCH, id + 1, 1), ENOENT);
  experr("DISPATCH priority 0", ctl(UPC_CONTROL_DISPATCH, id, 0), EINVAL);
  experr("DISPATCH priority -1", ctl(UPC_CONTROL_DISPATCH, id, -1), EINVAL);
  experr("DISPATCH priority 2^31", ctl(UPC_CONTROL_DISPATCH, id, 1L << 31), EINVAL);
  experr("DELETE id + 1", ctl(UPC_CONTROL_DELETE, id + 1, 0), ENOENT);
  experr("POLL id + 1", ctl(UPC_CONTROL_POLL, id + 1, 0), ENOENT);
  experr("POLLANDCLEAR id + 1", ctl(UPC_CONTROL_POLLANDCLEAR, id + 1, 0), ENOENT);
  experr("WAIT id + 1", ctl(UPC_CONTROL_WAIT, id + 1, 0), ENOENT);
  experr("NEXT with frame 0", ctl(UPC_CONTROL_NEXT, -1, 0), EFAULT);
  experr("NEXT with a kernel frame", ctl(UPC_CONTROL_NEXT, -1, (long)0xffffffff80001000UL),
        EFAULT);
  // A frame whose pc and stack pointer are kernel addresses is refused whole.
  memset(&f, 0xff, sizeof(f));
  experr("NEXT with a kernel pc and sp", ctl(UPC_CONTROL_NEXT, -1, (long)&f), EINVAL);
  expect("DELETE", ctl(UPC_CONTROL_DELETE, id, 0), 0);
  experr("WAIT with no upcalls", ctl(UPC_CONTROL_WAIT, -1, 0), ENOENT);
  expect("POLL -1 with no upcalls", ctl(UPC_CONTROL_POLL, -1, 0), 0);
}

// ---------------------------------------------------------------- self

static volatile int self_pending;
static volatile uint64 self_sp;

static void
self_fn(void *arg)
{
  char here;

  note(arg);
  self_pending = me.upc_pending;
  self_sp = (uint64)&here;
}

// A dispatch to the caller runs on the way out of that very upc_control, which
// then returns 0 as if nothing had happened; the upcall ran on the same stack,
// below the caller's frame, with upc_pending set.
static void
self(void)
{
  char here;
  int id = reg(self_fn, "a");

  expect("DISPATCH to myself", ctl(UPC_CONTROL_DISPATCH, id, 1), 0);
  expect_log("once upc_control returned", "a");
  expect("upc_pending in the upcall", self_pending, 1);
  expect("upc_pending after it", me.upc_pending, 0);
  check("the upcall's stack is below the caller's", self_sp < (uint64)&here);
  check("... and within a page or two of it", (uint64)&here - self_sp < 2 * P);
  expect("POLL after the delivery", ctl(UPC_CONTROL_POLL, id, 0), 0);
  expect("DISPATCH again", ctl(UPC_CONTROL_DISPATCH, id, 1), 0);
  expect_log("after the second", "aa");
}

// ---------------------------------------------------------------- sibling

// A computation that keeps many values in registers (caller- and callee-saved): an
// upcall that comes in the middle of it and does not give each back breaks the
// result.
struct mix {
  uint64 a, b, c, d, e, f, g, h, n;
};

static uint64
mix_result(struct mix *m)
{
  return m->a ^ m->b ^ m->c ^ m->d ^ m->e ^ m->f ^ m->g ^ m->h;
}

// Run from m until stop is set, counting the steps in m->n.
static void
mix_run(struct mix *m, volatile int *stop, uint64 steps)
{
  uint64 a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i;

  for(i = 0; stop ? !*stop : i < steps; i++){
    a = a * 6364136223846793005UL + b;
    b ^= a >> 7;
    c += b * 3;
    d ^= c << 5;
    e += d ^ a;
    f = f * 31 + e;
    g ^= f >> 3;
    h += g + i;
  }
  *m = (struct mix){ a, b, c, d, e, f, g, h, i };
}

#define SIBLING_UPCALLS 20

static volatile int sib_id, sib_count, sib_stop;
static struct mix sib_mix;
static struct upcall sib_upc;

static void
sib_fn(void *arg)
{
  sib_count++;
}

static int
sibling_thread(void *arg)
{
  sib_id = upcall_register(&sib_upc, sib_fn, 0);
  if(sib_id < 0)
    return 1;
  mix_run(&sib_mix, &sib_stop, 0);
  return 0;
}

// The main thread dispatches to a thread that computes in a loop and never enters
// the kernel of its own accord (on another CPU if there is one: an IPI brings it
// in; else the timer does), one upcall at a time. Each is run once, and the
// thread's computation comes out as if nothing had interrupted it.
static void
sibling(void)
{
  struct uthread t;
  struct mix again;

  sib_id = sib_count = sib_stop = 0;
  check("uthread_create", uthread_create(&t, sibling_thread, 0) == 0);
  while(sib_id == 0)
    sleep(1);
  check("the thread's upc_register", sib_id > 0);
  experr("POLL of the thread's id (not mine)", ctl(UPC_CONTROL_POLL, sib_id, 0), ENOENT);
  experr("DELETE of the thread's id (not mine)", ctl(UPC_CONTROL_DELETE, sib_id, 0), ENOENT);
  for(int k = 1; k <= SIBLING_UPCALLS; k++){
    expect("DISPATCH to the thread", ctl(UPC_CONTROL_DISPATCH, sib_id, 1), 0);
    for(int waited = 0; sib_count < k; waited++){
      if(waited == PATIENCE){
        printf("upctest sibling: FAILED: upcall %d not run 20 s after DISPATCH\n", k);
        sib_stop = 1;
        exit(1);
      }
      sleep(1);
    }
  }
  sib_stop = 1;
  expect("the thread's status", uthread_join(&t), 0);
  expect("upcalls run", sib_count, SIBLING_UPCALLS);
  mix_run(&again, 0, sib_mix.n);
  if(mix_result(&again) != mix_result(&sib_mix)){
    printf("upctest sibling: FAILED: the thread's registers changed under an upcall: "
           "%d steps computed 0x%lx, expected 0x%lx\n", (int)sib_mix.n,
           mix_result(&sib_mix), mix_result(&again));
    exit(1);
  }
}

// ---------------------------------------------------------------- critical

// A critical count at or above an upcall's priority holds it off; it runs at the
// first entry to the kernel once the count drops. Dispatches of one id merge,
// keeping the highest priority.
static void
critical(void)
{
  int a = reg(note, "a"), b = reg(note, "b");

  upcall_crit_enter(&me, 5);
  expect("DISPATCH a at 5", ctl(UPC_CONTROL_DISPATCH, a, 5), 0);
  getpid();
  expect_log("count 5, a at priority 5", "");
  expect("POLL a", ctl(UPC_CONTROL_POLL, a, 0), 5);
  expect("DISPATCH b at 6", ctl(UPC_CONTROL_DISPATCH, b, 6), 0);
  expect_log("count 5, b at priority 6", "b");
  expect("DISPATCH a at 3", ctl(UPC_CONTROL_DISPATCH, a, 3), 0);
  expect("POLL a after another DISPATCH at 3", ctl(UPC_CONTROL_POLL, a, 0), 5);
  expect("POLL -1", ctl(UPC_CONTROL_POLL, -1, 0), 5);
  // (From here, any interrupt may run it: the timer's, say.)
  upcall_crit_exit(&me, 1);
  int pid = getpid();
  expect_log("count 4, after entering the kernel", "ba");
  expect("getpid's result, with an upcall on its way out", pid, getpid());
  expect("POLL a after", ctl(UPC_CONTROL_POLL, a, 0), 0);
  upcall_crit_exit(&me, 4);
  getpid();
  expect_log("once more", "ba");
}

// What DISPATCH leaves pending (with the critical count holding it all off), as
// POLL sees it: dispatches of one id merge, keeping the highest priority; -1 is
// the highest of all. POLLANDCLEAR takes it back: it never runs.
static void
pollandclear(void)
{
  int a = reg(note, "a"), b = reg(note, "b");

  upcall_crit_enter(&me, 10);
  expect("POLL a before any DISPATCH", ctl(UPC_CONTROL_POLL, a, 0), 0);
  expect("DISPATCH a at 4", ctl(UPC_CONTROL_DISPATCH, a, 4), 0);
  expect("DISPATCH b at 7", ctl(UPC_CONTROL_DISPATCH, b, 7), 0);
  expect("POLL -1", ctl(UPC_CONTROL_POLL, -1, 0), 7);
  expect("POLLANDCLEAR a", ctl(UPC_CONTROL_POLLANDCLEAR, a, 0), 4);
  expect("POLL a after POLLANDCLEAR", ctl(UPC_CONTROL_POLL, a, 0), 0);
  expect("POLL b", ctl(UPC_CONTROL_POLL, b, 0), 7);
  expect("DISPATCH a at 2", ctl(UPC_CONTROL_DISPATCH, a, 2), 0);
  expect("DISPATCH a at 3", ctl(UPC_CONTROL_DISPATCH, a, 3), 0);
  expect("DISPATCH a at 1", ctl(UPC_CONTROL_DISPATCH, a, 1), 0);
  expect("POLL a after DISPATCH at 2, 3, 1", ctl(UPC_CONTROL_POLL, a, 0), 3);
  expect("POLLANDCLEAR -1", ctl(UPC_CONTROL_POLLANDCLEAR, -1, 0), 7);
  expect("POLL -1 after POLLANDCLEAR -1", ctl(UPC_CONTROL_POLL, -1, 0), 0);
  upcall_crit_exit(&me, 10);
  getpid();
  expect_log("after the count dropped", "");
}

// ---------------------------------------------------------------- pending, chain

static int pa, pb;

static void
pending_a(void *arg)
{
  note("A");
  // upc_pending is set: b waits, through this entry to the kernel and the next.
  expect("DISPATCH b in a", ctl(UPC_CONTROL_DISPATCH, pb, 1), 0);
  getpid();
  note("a");
}

// While an upcall runs (upc_pending set), no other is delivered: the one dispatched
// meanwhile runs after it, when it is done.
static void
pending(void)
{
  pa = reg(pending_a, 0);
  pb = reg(note, "b");
  expect("DISPATCH a", ctl(UPC_CONTROL_DISPATCH, pa, 1), 0);
  expect_log("a, which dispatched b", "Aab");
  // A program may clear upc_pending itself to let upcalls nest.
  expect("upc_pending after", me.upc_pending, 0);
}

static volatile uint64 chain_sp[3];

static void
chain_fn(void *arg)
{
  char here;

  chain_sp[*(char *)arg - 'a'] = (uint64)&here;
  note(arg);
}

// Upcalls held off by the critical count all run, in id order, once it drops: the
// second and third are chained by NEXT on the first one's frame (entered at the
// very same stack address).
static void
chain(void)
{
  int a = reg(chain_fn, "a"), b = reg(chain_fn, "b"), c = reg(chain_fn, "c");

  upcall_crit_enter(&me, 1);
  expect("DISPATCH c", ctl(UPC_CONTROL_DISPATCH, c, 1), 0);
  expect("DISPATCH a", ctl(UPC_CONTROL_DISPATCH, a, 1), 0);
  expect("DISPATCH b", ctl(UPC_CONTROL_DISPATCH, b, 1), 0);
  expect_log("while the count holds them", "");
  upcall_crit_exit(&me, 1);
  int pid = getpid();
  expect_log("after one entry to the kernel", "abc");
  expect("getpid's result, with three upcalls on its way out", pid, getpid());
  check("b ran on a's frame", chain_sp[1] == chain_sp[0]);
  check("c ran on a's frame", chain_sp[2] == chain_sp[0]);
  expect("upc_pending after", me.upc_pending, 0);
}

// ---------------------------------------------------------------- wait

static volatile int wait_id, wait_done, wait_returns;
static struct upcall wait_upc;

static void
wait_fn(void *arg)
{
  wait_done = 1;
}

static int
wait_thread(void *arg)
{
  wait_id = upcall_register(&wait_upc, wait_fn, 0);
  if(wait_id < 0)
    return 1;
  while(!wait_done){
    if(upc_control(UPC_CONTROL_WAIT, -1, 0) < 0)
      return 2;
    wait_returns++;
  }
  return 0;
}

// WAIT sleeps until an upcall of the caller's is dispatched, which runs on the way
// out: one return from WAIT, after the DISPATCH.
static void
wait_(void)
{
  struct uthread t;

  wait_id = wait_done = wait_returns = 0;
  check("uthread_create", uthread_create(&t, wait_thread, 0) == 0);
  while(wait_id == 0)
    sleep(1);
  check("the thread's upc_register", wait_id > 0);
  sleep(5);
  expect("WAIT returns before any DISPATCH", wait_returns, 0);
  expect("DISPATCH", ctl(UPC_CONTROL_DISPATCH, wait_id, 1), 0);
  for(int waited = 0; !wait_done; waited++){
    if(waited == PATIENCE){
      printf("upctest wait: FAILED: the thread in WAIT has not run its upcall 20 s after "
             "DISPATCH (a lost wakeup?)\n");
      kill(t.pid);
      uthread_join(&t);
      exit(1);
    }
    sleep(1);
  }
  expect("the thread's status", uthread_join(&t), 0);
  expect("WAIT returns", wait_returns, 1);
}

// ---------------------------------------------------------------- pingpong

#define ROUNDS 200

static volatile int ping_ids[2], ping_counts[2], ping_bad, ping_ended;
static struct upcall ping_upc[2];

static void
ping_fn(void *arg)
{
  int who = (int)(uint64)arg;

  ping_counts[who]++;
  if(ping_counts[who] != ping_counts[1 - who] + who)
    ping_bad = 1;
}

// Wait until the caller's upcalls have run n times: upcall_serve's protocol. The
// count holds them off while the test is made, so that none can run between it
// and WAIT, which would then sleep for ever; WAIT returns as soon as one is
// pending, held off or not, and it runs once the count drops.
static int
wait_count(struct upcall *u, volatile int *count, int n)
{
  upcall_crit_enter(u, 1);
  while(*count < n){
    if(upc_control(UPC_CONTROL_WAIT, -1, 0) < 0)
      return -1;
    upcall_crit_exit(u, 1);
    getpid();
    upcall_crit_enter(u, 1);
  }
  upcall_crit_exit(u, 1);
  return 0;
}

// Two threads take turns: thread 0 sends first, then each waits for the other's
// upcall before it sends its own. Every wakeup must reach its thread, or both
// sleep for ever.
static int
ping_thread(void *arg)
{
  int who = (int)(uint64)arg;

  ping_ids[who] = upcall_register(&ping_upc[who], ping_fn, arg);
  if(ping_ids[who] < 0)
    return 1;
  while(ping_ids[1 - who] == 0)
    sleep(1);
  for(int r = 0; r < ROUNDS; r++){
    if(wait_count(&ping_upc[who], &ping_counts[who], r + who) < 0)
      return 2;
    if(upcall_dispatch(ping_ids[1 - who], 1) < 0)
      return 3;
  }
  int r = wait_count(&ping_upc[who], &ping_counts[who], ROUNDS) < 0 ? 4 : 0;
  __atomic_add_fetch(&ping_ended, 1, __ATOMIC_SEQ_CST);
  return r;
}

static void
pingpong(void)
{
  struct uthread t[2];

  for(int i = 0; i < 2; i++)
    check("uthread_create", uthread_create(&t[i], ping_thread, (void *)(uint64)i) == 0);
  // A lost wakeup leaves both asleep: say so rather than hang.
  for(int last = -1, still = 0; ping_ended < 2; sleep(1)){
    int now = ping_counts[0] + ping_counts[1];
    if(now != last){
      last = now;
      still = 0;
    } else if(++still == PATIENCE){
      printf("upctest pingpong: FAILED: no upcall ran for 20 s, after %d of %d (a lost "
             "wakeup?)\n", now, 2 * ROUNDS);
      for(int i = 0; i < 2; i++){
        kill(t[i].pid);
        uthread_join(&t[i]);
      }
      exit(1);
    }
  }
  for(int i = 0; i < 2; i++)
    expect("a thread's status", uthread_join(&t[i]), 0);
  expect("upcalls thread 0 ran", ping_counts[0], ROUNDS);
  expect("upcalls thread 1 ran", ping_counts[1], ROUNDS);
  expect("an upcall out of turn", ping_bad, 0);
}

// ---------------------------------------------------------------- badptr

// A struct upcall the kernel cannot read, or cannot write, drops the upcall (and
// says so on the console): the process goes on, nothing pending.
static void
badptr(void)
{
  char *page = xmmap("a page for the struct upcall", P, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANON);
  struct upcall *u = (struct upcall *)page;
  int id = upcall_register(u, note, "x");

  check("upc_register", id >= 0);
  expect("mprotect PROT_READ", mprotect(page, P, PROT_READ), 0);
  expect("DISPATCH with a read-only struct upcall", ctl(UPC_CONTROL_DISPATCH, id, 1), 0);
  expect("POLL after", ctl(UPC_CONTROL_POLL, id, 0), 0);
  expect("munmap", munmap(page, P), 0);
  expect("DISPATCH with an unmapped struct upcall", ctl(UPC_CONTROL_DISPATCH, id, 1), 0);
  expect("POLL after", ctl(UPC_CONTROL_POLL, id, 0), 0);
  id = upc_register((struct upcall *)0xffffffff80000000UL, (void *)note, note, "y");
  check("upc_register with a kernel address", id >= 0);
  expect("DISPATCH with a kernel address", ctl(UPC_CONTROL_DISPATCH, id, 1), 0);
  expect_log("none ran", "");
}

// ---------------------------------------------------------------- exit, fork, exec

static volatile int ex_id;
static struct upcall ex_upc;

// Register, and exit once the upcall is pending (held off by the count): 0, or 1
// if it is not pending PATIENCE ticks after registering.
static int
exit_thread(void *arg)
{
  upcall_crit_enter(&ex_upc, 100);
  ex_id = upcall_register(&ex_upc, nothing, 0);
  for(int waited = 0; ex_id > 0 && waited < PATIENCE; waited++){
    if(upc_control(UPC_CONTROL_POLL, ex_id, 0) > 0)
      return 0;
    sleep(1);
  }
  return 1;
}

// A thread that exits with an upcall pending takes it with it: its id is gone,
// and so is its place in the count.
static void
exit_pending(void)
{
  struct uthread t;

  ex_id = 0;
  check("uthread_create", uthread_create(&t, exit_thread, 0) == 0);
  while(ex_id == 0)
    sleep(1);
  check("the thread's upc_register", ex_id > 0);
  expect("DISPATCH to the thread", ctl(UPC_CONTROL_DISPATCH, ex_id, 1), 0);
  expect("the thread's status (1: its upcall was not pending)", uthread_join(&t), 0);
  experr("DISPATCH to the exited thread's id", ctl(UPC_CONTROL_DISPATCH, ex_id, 1), ENOENT);
  for(int i = 0; i < UPCALL_MAXCOUNT; i++)
    check("a register after the exit", upcall_register(&me, nothing, 0) > ex_id);
}

// fork does not copy upcalls: the child's vmspace is new, and so are its ids.
static void
fork_(void)
{
  int a = reg(note, "a");

  if(xfork() == 0){
    experr("DISPATCH of the parent's id in the child", ctl(UPC_CONTROL_DISPATCH, a, 1), ENOENT);
    expect("POLL -1 in the child", ctl(UPC_CONTROL_POLL, -1, 0), 0);
    expect("the child's first id", reg(note, "c"), UPC_RESERVED);
    expect("DISPATCH in the child", ctl(UPC_CONTROL_DISPATCH, UPC_RESERVED, 1), 0);
    expect_log("in the child", "c");
    exit(0);
  }
  waitok("the child");
  expect("DISPATCH in the parent", ctl(UPC_CONTROL_DISPATCH, a, 1), 0);
  expect_log("in the parent", "a");
}

static int
exec_thread(void *arg)
{
  char *argv[] = { "echo", "upctest: the thread's exec", 0 };

  ex_id = upcall_register(&ex_upc, nothing, 0);
  exec("echo", argv);
  return 1;
}

// exec leaves the shared vmspace: the thread's upcalls stay behind no more.
static void
exec_(void)
{
  struct uthread t;

  ex_id = 0;
  check("uthread_create", uthread_create(&t, exec_thread, 0) == 0);
  expect("the thread's status (echo's)", uthread_join(&t), 0);
  check("the thread's upc_register", ex_id > 0);
  experr("DISPATCH to the id of a thread that exec'd", ctl(UPC_CONTROL_DISPATCH, ex_id, 1),
        ENOENT);
  for(int i = 0; i < UPCALL_MAXCOUNT; i++)
    check("a register after the exec", upcall_register(&me, nothing, 0) > ex_id);
}

// ---------------------------------------------------------------- driver

static const struct vmtest tests[] = {
  { "register", register_ids },
  { "errors", errors },
  { "self", self },
  { "sibling", sibling },
  { "critical", critical },
  { "pollandclear", pollandclear },
  { "pending", pending },
  { "chain", chain },
  { "wait", wait_ },
  { "pingpong", pingpong },
  { "badptr", badptr },
  { "exit_pending", exit_pending },
  { "fork", fork_ },
  { "exec", exec_ },
};

static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, NELEM(tests), 0);
}

int
main(int argc, char *argv[])
{
  vmtest_finish("upctest", "upctest [test...]", argc, argv, runall);
}

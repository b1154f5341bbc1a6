// threadtest: processes that share a vmspace (rfork(RFPROC | RFMEM)) and the thread
// library on them (uthread.c): what one writes the others see, mappings one makes
// the others use, rfork's errors, what ps shows of them (ps_shared); several
// threads on several CPUs changing one map at once (stress); and TLB shootdown:
// once munmap or mprotect returns in one thread, no thread on another CPU can still
// use the old translation (shootdown_*).
//
//   threadtest            run every test, then check that no page leaked
//   threadtest NAME...    run only the named tests
//
// Each test runs in a child and prints "threadtest NAME: OK" or "threadtest NAME:
// FAILED: ..."; the last line is "threadtest: ALL OK" or "threadtest: N FAILED".
// The shootdown tests need two CPUs at least (with one, they pass trivially).

#define VMTEST_PROG "threadtest"
#include "vmtest.h"
#include "user/uthread.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// ---------------------------------------------------------------- basic

static volatile int shared_word;

static int
set_word(void *arg)
{
  shared_word = (int)(uint64)arg;
  return 7;
}

// A thread's store to a global is the creator's; its return value is its status.
static void
basic(void)
{
  struct uthread t;

  shared_word = 0;
  check("uthread_create", uthread_create(&t, set_word, (void *)42) == 0);
  expect("join's status", uthread_join(&t), 7);
  expect("the word the thread stored", shared_word, 42);
}

static char *volatile made;

static int
make_mapping(void *arg)
{
  char *p = mmap(0, 4 * P, RW, ANON, -1, 0);

  if(p == MAP_FAILED)
    return 1;
  for(int i = 0; i < 4; i++)
    p[i * P] = 'a' + i;
  made = p;
  return 0;
}

// A mapping one thread makes is the others': they read it, and can unmap it.
static void
mapping(void)
{
  struct uthread t;

  made = 0;
  check("uthread_create", uthread_create(&t, make_mapping, 0) == 0);
  expect("join's status", uthread_join(&t), 0);
  check("the thread's mapping", made != 0);
  for(int i = 0; i < 4; i++)
    expect("a byte the thread wrote", made[i * P], 'a' + i);
  expect("munmap of the thread's mapping", munmap(made, 4 * P), 0);
}

static int
child_forks(void *arg)
{
  int pid = fork();

  if(pid == 0){
    shared_word = 99;     // the fork child's own copy
    exit(0);
  }
  int st = -2;
  wait(&st);
  return pid > 0 && st == 0 ? 0 : 1;
}

// A plain fork from a thread copies the shared vmspace: the copy's stores stay in it.
static void
fork_in_thread(void)
{
  struct uthread t;

  shared_word = 1;
  check("uthread_create", uthread_create(&t, child_forks, 0) == 0);
  expect("join's status", uthread_join(&t), 0);
  expect("the word (the fork child wrote its copy)", shared_word, 1);
}

// rfork takes RFPROC alone or with RFMEM.
static void
errors(void)
{
  expect("rfork(0)", rfork(0), -1);
  expect("errno", errno, EINVAL);
  expect("rfork(RFMEM)", rfork(RFMEM), -1);
  expect("errno", errno, EINVAL);
  expect("rfork(RFPROC | 1)", rfork(RFPROC | 1), -1);
  expect("errno", errno, EINVAL);
  int pid = rfork(RFPROC);
  if(pid == 0)
    exit(3);
  int st = 0;
  check("wait", wait(&st) == pid);
  expect("rfork(RFPROC) child's status", st, 3);
}

// ---------------------------------------------------------------- ps

static struct uevent go;

static int
wait_for_go(void *arg)
{
  uevent_wait(&go);
  return 0;
}

// The next field of the line at *s (fields split by spaces), as a number.
static long
field(char **s)
{
  while(**s == ' ')
    (*s)++;
  long v = atoi(*s);
  while(**s && **s != ' ' && **s != '\n')
    (*s)++;
  return v;
}

// ps's line for pid: SIZE, RSS, PSS and SH in f[0..3]; 0 if there is none.
static int
ps_line(char *out, int pid, long f[4])
{
  for(char *s = out; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s)){
    char *t = s;
    if(field(&t) != pid)
      continue;
    while(*t == ' ')
      t++;
    while(*t && *t != ' ')
      t++;                                    // STATE
    f[0] = field(&t);
    f[1] = field(&t);
    f[2] = field(&t);
    field(&t);                                // STACK
    f[3] = field(&t);
    return 1;
  }
  return 0;
}

// ps shows this process and its two threads sharing the address space: SH 3, one
// SIZE and RSS, and the PSS split evenly among them.
static void
ps_shared(void)
{
  static char out[4096];
  struct uthread t[2];
  int fd[2], n = 0, r;
  long f[3][4];

  check("uevent_init", uevent_init(&go) == 0);
  for(int i = 0; i < 2; i++)
    check("uthread_create", uthread_create(&t[i], wait_for_go, 0) == 0);
  check("pipe", pipe(fd) == 0);
  int pid = xfork();
  if(pid == 0){
    char *argv[] = { "ps", 0 };
    close(1);
    dup(fd[1]);
    close(fd[0]);
    close(fd[1]);
    exec("/ps", argv);
    exit(1);
  }
  close(fd[1]);
  while(n < (int)sizeof(out) - 1 && (r = read(fd[0], out + n, sizeof(out) - 1 - n)) > 0)
    n += r;
  out[n] = 0;
  close(fd[0]);
  waitok("ps");
  int pids[3] = { getpid(), t[0].pid, t[1].pid };
  for(int i = 0; i < 3; i++){
    if(!ps_line(out, pids[i], f[i])){
      printf("threadtest ps_shared: FAILED: no line for pid %d in:\n%s", pids[i], out);
      exit(1);
    }
    expect("SH", f[i][3], 3);
    expect("SIZE, as the creator's", f[i][0], f[0][0]);
    expect("RSS, as the creator's", f[i][1], f[0][1]);
    expect("PSS, as the creator's", f[i][2], f[0][2]);
  }
  for(int i = 0; i < 2; i++)
    uevent_signal(&go);
  for(int i = 0; i < 2; i++)
    expect("a thread's status", uthread_join(&t[i]), 0);
  uevent_close(&go);
}

// ---------------------------------------------------------------- stress

// Four threads change one map at once, for a fixed number of operations each. In
// window A they only map anew (MAP_FIXED, read-write: a thread touching A always
// finds a mapping there) and store and load words; every word read must be 0 or
// one that some thread stored. Window B they never touch themselves: they map,
// unmap, protect, wire and unwire it and have the kernel read and write it, so that
// wiring (entries in transition, faulting with the map unlocked) meets munmap and
// mprotect of the same pages from another CPU; and they verify the map meanwhile.
#define NTHREADS 4
#define OPS 400
#define APAGES 16
#define BPAGES 16
#define MAGIC 0x5eed0000UL

static char *wa, *wb;
static volatile int bad;
static volatile uint64 badword;

static uint64
rnd(uint64 *s)
{
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void
op_a(uint64 *s, int who, int n)
{
  uint64 pg = rnd(s) % APAGES, len = 1 + rnd(s) % (APAGES - pg);
  uint64 *w = (uint64 *)(wa + pg * P);

  switch(rnd(s) % 4){
  case 0:
    if(mmap(wa + pg * P, len * P, RW, ANON | MAP_FIXED, -1, 0) == MAP_FAILED)
      bad = 1;
    break;
  case 1:
    w[rnd(s) % (P / 8)] = MAGIC << 32 | (uint64)who << 24 | (uint64)n;
    break;
  default: {
    uint64 v = w[rnd(s) % (P / 8)];
    if(v != 0 && (v >> 32) != MAGIC){
      badword = v;
      bad = 2;
    }
  }
  }
}

static void
op_b(uint64 *s, int fd[2])
{
  uint64 pg = rnd(s) % BPAGES, len = 1 + rnd(s) % (BPAGES - pg);
  char *p = wb + pg * P, c = 'x';

  // Any of these may fail (ENOMEM where a hole is, EFAULT): what matters is that
  // none wedges, corrupts the map or kills a thread.
  switch(rnd(s) % 8){
  case 0: mmap(p, len * P, RW, ANON | MAP_FIXED, -1, 0); break;
  case 1: munmap(p, len * P); break;
  case 2: mprotect(p, len * P, rnd(s) % 2 ? RW : PROT_READ); break;
  case 3: mlock(p, len * P); break;
  case 4: munlock(p, len * P); break;
  case 5:
    if(write(fd[1], &c, 1) == 1 && read(fd[0], p, 1) < 0)
      read(fd[0], &c, 1);     // (p was not writable: take the byte back)
    break;
  case 6:
    if(write(fd[1], p, 1) == 1)
      read(fd[0], &c, 1);
    break;
  case 7:
    // The map as the others leave it between their calls: every invariant holds
    // (another thread's wiring may be under way).
    if(vmverify(0) != 0)
      bad = 3;
    break;
  }
}

static int
stress_thread(void *arg)
{
  int who = (int)(uint64)arg, fd[2];
  uint64 s = 0x9e3779b97f4a7c15UL * (who + 1);

  if(pipe(fd) < 0)
    return 1;
  for(int n = 0; n < OPS && !bad; n++){
    op_a(&s, who, n);
    op_b(&s, fd);
  }
  close(fd[0]);
  close(fd[1]);
  return 0;
}

static void
stress(void)
{
  struct uthread t[NTHREADS];

  wa = xmmap("window A", APAGES * P, RW, ANON);
  wb = xmmap("window B", BPAGES * P, RW, ANON);
  bad = 0;
  for(int i = 0; i < NTHREADS; i++)
    check("uthread_create", uthread_create(&t[i], stress_thread, (void *)(uint64)i) == 0);
  for(int i = 0; i < NTHREADS; i++)
    expect("a thread's status", uthread_join(&t[i]), 0);
  if(bad == 2){
    printf("threadtest stress: FAILED: read 0x%lx, which no thread wrote\n", badword);
    exit(1);
  }
  expect("vmverify while the others ran (see the console)", bad == 3, 0);
  expect("a failed MAP_FIXED remap of window A", bad, 0);
  expect("vmverify", vmverify(0), 0);
  munlock(wb, BPAGES * P);
  expect("munmap of window A", munmap(wa, APAGES * P), 0);
  expect("munmap of window B", munmap(wb, BPAGES * P), 0);
}

// ---------------------------------------------------------------- shootdown

// A thread reads a page in a loop (on another CPU: it never sleeps) while this one
// takes the page away. The thread reads the flag that says "taken", then the page:
// once it has seen the flag, the read must fault (which kills it), since the
// page was taken before the flag was set. A read that succeeds used a stale TLB
// entry (its value is that of a page the kernel may have freed).
static volatile int started, taken;
static volatile char *victim;

static int
spin_reader(void *arg)
{
  for(;;){
    int t = taken;
    __sync_synchronize();
    char c = *victim;
    started = 1;
    if(t){
      printf("threadtest %s: FAILED: a read after the page was taken saw %d: a stale "
             "TLB entry\n", test, c);
      exit(1);
    }
  }
}

static void
shootdown_by(int unmap)
{
  struct uthread t;

  victim = xmmap("the page", P, RW, ANON);
  victim[0] = 'v';
  started = taken = 0;
  check("uthread_create", uthread_create(&t, spin_reader, 0) == 0);
  while(!started)
    ;
  // Let it spin a while with the translation cached.
  for(volatile int i = 0; i < 100000; i++)
    ;
  if(unmap)
    expect("munmap", munmap((void *)victim, P), 0);
  else
    expect("mprotect PROT_NONE", mprotect((void *)victim, P, PROT_NONE), 0);
  __sync_synchronize();
  taken = 1;
  // The reader faults at once, or says it did not, and exits 1.
  expect("the reader's end (killed by its fault)", uthread_join(&t), -1);
  if(!unmap)
    munmap((void *)victim, P);
}

static void shootdown_munmap(void) { shootdown_by(1); }
static void shootdown_mprotect(void) { shootdown_by(0); }

// ---------------------------------------------------------------- driver

static const struct vmtest tests[] = {
  { "basic", basic },
  { "mapping", mapping },
  { "fork_in_thread", fork_in_thread },
  { "errors", errors },
  { "ps_shared", ps_shared },
  { "stress", stress },
  { "shootdown_munmap", shootdown_munmap },
  { "shootdown_mprotect", shootdown_mprotect },
};

static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, NELEM(tests), 0);
}

int
main(int argc, char *argv[])
{
  vmtest_finish("threadtest", "threadtest [test...]", argc, argv, runall);
}

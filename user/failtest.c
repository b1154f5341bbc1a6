// failtest: each kernel allocation of a workload made to fail in turn (DEBUG=1
// kernels: failnth). For n = 1, 2, ... a child arms failnth(n) and runs the
// workload: its nth allocation (a page, a zone item or reservation) fails. Each
// call must then succeed or fail with the errno of short memory (ENOMEM; EAGAIN
// for fork and mlock), the child ends there (or runs on, if the kernel retried
// for it), its map must pass vmverify, and once it is reaped every page must be
// free again; the kernel may kill it (and says why), never panic or hang. The
// sweep ends at the first n that the workload never reaches.
//
//   failtest            every workload, then check that no page leaked
//   failtest NAME...    only these
//
// Each workload prints "failtest NAME: OK" (after "failtest NAME: N allocations,
// K children killed") or "failtest NAME: FAILED: n=N: ..."; the last line is
// "failtest: ALL OK" or "failtest: N FAILED".

#define VMTEST_PROG "failtest"
#include "vmtest.h"
#include "user/uthread.h"
#include "user/upcall.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))
#define MAXN 2000         // more allocations than any workload makes
#define DONE_FIRED 0      // the armed child's exit status: the nth allocation failed
#define DONE_UNREACHED 2  // it finished with allocations to spare: the sweep is over
#define TMPFILE "failtest.tmp"

static char *self;        // this program's path, for exec
static int nth;           // the armed child's n
static char label[32];    // the armed child's test: "NAME n=N", for failure lines

// label = "name n=k"
static char *
labelled(char *name, int k)
{
  char digits[12];
  int nd = 0, i = strlen(name);

  memmove(label, name, i);
  memmove(label + i, " n=", 3);
  i += 3;
  do
    digits[nd++] = '0' + k % 10;
  while((k /= 10) > 0);
  while(nd > 0)
    label[i++] = digits[--nd];
  label[i] = 0;
  return label;
}

// The child is done: exit with whether its count ran out. (Its map first: a
// failed call must leave it whole.)
static void __attribute__((noreturn))
finish(void)
{
  long left = failnth(0);

  if(vmverify(0) != 0){
    printf("failtest %s: FAILED: vmverify (see the kernel's line above)\n", test);
    exit(1);
  }
  exit(left > 0 ? DONE_UNREACHED : DONE_FIRED);
}

// r, the result of what, is a success (not -1), or a failure for want of memory
// (ENOMEM, or err2 if it is not 0): then the child is done.
static long
may_fail(char *what, long r, int err2)
{
  if(r != -1)
    return r;
  if(errno == ENOMEM || (err2 && errno == err2))
    finish();
  printf("failtest %s: FAILED: %s: expected success or ENOMEM%s%s, got %s\n", test, what,
         err2 ? " or " : "", err2 ? errname(err2) : "", errname(errno));
  exit(1);
}

static void
fill(char *p, uint64 n, int c)
{
  memset(p, c, n);
}

static void
expect_bytes(char *what, char *p, uint64 n, int c)
{
  for(uint64 i = 0; i < n; i++)
    if((unsigned char)p[i] != (unsigned char)c){
      printf("failtest %s: FAILED: %s: byte %ld: expected %d got %d\n", test,
             what, (long)i, c, (unsigned char)p[i]);
      exit(1);
    }
}

// ---------------------------------------------------------------- workloads

// The heap and anonymous memory: grow and touch, clip with mprotect and munmap,
// wire a page, give it all back.
static void
anon(void)
{
  char *brk = (char *)may_fail("sbrk(3 pages)", (long)sbrk(3 * P), 0);
  fill(brk, 3 * P, 1);
  char *p = (char *)may_fail("mmap", (long)mmap(0, 8 * P, RW, ANON, -1, 0), 0);
  fill(p, 8 * P, 2);
  may_fail("mprotect of pages 2-3", mprotect(p + 2 * P, 2 * P, PROT_READ), 0);
  expect_bytes("the read-only pages", p + 2 * P, 2 * P, 2);
  may_fail("mlock of page 5", mlock(p + 5 * P, P), EAGAIN);
  fill(p + 5 * P, P, 3);
  may_fail("munlock of page 5", munlock(p + 5 * P, P), EAGAIN);
  expect("munmap of page 6 (which never fails)", munmap(p + 6 * P, P), 0);
  expect_bytes("page 7", p + 7 * P, P, 2);
  expect("munmap of the rest", munmap(p, 8 * P), 0);
  expect_bytes("the heap", brk, 3 * P, 1);
  may_fail("sbrk(-3 pages)", (long)sbrk(-3 * P), 0);
}

// fork: the child sees the parent's bytes, and each side's later writes are its own.
static void
fork_(void)
{
  char *p = (char *)may_fail("mmap", (long)mmap(0, 4 * P, RW, ANON, -1, 0), 0);
  fill(p, 4 * P, 4);
  int pid = may_fail("fork", fork(), EAGAIN);
  if(pid == 0){
    expect_bytes("the child's copy", p, 4 * P, 4);
    fill(p, 2 * P, 5);
    exit(0);
  }
  fill(p + 2 * P, 2 * P, 6);
  int st;
  expect("wait", wait(&st), pid);
  // The child is not armed: its allocations do not fail, and it must do well.
  if(!exited_with(st, 0)){
    printf("failtest %s: FAILED: the child's status %d\n", test, st);
    exit(1);
  }
  expect_bytes("the parent's pages 0-1 after the child wrote its own", p, 2 * P, 4);
  expect_bytes("the parent's pages 2-3", p + 2 * P, 2 * P, 6);
}

// A file mapped shared, written through the mapping and read back with read(),
// and a pipe.
static void
file(void)
{
  static char buf[2 * P];
  int fd = open(TMPFILE, O_CREATE | O_RDWR);
  check("open " TMPFILE, fd >= 0);
  fill(buf, 2 * P, 7);
  expect("write", write(fd, buf, 2 * P), 2 * P);
  char *p = (char *)may_fail("mmap of the file", (long)mmap(0, 2 * P, RW, MAP_SHARED, fd, 0), 0);
  expect_bytes("the mapped file", p, 2 * P, 7);
  fill(p + P, P, 8);
  may_fail("msync", msync(p, 2 * P, MS_SYNC), 0);
  expect("munmap of the file", munmap(p, 2 * P), 0);
  close(fd);
  fd = open(TMPFILE, O_RDWR);
  check("open again", fd >= 0);
  expect("read", read(fd, buf, 2 * P), 2 * P);
  expect_bytes("page 1 of the file", buf + P, P, 8);
  close(fd);
  int fds[2];
  may_fail("pipe", pipe(fds), 0);
  expect("write to the pipe", write(fds[1], "failtest", 8), 8);
  expect("read from the pipe", read(fds[0], buf, 8), 8);
  check("the pipe's bytes", memcmp(buf, "failtest", 8) == 0);
  close(fds[0]);
  close(fds[1]);
}

static int
thread_main(void *arg)
{
  *(volatile int *)arg = 42;
  return 7;
}

// A thread (a process that shares this one's vmspace) started and joined.
static void
thread(void)
{
  static volatile int seen;
  struct uthread t;

  may_fail("uthread_create", uthread_create(&t, thread_main, (void *)&seen), EAGAIN);
  expect("the thread's status", uthread_join(&t), 7);
  expect("what the thread wrote", seen, 42);
}

// A frame of 1 KiB on the stack, n deep: 0. (The frame is used after the call, so
// that the call is not a jump.)
static int
deep(int n)
{
  volatile char frame[1024];

  frame[0] = n & 0x7f;
  return n == 0 ? 0 : deep(n - 1) + frame[0] - (n & 0x7f);
}

// Stack growth (lab 4): 64 KiB of stack below where it was.
static void
stack(void)
{
  expect("deep(64)", deep(64), 0);
}

static volatile int upcalled;

static void
upcall_fn(void *arg)
{
  upcalled = 1;
}

// An upcall (lab 6) registered, dispatched to this process (it runs before
// upc_control returns) and deleted.
static void
upcall(void)
{
  static struct upcall me;
  int id = may_fail("upcall_register", upcall_register(&me, upcall_fn, 0), 0);

  expect("upcall_dispatch to myself", upcall_dispatch(id, 1), 0);
  expect("the upcall ran", upcalled, 1);
  expect("DELETE", upc_control(UPC_CONTROL_DELETE, id, 0), 0);
}

static void
resident_entry(int argc, char **argv)
{
  exit(0);
}

// This program made resident (lab 7): a snapshot of this process, dropped again.
static void
resident(void)
{
  may_fail("exec_sys_register", exec_sys_register(resident_entry), 0);
  expect("exec_sys_unregister(-1): registrations dropped", exec_sys_unregister(-1), 1);
}

// exec of this program, which then only says whether the count ran out.
static void
exec_(void)
{
  char *argv[] = { self, "-exec", 0 };

  may_fail("exec", exec(self, argv), 0);
}

// ---------------------------------------------------------------- the sweep

static const struct vmtest tests[] = {
  { "anon", anon },
  { "fork", fork_ },
  { "file", file },
  { "thread", thread },
  { "stack", stack },
  { "upcall", upcall },
  { "resident", resident },
  { "exec", exec_ },
};

static void (*workload)(void);  // the workload that sweep() runs

// Sweep n over the workload (in the test's child): see the top of the file.
static void
sweep(void)
{
  int killed = 0, st;

  // A fork first, unarmed: this process's own pages that a fork makes
  // copy-on-write and its writes then copy are copied once and for all.
  if(xfork() == 0)
    exit(0);
  expect("wait", wait(&st) > 0, 1);
  for(nth = 1; nth <= MAXN; nth++){
    struct memsnap m0, m1;
    memsnap(&m0);
    int pid = xfork();
    if(pid == 0){
      test = labelled(test, nth);
      failnth(nth);
      workload();
      finish();
    }
    expect("wait", wait(&st), pid);
    unlink(TMPFILE);
    if(exited_with(st, 1))
      exit(1);
    if(!memsnap_settle(&m0, &m1, 500)){
      printf("failtest %s: FAILED: %ld free pages before, %ld after ",
             labelled(test, nth), m0.free, m1.free);
      memsnap_print(&m0, &m1);
      printf("\n");
      exit(1);
    }
    if(exited_with(st, DONE_UNREACHED))
      break;
    killed += was_killed(st);
    if(!was_killed(st) && !exited_with(st, DONE_FIRED)){
      printf("failtest %s: FAILED: the child's status %d\n", labelled(test, nth), st);
      exit(1);
    }
  }
  // Fewer than 2: failnth did not make the first allocation fail.
  check("at least one allocation", nth >= 2);
  check("the sweep ends", nth <= MAXN);
  printf("failtest %s: %d allocations, %d children killed\n", test, nth - 1, killed);
}

static int
runone(int i)
{
  workload = tests[i].fn;
  return vmtest_run(tests[i].name, sweep);
}

static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, NELEM(tests), runone);
}

int
main(int argc, char *argv[])
{
  self = argv[0];
  if(argc == 2 && strcmp(argv[1], "-exec") == 0){
    test = "exec";
    finish();
  }
  if(failnth(0) < 0){
    printf("failtest: failnth: %s: needs a DEBUG=1 kernel\n", errname(errno));
    exit(1);
  }
  vmtest_finish("failtest", "failtest [anon] [fork] [file] [thread] [stack] [upcall] [resident] [exec]", argc, argv, runall);
}

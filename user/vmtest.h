// What the VM test programs (mmaptest, cowtest, stacktest, wiretest) share: the
// checks that end a failed test and the helpers built on them (with VMTEST_PROG
// defined), and the end of the program: run the tests, check that free memory came
// back, print the verdict line, exit. Included by
// the programs, which also build on Linux (gcc -o mmaptest user/mmaptest.c), where
// the free-page count (vmlab's freemem) is skipped.
#ifndef _USER_VMTEST_H_
#define _USER_VMTEST_H_

#include "vmtest_sys.h"

// An errno's name, for failure lines ("E?" for one not in the list).
static __attribute__((unused)) char *
errname(int e)
{
  static const struct { int err; char *name; } names[] = {
    { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
    { EIO, "EIO" }, { E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
    { ECHILD, "ECHILD" }, { EDEADLK, "EDEADLK" }, { ENOMEM, "ENOMEM" },
    { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
    { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
    { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" },
    { EPIPE, "EPIPE" }, { ERANGE, "ERANGE" }, { EAGAIN, "EAGAIN" }, { ENOSYS, "ENOSYS" },
  };

  for(int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
    if(names[i].err == e)
      return names[i].name;
  return "E?";
}

#ifdef VMTEST_PROG
// A failed check ends the test (its child) with a line that says what it saw.
// For the programs that define VMTEST_PROG, their name, before including this.

static char *test;       // the test running (in its child)

static void
expect(char *what, long got, long want)
{
  if(got == want)
    return;
  printf(VMTEST_PROG " %s: FAILED: %s: expected %ld got %ld\n", test, what, want, got);
  exit(1);
}

#ifndef LINUX
// Free memory came back to where snapshot m0 says, within a second (another
// process may hold a page for a moment: a leak stays, it does not; zone pages may
// move with nothing leaked: user/memsnap.h).
static __attribute__((unused)) void
expect_memsnap(char *what, struct memsnap *m0)
{
  struct memsnap m1;

  if(memsnap_settle(m0, &m1, 100))
    return;
  printf(VMTEST_PROG " %s: FAILED: %s: expected %ld free pages got %ld ", test, what,
         m0->free, m1.free);
  memsnap_print(m0, &m1);
  printf("\n");
  exit(1);
}
#endif

static void
check(char *what, int ok)
{
  if(ok)
    return;
  printf(VMTEST_PROG " %s: FAILED: %s (errno %s)\n", test, what, errname(errno));
  exit(1);
}

// A call that must fail with errno err. (Not every program uses it.)
static __attribute__((unused)) void
experr(char *what, long r, int err)
{
  if(r == -1 && errno == err)
    return;
  if(r == -1)
    printf(VMTEST_PROG " %s: FAILED: %s: expected %s got %s\n", test, what, errname(err),
           errname(errno));
  else
    printf(VMTEST_PROG " %s: FAILED: %s: expected %s, it succeeded (%ld)\n", test,
           what, errname(err), r);
  exit(1);
}

// Anonymous memory, and a child, or the test fails. (Not every program uses each.)
static __attribute__((unused)) char *
xmmap(char *what, uint64 len, int prot, int flags)
{
  char *p = mmap(0, len, prot, flags, -1, 0);

  check(what, p != MAP_FAILED);
  return p;
}

static __attribute__((unused)) int
xfork(void)
{
  int pid = fork();

  check("fork", pid >= 0);
  return pid;
}

// Run test name, fn, in a child, and print its verdict line: 1 if it passed. (A
// child that exits 1 has printed why; one the kernel killed is said to be.)
static __attribute__((unused)) int
vmtest_run(char *name, void (*fn)(void))
{
  int pid, st = 0;

  test = name;
  if((pid = fork()) < 0){
    printf(VMTEST_PROG " %s: FAILED: fork (errno %s)\n", test, errname(errno));
    return 0;
  }
  if(pid == 0){
    fn();
    exit(0);
  }
  wait(&st);
  if(exited_with(st, 0)){
    printf(VMTEST_PROG " %s: OK\n", test);
    return 1;
  }
  if(was_killed(st))
    printf(VMTEST_PROG " %s: FAILED: killed\n", test);
  return 0;
}

// Wait for the child and check it exited with status 0. (A child that exits 1 has
// printed why: this process exits 1 too, quietly.)
static __attribute__((unused)) void
waitok(char *what)
{
  int st = 0;

  check("wait", wait(&st) > 0);
  if(exited_with(st, 1))
    exit(1);
  if(!exited_with(st, 0)){
    printf(VMTEST_PROG " %s: FAILED: %s: the child exited with status %d\n", test, what, st);
    exit(1);
  }
}
#endif

// A program's tests: each runs in a child of its own and prints its verdict line.
struct vmtest {
  char *name;
  void (*fn)(void);
};

// Run, with run(i), the tests of t[0..n) named in argv (all if none): the number
// that failed, or -1 if no test has such a name. run 0: vmtest_run each (in
// programs that define VMTEST_PROG).
static int
vmtest_select(int argc, char *argv[], const struct vmtest *t, int n, int (*run)(int))
{
  int failed = 0, ran = 0;

  for(int i = 0; i < n; i++){
    int want = argc == 1;
    for(int j = 1; j < argc; j++)
      if(strcmp(argv[j], t[i].name) == 0)
        want = 1;
    if(!want)
      continue;
    ran++;
#ifdef VMTEST_PROG
    if(!(run ? run(i) : vmtest_run(t[i].name, t[i].fn)))
#else
    if(!run(i))
#endif
      failed++;
  }
  return ran ? failed : -1;
}

// runall(argc, argv) runs the tests named in argv (all if none) and returns how
// many failed, or -1 for a bad name; usage is printed then.
static void __attribute__((noreturn))
vmtest_finish(const char *prog, const char *usage, int argc, char *argv[],
              int (*runall)(int, char **))
{
  int failed;

#ifdef LINUX
  failed = runall(argc, argv);
  if(argc == 1)
    printf("%s freemem: skipped on Linux\n", prog);
#else
  // The tests run in a child of their own, so that this process, which counts
  // the free pages, changes as little as it can meanwhile: one fork.
  warmup();
  struct memsnap m0, m1;
  memsnap(&m0);
  int pid = fork(), st = 0;
  if(pid == 0)
    exit(runall(argc, argv));
  wait(&st);
  failed = st;
  if(argc == 1){
    // (Zone pages may move with nothing leaked: user/memsnap.h.)
    if(memsnap_settle(&m0, &m1, 100))
      printf("%s freemem: OK\n", prog);
    else {
      printf("%s freemem: FAILED: expected %ld free pages got %ld ", prog, m0.free, m1.free);
      memsnap_print(&m0, &m1);
      printf("\n");
      failed++;
    }
  }
#endif
  if(failed < 0){
    printf("usage: %s\n", usage);
    exit(1);
  }
  if(failed)
    printf("%s: %d FAILED\n", prog, failed);
  else
    printf("%s: ALL OK\n", prog);
  exit(failed != 0);
}

#endif

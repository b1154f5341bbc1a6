// cowtest: lab 3 (fork). vmspace_fork with inheritance and copy-on-write: what a
// child and its parent see of each other's writes, how few pages a fork costs, and
// the kernel's own copies (read() into, write() from) of copy-on-write memory.
//
//   cowtest            run every test, then check that no page leaked
//   cowtest NAME...    run only the named tests
//
// Each test runs in a child and prints "cowtest NAME: OK" or "cowtest NAME:
// FAILED: ..."; the last line is "cowtest: ALL OK" or "cowtest: N FAILED".
//
// It also builds and runs on Linux (gcc -o cowtest user/cowtest.c); there minherit
// (BSD only) and the page counts (vmlab's freemem) are skipped.

#define VMTEST_PROG "cowtest"
#include "vmtest.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))
#define BIGPAGES 2048    // 8 MiB

static int test_pid;     // the process that runs it
static char *self;       // this program's path, for exec

#ifdef LINUX
static int exec(char *path, char **argv) { return execv(path, argv); }
#endif

// ---------------------------------------------------------------- checking

// Every byte of [p, p+n) is c.
static void
expect_bytes(char *what, char *p, uint64 n, int c)
{
  for(uint64 i = 0; i < n; i++){
    if((unsigned char)p[i] != (unsigned char)c){
      printf("cowtest %s: FAILED: %s: byte %ld: expected %d got %d\n", test, what,
             (long)i, c, (unsigned char)p[i]);
      exit(1);
    }
  }
}

// The first byte of each of n pages at p is c.
static void
expect_pages(char *what, char *p, int n, int c)
{
  for(int i = 0; i < n; i++){
    if((unsigned char)p[(uint64)i * P] != (unsigned char)c){
      printf("cowtest %s: FAILED: %s: page %d: expected %d got %d\n", test, what, i, c,
             (unsigned char)p[(uint64)i * P]);
      exit(1);
    }
  }
}

// One byte through a pipe: the other side may go on.
static void
signal_(int fd)
{
  check("write pipe", write(fd, "x", 1) == 1);
}

// End of file instead means the other side died. The test's own process says so;
// a helper it forked exits quietly: the process that died has said why, and a
// helper's line would come out after the test's, in the middle of the next test's.
static void
await(int fd)
{
  char c;
  int n = read(fd, &c, 1);

  if(n == 0 && getpid() != test_pid)
    exit(1);
  check("read pipe: the other process died", n == 1);
}

static long
free_pages(void)
{
#ifdef LINUX
  return 0;
#else
  return freemem();
#endif
}

// The map keeps its invariants (vmverify: NEEDS_COPY only with COW, say).
static void
verify(char *who)
{
#ifndef LINUX
  if(vmverify(0) != 0){
    printf("cowtest %s: FAILED: %s: vmverify says the map is broken (see the console)\n",
           test, who);
    exit(1);
  }
#else
  (void)who;
#endif
}

#ifndef LINUX
// The map entry containing va, from vmmap(): 1 if found.
static int
entry_at(char *va, struct kinfo_vmentry *out)
{
  static struct kinfo_vmentry kve[64];
  int n = vmmap(0, kve, 64);

  for(int i = 0; i < n && i < 64; i++)
    if(kve[i].kve_start <= (uint64)va && (uint64)va < kve[i].kve_end){
      *out = kve[i];
      return 1;
    }
  return 0;
}
#endif

// The copy-on-write chain under the entry at va has depth objects (vmmap's DEPTH).
static void
expect_depth(char *what, char *va, int depth)
{
#ifndef LINUX
  struct kinfo_vmentry e;

  check("vmmap: an entry at the address", entry_at(va, &e));
  if(e.kve_shadow_depth != depth){
    printf("cowtest %s: FAILED: %s: a chain of %d objects, expected %d\n", test, what,
           e.kve_shadow_depth, depth);
    exit(1);
  }
#else
  (void)what;
  (void)va;
  (void)depth;
#endif
}

// Drop the page table's mappings of [p, p+len), so that the next accesses fault and
// find their pages down the chain of objects afresh: a read-only PTE left from
// before a collapse would still show the right page even if the collapse lost it.
// (On Linux, MADV_DONTNEED would throw private pages away: nothing there.)
static void
refault(char *p, uint64 len)
{
#ifndef LINUX
  check("madvise DONTNEED", madvise(p, len, MADV_DONTNEED) == 0);
#else
  (void)p;
  (void)len;
#endif
}

// ---------------------------------------------------------------- the tests

static char data[2 * P] = { 'd' };    // initialised data
static char bss[2 * P];

// Writes after fork, on either side, to anonymous memory, data, bss, heap and
// stack, are private.
static void
isolation(void)
{
  char *a = xmmap("mmap", 4 * P, RW, ANON);
  char *h = sbrk(2 * P);
  char stack[64];
  int tochild[2], toparent[2];

  check("sbrk", h != (char *)-1);
  memset(a, 'p', 4 * P);
  memset(h, 'p', 2 * P);
  memset(stack, 'p', sizeof(stack));
  data[0] = bss[0] = 'p';
  check("pipe", pipe(tochild) == 0 && pipe(toparent) == 0);
  if(xfork() == 0){
    // Each side closes the ends it does not use, so that it sees end of file,
    // not a hang, if the other side dies.
    close(tochild[1]);
    close(toparent[0]);
    verify("child");
    await(tochild[0]);   // the parent has written
    expect_bytes("child: mmap page 1 after the parent wrote it", a + P, P, 'p');
    expect_bytes("child: mmap page 3 (the last) after the parent wrote it", a + 3 * P, P, 'p');
    expect("child: data after the parent wrote it", data[0], 'p');
    expect("child: bss after the parent wrote it", bss[0], 'p');
    expect("child: heap after the parent wrote it", h[P], 'p');
    expect("child: stack after the parent wrote it", stack[0], 'p');
    memset(a, 'c', P);
    memset(a + 2 * P, 'c', P);
    data[0] = bss[0] = h[0] = stack[1] = 'c';
    expect_bytes("child: its own write", a, P, 'c');
    signal_(toparent[1]);
    exit(0);
  }
  close(tochild[0]);
  close(toparent[1]);
  verify("parent");
  memset(a + P, 'q', P);
  memset(a + 3 * P, 'q', P);
  data[0] = bss[0] = h[P] = stack[0] = 'q';
  signal_(tochild[1]);
  await(toparent[0]);   // the child has written
  close(tochild[1]);
  close(toparent[0]);
  expect_bytes("parent: mmap page 0 after the child wrote it", a, P, 'p');
  expect_bytes("parent: mmap page 2 after the child wrote it", a + 2 * P, P, 'p');
  expect_bytes("parent: its own write", a + P, P, 'q');
  expect_bytes("parent: its own write to page 3", a + 3 * P, P, 'q');
  expect("parent: heap", h[0], 'p');
  expect("parent: stack", stack[1], 'p');
  waitok("child");
  expect("parent: data after the child exited", data[0], 'q');
  expect("parent: bss after the child exited", bss[0], 'q');
  expect_bytes("parent: page 0 after the child exited", a, P, 'p');
}

// Parent and child write the same pages at the same time (on other CPUs, with
// CPUS > 1): each must see only its own writes.
static void
concurrent(void)
{
  int n = 64;
  char *a = xmmap("mmap", (uint64)n * P, RW, ANON);
  int pid;

  memset(a, 'o', (uint64)n * P);
  pid = xfork();
  for(int round = 0; round < 4; round++){
    int c = (pid == 0 ? 'c' : 'p') + round;
    for(int i = 0; i < n; i++)
      a[(uint64)i * P + round] = c;
  }
  for(int round = 0; round < 4; round++)
    expect_pages(pid == 0 ? "child's pages" : "parent's pages", a + round, n,
                 (pid == 0 ? 'c' : 'p') + round);
  expect_pages("untouched bytes", a + 4, n, 'o');
  if(pid == 0)
    exit(0);
  waitok("child");
}

// Shared memory: MAP_SHARED anonymous, or private memory made INHERIT_SHARE, is
// the same memory in the child.
static void
share(void)
{
  char *s = xmmap("mmap shared", 2 * P, RW, MAP_SHARED | MAP_ANON);
  char *a = xmmap("mmap private", 2 * P, RW, ANON);

  s[0] = 'p';
  a[0] = 'p';
#ifndef LINUX
  check("minherit SHARE", minherit(a, 2 * P, INHERIT_SHARE) == 0);
#endif
  if(xfork() == 0){
    expect("child: shared", s[0], 'p');
    expect("child: inherit-share", a[0], 'p');
    s[0] = 'c';
    s[P] = 'c';     // a page the parent never touched
    a[0] = 'c';
    a[P] = 'c';
    exit(0);
  }
  waitok("child");
  expect("parent: MAP_SHARED page 0 written by the child", s[0], 'c');
  expect("parent: MAP_SHARED page 1 written by the child", s[P], 'c');
#ifndef LINUX
  expect("parent: INHERIT_SHARE page 0 written by the child", a[0], 'c');
  expect("parent: INHERIT_SHARE page 1 written by the child", a[P], 'c');
  // And the other way: the parent's write reaches a new child.
  a[0] = 'q';
  if(xfork() == 0){
    expect("second child: the parent's write", a[0], 'q');
    exit(0);
  }
  waitok("second child");
#endif
}

// INHERIT_COPY makes even a MAP_SHARED mapping a private copy in the child.
static void
copy(void)
{
#ifndef LINUX
  char *s = xmmap("mmap shared", 2 * P, RW, MAP_SHARED | MAP_ANON);

  s[0] = 'p';
  check("minherit COPY", minherit(s, 2 * P, INHERIT_COPY) == 0);
  if(xfork() == 0){
    expect("child: the parent's data", s[0], 'p');
    s[0] = 'c';
    s[P] = 'c';
    exit(0);
  }
  waitok("child");
  expect("parent: page 0 after the child wrote its copy", s[0], 'p');
  expect("parent: page 1 after the child wrote its copy", s[P], 0);
#endif
}

// INHERIT_NONE leaves a hole in the child: touching it kills the child.
static void
none(void)
{
#ifndef LINUX
  char *a = xmmap("mmap", 2 * P, RW, ANON);
  int st = 0;

  a[0] = 'p';
  check("minherit NONE", minherit(a, P, INHERIT_NONE) == 0);
  if(xfork() == 0){
    struct kinfo_vmentry e;
    check("child: vmmap: no entry at the INHERIT_NONE page", !entry_at(a, &e));
    check("child: vmmap: an entry from page 1 on",
          entry_at(a + P, &e) && e.kve_start == (uint64)a + P);
    expect("child: page 1 (still copied)", a[P], 0);
    (void)*(volatile char *)a;
    exit(0);
  }
  check("wait", wait(&st) > 0);
  if(!was_killed(st)){
    printf("cowtest %s: FAILED: the child touched an INHERIT_NONE page and lived "
           "(status %d)\n", test, st);
    exit(1);
  }
  expect("parent: page 0", a[0], 'p');
#endif
}

// A fork of a process with 8 MiB written costs almost nothing until the child
// writes; then the child has its own 2048 pages.
static void
lazy(void)
{
  char *a = xmmap("mmap 8 MiB", (uint64)BIGPAGES * P, RW, ANON);
  long free0, free1, free2;
  int tochild[2], toparent[2];

  for(int i = 0; i < BIGPAGES; i++)
    a[(uint64)i * P] = 'p';
  check("pipe", pipe(tochild) == 0 && pipe(toparent) == 0);
  free0 = free_pages();
  if(xfork() == 0){
    close(tochild[1]);
    close(toparent[0]);
    free1 = free_pages();
#ifndef LINUX
    if(free0 - free1 >= 200){
      printf("cowtest %s: FAILED: the fork took %ld pages (more than 200) for a "
             "process with %d pages written\n", test, free0 - free1, BIGPAGES);
      exit(1);
    }
#endif
    expect_pages("child: before writing", a, BIGPAGES, 'p');
    for(int i = 0; i < BIGPAGES; i++)
      a[(uint64)i * P] = 'c';
    free2 = free_pages();
#ifndef LINUX
    if(free1 - free2 < BIGPAGES || free1 - free2 > BIGPAGES + 200){
      printf("cowtest %s: FAILED: writing %d pages took %ld pages\n", test, BIGPAGES,
             free1 - free2);
      exit(1);
    }
#endif
    (void)free1;
    (void)free2;
    signal_(toparent[1]);
    await(tochild[0]);
    expect_pages("child: after the parent wrote", a, BIGPAGES, 'c');
    exit(0);
  }
  close(tochild[0]);
  close(toparent[1]);
  // Write half the pages once the child has counted its own.
  await(toparent[0]);
  close(toparent[0]);
  for(int i = 0; i < BIGPAGES; i += 2)
    a[(uint64)i * P] = 'q';
  signal_(tochild[1]);
  close(tochild[1]);
  waitok("child");
  for(int i = 0; i < BIGPAGES; i++)
    if(a[(uint64)i * P] != (i % 2 ? 'p' : 'q'))
      expect("parent: page after the child exited", a[(uint64)i * P], i % 2 ? 'p' : 'q');
  check("munmap", munmap(a, (uint64)BIGPAGES * P) == 0);
  (void)free0;
#ifndef LINUX
  // (The parent's own copy-on-write faults made a few pages' difference.)
  long free3 = free_pages();
  if(free3 < free0 + BIGPAGES - 16){
    printf("cowtest %s: FAILED: after munmap %ld free pages, expected about %ld\n", test,
           free3, free0 + BIGPAGES);
    exit(1);
  }
#endif
}

// Three generations: each writes its own value after forking the next; each sees
// its own, and the youngest sees what each older one wrote before its fork.
static void
generations(void)
{
  char *a = xmmap("mmap", 3 * P, RW, ANON);

  a[0] = a[P] = a[2 * P] = 'A';
  if(xfork() == 0){
    expect("child: page 0 from the parent", a[0], 'A');
    a[0] = a[P] = 'B';
    if(xfork() == 0){
      expect("grandchild: page 0 from the child", a[0], 'B');
      expect("grandchild: page 1 from the child", a[P], 'B');
      expect("grandchild: page 2 from the parent", a[2 * P], 'A');
      a[0] = 'C';
      if(xfork() == 0){
        expect("great-grandchild: page 0", a[0], 'C');
        expect("great-grandchild: page 1", a[P], 'B');
        expect("great-grandchild: page 2", a[2 * P], 'A');
        a[2 * P] = 'D';
        exit(0);
      }
      a[P] = 'C';
      waitok("great-grandchild");
      expect("grandchild: page 0", a[0], 'C');
      expect("grandchild: page 1", a[P], 'C');
      expect("grandchild: page 2", a[2 * P], 'A');
      exit(0);
    }
    a[2 * P] = 'B';
    waitok("grandchild");
    expect("child: page 0", a[0], 'B');
    expect("child: page 1", a[P], 'B');
    expect("child: page 2", a[2 * P], 'B');
    exit(0);
  }
  a[P] = 'Z';
  waitok("child");
  expect("parent: page 0", a[0], 'A');
  expect("parent: page 1", a[P], 'Z');
  expect("parent: page 2", a[2 * P], 'A');
}

static char fbuf[2 * P];

static void
mkfile(char *name, int n, int c)
{
  int fd = creat_(name);

  check("create", fd >= 0);
  memset(fbuf, c, n);
  expect("write", write(fd, fbuf, n), n);
  close(fd);
}

// read() into copy-on-write memory: the kernel's copyout takes the fault and makes
// the copy, in parent and in child. And into memory never touched: zero-fill.
static void
read_cow(void)
{
  char *a = xmmap("mmap", 2 * P, RW, ANON), *u;
  int fd, tochild[2];

  mkfile("cow.r", 2 * P, 'f');
  memset(a, 'p', 2 * P);
  check("pipe", pipe(tochild) == 0);
  if(xfork() == 0){
    close(tochild[1]);
    fd = open("cow.r", O_RDONLY);
    check("open", fd >= 0);
    expect("child: read into copy-on-write memory", read(fd, a, P + 100), P + 100);
    expect_bytes("child: what it read", a, P + 100, 'f');
    expect_bytes("child: the rest of page 1", a + P + 100, P - 100, 'p');
    close(fd);
    await(tochild[0]);
    exit(0);
  }
  fd = open("cow.r", O_RDONLY);
  check("open", fd >= 0);
  expect("parent: read into copy-on-write memory", read(fd, a + P, 10), 10);
  expect_bytes("parent: what it read", a + P, 10, 'f');
  close(tochild[0]);
  signal_(tochild[1]);
  close(tochild[1]);
  waitok("child");
  expect_bytes("parent: page 0 after the child read into its copy", a, P, 'p');
  expect_bytes("parent: page 1 after its read", a + P + 10, P - 10, 'p');
  close(fd);

  u = xmmap("mmap untouched", 2 * P, RW, ANON);
  fd = open("cow.r", O_RDONLY);
  expect("read into untouched memory", read(fd, u + 100, P), P);
  expect_bytes("what it read", u + 100, P, 'f');
  expect_bytes("around it", u, 100, 0);
  expect_bytes("around it", u + 100 + P, P - 100, 0);
  close(fd);
  unlink("cow.r");
}

// write() from memory never touched: the kernel's copyin faults in zeros.
static void
write_untouched(void)
{
  char *u = xmmap("mmap untouched", 2 * P, RW, ANON);
  int fd = creat_("cow.w");

  check("create", fd >= 0);
  expect("write from untouched memory", write(fd, u + 10, P), P);
  close(fd);
  fd = open("cow.w", O_RDONLY);
  memset(fbuf, 'x', sizeof(fbuf));
  expect("read back", read(fd, fbuf, sizeof(fbuf)), P);
  expect_bytes("the file", fbuf, P, 0);
  close(fd);
  unlink("cow.w");
  // And from a copy-on-write page: the child writes out what the parent put there.
  u[0] = 'p';
  if(xfork() == 0){
    fd = creat_("cow.w");
    expect("child: write from copy-on-write memory", write(fd, u, 1), 1);
    close(fd);
    exit(0);
  }
  waitok("child");
  fd = open("cow.w", O_RDONLY);
  expect("read back", read(fd, fbuf, 1), 1);
  expect("the byte", fbuf[0], 'p');
  close(fd);
  unlink("cow.w");
}

// exec of a program while this process maps its file, privately (and writes the
// private copy) and shared: the new program runs from the file, not from the
// private copy; the mappings stay as they were.
static void
exec_mapped(void)
{
  int fd = open(self, O_RDONLY), st = 0;
  char *priv, *shar;
  char *argv[] = { "cowtest", "exectarget", 0 };

  check("open self", fd >= 0);
  priv = mmap(0, 2 * P, RW, MAP_PRIVATE, fd, 0);
  shar = mmap(0, 2 * P, PROT_READ, MAP_SHARED, fd, 0);
  check("mmap self", priv != MAP_FAILED && shar != MAP_FAILED);
  expect("ELF magic", shar[1], 'E');
  memset(priv, 0, 2 * P);   // wipe the private copy's ELF header
  if(xfork() == 0){
    exec(self, argv);
    printf("cowtest %s: FAILED: exec %s (errno %s)\n", test, self, errname(errno));
    exit(1);
  }
  check("wait", wait(&st) > 0);
  if(!exited_with(st, 42)){
    printf("cowtest %s: FAILED: the exec'd program exited with %d, not 42\n", test, st);
    exit(1);
  }
  expect("shared mapping: ELF magic", shar[1], 'E');
  expect("private mapping: still wiped", priv[1], 0);
  // And from a child that shares the private copy-on-write mapping.
  if(xfork() == 0){
    priv[P] = 1;
    exec(self, argv);
    exit(1);
  }
  check("wait", wait(&st) > 0);
  expect("second exec's status", exited_with(st, 42), 1);
  close(fd);
}

// ---------------------------------------------------------------- collapse

// A collapse must leave alone an object that another process still maps: the
// parent's write shadows the object that the child maps (and has not written),
// and the parent's next faults try to collapse that shadow.
static void
sibling(void)
{
  char *a = xmmap("mmap", 4 * P, RW, ANON);
  int tochild[2];

  for(int i = 0; i < 4; i++)
    a[(uint64)i * P] = 'a' + i;
  check("pipe", pipe(tochild) == 0);
  if(xfork() == 0){
    close(tochild[1]);
    await(tochild[0]);   // the parent has written and faulted
    for(int i = 0; i < 4; i++)
      expect("child: a page as it was at the fork", a[(uint64)i * P], 'a' + i);
    verify("child");
    a[P] = 'c';
    expect("child: its own write", a[P], 'c');
    exit(0);
  }
  close(tochild[0]);
  a[0] = 'P';          // a shadow over the object the child maps
  a[P] = 'P';          // another fault: it tries to collapse that shadow
  expect("parent: page 2", a[2 * P], 'c');
  signal_(tochild[1]);
  close(tochild[1]);
  waitok("child");
  refault(a, 4 * P);
  expect("parent: page 0", a[0], 'P');
  expect("parent: page 1", a[P], 'P');
  expect("parent: page 2", a[2 * P], 'c');
  expect("parent: page 3", a[3 * P], 'd');
}

// Collapse with offsets. Unmapping the front of a mapping leaves an entry that maps
// its object from an offset; a shadow made for that entry sees its backing object
// from that offset, and a collapse must keep each page where the process sees it.
// A chain of three, over 8 pages at a (page i holds 'a' + i):
//   munmap page 0, write page 1:  S1 -> O at offset 1 page     (the child C1 maps O)
//   munmap page 1, write page 4:  S2 -> S1 at offset 1 page    (C2 maps S1)
//   C2 exits: S2 absorbs S1:      S2 -> O at offset 2 pages
//   C1 exits: S2 absorbs O:       S2 alone
static void
offsets(void)
{
  char *a = xmmap("mmap", 8 * P, RW, ANON);
  int c1[2], c2[2];

  for(int i = 0; i < 8; i++)
    a[(uint64)i * P] = 'a' + i;
  // Each child waits to be told to exit; it holds no write end of its own pipe,
  // so that it sees end of file, not a hang, if the parent dies.
  check("pipe", pipe(c1) == 0);
  if(xfork() == 0){
    close(c1[1]);
    await(c1[0]);
    exit(0);
  }
  close(c1[0]);
  check("munmap page 0", munmap(a, P) == 0);
  a[P] = 'B';
  expect_depth("after the first write", a + P, 2);
  check("pipe", pipe(c2) == 0);
  if(xfork() == 0){
    close(c1[1]);
    close(c2[1]);
    await(c2[0]);
    exit(0);
  }
  close(c2[0]);
  check("munmap page 1", munmap(a + P, P) == 0);
  a[4 * P] = 'E';
  expect_depth("after the second write", a + 2 * P, 3);
  signal_(c2[1]);
  close(c2[1]);
  waitok("the second child");
  expect_depth("after the second child exited", a + 2 * P, 2);
  refault(a + 2 * P, 6 * P);
  for(int i = 2; i < 8; i++)
    expect("after the second child exited: a page", a[(uint64)i * P], i == 4 ? 'E' : 'a' + i);
  signal_(c1[1]);
  close(c1[1]);
  waitok("the first child");
  expect_depth("after the first child exited", a + 2 * P, 1);
  refault(a + 2 * P, 6 * P);
  for(int i = 2; i < 8; i++)
    expect("after the first child exited: a page", a[(uint64)i * P], i == 4 ? 'E' : 'a' + i);
  check("munmap", munmap(a + 2 * P, 6 * P) == 0);
}

// The handout's picture (labs/03-fork.md), step by step, with each process's chain
// depth: forks share, writes shadow, exits collapse.
static void
depth(void)
{
  char *a = xmmap("mmap", 3 * P, RW, ANON);
  int c1[2], c2[2], up1[2], up2[2];

  a[0] = a[P] = a[2 * P] = 'A';                       // 1. O
  expect_depth("parent: before the fork", a, 1);
  // Each process closes the pipe ends it does not use, so that it sees end of
  // file, not a hang, if another dies.
  check("pipe", pipe(c1) == 0 && pipe(up1) == 0);
  if(xfork() == 0){                                   // 2. C1
    close(c1[1]);
    close(up1[0]);
    a[0] = a[P] = 'B';                                // 3. S_1 -> O
    expect_depth("child: after its writes", a, 2);
    check("pipe", pipe(c2) == 0 && pipe(up2) == 0);
    if(xfork() == 0){                                 // 4. C2
      close(c1[0]);
      close(up1[1]);
      close(c2[1]);
      close(up2[0]);
      a[0] = 'C';                                     //    S_C2 -> S_1 -> O
      expect_depth("grandchild: after its write", a, 3);
      expect("grandchild: page 1", a[P], 'B');
      expect("grandchild: page 2", a[2 * P], 'A');
      signal_(up2[1]);
      await(c2[0]);
      exit(0);
    }
    close(c2[0]);
    close(up2[1]);
    a[2 * P] = 'B';                                   //    S_C1 -> S_1 -> O
    expect_depth("child: after its second fork and a write", a, 3);
    await(up2[0]);                                    // the grandchild has looked
    signal_(c2[1]);
    close(c2[1]);
    waitok("grandchild");                             // 5. S_C1 absorbs S_1
    expect_depth("child: after the grandchild exited", a, 2);
    refault(a, 3 * P);
    expect("child: page 0", a[0], 'B');
    expect("child: page 1", a[P], 'B');
    expect("child: page 2", a[2 * P], 'B');
    signal_(up1[1]);
    await(c1[0]);
    exit(0);
  }
  close(c1[0]);
  close(up1[1]);
  a[P] = 'Z';                                         // 3. S_P -> O
  // (Not before the children have looked: two processes failing at once would
  // print their lines mixed.)
  await(up1[0]);
  expect_depth("parent: after its write", a, 2);
  signal_(c1[1]);
  close(c1[1]);
  waitok("child");                                    // 5. S_P absorbs O
  expect_depth("parent: after the child exited", a, 1);
  refault(a, 3 * P);
  expect("parent: page 0", a[0], 'A');
  expect("parent: page 1", a[P], 'Z');
  expect("parent: page 2", a[2 * P], 'A');
}

// A file mapped private and written: the shadow's backing object is the file's, which
// no collapse may take (it is the file's page cache): pages not written still show
// what write() puts in the file.
static void
private_file(void)
{
  char *p;
  int fd;

  mkfile("cow.p", 2 * P, 'f');
  fd = open("cow.p", O_RDWR);
  check("open", fd >= 0);
  p = mmap(0, 2 * P, RW, MAP_PRIVATE, fd, 0);
  check("mmap", p != MAP_FAILED);
  close(fd);
  p[0] = 'w';                        // a shadow over the file's object
  expect("page 1 from the file", p[P], 'f');   // a fault: it tries to collapse it
  expect_depth("the private copy over the file", p, 2);
  fd = open("cow.p", O_RDWR);
  check("open", fd >= 0);
  memset(fbuf, 'g', 2 * P);
  expect("write the file", write(fd, fbuf, 2 * P), 2 * P);
  close(fd);
  expect("page 0, written: private", p[0], 'w');
  expect("page 1, not written: the file's new contents", p[P], 'g');
  check("munmap", munmap(p, 2 * P) == 0);
  unlink("cow.p");
}

// ---------------------------------------------------------------- chain

// Copy-on-write shares, and collapse keeps chains short: after each fork the
// child maps the parent's very object, marked needs-copy (no page copied); after
// the child exits and the parent writes, the shadow the write made absorbs the
// object below it, so that eight fork/exit cycles leave a chain of at most two.
static void
chain(void)
{
#ifndef LINUX
  char *a = xmmap("mmap", 4 * P, RW, ANON);
  struct kinfo_vmentry e, ce;

  memset(a, 'p', 4 * P);
  for(int i = 0; i < 8; i++){
    check("vmmap (parent)", entry_at(a, &e));
    if(xfork() == 0){
      check("vmmap (child)", entry_at(a, &ce));
      if(ce.kve_obj_id != e.kve_obj_id || !(ce.kve_flags & KVME_FLAG_NEEDS_COPY)){
        printf("cowtest %s: FAILED: after fork the child maps object %d (flags 0x%x), "
               "not the parent's object %d, needs-copy\n", test, ce.kve_obj_id,
               ce.kve_flags, e.kve_obj_id);
        exit(1);
      }
      exit(0);
    }
    waitok("child");
    a[(i % 4) * P] = 'q';
  }
  check("vmmap (parent, at the end)", entry_at(a, &e));
  if(e.kve_shadow_depth > 2){
    printf("cowtest %s: FAILED: a chain of %d objects after 8 forks (at most 2: "
           "collapse)\n", test, e.kve_shadow_depth);
    exit(1);
  }
  check("munmap", munmap(a, 4 * P) == 0);
#endif
}

// ---------------------------------------------------------------- share_cow

#ifndef LINUX
// Fork a child that writes c at p, memory it shares with this process; wait for it.
static void
child_writes(char *p, int c)
{
  if(xfork() == 0){
    *p = c;
    exit(0);
  }
  waitok("the sharing child");
}
#endif

// INHERIT_SHARE over memory still copy-on-write: fork gives the parent's entry a
// new shadow object, which the child maps too. The parent's read-only PTEs map pages
// of the object below; unless fork drops them, the parent goes on reading those
// after the child writes its copy into the shadow. Three entries whose object below
// cannot collapse into the shadow: a file mapped private, memory an earlier child
// still shares, the other half of a clipped entry. Last, a page the parent reads
// through the shared shadow after the fork, while the sharing child lives: the
// child's write must show there too, and when the earlier child's exit lets the
// shadow absorb the object below, the page below must be mapped nowhere. And a
// private file page read the same way: the file's page, mapped from below (the
// file may change), must go from the parent's page table when the child copies it.
static void
share_cow(void)
{
#ifndef LINUX
  char *f, *a, *b;
  int fd, tochild[2], go[2];

  mkfile("cow.s", P, 'f');
  fd = open("cow.s", O_RDONLY);
  check("open", fd >= 0);
  f = mmap(0, P, RW, MAP_PRIVATE, fd, 0);
  check("mmap", f != MAP_FAILED);
  expect("private file page", f[0], 'f');
  check("minherit SHARE (file)", minherit(f, P, INHERIT_SHARE) == 0);
  child_writes(f, 'c');
  expect("parent: the private file page the sharing child wrote", f[0], 'c');
  expect("read the file", read(fd, fbuf, P), P);
  expect_bytes("the file, not written", fbuf, P, 'f');
  close(fd);
  check("munmap", munmap(f, P) == 0);
  unlink("cow.s");

  a = xmmap("mmap", 2 * P, RW, ANON);
  memset(a, 'a', 2 * P);
  check("pipe", pipe(tochild) == 0);
  if(xfork() == 0){
    close(tochild[1]);
    await(tochild[0]);   // the parent and a second child have written
    expect_pages("earlier child: its copy", a, 2, 'a');
    exit(0);
  }
  close(tochild[0]);
  check("minherit SHARE", minherit(a, 2 * P, INHERIT_SHARE) == 0);
  child_writes(a, 'c');
  expect("parent: page 0 the sharing child wrote", a[0], 'c');
  a[P] = 'p';
  signal_(tochild[1]);
  close(tochild[1]);
  waitok("earlier child");
  // Its exit collapsed the object below into the shadow.
  expect("parent: page 0 after the earlier child exited", a[0], 'c');
  expect("parent: page 1 after the earlier child exited", a[P], 'p');
  check("munmap", munmap(a, 2 * P) == 0);

  b = xmmap("mmap", 2 * P, RW, ANON);
  memset(b, 'b', 2 * P);
  if(xfork() == 0)
    exit(0);
  waitok("child");
  check("minherit SHARE (page 0 of 2)", minherit(b, P, INHERIT_SHARE) == 0);
  child_writes(b, 'c');
  expect("parent: the clipped half the sharing child wrote", b[0], 'c');
  expect("parent: the other half", b[P], 'b');
  check("munmap", munmap(b, 2 * P) == 0);

  a = xmmap("mmap", P, RW, ANON);
  memset(a, 'd', P);
  check("pipes", pipe(tochild) == 0 && pipe(go) == 0);
  if(xfork() == 0){
    close(tochild[1]);
    await(tochild[0]);
    expect("earlier child: its copy", a[0], 'd');
    exit(0);
  }
  close(tochild[0]);
  check("minherit SHARE (read after the fork)", minherit(a, P, INHERIT_SHARE) == 0);
  if(xfork() == 0){
    await(go[0]);      // the parent has read the page
    a[0] = 'c';
    exit(0);
  }
  expect("parent: the page, read while shared", a[0], 'd');
  signal_(go[1]);
  waitok("the sharing child");
  expect("parent: the page the sharing child wrote after the parent read it", a[0], 'c');
  signal_(tochild[1]);
  waitok("earlier child");
  expect("parent: that page after the earlier child exited", a[0], 'c');
  close(tochild[1]);
  close(go[0]);
  close(go[1]);
  check("munmap", munmap(a, P) == 0);

  mkfile("cow.s", P, 'f');
  fd = open("cow.s", O_RDONLY);
  check("open", fd >= 0);
  f = mmap(0, P, RW, MAP_PRIVATE, fd, 0);
  check("mmap", f != MAP_FAILED);
  check("pipe", pipe(go) == 0);
  check("minherit SHARE (file, read after the fork)", minherit(f, P, INHERIT_SHARE) == 0);
  if(xfork() == 0){
    await(go[0]);      // the parent has read the page
    f[0] = 'c';
    exit(0);
  }
  expect("parent: the private file page, read while shared", f[0], 'f');
  signal_(go[1]);
  waitok("the sharing child");
  expect("parent: the private file page the sharing child wrote after the parent read it",
         f[0], 'c');
  expect("read the file", read(fd, fbuf, P), P);
  expect_bytes("the file, not written", fbuf, P, 'f');
  close(fd);
  close(go[0]);
  close(go[1]);
  check("munmap", munmap(f, P) == 0);
  unlink("cow.s");
#endif
}

// ---------------------------------------------------------------- main

static const struct vmtest tests[] = {
  { "isolation", isolation },
  { "concurrent", concurrent },
  { "share", share },
  { "copy", copy },
  { "none", none },
  { "lazy", lazy },
  { "generations", generations },
  { "read_cow", read_cow },
  { "write_untouched", write_untouched },
  { "exec_mapped", exec_mapped },
  { "sibling", sibling },
  { "offsets", offsets },
  { "depth", depth },
  { "private_file", private_file },
  { "chain", chain },
  { "share_cow", share_cow },
};

// Run one test in a child; 1 if it passed.
static int
run(int i)
{
  int pid, st = 0;

  test = tests[i].name;
  pid = fork();
  if(pid < 0){
    printf("cowtest %s: FAILED: fork (errno %s)\n", test, errname(errno));
    return 0;
  }
  if(pid == 0){
    test_pid = getpid();
    tests[i].fn();
    exit(0);
  }
  wait(&st);
  if(exited_with(st, 0)){
    printf("cowtest %s: OK\n", test);
    return 1;
  }
  if(was_killed(st))
    printf("cowtest %s: FAILED: killed\n", test);
  return 0;   // (a child that exits 1 has said why)
}

// Run the tests named in argv (all if none): the number that failed, or -1 if
// no test has such a name.
static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, NELEM(tests), run);
}

#ifndef LINUX
// Besides the program's own pages (warmup() in ulib), cache the first pages of this
// program's file, which exec_mapped maps: they stay cached in the file's object as
// long as this process runs from it.
static void
warmfile(void)
{
  char *p;
  int fd = open(self, O_RDONLY);

  if(fd >= 0 && (p = mmap(0, 2 * P, PROT_READ, MAP_SHARED, fd, 0)) != MAP_FAILED){
    (void)*(volatile char *)p;
    (void)*(volatile char *)(p + P);
    munmap(p, 2 * P);
  }
  if(fd >= 0)
    close(fd);
}
#endif

int
main(int argc, char *argv[])
{
#ifdef LINUX
  setvbuf(stdout, 0, _IONBF, 0);
  self = argv[0];
#else
  self = "/cowtest";
#endif
  if(argc == 2 && strcmp(argv[1], "exectarget") == 0)
    exit(42);
#ifndef LINUX
  warmfile();
#endif
  vmtest_finish("cowtest", "cowtest [test...]", argc, argv, runall);
}

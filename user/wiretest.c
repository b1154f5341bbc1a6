// wiretest: lab 5 (wiring). mlock, munlock, mlockall and munlockall: their errors,
// the entries they clip, wire and merge back, RLIMIT_MEMLOCK and the system's limit,
// the pages they fault in (private ones copied), and what munmap, fork, exit and
// exec do with wired memory; and that wired pages stay put under memory pressure.
//
//   wiretest            run every test but pressure, then check that no page leaked
//   wiretest NAME...    run only the named tests (pressure only so: it needs a
//                       machine with little memory and a swap disk)
//
// Each test runs in a child and prints "wiretest NAME: OK" or "wiretest NAME:
// FAILED: ..."; the last line is "wiretest: ALL OK" or "wiretest: N FAILED". After
// each test, the pages wired system-wide (vmstat's v_wire_count) must be back where
// they were: a wiring that outlives its process fails the test that made it.
//
// vmlab only: it reads the map (vmmap) and the wiring counts (vmstat), and checks
// errors where Linux differs (an unaligned address, munlock of unwired memory).

#define VMTEST_PROG "wiretest"
#include "vmtest.h"

#define P PAGE_SIZE
#define KiB 1024UL
#define MiB (1024 * KiB)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// The kernel's (kernel/vm/vm_param.h), which user code cannot include.
#define DFLMLOCK (32 * MiB)      // the default RLIMIT_MEMLOCK, soft and hard
#define SGROWSIZ (128 * KiB)     // a stack's first mapping, and its grow step

// The most pages the system lets users wire, of npages physical pages: three
// quarters (of whole quarters: kernel/vm/vm_wire.c).
#define MAXWIRED(npages) ((npages) / 4 * 3)

static int test_pid;     // the process that runs the test
static char *self = "/wiretest";   // for exec

// ---------------------------------------------------------------- checking

// One byte through a pipe: the other side may go on.
static void
signal_(int fd)
{
  check("write pipe", write(fd, "x", 1) == 1);
}

// End of file instead means the other side died: a helper exits quietly (the
// process that died has said why), the test's own process says so.
static void
await(int fd)
{
  char c;
  int n = read(fd, &c, 1);

  if(n == 0 && getpid() != test_pid)
    exit(1);
  check("read pipe: the other process died", n == 1);
}

// The map keeps its invariants (vmverify: USER_WIRED only with a wired count, say).
static void
verify(char *who)
{
  if(vmverify(0) != 0){
    printf("wiretest %s: FAILED: %s: vmverify says the map is broken (see the console)\n",
           test, who);
    exit(1);
  }
}

static struct vmstats
stats(void)
{
  struct vmstats st;

  check("vmstat", vmstat(&st) == 0);
  return st;
}

// The pages wired system-wide and the bytes this map has user-wired.
static void
expect_wired(char *what, uint64 wire_count, uint64 map_wired)
{
  struct vmstats st = stats();

  if(st.v_wire_count == wire_count && st.v_map_wired == map_wired)
    return;
  printf("wiretest %s: FAILED: %s: expected %ld pages wired system-wide and %ld bytes "
         "in this map, got %ld and %ld\n", test, what, (long)wire_count, (long)map_wired,
         (long)st.v_wire_count, (long)st.v_map_wired);
  exit(1);
}

static uint64
wire_count(void)
{
  return stats().v_wire_count;
}

// ---------------------------------------------------------------- the map

static struct kinfo_vmentry kve[256];
static int nkve;

static void
snapshot(void)
{
  nkve = vmmap(0, kve, NELEM(kve));
  check("vmmap", nkve > 0 && nkve <= (int)NELEM(kve));
}

// The entry that contains va in the last snapshot, or 0.
static struct kinfo_vmentry *
entry_at(uint64 va)
{
  for(int i = 0; i < nkve; i++)
    if(kve[i].kve_start <= va && va < kve[i].kve_end)
      return &kve[i];
  return 0;
}

static int
is_wired(struct kinfo_vmentry *e)
{
  return e->kve_wired_count != 0 || (e->kve_flags & KVME_FLAG_USER_WIRED);
}

// The entry at va, from a fresh snapshot, is exactly [start, end), user-wired once
// (wired) or not wired at all; a wired one has every page mapped.
static void
expect_entry(char *what, uint64 va, uint64 start, uint64 end, int wired)
{
  struct kinfo_vmentry *e;

  snapshot();
  e = entry_at(va);
  if(e == 0){
    printf("wiretest %s: FAILED: %s: no entry at 0x%lx\n", test, what, va);
    exit(1);
  }
  if(e->kve_start != start || e->kve_end != end){
    printf("wiretest %s: FAILED: %s: the entry at 0x%lx is 0x%lx-0x%lx, expected "
           "0x%lx-0x%lx\n", test, what, va, e->kve_start, e->kve_end, start, end);
    exit(1);
  }
  if(e->kve_wired_count != wired || !(e->kve_flags & KVME_FLAG_USER_WIRED) != !wired){
    printf("wiretest %s: FAILED: %s: the entry 0x%lx-0x%lx has WIRED %d and flags 0x%x, "
           "expected WIRED %d %s the wired flag\n", test, what, start, end,
           e->kve_wired_count, e->kve_flags, wired, wired ? "with" : "without");
    exit(1);
  }
  if(wired && e->kve_resident != (end - start) / P){
    printf("wiretest %s: FAILED: %s: the wired entry 0x%lx-0x%lx has %d pages mapped, "
           "expected all %ld\n", test, what, start, end, e->kve_resident,
           (long)((end - start) / P));
    exit(1);
  }
}

// Every entry that meets [p, p+len) is user-wired once, with every page mapped.
static void
expect_range_wired(char *what, char *p, uint64 len)
{
  snapshot();
  for(uint64 va = (uint64)p; va < (uint64)p + len; ){
    struct kinfo_vmentry *e = entry_at(va);
    if(e == 0){
      printf("wiretest %s: FAILED: %s: no entry at 0x%lx\n", test, what, va);
      exit(1);
    }
    if(e->kve_wired_count != 1 || !(e->kve_flags & KVME_FLAG_USER_WIRED) ||
       e->kve_resident != (e->kve_end - e->kve_start) / P){
      printf("wiretest %s: FAILED: %s: the entry 0x%lx-0x%lx has WIRED %d, flags 0x%x, "
             "%d of %ld pages mapped; expected WIRED 1, wired, all mapped\n", test, what,
             e->kve_start, e->kve_end, e->kve_wired_count, e->kve_flags, e->kve_resident,
             (long)((e->kve_end - e->kve_start) / P));
      exit(1);
    }
    va = e->kve_end;
  }
}

// No entry of the map is wired.
static void
expect_none_wired(char *what)
{
  snapshot();
  for(int i = 0; i < nkve; i++){
    if(is_wired(&kve[i])){
      printf("wiretest %s: FAILED: %s: the entry 0x%lx-0x%lx has WIRED %d and flags "
             "0x%x\n", test, what, kve[i].kve_start, kve[i].kve_end,
             kve[i].kve_wired_count, kve[i].kve_flags);
      exit(1);
    }
  }
}

// Every page of [p, p+len) is in memory, as mincore says.
static void
expect_resident(char *what, char *p, uint64 len)
{
  static char vec[256];

  for(uint64 off = 0; off < len; off += sizeof(vec) * P){
    uint64 n = (len - off) / P < sizeof(vec) ? (len - off) / P : sizeof(vec);
    check("mincore", mincore(p + off, n * P, vec) == 0);
    for(uint64 i = 0; i < n; i++){
      if(!(vec[i] & MINCORE_INCORE)){
        printf("wiretest %s: FAILED: %s: page 0x%lx is not in memory\n", test, what,
               (uint64)p + off + i * P);
        exit(1);
      }
    }
  }
}

// ---------------------------------------------------------------- contents

// The word at p, in page pg of a region that salt names: different everywhere.
static uint64
word(uint64 salt, uint64 *p)
{
  uint64 x = (uint64)p ^ (salt << 40);

  x ^= x >> 29;
  x *= 0x9e3779b97f4a7c15UL;
  return x ^ (x >> 32);
}

// Fill [p, p+len) with its words: every nth word (1: all of them).
static void
fill(uint64 salt, char *p, uint64 len, int nth)
{
  uint64 *w = (uint64 *)p;

  for(uint64 i = 0; i < len / 8; i += nth)
    w[i] = word(salt, &w[i]);
}

static void
expect_filled(char *what, uint64 salt, char *p, uint64 len, int nth)
{
  uint64 *w = (uint64 *)p;

  for(uint64 i = 0; i < len / 8; i += nth){
    if(w[i] != word(salt, &w[i])){
      printf("wiretest %s: FAILED: %s: the word at 0x%lx: expected 0x%lx got 0x%lx\n",
             test, what, (uint64)&w[i], word(salt, &w[i]), w[i]);
      exit(1);
    }
  }
}

// Every byte of [p, p+n) is c.
static void
expect_bytes(char *what, char *p, uint64 n, int c)
{
  for(uint64 i = 0; i < n; i++){
    if((unsigned char)p[i] != (unsigned char)c){
      printf("wiretest %s: FAILED: %s: byte %ld: expected %d got %d\n", test, what,
             (long)i, c, (unsigned char)p[i]);
      exit(1);
    }
  }
}

static char fbuf[2 * P];

// A file of n bytes c.
static void
mkfile(char *name, int n, int c)
{
  int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);

  check("create", fd >= 0);
  memset(fbuf, c, n);
  expect("write the file", write(fd, fbuf, n), n);
  close(fd);
}

// The file's first n bytes are all c.
static void
expect_file(char *what, char *name, int n, int c)
{
  int fd = open(name, O_RDONLY);

  check("open", fd >= 0);
  expect("read the file", read(fd, fbuf, n), n);
  close(fd);
  expect_bytes(what, fbuf, n, c);
}

// ---------------------------------------------------------------- the tests

// The EINVALs: an unaligned address, a range that wraps or leaves user space, bad
// mlockall flags; and len 0, which succeeds, doing nothing.
static void
errors(void)
{
  char *a = xmmap("mmap", 4 * P, RW, ANON);
  uint64 w0 = wire_count();

  experr("mlock of an unaligned address", mlock(a + 1, P), EINVAL);
  experr("mlock of an address 2 KiB into a page", mlock(a + P / 2, P), EINVAL);
  experr("munlock of an unaligned address", munlock(a + 1, P), EINVAL);
  experr("mlock of a range that wraps around", mlock(a, -(uint64)a + P), EINVAL);
  experr("mlock of a length that wraps when rounded up", mlock(a, ~0UL), EINVAL);
  experr("munlock of a range that wraps around", munlock(a, -(uint64)a + P), EINVAL);
  experr("mlock of a range that leaves user space",
         mlock((void *)(USRSTACK - P), 2 * P), EINVAL);
  experr("mlock of a range above user space", mlock((void *)USRSTACK, P), EINVAL);
  experr("munlock of a range that leaves user space",
         munlock((void *)(USRSTACK - P), 2 * P), EINVAL);
  check("mlock of length 0", mlock(a, 0) == 0);
  check("munlock of length 0", munlock(a, 0) == 0);
  check("mlock of length 0 right past the mapping", mlock(a + 4 * P, 0) == 0);
  experr("mlockall(0)", mlockall(0), EINVAL);
  experr("mlockall(4)", mlockall(4), EINVAL);
  experr("mlockall(MCL_CURRENT | 4)", mlockall(MCL_CURRENT | 4), EINVAL);
  experr("mlockall(MCL_CURRENT | MCL_FUTURE | 0x100)",
         mlockall(MCL_CURRENT | MCL_FUTURE | 0x100), EINVAL);
  expect_none_wired("after the failed calls");
  expect_wired("after the failed calls", w0, 0);
  // No MCL_FUTURE was set by the bad mlockall calls.
  char *b = xmmap("mmap after the bad mlockall calls", 2 * P, RW, ANON);
  snapshot();
  check("mmap after the bad mlockall calls: not wired", !is_wired(entry_at((uint64)b)));
  verify("after the failed calls");
}

// The ENOMEMs of mlock: over a hole it wires nothing new, and what was wired before
// stays so.
static void
holes(void)
{
  char *a = xmmap("mmap", 6 * P, RW, ANON);
  uint64 w0 = wire_count();

  check("munmap page 3", munmap(a + 3 * P, P) == 0);
  // [a, a+3P) and [a+4P, a+6P), with a hole between.
  experr("mlock over the hole", mlock(a, 6 * P), ENOMEM);
  verify("after mlock over the hole");
  expect_none_wired("after mlock over the hole");
  expect_wired("after mlock over the hole", w0, 0);
  experr("mlock from the hole on", mlock(a + 3 * P, 3 * P), ENOMEM);
  experr("mlock ending in the hole", mlock(a + P, 3 * P), ENOMEM);
  experr("mlock of the hole alone", mlock(a + 3 * P, P), ENOMEM);
  expect_none_wired("after the mlocks that meet the hole");
  expect_wired("after the mlocks that meet the hole", w0, 0);

  // Page 0 wired first: the failed mlock backs out pages 1 and 2, not page 0.
  check("mlock page 0", mlock(a, P) == 0);
  verify("after mlock page 0");
  experr("mlock over the hole with page 0 wired", mlock(a, 6 * P), ENOMEM);
  verify("after mlock over the hole with page 0 wired");
  expect_entry("page 0", (uint64)a, (uint64)a, (uint64)a + P, 1);
  expect_entry("pages 1-2", (uint64)a + P, (uint64)a + P, (uint64)a + 3 * P, 0);
  expect_entry("pages 4-5", (uint64)a + 4 * P, (uint64)a + 4 * P, (uint64)a + 6 * P, 0);
  expect_wired("after mlock over the hole with page 0 wired", w0 + 1, P);
  check("munmap", munmap(a, 6 * P) == 0);
  expect_wired("after munmap", w0, 0);
}

// mlock of 64 KiB of fresh anonymous memory: one entry of exactly that range,
// WIRED 1, every page in memory (and kept mapped through MADV_DONTNEED); 16 pages
// more wired.
static void
basic(void)
{
  char *a = xmmap("mmap", 64 * KiB, RW, ANON);
  uint64 w0 = wire_count(), s, e, n0;

  snapshot();
  s = entry_at((uint64)a)->kve_start;
  e = entry_at((uint64)a)->kve_end;
  n0 = nkve;
  expect_wired("before mlock", w0, 0);
  check("mlock 64 KiB", mlock(a, 64 * KiB) == 0);
  verify("after mlock");
  expect_entry("after mlock", (uint64)a, (uint64)a, (uint64)a + 64 * KiB, 1);
  expect("entries after mlock", nkve, n0 + (s < (uint64)a) + (e > (uint64)a + 64 * KiB));
  if(s < (uint64)a)
    expect_entry("what lies below, after mlock", s, s, (uint64)a, 0);
  if(e > (uint64)a + 64 * KiB)
    expect_entry("what lies above, after mlock", e - 1, (uint64)a + 64 * KiB, e, 0);
  expect_resident("after mlock", a, 64 * KiB);
  expect_wired("after mlock", w0 + 16, 64 * KiB);
  expect_bytes("fresh wired memory", a, 64 * KiB, 0);
  memset(a, 'w', 64 * KiB);
  check("madvise DONTNEED", madvise(a, 64 * KiB, MADV_DONTNEED) == 0);
  expect_entry("after MADV_DONTNEED", (uint64)a, (uint64)a, (uint64)a + 64 * KiB, 1);
  expect_bytes("after MADV_DONTNEED", a, 64 * KiB, 'w');
  expect_wired("after MADV_DONTNEED", w0 + 16, 64 * KiB);
  check("munmap", munmap(a, 64 * KiB) == 0);
  expect_wired("after munmap", w0, 0);
}

// mlock of pages 2-5 of 8 splits the mapping in three, and pages 0-1 and 6-7 stay
// out of memory; mlock of pages 4-7 then wires 6-7 too, and the two wired pieces
// merge.
static void
partial(void)
{
  char *a = xmmap("mmap", 8 * P, RW, ANON);
  uint64 w0 = wire_count(), s, e, n0;
  static char vec[8];

  snapshot();
  s = entry_at((uint64)a)->kve_start;
  e = entry_at((uint64)a)->kve_end;
  n0 = nkve;
  check("mlock pages 2-5", mlock(a + 2 * P, 4 * P) == 0);
  verify("after mlock");
  expect_entry("pages 0-1", (uint64)a, s, (uint64)a + 2 * P, 0);
  expect_entry("pages 2-5", (uint64)a + 2 * P, (uint64)a + 2 * P, (uint64)a + 6 * P, 1);
  expect_entry("pages 6-7", (uint64)a + 6 * P, (uint64)a + 6 * P, e, 0);
  expect("entries after mlock", nkve, n0 + 2);
  check("mincore", mincore(a, 8 * P, vec) == 0);
  for(int i = 0; i < 8; i++)
    expect("mincore: page in memory (only 2-5)", vec[i] & MINCORE_INCORE,
           i >= 2 && i < 6 ? MINCORE_INCORE : 0);
  expect_wired("after mlock of pages 2-5", w0 + 4, 4 * P);

  check("mlock pages 4-7", mlock(a + 4 * P, 4 * P) == 0);
  verify("after the second mlock");
  expect_entry("pages 2-7, after the second mlock", (uint64)a + 3 * P, (uint64)a + 2 * P,
               (uint64)a + 8 * P, 1);
  expect("entries after the second mlock", nkve, n0 + 1 + (e > (uint64)a + 8 * P));
  expect_wired("after mlock of pages 4-7", w0 + 6, 6 * P);
  check("munmap", munmap(a, 8 * P) == 0);
  expect_wired("after munmap", w0, 0);
}

// mlock twice is mlock once: WIRED stays 1, nothing more counted. And mlock of a
// range half wired leaves the wired half as it was.
static void
idempotent(void)
{
  char *a = xmmap("mmap", 8 * P, RW, ANON);
  uint64 w0 = wire_count();

  check("mlock", mlock(a, 4 * P) == 0);
  check("mlock again", mlock(a, 4 * P) == 0);
  verify("after two mlocks");
  expect_entry("after two mlocks", (uint64)a, (uint64)a, (uint64)a + 4 * P, 1);
  expect_wired("after two mlocks", w0 + 4, 4 * P);
  check("mlock of pages 0-5 (0-3 wired already)", mlock(a, 6 * P) == 0);
  check("mlock of page 1 (wired already)", mlock(a + P, P) == 0);
  verify("after the overlapping mlocks");
  expect_entry("after the overlapping mlocks", (uint64)a, (uint64)a, (uint64)a + 6 * P, 1);
  expect_wired("after the overlapping mlocks", w0 + 6, 6 * P);
  check("munmap", munmap(a, 8 * P) == 0);
  expect_wired("after munmap", w0, 0);
}

// RLIMIT_MEMLOCK bounds the bytes a map has user-wired: over it, ENOMEM with
// nothing wired; memory wired already counts; munmap gives room back.
static void
rlimit(void)
{
  char *a = xmmap("mmap", 256 * KiB, RW, ANON);
  struct rlimit rl;
  uint64 w0 = wire_count();

  check("getrlimit", getrlimit(RLIMIT_MEMLOCK, &rl) == 0);
  expect("RLIMIT_MEMLOCK's default soft limit", rl.rlim_cur, DFLMLOCK);
  expect("RLIMIT_MEMLOCK's default hard limit", rl.rlim_max, DFLMLOCK);
  rl.rlim_cur = rl.rlim_max = 64 * KiB;
  check("setrlimit RLIMIT_MEMLOCK 64 KiB", setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
  experr("mlock of 128 KiB", mlock(a, 128 * KiB), ENOMEM);
  experr("mlock of 64 KiB + 1 page", mlock(a, 64 * KiB + P), ENOMEM);
  expect_none_wired("after the mlocks over the limit");
  expect_wired("after the mlocks over the limit", w0, 0);
  check("mlock of 32 KiB", mlock(a, 32 * KiB) == 0);
  check("mlock of 32 KiB more, elsewhere", mlock(a + 128 * KiB, 32 * KiB) == 0);
  expect_wired("at the limit", w0 + 16, 64 * KiB);
  experr("mlock of another page", mlock(a + 64 * KiB, P), ENOMEM);
  experr("mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT), ENOMEM);
  verify("after the failed calls at the limit");
  expect_entry("the page mlock refused", (uint64)a + 64 * KiB, (uint64)a + 32 * KiB,
               (uint64)a + 128 * KiB, 0);
  expect_wired("after the failed calls at the limit", w0 + 16, 64 * KiB);
  check("munmap of 32 KiB wired", munmap(a, 32 * KiB) == 0);
  check("mlock of another page once there is room", mlock(a + 64 * KiB, P) == 0);
  expect_wired("after munmap and mlock", w0 + 9, 36 * KiB);

  // A soft limit below the hard one is the one enforced.
  check("munmap of the rest", munmap(a + 32 * KiB, 224 * KiB) == 0);
  expect_wired("after munmap of the rest", w0, 0);
  a = xmmap("mmap", 64 * KiB, RW, ANON);
  rl.rlim_cur = 16 * KiB;
  check("setrlimit: soft limit 16 KiB", setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
  experr("mlock of 20 KiB, soft limit 16 KiB", mlock(a, 20 * KiB), ENOMEM);
  check("mlock of 16 KiB", mlock(a, 16 * KiB) == 0);
  rl.rlim_cur = rl.rlim_max = 0;
  check("setrlimit RLIMIT_MEMLOCK 0", setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
  experr("mlock of a page with a limit of 0", mlock(a + 32 * KiB, P), ENOMEM);
  expect_wired("at the end", w0 + 4, 16 * KiB);
  verify("at the end");
}

// syslimit's checks, in a child of the test's process while the others hold the
// system's wired pages at max.
static void
at_syslimit(char *a, uint64 max)
{
  expect("pages wired system-wide, at the limit", wire_count(), max);
  experr("mlock of one page more than the system's limit", mlock(a, P), EAGAIN);
  experr("mlockall(MCL_CURRENT) over the system's limit", mlockall(MCL_CURRENT), EAGAIN);
  expect_none_wired("after mlock over the system's limit");
  expect_wired("after mlock over the system's limit", max, 0);
  verify("after mlock over the system's limit");
}

// The system wires at most three quarters of its pages: children wire right up to
// that (each within its own RLIMIT_MEMLOCK); then one page more is EAGAIN, until
// they exit. Whatever fails, the children have exited before the test's process
// does: their wired pages must not count in the next test.
static void
syslimit(void)
{
  struct vmstats st = stats();
  uint64 max = MAXWIRED(st.v_page_count), left = max - st.v_wire_count;
  char *a = xmmap("mmap", P, RW, ANON), c;
  int hold[2], ready[2], n = 0, ok = 1, status = 0;

  check("pipe", pipe(hold) == 0);
  while(left > 0 && ok){
    uint64 npages = left < DFLMLOCK / P ? left : DFLMLOCK / P;
    check("pipe", pipe(ready) == 0);
    if(xfork() == 0){
      close(hold[1]);
      close(ready[0]);
      char *p = xmmap("child: mmap", npages * P, RW, ANON);
      check("child: mlock (the system's limit not reached)", mlock(p, npages * P) == 0);
      signal_(ready[1]);
      read(hold[0], &c, 1);    // end of file once the parent closes the pipe
      exit(0);
    }
    n++;
    close(ready[1]);
    ok = read(ready[0], &c, 1) == 1;    // (end of file: the child failed, and said so)
    close(ready[0]);
    left -= npages;
  }
  if(ok){
    if(xfork() == 0){
      at_syslimit(a, max);
      exit(0);
    }
    wait(&status);     // the child that checks: the others wait for the pipe
    ok = status == 0;
  }
  close(hold[1]);
  for(int i = 0; i < n; i++){
    check("wait", wait(&status) > 0);
    ok &= status == 0;
  }
  if(!ok)
    exit(1);           // (the child that failed has said why)
  expect("pages wired system-wide once the children exited", wire_count(), st.v_wire_count);
  check("mlock once the children exited", mlock(a, P) == 0);
}

// A private file mapping, wired: every page in memory and copied into the entry's
// own object (a shadow over the file's), so the file's later changes do not show;
// the file itself never changes.
static void
private_file(void)
{
  char *p;
  int fd;
  uint64 w0 = wire_count();

  mkfile("wire.p", 2 * P, 'f');
  fd = open("wire.p", O_RDWR);
  check("open", fd >= 0);
  p = mmap(0, 2 * P, RW, MAP_PRIVATE, fd, 0);
  check("mmap", p != MAP_FAILED);
  close(fd);
  check("mlock", mlock(p, 2 * P) == 0);
  verify("after mlock");
  expect_entry("after mlock", (uint64)p, (uint64)p, (uint64)p + 2 * P, 1);
  expect("the chain under the wired private mapping (its copy over the file)",
         entry_at((uint64)p)->kve_shadow_depth, 2);
  expect_resident("after mlock", p, 2 * P);
  expect_wired("after mlock", w0 + 2, 2 * P);
  expect_bytes("the wired pages", p, 2 * P, 'f');
  p[0] = 'w';
  expect_file("the file after a write to the wired private mapping", "wire.p", 2 * P, 'f');
  mkfile("wire.p", 2 * P, 'g');
  expect("page 0, written", p[0], 'w');
  expect_bytes("page 1 (copied when wired) after the file changed", p + P, P, 'f');
  check("munmap", munmap(p, 2 * P) == 0);
  expect_wired("after munmap", w0, 0);
  expect_file("the file at the end", "wire.p", 2 * P, 'g');
  unlink("wire.p");
}

// A shared file mapping, wired: every page in memory, the file's own (no copy):
// writes through it reach the file, the file's changes show in it.
static void
shared_file(void)
{
  char *p;
  int fd;
  uint64 w0 = wire_count();

  mkfile("wire.s", 2 * P, 'f');
  fd = open("wire.s", O_RDWR);
  check("open", fd >= 0);
  p = mmap(0, 2 * P, RW, MAP_SHARED, fd, 0);
  check("mmap", p != MAP_FAILED);
  close(fd);
  check("mlock", mlock(p, 2 * P) == 0);
  verify("after mlock");
  expect_entry("after mlock", (uint64)p, (uint64)p, (uint64)p + 2 * P, 1);
  expect("the chain under the wired shared mapping (the file's object alone)",
         entry_at((uint64)p)->kve_shadow_depth, 1);
  expect_resident("after mlock", p, 2 * P);
  expect_wired("after mlock", w0 + 2, 2 * P);
  memset(p, 's', P);
  check("msync", msync(p, 2 * P, MS_SYNC) == 0);
  expect_file("page 0 of the file after a write through the mapping", "wire.s", P, 's');
  fd = open("wire.s", O_RDWR);
  check("open", fd >= 0);
  memset(fbuf, 'g', 2 * P);
  expect("write the file", write(fd, fbuf, 2 * P), 2 * P);
  close(fd);
  expect_bytes("the wired shared mapping after the file changed", p, 2 * P, 'g');
  check("munmap", munmap(p, 2 * P) == 0);
  expect_wired("after munmap", w0, 0);
  unlink("wire.s");
}

// mlock of PROT_NONE memory wires its pages, in memory though not mapped (nothing
// may touch them); once readable, they are there.
static void
prot_none(void)
{
  char *a = xmmap("mmap PROT_NONE", 4 * P, PROT_NONE, ANON);
  uint64 w0 = wire_count();
  struct kinfo_vmentry *e;

  check("mlock", mlock(a, 4 * P) == 0);
  verify("after mlock");
  snapshot();
  e = entry_at((uint64)a);
  check("after mlock: an entry at the mapping", e != 0);
  if(e->kve_start != (uint64)a || e->kve_end != (uint64)a + 4 * P ||
     e->kve_wired_count != 1 || !(e->kve_flags & KVME_FLAG_USER_WIRED)){
    printf("wiretest %s: FAILED: after mlock: the entry 0x%lx-0x%lx has WIRED %d, flags "
           "0x%x; expected 0x%lx-0x%lx, WIRED 1, wired\n", test, e->kve_start, e->kve_end,
           e->kve_wired_count, e->kve_flags, (uint64)a, (uint64)a + 4 * P);
    exit(1);
  }
  expect_resident("after mlock", a, 4 * P);
  expect_wired("after mlock", w0 + 4, 4 * P);
  check("mprotect RW", mprotect(a, 4 * P, RW) == 0);
  expect_bytes("the wired pages, made readable", a, 4 * P, 0);
  memset(a, 'n', 4 * P);
  expect_range_wired("after mprotect", a, 4 * P);
  expect_wired("after mprotect", w0 + 4, 4 * P);
  check("munmap", munmap(a, 4 * P) == 0);
  expect_wired("after munmap", w0, 0);
}

// A page that cannot be faulted in (a file mapping's page past the end of the file)
// fails mlock with ENOMEM, and what it wired before that page is unwired again: in
// an entry before the file's, and in the file's own entry.
static void
eof(void)
{
  char *r = xmmap("mmap room", 5 * P, PROT_NONE, ANON), *f;
  uint64 w0 = wire_count();
  int fd;

  mkfile("wire.e", 2 * P, 'e');
  fd = open("wire.e", O_RDWR);
  check("open", fd >= 0);
  check("mmap anonymous memory at the room's start",
        mmap(r, 2 * P, RW, ANON | MAP_FIXED, -1, 0) == r);
  f = mmap(r + 2 * P, 3 * P, RW, MAP_SHARED | MAP_FIXED, fd, 0);
  check("mmap 3 pages of a 2-page file right above it", f == r + 2 * P);
  close(fd);
  r[0] = 'r';
  experr("mlock of a page past the end of the file", mlock(r, 5 * P), ENOMEM);
  verify("after the failed mlock");
  expect_none_wired("after the failed mlock");
  expect_wired("after the failed mlock", w0, 0);
  experr("mlock of the file's pages, one past its end", mlock(f, 3 * P), ENOMEM);
  expect_none_wired("after the second failed mlock");
  expect_wired("after the second failed mlock", w0, 0);
  check("mlock of what the file holds", mlock(r, 4 * P) == 0);
  expect_range_wired("after mlock", r, 4 * P);
  expect_wired("after mlock", w0 + 4, 4 * P);
  expect("the anonymous page", r[0], 'r');
  expect_bytes("the file's pages", f, 2 * P, 'e');
  check("munmap", munmap(r, 5 * P) == 0);
  expect_wired("after munmap", w0, 0);
  unlink("wire.e");
}

// munmap of wired memory unwires it: of a part (the rest stays wired), then of the
// rest, and then its pages are free. (Not before: the object still holds the pages
// of the part, as long as the rest maps it.) Twice: the first round leaves what
// the kernel keeps after munmap (page-table pages, its allocators' pages for map
// entries) and the pages of this process's stack and buffers that the checks touch
// first; the second must give back every page it took.
static void
munmap_unwires(void)
{
  uint64 len = MiB, npages = len / P;
  char *a;
  long free0 = 0, free1;
  uint64 w0 = wire_count();
  struct memsnap m0;

  for(int round = 0; round < 2; round++){
    memsnap(&m0);
    free0 = m0.free;
    a = xmmap("mmap", len, RW, ANON);
    check("mlock", mlock(a, len) == 0);
    free1 = freemem();
    if(free0 - free1 < (long)npages){
      printf("wiretest %s: FAILED: mlock of %ld pages took %ld free pages\n", test,
             (long)npages, free0 - free1);
      exit(1);
    }
    expect_wired("after mlock", w0 + npages, len);
    fill(1, a, len, P / 8);
    check("munmap of 2 pages in the middle", munmap(a + 100 * P, 2 * P) == 0);
    verify("after munmap of 2 pages");
    expect_entry("below the pages unmapped", (uint64)a, (uint64)a, (uint64)a + 100 * P, 1);
    expect_entry("above the pages unmapped", (uint64)a + 102 * P, (uint64)a + 102 * P,
                 (uint64)a + len, 1);
    expect_wired("after munmap of 2 pages", w0 + npages - 2, len - 2 * P);
    expect_filled("below the pages unmapped", 1, a, 100 * P, P / 8);
    expect_filled("above the pages unmapped", 1, a + 102 * P, len - 102 * P, P / 8);
    check("munmap of the rest", munmap(a, len) == 0);
    verify("after munmap");
    expect_wired("after munmap", w0, 0);
  }
  expect_memsnap("free pages after the second round's munmap", &m0);
}

// A fork child's entries are never wired, yet it sees the parent's data; its writes
// stay its own. The parent's wired entry (pages 1-3 of 4: it maps its object from an
// offset) keeps its object and its pages: nothing made copy-on-write there, its
// writes never seen by the child.
static void
fork_(void)
{
  char *a = xmmap("mmap", 4 * P, RW, ANON);
  int tochild[2], toparent[2], obj;
  uint64 w0 = wire_count();

  for(int i = 0; i < 4; i++)
    memset(a + i * P, 'a' + i, P);
  check("mlock pages 1-3", mlock(a + P, 3 * P) == 0);
  expect_entry("after mlock", (uint64)a + P, (uint64)a + P, (uint64)a + 4 * P, 1);
  obj = entry_at((uint64)a + P)->kve_obj_id;
  check("pipe", pipe(tochild) == 0 && pipe(toparent) == 0);
  if(xfork() == 0){
    close(tochild[1]);
    close(toparent[0]);
    verify("child");
    expect_none_wired("child: after fork");
    expect_wired("child: after fork", w0 + 3, 0);
    for(int i = 0; i < 4; i++)
      expect_bytes("child: the parent's data", a + i * P, P, 'a' + i);
    memset(a, 'x', 2 * P);
    signal_(toparent[1]);
    await(tochild[0]);   // the parent has written
    expect_bytes("child: its own write, after the parent's", a, 2 * P, 'x');
    expect_bytes("child: page 2, after the parent wrote it", a + 2 * P, P, 'c');
    expect_bytes("child: page 3, after the parent wrote it", a + 3 * P, P, 'd');
    expect_none_wired("child: at the end");
    exit(0);
  }
  close(tochild[0]);
  close(toparent[1]);
  await(toparent[0]);    // the child has written
  // Before the parent writes: a wired entry shared copy-on-write would have its
  // pages copied away from under the wiring by that write.
  struct kinfo_vmentry *e = entry_at((uint64)a + P);
  if(e->kve_obj_id != obj || (e->kve_flags & KVME_FLAG_NEEDS_COPY)){
    printf("wiretest %s: FAILED: parent: after fork its wired entry maps object %d "
           "(flags 0x%x), not its own object %d as before\n", test, e->kve_obj_id,
           e->kve_flags, obj);
    exit(1);
  }
  verify("parent: after fork");
  for(int i = 0; i < 4; i++)
    expect_bytes("parent: after the child wrote", a + i * P, P, 'a' + i);
  memset(a + P, 'q', 3 * P);
  expect_entry("parent: after fork and its writes", (uint64)a + P, (uint64)a + P,
               (uint64)a + 4 * P, 1);
  e = entry_at((uint64)a + P);
  if(e->kve_obj_id != obj || (e->kve_flags & KVME_FLAG_NEEDS_COPY)){
    printf("wiretest %s: FAILED: parent: after its writes its wired entry maps object "
           "%d (flags 0x%x), not its own object %d as before\n", test, e->kve_obj_id,
           e->kve_flags, obj);
    exit(1);
  }
  expect_wired("parent: after fork", w0 + 3, 3 * P);
  signal_(tochild[1]);
  close(tochild[1]);
  waitok("child");
  expect("parent: page 0", a[0], 'a');
  expect_bytes("parent: pages 1-3", a + P, 3 * P, 'q');
  check("munmap", munmap(a, 4 * P) == 0);
  expect_wired("after munmap", w0, 0);
}

// Wired shared memory (MAP_SHARED anonymous) stays shared with a fork child, whose
// entry is not wired: each sees the other's writes.
static void
fork_shared(void)
{
  char *s = xmmap("mmap shared", 4 * P, RW, MAP_SHARED | MAP_ANON);
  uint64 w0 = wire_count();

  s[0] = 'p';
  check("mlock", mlock(s, 4 * P) == 0);
  expect_entry("after mlock", (uint64)s, (uint64)s, (uint64)s + 4 * P, 1);
  if(xfork() == 0){
    expect_none_wired("child");
    expect("child: the parent's write", s[0], 'p');
    s[0] = 'c';
    s[3 * P] = 'c';
    exit(0);
  }
  waitok("child");
  expect("parent: page 0 the child wrote", s[0], 'c');
  expect("parent: page 3 the child wrote", s[3 * P], 'c');
  expect_entry("parent: after the child exited", (uint64)s, (uint64)s, (uint64)s + 4 * P, 1);
  expect_wired("after the child exited", w0 + 4, 4 * P);
  check("munmap", munmap(s, 4 * P) == 0);
  expect_wired("after munmap", w0, 0);
}

// Free pages once a child is gone: within ZONE_SLACK pages of free0. The child's
// wired MiB is 256 pages; the slack is for this process's own structures, which a
// fork and an exit make and collapse again (shadow objects, map entries): the
// zones give a page back as soon as all its items are free, so where those land
// moves the count by a page either way, as timing has it (seen in CI, both ways).
#define ZONE_SLACK 2

static void
expect_free_near(char *what, long free0)
{
  long d = freemem() - free0;

  if(d < -ZONE_SLACK || d > ZONE_SLACK){
    printf("wiretest %s: FAILED: %s: expected %ld free pages (give or take %d) got %ld\n",
           test, what, free0, ZONE_SLACK, free0 + d);
    exit(1);
  }
}

// A process that exits with memory wired (by mlock, and by mlockall) gives it all
// back. (After each child, warmup() writes this process's pages again: those it
// wrote while they were shared copy-on-write with the child got a copy, and the
// first write after the child is gone folds the copies back, or not, depending on
// which of the two ran first. Counting free pages after it does not.)
static void
exit_(void)
{
  uint64 w0;
  long free0;

  if(xfork() == 0)       // first, what a fork and an exit take and keep
    exit(0);
  waitok("child");
  warmup();
  w0 = wire_count();
  free0 = freemem();
  if(xfork() == 0){
    char *a = xmmap("child: mmap", MiB, RW, ANON);
    check("child: mlock", mlock(a, MiB) == 0);
    expect_wired("child: after mlock", w0 + MiB / P, MiB);
    exit(0);
  }
  waitok("child");
  warmup();
  expect("pages wired once the child that mlocked exited", wire_count(), w0);
  expect_free_near("free pages once the child that mlocked exited", free0);
  if(xfork() == 0){
    char *a = xmmap("child: mmap", MiB, RW, ANON);
    check("child: mlockall", mlockall(MCL_CURRENT) == 0);
    expect_range_wired("child: mmap before mlockall(MCL_CURRENT)", a, MiB);
    exit(0);
  }
  waitok("child");
  warmup();
  expect("pages wired once the child that called mlockall exited", wire_count(), w0);
  expect_free_near("free pages once the child that called mlockall exited", free0);
}

// exec removes a process's wiring: mlock's and mlockall's, MCL_FUTURE too.
static void
exec_(void)
{
  char *argv[] = { "wiretest", "-x", "exec", 0 };
  uint64 w0 = wire_count();
  int st = 0;

  if(xfork() == 0){
    char *a = xmmap("mmap", 4 * P, RW, ANON);
    check("mlock", mlock(a, 4 * P) == 0);
    check("mlockall", mlockall(MCL_CURRENT | MCL_FUTURE) == 0);
    exec(self, argv);
    printf("wiretest %s: FAILED: exec %s (errno %s)\n", test, self, errname(errno));
    exit(1);
  }
  check("wait", wait(&st) > 0);
  if(st == 1)
    exit(1);
  if(st != 42){
    printf("wiretest %s: FAILED: the exec'd wiretest -x exec exited with %d\n", test, st);
    exit(1);
  }
  expect("pages wired once the exec'd program exited", wire_count(), w0);
}

// wiretest -x exec: nothing wired in the new image, and mmap does not wire.
static void
x_exec(void)
{
  expect_none_wired("after exec");
  expect("bytes wired in the map after exec", stats().v_map_wired, 0);
  char *a = xmmap("mmap after exec", 4 * P, RW, ANON);
  snapshot();
  check("mmap after exec: not wired", !is_wired(entry_at((uint64)a)));
  expect("bytes wired after mmap after exec", stats().v_map_wired, 0);
}

// mlockall(MCL_CURRENT): every entry of the map wired, with all its pages; a later
// mmap is not, until mlockall again. (The process's exit unwires it all.)
static void
mlockall_current(void)
{
  char *a = xmmap("mmap", 16 * P, RW, ANON), *b;
  struct vmstats st;
  uint64 w0 = wire_count();

  check("mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT) == 0);
  verify("after mlockall");
  st = stats();
  snapshot();
  for(int i = 0; i < nkve; i++)
    expect_range_wired("after mlockall(MCL_CURRENT)", (char *)kve[i].kve_start,
                       kve[i].kve_end - kve[i].kve_start);
  expect("bytes wired after mlockall (the map's size)", st.v_map_wired, st.v_map_size);
  expect("pages wired after mlockall (the map's)", st.v_wire_count, w0 + st.v_map_size / P);
  expect_resident("the untouched mapping", a, 16 * P);
  b = xmmap("mmap after mlockall(MCL_CURRENT)", 4 * P, RW, ANON);
  snapshot();
  check("mmap after mlockall(MCL_CURRENT): not wired", !is_wired(entry_at((uint64)b)));
  expect("bytes wired after that mmap", stats().v_map_wired, st.v_map_wired);
  check("mlockall(MCL_CURRENT) again", mlockall(MCL_CURRENT) == 0);
  expect_range_wired("the mapping made in between, after mlockall again", b, 4 * P);
  expect_wired("after mlockall again", st.v_wire_count + 4, st.v_map_wired + 4 * P);
  verify("after mlockall again");
}

// munlock: of memory not all wired, or over a hole, ENOMEM with nothing changed;
// of part of a wired entry, it clips; once unwires what mlock wired twice; and the
// pieces merge back into what mlock clipped them from.
static void
munlock_(void)
{
  char *a = xmmap("mmap", 8 * P, RW, ANON);
  uint64 w0 = wire_count(), s, e, n0;

  snapshot();
  s = entry_at((uint64)a)->kve_start;
  e = entry_at((uint64)a)->kve_end;
  n0 = nkve;
  experr("munlock of memory never wired", munlock(a, 2 * P), ENOMEM);
  check("mlock", mlock(a, 4 * P) == 0);
  check("mlock again", mlock(a, 4 * P) == 0);
  check("munlock", munlock(a, 4 * P) == 0);
  verify("after two mlocks and a munlock");
  expect_entry("after two mlocks and a munlock: merged back", (uint64)a, s, e, 0);
  expect("entries after munlock", nkve, n0);
  expect_wired("after two mlocks and a munlock", w0, 0);
  experr("a second munlock", munlock(a, 4 * P), ENOMEM);

  check("mlock pages 0-3", mlock(a, 4 * P) == 0);
  experr("munlock of pages 0-4 (4 not wired)", munlock(a, 5 * P), ENOMEM);
  experr("munlock of pages 0-7 (4-7 not wired)", munlock(a, 8 * P), ENOMEM);
  verify("after the failed munlocks");
  expect_entry("pages 0-3 after the failed munlocks", (uint64)a, (uint64)a,
               (uint64)a + 4 * P, 1);
  expect_wired("after the failed munlocks", w0 + 4, 4 * P);
  check("munlock of pages 1-2", munlock(a + P, 2 * P) == 0);
  verify("after munlock of pages 1-2");
  expect_entry("page 0", (uint64)a, (uint64)a, (uint64)a + P, 1);
  expect_entry("pages 1-2", (uint64)a + P, (uint64)a + P, (uint64)a + 3 * P, 0);
  expect_entry("page 3", (uint64)a + 3 * P, (uint64)a + 3 * P, (uint64)a + 4 * P, 1);
  expect_wired("after munlock of pages 1-2", w0 + 2, 2 * P);
  expect_resident("page 0, still wired", a, P);
  expect_resident("page 3, still wired", a + 3 * P, P);

  check("munmap page 2", munmap(a + 2 * P, P) == 0);
  check("mlock page 1", mlock(a + P, P) == 0);
  experr("munlock over the hole at page 2", munlock(a, 4 * P), ENOMEM);
  experr("munlock of the hole", munlock(a + 2 * P, P), ENOMEM);
  verify("after munlock over a hole");
  expect_entry("pages 0-1 after munlock over a hole", (uint64)a, (uint64)a,
               (uint64)a + 2 * P, 1);
  expect_wired("after munlock over a hole", w0 + 3, 3 * P);
  check("munlock of pages 0-1", munlock(a, 2 * P) == 0);
  check("munlock of page 3", munlock(a + 3 * P, P) == 0);
  expect_none_wired("after munlock of all");
  expect_wired("after munlock of all", w0, 0);
  verify("at the end");
}

// munlockall unwires every entry mlockall or mlock wired, with nothing wired it
// does nothing; it fails for nothing.
static void
munlockall_(void)
{
  char *a = xmmap("mmap", 16 * P, RW, ANON), *b = xmmap("mmap", 4 * P, RW, ANON);
  uint64 w0 = wire_count();

  check("munlockall with nothing wired", munlockall() == 0);
  expect_wired("after munlockall with nothing wired", w0, 0);
  check("mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT) == 0);
  expect_range_wired("after mlockall(MCL_CURRENT)", a, 16 * P);
  check("munlockall", munlockall() == 0);
  verify("after munlockall");
  expect_none_wired("after munlockall");
  expect_wired("after munlockall", w0, 0);
  check("mlock", mlock(b + P, P) == 0);
  check("munmap a hole", munmap(a + 4 * P, P) == 0);
  check("munlockall over holes and memory not wired", munlockall() == 0);
  expect_none_wired("after munlockall of an mlock");
  expect_wired("after munlockall of an mlock", w0, 0);
  verify("at the end");
}

// Recurse until a frame lies below low: 1 KiB frames, each written.
static int __attribute__((noinline))
grow(uint64 low, int depth)
{
  volatile char buf[1000];

  for(int i = 0; i < (int)sizeof(buf); i++)
    buf[i] = depth + i;
  if((uint64)buf > low)
    return grow(low, depth + 1) + buf[depth % sizeof(buf)];
  return buf[0];
}

// The lowest stack entry's start.
static uint64
stack_low(void)
{
  uint64 lo = USRSTACK;

  snapshot();
  for(int i = 0; i < nkve; i++)
    if((kve[i].kve_flags & KVME_FLAG_STACK) && kve[i].kve_start < lo)
      lo = kve[i].kve_start;
  return lo;
}

// After mlockall(MCL_FUTURE), with 8 pages wired: an mmap or sbrk that would pass
// RLIMIT_MEMLOCK fails with ENOMEM and maps nothing.
static void
future_rlimit(void)
{
  struct rlimit rl, old;
  struct vmstats st = stats();
  char *brk = sbrk(0);

  check("getrlimit", getrlimit(RLIMIT_MEMLOCK, &old) == 0);
  rl.rlim_cur = st.v_map_wired + 8 * P;
  rl.rlim_max = old.rlim_max;
  check("setrlimit: 8 pages more than wired", setrlimit(RLIMIT_MEMLOCK, &rl) == 0);
  experr("mmap of 9 pages past RLIMIT_MEMLOCK", (long)mmap(0, 9 * P, RW, ANON, -1, 0),
         ENOMEM);
  experr("sbrk of 9 pages past RLIMIT_MEMLOCK", (long)sbrk(9 * P), ENOMEM);
  expect("the break after sbrk past RLIMIT_MEMLOCK", (long)sbrk(0), (long)brk);
  expect("the map's size after mmap and sbrk past RLIMIT_MEMLOCK", stats().v_map_size,
         st.v_map_size);
  expect_wired("after mmap and sbrk past RLIMIT_MEMLOCK", st.v_wire_count, st.v_map_wired);
  check("setrlimit back", setrlimit(RLIMIT_MEMLOCK, &old) == 0);
}

// mlockall(MCL_FUTURE): what is mapped now stays unwired; later mmaps, sbrk and the
// stack's growth are wired, every page in memory before any touch. A fork child
// does not inherit it. munlockall ends it.
static void
mlockall_future(void)
{
  uint64 w0 = wire_count(), lo0 = stack_low(), lo, n;
  char *a, *h;

  check("mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE) == 0);
  verify("after mlockall(MCL_FUTURE)");
  expect_none_wired("after mlockall(MCL_FUTURE)");
  expect_wired("after mlockall(MCL_FUTURE)", w0, 0);

  a = xmmap("mmap", 8 * P, RW, ANON);
  expect_range_wired("mmap after mlockall(MCL_FUTURE)", a, 8 * P);
  expect_resident("mmap after mlockall(MCL_FUTURE), untouched", a, 8 * P);
  future_rlimit();
  expect_wired("after mmap", w0 + 8, 8 * P);

  h = sbrk(3 * P);
  check("sbrk", h != (char *)-1);
  expect_range_wired("sbrk's growth after mlockall(MCL_FUTURE)", h, 3 * P);
  expect_wired("after sbrk", w0 + 11, 11 * P);

  grow(lo0 - 8 * KiB, 0);
  lo = stack_low();
  check("the stack grew", lo < lo0);
  expect_range_wired("the stack's growth after mlockall(MCL_FUTURE)", (char *)lo, lo0 - lo);
  snapshot();
  check("the stack's first entry: still not wired", !is_wired(entry_at(lo0)));
  n = 11 + (lo0 - lo) / P;
  expect_wired("after the stack grew", w0 + n, n * P);
  verify("after the stack grew");

  if(xfork() == 0){
    expect_none_wired("child");
    char *c = xmmap("child: mmap", 4 * P, RW, ANON);
    snapshot();
    check("child: mmap is not wired (MCL_FUTURE is not inherited)",
          !is_wired(entry_at((uint64)c)));
    // Its own MCL_FUTURE, and an exit with what that wired.
    check("child: mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE) == 0);
    c = xmmap("child: mmap after its mlockall(MCL_FUTURE)", 64 * P, RW, ANON);
    expect_range_wired("child: mmap after its mlockall(MCL_FUTURE)", c, 64 * P);
    exit(0);
  }
  waitok("child");
  expect_wired("once the child exited", w0 + n, n * P);

  check("munlockall", munlockall() == 0);
  verify("after munlockall");
  expect_none_wired("after munlockall");
  expect_wired("after munlockall", w0, 0);
  a = xmmap("mmap after munlockall", 8 * P, RW, ANON);
  h = sbrk(P);
  check("sbrk after munlockall", h != (char *)-1);
  expect_none_wired("mmap and sbrk after munlockall");
  expect_wired("mmap and sbrk after munlockall", w0, 0);
}

// ---------------------------------------------------------------- pressure

// 4 MiB wired, then more memory than the machine has written and checked: the
// rest of the process is paged out, the wired pages never are.
static void
pressure(void)
{
  uint64 wlen = 4 * MiB, olen, pageins;
  struct vmstats st = stats();
  static struct vmstats mid, after;
  char *w, *o;

  check("pressure needs a swap disk", st.v_swap_pages > 0);
  olen = st.v_page_count * P;
  w = xmmap("mmap 4 MiB", wlen, RW, ANON);
  fill(7, w, wlen, 1);
  check("mlock 4 MiB", mlock(w, wlen) == 0);
  expect_range_wired("after mlock", w, wlen);
  expect("bytes wired", stats().v_map_wired, wlen);

  o = xmmap("mmap the machine's memory", olen, RW, ANON);
  fill(8, o, olen, 1);
  expect_filled("the unwired memory, read back", 8, o, olen, 1);
  mid = stats();
  printf("wiretest: pressure: %ld pages written and read back; %ld paged out, %ld in\n",
         (long)(olen / P), (long)(mid.v_map_pageouts - st.v_map_pageouts),
         (long)(mid.v_map_pageins - st.v_map_pageins));
  // With the wired pages in memory, at most v_page_count - wlen/P of the others
  // fit: at least wlen/P of them went out, and came back to be read.
  if(mid.v_map_pageouts - st.v_map_pageouts < wlen / P ||
     mid.v_map_pageins == st.v_map_pageins){
    printf("wiretest %s: FAILED: too little paging (v_map_pageouts, v_map_pageins): "
           "expected at least %ld pages out and some in\n", test, (long)(wlen / P));
    exit(1);
  }
  expect_resident("the wired memory, after the pressure", w, wlen);
  expect_range_wired("the wired memory, after the pressure", w, wlen);
  check("munmap the unwired memory", munmap(o, olen) == 0);
  // Bring back what the reading touches besides the wired memory (its stack, the
  // page of after), so that only the wired pages could count: read the first page
  // (in memory, as mincore said) first.
  after = stats();
  expect_filled("the wired memory's first page", 7, w, P, 1);
  after = stats();
  pageins = after.v_map_pageins;
  expect_filled("the wired memory", 7, w, wlen, 1);
  after = stats();
  if(after.v_map_pageins != pageins){
    printf("wiretest %s: FAILED: reading the wired memory paged %ld pages in\n", test,
           (long)(after.v_map_pageins - pageins));
    exit(1);
  }
  check("munlock", munlock(w, wlen) == 0);
  check("munmap", munmap(w, wlen) == 0);
  expect_wired("at the end", st.v_wire_count, 0);
}

// ---------------------------------------------------------------- main

// The tests wiretest runs by default come first; the rest run only by name.
static const struct vmtest tests[] = {
  { "errors", errors },
  { "holes", holes },
  { "basic", basic },
  { "partial", partial },
  { "idempotent", idempotent },
  { "rlimit", rlimit },
  { "syslimit", syslimit },
  { "private_file", private_file },
  { "shared_file", shared_file },
  { "prot_none", prot_none },
  { "eof", eof },
  { "munmap_unwires", munmap_unwires },
  { "fork_shared", fork_shared },
  { "exit", exit_ },
  { "exec", exec_ },
  { "mlockall", mlockall_current },
  { "munlock", munlock_ },
  { "munlockall", munlockall_ },
  { "fork", fork_ },
  { "mlockall_future", mlockall_future },
  { "pressure", pressure },
};
#define NDEFAULT (NELEM(tests) - 1)

// Run one test in a child; 1 if it passed, and no page it wired stays wired.
static int
run(int i)
{
  int pid, st = 0;
  uint64 w0 = stats().v_wire_count, w1;

  test = tests[i].name;
  pid = fork();
  if(pid < 0){
    printf("wiretest %s: FAILED: fork (errno %s)\n", test, errname(errno));
    return 0;
  }
  if(pid == 0){
    test_pid = getpid();
    tests[i].fn();
    exit(0);
  }
  wait(&st);
  w1 = stats().v_wire_count;
  if(st == 0 && w1 != w0){
    printf("wiretest %s: FAILED: %ld pages wired before, %ld once its process exited\n",
           test, (long)w0, (long)w1);
    return 0;
  }
  if(st == 0){
    printf("wiretest %s: OK\n", test);
    return 1;
  }
  if(st == -1)
    printf("wiretest %s: FAILED: killed\n", test);
  return 0;   // (a child that exits 1 has said why)
}

// Run the tests named in argv (all the default ones if none): the number that
// failed, or -1 if no test has such a name.
static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, argc == 1 ? NDEFAULT : NELEM(tests), run);
}

int
main(int argc, char *argv[])
{
  if(argc == 3 && strcmp(argv[1], "-x") == 0 && strcmp(argv[2], "exec") == 0){
    test = "exec";
    x_exec();
    exit(42);
  }
  vmtest_finish("wiretest", "wiretest [test...]", argc, argv, runall);
}

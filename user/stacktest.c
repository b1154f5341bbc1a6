// stacktest: lab 4 (stack). Stacks that grow down on a fault: the main stack's
// reservation after exec, its growth within RLIMIT_STACK, the stack-pointer rule,
// the kernel's own copies into an untouched stack, and mmap(MAP_STACK).
//
//   stacktest            run every test, then check that no page leaked
//   stacktest NAME...    run only the named tests
//
// Each test runs in a child and prints "stacktest NAME: OK" or "stacktest NAME:
// FAILED: ..."; the last line is "stacktest: ALL OK" or "stacktest: N FAILED". A
// test whose child the kernel kills (stack overflow, a touch below sp) leaves the
// kernel's line on the console, which the grader checks; to let it check the
// addresses, the first line is "stacktest: USRSTACK 0x...".
//
// It also builds and runs on Linux (gcc -o stacktest user/stacktest.c); there
// what is vmlab's alone is skipped: vmmap, procinfo, the exact limits and errors,
// the stack-pointer rule (Linux grows a stack at any touch in its gap), MAP_STACK's
// rules, the system calls made without a call instruction, the page counts.

#define VMTEST_PROG "stacktest"
#include "vmtest.h"

#ifndef LINUX
#include <sys/syscall.h>
#endif

#define P PAGE_SIZE
#define KiB 1024UL
#define MiB (1024 * KiB)
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// The kernel's (kernel/vm/vm_param.h), which user code cannot include.
#define MAXSSIZ (8 * MiB)       // the default RLIMIT_STACK, and exec's reservation
#define SGROWSIZ (128 * KiB)    // mapped at first, and the grow step
#define DFLMLOCK (32 * MiB)     // the default RLIMIT_MEMLOCK

// How far below the stack pointer code may touch: the x86-64 System V red zone;
// RISC-V has none.
#ifdef __x86_64__
#define REDZONE 128
#else
#define REDZONE 0
#endif

static char chunk[4 * KiB];   // what the tests write to and read from pipes
static char *self;       // this program's path, for exec
static uint64 top;       // the main stack's top: USRSTACK (on Linux, about it)

#ifdef LINUX
static int exec(char *path, char **argv) { return execv(path, argv); }
#endif

// ---------------------------------------------------------------- checking

// (Unused on Linux, where the vmlab-only tests that compare addresses are skipped.)
static void __attribute__((unused))
expect_hex(char *what, uint64 got, uint64 want)
{
  if(got == want)
    return;
  printf("stacktest %s: FAILED: %s: expected 0x%lx got 0x%lx\n", test, what, want, got);
  exit(1);
}

// Wait for the child and check the kernel killed it.
static void
waitkilled(char *what)
{
  int st = 0;

  check("wait", wait(&st) > 0);
  if(!was_killed(st)){
    printf("stacktest %s: FAILED: %s, yet the child lived (status %d)\n", test, what, st);
    exit(1);
  }
}

static struct rlimit
xgetrlimit(int resource)
{
  struct rlimit rl;

  check("getrlimit", getrlimit(resource, &rl) == 0);
  return rl;
}

static void
expect_rlimit(char *what, int resource, uint64 cur, uint64 max)
{
  struct rlimit rl = xgetrlimit(resource);

  if(rl.rlim_cur == cur && rl.rlim_max == max)
    return;
  printf("stacktest %s: FAILED: %s: expected %ld/%ld got %ld/%ld\n", test, what,
         (long)cur, (long)max, (long)rl.rlim_cur, (long)rl.rlim_max);
  exit(1);
}

static void
xsetrlimit(char *what, int resource, uint64 cur, uint64 max)
{
  struct rlimit rl = { cur, max };

  check(what, setrlimit(resource, &rl) == 0);
}

// Fork a child that execs this program as `stacktest -x NAME args...` (NAME: the
// test's) and wait: the exec'd program exits 42 when all is well, and says why not
// otherwise.
static void
run_exec(char *a1, char *a2, char *a3, char *a4)
{
  char *argv[] = { "stacktest", "-x", test, a1, a2, a3, a4, 0 };
  int st = 0;

  if(xfork() == 0){
    exec(self, argv);
    printf("stacktest %s: FAILED: exec %s (errno %s)\n", test, self, errname(errno));
    exit(1);
  }
  check("wait", wait(&st) > 0);
  if(exited_with(st, 42))
    return;
  if(!exited_with(st, 1))
    printf("stacktest %s: FAILED: the exec'd stacktest -x %s exited with status %d\n",
           test, test, st);
  exit(1);
}

// ---------------------------------------------------------------- the stack pointer

static uint64
read_sp(void)
{
  uint64 sp;

#ifdef __x86_64__
  asm volatile("mov %%rsp, %0" : "=r"(sp));
#else
  asm volatile("mv %0, sp" : "=r"(sp));
#endif
  return sp;
}

#ifndef LINUX
// Store the byte 0x5a at sp + off with the stack pointer at sp (the kernel's rule
// looks at the stack pointer when the store faults); then put it back.
static void
touch_at(uint64 sp, long off)
{
#ifdef __x86_64__
  asm volatile("mov %%rsp, %%r12\n\t"
               "mov %[sp], %%rsp\n\t"
               "movb $0x5a, (%%rsp,%[off])\n\t"
               "mov %%r12, %%rsp"
               : : [sp] "r"(sp), [off] "r"(off) : "r12", "memory");
#else
  asm volatile("mv t1, sp\n\t"
               "mv sp, %[sp]\n\t"
               "add t2, sp, %[off]\n\t"
               "li t3, 0x5a\n\t"
               "sb t3, 0(t2)\n\t"
               "mv sp, t1"
               : : [sp] "r"(sp), [off] "r"(off) : "t1", "t2", "t3", "memory");
#endif
}

// System call num(a0, a1, a2) made in line, with no call instruction: on x86-64 a
// call pushes its return address, a touch below the caller's locals that would
// grow the stack before the kernel's copy could. With sp != 0, the stack pointer is
// sp during the call. The kernel's result: negative for an error (-errno).
static long
sys3(uint64 sp, long num, long a0, long a1, long a2)
{
#ifdef __x86_64__
  long r = num;

  if(sp == 0)
    asm volatile("int $64"
                 : "+a"(r), "+D"(a0), "+S"(a1), "+d"(a2)
                 : : "rcx", "r8", "r9", "r10", "r11", "memory", "cc");
  else
    asm volatile("mov %%rsp, %%r12\n\t"
                 "mov %[sp], %%rsp\n\t"
                 "int $64\n\t"
                 "mov %%r12, %%rsp"
                 : "+a"(r), "+D"(a0), "+S"(a1), "+d"(a2)
                 : [sp] "r"(sp)
                 : "r12", "rcx", "r8", "r9", "r10", "r11", "memory", "cc");
  return r;
#else
  register long x0 asm("a0") = a0;
  register long x1 asm("a1") = a1;
  register long x2 asm("a2") = a2;
  register long x7 asm("a7") = num;

  if(sp == 0)
    asm volatile("ecall" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x7) : "memory");
  else
    asm volatile("mv t1, sp\n\t"
                 "mv sp, %[sp]\n\t"
                 "ecall\n\t"
                 "mv sp, t1"
                 : "+r"(x0) : "r"(x1), "r"(x2), "r"(x7), [sp] "r"(sp) : "t1", "memory");
  return x0;
#endif
}
#endif

// read() and write() without a call instruction (on Linux, the usual ones):
// the number of bytes, or -errno.
static long
read_inline(int fd, char *buf, long n)
{
#ifdef LINUX
  long r = read(fd, buf, n);
  return r < 0 ? -errno : r;
#else
  return sys3(0, SYS_read, fd, (long)buf, n);
#endif
}

static long
write_inline(int fd, char *buf, long n)
{
#ifdef LINUX
  long r = write(fd, buf, n);
  return r < 0 ? -errno : r;
#else
  return sys3(0, SYS_write, fd, (long)buf, n);
#endif
}

// ---------------------------------------------------------------- the map

#ifndef LINUX
static struct kinfo_vmentry kve[256];
static int nkve;

static void
snapshot(void)
{
  nkve = vmmap(0, kve, NELEM(kve));
  check("vmmap", nkve > 0 && nkve <= (int)NELEM(kve));
}

// The entry that ends at end, or 0.
static struct kinfo_vmentry *
entry_ending(uint64 end)
{
  for(int i = 0; i < nkve; i++)
    if(kve[i].kve_end == end)
      return &kve[i];
  return 0;
}

// The entry that contains va, or 0.
static struct kinfo_vmentry *
entry_at(uint64 va)
{
  for(int i = 0; i < nkve; i++)
    if(kve[i].kve_start <= va && va < kve[i].kve_end)
      return &kve[i];
  return 0;
}

// The stack whose top is stacktop, made with room for size bytes, as vmmap shows
// it now: one or more entries, rw- and flagged stack, down from stacktop without a
// gap; the lowest carries the reservation of what is left of size, the others none;
// no entry lies in the reservation. Returns the stack's low end.
static uint64
stack_low(char *who, uint64 stacktop, uint64 size)
{
  struct kinfo_vmentry *e;
  uint64 lo = stacktop, reserve = 0;

  snapshot();
  // (Down to its bottom at most: another stack may lie right below.)
  while(lo > stacktop - size && (e = entry_ending(lo)) != 0 &&
        (e->kve_flags & KVME_FLAG_STACK)){
    if(reserve != 0){
      printf("stacktest %s: FAILED: %s: the stack entry at 0x%lx holds a reservation "
             "of 0x%lx, but another stack entry lies below it\n", test, who,
             e->kve_end, reserve);
      exit(1);
    }
    if(e->kve_protection != RW){
      printf("stacktest %s: FAILED: %s: the stack entry at 0x%lx has protection %d, "
             "not rw-\n", test, who, e->kve_start, e->kve_protection);
      exit(1);
    }
    reserve = e->kve_reserve;
    lo = e->kve_start;
  }
  if(lo == stacktop){
    printf("stacktest %s: FAILED: %s: no stack entry ends at 0x%lx\n", test, who, stacktop);
    exit(1);
  }
  if(lo < stacktop - size){
    printf("stacktest %s: FAILED: %s: a stack entry reaches 0x%lx, below the stack's "
           "bottom 0x%lx (one entry with what lies below?)\n", test, who, lo,
           stacktop - size);
    exit(1);
  }
  if(reserve != size - (stacktop - lo)){
    printf("stacktest %s: FAILED: %s: the reservation below the stack's low end 0x%lx: "
           "expected 0x%lx got 0x%lx\n", test, who, lo, size - (stacktop - lo), reserve);
    exit(1);
  }
  for(int i = 0; i < nkve; i++){
    if(kve[i].kve_start < lo && kve[i].kve_end > lo - reserve){
      printf("stacktest %s: FAILED: %s: an entry 0x%lx-0x%lx in the stack's reservation "
             "0x%lx-0x%lx\n", test, who, kve[i].kve_start, kve[i].kve_end, lo - reserve, lo);
      exit(1);
    }
  }
  return lo;
}

// The stack entries (KVME_FLAG_STACK) of the map.
static int
stack_entries(void)
{
  int n = 0;

  snapshot();
  for(int i = 0; i < nkve; i++)
    n += (kve[i].kve_flags & KVME_FLAG_STACK) != 0;
  return n;
}

// The main stack's size in bytes, as procinfo says (kp_ssize).
static uint64
ssize(void)
{
  static struct kinfo_proc kp[64];
  int n = procinfo(kp, NELEM(kp)), pid = getpid();

  check("procinfo", n > 0);
  for(int i = 0; i < n && i < (int)NELEM(kp); i++)
    if(kp[i].kp_pid == pid)
      return kp[i].kp_ssize;
  check("procinfo: this process is listed", 0);
  return 0;
}

static uint64
mapsize(void)
{
  static struct vmstats st;

  check("vmstat", vmstat(&st) == 0);
  return st.v_map_size;
}
#endif

#ifndef LINUX
// [p, p+len) does not meet [lo, hi): a mapping the kernel placed was kept out of
// a reservation.
static void
outside(char *what, char *p, uint64 len, uint64 lo, uint64 hi)
{
  if((uint64)p + len <= lo || (uint64)p >= hi)
    return;
  printf("stacktest %s: FAILED: %s: 0x%lx-0x%lx lies in the reservation 0x%lx-0x%lx\n",
         test, what, (uint64)p, (uint64)p + len, lo, hi);
  exit(1);
}

// mmap(hint, len) without MAP_FIXED: ENOMEM, or a range outside [lo, hi).
static void
mmap_outside(char *what, uint64 hint, uint64 len, uint64 lo, uint64 hi)
{
  char *p = mmap((void *)hint, len, RW, ANON, -1, 0);

  if(p == MAP_FAILED){
    check(what, errno == ENOMEM);
    return;
  }
  outside(what, p, len, lo, hi);
  p[0] = 1;
  check("munmap", munmap(p, len) == 0);
}

// Fill the address space with PROT_NONE mappings, the biggest that fit first, down
// to 64 KiB, so that no hole but the reservations is left where mmap looks; none of
// them may land in [lo1, hi1) or [lo2, hi2). Then mmap of 64 KiB has no room.
static void
crowd(uint64 lo1, uint64 hi1, uint64 lo2, uint64 hi2)
{
  uint64 size, n = 0;
  char *p;

  for(size = 1UL << 46; size >= 64 * KiB; size /= 2){
    while((p = mmap(0, size, PROT_NONE, ANON, -1, 0)) != MAP_FAILED){
      outside("a PROT_NONE mapping that crowds the map", p, size, lo1, hi1);
      outside("a PROT_NONE mapping that crowds the map", p, size, lo2, hi2);
      n++;
    }
    check("mmap PROT_NONE: ENOMEM once full", errno == ENOMEM);
  }
  check("the map took some PROT_NONE mappings", n > 0);
  experr("mmap 64 KiB into the crowded map", (long)mmap(0, 64 * KiB, RW, ANON, -1, 0),
         ENOMEM);
}
#endif

// ---------------------------------------------------------------- growing

// Frames of about 1 KiB, each with a pattern of its own, checked on the way back;
// a forked child checks the parent's and writes its own (private) over it.
#define FRAMEBUF 960
static uint64 deepest;        // the lowest frame's buffer
static int is_child;          // in the child forked at the bottom (fork_grown)
static int progress_fd = -1;  // where grow() reports how deep it got (overflow)
static uint64 reported;       // the last address it reported

// The pattern of frame depth, written by the parent (child 0) or the child (1).
static int
pattern(int depth, int i, int child)
{
  return (depth * 31 + i * 7 + child * 0x80) & 0xff;
}

static void
fill_frame(volatile char *buf, int depth, int child)
{
  for(int i = 0; i < FRAMEBUF; i++)
    buf[i] = pattern(depth, i, child);
}

static void
check_frame(char *who, volatile char *buf, int depth, int child)
{
  for(int i = 0; i < FRAMEBUF; i++){
    if((unsigned char)buf[i] != pattern(depth, i, child)){
      printf("stacktest %s: FAILED: %s: frame %d at 0x%lx, byte %d: expected %d got %d\n",
             test, who, depth, (uint64)buf, i, pattern(depth, i, child),
             (unsigned char)buf[i]);
      exit(1);
    }
  }
}

// Recurse until a frame's buffer lies below low, then call bottom() there (if
// any); each frame writes its pattern and checks it on the way back.
static int __attribute__((noinline))
grow(uint64 low, int depth, void (*bottom)(void))
{
  volatile char buf[FRAMEBUF];
  int r = 0, mine = is_child;    // (in the child, 0 in the frames it inherited)

  fill_frame(buf, depth, mine);
  if(progress_fd >= 0 && (uint64)buf + 16 * KiB <= reported){
    reported = (uint64)buf;
    if(write(progress_fd, &reported, sizeof(reported)) != sizeof(reported))
      exit(1);
  }
  if((uint64)buf > low){
    r = grow(low, depth + 1, bottom);
  } else {
    deepest = (uint64)buf;
    if(bottom)
      bottom();
  }
  check_frame(is_child ? "child" : "parent", buf, depth, mine);
  if(is_child && !mine){     // the parent's frame, copied: make it the child's
    fill_frame(buf, depth, 1);
    check_frame("child, after writing the parent's frame", buf, depth, 1);
  }
  return r + buf[depth % FRAMEBUF];
}

// Recursion without end in a child, reporting its progress through a pipe: the
// kernel must kill it once the stack reaches limit bytes below the top (with guard,
// the child first maps a PROT_NONE page right below that, in the reservation).
// Checks in the parent that it was killed, and no more than 32 KiB short of the
// limit (on Linux, whose stack has the arguments and environment above main, 128
// KiB).
static void
overflow(uint64 limit, int guard)
{
  int fds[2];
  uint64 va, lowest = top;
#ifdef LINUX
  uint64 slack = 128 * KiB;
#else
  uint64 slack = 32 * KiB;
#endif

  check("pipe", pipe(fds) == 0);
  if(xfork() == 0){
    close(fds[0]);
    if(guard){
      char *g = (char *)(top - limit - P);
      check("mmap MAP_FIXED into the reservation",
            mmap(g, P, PROT_NONE, ANON | MAP_FIXED, -1, 0) == g);
    }
    progress_fd = fds[1];
    reported = top;
    grow(0, 0, 0);
    printf("stacktest %s: FAILED: the recursion ended\n", test);
    exit(1);
  }
  close(fds[1]);
  while(read(fds[0], &va, sizeof(va)) == sizeof(va))
    if(va < lowest)
      lowest = va;
  close(fds[0]);
  waitkilled("a recursion without end");
  if(top - lowest > limit || top - lowest < limit - slack){
    printf("stacktest %s: FAILED: the recursion was killed %ld KiB below the stack's top, "
           "expected %ld KiB\n", test, (long)((top - lowest) / KiB), (long)(limit / KiB));
    exit(1);
  }
}

// ---------------------------------------------------------------- given

// getrlimit and setrlimit: the defaults, the errors, and what may change.
#ifndef LINUX
static struct rlimit *volatile null;   // (a null pointer the compiler cannot see)
#endif

static void
rlimit_calls(void)
{
  struct rlimit rl;
  char *ro = mmap(0, P, PROT_READ, ANON, -1, 0);

  check("mmap", ro != MAP_FAILED);
#ifndef LINUX
  expect_rlimit("RLIMIT_STACK's default", RLIMIT_STACK, MAXSSIZ, MAXSSIZ);
  expect_rlimit("RLIMIT_MEMLOCK's default", RLIMIT_MEMLOCK, DFLMLOCK, DFLMLOCK);
  // Every resource but the two.
  for(int r = -1; r <= 8; r++){
    if(r == RLIMIT_STACK || r == RLIMIT_MEMLOCK)
      continue;
    experr("getrlimit of an unknown resource", getrlimit(r, &rl), EINVAL);
    rl.rlim_cur = rl.rlim_max = MiB;
    experr("setrlimit of an unknown resource", setrlimit(r, &rl), EINVAL);
  }
  // (On Linux, a null pointer asks prlimit() to neither get nor set.)
  experr("getrlimit into address 0", getrlimit(RLIMIT_STACK, null), EFAULT);
  experr("setrlimit from address 0", setrlimit(RLIMIT_STACK, null), EFAULT);
#endif
  experr("getrlimit of resource 1000", getrlimit(1000, &rl), EINVAL);
  experr("getrlimit into a read-only page", getrlimit(RLIMIT_STACK, (struct rlimit *)ro),
         EFAULT);
  check("munmap", munmap(ro, P) == 0);
  experr("setrlimit from an unmapped page", setrlimit(RLIMIT_STACK, (struct rlimit *)ro),
         EFAULT);
  rl = xgetrlimit(RLIMIT_STACK);
  if(rl.rlim_max == RLIM_INFINITY)      // (Linux's usual hard limit)
    xsetrlimit("setrlimit: lower the hard limit", RLIMIT_STACK, rl.rlim_cur, 64 * MiB);
  rl = xgetrlimit(RLIMIT_STACK);
  uint64 max = rl.rlim_max;
  rl.rlim_cur = max;
  rl.rlim_max = max - MiB;
  experr("setrlimit with rlim_cur > rlim_max", setrlimit(RLIMIT_STACK, &rl), EINVAL);
  xsetrlimit("setrlimit: lower the soft limit", RLIMIT_STACK, MiB, max);
  expect_rlimit("after lowering the soft limit", RLIMIT_STACK, MiB, max);
  xsetrlimit("setrlimit: raise the soft limit to the hard", RLIMIT_STACK, max, max);
  expect_rlimit("after raising the soft limit", RLIMIT_STACK, max, max);
  xsetrlimit("setrlimit: lower both", RLIMIT_STACK, MiB, 4 * MiB);
  expect_rlimit("after lowering both", RLIMIT_STACK, MiB, 4 * MiB);
#ifdef LINUX
  if(geteuid() == 0)     // (root may raise a hard limit)
    return;
#endif
  rl.rlim_cur = MiB;
  rl.rlim_max = 4 * MiB + P;
  experr("setrlimit raising the hard limit", setrlimit(RLIMIT_STACK, &rl), EPERM);
  rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
  experr("setrlimit raising both to RLIM_INFINITY", setrlimit(RLIMIT_STACK, &rl), EPERM);
  expect_rlimit("after the failed calls", RLIMIT_STACK, MiB, 4 * MiB);
  xsetrlimit("setrlimit: lower RLIMIT_MEMLOCK", RLIMIT_MEMLOCK, MiB, 2 * MiB);
  expect_rlimit("RLIMIT_MEMLOCK after lowering it", RLIMIT_MEMLOCK, MiB, 2 * MiB);
  expect_rlimit("RLIMIT_STACK after lowering RLIMIT_MEMLOCK", RLIMIT_STACK, MiB, 4 * MiB);
}

static char *
num(uint64 n)
{
  static char bufs[4][24];
  static int k;
  char *s = bufs[k++ % 4] + 23;

  *s = 0;
  do {
    *--s = '0' + n % 10;
    n /= 10;
  } while(n);
  return s;
}

static uint64
atou(char *s)
{
  uint64 n = 0;

  while(*s >= '0' && *s <= '9')
    n = n * 10 + *s++ - '0';
  return n;
}

// Limits set before fork and before exec hold in the child and the new program.
static void
rlimit_inherit(void)
{
  struct rlimit st = xgetrlimit(RLIMIT_STACK), ml = xgetrlimit(RLIMIT_MEMLOCK);
  uint64 smax = st.rlim_max < MAXSSIZ ? st.rlim_max : MAXSSIZ;
  uint64 mmax = ml.rlim_max < DFLMLOCK ? ml.rlim_max : DFLMLOCK;

  xsetrlimit("setrlimit RLIMIT_STACK", RLIMIT_STACK, smax / 8, smax / 2);
  xsetrlimit("setrlimit RLIMIT_MEMLOCK", RLIMIT_MEMLOCK, mmax / 4, mmax / 2);
  if(xfork() == 0){
    expect_rlimit("the child's RLIMIT_STACK", RLIMIT_STACK, smax / 8, smax / 2);
    expect_rlimit("the child's RLIMIT_MEMLOCK", RLIMIT_MEMLOCK, mmax / 4, mmax / 2);
    exit(0);
  }
  waitok("child");
  run_exec(num(smax / 8), num(smax / 2), num(mmax / 4), num(mmax / 2));
}

// stacktest -x rlimit_inherit SCUR SMAX MCUR MMAX: the limits exec kept.
static void
x_limits(char **args)
{
  expect_rlimit("RLIMIT_STACK after exec", RLIMIT_STACK, atou(args[0]), atou(args[1]));
  expect_rlimit("RLIMIT_MEMLOCK after exec", RLIMIT_MEMLOCK, atou(args[2]), atou(args[3]));
}

// A write to the program's text kills (the grader checks the kernel's line).
static void
text(void)
{
  if(xfork() == 0){
    *(volatile char *)(uint64)text = 1;
    exit(0);
  }
  waitkilled("a write to the text segment");
}

// A hole below an entry that is no stack stays a hole: a read() into it is EFAULT,
// a touch kills (the grader checks the kernel's line).
static void
hole(void)
{
  char *a = mmap(0, 2 * P, RW, ANON, -1, 0);
  int fds[2];

  check("mmap", a != MAP_FAILED);
  check("munmap the first page", munmap(a, P) == 0);
  a[P] = 'a';
  check("pipe", pipe(fds) == 0);
  memset(chunk, 'c', 100);
  expect("write the pipe", write(fds[1], chunk, 100), 100);
  experr("read into the hole", read(fds[0], a, 100), EFAULT);
  close(fds[0]);
  close(fds[1]);
  if(xfork() == 0){
    *(volatile char *)(a + P - 8) = 1;
    exit(0);
  }
  waitkilled("a write into the hole right below an entry");
  expect("the entry above the hole", a[P], 'a');
}

// ---------------------------------------------------------------- task 1

// stacktest -x layout SIZE: the stack exec made, with room for SIZE bytes: one
// entry of 128 KiB at the top, its reservation below it, nothing else there.
static void
x_layout(char **args)
{
#ifndef LINUX
  uint64 size = atou(args[0]);
  struct kinfo_vmentry *e;

  expect_hex("the stack's low end after exec", stack_low("after exec", USRSTACK, size),
             USRSTACK - SGROWSIZ);
  e = entry_ending(USRSTACK);
  check("the stack entry is flagged stack", (e->kve_flags & KVME_FLAG_STACK) != 0);
  expect("stack entries after exec", stack_entries(), 1);
#endif
}

// exec reserves the hard RLIMIT_STACK (at most MAXSSIZ) below the top.
static void
layout(void)
{
  run_exec(num(MAXSSIZ), 0, 0, 0);
  if(xfork() == 0){
    xsetrlimit("setrlimit", RLIMIT_STACK, 512 * KiB, MiB);
    run_exec(num(MiB), 0, 0, 0);
    exit(0);
  }
  waitok("child with the hard limit at 1 MiB");
  if(xfork() == 0){
    xsetrlimit("setrlimit", RLIMIT_STACK, 256 * KiB, MAXSSIZ);
    run_exec(num(MAXSSIZ), 0, 0, 0);
    exit(0);
  }
  waitok("child with the soft limit at 256 KiB");
}

// mmap with a hint in the reservation (or partly in it) lands elsewhere.
static void
mmap_hint(void)
{
#ifndef LINUX
  uint64 lo = USRSTACK - MAXSSIZ, hi = USRSTACK;

  expect_hex("the stack's low end", stack_low("before", USRSTACK, MAXSSIZ),
             USRSTACK - SGROWSIZ);
  mmap_outside("mmap, hint in the middle of the reservation", hi - 4 * MiB, 64 * KiB, lo, hi);
  mmap_outside("mmap, hint at the reservation's bottom", lo, 64 * KiB, lo, hi);
  mmap_outside("mmap, hint right below the stack entry", hi - SGROWSIZ - 64 * KiB,
               64 * KiB, lo, hi);
  mmap_outside("mmap, 1 MiB from a hint 64 KiB below the reservation", lo - 64 * KiB, MiB,
               lo, hi);
  // (A hole below the reservation, a hint above it: the space above is taken.)
  mmap_outside("mmap, 8 MiB at a hint in the reservation", hi - 2 * MiB, 8 * MiB, lo, hi);
  stack_low("after", USRSTACK, MAXSSIZ);
#endif
}

// With the map full, the reservation stays free: mmap says ENOMEM instead.
static void
mmap_crowded(void)
{
#ifndef LINUX
  crowd(USRSTACK - MAXSSIZ, USRSTACK, 0, 0);
  expect_hex("the stack's low end", stack_low("after crowding the map", USRSTACK, MAXSSIZ),
             USRSTACK - SGROWSIZ);
#endif
}

// A page mapped (MAP_FIXED) into the reservation, 7 MiB below the top: the
// reservation ends there (vmmap), and what is left of it stays free, from hints and
// a full map alike.
static void
mmap_fixed_in_reservation(void)
{
#ifndef LINUX
  uint64 g = USRSTACK - 7 * MiB;
  struct kinfo_vmentry *e;

  check("mmap MAP_FIXED into the reservation",
        mmap((char *)g, P, PROT_NONE, ANON | MAP_FIXED, -1, 0) == (char *)g);
  snapshot();
  e = entry_ending(USRSTACK);
  check("vmmap: the stack entry", e != 0 && e->kve_start == USRSTACK - SGROWSIZ);
  expect_hex("vmmap: the reservation, down to the page mapped into it", e->kve_reserve,
             e->kve_start - (g + P));
  mmap_outside("mmap, hint right above the page", g + P, 64 * KiB, g + P, USRSTACK);
  mmap_outside("mmap, hint 1 MiB above the page", g + MiB, 64 * KiB, g + P, USRSTACK);
  crowd(g + P, USRSTACK, 0, 0);
#endif
}

static void
mmap_avoids(void)
{
  mmap_hint();
  if(xfork() == 0){
    mmap_fixed_in_reservation();
    exit(0);
  }
  waitok("the child that mapped a page into the reservation");
  mmap_crowded();
}

// ---------------------------------------------------------------- task 2

#ifndef LINUX
// At the bottom of the recursion: the stack grew in separate entries, in steps of
// SGROWSIZ, from the top down to the deepest frame, hardly further.
static void
grown(void)
{
  uint64 lo = stack_low("at the bottom of the recursion", USRSTACK, MAXSSIZ);

  if(lo > deepest || deepest - lo > 2 * SGROWSIZ || (USRSTACK - lo) % SGROWSIZ != 0){
    printf("stacktest %s: FAILED: the deepest frame is at 0x%lx but the stack goes down "
           "to 0x%lx (steps of 128 KiB from 0x%lx)\n", test, deepest, lo, (uint64)USRSTACK);
    exit(1);
  }
  check("the stack grew in more than one entry", stack_entries() >= 2);
}
#endif

// 4 MiB of frames and back, each checking its pattern.
static void
recurse(void)
{
#ifdef LINUX
  grow(top - 4 * MiB, 0, 0);
#else
  grow(top - 4 * MiB, 0, grown);
#endif
}

static void __attribute__((noinline))
store(volatile char *p, char c)
{
  *p = c;
}

// A 64 KiB local object, first touched at its low end, below the stack's first
// 128 KiB. (That first store is made in a function called: with a frame pointer,
// GCC 12 for RISC-V may move a store into a big frame above the prologue's last sp
// adjustment, where it is a store below sp; this way the flags do not matter.)
static void __attribute__((noinline))
big_object(void)
{
  volatile char big[64 * KiB];

  store(big, 'b');
  check("the object lies below the stack's first 128 KiB", (uint64)big < top - SGROWSIZ);
  for(int i = 0; i < (int)sizeof(big); i++)
    big[i] = i * 13;
  for(int i = 0; i < (int)sizeof(big); i++)
    if(big[i] != (char)(i * 13))
      expect("a byte of the 64 KiB object", big[i], (char)(i * 13));
#ifndef LINUX
  stack_low("with the 64 KiB object", USRSTACK, MAXSSIZ);
  check("the object's first page is in a stack entry grown below the first",
        entry_at((uint64)big) && entry_at((uint64)big)->kve_end <= USRSTACK - SGROWSIZ);
#endif
}

static void __attribute__((noinline))
pad(int n)
{
  volatile char filler[32 * KiB];

  filler[0] = filler[sizeof(filler) - 1] = n;
  if(n == 0)
    big_object();
  else
    pad(n - 1);
  expect("the filler's first byte", filler[0], n);
}

static void
bigframe(void)
{
  pad(2);     // 96 KiB of frames, then the object
}

// At the bottom of 1 MiB of frames: fork. The child sees the parent's frames,
// grows its own stack 256 KiB further, and writes over every frame (checking the
// parent's pattern first); the parent then finds its frames as they were.
static void
fork_bottom(void)
{
#ifndef LINUX
  uint64 lo = stack_low("the parent at the bottom", USRSTACK, MAXSSIZ);
#endif

  if(xfork() == 0){
#ifndef LINUX
    expect_hex("the child's stack's low end after fork",
               stack_low("the child after fork", USRSTACK, MAXSSIZ), lo);
#endif
    is_child = 1;
    grow(deepest - 256 * KiB, 0, 0);   // (its own frames: pattern as in the child)
    return;                            // up through the parent's frames
  }
  waitok("child");
}

static void
fork_grown(void)
{
  int child;

  grow(top - MiB, 0, fork_bottom);
  child = is_child;
  is_child = 0;
  if(child)
    exit(0);
}

// stacktest -x ssize: kp_ssize is 128 KiB after exec, and follows the stack's
// growth; the map grew by as much (vmstat).
static void
x_ssize(char **args)
{
#ifndef LINUX
  uint64 s0 = ssize(), m0 = mapsize(), s1, m1, lo;

  expect("kp_ssize after exec", s0, SGROWSIZ);
  grow(USRSTACK - MiB, 0, 0);
  s1 = ssize();
  m1 = mapsize();
  lo = stack_low("after 1 MiB of frames", USRSTACK, MAXSSIZ);
  expect("kp_ssize after 1 MiB of frames: the stack's entries", s1, USRSTACK - lo);
  check("kp_ssize after 1 MiB of frames: at least 1 MiB", s1 >= MiB);
  expect("vmstat: the map's growth", m1 - m0, s1 - s0);
#endif
}

static void
stack_size(void)
{
  run_exec(0, 0, 0, 0);
}

// Past a lowered soft limit the process dies (the grader checks the kernel's line).
static void
overflow_1m(void)
{
  struct rlimit rl = xgetrlimit(RLIMIT_STACK);

  xsetrlimit("setrlimit", RLIMIT_STACK, MiB, rl.rlim_max);
  overflow(MiB, 0);
}

// And past the default 8 MiB.
static void
overflow_8m(void)
{
#ifdef LINUX
  xsetrlimit("setrlimit", RLIMIT_STACK, MAXSSIZ, xgetrlimit(RLIMIT_STACK).rlim_max);
#else
  expect_rlimit("RLIMIT_STACK", RLIMIT_STACK, MAXSSIZ, MAXSSIZ);
#endif
  overflow(MAXSSIZ, 0);
}

// An entry mapped into the reservation (MAP_FIXED) bounds growth: the stack grows
// right down to it, 64 KiB into a step of 128 KiB, and the first touch of the
// PROT_NONE page kills (the grader checks the kernel's line).
static void
guard(void)
{
#ifndef LINUX
  overflow(2 * MiB - 64 * KiB, 1);
#endif
}

#ifndef LINUX
// The reservations vmmap shows in [lo, hi), added up.
static uint64
reserved_in(uint64 lo, uint64 hi)
{
  uint64 sum = 0;

  snapshot();
  for(int i = 0; i < nkve; i++)
    if(kve[i].kve_start >= lo && kve[i].kve_end <= hi)
      sum += kve[i].kve_reserve;
  return sum;
}

// The entry [start, end) with protection prot and the stack's flag, as vmmap
// shows it now.
static void
expect_piece(char *what, uint64 start, uint64 end, int prot)
{
  struct kinfo_vmentry *e;

  snapshot();
  e = entry_at(start);
  if(e && e->kve_start == start && e->kve_end == end && e->kve_protection == prot &&
     (e->kve_flags & KVME_FLAG_STACK))
    return;
  printf("stacktest %s: FAILED: %s: no stack entry 0x%lx-0x%lx with protection %d\n",
         test, what, start, end, prot);
  exit(1);
}
#endif

// mprotect of a page in the middle of the stack's lowest entry splits it in three:
// the lowest part keeps the reservation it borders, the others have none (a clip
// that copied it into both parts would hold it twice: vmverify checks that). Back
// to rw- the three stay three: stack entries never merge. The stack then still
// grows down to its limit, and not a byte of reservation is left.
static void
split(void)
{
#ifndef LINUX
  uint64 lo = stack_low("before", USRSTACK, MAXSSIZ), hi = entry_at(lo)->kve_end;
  uint64 a = lo + 4 * P, left = MAXSSIZ - (USRSTACK - lo);

  expect_rlimit("RLIMIT_STACK", RLIMIT_STACK, MAXSSIZ, MAXSSIZ);
  check("the page lies below the frames in use", a + P + 16 * KiB <= read_sp());
  check("mprotect a page of the stack's lowest entry read-only",
        mprotect((char *)a, P, PROT_READ) == 0);
  expect("vmverify after the split", vmverify(0), 0);
  expect_piece("the lowest part", lo, a, RW);
  expect_piece("the read-only page", a, a + P, PROT_READ);
  expect_piece("the part above it", a + P, hi, RW);
  expect_hex("vmmap: the reservations below the stack's top, added up",
             reserved_in(USRSTACK - MAXSSIZ, USRSTACK), left);
  check("mprotect the page back to rw-", mprotect((char *)a, P, RW) == 0);
  expect("vmverify after mprotect back", vmverify(0), 0);
  expect_piece("the lowest part, after mprotect back", lo, a, RW);
  expect_piece("the page, after mprotect back", a, a + P, RW);
  expect_piece("the part above it, after mprotect back", a + P, hi, RW);
  expect_hex("the stack's low end after mprotect back",
             stack_low("after mprotect back", USRSTACK, MAXSSIZ), lo);
  touch_at(USRSTACK - MAXSSIZ, 0);
  expect("vmverify after growth to the limit", vmverify(0), 0);
  expect_hex("the stack's low end after a touch at its limit",
             stack_low("at the limit", USRSTACK, MAXSSIZ), USRSTACK - MAXSSIZ);
  expect_hex("vmmap: the reservations left", reserved_in(USRSTACK - MAXSSIZ, USRSTACK), 0);
  expect("the byte at the limit", *(volatile char *)(USRSTACK - MAXSSIZ), 0x5a);
#endif
}

// The vmmap tool on a process whose stack has grown by 1 MiB: it prints its stack
// and reservation, "stacktest: pid N: stack 0x...-0x..., reserved 0x...", and
// waits at the bottom of its recursion while vmmap N runs; the grader checks
// vmmap's reserved line against those numbers.
#ifndef LINUX
static int held[2], released[2];

static void
hold_stack(void)
{
  uint64 lo = stack_low("at the bottom of 1 MiB of frames", USRSTACK, MAXSSIZ);
  char c;

  printf("stacktest: pid %d: stack 0x%lx-0x%lx, reserved 0x%lx\n", getpid(), lo,
         (uint64)USRSTACK, entry_at(lo)->kve_reserve);
  check("say it holds", write(held[1], "h", 1) == 1);
  check("wait for vmmap", read(released[0], &c, 1) == 1);
}
#endif

static void
vmmap_tool(void)
{
#ifndef LINUX
  char pid[24], *argv[] = { "vmmap", pid, 0 }, c;
  int child;

  check("pipe", pipe(held) == 0 && pipe(released) == 0);
  if((child = xfork()) == 0){
    close(held[0]);
    close(released[1]);
    grow(USRSTACK - MiB, 0, hold_stack);
    exit(0);
  }
  // (Only the child's ends left open: should it die, the read below ends.)
  close(held[1]);
  close(released[0]);
  check("wait for the child's stack", read(held[0], &c, 1) == 1);
  strcpy(pid, num(child));
  if(xfork() == 0){
    exec("/vmmap", argv);
    printf("stacktest %s: FAILED: exec /vmmap (errno %s)\n", test, errname(errno));
    exit(1);
  }
  waitok("vmmap");
  check("let the child go", write(released[1], "r", 1) == 1);
  waitok("the child with the grown stack");
#endif
}

// ---------------------------------------------------------------- task 3

// A touch just within the reach of sp (sp itself on RISC-V, the red zone on x86-64)
// in the hole below the stack grows it; a byte further down, or 64 KiB below sp,
// kills (the grader checks the kernel's two lines).
static void
below_sp(void)
{
#ifndef LINUX
  uint64 bottom = stack_low("before", USRSTACK, MAXSSIZ), sp = bottom - 16;

  if(xfork() == 0){
    touch_at(sp, -REDZONE);
    expect("the byte at sp - red zone", *(volatile char *)(sp - REDZONE), 0x5a);
    expect_hex("the stack's low end after the touch at sp - red zone",
               stack_low("after the touch", USRSTACK, MAXSSIZ), bottom - SGROWSIZ);
    exit(0);
  }
  waitok("a touch at sp - red zone below the stack");
  if(xfork() == 0){
    touch_at(sp, -REDZONE - 1);
    exit(0);
  }
  waitkilled("a touch at sp - red zone - 1 below the stack");
  if(xfork() == 0){
    uint64 a = bottom - 64 * KiB;
    check("64 KiB below sp", read_sp() >= a + 64 * KiB);
    *(volatile char *)a = 1;
    exit(0);
  }
  waitkilled("a touch 64 KiB below sp");
#endif
}

// ---------------------------------------------------------------- task 4

#define COPYBYTES (256 * KiB)

static int
copied(uint64 i)
{
  return (i * 7 + (i >> 12)) & 0xff;
}

// A child that writes COPYBYTES of the pattern into fd. It exits 2, quietly, if a
// write fails: the reader has died (and said why), or the test's parent will.
static void
feeder(int fds[2])
{
  if(xfork() == 0){
    close(fds[0]);
    for(uint64 off = 0; off < COPYBYTES; off += sizeof(chunk)){
      for(uint64 i = 0; i < sizeof(chunk); i++)
        chunk[i] = copied(off + i);
      if(write(fds[1], chunk, sizeof(chunk)) != sizeof(chunk))
        exit(2);
    }
    exit(0);
  }
  close(fds[1]);
}

static void __attribute__((noinline))
read_into_stack(int fd)
{
  char buf[COPYBYTES];
  long n, got = 0;

  // The first copy (into buf[0], far below the stack's first 128 KiB) grows it.
  while(got < COPYBYTES && (n = read_inline(fd, buf + got, COPYBYTES - got)) > 0)
    got += n;
  check("the buffer lies below the stack's first 128 KiB", (uint64)buf < top - SGROWSIZ);
  if(n <= 0)
    expect("read into the untouched stack buffer", n, COPYBYTES - got);
  for(uint64 i = 0; i < COPYBYTES; i++)
    if((unsigned char)buf[i] != copied(i))
      expect("a byte read into the stack buffer", (unsigned char)buf[i], copied(i));
#ifndef LINUX
  check("the stack grew down to the buffer",
        stack_low("after the read", USRSTACK, MAXSSIZ) <= (uint64)buf);
#endif
}

// read() into an untouched 256 KiB local buffer.
static void
read_buf(void)
{
  int fds[2];

  check("pipe", pipe(fds) == 0);
  feeder(fds);
  read_into_stack(fds[0]);
  close(fds[0]);
  waitok("the child that wrote");
}

static void __attribute__((noinline))
write_from_stack(int fd)
{
  static uint64 cut;
  char buf[COPYBYTES];
  long n, done = 0;

  // First, how much of buf lies below the stack's first 128 KiB, never touched
  // (the rest holds what earlier calls left there).
  cut = top - SGROWSIZ - (uint64)buf;
  if(write_inline(fd, (char *)&cut, sizeof(cut)) != sizeof(cut))
    check("write the buffer's offset", 0);
  while(done < COPYBYTES && (n = write_inline(fd, buf + done, COPYBYTES - done)) > 0)
    done += n;
  check("the buffer lies below the stack's first 128 KiB", (uint64)buf < top - SGROWSIZ);
  if(n <= 0)
    expect("write from the untouched stack buffer", n, COPYBYTES - done);
#ifndef LINUX
  check("the stack grew down to the buffer",
        stack_low("after the write", USRSTACK, MAXSSIZ) <= (uint64)buf);
#endif
}

// write() from an untouched 256 KiB local buffer: zeros (where nothing was before).
static void
write_buf(void)
{
  int fds[2];

  check("pipe", pipe(fds) == 0);
  if(xfork() == 0){
    uint64 got = 0, cut = 0;
    long n;
    close(fds[1]);
    if(read(fds[0], &cut, sizeof(cut)) != sizeof(cut))
      exit(2);
    while((n = read(fds[0], chunk, sizeof(chunk))) > 0){
      for(long i = 0; i < n && got + i < cut; i++)
        if(chunk[i] != 0)
          expect("a byte written from the untouched part of the stack buffer", chunk[i], 0);
      got += n;
    }
    // (Short: the writer died, and said why; if it lives, it says status 2.)
    exit(got == COPYBYTES ? 0 : 2);
  }
  close(fds[0]);
  write_from_stack(fds[1]);
  close(fds[1]);
  waitok("the child that read");
}

// This program's file, read again through chunk: its size, and if buf, whether its
// bytes are those at buf.
static long
same_as_self(char *what, char *buf)
{
  int fd = open(self, O_RDONLY);
  long n = 0, m;

  check("open", fd >= 0);
  while((m = read(fd, chunk, sizeof(chunk))) > 0){
    for(long i = 0; buf && i < m; i++)
      if(buf[n + i] != chunk[i])
        expect(what, (unsigned char)buf[n + i], (unsigned char)chunk[i]);
    n += m;
  }
  check("read the program's file", m == 0);
  close(fd);
  return n;
}

// read() of a file (this program's) into the untouched stack 256 KiB below its
// lowest entry, from the middle of a page, with the stack pointer right there: a
// frame with a big local buffer at sp, whose first page starts below sp. A file's
// read faults the buffer in before it takes the file's locks, and must judge the
// stack-pointer rule by the buffer's first address, as a pipe's read does: the
// whole file arrives. One byte lower than sp allows (less the red zone): EFAULT.
// (On Linux: into a local buffer.)
static void __attribute__((noinline))
read_file_into_stack(void)
{
  long size = same_as_self("", 0), r;
  int fd = open(self, O_RDONLY);
#ifdef LINUX
  char buf[COPYBYTES], *b = buf + P / 2;

  check("open", fd >= 0);
  check("the program's file fits in the buffer", size < COPYBYTES - P);
  r = read(fd, b, COPYBYTES - P);
#else
  uint64 lo = stack_low("before", USRSTACK, MAXSSIZ), sp = lo - 2 * SGROWSIZ + P / 2;
  char *b = (char *)(sp - REDZONE);

  check("open", fd >= 0);
  check("the program's file fits in the 256 KiB below the stack", size < 2 * SGROWSIZ - P);
  expect("read of a file to a byte below sp (less the red zone)",
         sys3(sp, SYS_read, fd, (long)(b - 1), size), -EFAULT);
  snapshot();
  check("nothing mapped below sp", entry_at((uint64)b - 1) == 0);
  r = sys3(sp, SYS_read, fd, (long)b, size);
#endif
  expect("read of the file into the untouched stack", r, size);
  close(fd);
  same_as_self("a byte of the file read into the stack", b);
#ifndef LINUX
  expect_hex("the stack's low end after the file's read",
             stack_low("after the file's read", USRSTACK, MAXSSIZ), lo - 2 * SGROWSIZ);
#endif
}

// Each in a child of its own, whose stack has not grown yet.
static void
readbuf(void)
{
  if(xfork() == 0){
    read_buf();
    exit(0);
  }
  waitok("the child that read");
  if(xfork() == 0){
    read_file_into_stack();
    exit(0);
  }
  waitok("the child that read a file");
  if(xfork() == 0){
    write_buf();
    exit(0);
  }
  waitok("the child that wrote");
}

// read() into the stack past its soft limit (with sp there, as a deep frame would
// have it), or 64 KiB below sp: EFAULT, nothing mapped, and the process lives.
static void
copy_limit(void)
{
#ifndef LINUX
  int fds[2];
  uint64 sp = USRSTACK - MiB - 64 * KiB, below;

  check("pipe", pipe(fds) == 0);
  memset(chunk, 'c', 100);
  expect("write the pipe", write(fds[1], chunk, 100), 100);
  if(xfork() == 0){
    xsetrlimit("setrlimit", RLIMIT_STACK, MiB, MAXSSIZ);
    expect("read past the stack limit", sys3(sp, SYS_read, fds[0], sp, 4 * KiB), -EFAULT);
    snapshot();
    check("nothing mapped past the limit", entry_at(sp) == 0);
    below = entry_at(read_sp())->kve_start - 64 * KiB;   // (the stack entry of sp)
    check("64 KiB below sp", read_sp() >= below + 64 * KiB);
    expect("read 64 KiB below sp", sys3(0, SYS_read, fds[0], below, 4 * KiB), -EFAULT);
    snapshot();
    check("nothing mapped 64 KiB below sp", entry_at(below) == 0);
    exit(0);
  }
  waitok("the child that read past its limit");
  close(fds[0]);
  close(fds[1]);
#endif
}

// ---------------------------------------------------------------- task 5

#define SSTACK MiB        // the MAP_STACK tests' stacks

// mmap(MAP_STACK): its errors, and what it maps.
static void
map_stack_errors(void)
{
#ifndef LINUX
  int fd = open(self, O_RDONLY);
  char *s;

  check("open", fd >= 0);
  experr("MAP_STACK of a file", (long)mmap(0, SSTACK, RW, MAP_STACK | MAP_PRIVATE, fd, 0),
         EINVAL);
  experr("MAP_STACK | MAP_ANON with a file",
         (long)mmap(0, SSTACK, RW, MAP_STACK | ANON, fd, 0), EINVAL);
  experr("MAP_STACK, PROT_READ", (long)mmap(0, SSTACK, PROT_READ, MAP_STACK | ANON, -1, 0),
         EINVAL);
  experr("MAP_STACK, PROT_WRITE", (long)mmap(0, SSTACK, PROT_WRITE, MAP_STACK | ANON, -1, 0),
         EINVAL);
  experr("MAP_STACK, PROT_NONE", (long)mmap(0, SSTACK, PROT_NONE, MAP_STACK | ANON, -1, 0),
         EINVAL);
  experr("MAP_STACK | MAP_SHARED",
         (long)mmap(0, SSTACK, RW, MAP_STACK | MAP_SHARED | MAP_ANON, -1, 0), EINVAL);
  experr("MAP_STACK, len 0", (long)mmap(0, 0, RW, MAP_STACK | ANON, -1, 0), EINVAL);
  close(fd);
  s = mmap(0, SSTACK, RW, MAP_STACK | MAP_PRIVATE, -1, 0);
  check("MAP_STACK | MAP_PRIVATE (MAP_ANON implied)", s != MAP_FAILED);
  expect_hex("its low end", stack_low("MAP_STACK", (uint64)s + SSTACK, SSTACK),
             (uint64)s + SSTACK - SGROWSIZ);
  s[SSTACK - 1] = 's';
  s = mmap(0, SSTACK, RW, MAP_STACK | ANON, -1, 0);
  check("MAP_STACK | MAP_ANON", s != MAP_FAILED);
  s[SSTACK - 1] = 's';
#endif
}

// Two stacks side by side, the upper one of 64 KiB (all of it mapped): each keeps
// its own entries and reservation, and the lower one grows to its bottom.
static void
map_stack_pair(void)
{
#ifndef LINUX
  char *s = mmap(0, SSTACK, RW, MAP_STACK | ANON, -1, 0), *t;

  check("mmap MAP_STACK", s != MAP_FAILED);
  t = mmap(s + SSTACK, 64 * KiB, RW, MAP_STACK | ANON, -1, 0);
  check("mmap MAP_STACK of 64 KiB", t != MAP_FAILED);
  expect_hex("the second MAP_STACK: at the hint, right above the first", (uint64)t,
             (uint64)s + SSTACK);
  expect_hex("the second MAP_STACK's low end (all of it mapped)",
             stack_low("the second MAP_STACK", (uint64)t + 64 * KiB, 64 * KiB), (uint64)t);
  expect_hex("the first MAP_STACK's low end, the second right above it",
             stack_low("the first MAP_STACK", (uint64)s + SSTACK, SSTACK),
             (uint64)s + SSTACK - SGROWSIZ);
  t[0] = 't';
  s[0] = 's';
  expect_hex("the first MAP_STACK's low end after a touch at its bottom",
             stack_low("the first MAP_STACK, grown", (uint64)s + SSTACK, SSTACK), (uint64)s);
  expect("the second's first byte", t[0], 't');
#endif
}

// A MAP_STACK region grows when the main thread touches below its mapped part
// (its sp is elsewhere); the process's stack size stays.
static void
map_stack_grow(void)
{
#ifndef LINUX
  char *s = mmap(0, SSTACK, RW, MAP_STACK | ANON, -1, 0);
  uint64 end = (uint64)s + SSTACK, ss0 = ssize();
  char vec[SSTACK / P];

  check("mmap MAP_STACK", s != MAP_FAILED);
  expect_hex("its low end", stack_low("after mmap", end, SSTACK), end - SGROWSIZ);
  s[SSTACK - 1] = 'a';
  s[SSTACK - SGROWSIZ - 1] = 'b';
  expect_hex("its low end after a touch right below", stack_low("after the touch", end, SSTACK),
             end - 2 * SGROWSIZ);
  s[0] = 'c';
  expect_hex("its low end after a touch at its bottom",
             stack_low("after the touch at the bottom", end, SSTACK), (uint64)s);
  expect("the main stack's entries and the MAP_STACK's", stack_entries(), 1 + 3);
  for(uint64 i = 0; i < SSTACK; i += P)
    s[i + 5] = i / P;
  for(uint64 i = 0; i < SSTACK; i += P)
    expect("a page of the MAP_STACK", s[i + 5], (char)(i / P));
  expect("its first byte", s[0], 'c');
  expect("the byte right below its first 128 KiB", s[SSTACK - SGROWSIZ - 1], 'b');
  expect("its last byte", s[SSTACK - 1], 'a');
  check("mincore", mincore(s, SSTACK, vec) == 0);
  for(uint64 i = 0; i < SSTACK / P; i++)
    expect("mincore: a page of the MAP_STACK is resident", vec[i] & MINCORE_INCORE,
           MINCORE_INCORE);
  expect("kp_ssize: the main stack's size, not changed", ssize(), ss0);
  // (All of it goes: the next MAP_STACK must not land right above it, which is
  // mapstack_pair's business.)
  check("munmap the grown MAP_STACK", munmap(s, SSTACK) == 0);
  snapshot();
  check("munmap: nothing left of the MAP_STACK",
        entry_at((uint64)s) == 0 && entry_at(end - 1) == 0);
#endif
}

// Neither a hint nor a crowded map puts a mapping in a MAP_STACK's reservation; it
// then grows all the way.
static void
map_stack_reserve(void)
{
#ifndef LINUX
  char *s = mmap(0, SSTACK, RW, MAP_STACK | ANON, -1, 0);
  uint64 lo = (uint64)s, hi = lo + SSTACK - SGROWSIZ;

  check("mmap MAP_STACK", s != MAP_FAILED);
  mmap_outside("mmap, hint in the MAP_STACK's reservation", lo + 256 * KiB, 64 * KiB, lo, hi);
  mmap_outside("mmap, hint at its bottom", lo, 64 * KiB, lo, hi);
  crowd(lo, hi, USRSTACK - MAXSSIZ, USRSTACK);
  s[0] = 'x';
  expect_hex("its low end after a touch at its bottom",
             stack_low("after crowding the map", lo + SSTACK, SSTACK), lo);
#endif
}

static void
mapstack_grows(void)
{
  map_stack_grow();
  map_stack_reserve();
}

// A touch right below a MAP_STACK region (a free page lies there) is a stack
// overflow: the kernel kills the process with a line that gives the region's own
// limit, its 1 MiB, not RLIMIT_STACK, which bounds only the process's stack. The
// grader checks that line against "stacktest: MAP_STACK 0x...-0x...".
static void
map_stack_overflow(void)
{
#ifndef LINUX
  char *r = mmap(0, P + SSTACK, PROT_NONE, ANON, -1, 0), *s = r + P;

  check("mmap room for a MAP_STACK and a page below it", r != MAP_FAILED);
  check("munmap the room", munmap(r, P + SSTACK) == 0);
  check("mmap MAP_STACK | MAP_FIXED a page above the room's bottom",
        mmap(s, SSTACK, RW, MAP_STACK | ANON | MAP_FIXED, -1, 0) == s);
  snapshot();
  check("nothing mapped right below the MAP_STACK", entry_at((uint64)s - 1) == 0);
  printf("stacktest: MAP_STACK 0x%lx-0x%lx\n", (uint64)s, (uint64)s + SSTACK);
  if(xfork() == 0){
    s[-1] = 'x';
    exit(0);
  }
  waitkilled("a touch right below a MAP_STACK region");
#endif
}

// ---------------------------------------------------------------- main

static const struct vmtest tests[] = {
  { "getrlimit", rlimit_calls },
  { "rlimit_inherit", rlimit_inherit },
  { "text", text },
  { "hole", hole },
  { "layout", layout },
  { "mmap_avoids", mmap_avoids },
  { "deep", recurse },
  { "bigobject", bigframe },
  { "fork_grown", fork_grown },
  { "ssize", stack_size },
  { "rlimit", overflow_1m },
  { "overflow", overflow_8m },
  { "guard", guard },
  { "split", split },
  { "vmmap", vmmap_tool },
  { "belowsp", below_sp },
  { "readbuf", readbuf },
  { "copy_limit", copy_limit },
  { "mapstack_errors", map_stack_errors },
  { "mapstack_pair", map_stack_pair },
  { "mapstack_grows", mapstack_grows },
  { "mapstack_overflow", map_stack_overflow },
};

// What `stacktest -x NAME args...` runs in a fresh exec, for the test NAME: it
// exits 42 if all was well.
static const struct {
  char *name;
  void (*fn)(char **args);
} targets[] = {
  { "rlimit_inherit", x_limits },
  { "layout", x_layout },
  { "ssize", x_ssize },
};

static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, NELEM(tests), 0);
}

int
main(int argc, char *argv[])
{
#ifdef LINUX
  setvbuf(stdout, 0, _IONBF, 0);
  self = argv[0];
  // About the stack's top: main's frame lies below the arguments and environment.
  top = (read_sp() + P - 1) & ~(uint64)(P - 1);
#else
  self = "/stacktest";
  top = USRSTACK;
#endif
  if(argc >= 3 && strcmp(argv[1], "-x") == 0){
    for(int i = 0; i < (int)NELEM(targets); i++){
      if(strcmp(argv[2], targets[i].name) == 0){
        test = targets[i].name;
        targets[i].fn(argv + 3);
        exit(42);
      }
    }
    exit(2);
  }
#ifndef LINUX
  printf("stacktest: USRSTACK 0x%lx\n", (uint64)USRSTACK);
#endif
  vmtest_finish("stacktest", "stacktest [test...]", argc, argv, runall);
}

// vmfuzz: random sequences of VM system calls, checked against a model of every
// byte. From a seed, it maps anonymous memory and small files (private and
// shared) into a window of NPAGE pages, and unmaps, protects, inherits, stores,
// forks, syncs, writes and reads the files; after each operation it compares the
// window and (at times) the files with what the model says they hold.
//
//   vmfuzz [SEED [NOPS [MIX]]]   default: seed 1, 1000 operations, the default mix
//   vmfuzz SEED NOPS MIX v       the same, printing each operation first
//                                (MIX "-": the default mix)
//   vmfuzz -j K SEED ...         K processes at once, fuzzing seeds SEED..SEED+K-1,
//                                each in a window and files of its own: the kernel's
//                                shared structures (zones, queues, objects, pv
//                                lists, the pageout daemon) under concurrent use
//
// MIX is a letter per operation, each followed by its weight (default DEFMIX):
//   a mmap anonymous     f mmap a file         u munmap        p mprotect
//   i minherit           s store               k fork          y msync
//   w write() a file     r read() a file       b probe a page that must fault
//   d madvise            c mincore             t truncate a file (O_TRUNC)
//   l fork, the parent reading while the child lives (pages read from below an
//     INHERIT_SHARE'd object, then written by the child: cowtest share_cow)
// so "s10w3" only stores and writes files (in a window that starts empty: an
// operation with nothing to act on does nothing).
//
// It prints "vmfuzz: seed S: N ops ok" or, at the first difference,
// "vmfuzz: seed S op N: WHAT at va 0x..: expected 0x.. got 0x.." and exits 1. At the
// end it unmaps the window, removes its files, and checks that every page came
// back. The model, in short:
// - anonymous memory reads zeros until written;
// - a MAP_SHARED file page is the file's page: stores through it are in the file
//   (read() sees them), and write() shows in it;
// - a MAP_PRIVATE file page reads the file until this process (or, through an
//   INHERIT_SHARE entry, a child) first writes it; then it is a private copy;
// - a page beyond the end of the file cannot be touched (the access kills);
// - fork: the child sees the parent's window but its INHERIT_NONE pages; after it
//   exits, the parent sees the child's stores to its INHERIT_SHARE pages (and to
//   MAP_SHARED files), not those to INHERIT_COPY pages.
#include <sys/fcntl.h>
#include <machine/vmparam.h>
#include "user/user.h"
#include "user/memsnap.h"

#define P      PAGE_SIZE
#define NPAGE  16                        // the window
#define WBASE  ((char *)0x60000000UL)    // where it is: above mmap's own base
#define WSTEP  (1UL << 20)                // -j: process i's window is i steps above
#define MAXJOBS 8
#define NFUZZFILE 3 
#define FPAGE  4                         // the most pages a file has
#define NSTORE 4                         // stores a fork child makes
#define DEFMIX "a4f5u2p4i3s14k2l2y2w2r1b1d1c1t1"
#define NELEM(x) ((int)(sizeof(x) / sizeof((x)[0])))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

enum { UNMAPPED, ANON, FILE };

// A page of the window, as the model sees it.
struct page {
  int kind;       // UNMAPPED, ANON or FILE
  int prot;       // PROT_NONE, PROT_READ or PROT_READ | PROT_WRITE
  int inherit;    // INHERIT_SHARE, _COPY or _NONE
  int shared;     // MAP_SHARED
  int file, fp;   // FILE: which file, and its page there
  int priv;       // a private copy (anonymous memory always is)
};

static struct page pg[NPAGE];
static char mem[NPAGE][P] __attribute__((aligned(8)));   // private copies' contents
static struct {
  char name[16];
  int fd;                                // open read-write: for mmap, and writes
  int off;                               // fd's offset
  int npage;                             // its size, in pages (always whole pages)
  char data[FPAGE * P] __attribute__((aligned(8)));
} files[NFUZZFILE];
static char buf[FPAGE * P + 1];

static char *wbase = WBASE;              // this process's window
static unsigned long seed, opno;
static int verbose;
static uint64 rng;

// ---------------------------------------------------------------- randomness

static uint64
rnd(void)
{
  // xorshift64*: good enough, and the same on both ports.
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717UL;
}

static int
below(int n)
{
  return (int)(rnd() % (uint64)n);
}

// ---------------------------------------------------------------- reporting

static void __attribute__((noreturn))
mismatch(char *what, char *va, long want, long got)
{
  printf("vmfuzz: seed %lu op %lu: %s at va 0x%lx: expected 0x%lx got 0x%lx\n", seed, opno,
         what, (uint64)va, want, got);
  exit(1);
}

// A system call's result r must be want (and, if want is -1, errno err).
static void
expect_ret(char *what, long r, long want, int err)
{
  if(r == want && (want != -1 || errno == err))
    return;
  printf("vmfuzz: seed %lu op %lu: %s: expected %ld (errno %d) got %ld (errno %d)\n", seed,
         opno, what, want, want == -1 ? err : 0, r, r == -1 ? errno : 0);
  exit(1);
}

// ---------------------------------------------------------------- the model

static char *
va(int i)
{
  return wbase + (uint64)i * P;
}

// Can page i be read (or, write, written) without a fault?
static int
accessible(int i, int write)
{
  struct page *p = &pg[i];

  if(p->kind == UNMAPPED || !(p->prot & (write ? PROT_WRITE : PROT_READ)))
    return 0;
  return p->kind == ANON || p->priv || p->fp < files[p->file].npage;
}

// What page i holds, in the model.
static char *
model(int i)
{
  struct page *p = &pg[i];

  return p->kind == FILE && !p->priv ? files[p->file].data + (uint64)p->fp * P : mem[i];
}

// Store n bytes of src at offset off of page i, in the model only.
static void
model_store(int i, int off, char *src, int n)
{
  struct page *p = &pg[i];

  if(p->kind == FILE && !p->shared && !p->priv){
    memmove(mem[i], model(i), P);   // the first write copies
    p->priv = 1;
  }
  memmove(model(i) + off, src, n);
}

// Is page a the same as page b? (memcmp goes a byte at a time.)
static int
same(char *a, char *b)
{
  uint64 *x = (uint64 *)a, *y = (uint64 *)b;

  for(int k = 0; k < P / 8; k++)
    if(x[k] != y[k])
      return 0;
  return 1;
}

// Compare every page of the window that can be read with the model.
static void
check_window(void)
{
  for(int i = 0; i < NPAGE; i++){
    if(!accessible(i, 0) || same(va(i), model(i)))
      continue;
    for(int k = 0; k < P; k++)
      if(va(i)[k] != model(i)[k])
        mismatch("load", va(i) + k, (uint8)model(i)[k], (uint8)va(i)[k]);
  }
  expect_ret("vmverify", vmverify(0), 0, 0);
}

// Compare file f, read through a new descriptor, with the model.
static void
check_file(int f)
{
  int fd = open(files[f].name, O_RDONLY), n, want = files[f].npage * P;

  expect_ret("open", fd < 0 ? -1 : 0, 0, 0);
  n = read(fd, buf, sizeof(buf));
  close(fd);
  if(n != want){
    printf("vmfuzz: seed %lu op %lu: %s: expected %d bytes got %d\n", seed, opno,
           files[f].name, want, n);
    exit(1);
  }
  for(int k = 0; k < n; k++){
    if(buf[k] != files[f].data[k]){
      printf("vmfuzz: seed %lu op %lu: %s byte 0x%x: expected 0x%x got 0x%x\n", seed, opno,
             files[f].name, k, (uint8)files[f].data[k], (uint8)buf[k]);
      exit(1);
    }
  }
}

// ---------------------------------------------------------------- operations

// A random range of the window: [*lo, *lo + n), n from 1 to 4 pages.
static int
range(int *lo)
{
  int n = 1 + below(4);

  *lo = below(NPAGE - n + 1);
  return n;
}

static int
rprot(void)
{
  static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
                               PROT_READ | PROT_WRITE };
  return prots[below(NELEM(prots))];
}

static void
fill(char *p, int n)
{
  for(int k = 0; k < n; k++)
    p[k] = (char)rnd();
}

static void
op_mmap(int file)
{
  int lo, n = range(&lo), prot = rprot(), shared = below(2), f = below(NFUZZFILE);
  int fp = below(FPAGE - n + 1), flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED;
  char *r;

  if(verbose)
    printf("op %lu: mmap %s %s [%d,+%d) prot %d file %d page %d\n", opno,
           file ? "file" : "anon", shared ? "shared" : "private", lo, n, prot, f, fp);
  if(file)
    r = mmap(va(lo), (uint64)n * P, prot, flags, files[f].fd, (off_t)fp * P);
  else
    r = mmap(va(lo), (uint64)n * P, prot, flags | MAP_ANON, -1, 0);
  expect_ret("mmap", (long)r, (long)va(lo), 0);
  for(int i = lo; i < lo + n; i++){
    struct page *p = &pg[i];
    p->kind = file ? FILE : ANON;
    p->prot = prot;
    p->shared = shared;
    p->inherit = shared ? INHERIT_SHARE : INHERIT_COPY;
    p->file = f;
    p->fp = fp + (i - lo);
    p->priv = !file;
    memset(mem[i], 0, P);
  }
}

static void
op_munmap(void)
{
  int lo, n = range(&lo);

  if(verbose)
    printf("op %lu: munmap [%d,+%d)\n", opno, lo, n);
  expect_ret("munmap", munmap(va(lo), (uint64)n * P), 0, 0);
  for(int i = lo; i < lo + n; i++)
    pg[i].kind = UNMAPPED;
}

static void
op_mprotect(void)
{
  int lo, n = range(&lo), prot = rprot();

  if(verbose)
    printf("op %lu: mprotect [%d,+%d) %d\n", opno, lo, n, prot);
  expect_ret("mprotect", mprotect(va(lo), (uint64)n * P, prot), 0, 0);
  for(int i = lo; i < lo + n; i++)
    pg[i].prot = prot;
}

// INHERIT_COPY only where no page is MAP_SHARED: BSD turns a shared mapping that a
// child copies into a copy-on-write one in the parent too, which no one wants.
static void
op_minherit(void)
{
  static const int inh[] = { INHERIT_SHARE, INHERIT_COPY, INHERIT_NONE };
  int lo, n = range(&lo), v = inh[below(NELEM(inh))];

  for(int i = lo; i < lo + n; i++)
    if(v == INHERIT_COPY && pg[i].kind != UNMAPPED && pg[i].shared)
      v = INHERIT_SHARE;
  if(verbose)
    printf("op %lu: minherit [%d,+%d) %d\n", opno, lo, n, v);
  expect_ret("minherit", minherit(va(lo), (uint64)n * P, v), 0, 0);
  for(int i = lo; i < lo + n; i++)
    pg[i].inherit = v;
}

// A random store of 1 to 64 bytes to a writable page (i), in memory and model.
struct store {
  int page, off, n;
  char bytes[64];
};

static int
pick_store(struct store *s, int (*ok)(int))
{
  int cand[NPAGE], m = 0;

  for(int i = 0; i < NPAGE; i++)
    if(accessible(i, 1) && (ok == 0 || ok(i)))
      cand[m++] = i;
  if(m == 0)
    return 0;
  s->page = cand[below(m)];
  s->n = 1 + below(64);
  s->off = below(P - s->n + 1);
  fill(s->bytes, s->n);
  return 1;
}

static void
do_store(struct store *s)
{
  memmove(va(s->page) + s->off, s->bytes, s->n);
  model_store(s->page, s->off, s->bytes, s->n);
}

static void
op_store(void)
{
  struct store s;

  if(!pick_store(&s, 0))
    return;
  if(verbose)
    printf("op %lu: store page %d +0x%x %d bytes\n", opno, s.page, s.off, s.n);
  do_store(&s);
}

// Does the child see page i at all?
static int
inherited(int i)
{
  return pg[i].inherit != INHERIT_NONE;
}

// fork: the child checks its view, makes NSTORE stores and checks again, and exits;
// the parent then sees those of them that its sharing says it must. live: the
// parent reads its whole window while the child lives, before the child stores
// (the child waits on a pipe): what it maps then must not hide the child's stores.
static void
fork_and_store(int live)
{
  struct store s[NSTORE];
  int n = 0, pid, st, go[2];
  char c;

  for(int k = 0; k < NSTORE; k++)
    if(pick_store(&s[n], inherited))
      n++;
  if(verbose)
    printf("op %lu: fork%s, %d stores in the child\n", opno, live ? " (live)" : "", n);
  expect_ret("pipe", pipe(go), 0, 0);
  pid = fork();
  expect_ret("fork", pid < 0 ? -1 : 0, 0, 0);
  if(pid == 0){
    for(int i = 0; i < NPAGE; i++)
      if(!inherited(i))
        pg[i].kind = UNMAPPED;
    check_window();
    expect_ret("read of the pipe", read(go[0], &c, 1), 1, 0);
    for(int k = 0; k < n; k++)
      do_store(&s[k]);
    check_window();
    exit(0);
  }
  if(live)
    check_window();
  expect_ret("write to the pipe", write(go[1], "g", 1), 1, 0);
  close(go[0]);
  close(go[1]);
  expect_ret("wait", wait(&st), pid, 0);
  if(st != 0){
    printf("vmfuzz: seed %lu op %lu: the fork child exited with %d\n", seed, opno, st);
    exit(1);
  }
  for(int k = 0; k < n; k++)
    if(pg[s[k].page].inherit == INHERIT_SHARE)
      model_store(s[k].page, s[k].off, s[k].bytes, s[k].n);
}

static void
op_fork(void)
{
  fork_and_store(0);
}

static void
op_fork_live(void)
{
  fork_and_store(1);
}

// Is every page of [lo, lo + n) mapped?
static int
mapped(int lo, int n)
{
  for(int i = lo; i < lo + n; i++)
    if(pg[i].kind == UNMAPPED)
      return 0;
  return 1;
}

static void
op_msync(void)
{
  int lo, n = range(&lo), flags = below(2) ? MS_ASYNC : 0;

  if(verbose)
    printf("op %lu: msync [%d,+%d) %d\n", opno, lo, n, flags);
  expect_ret("msync", msync(va(lo), (uint64)n * P, flags), mapped(lo, n) ? 0 : -1, ENOMEM);
}

static void
op_madvise(void)
{
  static const int advice[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
                                MADV_DONTNEED };
  int lo, n = range(&lo), a = advice[below(NELEM(advice))];

  if(verbose)
    printf("op %lu: madvise [%d,+%d) %d\n", opno, lo, n, a);
  expect_ret("madvise", madvise(va(lo), (uint64)n * P, a), 0, 0);
}

static void
op_mincore(void)
{
  int lo, n = range(&lo);
  char vec[4];

  if(verbose)
    printf("op %lu: mincore [%d,+%d)\n", opno, lo, n);
  expect_ret("mincore", mincore(va(lo), (uint64)n * P, vec), mapped(lo, n) ? 0 : -1, ENOMEM);
}

// Open file f's descriptor again, at offset 0.
static void
reopen(int f)
{
  close(files[f].fd);
  files[f].fd = open(files[f].name, O_RDWR);
  expect_ret("open", files[f].fd < 0 ? -1 : 0, 0, 0);
  files[f].off = 0;
}

// write() n random bytes (at most half a page: the file system's log makes writes
// slow) at offset off of file f, where off is at most a quarter page past the
// descriptor's offset (or, a sixth of the time, its offset is set back to 0
// first, as when a truncation left it past the end: there is no lseek, and xv6 writes
// no holes); the bytes in between are written with what the file
// holds, by the model. A file grows only by whole pages: a write past the end is
// made to end on a page boundary.
static void
op_write(void)
{
  int f = below(NFUZZFILE), size = files[f].npage * P, off, n, gap;

  if(below(6) == 0 || files[f].off == FPAGE * P || files[f].off > size)
    reopen(f);
  gap = MIN(P / 4, FPAGE * P - 1 - files[f].off);
  off = files[f].off + below(gap + 1);
  n = 1 + below(P / 2);
  n = MIN(n, FPAGE * P - off);
  if(off + n > size)
    n = (off + n + P - 1) / P * P - off;
  if(verbose)
    printf("op %lu: write %s [0x%x,+0x%x) from 0x%x\n", opno, files[f].name, off, n,
           files[f].off);
  memmove(buf, files[f].data + files[f].off, off - files[f].off);
  fill(buf + off - files[f].off, n);
  expect_ret("write", write(files[f].fd, buf, off + n - files[f].off), off + n - files[f].off, 0);
  memmove(files[f].data + off, buf + off - files[f].off, n);
  files[f].off = off + n;
  if(off + n > size)
    files[f].npage = (off + n) / P;
}

static void
op_read(void)
{
  int f = below(NFUZZFILE);

  if(verbose)
    printf("op %lu: read %s\n", opno, files[f].name);
  check_file(f);
}

// Truncate file f to nothing (open with O_TRUNC), then write back up to 2 pages of
// zeros (more would be slow): the pages it lost and got back read zeros.
static void
op_truncate(void)
{
  int f = below(NFUZZFILE), n = below(3), fd;

  if(verbose)
    printf("op %lu: truncate %s, then %d pages of zeros\n", opno, files[f].name, n);
  fd = open(files[f].name, O_RDWR | O_TRUNC);
  expect_ret("open O_TRUNC", fd < 0 ? -1 : 0, 0, 0);
  memset(files[f].data, 0, sizeof(files[f].data));
  expect_ret("write", write(fd, files[f].data, n * P), n * P, 0);
  close(fd);
  files[f].npage = n;
}

// A page that cannot be written (or read): a child that tries must be killed.
static void
op_probe(void)
{
  int i = below(NPAGE), write = below(2), pid, st;

  if(accessible(i, write))
    return;
  if(verbose)
    printf("op %lu: probe %s page %d\n", opno, write ? "store" : "load", i);
  pid = fork();
  expect_ret("fork", pid < 0 ? -1 : 0, 0, 0);
  if(pid == 0){
    if(write)
      *(volatile char *)va(i) = 1;
    else
      (void)*(volatile char *)va(i);
    exit(0);
  }
  expect_ret("wait", wait(&st), pid, 0);
  if(st != -1)
    mismatch(write ? "a store that must fault did not" : "a load that must fault did not",
             va(i), -1, st);
}

// ---------------------------------------------------------------- the run

static const struct {
  char letter;
  void (*fn)(void);
} ops[] = {
  { 'a', 0 }, { 'f', 0 }, { 'u', op_munmap }, { 'p', op_mprotect }, { 'i', op_minherit },
  { 's', op_store }, { 'k', op_fork }, { 'y', op_msync }, { 'w', op_write },
  { 'r', op_read }, { 'b', op_probe }, { 'd', op_madvise }, { 'c', op_mincore },
  { 't', op_truncate }, { 'l', op_fork_live },
};
static int weight[NELEM(ops)];

// Parse MIX into weight[]: 0 if it is not letters each with a weight.
static int
parse_mix(char *mix)
{
  for(char *s = mix; *s; ){
    int k;
    for(k = 0; k < (int)NELEM(ops) && ops[k].letter != *s; k++)
      ;
    if(k == NELEM(ops) || s[1] < '0' || s[1] > '9')
      return 0;
    weight[k] = atoi(++s);
    while(*s >= '0' && *s <= '9')
      s++;
  }
  return 1;
}

static void
one_op(int total)
{
  int r = below(total), k;

  for(k = 0; r >= weight[k]; k++)
    r -= weight[k];
  if(ops[k].letter == 'a' || ops[k].letter == 'f')
    op_mmap(ops[k].letter == 'f');
  else
    ops[k].fn();
}

static void
make_files(void)
{
  for(int f = 0; f < NFUZZFILE; f++){
    strcpy(files[f].name, "vmfuzz.00");
    files[f].name[7] = '0' + (wbase - WBASE) / WSTEP;
    files[f].name[8] = '0' + f;
    files[f].npage = 1 + below(FPAGE);
    fill(files[f].data, files[f].npage * P);
    int fd = open(files[f].name, O_CREATE | O_RDWR | O_TRUNC);
    expect_ret("create", fd < 0 ? -1 : 0, 0, 0);
    expect_ret("write", write(fd, files[f].data, files[f].npage * P), files[f].npage * P, 0);
    files[f].fd = fd;
    files[f].off = files[f].npage * P;
  }
}

// The fuzzing itself, in a child of its own: its exit status says how it went.
static void __attribute__((noreturn))
fuzz(unsigned long nops)
{
  int total = 0;

  for(int k = 0; k < (int)NELEM(ops); k++)
    total += weight[k];
  make_files();
  for(opno = 1; opno <= nops; opno++){
    if(total)
      one_op(total);
    check_window();
    if(opno % 64 == 0)
      check_file(below(NFUZZFILE));
  }
  opno = nops;
  for(int f = 0; f < NFUZZFILE; f++)
    check_file(f);
  expect_ret("munmap of the window", munmap(wbase, NPAGE * P), 0, 0);
  for(int f = 0; f < NFUZZFILE; f++){
    close(files[f].fd);
    expect_ret("unlink", unlink(files[f].name), 0, 0);
  }
  exit(0);
}

// Fuzz nops operations of seed s as process i of the -j ones (0 without -j), in a
// child: its pid.
static int
start(unsigned long s, int i, unsigned long nops)
{
  int pid = fork();

  if(pid == 0){
    seed = s;
    // A seed of 0 would leave xorshift at 0 for good.
    rng = seed * 0x9E3779B97F4A7C15UL + 0x2545F4914F6CDD1DUL;
    wbase = WBASE + i * WSTEP;
    fuzz(nops);
  }
  return pid;
}

int
main(int argc, char *argv[])
{
  unsigned long nops = 1000, first;
  char *mix = DEFMIX;
  struct memsnap m0, m1;
  int jobs = 1, st, failed = -1;

  if(argc > 2 && strcmp(argv[1], "-j") == 0){
    jobs = atoi(argv[2]);
    argv += 2;
    argc -= 2;
  }
  first = argc > 1 ? atoi(argv[1]) : 1;
  if(argc > 2)
    nops = atoi(argv[2]);
  if(argc > 3 && strcmp(argv[3], "-") != 0)
    mix = argv[3];
  verbose = argc > 4 && argv[4][0] == 'v';
  if(argc > 5 || !parse_mix(mix) || jobs < 1 || jobs > MAXJOBS){
    printf("usage: vmfuzz [-j 1..%d] [seed [nops [mix [v]]]]   (mix: letter weight..., "
           "default %s)\n", MAXJOBS, DEFMIX);
    exit(2);
  }
  warmup();
  memsnap(&m0);
  int pids[MAXJOBS];
  for(int i = 0; i < jobs; i++)
    if((pids[i] = start(first + i, i, nops)) < 0){
      printf("vmfuzz: seed %lu: fork failed\n", first);
      exit(1);
    }
  // (A process that fails says why.)
  for(int n = 0; n < jobs; n++){
    int pid = wait(&st);
    for(int i = 0; i < jobs; i++)
      if(pids[i] == pid && st != 0 && (failed < 0 || i < failed))
        failed = i;
  }
  if(failed >= 0){
    if(jobs > 1)
      printf("vmfuzz: seed %lu: seed %lu of -j %d failed\n", first, first + failed, jobs);
    exit(1);
  }
  // Orphans of earlier commands may still be exiting: let the count settle (5 s
  // at most: a loaded host runs the machine slowly).
  if(!memsnap_settle(&m0, &m1, 500)){
    printf("vmfuzz: seed %lu: %ld free pages before, %ld after ", first, m0.free, m1.free);
    memsnap_print(&m0, &m1);
    printf("\n");
    exit(1);
  }
  printf("vmfuzz: seed %lu: %lu ops ok\n", first, nops);
  exit(0);
}

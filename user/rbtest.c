// rbtest: lab 2 (rbtree). A map of 10,000 entries, and lookups that stay
// logarithmic: the kernel counts the tree nodes its lookups visit
// (vmstat().v_lookup_visits), so the test needs no clock. A lookup in a red-black
// tree of n entries visits at most 2*log2(n+1) nodes; a list walk visits n/2 on
// average.
//
//   rbtest        every step, then check that no page leaked
//   rbtest small  the same on a map of 512 entries (for a DEBUG=1 kernel, which
//                 checks the whole map at every change)
//
// Prints "rbtest STEP: OK" or "rbtest STEP: FAILED: ..." for the steps build,
// lookups, faults, holes, churn, firstfit, entries, data, front, verify, free,
// verify_empty and freemem, then "rbtest: ALL OK" or "rbtest: N FAILED".
//
// It also builds and runs on Linux (gcc -o rbtest user/rbtest.c): the map is read
// from /proc/self/maps, and the steps that need the kernel's counters are skipped.

#include "vmtest_sys.h"

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define N 10000        // entries
#define NSMALL 512     // entries for `rbtest small`
#define K 2000         // lookups measured
#define STRIDE 7919    // a prime: K lookups that jump all over the map
#define CHURN 1500     // random operations in step churn (two thirds of it if small)
#define RUN 8          // the longest run of pages churn maps or unmaps at once

static int n = N;      // entries in this run
static char *addr[N];  // entry i: one page, read-only if i is odd
static int failed;

static int
prot_of(int i)
{
  return (i & 1) ? PROT_READ : RW;
}

#ifdef LINUX
static int exit_code(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -1; }

// The number of entries in the map.
static long
map_entries(void)
{
  FILE *f = fopen("/proc/self/maps", "r");
  char line[512];
  long n = 0;

  while(f && fgets(line, sizeof(line), f))
    n++;
  if(f)
    fclose(f);
  return n;
}
#else
static int exit_code(int st) { return st; }

static long
map_entries(void)
{
  struct vmstats st;
  return vmstat(&st) < 0 ? -1 : (long)st.v_map_entries;
}

static uint64
visits(void)
{
  struct vmstats st;
  vmstat(&st);
  return st.v_lookup_visits;
}

// ceil(log2(n))
static int
log2up(long n)
{
  int l = 0;
  while((1L << l) < n)
    l++;
  return l;
}

// The most visits a lookup may make in a map of `entries`.
static long
bound_of(long entries)
{
  return 2 * log2up(entries + 1) + 4;
}
#endif

static void
ok(char *step)
{
  printf("rbtest %s: OK\n", step);
}

static void
bad(char *step, char *what, long got, long want)
{
  printf("rbtest %s: FAILED: %s: expected %ld got %ld\n", step, what, want, got);
  failed++;
}

// Map n one-page entries side by side, with alternating protection so that none
// merge: each at its hint, in a free range found first. 0 on success.
static int
build(void)
{
  long before = map_entries(), after;
  char *r = mmap(0, (uint64)n * P, PROT_NONE, ANON, -1, 0);

  if(r == MAP_FAILED || munmap(r, (uint64)n * P) != 0){
    bad("build", "mmap of the range", -1, 0);
    return -1;
  }
  for(int i = 0; i < n; i++){
    addr[i] = mmap(r + (uint64)i * P, P, prot_of(i), ANON, -1, 0);
    if(addr[i] != r + (uint64)i * P){
      printf("rbtest build: FAILED: entry %d at 0x%lx, not at its hint 0x%lx\n",
             i, (uint64)addr[i], (uint64)(r + (uint64)i * P));
      failed++;
      return -1;
    }
  }
  after = map_entries();
  if(after - before < n - 2){   // (Linux may merge the ends with neighbours)
    bad("build", "new entries", after - before, n);
    return -1;
  }
#ifndef LINUX
  if(after - before != n){
    bad("build", "new entries", after - before, n);
    return -1;
  }
#endif
  ok("build");
  return 0;
}

// Each of these mprotects looks its page up once (the hint misses: the pages jump
// about); mprotect to the protection a page has already changes nothing and
// merges nothing. Then K mprotects of one page: after the first, every lookup
// hits the hint and visits nothing.
static void
lookups(void)
{
#ifdef LINUX
  for(int k = 0; k < K; k++){
    int i = (int)(((long)k * STRIDE) % n);
    if(mprotect(addr[i], P, prot_of(i)) != 0){
      bad("lookups", "mprotect", -1, 0);
      return;
    }
  }
  printf("rbtest lookups: OK (visits not counted on Linux)\n");
#else
  long entries = map_entries();
  long bound = bound_of(entries);
  uint64 v0 = visits();
  for(int k = 0; k < K; k++){
    int i = (int)(((long)k * STRIDE) % n);
    if(mprotect(addr[i], P, prot_of(i)) != 0){
      bad("lookups", "mprotect", -1, 0);
      return;
    }
  }
  uint64 v = visits() - v0;
  // Per lookup, in tenths.
  long per10 = (long)(v * 10 / K);
  if(v < K){
    printf("rbtest lookups: FAILED: %ld visits for %d lookups: lookups do not count "
           "the nodes they visit\n", (long)v, K);
    failed++;
    return;
  }
  if(per10 > bound * 10){
    printf("rbtest lookups: FAILED: %ld.%ld visits per lookup in a map of %ld entries, "
           "more than 2*log2(n+1)+4 = %ld\n", per10 / 10, per10 % 10, entries, bound);
    failed++;
    return;
  }
  uint64 h0 = visits();
  for(int k = 0; k < K; k++){
    if(mprotect(addr[n / 2], P, prot_of(n / 2)) != 0){
      bad("lookups", "mprotect", -1, 0);
      return;
    }
  }
  uint64 h = visits() - h0;
  if(h > (uint64)bound){
    printf("rbtest lookups: FAILED: %ld visits for %d lookups of one page: a hit in the "
           "tree does not set the hint\n", (long)h, K);
    failed++;
    return;
  }
  printf("rbtest lookups: OK (%ld.%ld visits per lookup, %ld entries, bound %ld)\n",
         per10 / 10, per10 % 10, entries, bound);
#endif
}

// First touches of K writable pages fault; each fault looks its entry up. The fault
// handler may look up more than once (the hint makes repeats free), so allow twice
// the bound.
static void
faults(void)
{
#ifdef LINUX
  for(int k = 0; k < K; k++)
    addr[2 * (((long)k * STRIDE) % (n / 2))][0] = 1;
  printf("rbtest faults: OK (visits not counted on Linux)\n");
#else
  long entries = map_entries();
  long bound = 2 * bound_of(entries);
  uint64 v0 = visits();
  // K writes to writable (even) entries, each the first to its page if n >= 2K.
  for(int k = 0; k < K; k++)
    addr[2 * (((long)k * STRIDE) % (n / 2))][0] = 1;
  uint64 v = visits() - v0;
  long per10 = (long)(v * 10 / K);
  if(per10 > bound * 10){
    printf("rbtest faults: FAILED: %ld.%ld visits per fault in a map of %ld entries, "
           "more than %ld\n", per10 / 10, per10 % 10, entries, bound);
    failed++;
  } else {
    printf("rbtest faults: OK (%ld.%ld visits per fault, %d faults, bound %ld)\n",
           per10 / 10, per10 % 10, K, bound);
  }
#endif
}

// Holes: every third entry unmapped. Lookups that miss are as cheap as hits; the
// next mmap of a page goes into a hole (vmlab: the lowest one, first fit). The
// holes are filled back in any case, for the steps that follow.
static void
holes(void)
{
  char *a;
  int i;

  for(i = 1; i < n; i += 3){
    if(munmap(addr[i], P) != 0){
      bad("holes", "munmap", -1, 0);
      return;
    }
  }
#ifndef LINUX
  long entries = map_entries();
  long bound = bound_of(entries);
  uint64 v0 = visits();
  for(int k = 0; k < K; k++){
    i = 1 + 3 * (int)(((long)k * STRIDE) % (n / 3));
    if(mprotect(addr[i], P, PROT_READ) != 0){
      bad("holes", "mprotect of a hole", -1, 0);
      goto refill;
    }
  }
  uint64 v = visits() - v0;
  long per10 = (long)(v * 10 / K);
  if(per10 > bound * 10 || v < K){
    printf("rbtest holes: FAILED: %ld.%ld visits per lookup of a hole, %ld entries, "
           "bound %ld\n", per10 / 10, per10 % 10, entries, bound);
    failed++;
    goto refill;
  }
#endif
  a = mmap(0, P, PROT_READ, ANON, -1, 0);
  if(a == MAP_FAILED){
    bad("holes", "mmap", -1, 0);
    goto refill;
  }
  munmap(a, P);
  // Outside the entries or in a hole: the place of some entry 3j+1.
  i = (a - addr[0]) / P;
  if(a >= addr[0] && i < n && i % 3 != 1){
    printf("rbtest holes: FAILED: mmap at 0x%lx, over entry %d\n", (uint64)a, i);
    failed++;
    goto refill;
  }
#ifndef LINUX
  // (Linux allocates top down, from the highest gap that fits.)
  if(a != addr[1]){
    printf("rbtest holes: FAILED: mmap at 0x%lx, not in the lowest hole 0x%lx\n",
           (uint64)a, (uint64)addr[1]);
    failed++;
    goto refill;
  }
  printf("rbtest holes: OK (%ld.%ld visits per lookup, bound %ld)\n",
         per10 / 10, per10 % 10, bound);
#else
  printf("rbtest holes: OK\n");
#endif
refill:
  // Fill the holes back (MAP_FIXED: no search).
  for(i = 1; i < n; i += 3){
    if(mmap(addr[i], P, prot_of(i), ANON | MAP_FIXED, -1, 0) != addr[i]){
      bad("holes", "mmap MAP_FIXED", -1, 0);
      return;
    }
  }
}

// Below the program's text (the map's first entry, at VM_USER_TEXT) is a gap:
// first fit from page 1 finds it (page 0 is never handed out). Then pages mapped
// there from the top down, each the new first entry of the map; every other one
// unmapped again, and first fit finds the lowest of those holes. Everything is
// unmapped again at the end, whatever failed.
static void
front(void)
{
#ifdef LINUX
  printf("rbtest front: skipped on Linux\n");
#else
  char *lo = (char *)P, *a;
  int np = VM_USER_TEXT / P - 1;

  if((a = mmap(lo, 2 * P, PROT_READ, ANON, -1, 0)) != lo){
    printf("rbtest front: FAILED: mmap with hint 0x%lx at 0x%lx, below the first "
           "entry\n", (uint64)lo, (uint64)a);
    if(a != MAP_FAILED)
      munmap(a, 2 * P);
    goto fail;
  }
  munmap(a, 2 * P);
  for(int i = np - 1; i >= 0; i--){
    if(mmap(lo + i * P, P, prot_of(i), ANON | MAP_FIXED, -1, 0) != lo + i * P){
      printf("rbtest front: FAILED: mmap MAP_FIXED at 0x%lx\n", (uint64)(lo + i * P));
      goto fail;
    }
  }
  if(vmverify(0) != 0){
    printf("rbtest front: FAILED: vmverify after mapping below the first entry (see "
           "the console)\n");
    goto fail;
  }
  for(int i = 1; i < np; i += 2)
    munmap(lo + i * P, P);
  if((a = mmap(lo, P, PROT_READ, ANON, -1, 0)) != lo + P){
    printf("rbtest front: FAILED: mmap with hint 0x%lx at 0x%lx, not in the lowest hole "
           "0x%lx\n", (uint64)lo, (uint64)a, (uint64)(lo + P));
    if(a != MAP_FAILED && (a < lo || a >= lo + np * P))
      munmap(a, P);
    goto fail;
  }
  munmap(lo, (uint64)np * P);
  if(vmverify(0) != 0){
    printf("rbtest front: FAILED: vmverify (see the console)\n");
    failed++;
    return;
  }
  ok("front");
  return;
fail:
  munmap(lo, (uint64)np * P);
  failed++;
#endif
}

// ---------------------------------------------------------------- churn

// What churn expects of page i of the range: its protection (0: unmapped) and,
// for a page it wrote, the word at its start (0: not written by churn).
static char model[N];
static uint32 sig[N];
static int misplaced;      // mmaps not at the first fit (step firstfit)
static struct {            // the first of them
  int op, len;
  uint64 hint, got, want;
} miss;

static uint64 rng = 88172645463325252ULL;

static uint64
rnd(uint64 m)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng % m;
}

// The first run of len unmapped pages at or above page from, or -1.
static int
first_fit(int from, int len)
{
  int run = 0;

  for(int i = from; i < n; i++){
    run = model[i] ? 0 : run + 1;
    if(run == len)
      return i - len + 1;
  }
  return -1;
}

// Note the first mmap that missed the first fit.
static void
misplace(int op, int len, int from, char *a, int want)
{
  if(misplaced++ == 0){
    miss.op = op;
    miss.len = len;
    miss.hint = (uint64)addr[from];
    miss.got = (uint64)a;
    miss.want = (uint64)addr[want];
  }
}

// Map len pages, searching from page `from`: the kernel must put them at the first
// fit (on Linux: anywhere free). Writable pages get a word each. 0 on success.
static int
churn_map(int op, int from, int len, int prot)
{
  int want = first_fit(from, len);
  if(want < 0)
    return 0;   // no room in the range: not a case this test can predict
  char *a = mmap(addr[from], (uint64)len * P, prot, ANON, -1, 0);
  if(a == MAP_FAILED){
    bad("churn", "mmap", -1, 0);
    return -1;
  }
  long i = (a - addr[0]) / P;
  if(a < addr[0] || i + len > n){
    // Outside the range (Linux: top down, if the hint is taken).
#ifndef LINUX
    misplace(op, len, from, a, want);
#endif
    munmap(a, (uint64)len * P);
    return 0;
  }
  if(i != want){
    misplace(op, len, from, a, want);
    if(first_fit(i, len) != i){
      printf("rbtest churn: FAILED: operation %d: mmap of %d pages with hint 0x%lx "
             "at 0x%lx, over a mapping\n", op, len, (uint64)addr[from], (uint64)a);
      failed++;
      return -1;
    }
  }
  for(int j = i; j < i + len; j++){
    model[j] = prot;
    sig[j] = 0;
    if(prot & PROT_WRITE){
      sig[j] = (uint32)(j * 2654435761U) ^ (uint32)op ^ 1;
      *(uint32 *)addr[j] = sig[j];
    }
  }
  return 0;
}

// Unmap, or change the protection of, [i, i + len) (mprotect only if all mapped:
// Linux refuses holes).
static int
churn_change(int i, int len, int prot)
{
  if(i + len > n)
    len = n - i;
  if(prot){
    for(int j = i; j < i + len; j++)
      if(!model[j])
        return 0;
    if(mprotect(addr[i], (uint64)len * P, prot) != 0){
      bad("churn", "mprotect", -1, 0);
      return -1;
    }
  } else if(munmap(addr[i], (uint64)len * P) != 0){
    bad("churn", "munmap", -1, 0);
    return -1;
  }
  for(int j = i; j < i + len; j++){
    model[j] = prot;
    if(!prot)
      sig[j] = 0;
  }
  return 0;
}

// Random unmaps, maps (first fit from a random page, or from the range's start)
// and protection changes of runs of up to RUN pages; then lookups of random mapped
// pages, which must stay within the bound. 0 if every operation succeeded.
static int
churn(void)
{
  int ops = n == N ? CHURN : CHURN * 2 / 3;

  for(int i = 0; i < n; i++)
    model[i] = prot_of(i);
  for(int op = 0; op < ops; op++){
    int i = (int)rnd(n), len = 1 + (int)rnd(RUN), prot = rnd(2) ? RW : PROT_READ;
    int r;
    switch(rnd(5)){
    case 0:
    case 1:
      r = churn_change(i, len, 0);
      break;
    case 2:
      r = churn_change(i, len, prot);
      break;
    case 3:
      r = churn_map(op, 0, len, prot);
      break;
    default:
      r = churn_map(op, i, len, prot);
      break;
    }
    if(r < 0)
      return -1;
  }
#ifdef LINUX
  printf("rbtest churn: OK (%d operations; visits not counted on Linux)\n", ops);
#else
  long entries = map_entries();
  long bound = bound_of(entries);
  int lookups = 0;
  uint64 v0 = visits();
  for(int k = 0; k < K; k++){
    int i = (int)(((long)k * STRIDE) % n);
    if(!model[i])
      continue;
    lookups++;
    if(mprotect(addr[i], P, model[i]) != 0){
      bad("churn", "mprotect", -1, 0);
      return -1;
    }
  }
  uint64 v = visits() - v0;
  long per10 = lookups ? (long)(v * 10 / lookups) : 0;
  if(per10 > bound * 10 || v < (uint64)lookups){
    printf("rbtest churn: FAILED: %ld.%ld visits per lookup after %d random operations, "
           "%ld entries, bound %ld\n", per10 / 10, per10 % 10, ops, entries, bound);
    failed++;
  } else {
    printf("rbtest churn: OK (%d operations, then %ld.%ld visits per lookup, %ld entries, "
           "bound %ld)\n", ops, per10 / 10, per10 % 10, entries, bound);
  }
#endif
  return 0;
}

// Every mmap of churn went to the first fit.
static void
firstfit(void)
{
#ifdef LINUX
  printf("rbtest firstfit: skipped on Linux (top down)\n");
#else
  if(misplaced){
    printf("rbtest firstfit: FAILED: %d mmaps not at the first fit; the first, operation "
           "%d: %d pages with hint 0x%lx at 0x%lx, first fit 0x%lx\n", misplaced, miss.op,
           miss.len, miss.hint, miss.got, miss.want);
    failed++;
  } else
    ok("firstfit");
#endif
}

// The map's entries (vmmap) cover exactly the pages churn left mapped, each with
// its protection.
static void
entries(void)
{
#ifdef LINUX
  printf("rbtest entries: skipped on Linux\n");
#else
  int max = n + 64, got;
  // Above the range (first fit would put it into one of churn's holes).
  struct kinfo_vmentry *kve = mmap(addr[0] + (uint64)n * P, (uint64)max * sizeof(*kve),
                                   RW, ANON, -1, 0);
  static char seen[N];

  if(kve == MAP_FAILED){
    bad("entries", "mmap", -1, 0);
    return;
  }
  got = vmmap(0, kve, max);
  if(got < 0 || got > max){
    bad("entries", "vmmap", got, max);
    munmap(kve, (uint64)max * sizeof(*kve));
    return;
  }
  memset(seen, 0, n);
  for(int k = 0; k < got; k++){
    uint64 s = kve[k].kve_start, e = kve[k].kve_end;
    for(uint64 a = s; a < e; a += P){
      long i = ((char *)a - addr[0]) / P;
      if((char *)a < addr[0] || i >= n)
        continue;
      seen[i] = kve[k].kve_protection & RW;
    }
  }
  munmap(kve, (uint64)max * sizeof(*kve));
  for(int i = 0; i < n; i++){
    if(seen[i] != model[i]){
      printf("rbtest entries: FAILED: page 0x%lx: protection %d in the map, %d expected "
             "(0: unmapped)\n", (uint64)addr[i], seen[i], model[i]);
      failed++;
      return;
    }
  }
  ok("entries");
#endif
}

// Every page churn wrote still holds its word: faults found the right entries.
static void
data(void)
{
  for(int i = 0; i < n; i++){
    if(sig[i] && *(uint32 *)addr[i] != sig[i]){
      printf("rbtest data: FAILED: page 0x%lx holds 0x%x, not 0x%x\n", (uint64)addr[i],
             *(uint32 *)addr[i], sig[i]);
      failed++;
      return;
    }
  }
  ok("data");
}

static void
verify(char *step)
{
#ifdef LINUX
  printf("rbtest %s: skipped on Linux\n", step);
#else
  if(vmverify(0) != 0){
    printf("rbtest %s: FAILED: vmverify (see the console)\n", step);
    failed++;
  } else
    ok(step);
#endif
}

// One munmap over the whole range takes every entry away.
static void
freeall(long entries0)
{
  if(munmap(addr[0], (uint64)n * P) != 0){
    bad("free", "munmap", -1, 0);
    return;
  }
  long got = map_entries();
  if(got != entries0)
    bad("free", "entries after munmap", got, entries0);
  else
    ok("free");
}

int
main(int argc, char *argv[])
{
  int pid, st = 0;

  if(argc == 2 && strcmp(argv[1], "small") == 0)
    n = NSMALL;
  else if(argc != 1){
    printf("usage: rbtest [small]\n");
    exit(1);
  }
#ifdef LINUX
  setvbuf(stdout, 0, _IONBF, 0);
#else
  warmup();
  struct memsnap m0, m1;
  memsnap(&m0);
#endif
  pid = fork();
  if(pid < 0){
    printf("rbtest: fork failed\n");
    exit(1);
  }
  if(pid == 0){
    map_entries();   // (on Linux the first use of stdio maps its buffers)
    long entries0 = map_entries();
    if(build() == 0){
      lookups();
      faults();
      holes();
      if(churn() == 0){
        firstfit();
        entries();
        data();
      }
      front();
      verify("verify");
      freeall(entries0);
      verify("verify_empty");
    }
    exit(failed);
  }
  wait(&st);
  if(!exited_with(st, 0)){
    failed = exit_code(st) > 0 ? exit_code(st) : 1;
    if(exit_code(st) < 0)
      printf("rbtest: FAILED: the test was killed\n");
  }
#ifndef LINUX
  if(!memsnap_settle(&m0, &m1, 100)){
    printf("rbtest freemem: FAILED: expected %ld free pages got %ld ", m0.free, m1.free);
    memsnap_print(&m0, &m1);
    printf("\n");
    failed++;
  } else
    ok("freemem");
#endif
  if(failed)
    printf("rbtest: %d FAILED\n", failed);
  else
    printf("rbtest: ALL OK\n");
  exit(failed != 0);
}

// rbtest: lab 2 (rbtree). A map of 10,000 entries, and lookups that stay
// logarithmic: the kernel counts the tree nodes its lookups visit
// (vmstat().v_lookup_visits), so the test needs no clock. A lookup in a red-black
// tree of n entries visits at most 2*log2(n+1) nodes; a list walk visits n/2 on
// average.
//
//   rbtest        every step, then check that no page leaked
//
// Prints "rbtest STEP: OK" or "rbtest STEP: FAILED: ..." for the steps build,
// lookups, faults, holes, verify, free, verify_empty and freemem, then
// "rbtest: ALL OK" or "rbtest: N FAILED".
//
// It also builds and runs on Linux (gcc -o rbtest user/rbtest.c): the map is read
// from /proc/self/maps, and the steps that need the kernel's counters are skipped.

#if defined(__linux__) && __STDC_HOSTED__
#define LINUX 1
#endif

#ifdef LINUX
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#define PAGE_SIZE 4096
typedef unsigned long uint64;
#else
#include <machine/vmparam.h>
#include "user/user.h"
#endif

#define P PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANON)
#define N 10000        // entries
#define K 2000         // lookups measured
#define STRIDE 7919    // a prime: K lookups that jump all over the map

static char *addr[N];  // entry i: one page, read-only if i is odd
static int failed;

static int
prot_of(int i)
{
  return (i & 1) ? PROT_READ : RW;
}

#ifdef LINUX
static int exited_ok(int st) { return WIFEXITED(st) && WEXITSTATUS(st) == 0; }
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
static int exited_ok(int st) { return st == 0; }
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

// Map N one-page entries side by side, with alternating protection so that none
// merge: each at its hint, in a free range found first. 0 on success.
static int
build(void)
{
  long before = map_entries(), after;
  char *r = mmap(0, (uint64)N * P, PROT_NONE, ANON, -1, 0);

  if(r == MAP_FAILED || munmap(r, (uint64)N * P) != 0){
    bad("build", "mmap of the range", -1, 0);
    return -1;
  }
  for(int i = 0; i < N; i++){
    addr[i] = mmap(r + (uint64)i * P, P, prot_of(i), ANON, -1, 0);
    if(addr[i] != r + (uint64)i * P){
      printf("rbtest build: FAILED: entry %d at 0x%lx, not at its hint 0x%lx\n",
             i, (uint64)addr[i], (uint64)(r + (uint64)i * P));
      failed++;
      return -1;
    }
  }
  after = map_entries();
  if(after - before < N - 2){   // (Linux may merge the ends with neighbours)
    bad("build", "new entries", after - before, N);
    return -1;
  }
#ifndef LINUX
  if(after - before != N){
    bad("build", "new entries", after - before, N);
    return -1;
  }
#endif
  ok("build");
  return 0;
}

// Each of these mprotects looks its page up once (the hint misses: the pages jump
// about); mprotect to the protection a page has already changes nothing and
// merges nothing.
static void
lookups(void)
{
#ifdef LINUX
  for(int k = 0; k < K; k++){
    int i = (int)(((long)k * STRIDE) % N);
    if(mprotect(addr[i], P, prot_of(i)) != 0){
      bad("lookups", "mprotect", -1, 0);
      return;
    }
  }
  printf("rbtest lookups: OK (visits not counted on Linux)\n");
#else
  long n = map_entries();
  long bound = 2 * log2up(n + 1) + 4;
  uint64 v0 = visits();
  for(int k = 0; k < K; k++){
    int i = (int)(((long)k * STRIDE) % N);
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
  } else if(per10 > bound * 10){
    printf("rbtest lookups: FAILED: %ld.%ld visits per lookup in a map of %ld entries, "
           "more than 2*log2(n+1)+4 = %ld\n", per10 / 10, per10 % 10, n, bound);
    failed++;
  } else {
    printf("rbtest lookups: OK (%ld.%ld visits per lookup, %ld entries, bound %ld)\n",
           per10 / 10, per10 % 10, n, bound);
  }
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
    addr[2 * (((long)k * STRIDE) % (N / 2))][0] = 1;
  printf("rbtest faults: OK (visits not counted on Linux)\n");
#else
  long n = map_entries();
  long bound = 2 * (2 * log2up(n + 1) + 4);
  uint64 v0 = visits();
  // K different writable (even) entries, each written for the first time.
  for(int k = 0; k < K; k++)
    addr[2 * (((long)k * STRIDE) % (N / 2))][0] = 1;
  uint64 v = visits() - v0;
  long per10 = (long)(v * 10 / K);
  if(per10 > bound * 10){
    printf("rbtest faults: FAILED: %ld.%ld visits per fault in a map of %ld entries, "
           "more than %ld\n", per10 / 10, per10 % 10, n, bound);
    failed++;
  } else {
    printf("rbtest faults: OK (%ld.%ld visits per fault, %d faults, bound %ld)\n",
           per10 / 10, per10 % 10, K, bound);
  }
#endif
}

// Holes: every third entry unmapped. Lookups that miss are as cheap as hits; the
// next mmap of a page goes into a hole (vmlab: the lowest one, first fit).
static void
holes(void)
{
  char *a;
  int i;

  for(i = 1; i < N; i += 3){
    if(munmap(addr[i], P) != 0){
      bad("holes", "munmap", -1, 0);
      return;
    }
  }
#ifndef LINUX
  long n = map_entries();
  long bound = 2 * log2up(n + 1) + 4;
  uint64 v0 = visits();
  for(int k = 0; k < K; k++){
    i = 1 + 3 * (int)(((long)k * STRIDE) % (N / 3));
    if(mprotect(addr[i], P, PROT_READ) != 0){
      bad("holes", "mprotect of a hole", -1, 0);
      return;
    }
  }
  uint64 v = visits() - v0;
  long per10 = (long)(v * 10 / K);
  if(per10 > bound * 10 || v < K){
    printf("rbtest holes: FAILED: %ld.%ld visits per lookup of a hole, %ld entries, "
           "bound %ld\n", per10 / 10, per10 % 10, n, bound);
    failed++;
    return;
  }
#endif
  a = mmap(0, P, PROT_READ, ANON, -1, 0);
  if(a == MAP_FAILED){
    bad("holes", "mmap", -1, 0);
    return;
  }
  // Outside the entries or in a hole: the place of some entry 3j+1.
  i = (a - addr[0]) / P;
  if(a >= addr[0] && i < N && i % 3 != 1){
    printf("rbtest holes: FAILED: mmap at 0x%lx, over entry %d\n", (uint64)a, i);
    failed++;
    return;
  }
#ifndef LINUX
  // (Linux allocates top down, from the highest gap that fits.)
  if(a != addr[1]){
    printf("rbtest holes: FAILED: mmap at 0x%lx, not in the lowest hole 0x%lx\n",
           (uint64)a, (uint64)addr[1]);
    failed++;
    return;
  }
#endif
  munmap(a, P);
  // Fill the holes back (MAP_FIXED: no search).
  for(i = 1; i < N; i += 3){
    if(mmap(addr[i], P, prot_of(i), ANON | MAP_FIXED, -1, 0) != addr[i]){
      bad("holes", "mmap MAP_FIXED", -1, 0);
      return;
    }
  }
#ifdef LINUX
  printf("rbtest holes: OK\n");
#else
  printf("rbtest holes: OK (%ld.%ld visits per lookup, bound %ld)\n",
         per10 / 10, per10 % 10, bound);
#endif
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
  if(munmap(addr[0], (uint64)N * P) != 0){
    bad("free", "munmap", -1, 0);
    return;
  }
  long n = map_entries();
  if(n != entries0)
    bad("free", "entries after munmap", n, entries0);
  else
    ok("free");
}



int
main(int argc, char *argv[])
{
  int pid, st = 0;

#ifdef LINUX
  setvbuf(stdout, 0, _IONBF, 0);
#else
  warmup();
  long free0 = freemem();
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
      verify("verify");
      freeall(entries0);
      verify("verify_empty");
    }
    exit(failed);
  }
  wait(&st);
  if(!exited_ok(st)){
    failed = exit_code(st) > 0 ? exit_code(st) : 1;
    if(exit_code(st) < 0)
      printf("rbtest: FAILED: the test was killed\n");
  }
#ifndef LINUX
  long free1 = freemem();
  if(free1 != free0){
    printf("rbtest freemem: FAILED: expected %ld free pages got %ld\n", free0, free1);
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

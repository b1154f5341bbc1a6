// swaptest: memory under pressure. Each of W workers maps MIB MiB of anonymous
// memory, fills every page with words that depend on the worker, the page and the
// round, and then, round after round, checks every word of the last round and
// writes the next. With more memory than RAM, the pageout daemon must swap pages
// out and a fault bring them back, intact.
//
//   swaptest [-w W] [-r ROUNDS] [-f] MIB
//
// -f: each worker forks once its first round is written; parent and child then go
// on on their own copies (copy-on-write, or copied at fork in labs 1 and 2), each
// with its own words. Prints "swaptest: OK ..." with the swap traffic it caused,
// or "swaptest: FAILED: ..." at the first wrong word (exit status 1).

#include "user/user.h"

#define WORDS (4096 / 8)

static uint64
word(int who, uint64 page, int round, int i)
{
  uint64 x = ((uint64)who << 48) ^ (page << 16) ^ ((uint64)round << 8) ^ (uint64)i;
  x ^= x >> 31;
  x *= 0x9e3779b97f4a7c15UL;
  return x ^ (x >> 29);
}

static void
fill(uint64 *p, uint64 npages, int who, int round)
{
  for (uint64 pg = 0; pg < npages; pg++)
    for (int i = 0; i < WORDS; i++)
      p[pg * WORDS + i] = word(who, pg, round, i);
}

static void
check(uint64 *p, uint64 npages, int who, int round)
{
  for (uint64 pg = 0; pg < npages; pg++) {
    for (int i = 0; i < WORDS; i++) {
      uint64 want = word(who, pg, round, i), got = p[pg * WORDS + i];
      if (got != want) {
        printf("swaptest: FAILED: worker %d round %d page %ld word %d: got 0x%lx want 0x%lx\n",
               who, round, pg, i, got, want);
        exit(1);
      }
    }
  }
}

static void
rounds(uint64 *p, uint64 npages, int who, int from, int to)
{
  for (int r = from; r < to; r++) {
    check(p, npages, who, r);
    fill(p, npages, who, r + 1);
  }
  check(p, npages, who, to);
}

static int
waitall(void)
{
  int st, bad = 0;

  while (wait(&st) > 0)
    bad |= st != 0;
  return bad;
}

static void
worker(int who, uint64 npages, int nrounds, int forks)
{
  uint64 *p = mmap(0, npages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);

  if (p == MAP_FAILED) {
    printf("swaptest: FAILED: worker %d: mmap of %ld pages\n", who, npages);
    exit(1);
  }
  fill(p, npages, who, 0);
  if (forks) {
    int pid = fork();
    if (pid < 0) {
      printf("swaptest: FAILED: worker %d: fork\n", who);
      exit(1);
    }
    if (pid == 0) {
      // The child first sees the parent's words, then writes its own.
      check(p, npages, who, 0);
      fill(p, npages, who + 100, 0);
      rounds(p, npages, who + 100, 0, nrounds);
      exit(0);
    }
  }
  rounds(p, npages, who, 0, nrounds);
  exit(forks && waitall() ? 1 : 0);
}

int
main(int argc, char *argv[])
{
  int workers = 1, nrounds = 3, forks = 0, i;
  struct vmstats before, after;

  for (i = 1; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
      workers = atoi(argv[++i]);
    else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
      nrounds = atoi(argv[++i]);
    else if (strcmp(argv[i], "-f") == 0)
      forks = 1;
    else
      break;
  }
  if (i != argc - 1 || workers < 1 || nrounds < 1 || atoi(argv[i]) < 1) {
    fprintf(2, "usage: swaptest [-w W] [-r ROUNDS] [-f] MIB\n");
    exit(2);
  }
  uint64 npages = (uint64)atoi(argv[i]) * 256;
  vmstat(&before);
  for (int w = 0; w < workers; w++) {
    int pid = fork();
    if (pid < 0) {
      printf("swaptest: FAILED: fork of worker %d\n", w);
      exit(1);
    }
    if (pid == 0)
      worker(w + 1, npages, nrounds, forks);
  }
  if (waitall()) {
    printf("swaptest: FAILED: a worker failed\n");
    exit(1);
  }
  vmstat(&after);
  printf("swaptest: OK: %d workers x %ld pages x %d rounds; swapout %ld swapin %ld\n",
         workers * (forks + 1), npages, nrounds, after.v_swapout - before.v_swapout,
         after.v_swapin - before.v_swapin);
  exit(0);
}

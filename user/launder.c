// launder: pages of a file dirtied through a shared mapping under memory
// pressure must be written back to the file by the pageout daemon (laundered),
// so that it can free them, while the mapping stays.
//
//   launder write FILE KIB MIB
//
// makes FILE, KIB KiB, maps it shared and fills MIB MiB of anonymous memory
// (more than RAM: the pressure); then writes into every page of the file words
// that depend on the page and the word; then goes over the anonymous memory,
// checking and rewriting it, until no page of the file is resident (mincore), or
// ROUNDS times. It prints
//
//   launder: 256 pages dirtied; 2 rounds; vnodeout 256; resident 0
//
// and waits for a line on its input with the mapping in place (no msync, no
// munmap): a grader cuts the power there, so that only what the daemon wrote is
// on the disk. On the next boot:
//
//   launder check FILE KIB
//
// reads FILE with read() and checks every word: "launder: OK: 256 pages", or
// "launder: FAILED: ..." at the first wrong one (exit status 1).

#include <sys/fcntl.h>
#include "user/user.h"

#define P 4096
#define WORDS (P / 8)
#define ROUNDS 8

static uint64
word(uint64 tag, uint64 page, int i)
{
  uint64 x = (tag << 40) ^ (page << 12) ^ (uint64)i;
  x ^= x >> 31;
  x *= 0x9e3779b97f4a7c15UL;
  return x ^ (x >> 29);
}

static void
fail(char *what)
{
  printf("launder: FAILED: %s\n", what);
  exit(1);
}

// The file's words are tag 1; the anonymous memory's, 2 + the round.
static void
fill(uint64 *p, uint64 npages, uint64 tag)
{
  for (uint64 pg = 0; pg < npages; pg++)
    for (int i = 0; i < WORDS; i++)
      p[pg * WORDS + i] = word(tag, pg, i);
}

static void
check(uint64 *p, uint64 pg, uint64 tag)
{
  for (int i = 0; i < WORDS; i++) {
    uint64 want = word(tag, pg, i);
    if (p[i] != want) {
      printf("launder: FAILED: tag %ld page %ld word %d: got 0x%lx want 0x%lx\n", tag, pg,
             i, p[i], want);
      exit(1);
    }
  }
}

// How many of the npages pages at p are resident.
static uint64
resident(void *p, uint64 npages)
{
  static char vec[4096];
  uint64 n = 0;

  if (npages > sizeof(vec) || mincore(p, npages * P, vec) < 0)
    fail("mincore");
  for (uint64 i = 0; i < npages; i++)
    n += vec[i] & MINCORE_INCORE;
  return n;
}

static void
make_file(char *path, uint64 npages)
{
  static char zero[P];
  int fd = open(path, O_CREATE | O_RDWR);

  if (fd < 0)
    fail("create");
  for (uint64 i = 0; i < npages; i++)
    if (write(fd, zero, P) != P)
      fail("write (is the disk full?)");
  close(fd);
}

static void
do_write(char *path, uint64 npages, uint64 anon_pages)
{
  struct vmstats st0, st1;
  char line[8];

  make_file(path, npages);
  int fd = open(path, O_RDWR);
  uint64 *f = mmap(0, npages * P, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  uint64 *a = mmap(0, anon_pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
  if (fd < 0 || f == MAP_FAILED || a == MAP_FAILED)
    fail("open or mmap");
  close(fd);
  vmstat(&st0);
  fill(a, anon_pages, 2);
  fill(f, npages, 1);
  int r = 0;
  while (r < ROUNDS && resident(f, npages) > 0) {
    for (uint64 pg = 0; pg < anon_pages; pg++)
      check(a + pg * WORDS, pg, 2 + r);
    r++;
    fill(a, anon_pages, 2 + r);
  }
  vmstat(&st1);
  printf("launder: %ld pages dirtied; %d rounds; vnodeout %ld; resident %ld\n", npages, r,
         st1.v_vnodepgsout - st0.v_vnodepgsout, resident(f, npages));
  read(0, line, sizeof(line));
  exit(0);
}

static void
do_check(char *path, uint64 npages)
{
  static uint64 buf[WORDS];
  int fd = open(path, 0);

  if (fd < 0)
    fail("open");
  for (uint64 pg = 0; pg < npages; pg++) {
    if (read(fd, buf, P) != P)
      fail("short read");
    check(buf, pg, 1);
  }
  close(fd);
  printf("launder: OK: %ld pages\n", npages);
  exit(0);
}

int
main(int argc, char *argv[])
{
  if (argc == 5 && strcmp(argv[1], "write") == 0 && atoi(argv[3]) > 0 && atoi(argv[4]) > 0)
    do_write(argv[2], (uint64)atoi(argv[3]) / 4, (uint64)atoi(argv[4]) * 256);
  if (argc == 4 && strcmp(argv[1], "check") == 0 && atoi(argv[3]) > 0)
    do_check(argv[2], (uint64)atoi(argv[3]) / 4);
  fprintf(2, "usage: launder write FILE KIB MIB | launder check FILE KIB\n");
  exit(2);
}

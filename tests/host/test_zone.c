// The zone allocator (kernel/vm/vm_zone.c): reservations are honoured, items are
// distinct and zeroed, and empty pages go back to kalloc; freed items are poison
// that names the zone, so that a use after free is caught at once, and named.
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vm/vm_zone.h"
#include "maputil.h"
#include "test.h"
#include "stubs.h"
#include "rng.h"

struct item {
  char bytes[200];
};

static void
zone_alloc_free(void)
{
  static struct vm_zone z;   // static: the zone's spare page stays reachable
  enum { N = 1000 };
  static struct item *items[N];
  long pages0 = stub_pages_live;

  zinit(&z, "test", sizeof(struct item));
  CHECK(z.size >= sizeof(struct item) && z.size % 16 == 0);
  CHECK(z.per_page >= 1 && z.per_page * z.size <= 4096);
  for (int i = 0; i < N; i++) {
    items[i] = zalloc(&z);
    REQUIRE(items[i] != 0);
    for (size_t b = 0; b < sizeof(struct item); b++)
      if (items[i]->bytes[b] != 0) {
        CHECK(!"zalloc item not zeroed");
        break;
      }
    memset(items[i], 0xa5, sizeof(struct item));   // ASan: the whole item is ours
  }
  CHECK(stub_pages_live - pages0 == (long)z.npages);
  CHECK(z.npages >= (N + z.per_page - 1) / z.per_page);
  for (int i = 0; i < N; i++)
    zfree(&z, items[i]);
  // At most one spare page kept.
  CHECK(z.npages <= 1);
  CHECK_EQ(stub_pages_live - pages0, z.npages);
  CHECK_EQ(z.nfree, z.npages * z.per_page);
}

static void
zone_reservations(void)
{
  static struct vm_zone z;   // static: the zone's spare page stays reachable
  long pages0 = stub_pages_live;

  zinit(&z, "test", sizeof(struct item));
  REQUIRE_EQ(zreserve(&z, 50), 0);
  CHECK_EQ(z.nreserved, 50);
  CHECK(z.nfree >= 50);
  // Unreserved allocation never eats into the reservation.
  void *a[100];
  for (int i = 0; i < 100; i++)
    a[i] = zalloc(&z);
  CHECK(z.nfree >= z.nreserved);
  void *r[50];
  for (int i = 0; i < 50; i++)
    r[i] = zalloc_reserved(&z);
  CHECK_EQ(z.nreserved, 0);
  for (int i = 0; i < 50; i++)
    for (int j = 0; j < 100; j++)
      if (r[i] == a[j])
        CHECK(!"a reserved item handed out twice");
  for (int i = 0; i < 25; i++)
    zfree_reserved(&z, r[i]);
  CHECK_EQ(z.nreserved, 25);
  zunreserve(&z, 25);
  for (int i = 25; i < 50; i++)
    zfree(&z, r[i]);
  for (int i = 0; i < 100; i++)
    zfree(&z, a[i]);
  CHECK_EQ(z.nreserved, 0);
  CHECK(z.npages <= 1);
  CHECK_EQ(stub_pages_live - pages0, z.npages);
}

// Random mix of the four kinds of calls, with the books checked as we go.
static void
zone_random(void)
{
  static struct vm_zone z;   // static: the zone's spare page stays reachable
  enum { N = 3000 };
  static void *live[N];
  static char reserved_item[N];
  int nlive = 0, reserved = 0;
  struct rng rg;
  long pages0 = stub_pages_live;

  rng_seed(&rg, 42);
  zinit(&z, "test", 48);
  for (int op = 0; op < 100000 && !t_failed(); op++) {
    switch (rng_below(&rg, 5)) {
    case 0:
      if (reserved < 200) {
        int n = 1 + rng_below(&rg, 8);
        REQUIRE_EQ(zreserve(&z, n), 0);
        reserved += n;
      }
      break;
    case 1:
      if (reserved > 0 && nlive < N) {
        live[nlive] = zalloc_reserved(&z);
        reserved_item[nlive++] = 1;
        reserved--;
      }
      break;
    case 2:
      if (nlive < N) {
        live[nlive] = zalloc(&z);
        REQUIRE(live[nlive] != 0);
        reserved_item[nlive++] = 0;
      }
      break;
    case 3:
      if (nlive > 0) {
        int i = rng_below(&rg, nlive);
        if (reserved_item[i] && rng_below(&rg, 2)) {
          zfree_reserved(&z, live[i]);
          reserved++;
        } else {
          zfree(&z, live[i]);
        }
        live[i] = live[--nlive];
        reserved_item[i] = reserved_item[nlive];
      }
      break;
    case 4:
      if (reserved > 0) {
        int n = 1 + rng_below(&rg, reserved);
        zunreserve(&z, n);
        reserved -= n;
      }
      break;
    }
    CHECK_EQ(z.nreserved, reserved);
    CHECK(z.nfree >= z.nreserved);
    CHECK_EQ(z.nfree + nlive, z.npages * z.per_page);
    CHECK_EQ(stub_pages_live - pages0, z.npages);
  }
  while (nlive > 0)
    zfree(&z, live[--nlive]);
  zunreserve(&z, reserved);
  CHECK_EQ(z.nreserved, 0);
  CHECK_EQ(z.nfree, z.npages * z.per_page);
  CHECK_EQ(stub_pages_live - pages0, z.npages);
  if (z.npages > 1)
    t_note("all items free and nothing reserved, yet the zone keeps %lu pages", z.npages);
}

// A freed item is poison, every word of it, and each names the zone, even a field's
// offset beyond it; its next allocation is zeroed again.
static void
zone_poison(void)
{
  static struct vm_zone z;   // static: the zone's spare page stays reachable
  enum { W = 8 };

  zinit(&z, "poison_test", W * sizeof(uint64_t));
  uint64_t *a = zalloc(&z), *b = zalloc(&z);   // b keeps the page allocated
  REQUIRE(a != 0 && b != 0);
  for (int i = 0; i < W; i++)
    a[i] = b[i] = 0x1234;
  zfree(&z, a);
  for (int i = 0; i < W; i++) {
    const char *name = zone_poison_name(a[i]);
    if (name == 0 || strcmp(name, "poison_test") != 0)
      t_fail(__FILE__, __LINE__, "word %d of a freed item is %#lx, not poison of the zone", i,
             (unsigned long)a[i]);
    name = zone_poison_name(a[i] + offsetof(struct vm_map_entry, wired_count));
    if (name == 0 || strcmp(name, "poison_test") != 0)
      t_fail(__FILE__, __LINE__, "%#lx plus a field's offset does not name the zone",
             (unsigned long)a[i]);
  }
  CHECK(zone_poison_name(0) == 0);
  CHECK(zone_poison_name((uintptr_t)b) == 0);
  CHECK(zone_poison_name(b[0]) == 0);
  CHECK(zone_poison_name(a[1] & 0xffffffff00000000UL) != 0);
  CHECK(zone_poison_name(a[1] | 0xfff00000UL) == 0);   // a zone number never given
  // What a kernel fault's panic says (the traps of both ports).
  CHECK(strcmp(zone_fault_note(a[2] + 8), " (poisoned memory of zone poison_test: use after "
                                          "free?)") == 0);
  CHECK(strcmp(zone_fault_note((uintptr_t)b), "") == 0);
  uint64_t *c = zalloc(&z);
  CHECK(c == a);
  for (int i = 0; i < W; i++)
    CHECK_EQ(c[i], 0);
  zfree(&z, b);
  zfree(&z, c);
}

// Run fn in a child, its output (stdout and stderr) caught in out. Returns the
// child's wait status.
static int
run_caught(void (*fn)(void), char *out, size_t n)
{
  int fds[2], status;
  size_t got = 0;
  char scratch[512];
  ssize_t r;

  fflush(stdout);
  fflush(stderr);
  if (pipe(fds) < 0)
    abort();
  pid_t pid = fork();
  if (pid < 0)
    abort();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    fn();
    fflush(stdout);
    _exit(0);
  }
  close(fds[1]);
  // Read to the end, keeping what fits: the child must not block on a full pipe.
  while ((r = read(fds[0], got < n - 1 ? out + got : scratch,
                   got < n - 1 ? n - 1 - got : sizeof(scratch))) > 0)
    if (got < n - 1)
      got += r;
  out[got] = 0;
  close(fds[0]);
  if (waitpid(pid, &status, 0) < 0)
    abort();
  return status;
}

static struct tmap T;
static vm_map_entry_t freed;

// A map of two entries, the first of which is freed (the second keeps the zone's
// page allocated: the dangling pointer points into live memory, as in the kernel).
static void
free_an_entry(void)
{
  tmap_init(&T, P(0), P(1000));
  if (tm_insert(&T.map, 0, 0, P(100), P(110), RW, RWX, 0) != KERN_SUCCESS ||
      tm_insert(&T.map, 0, 0, P(200), P(210), RO, RWX, 0) != KERN_SUCCESS)
    abort();
  freed = tm_entry(&T.map, 0);
  if (tm_delete(&T.map, P(100), P(110)) != KERN_SUCCESS || tm_entry(&T.map, 0) == freed)
    abort();
}

static void
read_after_free(void)
{
  volatile vm_offset_t x = freed->next->start;   // freed->next is poison
  printf("read %#lx through a freed entry without a fault\n", (unsigned long)x);
}

static void
write_after_free(void)
{
  freed->end = P(5);   // nothing faults yet; the next allocation finds it
  tm_insert(&T.map, 0, 0, P(300), P(310), RW, RWX, 0);
  printf("an allocation after a write to a freed entry did not panic\n");
}

// Run fn in a child: it must not end well, and must say want.
static void
expect_caught(void (*fn)(void), const char *what, const char *want)
{
  static char out[16384];
  int status = run_caught(fn, out, sizeof(out));

  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    t_fail(__FILE__, __LINE__, "%s: went unnoticed", what);
  else if (strstr(out, want) == 0)
    t_fail(__FILE__, __LINE__, "%s: no \"%s\" in its report", what, want);
  else
    return;
  t_note("its output:\n%s", out);
}

// A pointer read out of a freed map entry faults when followed, and the report
// names the zone (fault.c, from the fault's registers).
static void
zone_use_after_free(void)
{
  free_an_entry();
  expect_caught(read_after_free, "following a freed entry's next",
                "poisoned memory of zone vm_map_entry: use after free?");
  CHECK(tmap_destroy(&T));
}

// A write to a freed map entry is caught when the entry is next allocated: the
// panic names the zone, the item and the offset written.
static void
zone_write_after_free(void)
{
  char want[200];

  free_an_entry();
  snprintf(want, sizeof(want), "zone vm_map_entry: free item %p was written at offset %zu",
           (void *)freed, offsetof(struct vm_map_entry, end));
  expect_caught(write_after_free, "a write to a freed entry", want);
  CHECK(tmap_destroy(&T));
}

const struct test zone_tests[] = {
  { "zone_alloc_free", zone_alloc_free, "entries" },
  { "zone_reservations", zone_reservations, "entries" },
  { "zone_random", zone_random, "entries" },
  { "zone_poison", zone_poison, "entries" },
  { "zone_use_after_free", zone_use_after_free, "entries" },
  { "zone_write_after_free", zone_write_after_free, "entries" },
  { 0, 0, 0 },
};

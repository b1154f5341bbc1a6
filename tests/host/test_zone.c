// The zone allocator (kernel/vm/vm_zone.c): reservations are honoured, items are
// distinct and zeroed, and empty pages go back to kalloc.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vm/vm_zone.h"
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

const struct test zone_tests[] = {
  { "zone_alloc_free", zone_alloc_free, "entries" },
  { "zone_reservations", zone_reservations, "entries" },
  { "zone_random", zone_random, "entries" },
  { 0, 0, 0 },
};

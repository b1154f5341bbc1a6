// The runner: every test of every suite (or those whose names contain one of the
// arguments), each followed by checks that it left no lock held and no object
// behind. The last line is "N passed, N failed"; the exit status is 1 on failure.
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "test.h"
#include "stubs.h"
#include "vm/vm_map.h"

static const struct test *const suites[] = {
  rbtree_tests, zone_tests, vm_map_tests, model_tests,
};

static const char *current;
static int nfail_current;

int
t_fail(const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  if (++nfail_current > 20)
    return 0;   // enough said
  fprintf(stdout, "  %s:%d: %s: ", file, line, current);
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
  return 0;
}

int
t_check_eq(const char *file, int line, const char *a, const char *b, long long va, long long vb)
{
  if (va == vb)
    return 1;
  return t_fail(file, line, "%s == %s: %lld (%#llx) != %lld (%#llx)", a, b, va, va, vb, vb);
}

int
t_failed(void)
{
  return nfail_current > 0;
}

void
t_note(const char *fmt, ...)
{
  va_list ap;
  fprintf(stdout, "  %s: ", current);
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

static double
now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
selected(const char *name, int argc, char **argv)
{
  if (argc <= 1)
    return 1;
  for (int i = 1; i < argc; i++)
    if (strstr(name, argv[i]))
      return 1;
  return 0;
}

int
main(int argc, char **argv)
{
  int passed = 0, failed = 0;
  double t0 = now();

  setvbuf(stdout, 0, _IOLBF, 0);
  vm_map_startup();
  for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
    for (const struct test *t = suites[s]; t->name; t++) {
      if (!selected(t->name, argc, argv))
        continue;
      current = t->name;
      nfail_current = 0;
      long objects = stub_objects_live;
      double t1 = now();
      t->fn();
      // What every test must leave as it found it.
      if (stub_spin_held != 0)
        t_fail(__FILE__, __LINE__, "left %d spinlock(s) held", stub_spin_held);
      if (stub_noff != 0)
        t_fail(__FILE__, __LINE__, "left push_off depth %d", stub_noff);
      if (stub_objects_live != objects)
        t_fail(__FILE__, __LINE__, "leaked %ld vm_object(s)", stub_objects_live - objects);
      stub_quiet = 0;
      if (nfail_current) {
        failed++;
        fprintf(stdout, "FAIL %s (%d check(s) failed)\n", t->name, nfail_current);
      } else {
        passed++;
        fprintf(stdout, "ok   %s (%.2fs)\n", t->name, now() - t1);
      }
    }
  }
  fprintf(stdout, "total %.2fs\n", now() - t0);
  fprintf(stdout, "%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

// The runner: every test of every suite (or those whose names contain one of the
// arguments), each in a child process of its own (except under a debugger), so
// that a crash (a sanitizer's report, a signal, a panic) fails that test alone.
// After a test, the child checks that it left no lock held and no object behind.
//
// A test needs the code of a lab (struct test's lab); in a student tree of an
// earlier lab it is skipped. The tree's lab comes from the makefile (treelab.h).
//
//   build/host/vmtest [NAME...]   run; one line a test, then "N passed, N failed, N skipped"
//   build/host/vmtest --list      print "NAME LAB TASK" for every test (task 0: none)
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test.h"
#include "stubs.h"
#include "treelab.h"   // TREE_LAB, LAB_NAMES
#include "vm/vm_map.h"

// Longer than any test takes on a loaded machine; a student's endless loop ends here.
#define TEST_TIMEOUT 600

static const struct test *const suites[] = {
  rbtree_tests, zone_tests, vm_map_tests, model_tests,
};
static const char *const lab_names[] = { LAB_NAMES };

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

// The number of the lab a test needs (labs/labs.toml's order), or 0 if unknown.
static int
lab_number(const char *name)
{
  for (size_t i = 0; i < sizeof(lab_names) / sizeof(lab_names[0]); i++)
    if (strcmp(lab_names[i], name) == 0)
      return i + 1;
  return 0;
}

// Run t and check what every test must leave as it found it. Returns the number
// of failed checks.
static int
run_here(const struct test *t)
{
  long objects = stub_objects_live;

  current = t->name;
  nfail_current = 0;
  t->fn();
  if (stub_noff() != 0)
    t_fail(__FILE__, __LINE__, "left push_off depth %d (a spinlock held?)", stub_noff());
  if (stub_objects_live != objects)
    t_fail(__FILE__, __LINE__, "leaked %ld vm_object(s)", stub_objects_live - objects);
  stub_quiet = 0;
  return nfail_current;
}

// In the child: run t and send the number of failed checks down fd.
static void __attribute__((noreturn))
child(const struct test *t, int fd)
{
  fault_note_install();
  alarm(TEST_TIMEOUT);
  int nfail = run_here(t);
  if (write(fd, &nfail, sizeof(nfail)) != sizeof(nfail))
    abort();
  fflush(stdout);
  exit(0);   // not _exit: LeakSanitizer checks at exit
}

// Run t in a child. Returns its number of failed checks, or -1 (and prints why)
// if it did not end well.
static int
run_child(const struct test *t)
{
  int fds[2], nfail = -1, status;

  fflush(stdout);
  if (pipe(fds) < 0) {
    perror("vmtest: pipe");
    exit(2);
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("vmtest: fork");
    exit(2);
  }
  if (pid == 0) {
    close(fds[0]);
    child(t, fds[1]);
  }
  close(fds[1]);
  if (read(fds[0], &nfail, sizeof(nfail)) != sizeof(nfail))
    nfail = -1;   // it died before its verdict
  close(fds[0]);
  if (waitpid(pid, &status, 0) < 0) {
    perror("vmtest: waitpid");
    exit(2);
  }
  // Failed checks are the verdict, even if LeakSanitizer then adds a report.
  if (nfail > 0 || (nfail == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0))
    return nfail;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    fprintf(stdout, "FAIL %s (crashed: timed out after %ds)\n", t->name, TEST_TIMEOUT);
  else if (WIFSIGNALED(status))
    fprintf(stdout, "FAIL %s (crashed: signal %d, %s)\n", t->name, WTERMSIG(status),
            strsignal(WTERMSIG(status)));
  else if (nfail < 0)
    fprintf(stdout, "FAIL %s (crashed: exit status %d, see the report above)\n", t->name,
            WEXITSTATUS(status));
  else
    fprintf(stdout, "FAIL %s (exit status %d after its checks passed: see the report above)\n",
            t->name, WEXITSTATUS(status));
  return -1;
}

// Under a debugger, run the tests in this process: a debugger follows the parent
// of a fork, so a breakpoint in a child would never stop.
static int
debugged(void)
{
  char line[256];
  int pid = 0;
  FILE *f = fopen("/proc/self/status", "r");

  if (f == 0)
    return 0;
  while (fgets(line, sizeof(line), f))
    if (sscanf(line, "TracerPid: %d", &pid) == 1)
      break;
  fclose(f);
  return pid != 0;
}

// Run t, in a child unless debugged. Returns 1 if it passed; prints its verdict.
static int
run(const struct test *t, int here)
{
  double t1 = now();
  int nfail = here ? run_here(t) : run_child(t);

  if (nfail == 0)
    fprintf(stdout, "ok   %s (%.2fs)\n", t->name, now() - t1);
  else if (nfail > 0)
    fprintf(stdout, "FAIL %s (%d check(s) failed)\n", t->name, nfail);
  // Which part of the handout it checks: a test of a task not done yet fails.
  if (nfail != 0 && t->task)
    fprintf(stdout, "     %s checks task %d of lab %d (%s)\n", t->name, t->task,
            lab_number(t->lab), t->lab);
  return nfail == 0;
}

int
main(int argc, char **argv)
{
  int passed = 0, failed = 0, skipped = 0;
  int list = argc > 1 && strcmp(argv[1], "--list") == 0, here = debugged();
  double t0 = now();

  setvbuf(stdout, 0, _IOLBF, 0);
  vm_map_startup();
  for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
    for (const struct test *t = suites[s]; t->name; t++) {
      int lab = lab_number(t->lab);
      if (list) {
        fprintf(stdout, "%s %s %d\n", t->name, t->lab, t->task);
      } else if (!selected(t->name, argc, argv)) {
        continue;
      } else if (lab == 0) {
        failed++;
        fprintf(stdout, "FAIL %s (needs lab \"%s\", which labs/labs.toml lacks)\n", t->name,
                t->lab);
      } else if (lab > TREE_LAB) {
        skipped++;
        fprintf(stdout, "skip: %s (needs lab %d, %s)\n", t->name, lab, t->lab);
      } else if (run(t, here)) {
        passed++;
      } else {
        failed++;
      }
    }
  }
  if (list)
    return 0;
  fprintf(stdout, "total %.2fs\n", now() - t0);
  fprintf(stdout, "%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}

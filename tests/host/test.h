// A tiny test framework: each suite is a table of named test functions; a failed
// check prints file:line and the test goes on (CHECK) or returns (REQUIRE).
#ifndef _TESTS_HOST_TEST_H_
#define _TESTS_HOST_TEST_H_

struct test {
  const char *name;
  void (*fn)(void);
  const char *lab;   // the lab whose code it needs (a name in labs/labs.toml)
  int task;          // the task of that lab's handout that makes it pass (0: none)
};

// The suites (each ends with a {0, 0, 0} entry).
extern const struct test rbtree_tests[];
extern const struct test zone_tests[];
extern const struct test vm_map_tests[];
extern const struct test model_tests[];

// Record a failure of the running test. Returns 0, so that checks are expressions.
int t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int t_check_eq(const char *file, int line, const char *a, const char *b, long long va,
               long long vb);
// Nonzero once the running test has failed.
int t_failed(void);
// On a SIGSEGV, say on stderr which zone's poison (vm_zone.c) the fault touched,
// then let the fault take its course (the sanitizer's report). fault.c
void fault_note_install(void);
// Print a note under the running test's name (shown in the output either way).
void t_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(c) ((c) ? 1 : t_fail(__FILE__, __LINE__, "%s", #c))
#define CHECK_EQ(a, b) t_check_eq(__FILE__, __LINE__, #a, #b, (long long)(a), (long long)(b))
#define REQUIRE(c) do { if (!CHECK(c)) return; } while (0)
#define REQUIRE_EQ(a, b) do { if (!CHECK_EQ(a, b)) return; } while (0)

#endif

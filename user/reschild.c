// reschild: the program restest makes resident (lab 7). Each command says by its
// exit status what it saw:
//
//   reschild register        set up (a counter at 1000, a 1 MiB table), then
//                            exec_sys_register: 0, 17 for EEXIST, 1 otherwise;
//                            after it, the counter goes to 999 (not in the snapshot)
//   reschild run N ARGS...   0 if it runs from the snapshot with the set-up intact
//                            (no other run's writes in it) and N ARGS, "arg0" ...;
//                            then it spoils counter and table. 2 if it started fresh
//                            (not resident), 3 for a wrong set-up, 4 for wrong args
//   reschild unregister      exec_sys_unregister(-1): 0 if that dropped one
//   reschild forkexec        from the snapshot, fork; the child execs echo: 0 if it
//                            exited 0, 2 if this run started fresh
#include "user/user.h"

#define TABLE (1 << 20)

static int counter;
static char table[TABLE];
static int from_snapshot;

static int
run(int argc, char **argv)
{
  if (!from_snapshot)
    return 2;
  for (int i = 0; i < TABLE; i += 4096)
    if (table[i] != (char)(i >> 12))
      return 3;
  if (counter != 1000)
    return 3;
  int n = argc > 2 ? atoi(argv[2]) : -1;
  if (argc != n + 3)
    return 4;
  for (int i = 0; i < n; i++) {
    char *a = argv[3 + i];
    if (a[0] != 'a' || a[1] != 'r' || a[2] != 'g' || a[3] != '0' + i % 10)
      return 4;
  }
  counter = 0;
  memset(table, 0xee, TABLE);
  return 0;
}

static int
forkexec(void)
{
  int pid, st = -1;
  char *argv[] = { "echo", "reschild: the child's exec", 0 };

  if (!from_snapshot)
    return 2;
  if ((pid = fork()) < 0)
    return 1;
  if (pid == 0) {
    exec("echo", argv);
    exit(9);
  }
  wait(&st);
  return st == 0 ? 0 : 1;
}

static void resident_entry(int argc, char **argv);

static int
command(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "register") == 0) {
    counter = 1000;
    for (int i = 0; i < TABLE; i += 4096)
      table[i] = i >> 12;
    if (exec_sys_register(resident_entry) < 0)
      return errno == EEXIST ? 17 : 1;
    counter = 999;    // after the snapshot: no run may see it
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "run") == 0)
    return run(argc, argv);
  if (argc > 1 && strcmp(argv[1], "unregister") == 0)
    return exec_sys_unregister(-1) == 1 ? 0 : 1;
  if (argc > 1 && strcmp(argv[1], "forkexec") == 0)
    return forkexec();
  printf("usage: reschild register | run N ARGS... | unregister | forkexec\n");
  return 1;
}

// Where an exec of a resident reschild starts.
static void
resident_entry(int argc, char **argv)
{
  from_snapshot = 1;
  exit(command(argc, argv));
}

int
main(int argc, char *argv[])
{
  exit(command(argc, argv));
}

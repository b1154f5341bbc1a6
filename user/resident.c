// resident: the resident executables (lab 7).
//
//   resident PROG     make the program PROG resident, as loaded, before its main
//   resident -l       list them: id, path, size of the snapshot (KiB), execs from it
//   resident -x ID    drop registration ID
//   resident -R       drop them all
//
// A program can also make itself resident, after a start-up of its own, with
// exec_sys_register (see primes.c).
#include "user/user.h"

#define NMAX RESIDENT_LIST_MAX

static int
list(void)
{
  static struct kinfo_resident kr[NMAX];
  int n = resident_list(kr, NMAX);

  if (n < 0) {
    printf("resident: resident_list failed (errno %d)\n", errno);
    return 1;
  }
  printf("ID PATH SIZE EXECS\n");
  for (int i = 0; i < n && i < NMAX; i++)
    printf("%d %s %ldK %ld\n", kr[i].kr_id, kr[i].kr_path, (long)(kr[i].kr_size / 1024),
           kr[i].kr_execs);
  if (n > NMAX)
    printf("(and %d more)\n", n - NMAX);
  return 0;
}

static int
drop(int id)
{
  int n = exec_sys_unregister(id);

  if (n < 0) {
    printf("resident: %s: %s\n", id == -2 ? "-R" : "-x",
           errno == ENOENT ? "no such registration" : "failed");
    return 1;
  }
  printf("resident: %d dropped\n", n);
  return 0;
}

// Run prog as RESIDENT_REGISTER: its _start registers it (ulib.c).
static int
add(char *prog)
{
  static struct kinfo_resident kr[NMAX];
  char *argv[] = { RESIDENT_REGISTER, 0 };
  int pid = fork(), st = -1, id = 0;

  if (pid == 0) {
    exec(prog, argv);
    exit(255);
  }
  if (pid < 0 || wait(&st) != pid || st == 255) {
    printf("resident: %s: cannot run it\n", prog);
    return 1;
  }
  if (st != 0) {
    printf("resident: %s: %s\n", prog, st == EEXIST ? "resident already" : "failed");
    return 1;
  }
  int n = resident_list(kr, NMAX);
  for (int i = 0; i < n && i < NMAX; i++)
    if (strcmp(kr[i].kr_path, prog) == 0)
      id = kr[i].kr_id;
  printf("resident: %s: id %d\n", prog, id);
  return 0;
}

int
main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], "-l") == 0)
    exit(list());
  if (argc == 2 && strcmp(argv[1], "-R") == 0)
    exit(drop(-2));
  if (argc == 3 && strcmp(argv[1], "-x") == 0 && argv[2][0] >= '0' && argv[2][0] <= '9')
    exit(drop(atoi(argv[2])));
  if (argc == 2 && argv[1][0] != '-')
    exit(add(argv[1]));
  printf("usage: resident PROG | -l | -x ID | -R\n");
  exit(1);
}

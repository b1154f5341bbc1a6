// resident: the resident executables (lab 7).
//
//   resident -l       list them: id, path, size of the snapshot (KiB), execs from it
//   resident -x ID    drop registration ID
//   resident -R       drop them all
//
// A program makes itself resident with exec_sys_register (see primes.c).
#include "user/user.h"

#define NMAX 32

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

int
main(int argc, char *argv[])
{
  if (argc == 2 && strcmp(argv[1], "-l") == 0)
    exit(list());
  if (argc == 2 && strcmp(argv[1], "-R") == 0)
    exit(drop(-2));
  if (argc == 3 && strcmp(argv[1], "-x") == 0 && argv[2][0] >= '0' && argv[2][0] <= '9')
    exit(drop(atoi(argv[2])));
  printf("usage: resident -l | -x ID | -R\n");
  exit(1);
}

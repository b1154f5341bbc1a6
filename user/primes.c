// primes: a program whose start is expensive, made cheap by becoming resident
// (lab 7). It sieves every number below LIMIT into a 4 MiB table, then answers
// the queries on its command line from it.
//
//   primes [-r] N...    for each N: "N: prime", or "N: not prime, next prime M"
//
// -r: once the table is built, register this program as resident
// (exec_sys_register): every later `primes` starts from a copy of this moment,
// table built, at serve_resident(), and says so on its first line.
#include "user/user.h"

#define LIMIT (4 << 20)

static char composite[LIMIT];   // composite[n]: n is not prime (n >= 2)

static void
sieve(void)
{
  for (long i = 2; i * i < LIMIT; i++)
    if (!composite[i])
      for (long j = i * i; j < LIMIT; j += i)
        composite[j] = 1;
}

// Answer the queries in argv[first..]: 0, or 1 for a bad one.
static int
serve(int argc, char **argv, int first)
{
  int bad = 0;

  for (int i = first; i < argc; i++) {
    long n = atoi(argv[i]);
    if (n < 2 || n >= LIMIT - 1000) {
      printf("primes: %s: not a number from 2 to %d\n", argv[i], LIMIT - 1000);
      bad = 1;
      continue;
    }
    long m = n + 1;
    while (composite[m])
      m++;
    if (!composite[n])
      printf("%ld: prime\n", n);
    else
      printf("%ld: not prime, next prime %ld\n", n, m);
  }
  return bad;
}

// Where every exec of a resident primes starts: the table is built already.
static void
serve_resident(int argc, char **argv)
{
  int first = argc > 1 && strcmp(argv[1], "-r") == 0 ? 2 : 1;

  printf("primes: the table from the resident snapshot\n");
  if (first == 2 && exec_sys_register(serve_resident) < 0)
    printf("primes: -r: %s\n", errno == EEXIST ? "resident already" : "failed");
  exit(serve(argc, argv, first));
}

int
main(int argc, char *argv[])
{
  int first = argc > 1 && strcmp(argv[1], "-r") == 0 ? 2 : 1;
  int t0 = uptime();

  sieve();
  printf("primes: built the table of %d numbers in %d ticks\n", LIMIT, uptime() - t0);
  if (first == 2) {
    if (exec_sys_register(serve_resident) < 0)
      printf("primes: -r: exec_sys_register failed (errno %d)\n", errno);
    else
      printf("primes: resident from now on\n");
  }
  exit(serve(argc, argv, first));
}

// bench [NAME]: in-guest microbenchmarks.  Each runs its operation for at least
// one second of clock ticks and prints one line, "bench NAME VALUE UNIT";
// "bench done" ends the output.

#include <machine/vmparam.h>
#include "user/user.h"

#define MINTICKS HZ   // measure for at least this long

static void
op_getpid(void)
{
  getpid();
}

static void
op_fork(void)
{
  int pid = fork();

  if(pid < 0){
    fprintf(2, "bench: fork failed\n");
    exit(1);
  }
  if(pid == 0)
    exit(0);
  wait(0);
}

// Run op in batches of batch until MINTICKS have passed; operations per second.
// uptime() is read only between batches, so a cheap op is not measured
// together with a system call of its own.
static long
measure(void (*op)(void), int batch)
{
  long n = 0;
  int i, t0, t;

  // Start on a tick boundary, so that the first tick counts in full.
  t0 = uptime();
  while((t = uptime()) == t0)
    ;
  t0 = t;
  do {
    for(i = 0; i < batch; i++)
      op();
    n += batch;
    t = uptime();
  } while(t - t0 < MINTICKS);
  return n * HZ / (t - t0);
}

static void
bench_getpid(void)
{
  printf("bench getpid %ld calls/s\n", measure(op_getpid, 1000));
}

static void
bench_fork(void)
{
  printf("bench fork %ld forks/s\n", measure(op_fork, 1));
}

// The same with 1 MiB of heap that the parent has written, so fork has real
// memory to share or copy.
static void
bench_fork_1mb(void)
{
  int i, n = 1024*1024;
  char *p = sbrk(n);

  if(p == (char*)-1){
    fprintf(2, "bench: sbrk failed\n");
    exit(1);
  }
  for(i = 0; i < n; i += PAGE_SIZE)
    p[i] = 1;
  printf("bench fork_1mb %ld forks/s\n", measure(op_fork, 1));
  sbrk(-n);
}

struct bench {
  char *name;
  void (*fn)(void);
} benches[] = {
  { "getpid", bench_getpid },
  { "fork", bench_fork },
  { "fork_1mb", bench_fork_1mb },
};

int
main(int argc, char *argv[])
{
  int i, ran = 0;

  for(i = 0; i < sizeof(benches)/sizeof(benches[0]); i++){
    if(argc > 1 && strcmp(argv[1], benches[i].name) != 0)
      continue;
    benches[i].fn();
    ran = 1;
  }
  if(!ran){
    fprintf(2, "usage: bench [getpid | fork | fork_1mb]\n");
    exit(1);
  }
  printf("bench done\n");
  exit(0);
}

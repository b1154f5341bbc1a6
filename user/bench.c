// bench [NAME]: in-guest microbenchmarks.  Each runs its operation for at least
// one second of clock ticks (the fault rows: the median of several passes) and
// prints one line, "bench NAME VALUE UNIT";
// "bench done" ends the output.  `bench swap` runs only when named: it wants a
// machine with little memory and a swap disk (make bench boots one).

#include <sys/fcntl.h>
#include <machine/vmparam.h>
#include "user/user.h"
#include "kernel/fs.h"
#include "user/uthread.h"
#include "user/upcall.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

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

// len bytes of fresh anonymous memory, read-write; a failure ends the benchmark.
static char *
anon(long len)
{
  char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);

  if(p == MAP_FAILED){
    fprintf(2, "bench: mmap of %ld bytes failed\n", len);
    exit(1);
  }
  return p;
}

// The machine's clock, in nanoseconds (one clock for every CPU).
static long
now(void)
{
  return vmbench(VMBENCH_CLOCK, 0);
}

// Run op in batches of batch until MINTICKS have passed; nanoseconds an operation,
// by the nanosecond clock (ticks only bound the run: a rate counted in ticks made
// an exec of 1/14.5 s read as 1/14 s). The clocks are read only between batches,
// so a cheap op is not measured together with a system call of its own.
static long
measure(void (*op)(void), int batch)
{
  long n = 0, ns0;
  int t0 = uptime();

  ns0 = now();
  do {
    for(int i = 0; i < batch; i++)
      op();
    n += batch;
  } while(uptime() - t0 < MINTICKS);
  return (now() - ns0) / n;
}

static void
bench_getpid(void)
{
  printf("bench getpid %ld calls/s\n", 1000000000L / measure(op_getpid, 1000));
}

static void
bench_fork(void)
{
  printf("bench fork %ld forks/s\n", 1000000000L / measure(op_fork, 1));
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
  printf("bench fork_1mb %ld forks/s\n", 1000000000L / measure(op_fork, 1));
  sbrk(-n);
}

// ---------------------------------------------------------------- the VM


// Lookup time against the number of entries: n one-page mappings side by side,
// alternately read-only and read-write so that none merge, then lookups of random
// addresses timed in the kernel (vmbench), the hint defeated.  The largest n is as
// many as VM_MAP_ENTRY_MAX leaves room for beside the program's own entries.
static void
bench_lookup(void)
{
  static const int sizes[] = { 16, 256, 4096, 16000 };
  char *base = (char*)0x100000000UL;   // 4 GiB: clear of everything else
  int i, k, lookups = 20000;

  for(k = 0; k < NELEM(sizes); k++){
    int n = sizes[k];
    for(i = 0; i < n; i++){
      int prot = (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ;
      if(mmap(base + (long)i * PAGE_SIZE, PAGE_SIZE, prot, MAP_ANON | MAP_PRIVATE | MAP_FIXED,
              -1, 0) == MAP_FAILED){
        fprintf(2, "bench: mmap failed at entry %d\n", i);
        exit(1);
      }
    }
    long ns = vmbench(VMBENCH_LOOKUP, lookups);
    printf("bench lookup_%d %ld ns/lookup\n", n, ns / lookups);
    munmap(base, (long)n * PAGE_SIZE);
  }
}

// The time of one fork() as the parent sees it, with mb MiB of written memory: the
// median of five.
static long
fork_time(int mb)
{
  long t[5], len = (long)mb << 20;
  int i, j;
  char *p = anon(len);
  for(i = 0; i < 5; i++){
    for(j = 0; j < len; j += PAGE_SIZE)
      p[j] = i;
    long t0 = now();
    int pid = fork();
    if(pid == 0)
      exit(0);
    t[i] = now() - t0;
    wait(0);
  }
  munmap(p, len);
  for(i = 0; i < 5; i++)       // sort, to take the median
    for(j = i + 1; j < 5; j++)
      if(t[j] < t[i]){ long x = t[i]; t[i] = t[j]; t[j] = x; }
  return t[2];
}

static void
bench_forksize(void)
{
  static const int sizes[] = { 1, 4, 16, 64 };
  int k;

  for(k = 0; k < NELEM(sizes); k++)
    printf("bench forktime_%dmb %ld us/fork\n", sizes[k], fork_time(sizes[k]) / 1000);
}

// The fault rows' passes: a pass is 2048 faults, about 20 ms, and a host that
// stops the machine for a moment spoils one pass, not the median of several.
#define FAULT_PASSES 7

// The median of n values (sorts v).
static long
median(long *v, int n)
{
  for(int i = 1; i < n; i++)
    for(int j = i; j > 0 && v[j-1] > v[j]; j--){
      long t = v[j]; v[j] = v[j-1]; v[j-1] = t;
    }
  return v[n / 2];
}

// Zero-fill faults: first writes to fresh anonymous memory; ns per fault in one pass.
static long
fault_zero_pass(void)
{
  long len = 8L << 20, t0, t1, i;
  char *p = anon(len);
  t0 = now();
  for(i = 0; i < len; i += PAGE_SIZE)
    p[i] = 1;
  t1 = now();
  munmap(p, len);
  return (t1 - t0) / (len / PAGE_SIZE);
}

// The row name: the median of FAULT_PASSES passes of pass (ns per fault).
static void
fault_row(char *name, long (*pass)(void))
{
  long ns[FAULT_PASSES];

  for(int i = 0; i < FAULT_PASSES; i++)
    ns[i] = pass();
  printf("bench %s %ld ns/fault\n", name, median(ns, FAULT_PASSES));
}

static void
bench_fault_zero(void)
{
  fault_row("fault_zero", fault_zero_pass);
}

// mlock of 16 MiB of fresh anonymous memory (every page faulted in and wired),
// then munlock: microseconds for each.
static void
bench_mlock(void)
{
  long len = 16L << 20, t0, t1, t2;
  char *p = anon(len);
  t0 = now();
  if(mlock(p, len) < 0){
    fprintf(2, "bench: mlock failed\n");
    exit(1);
  }
  t1 = now();
  munlock(p, len);
  t2 = now();
  munmap(p, len);
  printf("bench mlock_16mb %ld us\n", (t1 - t0) / 1000);
  printf("bench munlock_16mb %ld us\n", (t2 - t1) / 1000);
}

// mprotect of one page to read-only and back, nanoseconds per pair: alone, then
// with a thread (rfork RFMEM) spinning on another CPU, which each loss of a right
// must shoot down (kern/smp.c). The difference is about one shootdown's round trip.
static volatile int spinning, stop_spinning;

static int
spinner(void *arg)
{
  spinning = 1;
  while(!stop_spinning)
    ;
  return 0;
}

static long
mprotect_pairs(char *p)
{
  long n = 2000, t0 = now();

  for(long i = 0; i < n; i++){
    mprotect(p, PAGE_SIZE, PROT_READ);
    mprotect(p, PAGE_SIZE, PROT_READ | PROT_WRITE);
  }
  return (now() - t0) / n;
}

static void
bench_shootdown(void)
{
  struct uthread t;
  char *p = anon(PAGE_SIZE);
  p[0] = 1;
  long alone = mprotect_pairs(p);
  spinning = stop_spinning = 0;
  if(uthread_create(&t, spinner, 0) < 0){
    fprintf(2, "bench: uthread_create failed\n");
    exit(1);
  }
  while(!spinning)
    ;
  long shared = mprotect_pairs(p);
  stop_spinning = 1;
  uthread_join(&t);
  munmap(p, PAGE_SIZE);
  printf("bench mprotect_alone %ld ns/pair\n", alone);
  printf("bench mprotect_threaded %ld ns/pair\n", shared);
}

// Upcalls (lab 6), nanoseconds each: to this process (DISPATCH, delivery on the
// way out, NEXT), and a round trip to a thread that spins on another CPU: it is
// brought into the kernel by an IPI, runs the upcall, and the caller sees it.
static struct upcall bench_upc, thread_upc;
static volatile int upcalls_run, thread_id;

static void
count_upcall(void *arg)
{
  upcalls_run++;
}

static int
upcall_spinner(void *arg)
{
  thread_id = upcall_register(&thread_upc, count_upcall, 0);
  while(!stop_spinning)
    ;
  return 0;
}

static int
xregister(struct upcall *u)
{
  int id = upcall_register(u, count_upcall, 0);

  if(id < 0){
    fprintf(2, "bench: upc_register failed\n");
    exit(1);
  }
  return id;
}

static void
bench_upcall(void)
{
  struct uthread t;
  long n = 2000, t0, self, trip;
  int id = xregister(&bench_upc);

  t0 = now();
  for(long i = 0; i < n; i++)
    upcall_dispatch(id, 1);
  self = (now() - t0) / n;
  stop_spinning = thread_id = upcalls_run = 0;
  if(uthread_create(&t, upcall_spinner, 0) < 0){
    fprintf(2, "bench: uthread_create failed\n");
    exit(1);
  }
  while(thread_id == 0)
    ;
  if(thread_id < 0){
    fprintf(2, "bench: the thread's upc_register failed\n");
    exit(1);
  }
  t0 = now();
  for(long i = 0; i < n; i++){
    upcall_dispatch(thread_id, 1);
    while(upcalls_run == i)
      ;
  }
  trip = (now() - t0) / n;
  stop_spinning = 1;
  uthread_join(&t);
  upc_control(UPC_CONTROL_DELETE, -1, 0);
  printf("bench upcall_self %ld ns/upcall\n", self);
  printf("bench upcall_thread %ld ns/round trip\n", trip);
}

// Copy-on-write faults: the parent writes pages it shares with a child; ns per
// fault in one pass.
static long
fault_cow_pass(void)
{
  long len = 8L << 20, t0, t1, i;
  int fds[2], pid;
  char c;
  char *p = mmap(0, len, PROT_READ | PROT_WRITE, MAP_ANON | MAP_PRIVATE, -1, 0);

  if(p == MAP_FAILED || pipe(fds) < 0){
    fprintf(2, "bench: mmap or pipe failed\n");
    exit(1);
  }
  for(i = 0; i < len; i += PAGE_SIZE)
    p[i] = 1;
  if((pid = fork()) == 0){
    close(fds[1]);
    read(fds[0], &c, 1);   // hold the pages until the parent is done
    exit(0);
  }
  t0 = now();
  for(i = 0; i < len; i += PAGE_SIZE)
    p[i] = 2;
  t1 = now();
  close(fds[1]);
  wait(0);
  close(fds[0]);
  munmap(p, len);
  return (t1 - t0) / (len / PAGE_SIZE);
}

static void
bench_fault_cow(void)
{
  fault_row("fault_cow", fault_cow_pass);
}

// One page-sized frame per call, written at its low end: each call's first touch
// faults in a page of stack, and every SGROWSIZ bytes the stack grows (lab 4).
static long
descend(int n)
{
  volatile char frame[PAGE_SIZE - 64];

  frame[0] = n;
  if(n == 0)
    return frame[0];
  return descend(n - 1) + frame[0];
}

// Stack faults: a recursion 4 MiB deep, in a child (whose stack has not grown yet).
static void
bench_fault_stack(void)
{
  int n = 1024, fds[2];
  long t0, t1;

  if(pipe(fds) < 0){
    fprintf(2, "bench: pipe failed\n");
    exit(1);
  }
  if(fork() == 0){
    t0 = now();
    descend(n);
    t1 = now();
    t1 = (t1 - t0) / n;
    write(fds[1], &t1, sizeof(t1));
    exit(0);
  }
  close(fds[1]);
  if(read(fds[0], &t1, sizeof(t1)) != sizeof(t1)){
    fprintf(2, "bench: the recursion died\n");
    exit(1);
  }
  close(fds[0]);
  wait(0);
  printf("bench fault_stack %ld ns/fault\n", t1);
}

// ---------------------------------------------------------------- swap

// n pages in s nanoseconds, in MiB/s with one decimal: "12.3".
static void
print_mibs(char *name, long n, long ns)
{
  long tenths = ns > 0 ? n * 10000000000L / (256 * ns) : 0;

  printf("bench %s %ld.%ld MiB/s\n", name, tenths / 10, tenths % 10);
}

// Write, or read, a byte of each of npages pages at p.
static void
touch(char *p, long npages, int write)
{
  volatile char *v = p;

  for(long i = 0; i < npages; i++){
    if(write)
      v[i * PAGE_SIZE] = 1;
    else
      (void)v[i * PAGE_SIZE];
  }
}

// Swap throughput. Swap-out: write SWAPMB MiB (a), then as many pages as are free
// (b): the pageout daemon must write about a's pages to swap to make room; MiB/s
// of pages written to swap over the whole time. Swap-in: unmap b, which frees
// enough memory, and read a page by page: MiB/s of pages read back from swap.
#define SWAPMB 8
static void
swap_serial(void)
{
  struct vmstats st0, st1, st2;
  long na = SWAPMB * (1024 * 1024 / PAGE_SIZE), nb;

  vmstat(&st0);
  if(st0.v_swap_pages < 2 * na){
    fprintf(2, "bench: swap wants a swap disk of %d MiB or more\n", 2 * SWAPMB);
    exit(1);
  }
  nb = st0.v_free_count;
  char *a = anon(na * PAGE_SIZE), *b = anon(nb * PAGE_SIZE);
  long t0 = now();
  touch(a, na, 1);
  touch(b, nb, 1);
  long t1 = now();
  vmstat(&st1);
  munmap(b, nb * PAGE_SIZE);
  long t2 = now();
  touch(a, na, 0);
  long t3 = now();
  vmstat(&st2);
  munmap(a, na * PAGE_SIZE);
  print_mibs("swap_out", st1.v_swapout - st0.v_swapout, t1 - t0);
  print_mibs("swap_in", st2.v_swapin - st1.v_swapin, t3 - t2);
}

// Write all free pages and free them again: the pages written before go to swap.
static void
push_out(void)
{
  struct vmstats st;

  vmstat(&st);
  char *b = anon(st.v_free_count * PAGE_SIZE);
  touch(b, st.v_free_count, 1);
  munmap(b, st.v_free_count * PAGE_SIZE);
}

// Swap-in by NREADERS processes at once: each writes its share of SWAPMB MiB and
// waits; push_out() sends the shares to swap; then all read their shares back
// together, so that as many faults wait on the disk at once. MiB/s of pages read
// from swap from the start until the last reader is done.
#define NREADERS 3
static void
swap_parallel(void)
{
  struct vmstats st0, st1;
  long share = SWAPMB * (1024 * 1024 / PAGE_SIZE) / NREADERS;
  int ready[2], go[2], i;
  char c;

  if(pipe(ready) < 0 || pipe(go) < 0){
    fprintf(2, "bench: pipe failed\n");
    exit(1);
  }
  for(i = 0; i < NREADERS; i++){
    int pid = fork();
    if(pid < 0){
      fprintf(2, "bench: fork failed\n");
      exit(1);
    }
    if(pid == 0){
      char *a = anon(share * PAGE_SIZE);
      touch(a, share, 1);
      write(ready[1], "w", 1);
      read(go[0], &c, 1);
      touch(a, share, 0);
      write(ready[1], "r", 1);
      exit(0);
    }
  }
  for(i = 0; i < NREADERS; i++)
    read(ready[0], &c, 1);
  push_out();
  vmstat(&st0);
  long t0 = now();
  for(i = 0; i < NREADERS; i++)
    write(go[1], "g", 1);
  for(i = 0; i < NREADERS; i++)
    read(ready[0], &c, 1);
  long t1 = now();
  vmstat(&st1);
  for(i = 0; i < NREADERS; i++)
    wait(0);
  close(ready[0]);
  close(ready[1]);
  close(go[0]);
  close(go[1]);
  print_mibs("swap_in_par", st1.v_swapin - st0.v_swapin, t1 - t0);
}

static void
bench_swap(void)
{
  swap_serial();
  swap_parallel();
}

// ---------------------------------------------------------------- resident exec

// fork, exec `primes 97` with its output closed, wait.
static void
op_exec_primes(void)
{
  char *argv[] = { "primes", "97", 0 };
  int pid = fork(), st = -1;

  if(pid < 0){
    fprintf(2, "bench: fork failed\n");
    exit(1);
  }
  if(pid == 0){
    close(1);
    exec("primes", argv);
    exit(99);
  }
  wait(&st);
  if(st != 0){
    fprintf(2, "bench: primes exited %d\n", st);
    exit(1);
  }
}

// An exec of primes, whose start-up builds a 4 MiB table, from its file and then
// from its resident snapshot (lab 7): the time of one, fork and wait included.
static void
bench_exec(void)
{
  char *argv[] = { "primes", "-r", "2", 0 };

  exec_sys_unregister(-2);
  printf("bench exec_primes_file %ld us/exec\n", measure(op_exec_primes, 1) / 1000);
  if(fork() == 0){
    close(1);
    exec("primes", argv);
    exit(99);
  }
  wait(0);
  if(resident_list(0, 0) != 1){
    fprintf(2, "bench: primes -r did not make primes resident\n");
    exit(1);
  }
  printf("bench exec_primes_resident %ld us/exec\n", measure(op_exec_primes, 1) / 1000);
  exec_sys_unregister(-2);
}

// Appending a block to a file: one write(2) of a file system block, which is one
// transaction: the new block, the bitmap, the inode and the indirect blocks go to
// the log, then home, before write returns. The file starts over every
// APPEND_BLOCKS blocks, so that a fast machine does not fill the disk.
#define APPEND_BLOCKS 256
static int append_fd = -1, appended;

static void
op_fs_append(void)
{
  static char block[BSIZE];

  if(append_fd < 0 || appended == APPEND_BLOCKS){
    if(append_fd >= 0)
      close(append_fd);
    append_fd = open("bench.fs", O_CREATE | O_WRONLY | O_TRUNC);
    appended = 0;
  }
  if(append_fd < 0 || write(append_fd, block, BSIZE) != BSIZE){
    fprintf(2, "bench: cannot append a block to bench.fs\n");
    exit(1);
  }
  appended++;
}

static void
bench_fs(void)
{
  printf("bench fs_append %ld us/block\n", measure(op_fs_append, 1) / 1000);
  close(append_fd);
  append_fd = -1;
  unlink("bench.fs");
}

struct bench {
  char *name;
  void (*fn)(void);
  int named;                   // run only when named
} benches[] = {
  { "getpid", bench_getpid },
  { "fork", bench_fork },
  { "fork_1mb", bench_fork_1mb },
  { "lookup", bench_lookup },
  { "forksize", bench_forksize },
  { "fault_zero", bench_fault_zero },
  { "fault_cow", bench_fault_cow },
  { "fault_stack", bench_fault_stack },
  { "mlock", bench_mlock },
  { "shootdown", bench_shootdown },
  { "upcall", bench_upcall },
  { "exec", bench_exec },
  { "fs", bench_fs },
  { "swap", bench_swap, 1 },
};

int
main(int argc, char *argv[])
{
  int i, ran = 0;

  for(i = 0; i < sizeof(benches)/sizeof(benches[0]); i++){
    if(argc > 1 ? strcmp(argv[1], benches[i].name) != 0 : benches[i].named)
      continue;
    benches[i].fn();
    ran = 1;
  }
  if(!ran){
    fprintf(2, "usage: bench [getpid | fork | fork_1mb | lookup | forksize | fault_zero | fault_cow | fault_stack | mlock | shootdown | upcall | exec | fs | swap]\n");
    exit(1);
  }
  printf("bench done\n");
  exit(0);
}

// Machine-independent start-up: CPU 0 runs main(), the others mp_main().
#include <sys/types.h>
#include "kern/systm.h"
#include "kern/md.h"
#include "kern/proc.h"
#include "kern/upcall.h"
#include "kern/resident.h"
#include "fs/fsdefs.h"
#include "vm/vm.h"
#include "dev/cons.h"
#include "dev/swapdev.h"
#include "vm/vm_pageout.h"

int ncpu = 1;
// Set by CPU 0 once every CPU has come up and said so: until then none may run a
// process, so that no hart's line lands in the middle of init's output.
static int all_up;

void
main(void)
{
  consoleinit();
  printfinit();
  printf("\nvmlab kernel is booting\n\n");
  kinit();
  vm_init();
  pmap_bootstrap();
  pmap_bootstrap_cpu();
  procinit();
  upcall_init();
  resident_init();
  md_intr_init();
  md_cpu_init();
  binit();
  iinit();
  fileinit();
  blk_init();
  swapdev_init();
  userinit();
  vm_pageout_init();    // after init: the daemon takes no pid
  // Wait for the other CPUs to come up (and say so) before init runs, so that
  // their lines never land in the middle of a program's output.
  int others = md_start_aps();
  while (__atomic_load_n(&ncpu, __ATOMIC_ACQUIRE) < 1 + others)
    ;
  __atomic_store_n(&all_up, 1, __ATOMIC_RELEASE);
  scheduler();
}

void
mp_main(void)
{
  pmap_bootstrap_cpu();
  md_cpu_init();
  printf("hart %d starting\n", md_cpuid());
  __sync_fetch_and_add(&ncpu, 1);
  // An early hart must not run init while a later one still prints its line.
  while (!__atomic_load_n(&all_up, __ATOMIC_ACQUIRE))
    ;
  scheduler();
}

// ps: list the processes, with their memory:
//
//   PID STATE SIZE RSS PSS STACK SH NAME
//   1 sleep 164 5 12 128 1 init
//
// SIZE is the address space's mapped size in KiB; RSS the pages mapped in its page
// table (resident set size); PSS its proportional set size in KiB, where a page
// that n processes map counts 4/n KiB to each, so that the PSS column adds up to
// the memory the processes use; STACK the size of its stack in KiB, which grows as
// the stack does (lab 4); SH how many processes share the address space (threads:
// rfork(RFMEM)), this one included: they show the same SIZE and RSS, and split
// their PSS.

#include "user/user.h"

#define NPS 64

static struct kinfo_proc kp[NPS];

static char *
state(int s)
{
  switch(s){
  case KP_STATE_USED: return "new";
  case KP_STATE_SLEEPING: return "sleep";
  case KP_STATE_RUNNABLE: return "runnable";
  case KP_STATE_RUNNING: return "run";
  case KP_STATE_ZOMBIE: return "zombie";
  }
  return "?";
}

int
main(int argc, char *argv[])
{
  int n = procinfo(kp, NPS);

  if(n < 0){
    fprintf(2, "ps: procinfo failed\n");
    exit(1);
  }
  if(n > NPS)
    n = NPS;
  printf("PID STATE SIZE RSS PSS STACK SH NAME\n");
  for(int i = 0; i < n; i++)
    printf("%d %s %ld %ld %ld %ld %d %s\n", kp[i].kp_pid, state(kp[i].kp_state),
           (long)(kp[i].kp_size / 1024), (long)kp[i].kp_rss, (long)(kp[i].kp_pss / 1024),
           (long)(kp[i].kp_ssize / 1024), kp[i].kp_nshare, kp[i].kp_name);
  exit(0);
}

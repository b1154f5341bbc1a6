// vmstat: the machine's memory, the pageout daemon's queues and swap, in pages:
//
//   pages 7936 free 6210 active 1200 inactive 400
//   swap 8192 used 0
//   swapin 0 swapout 0 oomkills 0
//   vnodeout 0
//   wired 0
//   kernel 310 zones 12
//
// (vnodeout: dirty pages of files that the pageout daemon wrote back to free
// them; wired: pages that mlock keeps in memory, in the whole machine; kernel:
// pages the kernel holds for itself, kernel stacks, page tables, pipes and the
// zones' pages, of which zones.)

#include "user/user.h"

int
main(void)
{
  struct vmstats st;

  if (vmstat(&st) < 0) {
    fprintf(2, "vmstat: vmstat failed\n");
    exit(1);
  }
  printf("pages %ld free %ld active %ld inactive %ld\n", st.v_page_count, st.v_free_count,
         st.v_active_count, st.v_inactive_count);
  printf("swap %ld used %ld\n", st.v_swap_pages, st.v_swap_used);
  printf("swapin %ld swapout %ld oomkills %ld\n", st.v_swapin, st.v_swapout, st.v_oom_kills);
  printf("vnodeout %ld\n", st.v_vnodepgsout);
  printf("wired %ld\n", st.v_wire_count);
  printf("kernel %ld zones %ld\n", st.v_kmem_count, st.v_zone_pages);
  exit(0);
}

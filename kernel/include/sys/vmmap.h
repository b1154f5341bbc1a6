// What the informational VM system calls hand to user space: vmmap() (a process's
// map entries, like FreeBSD's kinfo_vmentry), vmstat() (memory and map counters) and
// procinfo() (the process table, like FreeBSD's kinfo_proc). The vmmap and ps tools
// print them; the lab graders read their output.
#ifndef _SYS_VMMAP_H_
#define _SYS_VMMAP_H_

#include <sys/types.h>

// One map entry: int vmmap(int pid, struct kinfo_vmentry *buf, int n).
struct kinfo_vmentry {
  uint64 kve_start;            // [start, end) in the process's address space
  uint64 kve_end;
  uint64 kve_offset;           // offset into the object, in bytes
  int kve_protection;          // PROT_* bits
  int kve_max_protection;      // what mprotect() may raise it to
  int kve_inheritance;         // INHERIT_SHARE, INHERIT_COPY or INHERIT_NONE
  int kve_flags;               // KVME_FLAG_*
  int kve_wired_count;
  int kve_type;                // KVME_TYPE_*: the entry's top object
  int kve_obj_id;              // that object's id (0 if none)
  int kve_resident;            // pages of [start, end) mapped in the page table
  int kve_shadow_depth;        // objects in its copy-on-write chain (0: no object; 1: no
                               // shadowing; 2: a shadow over one backing object; ...)
  int kve_pad;
  uint64 kve_reserve;          // a stack's reservation: bytes right below it kept for
                               // its growth (lab 4); 0 for other entries
  uint64 kve_pss;              // the resident pages' proportional share in bytes: each
                               // page's 4096 divided by the page tables that map it
};

#define KVME_TYPE_NONE    0    // no object yet: untouched anonymous memory
#define KVME_TYPE_DEFAULT 1    // anonymous memory
#define KVME_TYPE_SWAP    2    // anonymous memory with swap backing
#define KVME_TYPE_VNODE   3    // a file
#define KVME_TYPE_DEAD    4

// kve_flags: the entry's MAP_ENTRY_* flags that a user can see the effect of.
#define KVME_FLAG_COW          0x0001   // copy on write
#define KVME_FLAG_NEEDS_COPY   0x0002   // shares its object until the first write
#define KVME_FLAG_STACK        0x0004   // a stack that grows down
#define KVME_FLAG_USER_WIRED   0x0008   // mlock()ed
#define KVME_FLAG_NOFAULT      0x0010
#define KVME_FLAG_NOSYNC       0x0020
#define KVME_FLAG_NOCOREDUMP   0x0040
#define KVME_FLAG_IN_TRANSITION 0x0080  // never seen after a system call returns
#define KVME_FLAG_SEQUENTIAL   0x0100   // madvise(MADV_SEQUENTIAL)
#define KVME_FLAG_RANDOM       0x0200   // madvise(MADV_RANDOM)

// int vmstat(struct vmstats *st): memory, and the caller's map.
struct vmstats {
  uint64 v_page_count;         // physical pages the allocator manages
  uint64 v_free_count;         // of which free
  uint64 v_map_entries;        // the caller's map: nentries
  uint64 v_map_size;           // its size in bytes (sum of the entries' lengths)
  uint64 v_lookup_visits;      // tree nodes visited by its lookups so far
  uint64 v_map_timestamp;      // bumped on every exclusive lock of it
  uint64 v_resident;           // its pages mapped in the page table
  uint64 v_active_count;       // pages on the pageout daemon's active queue
  uint64 v_inactive_count;     // and on its inactive queue
  uint64 v_swap_pages;         // pages the swap disk holds
  uint64 v_swap_used;          // of which in use
  uint64 v_swapin;             // pages read back from swap, ever
  uint64 v_swapout;            // pages written to swap, ever
  uint64 v_oom_kills;          // processes killed for want of memory and swap
  uint64 v_wire_count;         // pages wired (mlock): never paged out
  uint64 v_map_wired;          // bytes of the caller's map user-wired (RLIMIT_MEMLOCK)
  uint64 v_map_pageins;        // the caller's pages read back from swap, ever
  uint64 v_map_pageouts;       // its pages the pageout daemon took out, ever
  uint64 v_vnodepgsout;        // dirty file pages the daemon wrote back, ever
  uint64 v_kmem_count;         // pages the kernel holds for itself (kalloc: stacks,
                               // page tables, pipes, zones)
  uint64 v_zone_pages;         // of which zones (map entries, objects, pv entries...)
  uint64 v_zone_items;         // items in use in the zones' pages
  uint64 v_pv_entries;         // of which pv entries: pages mapped, in all page tables
};

// int procinfo(struct kinfo_proc *buf, int n): one per process.
struct kinfo_proc {
  int kp_pid;
  int kp_ppid;                 // 0 for init
  int kp_state;                // KP_STATE_*
  int kp_nshare;               // processes sharing its vmspace (rfork RFMEM), itself
                               // included: 1 if none other
  uint64 kp_size;              // bytes mapped (the map's size)
  uint64 kp_rss;               // resident pages (mapped in its page table)
  uint64 kp_pss;               // proportional set size in bytes: each resident page
                               // divided among the processes that map it (those
                               // that share a vmspace count as one, its share split
                               // among them)
  uint64 kp_ssize;             // its stack's size in bytes (lab 4: it grows)
  char kp_name[16];
};

// long vmbench(int op, long n): for make bench.
#define VMBENCH_CLOCK  0       // the time in nanoseconds (n unused)
#define VMBENCH_LOOKUP 1       // n lookups of random addresses in the caller's map,
                               // with the hint defeated: nanoseconds taken
#define VMBENCH_MAXLOOKUPS 10000000   // more is EINVAL

#define KP_STATE_USED     1    // being created
#define KP_STATE_SLEEPING 2
#define KP_STATE_RUNNABLE 3
#define KP_STATE_RUNNING  4
#define KP_STATE_ZOMBIE   5

#ifdef _KERNEL
struct vmspace;
// kern/kern_procinfo.c: the vmspace of process pid (0: the caller) with a reference
// taken (vmspace_free() drops it), or 0 if there is no such process.
struct vmspace *proc_vmspace_hold(int pid);
#endif

#endif

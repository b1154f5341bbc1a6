// Resident executables (lab 7): a program registers itself once its start-up is
// done, and later execs of its file start from a copy of its address space then.
//
//   exec_sys_register(entry)    the caller's executable resident; exec starts at
//                               entry(argc, argv), which must not return (exit)
//   exec_sys_unregister(id)     drop registration id (-1: the caller's executable's,
//                               -2: all): how many went
//   resident_list(buf, n)       the registrations, oldest first, up to n of them
//                               and RESIDENT_LIST_MAX: how many there are
#ifndef _SYS_RESIDENT_H_
#define _SYS_RESIDENT_H_

#include <sys/types.h>

#define RESIDENT_LIST_MAX 16   // resident_list copies no more (they fit in a page)

struct kinfo_resident {
  int kr_id;            // its id: the first is 1, and none is given twice
  long kr_execs;        // execs started from it
  uint64 kr_size;       // bytes mapped in its snapshot
  uint64 kr_entry;      // where each exec starts
  char kr_path[128];    // the path the registering process was exec'd by
};

#endif

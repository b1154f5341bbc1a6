// rfork() flags (FreeBSD's values). vmlab takes RFPROC, alone (fork) or with RFMEM:
// the child shares the parent's address space (vmspace), as threads do; anything
// else is EINVAL.
#ifndef _SYS_UNISTD_H_
#define _SYS_UNISTD_H_

#define RFPROC  (1 << 4)   // make a new process
#define RFMEM   (1 << 5)   // which shares the caller's memory

#endif

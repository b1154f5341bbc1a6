// Resource limits: getrlimit() and setrlimit(), with FreeBSD's numbers and
// RLIM_INFINITY. vmlab has two: the stack (lab 4: how far stacks may grow) and
// locked memory (lab 5: how much mlock() may wire).
//
// Each limit has a soft value (rlim_cur, the one enforced) and a hard one
// (rlim_max, the most the soft one may be raised to). Both are inherited over fork
// and kept over exec. vmlab has no users and so no superuser: nobody may raise a
// hard limit (EPERM); anyone may lower either.
#ifndef _SYS_RESOURCE_H_
#define _SYS_RESOURCE_H_

#include <sys/types.h>

typedef uint64 rlim_t;

struct rlimit {
  rlim_t rlim_cur;   // soft limit: enforced
  rlim_t rlim_max;   // hard limit: the ceiling of rlim_cur
};

#define RLIMIT_STACK   3   // bytes a stack may grow to
#define RLIMIT_MEMLOCK 6   // bytes of memory mlock() may wire (lab 5)
#define RLIM_NLIMITS   7

#define RLIM_INFINITY  ((rlim_t)(((uint64)1 << 63) - 1))

#endif

// vmmap [pid]: print a process's map (default: its own), one line per entry:
//
//   START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET RES DEPTH
//   0x40000000-0x40001000 rw- rwx copy - 0 default:12 0x0 1 1
//
// PROT and MAX are the current and maximum protection; INHERIT what fork does with
// the entry (share, copy, none); FLAGS the entry's flags (cow: copy on write, nc:
// needs copy, stack, wired, nofault, nosync, nocore, trans: in transition, seq and
// rand: madvise), or -; WIRED the wiring count; OBJECT the kind of object and its
// id (none: anonymous memory not touched yet); OFFSET the offset into it; RES the
// pages mapped in the page table; DEPTH the objects on its copy-on-write chain.
// Right below a stack that may still grow, a line shows its reservation: the room
// kept for its growth, which mmap never hands out (lab 4):
//
//   0x7fffff7ff000-0x7ffffffdf000 --- --- - reserved 0 none 0x0 0 0
//   0x7ffffffdf000-0x7ffffffff000 rw- rwx copy stack 0 default:3 0x0 2 1

#include "user/user.h"

static char *
prot(int p, char *s)
{
  s[0] = (p & PROT_READ) ? 'r' : '-';
  s[1] = (p & PROT_WRITE) ? 'w' : '-';
  s[2] = (p & PROT_EXEC) ? 'x' : '-';
  s[3] = 0;
  return s;
}

static char *
inheritance(int i)
{
  switch(i){
  case INHERIT_SHARE: return "share";
  case INHERIT_COPY: return "copy";
  case INHERIT_NONE: return "none";
  }
  return "?";
}

static const struct {
  int flag;
  char *name;
} flagnames[] = {
  { KVME_FLAG_COW, "cow" }, { KVME_FLAG_NEEDS_COPY, "nc" }, { KVME_FLAG_STACK, "stack" },
  { KVME_FLAG_USER_WIRED, "wired" }, { KVME_FLAG_NOFAULT, "nofault" },
  { KVME_FLAG_NOSYNC, "nosync" }, { KVME_FLAG_NOCOREDUMP, "nocore" },
  { KVME_FLAG_IN_TRANSITION, "trans" }, { KVME_FLAG_SEQUENTIAL, "seq" },
  { KVME_FLAG_RANDOM, "rand" },
};

// The flags as a comma-separated list, or "-".
static char *
flags(int f, char *s)
{
  char *p = s;

  for(int i = 0; i < sizeof(flagnames) / sizeof(flagnames[0]); i++){
    if((f & flagnames[i].flag) == 0)
      continue;
    if(p != s)
      *p++ = ',';
    strcpy(p, flagnames[i].name);
    p += strlen(p);
  }
  if(p == s)
    strcpy(s, "-");
  return s;
}

static char *
objtype(int t)
{
  switch(t){
  case KVME_TYPE_NONE: return "none";
  case KVME_TYPE_DEFAULT: return "default";
  case KVME_TYPE_SWAP: return "swap";
  case KVME_TYPE_VNODE: return "vnode";
  case KVME_TYPE_DEAD: return "dead";
  }
  return "?";
}

int
main(int argc, char *argv[])
{
  int pid = argc > 1 ? atoi(argv[1]) : 0;
  struct kinfo_vmentry *kve = 0;
  int n = 0, total;
  char p[4], m[4], f[80];

  if(argc > 2){
    fprintf(2, "usage: vmmap [pid]\n");
    exit(1);
  }
  // The map may grow between the calls: ask until the buffer is big enough.
  while((total = vmmap(pid, kve, n)) > n){
    free(kve);
    n = total + 8;
    if((kve = malloc(n * sizeof(*kve))) == 0){
      fprintf(2, "vmmap: out of memory\n");
      exit(1);
    }
  }
  if(total < 0){
    fprintf(2, "vmmap: %d: %s\n", pid, errno == ESRCH ? "no such process" : "failed");
    exit(1);
  }
  printf("START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET RES DEPTH\n");
  for(int i = 0; i < total; i++){
    struct kinfo_vmentry *e = &kve[i];
    // A stack's reservation, as a line of its own just below it.
    if(e->kve_reserve)
      printf("0x%lx-0x%lx --- --- - reserved 0 none 0x0 0 0\n",
             e->kve_start - e->kve_reserve, e->kve_start);
    printf("0x%lx-0x%lx %s %s %s %s %d ", e->kve_start, e->kve_end,
           prot(e->kve_protection, p), prot(e->kve_max_protection, m),
           inheritance(e->kve_inheritance), flags(e->kve_flags, f), e->kve_wired_count);
    if(e->kve_type == KVME_TYPE_NONE)
      printf("none");
    else
      printf("%s:%d", objtype(e->kve_type), e->kve_obj_id);
    printf(" 0x%lx %d %d\n", e->kve_offset, e->kve_resident, e->kve_shadow_depth);
  }
  exit(0);
}

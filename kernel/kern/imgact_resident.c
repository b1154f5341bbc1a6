// Resident executables (lab 7; the user's side is sys/resident.h): a program that
// has done its expensive start-up registers itself with exec_sys_register(entry),
// which takes a snapshot of its address space (vmspace_fork: copy-on-write, so it
// costs page-table work, not copies). From then on an exec of its file does not
// load the file: the new image is a fork of the snapshot, with the exec's own
// arguments on its stack, and starts at entry. Each run writes only its own
// copies, so no run sees another's writes.
//
// A registration holds a reference to the file's inode and remembers which
// version of the file the image came from (its change count, i_gen, when the
// registering process exec'd it): once the file is written, truncated or
// unlinked, the registration is stale, and it is dropped the next time anyone
// looks (resident_prune: exec, and each of the system calls here, call it first).
// DragonFly kept running the old image of a file rewritten in place.
//
// res_lock, a spin lock, protects the list and every registration's vr_refs and
// vr_execs. Freeing one (its snapshot, its inode reference) sleeps: it happens
// after the lock is dropped, when the last reference goes.
#include <sys/types.h>
#include <sys/resident.h>
#include <machine/vmparam.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/resident.h"
#include "kern/sysent.h"
#include "fs/fsdefs.h"
#include "fs/file.h"
#include "vm/vm.h"
#include "vm/vm_zone.h"

struct vmresident {
  struct vmresident *vr_next;
  struct inode *vr_vnode;        // the executable (a reference)
  uint vr_gen;                   // the i_gen its image is of
  struct vmspace *vr_vmspace;    // the snapshot
  uint64 vr_entry;               // where an exec of it starts
  int vr_id;                     // never given twice
  int vr_refs;                   // the list's (while on it), and each exec's meanwhile
  long vr_execs;                 // execs started from it
  char vr_path[MAXPATH];         // the path its registering process was exec'd by
};

static struct spinlock res_lock;
static struct vm_zone reszone;

void
resident_init(void)
{
  initlock(&res_lock, "resident");
  zinit(&reszone, "vmresident", sizeof(struct vmresident));
}

// LAB resident 1: BEGIN
static struct vmresident *res_list;   // newest first
static int res_nextid = 1;

// Drop a reference to vr (res_lock not held); the last one frees it. May sleep.
static void
res_release(struct vmresident *vr)
{
  acquire(&res_lock);
  int last = --vr->vr_refs == 0;
  release(&res_lock);
  if (!last)
    return;
  vmspace_free(vr->vr_vmspace);
  begin_op();
  iput(vr->vr_vnode);
  end_op();
  zfree(&reszone, vr);
}

// Take off the list every registration that match(vr, arg) chooses, and release
// the list's references to them: how many went. No locks held: it may sleep.
static int
res_remove(int (*match)(struct vmresident *, void *), void *arg)
{
  struct vmresident *gone = 0, **pp, *vr;
  int n = 0;

  acquire(&res_lock);
  for (pp = &res_list; (vr = *pp) != 0; ) {
    if (match(vr, arg)) {
      *pp = vr->vr_next;
      vr->vr_next = gone;
      gone = vr;
      n++;
    } else {
      pp = &vr->vr_next;
    }
  }
  release(&res_lock);
  while ((vr = gone) != 0) {
    gone = vr->vr_next;
    res_release(vr);
  }
  return n;
}

// exec_sys_register(entry): the caller's executable becomes resident, from a
// snapshot of its address space now. 0; -ENOENT if it has no executable, -EEXIST
// if that is resident already, -EINVAL for an entry outside user space, -ENOMEM.
long
sys_exec_sys_register(void)
{
  struct proc *p = myproc();
  uint64 entry = argaddr(0);
  struct vmresident *vr, *other;

  if (p->p_textvp == 0)
    return -ENOENT;
  if (entry >= VM_MAXUSER_ADDRESS)
    return -EINVAL;
  resident_prune();
  if ((vr = zalloc(&reszone)) == 0)
    return -ENOMEM;
  if ((vr->vr_vmspace = vmspace_fork(p->p_vmspace)) == 0) {
    zfree(&reszone, vr);
    return -ENOMEM;
  }
  vr->vr_vnode = idup(p->p_textvp);
  vr->vr_gen = p->p_textgen;
  vr->vr_entry = entry;
  vr->vr_refs = 1;
  safestrcpy(vr->vr_path, p->p_path, sizeof(vr->vr_path));
  acquire(&res_lock);
  for (other = res_list; other; other = other->vr_next)
    if (other->vr_vnode == vr->vr_vnode)
      break;
  if (other == 0) {
    vr->vr_id = res_nextid++;
    vr->vr_next = res_list;
    res_list = vr;
  }
  release(&res_lock);
  if (other) {
    res_release(vr);
    return -EEXIST;
  }
  return 0;
}

static int
match_unregister(struct vmresident *vr, void *arg)
{
  int id = *(int *)arg;

  return id == -2 || (id == -1 && vr->vr_vnode == myproc()->p_textvp) || vr->vr_id == id;
}

// exec_sys_unregister(id): drop registration id; -1: the caller's executable's;
// -2: all. How many went, or -ENOENT if none did; -EINVAL for another negative id.
long
sys_exec_sys_unregister(void)
{
  int id = argint(0), n;

  if (id < -2)
    return -EINVAL;
  resident_prune();
  n = res_remove(match_unregister, &id);
  return n ? n : -ENOENT;
}

// resident_list(buf, n): up to n (a negative n is 0) and RESIDENT_LIST_MAX
// registrations into buf, oldest first; returns how many there are (which may be
// more), or -EFAULT.
long
sys_resident_list(void)
{
  uint64 ubuf = argaddr(0);
  int n = argint(1), total = 0;
  struct kinfo_resident *kr = kalloc();
  int room = RESIDENT_LIST_MAX;

  _Static_assert(RESIDENT_LIST_MAX * sizeof(*kr) <= PAGE_SIZE, "a page holds the list");
  if (kr == 0)
    return -ENOMEM;
  if (n < 0)
    n = 0;
  resident_prune();
  acquire(&res_lock);
  for (struct vmresident *vr = res_list; vr; vr = vr->vr_next)
    total++;
  int i = total;
  // The list is newest first: fill the buffer from its end.
  for (struct vmresident *vr = res_list; vr; vr = vr->vr_next) {
    if (--i >= n || i >= room)
      continue;
    kr[i] = (struct kinfo_resident){ .kr_id = vr->vr_id, .kr_execs = vr->vr_execs,
                                     .kr_size = vr->vr_vmspace->vm_map.size,
                                     .kr_entry = vr->vr_entry };
    safestrcpy(kr[i].kr_path, vr->vr_path, sizeof(kr[i].kr_path));
  }
  release(&res_lock);
  int copied = MIN(MIN(n, room), total);
  int r = copyout(ubuf, kr, copied * sizeof(*kr)) < 0 ? -EFAULT : total;
  kfree(kr);
  return r;
}
// LAB resident 1: STARTER
// long
// sys_exec_sys_register(void)
// {
//   printf("exec_sys_register: not written yet (lab 7, task 1)\n");
//   return -ENOSYS;
// }
//
// long
// sys_exec_sys_unregister(void)
// {
//   return -ENOSYS;
// }
//
// long
// sys_resident_list(void)
// {
//   return -ENOSYS;
// }
// LAB resident 1: END

// LAB resident 2: BEGIN
// The registration of ip, with a reference the caller gives back with
// resident_exec(), its exec counted; or 0. (exec pruned the stale ones just
// before: a change to the file since then is as if it came after this exec.)
struct vmresident *
resident_lookup(struct inode *ip)
{
  struct vmresident *vr;

  acquire(&res_lock);
  for (vr = res_list; vr; vr = vr->vr_next)
    if (vr->vr_vnode == ip)
      break;
  if (vr) {
    vr->vr_refs++;
    vr->vr_execs++;
  }
  release(&res_lock);
  return vr;
}

// exec's new image from vr: a fork of the snapshot in *vmp and its entry in
// *entry; 0 or -ENOMEM. Gives back the reference resident_lookup() took.
int
resident_exec(struct vmresident *vr, struct vmspace **vmp, uint64 *entry)
{
  *vmp = vmspace_fork(vr->vr_vmspace);
  *entry = vr->vr_entry;
  res_release(vr);
  return *vmp ? 0 : -ENOMEM;
}
// LAB resident 2: STARTER
// struct vmresident *
// resident_lookup(struct inode *ip)
// {
//   (void)ip;    // nothing is resident yet
//   return 0;
// }
//
// int
// resident_exec(struct vmresident *vr, struct vmspace **vmp, uint64 *entry)
// {
//   (void)vr;
//   (void)vmp;
//   (void)entry;
//   return -ENOSYS;
// }
// LAB resident 2: END

// LAB resident 3: BEGIN
// Has vr's file changed, or lost its last name, since the version its image is
// of? Read without the inode's lock: a change seen late is seen at the next look.
static int
res_stale(struct vmresident *vr)
{
  return vr->vr_vnode->nlink == 0 || vr->vr_vnode->i_gen != vr->vr_gen;
}

static int
match_stale(struct vmresident *vr, void *arg)
{
  return res_stale(vr);
}

// Drop the stale registrations. No locks held: it may sleep.
void
resident_prune(void)
{
  if (__atomic_load_n(&res_list, __ATOMIC_RELAXED))
    res_remove(match_stale, 0);
}
// LAB resident 3: STARTER
// // Drop the stale registrations. No locks held: it may sleep.
// void
// resident_prune(void)
// {
// }
// LAB resident 3: END

// Stacks that grow down (lab 4), after DragonFly's vm_map_stack() and
// vm_map_growstack().
//
// A stack is reserved, not mapped: vm_map_stack() maps only its top SGROWSIZ and
// records in that entry's avail_ssize how far below it the stack may still grow.
// That reservation is not an entry. vm_map_findspace() never hands it out (its gap
// ends where the reservation begins: gap_end() in vm_map.c), but MAP_FIXED may
// still map into it, which then bounds the growth.
//
// A fault in the hole below a stack entry comes here, from vm_fault_trap() for the
// process's own accesses and from vm_fault_user() for the kernel's copies on its
// behalf. If the address is a stack access (at or above the stack pointer, less the
// ABI's red zone), the stack grows: a new entry below the old lowest one, at least
// down to the address, in SGROWSIZ steps, which takes over what is left of the
// reservation.
//
//      USRSTACK - MAXSSIZ                                           USRSTACK
//      |<--------------- reservation ------------->|<- stack ->|<- stack ->|
//      |           (avail_ssize of the lowest)     |  grown    |  mapped   |
//                                                  ^ entry with avail_ssize > 0
#include <sys/types.h>
#include <sys/resource.h>
#include "kern/systm.h"
#include "kern/proc.h"
#include "kern/md.h"
#include "vm/vm.h"
#include "vm/vm_map.h"

// LAB stack 1: BEGIN
// Map a stack that may grow down to addrbos: anonymous memory at the top
// MIN(max_ssize, SGROWSIZ) bytes of [addrbos, addrbos + max_ssize), with prot and
// max, and the rest reserved below it. All of the range must be free now. Returns
// KERN_SUCCESS, KERN_INVALID_ADDRESS (not page aligned, empty, or outside the map)
// or KERN_NO_SPACE (something is mapped in the range). Map locked exclusively;
// *countp reserved for one insertion.
int
vm_map_stack(vm_map_t map, int *countp, vm_offset_t addrbos, vm_size_t max_ssize,
             vm_prot_t prot, vm_prot_t max, int cow)
{
  vm_offset_t top = addrbos + max_ssize;
  vm_size_t init = MIN(max_ssize, SGROWSIZ);
  vm_map_entry_t prev, entry;
  int rv;

  ASSERT_VM_MAP_LOCKED(map);
  if (max_ssize == 0 || (addrbos & (PAGE_SIZE - 1)) || (max_ssize & (PAGE_SIZE - 1)) ||
      top < addrbos || addrbos < map->min_offset || top > map->max_offset)
    return KERN_INVALID_ADDRESS;
  // The reservation too must be free: a stack that cannot grow is no stack.
  if (vm_map_lookup_entry(map, addrbos, &prev) ||
      (prev->next != &map->header && prev->next->start < top))
    return KERN_NO_SPACE;
  rv = vm_map_insert(map, countp, 0, 0, top - init, top, VM_MAPTYPE_NORMAL, prot, max,
                     cow | MAP_IS_STACK);
  if (rv != KERN_SUCCESS)
    return rv;
  if (!vm_map_lookup_entry(map, top - init, &entry))   // stacks never merge
    panic("vm_map_stack: new stack at 0x%lx not found", top - init);
  vm_map_set_avail_ssize(map, entry, max_ssize - init);
  return KERN_SUCCESS;
}
// LAB stack 1: STARTER
// // Until lab 4: a fixed stack of 32 KiB at the top, nothing reserved, as labs
// // 1-3 ran on.
// int
// vm_map_stack(vm_map_t map, int *countp, vm_offset_t addrbos, vm_size_t max_ssize,
//              vm_prot_t prot, vm_prot_t max, int cow)
// {
//   vm_offset_t top = addrbos + max_ssize;
//   vm_size_t size = MIN(max_ssize, 8 * PAGE_SIZE);
//
//   ASSERT_VM_MAP_LOCKED(map);
//   if (top < addrbos)
//     return KERN_INVALID_ADDRESS;
//   return vm_map_insert(map, countp, 0, 0, top - size, top, VM_MAPTYPE_NORMAL, prot, max,
//                        cow | MAP_IS_STACK);
// }
// LAB stack 1: END

// The end of the stack that entry is the lowest piece of: growth adds pieces below,
// so a stack is a run of adjacent stack entries. Map locked.
static vm_offset_t
stack_top(vm_map_t map, vm_map_entry_t entry)
{
  ASSERT_VM_MAP_LOCKED_ANY(map);
  while (entry->next != &map->header && entry->next->start == entry->end &&
         (entry->next->eflags & MAP_ENTRY_STACK))
    entry = entry->next;
  return entry->end;
}

// The limit of the MAP_STACK region right above va in p, for vm_fault_trap's line
// about a stack overflow there: its size, what is mapped of it and the reservation
// left below (RLIMIT_STACK bounds only p's own stack). 0 if the stack above va is
// p's own, or no stack is there now. Takes the map lock (shared).
vm_size_t
vm_map_stack_limit(struct proc *p, vm_offset_t va)
{
  struct vmspace *vm = p->p_vmspace;
  vm_map_t map = &vm->vm_map;
  vm_map_entry_t prev, stack;
  vm_size_t limit = 0;

  vm_map_lock_read(map);
  if (!vm_map_lookup_entry(map, va, &prev) && (stack = prev->next) != &map->header &&
      (stack->eflags & MAP_ENTRY_STACK) &&
      !(stack->start >= vm->vm_maxsaddr && stack->end <= vm->vm_minsaddr))
    limit = stack_top(map, stack) - stack->start + vm_map_stack_reserved(map, stack);
  vm_map_unlock_read(map);
  return limit;
}

// LAB stack 2: BEGIN
// How far the stack whose lowest piece is `stack` may reach down, in p: its
// reservation, and for the process's own stack also RLIMIT_STACK. Map locked.
static vm_offset_t
stack_floor(struct proc *p, vm_map_t map, vm_map_entry_t stack)
{
  struct vmspace *vm = p->p_vmspace;
  vm_offset_t floor;

  ASSERT_VM_MAP_LOCKED_ANY(map);
  floor = stack->start - vm_map_stack_reserved(map, stack);

  if (stack->end <= vm->vm_minsaddr && stack->start >= vm->vm_maxsaddr) {
    rlim_t limit = p->p_rlimit[RLIMIT_STACK].rlim_cur;
    vm_offset_t lim = limit >= vm->vm_minsaddr ? 0 : trunc_page(vm->vm_minsaddr - limit);
    floor = MAX(floor, lim);
  }
  return floor;
}
// LAB stack 2: END

// Grow p's stack down to cover addr, a fault in the hole below a stack entry.
// Takes the map lock (exclusive) itself. Returns KERN_SUCCESS when addr is mapped
// (by this call or another's); KERN_INVALID_ADDRESS when addr is no stack access
// (no stack right above it, or below the stack pointer); KERN_NO_SPACE when it is
// one but the stack may not grow that far (its reservation, an entry below, or
// RLIMIT_STACK): a stack overflow. KERN_RESOURCE_SHORTAGE if no entry is free.
int
vm_map_growstack(struct proc *p, vm_offset_t addr)
{
  // LAB stack 2: BEGIN
  vm_map_t map = &p->p_vmspace->vm_map;
  vm_map_entry_t prev, stack;
  vm_offset_t floor, start = 0, end = 0;
  vm_size_t avail;
  int count, rv;

  if ((count = vm_map_entry_reserve(MAP_RESERVE_COUNT)) < 0)
    return KERN_RESOURCE_SHORTAGE;
  vm_map_lock(map);
  if (vm_map_lookup_entry(map, addr, &prev)) {
    rv = KERN_SUCCESS;   // mapped meanwhile (or never a hole): vm_fault decides
    goto out;
  }
  stack = prev->next;
  rv = KERN_INVALID_ADDRESS;
  if (stack == &map->header || !(stack->eflags & MAP_ENTRY_STACK))
    goto out;
  // LAB stack 2: END
  // LAB stack 3: BEGIN
  // Below the stack pointer (less the red zone) is no part of a stack: the ABI
  // says nothing lives there. Only for the stack that sp is in: a thread may touch
  // another's stack (lab 6), and the kernel copies in and out of any.
  uint64 sp = md_user_sp(p->trapframe);
  floor = stack->start - vm_map_stack_reserved(map, stack);
  if (sp >= floor && sp < stack_top(map, stack) && addr + USER_STACK_REDZONE < sp)
    goto out;
  // LAB stack 3: END
  // LAB stack 2: BEGIN
  floor = stack_floor(p, map, stack);
  rv = KERN_NO_SPACE;
  if (trunc_page(addr) < floor)
    goto out;
  // Down to addr in SGROWSIZ steps, as far as the floor allows.
  end = stack->start;
  start = end - (end - trunc_page(addr) + SGROWSIZ - 1) / SGROWSIZ * SGROWSIZ;
  if (start > end || start < floor)
    start = floor;
  avail = stack->aux.avail_ssize > end - start ? stack->aux.avail_ssize - (end - start) : 0;
  rv = vm_map_insert(map, &count, 0, 0, start, end, VM_MAPTYPE_NORMAL, stack->protection,
                     stack->max_protection, MAP_IS_STACK);
  if (rv != KERN_SUCCESS)
    goto out;
  // The new lowest piece takes over what is left of the reservation.
  vm_map_set_avail_ssize(map, stack, 0);
  if (!vm_map_lookup_entry(map, start, &prev))
    panic("vm_map_growstack: new piece at 0x%lx not found", start);
  vm_map_set_avail_ssize(map, prev, avail);
  if (start >= p->p_vmspace->vm_maxsaddr && end <= p->p_vmspace->vm_minsaddr)
    p->p_vmspace->vm_ssize += atop(end - start);
out:
  vm_map_unlock(map);
  vm_map_entry_release(count);
  // After mlockall(MCL_FUTURE) the new piece is wired too, if RLIMIT_MEMLOCK allows
  // (else it is not: a stack's growth does not fail for it).
  if (rv == KERN_SUCCESS && end > start)
    vm_map_wire_future(map, start, end, p->p_rlimit[RLIMIT_MEMLOCK].rlim_cur);
  return rv;
  // LAB stack 2: STARTER
  // // Until lab 4 no stack grows: every hole is a bad address.
  // (void)p;
  // (void)addr;
  // return KERN_INVALID_ADDRESS;
  // LAB stack 2: END
}

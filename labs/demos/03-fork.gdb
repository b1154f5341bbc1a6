# Lab 3 (fork), a tour in GDB: fork shares memory copy-on-write; the first write
# builds a shadow object; an exit or exec lets the shadow absorb the object below
# (a collapse).  For the lecturer: `make qemu-gdb` in one window; in another, in
# the top directory,  gdb-multiarch -nx -x .gdbinit -x labs/demos/03-fork.gdb
# and when it says so, type the command below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the command itself.)
#
# type: echo hi

echo \n=== Lab 3 (fork): copy-on-write, shadow objects, collapse ===\n
echo In the QEMU window, at the $ prompt, type:  echo hi\n
echo The shell forks a child, which execs echo.\n
set print frame-arguments presence
break vmspace_fork if $_streq($curproc()->name, "sh")
continue
delete
set $sh = $curproc()
set $map = &$sh->p_vmspace->vm_map
echo \n--- The shell forks.  Its map before the fork:\n
print *$sh
vmmap
pfinish
echo \n--- After vmspace_fork: the parent's entries are COW and NEEDS_COPY, and the\n
echo --- child's map points at the same objects (each has one more reference):\n
vmmap
vmobj $map->header.next->next

echo \n--- Now the first write to a shared page, by parent or child: the fault finds\n
echo --- NEEDS_COPY and gives the entry a shadow object of its own.\n
break vm_object_shadow_try if $_streq($curproc()->name, "sh")
continue
delete
print *$curproc()
set $slot = object
pfinish
echo \n--- The entry's new object: the shadow, empty so far, backed by the shared one.\n
vmobj *$slot
echo --- The faulting process's map: that entry's chain is two objects deep (DEPTH 2).\n
vmmap

echo \n--- Once the child's exec has freed its old address space, a shared object\n
echo --- has one user left, the parent's shadow above it, which absorbs it: a collapse\n
echo --- (vm_object_deallocate starts it, or the next fault through the shadow).\n
break vm_object_collapse if object->backing_object != 0 && object->backing_object->ref_count == 1 && object->backing_object->type == OBJT_DEFAULT
continue
delete
backtrace 3
set $top = object
echo --- Before the collapse, the chain:\n
vmobj $top
pfinish
echo \n--- After: one object holds the pages, with no backing object.\n
vmobj $top
vmverify $sh->pid
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

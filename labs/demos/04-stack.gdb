# Lab 4 (stack), a tour in GDB: a fault below the stack grows it, into the room
# reserved below it.  For the lecturer: `make qemu-gdb` in one window; in another,
# in the top directory,  gdb-multiarch -nx -x .gdbinit -x labs/demos/04-stack.gdb
# and when it says so, type the command below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the command itself.)
#
# type: stacktest deep

echo \n=== Lab 4 (stack): a stack grows down on a fault ===\n
echo In the QEMU window, at the $ prompt, type:  stacktest deep\n
echo It recurses deeper than the 128 KiB that exec maps for the stack.\n
set print frame-arguments presence
break vm_map_growstack if $_streq($curproc()->name, "stacktest")
continue
delete

echo \n--- A fault in the hole below the stack: vm_fault calls vm_map_growstack.\n
printf "grow the stack of pid %d down to 0x%lx\n", p->pid, addr
echo --- The map before: the stack entry, and below it the line for its reservation\n
echo --- (room that mmap never hands out, kept for the stack to grow into):\n
vmmap
pfinish
echo \n--- After: a new stack entry below the old one, SGROWSIZ (128 KiB) steps down to\n
echo --- the fault; the reservation, now below the new piece, is that much smaller.\n
vmmap
vmverify
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

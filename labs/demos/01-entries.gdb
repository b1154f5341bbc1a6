# Lab 1 (entries), a tour in GDB: mprotect on the middle of an entry clips it in
# three.  For the lecturer: `make qemu-gdb` in one window; in another, in the top
# directory,  gdb-multiarch -nx -x .gdbinit -x labs/demos/01-entries.gdb
# and when it says so, type the command below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the command itself.)
#
# type: mmaptest hold &

echo \n=== Lab 1 (entries): mprotect clips an entry ===\n
echo In the QEMU window, at the $ prompt, type:  mmaptest hold &\n
echo It maps 4 anonymous pages, writes the first, then makes the second read-only.\n
set print frame-arguments presence
break vm_map_protect
continue
delete

echo \n--- We are in vm_map_protect, called by mprotect:\n
printf "mprotect [0x%lx, 0x%lx) to prot %d (1 r, 2 w, 4 x) in the map of\n", start, end, new_prot
print *$curproc()
set $map = map
echo \n--- The map before (vmmap: the same lines as the vmmap program):\n
print *$map
vmmap
echo \n--- Let vm_map_protect run to its end: it clips the entry at start and at end,\n
echo --- then changes the protection of the middle piece.  (pfinish is GDB's finish\n
echo --- for a process, which a timer interrupt may move to another CPU meanwhile.)\n
pfinish
echo \n--- After: three entries where there was one, on the same object at\n
echo --- consecutive offsets.  Only the middle one is read-only.\n
print *$map
vmmap
echo \n--- The hint: the entry the last lookup found, the clipped middle piece:\n
print *$map->hint
vmverify
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

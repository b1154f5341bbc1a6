# Lab 5 (wiring), a tour in GDB: mlock wires a range: an entry of its own, every
# page brought in and mapped, and kept there.  For the lecturer: `make qemu-gdb` in
# one window; in another, in the top directory,
#   gdb-multiarch -nx -x .gdbinit -x labs/demos/05-wiring.gdb
# and when it says so, type the command below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the command itself.)
#
# type: wiretest basic

echo \n=== Lab 5 (wiring): mlock makes memory stay put ===\n
echo In the QEMU window, at the $ prompt, type:  wiretest basic\n
echo It maps 64 KiB of fresh memory and mlocks all of it.\n
set print frame-arguments presence
break vm_map_wire if $_streq($curproc()->name, "wiretest")
continue
delete

printf "\n--- mlock calls vm_map_wire on [0x%lx, 0x%lx).\n", start, end
echo --- The map before: the range lies in an entry with WIRED 0, and none of its\n
echo --- pages is in memory yet (RES 0): nothing has touched them.\n
vmmap
pfinish
echo \n--- After: the range is an entry of its own (clipped at both ends if it had to be),\n
echo --- WIRED 1, and every page is in memory and mapped (RES 16): the wiring faulted\n
echo --- each one in, and the pageout daemon will leave them alone until munlock.\n
vmmap
echo \n--- The first page, walked through the page table:\n
pte start
vmverify
echo \n--- Its last-level PTE says WIRED: the fault that wired the page marked the\n
echo --- mapping too. Next wiretest munmaps the range; munmap unwires it first.\n
break vm_fault_unwire if $_streq($curproc()->name, "wiretest")
continue
delete
set $wstart = start
echo \n--- In vm_fault_unwire, on the way to munmap's removal: still WIRED.\n
pte $wstart
pfinish
echo \n--- After it: the pages are unwired (vm_page_unwire) and the mark is off the PTE\n
echo --- (pmap_unwire), which still maps the page; vm_map_delete removes it next.\n
pte $wstart
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

# Lab 2 (rbtree), a tour in GDB: vm_map_lookup_entry tries the hint, then walks
# down the red-black tree.  For the lecturer: `make qemu-gdb` in one window; in
# another, in the top directory,
#   gdb-multiarch -nx -x .gdbinit -x labs/demos/02-rbtree.gdb
# and when it says so, type the command below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the command itself.)
#
# type: mmaptest hold &

echo \n=== Lab 2 (rbtree): a lookup, with the hint and the tree ===\n
echo In the QEMU window, at the $ prompt, type:  mmaptest hold &\n
echo We stop at its first mmap, and follow the lookups that the mmap and the\n
echo first write to the new memory make.\n
set print frame-arguments presence
break sys_mmap if $_streq($curproc()->name, "mmaptest")
continue
delete
set $map = &$curproc()->p_vmspace->vm_map
echo \n--- The map's tree before the mmap (sideways: the root first, L and R children\n
echo --- indented under their parent; max_free: the largest free gap below):\n
vmtree
break vm_map_lookup_entry if map == $map
continue

echo \n--- Lookup 1: mmap inserts the new entry, and first looks up its start.\n
printf "vm_map_lookup_entry(map, 0x%lx)\n", addr
vmlookup addr
set $visits = $map->lookup_visits
pfinish
printf "The kernel's lookup visited %d tree nodes.\n", $map->lookup_visits - $visits

continue
echo \n--- Lookup 2: the next lookup in this map.  The new entry is in the tree now\n
echo --- (an insertion may rotate the tree to keep it balanced):\n
vmtree
printf "vm_map_lookup_entry(map, 0x%lx)\n", addr
vmlookup addr
set $visits = $map->lookup_visits
pfinish
printf "The kernel's lookup visited %d tree nodes.\n", $map->lookup_visits - $visits

continue
echo \n--- Lookup 3: and the next.\n
printf "vm_map_lookup_entry(map, 0x%lx)\n", addr
vmlookup addr
set $visits = $map->lookup_visits
pfinish
printf "The kernel's lookup visited %d tree nodes.\n", $map->lookup_visits - $visits
delete
vmverify
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

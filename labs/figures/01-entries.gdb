# Lab 1's figure (tools/figures.py draws it; make figures): a map after mprotect
# has clipped an entry in three, each piece its own entry over one object.
# $figure: the Graphviz file to write.
#
# type: mmaptest hold &

set print frame-arguments presence
break vm_map_protect
continue
delete
set $p = $curproc()
pfinish
eval "vmmap --dot %s %d", $figure, $p->pid

# Lab 2's figure (tools/figures.py draws it; make figures): the red-black tree of
# a map, red and black nodes, each with max_free, the hint marked.
# $figure: the Graphviz file to write.
#
# type: mmaptest hold &

set print frame-arguments presence
break vm_map_protect
continue
delete
set $p = $curproc()
pfinish
eval "vmtree --dot %s %d", $figure, $p->pid

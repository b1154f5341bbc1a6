# Lab 3's figure (tools/figures.py draws it; make figures): after fork, the
# shell's first write to a copy-on-write page has put a shadow object over the
# object it shares with its child.
# $figure: the Graphviz file to write.
#
# type: echo hi

set print frame-arguments presence
break vmspace_fork if $_streq($curproc()->name, "sh")
continue
delete
set $sh = $curproc()
break vm_object_shadow_try if $curproc() == $sh
continue
delete
pfinish
eval "vmmap --dot %s %d", $figure, $sh->pid

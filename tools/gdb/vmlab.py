# vmlab's GDB extension: the VM system of a stopped machine, as a lecturer shows it.
# The .gdbinit that `make qemu-gdb` writes (tools/gdbinit.ARCH.tmpl) loads it;
# the same commands work on both ports.
#
#   vmmap [PID]        the map's entries: the lines the user program vmmap prints
#   vmtree [PID]       the map's red-black tree, sideways: colour, max_free, hint
#                      (vmtree --dot FILE [PID]: for Graphviz)
#   vmlookup VA [PID]  how vm_map_lookup_entry finds VA: the hint, then the tree
#   vmobj EXPR         an object's shadow chain, each object's resident pages
#   pte VA [PID]       the page-table walk for VA, level by level, each PTE decoded
#   procs              the process table, like ps
#   upcalls [PID]      the vmspace's upcalls (lab 6), and the process's state
#   vmverify [PID]     vm_map_verify's checks, on the stopped machine
#   uprog NAME         load build/ARCH/user/_NAME's symbols (then: break NAME.c:main)
#   pfinish            finish, in this process, on whichever CPU it returns
#   $curproc()         the process the selected CPU runs (a struct proc *), or 0
#
# PID defaults to the process the selected CPU runs.  `print` shows a
# vm_map_entry, vm_map, vm_object, vmspace or proc as one readable line, with
# addresses in hex (`print/r` shows the raw structure).
#
# The code is in tools/gdb/vmgdb/, a module per command.

import os
import sys

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vmgdb  # noqa: E402,F401  (registers the commands and the printers)

# vmlab's GDB extension (tools/gdb/vmlab.py loads it): a module per command, on
# machine.py, which reads the kernel's structures.
from . import machine, printers, procs, pte, resident, session, tree, upcalls, verify, vmmap, vmobj  # noqa: F401,E501

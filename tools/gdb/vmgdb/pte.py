# pte: the page-table walk for an address, level by level.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


class PteCommand(gdb.Command):
    """pte VA [PID]: the page-table walk for VA, level by level, each PTE decoded.
Sv39: L2 L1 L0; x86-64: PML4 PDPT PD PT.  Then the page's physical address and
what user code may do with it.  PID: default, the process the selected CPU runs."""

    def __init__(self):
        super().__init__("pte", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args or len(args) > 2:
            raise gdb.GdbError("usage: pte VA [PID]")
        va = int(gdb.parse_and_eval(args[0])) & 0xffffffffffffffff
        p = find_proc(args[1] if len(args) > 1 else "")
        proc_map(p)
        pt = PageTable(p["p_vmspace"]["vm_pmap"])
        steps, pa = pt.walk(va)
        print(f"pte {hx(va)} in {proc_label(p)}: root table {hx(pt.root_va)}")
        for name, idx, table, pte in steps:
            bits = decode_pte(pte) or "-"
            print(f"  {name}[{idx}] at {hx(table + 8 * idx)}: {hx(pte)}  {bits}")
        if pa is None:
            print(f"  {hx(va)} is not mapped ({steps[-1][0]} entry not valid)")
        else:
            print(f"  {hx(va)} -> physical {hx(pa)}: {pte_summary([pte for _, _, _, pte in steps])}")


PteCommand()

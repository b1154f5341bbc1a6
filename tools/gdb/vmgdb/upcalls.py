# upcalls: a vmspace's upcall registrations (lab 6), and where a process stands.
import struct

import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


def user_ints(p, va, n):
    """n 32-bit ints at user address va of p, read through its page table and the
    direct map; None where a page is not mapped."""
    pt = PageTable(p["p_vmspace"]["vm_pmap"])
    pa = pt.extract(va)
    if pa is None or (va & (PAGE_SIZE - 1)) + 4 * n > PAGE_SIZE:
        return None
    mem = gdb.selected_inferior().read_memory(pt.dmap(pa), 4 * n)
    return struct.unpack(f"<{n}i", bytes(mem))


def user_pc_sp(tf):
    if port() == "riscv64":
        return int(tf["epc"]), int(tf["sp"])
    return int(tf["rip"]), int(tf["rsp"])


class UpcallsCommand(gdb.Command):
    """upcalls [PID]: the upcalls registered in PID's vmspace (lab 6), in id order:
each one's id, the process that registered it (and runs it), its function, data
and context function, and the priority pending (0: none).  Then PID's own state:
its struct upcall in user memory (critical count, upc_pending), p_upcallpend,
and the pc and stack pointer it will return to user mode with.
PID: default, the process the selected CPU runs."""

    def __init__(self):
        super().__init__("upcalls", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        p = find_proc(arg)
        proc_map(p)
        vm = p["p_vmspace"]
        print(f"vmspace {hx(addr(vm))} of {proc_label(p)}: {int(vm['vm_upccount'])} upcalls "
              f"registered, next id {32 + int(vm['vm_upcids'])}")
        vu = vm["vm_upcalls"]
        while addr(vu):
            print(f"  id {int(vu['vu_id'])}  {proc_label(vu['vu_lwp'].dereference())}  "
                  f"func {hx(vu['vu_func'])}  data {hx(vu['vu_data'])}  "
                  f"ctx {hx(vu['vu_ctx'])}  pending {int(vu['vu_pending'])}")
            vu = vu["vu_next"]
        upc = int(p["p_upcall"])
        if upc == 0:
            state = "no struct upcall registered"
        else:
            ints = user_ints(p, upc, 2)
            state = f"struct upcall at {hx(upc)}: " + \
                ("not mapped" if ints is None else f"critcount {ints[0]}, upc_pending {ints[1]}")
        pc, sp = user_pc_sp(p["trapframe"].dereference())
        print(f"{proc_label(p)}: {state}; p_upcallpend {int(p['p_upcallpend'])}; "
              f"returns to pc {hx(pc)}, sp {hx(sp)}")


UpcallsCommand()

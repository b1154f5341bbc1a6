# procs and $curproc(): the process table, and the process a CPU runs.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


class CurProc(gdb.Function):
    """$curproc(): the struct proc * the selected CPU runs (0 in the scheduler).
For breakpoint conditions:  break vm_fault if $_streq($curproc()->name, "cowtest")"""

    def __init__(self):
        super().__init__("curproc")

    def invoke(self):
        return current_proc()


class ProcsCommand(gdb.Command):
    """procs: the process table, like ps.
Pid, parent, state, the CPU running it, its map's entries and size, its resident
pages, its name; and what a sleeper sleeps on."""

    def __init__(self):
        super().__init__("procs", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        cpus = gdb.parse_and_eval("cpus")
        lo, hi = cpus.type.range()
        on = {addr(cpus[i]["proc"]): i for i in range(lo, hi + 1) if addr(cpus[i]["proc"])}
        print("PID PPID STATE CPU ENTRIES SIZE RSS NAME")
        for p in procs():
            parent = p["parent"]
            ppid = int(parent["pid"]) if addr(parent) else 0
            vm = p["p_vmspace"]
            if addr(vm):
                m = vm["vm_map"]
                mem = f"{int(m['nentries'])} {hx(m['size'])} {int(vm['vm_pmap']['pm_resident'])}"
            else:
                mem = "- - -"
            cpu = on.get(addr(p.address), "-")
            state = enum_name(p["state"], "")
            chan = f" (on {chan_name(p['chan'])})" if state == "sleeping" else ""
            print(f"{int(p['pid'])} {ppid} {state} {cpu} {mem} {p['name'].string()}{chan}")


ProcsCommand()
CurProc()

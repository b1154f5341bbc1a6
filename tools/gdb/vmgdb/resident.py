# resident: the resident executables' registrations (lab 7), and their snapshots.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)
from .vmmap import vmmap_lines


def registrations():
    """The registrations on res_list, newest first (its order); None in a tree whose
    lab 7 registry is not written yet."""
    try:
        vr = gdb.parse_and_eval("res_list")
    except gdb.error:
        return None
    found = []
    while addr(vr):
        found.append(vr.dereference())
        vr = vr["vr_next"]
    return found


def stale(vr):
    """imgact_resident.c's res_stale(): the file lost its last name or changed."""
    ip = vr["vr_vnode"]
    return int(ip["nlink"]) == 0 or int(ip["i_gen"]) != int(vr["vr_gen"])


class ResidentCommand(gdb.Command):
    """resident [-v]: the registrations of resident executables (lab 7), newest
first, as res_list keeps them: each one's id, the path it was registered by, its
exec count and references (the list's, and one per exec copying its snapshot
now), where its runs start, whether its file changed since (stale: dropped at
the next look), and its snapshot's vmspace.  -v: each snapshot's map too, the
lines the vmmap program prints."""

    def __init__(self):
        super().__init__("resident", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if arg.strip() not in ("", "-v"):
            raise gdb.GdbError("usage: resident [-v]")
        regs = registrations()
        if regs is None:
            raise gdb.GdbError("no res_list in this kernel: lab 7's registry is not written")
        print(f"{len(regs)} resident" if regs else "nothing resident")
        for vr in regs:
            vm = vr["vr_vmspace"]
            m = vm["vm_map"]
            print(f"  id {int(vr['vr_id'])}  {vr['vr_path'].string()}  "
                  f"execs {int(vr['vr_execs'])}  refs {int(vr['vr_refs'])}  "
                  f"entry {hx(vr['vr_entry'])}{'  STALE' if stale(vr) else ''}  "
                  f"snapshot vmspace {hx(addr(vm))}: {int(m['nentries'])} entries, "
                  f"{int(m['size']) // 1024} KiB")
            if arg.strip() == "-v":
                for line in vmmap_lines(vm.dereference()):
                    print(f"    {line}")


ResidentCommand()

# Pretty-printers: the VM's structures as one line each, addresses in hex.
import gdb.printing

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


class EntryPrinter:
    def __init__(self, v):
        self.v = v

    def to_string(self):
        return entry_line(self.v)


def lock_state(lk):
    if int(lk["lk_exclusive"]):
        return f"exclusive (pid {int(lk['lk_pid'])})"
    if int(lk["lk_shared"]):
        return f"shared x{int(lk['lk_shared'])}"
    return "unlocked"


class MapPrinter:
    def __init__(self, v):
        self.v = v

    def to_string(self):
        m = self.v

        def where(e):
            return "header" if is_header(m, e) else f"{hx(e)} [{hx(e['start'])}, {hx(e['end'])})"
        return (f"map [{hx(m['header']['start'])}, {hx(m['header']['end'])}) nentries "
                f"{int(m['nentries'])} size {hx(m['size'])} hint {where(m['hint'])} "
                f"first_free {where(m['first_free'])} timestamp {int(m['timestamp'])} "
                f"lock {lock_state(m['lock'])}")


class ObjectPrinter:
    def __init__(self, v):
        self.v = v

    def to_string(self):
        return object_line(self.v)


class VmspacePrinter:
    def __init__(self, v):
        self.v = v

    def to_string(self):
        vm = self.v
        return (f"vmspace refcnt {int(vm['vm_refcnt'])}, pmap root {hx(vm['vm_pmap']['pm_root'])} "
                f"resident {int(vm['vm_pmap']['pm_resident'])}, text {hx(vm['vm_taddr'])} "
                f"data {hx(vm['vm_daddr'])} brk {hx(vm['vm_brk'])} stack "
                f"[{hx(vm['vm_maxsaddr'])}, {hx(vm['vm_minsaddr'])})")

    def children(self):
        yield "vm_map", self.v["vm_map"]


class ProcPrinter:
    def __init__(self, v):
        self.v = v

    def to_string(self):
        p = self.v
        state = enum_name(p["state"], "").lower()
        if state == "unused":
            return "unused proc slot"
        chan = f" on {chan_name(p['chan'])}" if state == "sleeping" else ""
        return f"pid {int(p['pid'])} ({p['name'].string()}) {state}{chan}"


def build_printers():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("vmlab")
    pp.add_printer("vm_map_entry", "^vm_map_entry$", EntryPrinter)
    pp.add_printer("vm_map", "^vm_map$", MapPrinter)
    pp.add_printer("vm_object", "^vm_object$", ObjectPrinter)
    pp.add_printer("vmspace", "^vmspace$", VmspacePrinter)
    pp.add_printer("proc", "^proc$", ProcPrinter)
    return pp


gdb.printing.register_pretty_printer(None, build_printers(), replace=True)

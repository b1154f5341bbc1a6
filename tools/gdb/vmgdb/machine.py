# Reading the stopped machine: the kernel's processes, maps, objects, pages and page
# tables, through GDB's types by field name.  What the kernel defines as macros
# (flags, the direct map's base, PTE bits) is not in the debug information, so it
# is repeated here, each with the header it comes from.

import struct
import subprocess
from pathlib import Path

import gdb

PAGE_SIZE = 4096

# vm/vm_param.h
VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXECUTE = 0x1, 0x2, 0x4

# vm/vm_map.h: MAP_ENTRY_*, as the pretty-printer names them
ENTRY_FLAGS = [
    (0x0004, "COW"), (0x0008, "NEEDS_COPY"), (0x0002, "STACK"), (0x0020, "USER_WIRED"),
    (0x0010, "NOFAULT"), (0x0001, "NOSYNC"), (0x0400, "NOCOREDUMP"),
    (0x0100, "IN_TRANSITION"), (0x0200, "NEEDS_WAKEUP"), (0x0800, "KSTACK"),
]
MAP_ENTRY_COW, MAP_ENTRY_NEEDS_COPY, MAP_ENTRY_STACK = 0x0004, 0x0008, 0x0002
MAP_ENTRY_USER_WIRED, MAP_ENTRY_IN_TRANSITION, MAP_ENTRY_NEEDS_WAKEUP = 0x0020, 0x0100, 0x0200
BEHAV_MASK, BEHAV_SEQUENTIAL, BEHAV_RANDOM = 0x00C0, 0x0040, 0x0080
INHERIT = {0: "share", 1: "copy", 2: "none"}

# vm/vm_info.c (kve_flags) and user/vmmap.c: the names vmmap prints, in its order
VMMAP_FLAGS = [
    (0x0004, "cow"), (0x0008, "nc"), (0x0002, "stack"), (0x0020, "wired"),
    (0x0010, "nofault"), (0x0001, "nosync"), (0x0400, "nocore"), (0x0100, "trans"),
]

# machine/vmparam.h (DMAP_BASE) and the ports' PTE bits (machine/riscv.h, x86_64/pmap.c)
PORTS = {
    "riscv64": dict(dmap=0xffffffc000000000, levels=["L2", "L1", "L0"],
                    flags=[(1 << 0, "V"), (1 << 1, "R"), (1 << 2, "W"), (1 << 3, "X"),
                           (1 << 4, "U"), (1 << 5, "G"), (1 << 6, "A"), (1 << 7, "D"),
                           (1 << 8, "WIRED")]),
    "x86_64": dict(dmap=0xffff800000000000, levels=["PML4", "PDPT", "PD", "PT"],
                   flags=[(1 << 0, "P"), (1 << 1, "RW"), (1 << 2, "U"), (1 << 3, "PWT"),
                          (1 << 4, "PCD"), (1 << 5, "A"), (1 << 6, "D"), (1 << 7, "PS"),
                          (1 << 8, "G"), (1 << 9, "WIRED"), (1 << 63, "NX")]),
}


def dot_option(arg, usage):
    """A command's arguments split as (FILE of a leading --dot FILE, or None; the
    rest); usage is the error for a --dot without its FILE."""
    args = gdb.string_to_argv(arg)
    if args[:1] != ["--dot"]:
        return None, args
    if len(args) < 2:
        raise gdb.GdbError(usage)
    return args[1], args[2:]


def save_dot(path, text):
    """Write text, a graph in Graphviz's dot language, to path; a path that ends in
    .svg or .png gets the picture itself, drawn by dot (Debian's graphviz).  Returns
    the rest of the command's message: how to draw it, for a .dot file."""
    fmt = Path(path).suffix[1:]
    if fmt not in ("svg", "png"):
        Path(path).write_text(text)
        return f"; draw it with dot -Tsvg {path} -o picture.svg (or give FILE.svg, FILE.png)"
    try:
        subprocess.run(["dot", f"-T{fmt}", "-o", path], input=text, text=True, check=True,
                       capture_output=True)
    except FileNotFoundError:
        raise gdb.GdbError("dot not found: install Debian's graphviz (make doctor does)")
    except subprocess.CalledProcessError as e:
        raise gdb.GdbError(f"dot -T{fmt} failed: {e.stderr.strip()}")
    return ""


def hx(n):
    return f"0x{int(n):x}"


def port():
    name = gdb.selected_inferior().architecture().name()
    return "riscv64" if name.startswith("riscv") else "x86_64"


def addr(v):
    """A pointer (or an integer) as a Python int."""
    return int(v.cast(gdb.lookup_type("unsigned long"))) if v.type.code == gdb.TYPE_CODE_PTR \
        else int(v)


def field_offset(typename, field):
    for f in gdb.lookup_type(typename).fields():
        if f.name == field:
            return f.bitpos // 8
    raise gdb.GdbError(f"{typename} has no field {field}")


def container(ptr, typename, field):
    """rb_entry(): the structure of type typename whose field ptr points to."""
    t = gdb.lookup_type(typename)
    return gdb.Value(addr(ptr) - field_offset(typename, field)).cast(t.pointer())


def has_field(value, name):
    """Has the structure (or the one value points to) a field called name?"""
    t = value.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        t = t.target().strip_typedefs()
    return any(f.name == name for f in t.fields())


def prot_str(p):
    p = int(p)
    return ("r" if p & VM_PROT_READ else "-") + ("w" if p & VM_PROT_WRITE else "-") + \
        ("x" if p & VM_PROT_EXECUTE else "-")


def enum_name(v, prefix):
    """An enum value by its name, without prefix, in lower case (OBJT_VNODE: vnode)."""
    s = str(v)
    return s[len(prefix):].lower() if s.startswith(prefix) else s


# ---------------------------------------------------------------- processes

def procs():
    """Every process slot in use, as struct proc values."""
    table = gdb.parse_and_eval("proc")
    lo, hi = table.type.range()
    for i in range(lo, hi + 1):
        p = table[i]
        if enum_name(p["state"], "") != "unused":
            yield p


def cpu_index():
    """The selected CPU: QEMU's gdbstub numbers its threads (CPUs) from 1."""
    t = gdb.selected_thread()
    if t is None:
        raise gdb.GdbError("no CPU selected (is GDB connected?)")
    return (t.ptid[1] or t.num) - 1


def current_proc():
    """cpus[this CPU].proc, the process the selected CPU runs (null in the scheduler)."""
    cpus = gdb.parse_and_eval("cpus")
    i = cpu_index()
    if i > cpus.type.range()[1]:
        return gdb.Value(0).cast(gdb.lookup_type("struct proc").pointer())
    return cpus[i]["proc"]


def find_proc(arg):
    """The process PID names (a struct proc value), or the current one."""
    arg = arg.strip()
    if not arg:
        p = current_proc()
        if addr(p) == 0:
            raise gdb.GdbError(f"CPU {cpu_index()} runs no process (it is in the scheduler): "
                               "give a pid (procs lists them)")
        return p.dereference()
    pid = int(gdb.parse_and_eval(arg))
    for p in procs():
        if int(p["pid"]) == pid:
            return p
    raise gdb.GdbError(f"no process has pid {pid} (procs lists them)")


def proc_map(p):
    vm = p["p_vmspace"]
    if addr(vm) == 0:
        raise gdb.GdbError(f"pid {int(p['pid'])} ({p['name'].string()}) has no address space")
    return vm["vm_map"]


def proc_label(p):
    return f"pid {int(p['pid'])} ({p['name'].string()})"


# ---------------------------------------------------------------- map entries

def entries(m):
    """The entries of map m (a struct vm_map value), in list order, as values."""
    head = addr(m["header"].address)
    e = m["header"]["next"]
    n = 0
    while addr(e) != head:
        yield e.dereference()
        e = e["next"]
        n += 1
        if n > 100000:
            raise gdb.GdbError("the entry list does not come back to the header")


def is_header(m, e):
    return addr(e) == addr(m["header"].address)


def gap_start(m, e):
    """vm_map.c's gap_start(): where the free gap below entry e starts."""
    return int(m["header"]["start"]) if is_header(m, e["prev"]) else int(e["prev"]["end"])


def gap_end(m, e):
    """vm_map.c's gap_end(): where it ends (below a stack's reservation, lab 4)."""
    avail = int(e["aux"]["avail_ssize"])
    start = int(e["start"])
    if avail > 0:
        lo = gap_start(m, e)
        return lo if start - lo <= avail else start - avail
    return start


def entry_line(e):
    """A map entry as the pretty-printer shows it."""
    flags = int(e["eflags"])
    names = [n for bit, n in ENTRY_FLAGS if flags & bit]
    behav = flags & BEHAV_MASK
    if behav == BEHAV_SEQUENTIAL:
        names.append("SEQUENTIAL")
    elif behav == BEHAV_RANDOM:
        names.append("RANDOM")
    obj = addr(e["object"]["vm_object"])
    inh = INHERIT.get(int(e["inheritance"]), str(int(e["inheritance"])))
    return (f"[{hx(e['start'])}, {hx(e['end'])}) {prot_str(e['protection'])}/"
            f"{prot_str(e['max_protection'])}{''.join(' ' + n for n in names)} "
            f"obj {hx(obj) if obj else 'none'} off {hx(e['offset'])} inh {inh} "
            f"wired {int(e['wired_count'])}")


def rb_inorder(n):
    """The nodes of the red-black (sub)tree under n, in key order."""
    if addr(n):
        yield from rb_inorder(n["left"])
        yield n
        yield from rb_inorder(n["right"])


# ---------------------------------------------------------------- objects and pages

def object_chain(o):
    """o (a struct vm_object *) and the objects below it, as pointers."""
    n = 0
    while addr(o):
        yield o
        o = o["backing_object"]
        n += 1
        if n > 10000:
            raise gdb.GdbError("the backing chain does not end")


def object_type(o):
    return enum_name(o["type"], "OBJT_")


def pages(o, lo=0, hi=None):
    """The resident pages of object o with lo <= pindex < hi (hi None: no bound), in
    order, as struct vm_page values: an in-order walk of o->rb_memq."""
    def walk(n):
        if addr(n) == 0:
            return
        m = container(n, "struct vm_page", "rb").dereference()
        pi = int(m["pindex"])
        if pi >= lo:
            yield from walk(n["left"])
        if pi >= lo and (hi is None or pi < hi):
            yield m
        if hi is None or pi < hi:
            yield from walk(n["right"])
    yield from walk(o["rb_memq"]["root"])


# ---------------------------------------------------------------- page tables

class PageTable:
    """A pmap's page-table tree, read through the kernel's direct map (every address
    space maps the kernel, so this works whatever the CPU runs).  Table pages are
    read whole, once per command."""

    def __init__(self, pmap):
        self.port = PORTS[port()]
        self.root_va = addr(pmap["pm_root"])
        self.cache = {}

    def table(self, va):
        if va not in self.cache:
            mem = gdb.selected_inferior().read_memory(va, PAGE_SIZE)
            self.cache[va] = struct.unpack("<512Q", bytes(mem))
        return self.cache[va]

    def dmap(self, pa):
        return self.port["dmap"] + pa

    def walk(self, va):
        """[(level name, index, table va, pte)] down to the leaf or the first invalid
        PTE; and the physical address va maps to, or None."""
        steps, table = [], self.root_va
        nlev = len(self.port["levels"])
        for i, name in enumerate(self.port["levels"]):
            shift = 12 + 9 * (nlev - 1 - i)
            idx = (va >> shift) & 0x1ff
            pte = self.table(table)[idx]
            steps.append((name, idx, table, pte))
            if not pte & 1:
                return steps, None
            if port() == "riscv64":
                pa = (pte >> 10) << 12
                leaf = pte & 0xe            # R, W or X: a leaf at any level
            else:
                pa = pte & 0x000ffffffffff000
                leaf = i == nlev - 1 or (pte & 0x80)
            if leaf:
                size = 1 << shift
                return steps, (pa & ~(size - 1)) + (va & (size - 1))
            table = self.dmap(pa)
        return steps, None

    def extract(self, va):
        return self.walk(va)[1]


def decode_pte(pte):
    names = [n for bit, n in PORTS[port()]["flags"] if pte & bit]
    return " ".join(names)


def pte_summary(ptes):
    """What the walk's PTEs (root first) allow, in words both ports share.  Sv39:
    the leaf says it all; x86-64: each level must allow writes and user access,
    and any level can forbid execution."""
    pte = ptes[-1]
    if not pte & 1:
        return "not present"
    if port() == "riscv64":
        w, u, x = pte & (1 << 2), pte & (1 << 4), pte & (1 << 3)
        r = pte & (1 << 1)
    else:
        w = all(p & 2 for p in ptes)
        u = all(p & 4 for p in ptes)
        x, r = not any(p & (1 << 63) for p in ptes), True
    return ", ".join(["present", "read" if r else "no read",
                      "writable" if w else "not writable", "user" if u else "kernel only",
                      "exec" if x else "no exec"])


def object_line(o):
    b = addr(o["backing_object"])
    # Pages in swap: only in a tree with the swap pager.
    swap = f", {int(o['swap_count'])} in swap" if has_field(o, "swap_count") else ""
    return (f"{object_type(o)} object id {int(o['id'])}, {int(o['size'])} pages, "
            f"ref {int(o['ref_count'])}, shadows {int(o['shadow_count'])}, "
            f"{int(o['resident_page_count'])} resident{swap}, backing " +
            (f"{hx(b)} at offset {hx(o['backing_object_offset'])}" if b else "none"))


def chan_name(chan):
    """A sleep channel: its address, and the symbol there as GDB names it."""
    return str(chan.cast(gdb.lookup_type("void").pointer()))

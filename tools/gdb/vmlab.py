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
#   vmverify [PID]     vm_map_verify's checks, on the stopped machine
#   uprog NAME         load build/ARCH/user/_NAME's symbols (then: break NAME.c:main)
#   pfinish            finish, in this process, on whichever CPU it returns
#   $curproc()         the process the selected CPU runs (a struct proc *), or 0
#
# PID defaults to the process the selected CPU runs.  `print` shows a
# vm_map_entry, vm_map, vm_object, vmspace or proc as one readable line, with
# addresses in hex (`print/r` shows the raw structure).
#
# Structures are read through GDB's types, by field name.  What the kernel
# defines as macros (flags, the direct map's base, PTE bits) is not in the debug
# information, so it is repeated here, each with the header it comes from.

import os
import struct

import gdb
import gdb.printing

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


class CurProc(gdb.Function):
    """$curproc(): the struct proc * the selected CPU runs (0 in the scheduler).
For breakpoint conditions:  break vm_fault if $_streq($curproc()->name, "cowtest")"""

    def __init__(self):
        super().__init__("curproc")

    def invoke(self):
        return current_proc()


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


# ---------------------------------------------------------------- vmmap

def entry_resident(m, e, pt):
    """vm_info.c's entry_resident(): the pages of e's object chain that the pmap maps
    at their own addresses."""
    first = int(e["offset"]) // PAGE_SIZE
    n = (int(e["end"]) - int(e["start"])) // PAGE_SIZE
    count = 0
    for o in object_chain(e["object"]["vm_object"]):
        for pg in pages(o, first, first + n):
            va = int(e["start"]) + (int(pg["pindex"]) - first) * PAGE_SIZE
            if pt.extract(va) == int(pg["phys_addr"]):
                count += 1
        first += int(o["backing_object_offset"]) // PAGE_SIZE
    return count


def vmmap_lines(vm):
    """What user/vmmap prints for the vmspace vm (a struct vmspace value)."""
    m = vm["vm_map"]
    pt = PageTable(vm["vm_pmap"])
    lines = ["START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET RES DEPTH"]
    for e in entries(m):
        start, end = int(e["start"]), int(e["end"])
        reserve = start - gap_end(m, e)
        if reserve:
            lines.append(f"{hx(start - reserve)}-{hx(start)} --- --- - reserved 0 none 0x0 0 0")
        flags = int(e["eflags"])
        names = [n for bit, n in VMMAP_FLAGS if flags & bit]
        if flags & BEHAV_MASK == BEHAV_SEQUENTIAL:
            names.append("seq")
        if flags & BEHAV_MASK == BEHAV_RANDOM:
            names.append("rand")
        o = e["object"]["vm_object"]
        if addr(o):
            obj = f"{object_type(o)}:{int(o['id'])}"
            depth = len(list(object_chain(o)))
        else:
            obj, depth = "none", 0
        lines.append(f"{hx(start)}-{hx(end)} {prot_str(e['protection'])} "
                     f"{prot_str(e['max_protection'])} "
                     f"{INHERIT.get(int(e['inheritance']), '?')} {','.join(names) or '-'} "
                     f"{int(e['wired_count'])} {obj} {hx(e['offset'])} "
                     f"{entry_resident(m, e, pt)} {depth}")
    return lines


class VmmapCommand(gdb.Command):
    """vmmap [PID]: the process's map entries, as the vmmap program prints them.
One line per entry: START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET RES DEPTH.
PID: default, the process the selected CPU runs."""

    def __init__(self):
        super().__init__("vmmap", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        p = find_proc(arg)
        proc_map(p)
        print("\n".join(vmmap_lines(p["p_vmspace"].dereference())))


# ---------------------------------------------------------------- vmtree

def colour(red, text):
    """text in the node's colour, when GDB styles its output (a terminal)."""
    if gdb.parameter("style enabled"):
        return f"\x1b[{'31' if red else '1'}m{text}\x1b[0m"
    return text


def tree_lines(m):
    hint, ff = addr(m["hint"]), addr(m["first_free"])
    root = m["rb_root"]["root"]
    lines = []

    def node(n, depth, side):
        e = container(n, "struct vm_map_entry", "rb_entry")
        ev = e.dereference()
        red = bool(int(n["red"]))
        marks = (" <hint" if addr(e) == hint else "") + (" <first_free" if addr(e) == ff else "")
        lines.append(f"{'  ' * depth}{side}{colour(red, 'red  ' if red else 'black')} "
                     f"[{hx(ev['start'])}, {hx(ev['end'])}) max_free {hx(ev['max_free'])} "
                     f"gap {hx(gap_end(m, ev) - gap_start(m, ev))}{marks}")
        for child, s in ((n["left"], "L "), (n["right"], "R ")):
            if addr(child):
                node(child, depth + 1, s)

    if addr(root):
        node(root, 0, "")
    return lines


def tree_dot(m, title):
    """The tree in Graphviz's dot language: red and black nodes, L and R edges."""
    hint, ff = addr(m["hint"]), addr(m["first_free"])
    out = ['digraph vmtree {', f'  label="{title}"; labelloc=t;',
           '  node [shape=box, style=filled, fontname=monospace, fontcolor=white];']
    for n in rb_inorder(m["rb_root"]["root"]):
        e = container(n, "struct vm_map_entry", "rb_entry").dereference()
        marks = ("\\nhint" if addr(e.address) == hint else "") + \
            ("\\nfirst_free" if addr(e.address) == ff else "")
        out.append(f'  n{addr(n):x} [label="[{hx(e["start"])}, {hx(e["end"])})\\n'
                   f'max_free {hx(e["max_free"])}{marks}", '
                   f'fillcolor={"red" if int(n["red"]) else "black"}];')
        for child, side in ((n["left"], "L"), (n["right"], "R")):
            if addr(child):
                out.append(f'  n{addr(n):x} -> n{addr(child):x} [label="{side}"];')
    out.append("}")
    return "\n".join(out) + "\n"


class VmtreeCommand(gdb.Command):
    """vmtree [--dot FILE] [PID]: the map's red-black tree, drawn sideways.
The root first, each child indented under its parent (L: left, R: right), with its
colour, its bounds, max_free (the largest free gap in its subtree) and its own gap;
<hint and <first_free mark those entries.  --dot FILE: write it for Graphviz
instead (dot -Tsvg FILE -o tree.svg draws it).  PID: default, the process the
selected CPU runs."""

    def __init__(self):
        super().__init__("vmtree", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        dot = None
        if args[:1] == ["--dot"]:
            if len(args) < 2:
                raise gdb.GdbError("usage: vmtree [--dot FILE] [PID]")
            dot, args = args[1], args[2:]
        p = find_proc(" ".join(args))
        m = proc_map(p)
        if dot:
            with open(dot, "w") as f:
                f.write(tree_dot(m, f"{proc_label(p)}: map {hx(m.address)}"))
            print(f"vmtree: {proc_label(p)}'s tree in {dot}; draw it with "
                  f"dot -Tsvg {dot} -o tree.svg")
            return
        print(f"{proc_label(p)}: map {hx(m.address)}, {int(m['nentries'])} entries")
        lines = tree_lines(m) or ["the tree is empty" + (
            " (lab 2 puts the entries in it)" if int(m["nentries"]) else "")]
        print("\n".join(lines))
        for what in ("hint", "first_free"):
            e = m[what]
            print(f"{what}: " + ("the header" if is_header(m, e) else
                                 f"[{hx(e['start'])}, {hx(e['end'])})"))


# ---------------------------------------------------------------- vmlookup

def lookup_lines(m, va):
    """vm_map_lookup_entry()'s way to va, told step by step: the hint first, then
    down the tree (lab 2)."""
    hint = m["hint"]
    if not is_header(m, hint) and int(hint["start"]) <= va < int(hint["end"]):
        return [f"the hint [{hx(hint['start'])}, {hx(hint['end'])}) holds {hx(va)}: "
                "found at once, no tree node visited"]
    lines = ["the hint is the header" if is_header(m, hint) else
             f"the hint [{hx(hint['start'])}, {hx(hint['end'])}) does not hold {hx(va)}"]
    n, last, visits = m["rb_root"]["root"], None, 0
    if addr(n) == 0:
        lines.append("the tree is empty" + (" (lab 2 puts the entries in it)"
                                            if int(m["nentries"]) else ""))
    while addr(n):
        visits += 1
        e = container(n, "struct vm_map_entry", "rb_entry").dereference()
        where = f"  visit {visits}: [{hx(e['start'])}, {hx(e['end'])})"
        if va < int(e["start"]):
            lines.append(f"{where}: {hx(va)} is below it, go left")
            n = n["left"]
        elif va >= int(e["end"]):
            lines.append(f"{where}: {hx(va)} is above it, go right")
            last, n = e, n["right"]
        else:
            lines.append(f"{where}: holds {hx(va)}: found, and the hint moves here")
            return lines
    before = "the header" if last is None else f"[{hx(last['start'])}, {hx(last['end'])})"
    lines.append(f"not mapped, after {visits} visits: the entry before it is {before}")
    return lines


class VmlookupCommand(gdb.Command):
    """vmlookup VA [PID]: how vm_map_lookup_entry would find VA in the map now.
The hint first, then down the red-black tree, node by node.  PID: default, the
process the selected CPU runs."""

    def __init__(self):
        super().__init__("vmlookup", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if not args or len(args) > 2:
            raise gdb.GdbError("usage: vmlookup VA [PID]")
        va = int(gdb.parse_and_eval(args[0]))
        p = find_proc(args[1] if len(args) > 1 else "")
        lines = lookup_lines(proc_map(p), va)
        print(f"vmlookup {hx(va)} in {proc_label(p)}:")
        print("\n".join("  " + line for line in lines))


# ---------------------------------------------------------------- vmobj

def to_object(v):
    """An object pointer from what the user gave: an object, an entry, or an address."""
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        t = t.target().strip_typedefs()
        if t.code == gdb.TYPE_CODE_STRUCT and t.tag == "vm_map_entry":
            return v["object"]["vm_object"]
    elif t.code == gdb.TYPE_CODE_STRUCT:
        if t.tag == "vm_map_entry":
            return v["object"]["vm_object"]
        return to_object(v.address)
    return v.cast(gdb.lookup_type("struct vm_object").pointer())


def object_line(o):
    b = addr(o["backing_object"])
    # Pages in swap: only in a tree with the swap pager.
    swap = f", {int(o['swap_count'])} in swap" if has_field(o, "swap_count") else ""
    return (f"{object_type(o)} object id {int(o['id'])}, {int(o['size'])} pages, "
            f"ref {int(o['ref_count'])}, shadows {int(o['shadow_count'])}, "
            f"{int(o['resident_page_count'])} resident{swap}, backing " +
            (f"{hx(b)} at offset {hx(o['backing_object_offset'])}" if b else "none"))


class VmobjCommand(gdb.Command):
    """vmobj EXPR: an object's shadow chain, with each object's resident pages.
EXPR: a struct vm_object *, a map entry, or an address.  Top to bottom, each
object with its pages as pindex:physical address."""

    def __init__(self):
        super().__init__("vmobj", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: vmobj EXPR (an object, a map entry, or an address)")
        o = to_object(gdb.parse_and_eval(arg))
        if addr(o) == 0:
            print("no object (anonymous memory that was never touched)")
            return
        for depth, ob in enumerate(object_chain(o)):
            print(f"{'  ' * depth}{hx(ob)}: {object_line(ob)}")
            pgs = [f"{int(pg['pindex'])}:{hx(pg['phys_addr'])}" for pg in pages(ob)]
            print(f"{'  ' * depth}  pages: {' '.join(pgs) if pgs else '(none)'}")


# ---------------------------------------------------------------- pte

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


# ---------------------------------------------------------------- procs

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


def chan_name(chan):
    """A sleep channel: its address, and the symbol there as GDB names it."""
    return str(chan.cast(gdb.lookup_type("void").pointer()))


# ---------------------------------------------------------------- vmverify

class Broken(Exception):
    pass


def verify(cond, why, where=None):
    if not cond:
        raise Broken(why + (f" (at {where})" if where else ""))


def mergeable(m, a, b):
    """vm_map.c's vm_map_mergeable()."""
    if is_header(m, a.address) or is_header(m, b.address) or int(a["end"]) != int(b["start"]):
        return False
    if (int(a["eflags"]) | int(b["eflags"])) & (MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_STACK):
        return False
    oa, ob = addr(a["object"]["vm_object"]), addr(b["object"]["vm_object"])
    if oa != ob:
        return False
    if oa and int(a["offset"]) + int(a["end"]) - int(a["start"]) != int(b["offset"]):
        return False
    return all(int(a[f]) == int(b[f]) for f in ("eflags", "maptype", "protection",
                                                 "max_protection", "inheritance",
                                                 "wired_count"))


def clipped_apart(m, a, b):
    return (not is_header(m, a.address) and int(a["end"]) == int(b["start"]) and
            addr(a["object"]["vm_object"]) != 0 and
            addr(a["object"]["vm_object"]) == addr(b["object"]["vm_object"]) and
            int(a["offset"]) + int(a["end"]) - int(a["start"]) == int(b["offset"]))


def run_end(m, e):
    return int(m["header"]["start"]) if is_header(m, e.address) else int(e["end"])


def rb_check(n, parent):
    """rbtree.c's check(): the black height under n, or -1."""
    if addr(n) == 0:
        return 1
    if addr(n["parent"]) != parent:
        return -1
    red = int(n["red"])
    for c in (n["left"], n["right"]):
        if red and addr(c) and int(c["red"]):
            return -1
    left, right = rb_check(n["left"], addr(n)), rb_check(n["right"], addr(n))
    if left < 0 or right < 0 or left != right:
        return -1
    return left + (0 if red else 1)


def rb_inorder(n):
    if addr(n):
        yield from rb_inorder(n["left"])
        yield n
        yield from rb_inorder(n["right"])


def verify_subtree(m, n):
    if addr(n) == 0:
        return
    e = container(n, "struct vm_map_entry", "rb_entry").dereference()
    where = f"[{hx(e['start'])}, {hx(e['end'])})"
    gap = gap_end(m, e) - gap_start(m, e)
    verify_subtree(m, n["left"])
    verify_subtree(m, n["right"])
    best = gap
    for child, below in ((n["left"], True), (n["right"], False)):
        if addr(child):
            c = container(child, "struct vm_map_entry", "rb_entry").dereference()
            if below:
                verify(int(c["start"]) < int(e["start"]), "tree: left child not below its parent", where)
            else:
                verify(int(c["start"]) > int(e["start"]), "tree: right child not above its parent", where)
            best = max(best, int(c["max_free"]))
    verify(int(e["max_free"]) == best, "tree: max_free is not the subtree's largest gap", where)


def verify_tree(m, ents):
    nodes = list(rb_inorder(m["rb_root"]["root"]))
    verify(len(nodes) >= len(ents) and
           all(addr(n) == addr(e["rb_entry"].address) for n, e in zip(nodes, ents)),
           "tree and list differ in order or contents")
    verify(len(nodes) == len(ents), "tree has entries the list lacks")
    root = m["rb_root"]["root"]
    verify(not (addr(root) and int(root["red"])) and rb_check(root, 0) >= 0,
           "tree: red-black rules broken")
    verify_subtree(m, root)


def map_verify(m):
    """vm_map.c's vm_map_verify(), in Python: raises Broken with its message (and the
    entry, where there is one).  Returns a note on what was not checked, or ""."""
    head = m["header"]
    verify(int(head["start"]) <= int(head["end"]), "bounds reversed")
    ents, size = [], 0
    ff, in_run = head, True
    hint, first_free = addr(m["hint"]), addr(m["first_free"])
    hint_ok, ff_ok = hint == addr(head.address), False
    for e in entries(m):
        where = f"[{hx(e['start'])}, {hx(e['end'])})"
        start, end = int(e["start"]), int(e["end"])
        prev = e["prev"].dereference()
        flags = int(e["eflags"])
        avail = int(e["aux"]["avail_ssize"])
        verify(addr(e["next"]["prev"]) == addr(e.address) and
               addr(e["prev"]["next"]) == addr(e.address), "list: broken links", where)
        verify(start < end, "entry: empty or reversed", where)
        verify(start % PAGE_SIZE == 0 and end % PAGE_SIZE == 0, "entry: not page aligned", where)
        verify(start >= int(head["start"]) and end <= int(head["end"]),
               "entry: out of bounds", where)
        verify(is_header(m, e["prev"]) or int(prev["end"]) <= start,
               "list: unsorted or overlapping", where)
        verify(not flags & MAP_ENTRY_NEEDS_COPY or flags & MAP_ENTRY_COW,
               "entry: NEEDS_COPY without COW", where)
        verify(not flags & MAP_ENTRY_NEEDS_WAKEUP or flags & MAP_ENTRY_IN_TRANSITION,
               "entry: NEEDS_WAKEUP without IN_TRANSITION", where)
        verify(not flags & MAP_ENTRY_USER_WIRED or int(e["wired_count"]) > 0,
               "entry: USER_WIRED but not wired", where)
        verify(not mergeable(m, prev, e), "entry: could be merged with its predecessor", where)
        verify(avail == 0 or flags & MAP_ENTRY_STACK,
               "entry: a reservation below an entry that is no stack", where)
        verify(avail % PAGE_SIZE == 0, "entry: reservation not page aligned", where)
        verify(avail == 0 or not clipped_apart(m, prev, e),
               "entry: a reservation on the upper part of a split stack entry", where)
        if in_run and start == run_end(m, ff):
            ff = e
        else:
            in_run = False
        hint_ok = hint_ok or hint == addr(e.address)
        ff_ok = ff_ok or first_free == addr(e.address)
        size += end - start
        ents.append(e)
    verify(len(ents) == int(m["nentries"]), "nentries is not the number of entries")
    verify(size == int(m["size"]), "size is not the sum of the entries' lengths")
    verify(hint_ok, "hint is not an entry of this map")
    verify(first_free == addr(head.address) or ff_ok, "first_free is not an entry of this map")
    verify(first_free == addr(ff.address), "first_free is not the end of the initial run")
    # Before lab 2 the tree stays empty, with no augment (vm_map_init's starter).
    if addr(m["rb_root"]["root"]) == 0 and addr(m["rb_root"]["augment"]) == 0:
        return "; the tree is not built (lab 2): not checked"
    verify_tree(m, ents)
    return ""


class VmverifyCommand(gdb.Command):
    """vmverify [PID]: the kernel's vm_map_verify checks, done on the stopped machine.
The list, each entry, the counts, the hint, first_free and the tree (kernel/vm/
vm_map.c); names the first broken invariant and the entry.  PID: default, the
process the selected CPU runs."""

    def __init__(self):
        super().__init__("vmverify", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        p = find_proc(arg)
        m = proc_map(p)
        try:
            note = map_verify(m)
        except Broken as e:
            print(f"vmverify: {proc_label(p)}: BROKEN: {e}")
            return
        print(f"vmverify: {proc_label(p)}: ok, {int(m['nentries'])} entries{note}")


# ---------------------------------------------------------------- uprog

class UprogCommand(gdb.Command):
    """uprog NAME: load the user program NAME's symbols (build/ARCH/user/_NAME).
Then `break NAME.c:main` stops in it, in whichever process runs it (plain `main`
is the kernel's too).  The previous uprog's symbols are dropped: every program is
linked at the same address."""

    loaded = None

    def __init__(self):
        super().__init__("uprog", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name:
            raise gdb.GdbError("usage: uprog NAME (a program in user/, e.g. cowtest)")
        kernel = gdb.objfiles()[0].filename
        build = os.path.dirname(kernel)
        build = build[:-len("-debug")] if build.endswith("-debug") else build
        path = os.path.join(build, "user", "_" + name)
        if not os.path.exists(path):
            raise gdb.GdbError(f"no {path}: is {name} a user program, and built?")
        if UprogCommand.loaded:
            gdb.execute(f"remove-symbol-file {UprogCommand.loaded}", to_string=True)
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        UprogCommand.loaded = path
        print(f"uprog: {name}'s symbols from {os.path.relpath(path)}")


# ---------------------------------------------------------------- pfinish

class ReturnBreakpoint(gdb.Breakpoint):
    """A breakpoint at a return address that stops only in one process."""

    def __init__(self, pc, proc):
        super().__init__(f"*{hx(pc)}", internal=True)
        self.proc = proc
        self.hit = False

    def stop(self):
        if addr(current_proc()) != self.proc:
            return False
        self.hit = True
        return True


class PfinishCommand(gdb.Command):
    """pfinish: finish, for this process, on whichever CPU it returns.
GDB's finish waits for the return on the CPU it started on; but a timer interrupt
may move a process to another CPU in the middle of a system call (GDB's threads
are the CPUs), and then finish never ends.  pfinish stops at the return address
in the process that the selected CPU runs, on any CPU, and prints the value
returned."""

    def __init__(self):
        super().__init__("pfinish", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        frame = gdb.selected_frame()
        caller = frame.older()
        p = current_proc()
        if caller is None or addr(p) == 0:
            raise gdb.GdbError("pfinish: no caller to return to, or no process on this CPU")
        func = frame.function()
        print(f"Run till exit from {func.name if func else hx(frame.pc())}")
        bp = ReturnBreakpoint(caller.pc(), addr(p))
        try:
            gdb.execute("continue")
        finally:
            bp.delete()
        if not bp.hit:
            print("pfinish: stopped elsewhere before the return")
            return
        rettype = func.type.target() if func else None
        if rettype is not None and rettype.code != gdb.TYPE_CODE_VOID:
            reg = "$a0" if port() == "riscv64" else "$rax"
            value = gdb.parse_and_eval(reg).cast(rettype)
            print(f"Value returned is ${gdb.add_history(value)} = {value.format_string()}")


# ---------------------------------------------------------------- pretty-printers

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
for cmd in (VmmapCommand, VmtreeCommand, VmlookupCommand, VmobjCommand, PteCommand, ProcsCommand,
            VmverifyCommand, UprogCommand, PfinishCommand):
    cmd()
CurProc()

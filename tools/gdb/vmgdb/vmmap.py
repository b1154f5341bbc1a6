# vmmap: a process's map, the lines the user program vmmap prints.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


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


def map_dot(vm):
    """The map for Graphviz: its entries in a row, left to right by address, each
    with an edge to its object, and the objects' shadow chains below (an object
    that several entries or chains share is drawn once, with every edge to it)."""
    from .vmobj import object_dot
    lines, seen, row = [], set(), []
    for e in entries(vm["vm_map"]):
        n = f"e{addr(e.address):x}"
        row.append(n)
        lines.append(f'  {n} [shape=box, style=bold, label="[{hx(e["start"])}, {hx(e["end"])})\\n'
                     f'{prot_str(e["protection"])} '
                     f'{",".join(nm for bit, nm in VMMAP_FLAGS if int(e["eflags"]) & bit) or "-"}'
                     f'"];')
        o = e["object"]["vm_object"]
        if addr(o):
            lines.append(f'  {n} -> o{addr(o):x} [label="+{hx(e["offset"])}"];')
            lines += object_dot(o, seen)
    lines.append(f'  {{ rank=same; {"; ".join(row)} }}')
    lines += [f"  {a} -> {b} [style=invis];" for a, b in zip(row, row[1:])]
    return lines


class VmmapCommand(gdb.Command):
    """vmmap [--dot FILE] [PID]: the process's map entries, as the vmmap program
prints them.  One line per entry: START-END PROT MAX INHERIT FLAGS WIRED OBJECT
OFFSET RES DEPTH.  --dot FILE: the map for Graphviz instead, its entries in a row
with their objects and shadow chains below (dot -Tsvg FILE -o map.svg draws it;
a FILE.svg or FILE.png is drawn now).
PID: default, the process the selected CPU runs."""

    def __init__(self):
        super().__init__("vmmap", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        from .vmobj import write_dot
        dot, args = dot_option(arg, "usage: vmmap [--dot FILE] [PID]")
        p = find_proc(" ".join(args))
        proc_map(p)
        if dot:
            how = write_dot(dot, f"{proc_label(p)}: its map, objects and shadow chains",
                            map_dot(p["p_vmspace"].dereference()))
            print(f"vmmap: {proc_label(p)}'s map in {dot}{how}")
            return
        print("\n".join(vmmap_lines(p["p_vmspace"].dereference())))


VmmapCommand()

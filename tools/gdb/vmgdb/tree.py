# vmtree and vmlookup: the map's red-black tree, and a lookup's way down it.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


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
instead (dot -Tsvg FILE -o tree.svg draws it; a FILE.svg or FILE.png is drawn now).  PID: default, the process the
selected CPU runs."""

    def __init__(self):
        super().__init__("vmtree", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        dot, args = dot_option(arg, "usage: vmtree [--dot FILE] [PID]")
        p = find_proc(" ".join(args))
        m = proc_map(p)
        if dot:
            how = save_dot(dot, tree_dot(m, f"{proc_label(p)}: map {hx(m.address)}"))
            print(f"vmtree: {proc_label(p)}'s tree in {dot}{how}")
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


VmtreeCommand()
VmlookupCommand()

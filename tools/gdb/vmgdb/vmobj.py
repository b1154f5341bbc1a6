# vmobj: an object's shadow chain and its resident pages.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


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


def object_dot(o, seen):
    """Graphviz lines for the chain from o down: a box per object not in seen (its
    type, id, size, ref and shadow counts and resident pages), an edge to its
    backing object labelled with the offset.  Adds what it drew to seen."""
    lines = []
    for ob in object_chain(o):
        if addr(ob) in seen:
            break
        seen.add(addr(ob))
        pgs = [str(int(pg["pindex"])) for pg in pages(ob)]
        shown = " ".join(pgs[:16]) + (" ..." if len(pgs) > 16 else "")
        lines.append(f'  o{addr(ob):x} [shape=box, label="{object_type(ob)} {int(ob["id"])}\\n'
                     f'{int(ob["size"])} pages, ref {int(ob["ref_count"])}, '
                     f'shadows {int(ob["shadow_count"])}\\nresident: {shown or "none"}"];')
        b = ob["backing_object"]
        if addr(b):
            lines.append(f'  o{addr(ob):x} -> o{addr(b):x} '
                         f'[label="backing\\n+{hx(ob["backing_object_offset"])}"];')
    return lines


def write_dot(path, title, lines):
    """The graph of lines, titled, to path (save_dot): the rest of the message."""
    return save_dot(path, "\n".join(['digraph vm {', f'  label="{title}"; labelloc=t;',
                                      '  node [fontname=monospace];', *lines, "}"]) + "\n")


class VmobjCommand(gdb.Command):
    """vmobj [--dot FILE] EXPR: an object's shadow chain, with each object's
resident pages.  EXPR: a struct vm_object *, a map entry, or an address.  Top to
bottom, each object with its pages as pindex:physical address.  --dot FILE: the
chain for Graphviz instead (dot -Tsvg FILE -o chain.svg draws it; a FILE.svg or
FILE.png is drawn now)."""

    def __init__(self):
        super().__init__("vmobj", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        usage = "usage: vmobj [--dot FILE] EXPR (an object, a map entry, or an address)"
        dot, args = dot_option(arg, usage)
        if not args:
            raise gdb.GdbError(usage)
        o = to_object(gdb.parse_and_eval(" ".join(args)))
        if addr(o) == 0:
            print("no object (anonymous memory that was never touched)")
            return
        if dot:
            how = write_dot(dot, f"object {hx(o)} and its backing chain", object_dot(o, set()))
            print(f"vmobj: the chain of {hx(o)} in {dot}{how}")
            return
        for depth, ob in enumerate(object_chain(o)):
            print(f"{'  ' * depth}{hx(ob)}: {object_line(ob)}")
            pgs = [f"{int(pg['pindex'])}:{hx(pg['phys_addr'])}" for pg in pages(ob)]
            print(f"{'  ' * depth}  pages: {' '.join(pgs) if pgs else '(none)'}")


VmobjCommand()

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


VmobjCommand()

# vmverify: the kernel's vm_map_verify, in Python, on the stopped machine.
import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


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


VmverifyCommand()

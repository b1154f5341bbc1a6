"""A lecturer's GDB sessions, in batch: QEMU waits for GDB (make qemu-gdb); GDB loads
the template that `make qemu-gdb` turns into .gdbinit (with tools/gdb/vmlab.py's
commands) and a script; the harness types at the shell while GDB runs, and GDB's
output is checked.

    test_gdb_break_main   the kernel's symbols: stop at main, backtrace
    test_gdb_commands     vmmap, vmtree, vmverify, pte, procs, the pretty-printers
                          and uprog, on init's map, against the vmmap program's lines
    test_gdb_demo[lab]    each tour in labs/demos/ whose lab this tree has solved,
                          its output checked
    test_grade_gdb_mode   make grade GDB=1's machinery (pytest --gdb): a test's
                          machine waits for GDB, and runs the test once GDB
                          attaches as told and continues
    test_record_replay    make grade RECORD=1 and make replay's machinery: a short
                          run recorded, replayed to the same instruction count,
                          and (x86_64) stepped back
"""

import importlib.util
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time

import pytest

import harness
from harness import BOOT_TIMEOUT, PROMPT, ROOT, boot_for_gdb, gdbinit

GDB_TIMEOUT = 60.0
DETACHED = "[Inferior 1 (process 1) detached]"
DEMOS = ROOT / "labs" / "demos"
HEX = r"0x[0-9a-f]+"


def run_gdb(boot, arch, scale, tmp_path, script, typed=()):
    """Boot a machine halted for GDB; run GDB in batch on the template and script
    (which ends with detach, so that the machine runs on); once the shell prompts,
    type each line of typed.  Returns (the machine, GDB's output), once GDB has
    detached.  GDB's output is kept next to the console log."""
    q = boot_for_gdb(boot, scale)
    path = tmp_path / "gdbinit"
    path.write_text(gdbinit(arch, q.gdbport) + script)
    log = q.log_path.with_suffix(".gdb.log")
    with open(log, "w") as f:
        # Line-buffered, so that the log shows how far GDB got, should it hang.
        gdb = subprocess.Popen(["stdbuf", "-oL", "gdb-multiarch", "-batch", "-nx", "-x",
                                str(path)], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=f,
                               stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if typed:
                # GDB's first `continue` boots the machine; a script that failed
                # before it never will.
                q.wait_until(lambda buf: gdb.poll() is not None or PROMPT.search(buf),
                             "the first prompt", BOOT_TIMEOUT)
                assert gdb.poll() is None, f"GDB ended before the machine booted:\n{log.read_text()}"
                q.wait_booted()
                for line in typed:
                    q.sendline(line)
            gdb.wait(GDB_TIMEOUT * scale)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"GDB still runs after {GDB_TIMEOUT * scale:g} s:\n"
                                 f"{log.read_text()}")
        finally:
            if gdb.poll() is None:
                gdb.kill()
                gdb.wait()
    out = log.read_text()
    assert gdb.returncode == 0 and DETACHED in out, out
    assert "Python Exception" not in out and "Error occurred" not in out, out
    return q, out


def shell_output(q, cmd):
    """What cmd (typed earlier) printed on the console, up to the next prompt."""
    q.wait_for(re.escape(cmd) + r"\n")
    start = q.pos
    end = q.wait_for(PROMPT).start()
    return q.output[start:end]


def section(out, start, end):
    """The lines of out between the line start and the line end (markers that the
    script echoes)."""
    lines = out.splitlines()
    i = lines.index(start)
    return lines[i + 1:lines.index(end, i)]


def vmmap_blocks(out):
    """Every vmmap listing in out: a list of lines each (the header line dropped)."""
    blocks = []
    for m in re.finditer(r"^START-END PROT MAX INHERIT FLAGS WIRED OBJECT OFFSET RES DEPTH\n"
                         r"((?:0x[0-9a-f]+-0x.*\n)*)", out, re.M):
        blocks.append(m[1].splitlines())
    return blocks


def parse_vmmap(line):
    start_end, prot, maxp, inh, flags, wired, obj, off, res, depth = line.split()
    start, end = (int(x, 16) for x in start_end.split("-"))
    return dict(start=start, end=end, prot=prot, max=maxp, inh=inh, flags=flags,
                wired=int(wired), obj=obj, off=int(off, 16), res=int(res), depth=int(depth))


@pytest.mark.points(2)
def test_gdb_break_main(boot, arch, scale, tmp_path):
    q, out = run_gdb(boot, arch, scale, tmp_path, "break main\ncontinue\nbt\ndetach\n")
    assert re.search(r"^Breakpoint 1 at 0x[0-9a-f]+: file kernel/kern/main\.c, line \d+\.$",
                     out, re.M), out
    assert re.search(r"Breakpoint 1, main \(\) at kernel/kern/main\.c:\d+$", out, re.M), out
    assert re.search(r"^#0 +main \(\) at kernel/kern/main\.c:\d+$", out, re.M), out


# Stopped as the vmmap program exits (its lines are all out), GDB reads init's map:
# init sleeps in wait(), so the map is the one the program saw.
COMMANDS = """\
break kexit if $_streq($curproc()->name, "vmmap")
continue
delete
echo @vmmap\\n
vmmap 1
echo @vmverify\\n
vmverify 1
echo @vmtree\\n
vmtree 1
echo @dot\\n
vmtree --dot {dot} 1
vmmap --dot {mapdot} 1
vmobj --dot {objdot} proc[0].p_vmspace->vm_map.header.next
vmmap --dot {mapsvg} 1
vmtree --dot {treepng} 1
echo @pte\\n
pte 0x10000 1
echo @vmobj\\n
vmobj proc[0].p_vmspace->vm_map.header.next
echo @procs\\n
procs
echo @print\\n
print proc[0]
print *proc[0].p_vmspace->vm_map.header.next
print proc[0].p_vmspace->vm_map
echo @broken\\n
set var proc[0].p_vmspace->vm_map.nentries += 1
vmverify 1
set var proc[0].p_vmspace->vm_map.nentries -= 1
echo @uprog\\n
uprog vmmap
info line vmmap.c:main
echo @end\\n
detach
"""


@pytest.mark.points(3)
def test_gdb_commands(boot, arch, scale, tmp_path):
    dot, mapdot, objdot = (tmp_path / f"{n}.dot" for n in ("tree", "map", "obj"))
    mapsvg, treepng = tmp_path / "map.svg", tmp_path / "tree.png"
    q, out = run_gdb(boot, arch, scale, tmp_path,
                     COMMANDS.format(dot=dot, mapdot=mapdot, objdot=objdot, mapsvg=mapsvg,
                                     treepng=treepng), typed=["vmmap 1"])
    program = shell_output(q, "vmmap 1").splitlines()
    assert program and program[0].startswith("START-END"), program

    # vmmap: the program's lines, exactly.
    gdb_lines = section(out, "@vmmap", "@vmverify")
    assert gdb_lines == program, f"GDB's vmmap 1:\n{gdb_lines}\nthe program's:\n{program}"
    ents = [parse_vmmap(line) for line in program[1:] if " reserved " not in line]

    # vmverify: clean here; and it names the invariant a wrong nentries breaks.
    verdict = section(out, "@vmverify", "@vmtree")
    assert re.fullmatch(rf"vmverify: pid 1 \(init\): ok, {len(ents)} entries(; .*)?",
                        verdict[0]), verdict
    broken = section(out, "@broken", "@uprog")
    assert broken == ["vmverify: pid 1 (init): BROKEN: nentries is not the number of entries"], broken

    # vmtree: every entry once, in order in the tree, the hint marked where it is.
    tree = section(out, "@vmtree", "@dot")
    assert tree[0].startswith("pid 1 (init): map 0x"), tree
    nodes = [re.search(rf"(?:red|black) +\[({HEX}), ({HEX})\) max_free {HEX} gap {HEX}", l)
             for l in tree[1:-2]]
    if "rbtree" not in solved_labs():
        assert tree[1:-2] == ["the tree is empty (lab 2 puts the entries in it)"], tree
    else:
        assert all(nodes), tree
        assert sorted((int(m[1], 16), int(m[2], 16)) for m in nodes) == \
            [(e["start"], e["end"]) for e in ents], tree
        hint = re.fullmatch(rf"hint: \[({HEX}), ({HEX})\)|hint: the header", tree[-2])
        assert hint, tree
        marked = [l for l in tree[1:-2] if l.endswith("<hint") or "<hint " in l]
        assert len(marked) == (1 if hint[1] else 0), tree
        if hint[1]:
            assert f"[{hint[1]}, {hint[2]})" in marked[0], tree
        # The same tree for Graphviz: a node per entry in its colour, L and R edges.
        graph = dot.read_text()
        colours = re.findall(rf'label="\[({HEX}), ({HEX})\)\\nmax_free {HEX}[^"]*", '
                             r'fillcolor=(red|black)\]', graph)
        assert sorted((a, b, c) for a, b, c in colours) == \
            sorted((m[1], m[2], "red" if "red " in l else "black") for m, l in zip(nodes, tree[1:-2])), graph
        assert len(re.findall(r' -> n[0-9a-f]+ \[label="[LR]"\];', graph)) == len(nodes) - 1, graph

    # The map for Graphviz: an entry node per entry, in a row, each with an edge to
    # its object (drawn once, with its type and id as vmmap says them); and the text
    # entry's chain alone.
    graph = mapdot.read_text()
    row = re.findall(rf'^  e([0-9a-f]+) \[shape=box, style=bold, label="\[({HEX}), ({HEX})\)\\n',
                     graph, re.M)
    assert [(int(a, 16), int(b, 16)) for _, a, b in row] == \
        [(e["start"], e["end"]) for e in ents], graph
    assert re.search(r"^  \{ rank=same; " + "; ".join(f"e{n}" for n, _, _ in row) + " }$",
                     graph, re.M), graph
    objs = dict(re.findall(r'^  (o[0-9a-f]+) \[shape=box, label="(\w+ \d+)\\n', graph, re.M))
    for (n, _, _), e in zip(row, ents):
        to = re.findall(rf"^  e{n} -> (o[0-9a-f]+) ", graph, re.M)
        want = [] if e["obj"] == "none" else [e["obj"].replace(":", " ")]
        assert [objs[o] for o in to] == want, (e, graph)
    chain = objdot.read_text()
    assert re.search(rf'^  o[0-9a-f]+ \[shape=box, label="vnode {ents[0]["obj"].split(":")[1]}\\n',
                     chain, re.M), chain
    # FILE.svg and FILE.png: the pictures themselves, drawn by dot, with the map's
    # first entry's bounds in the SVG's text.
    svg = mapsvg.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg, svg[:300]
    assert f"[{ents[0]['start']:#x}, {ents[0]['end']:#x})" in svg, svg
    assert treepng.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "vmtree --dot tree.png drew no PNG"

    # pte: init's first text page, level by level; its physical page is the text
    # object's page, as vmobj shows it.
    walk = section(out, "@pte", "@vmobj")
    levels = ["L2", "L1", "L0"] if arch == "riscv64" else ["PML4", "PDPT", "PD", "PT"]
    assert [l.split("[")[0].strip() for l in walk[1:-1]] == levels, walk
    leaf = re.fullmatch(rf"  0x10000 -> physical ({HEX}): present, read, not writable, user, exec",
                        walk[-1])
    assert leaf, walk
    text = ents[0]
    assert text["start"] == 0x10000 and text["prot"] == "r-x", program
    chain = section(out, "@vmobj", "@procs")
    assert re.match(rf"{HEX}: vnode object id {text['obj'].split(':')[1]}, ", chain[0]), chain
    page = (0x10000 - text["start"] + text["off"]) // 4096
    assert f" {page}:{leaf[1]}" in " " + chain[1].split("pages: ")[1], (walk, chain)

    # procs: init asleep, the vmmap program running (it is exiting).
    table = section(out, "@procs", "@print")
    assert table[0] == "PID PPID STATE CPU ENTRIES SIZE RSS NAME", table
    assert re.fullmatch(rf"1 0 sleeping - {len(ents)} {HEX} \d+ init \(on {HEX}.*\)", table[1]), table
    sh = [l.split()[0] for l in table if re.fullmatch(rf"\d+ 1 sleeping - \d+ {HEX} \d+ sh .*", l)]
    assert len(sh) == 1, table
    assert any(re.fullmatch(rf"\d+ {sh[0]} running \d \d+ {HEX} \d+ vmmap", l) for l in table), table

    # The pretty-printers: a process, an entry (as vmmap shows it), a map.
    printed = section(out, "@print", "@broken")
    assert re.fullmatch(rf"\$1 = pid 1 \(init\) sleeping on {HEX}.*", printed[0]), printed
    flags = " COW" * ("cow" in text["flags"]) + " NEEDS_COPY" * ("nc" in text["flags"])
    assert re.fullmatch(rf"\$2 = \[0x10000, {hex(text['end'])}\) r-x/{text['max']}{flags} obj "
                        rf"{HEX} off {hex(text['off'])} inh {text['inh']} wired 0",
                        printed[1]), printed
    assert re.fullmatch(rf"\$3 = map \[0x0, {HEX}\) nentries {len(ents)} size "
                        rf"{hex(sum(e['end'] - e['start'] for e in ents))} hint .* first_free "
                        r".* timestamp \d+ lock unlocked", printed[2]), printed

    # uprog: the user program's symbols, for a breakpoint in it.
    loaded = section(out, "@uprog", "@end")
    assert loaded[0] == f"uprog: vmmap's symbols from build/{arch}/user/_vmmap", loaded
    assert re.match(r'Line \d+ of "user/vmmap\.c" starts at address 0x[0-9a-f]+ <main', loaded[1]), loaded


# ---------------------------------------------------------------- the demos

def solved_labs():
    """The labs whose code this tree holds: all of them in the reference (no
    .handout/); in a student tree, the ones before the lab it was handed out for."""
    spec = importlib.util.spec_from_file_location("course", ROOT / "tools" / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    man = course.load_manifest(ROOT)
    mine = ROOT / ".handout" / "lab"
    if not mine.exists():
        return {lab.name for lab in man.labs}
    n = next(lab.number for lab in man.labs if lab.name == mine.read_text().strip())
    return {lab.name for lab in man.labs if lab.number < n}


def demos():
    """{lab: demo file} for each tour in labs/demos/ (NN-lab.gdb) whose lab is solved
    here: a tour of lab 3 shows lab 3's code at work, which a lab 1 tree lacks."""
    solved = solved_labs()
    found = {p.stem.split("-", 1)[1]: p for p in sorted(DEMOS.glob("[0-9][0-9]-*.gdb"))}
    return {lab: p for lab, p in found.items() if lab in solved}


def run_demo(boot, arch, scale, tmp_path, lab):
    """Run labs/demos/NN-lab.gdb as a lecturer would, typing its `# type:` lines at
    the shell; returns (the machine, GDB's output)."""
    text = demos()[lab].read_text()
    typed = re.findall(r"^# type: (.*)$", text, re.M)
    assert typed, f"{demos()[lab].name} says nothing to type (# type: ...)"
    return run_gdb(boot, arch, scale, tmp_path, text + "detach\n", typed)


def check_entries(q, out):
    """mprotect of one page in an entry of four: one entry before, three after, on
    one object at consecutive offsets; the kernel's vmmap agrees afterwards."""
    m = re.search(rf"^mprotect \[({HEX}), ({HEX})\) to prot 1 ", out, re.M)
    assert m, out
    lo, hi = int(m[1], 16), int(m[2], 16)
    before, after = vmmap_blocks(out)
    count = [len([l for l in b if " reserved " not in l]) for b in (before, after)]
    whole = [e for e in map(parse_vmmap, before) if e["start"] <= lo < e["end"]]
    assert len(whole) == 1, before
    w = whole[0]
    assert (w["end"] - w["start"], w["prot"], w["res"]) == (4 * 4096, "rw-", 1), before
    assert (lo, hi) == (w["start"] + 4096, w["start"] + 2 * 4096), (lo, hi, before)
    pieces = [e for e in map(parse_vmmap, after) if w["start"] <= e["start"] < w["end"]]
    assert [(e["start"], e["end"], e["prot"], e["obj"], e["off"]) for e in pieces] == [
        (w["start"], lo, "rw-", w["obj"], w["off"]),
        (lo, hi, "r--", w["obj"], w["off"] + 4096),
        (hi, w["end"], "rw-", w["obj"], w["off"] + 2 * 4096)], after
    assert count[1] == count[0] + 2, (before, after)
    assert f"nentries {count[0]} " in out and f"nentries {count[1]} " in out, out
    assert re.search(rf"^\$\d+ = \[{hex(lo)}, {hex(hi)}\) r--/rwx obj {HEX} off "
                     rf"{hex(w['off'] + 4096)} inh copy wired 0$", out, re.M), out
    assert re.search(r"^vmverify: pid \d+ \(mmaptest\): ok, \d+ entries(; .*)?$", out, re.M), out
    # The machine runs on: the vmmap program shows the same three pieces.  (The
    # program runs in the background: its line may come mixed with the shell's "$ ".)
    pid = re.search(r"^\$\d+ = pid (\d+) \(mmaptest\) running$", out, re.M)[1]
    q.wait_until(lambda buf: f"mmaptest hold: pid {pid} ready\n" in buf.replace("$ ", ""),
                 "mmaptest's ready line")
    q.pos = len(q.output)
    q.sendline(f"vmmap {pid}")
    listing = shell_output(q, f"vmmap {pid}")

    def inside(lines):
        return [line for line in lines if re.match(r"0x[0-9a-f]+-", line) and
                w["start"] <= parse_vmmap(line)["start"] < w["end"]]
    assert inside(listing.splitlines()) == inside(after), (listing, after)


def check_rbtree(q, out):
    """Three lookups: vmlookup's walk visits as many nodes as the kernel's did;
    the first misses, the second walks to the new entry, the third hits the hint."""
    walks = re.findall(r"^vmlookup (0x[0-9a-f]+) in pid \d+ \(mmaptest\):\n((?:  .*\n)+)"
                       r"(?:.*\n)*?The kernel's lookup visited (\d+) tree nodes\.$", out, re.M)
    assert len(walks) == 3, out
    for va, steps, visits in walks:
        assert len(re.findall(r"^    visit \d+: ", steps, re.M)) == int(visits), (va, steps, visits)
    assert "not mapped, after" in walks[0][1] and int(walks[0][2]) > 0, walks[0]
    assert "found, and the hint moves here" in walks[1][1] and int(walks[1][2]) > 0, walks[1]
    assert "found at once, no tree node visited" in walks[2][1] and walks[2][2] == "0", walks[2]
    trees = re.findall(r"^pid \d+ \(mmaptest\): map 0x[0-9a-f]+, (\d+) entries\n"
                       r"((?: *(?:[LR] )?(?:red|black) .*\n)+)",
                       out, re.M)
    assert [int(n) for n, _ in trees] == [len(t.splitlines()) for _, t in trees], trees
    assert int(trees[1][0]) == int(trees[0][0]) + 1, trees
    assert re.search(r"^vmverify: pid \d+ \(mmaptest\): ok, \d+ entries(; .*)?$", out, re.M), out


def chain(out, after):
    """The objects of the first vmobj listing after the text after: [(id, line, pages)]."""
    lines = out[out.index(after):].splitlines()[1:]
    i = next(k for k, l in enumerate(lines) if re.match(rf" *{HEX}: \w+ object id", l))
    objs = []
    while i + 1 < len(lines) and re.match(rf" *{HEX}: \w+ object id", lines[i]):
        pages = lines[i + 1].split("pages: ")[1]
        objs.append((int(re.search(r"object id (\d+)", lines[i])[1]), lines[i].strip(),
                     {} if pages == "(none)" else dict(p.split(":") for p in pages.split())))
        i += 2
    return objs


def check_fork(q, out):
    """fork marks every entry COW and NEEDS_COPY on the same objects; a write gives
    an entry a shadow over the shared object; a collapse leaves one object that
    holds the pages of both."""
    blocks = vmmap_blocks(out)
    before, after = ([parse_vmmap(l) for l in b if " reserved " not in l] for b in blocks[:2])
    assert [e["obj"] for e in before] == [e["obj"] for e in after], blocks
    assert any("cow" not in e["flags"] for e in before), before
    assert all("cow" in e["flags"] and "nc" in e["flags"] for e in after), after
    shared = chain(out, "each has one more reference")
    assert len(shared) == 1 and ", ref 2, shadows 0," in shared[0][1], shared
    shadow = chain(out, "backed by the shared one")
    assert len(shadow) == 2, shadow
    assert re.search(r", ref 1, shadows 0, 0 resident(, 0 in swap)?, backing 0x", shadow[0][1]), shadow
    assert ", shadows 1, " in shadow[1][1] and shadow[1][1].endswith("backing none"), shadow
    faulter = [parse_vmmap(l) for l in blocks[2] if " reserved " not in l]
    assert any(e["obj"] == f"default:{shadow[0][0]}" and e["depth"] == 2 for e in faulter), blocks[2]
    top, below = chain(out, "Before the collapse")
    assert top[1].endswith("at offset 0x0") and below[1].endswith("backing none"), (top, below)
    (merged,) = chain(out, "one object holds the pages")
    assert merged[0] == top[0] and merged[1].endswith("backing none"), merged
    assert merged[2] == {**below[2], **top[2]}, (top, below, merged)
    assert re.search(r"^vmverify: pid \d+ \(sh\): ok, \d+ entries(; .*)?$", out, re.M), out
    assert shell_output(q, "echo hi") == "hi\n"


def check_stack(q, out):
    """A fault below the stack: a new stack entry from the fault's SGROWSIZ step up
    to the old stack, taken from the reservation below, which shrinks as much."""
    va = int(re.search(rf"^grow the stack of pid \d+ down to ({HEX})$", out, re.M)[1], 16)
    before, after = ([parse_vmmap(l) for l in b] for b in vmmap_blocks(out))
    i = next(k for k, e in enumerate(before) if e["flags"] == "reserved")
    room, stack = before[i:i + 2]
    assert room["end"] == stack["start"] and "stack" in stack["flags"], before
    assert room["start"] <= va < room["end"], (hex(va), before)
    step = 128 * 1024
    start = stack["start"] - -(-(stack["start"] - va // 4096 * 4096) // step) * step
    j = next(k for k, e in enumerate(after) if e["flags"] == "reserved")
    room2, piece, old = after[j:j + 3]
    assert (room2["start"], room2["end"]) == (room["start"], start), after
    assert (piece["start"], piece["end"], piece["prot"], piece["flags"]) == \
        (start, stack["start"], stack["prot"], "stack"), after
    assert old == stack, (before, after)
    assert re.search(r"^vmverify: pid \d+ \(stacktest\): ok, \d+ entries(; .*)?$", out, re.M), out
    assert "stacktest: ALL OK" in shell_output(q, "stacktest deep")


def check_wiring(q, out):
    """mlock of 64 KiB: before, the range lies in an entry with nothing wired or
    resident; after, it is an entry of its own, WIRED 1 and all 16 pages in memory,
    its first page mapped in the page table, its PTE marked wired until munmap
    unwires it; the map verifies."""
    m = re.search(rf"^--- mlock calls vm_map_wire on \[({HEX}), ({HEX})\)\.$", out, re.M)
    assert m, out
    start, end = int(m[1], 16), int(m[2], 16)
    assert end - start == 64 * 1024, (hex(start), hex(end))
    before, after = ([parse_vmmap(l) for l in b] for b in vmmap_blocks(out))
    old = next(e for e in before if e["start"] <= start < e["end"])
    assert end <= old["end"] and (old["wired"], old["res"]) == (0, 0), old
    new = next(e for e in after if e["start"] <= start < e["end"])
    assert (new["start"], new["end"], new["wired"], new["res"]) == (start, end, 1, 16), new
    assert re.search(rf"^  {hex(start)} -> physical {HEX}: present, read, writable, user",
                     out, re.M), out
    assert re.search(r"^vmverify: pid \d+ \(wiretest\): ok, \d+ entries(; .*)?$", out, re.M), out
    # The first page's last-level PTE: marked wired after mlock, still on the way
    # into munmap's unwiring, and no longer once vm_fault_unwire is done with it.
    walks = re.findall(rf"^pte {hex(start)} in pid \d+ \(wiretest\): .*\n((?:  .*\n)+)",
                       out, re.M)
    assert len(walks) == 3, out
    leaves = [w.splitlines()[-2] for w in walks]
    assert all(" -> physical " in w.splitlines()[-1] for w in walks), walks
    assert [bool(re.search(r"\bWIRED\b", l)) for l in leaves] == [True, True, False], leaves
    assert "wiretest: ALL OK" in shell_output(q, "wiretest basic")


def check_upcalls(q, out):
    """Before postupcall: one registration, pending.  After it: nothing pending,
    upc_pending 1, the pc the context function, the stack below where it was.
    On the way out of NEXT: the pc and stack pointer from before, upc_pending 0."""
    regs = re.findall(rf"^  id (\d+)  pid \d+ \(upctest\)  func {HEX}  data {HEX}  "
                      rf"ctx ({HEX})  pending (\d+)$", out, re.M)
    # (The first time, the struct upcall's page may not be mapped yet: nothing has
    # touched it; postupcall's copyin faults it in.)
    states = re.findall(rf"^pid \d+ \(upctest\): struct upcall at {HEX}: (?:not mapped|"
                        rf"critcount 0, upc_pending (\d)); p_upcallpend (\d); returns to pc "
                        rf"({HEX}), sp ({HEX})$", out, re.M)
    assert len(regs) == 3 and len(states) == 3, out
    assert [(r[0], r[2]) for r in regs] == [("32", "1"), ("32", "0"), ("32", "0")], regs
    (pend0, flag0, pc0, sp0), (pend1, _, pc1, sp1), (pend2, _, pc2, sp2) = states
    assert (pend0 in ("", "0"), flag0, pend1, pend2) == (True, "1", "1", "0"), states
    assert int(pc1, 16) == int(regs[0][1], 16), (pc1, regs)
    assert int(sp0, 16) - 1024 < int(sp1, 16) < int(sp0, 16), (sp0, sp1)
    assert (pc2, sp2) == (pc0, sp0), states
    q.wait_for(r"^upctest: (ALL OK|\d+ FAILED)$")
    assert "upctest self: OK" in q.output, q.output[-2000:]


def check_resident(q, out):
    """Nothing resident before exec_sys_register; after it, primes with id 1, no exec
    and one reference, its snapshot's map with the 4 MiB table; in resident_exec,
    one exec and two references; after it, one again.  Then primes 97 answers."""
    assert re.search(r"^nothing resident$", out, re.M), out
    regs = re.findall(rf"^  id 1  primes  execs (\d+)  refs (\d+)  entry {HEX}  "
                      rf"snapshot vmspace {HEX}: (\d+) entries, (\d+) KiB$", out, re.M)
    assert [r[:2] for r in regs] == [("0", "1"), ("1", "2"), ("1", "1")], regs
    assert int(regs[0][3]) > 4096, regs
    # -v: the snapshot's map, an entry at least as big as the table among its lines.
    maps = re.findall(rf"^    ({HEX})-({HEX}) ", out, re.M)
    assert len(maps) >= int(regs[0][2]), (maps, regs)
    assert max(int(e, 16) - int(s, 16) for s, e in maps) >= 4 << 20, maps
    q.wait_for(r"^97: prime$")


CHECKS = {"entries": check_entries, "rbtree": check_rbtree, "fork": check_fork,
          "stack": check_stack, "wiring": check_wiring, "upcalls": check_upcalls,
          "resident": check_resident}


# Only where some tour's lab is solved (not in lab 1's tree): a test that cannot run
# must not exist at all, or check-handouts would count its skip as a failure.
if demos():
    @pytest.mark.points(2)
    @pytest.mark.parametrize("lab", sorted(demos(), key=lambda lab: demos()[lab].name))
    def test_gdb_demo(boot, arch, scale, tmp_path, lab):
        q, out = run_demo(boot, arch, scale, tmp_path, lab)
        assert "=== End of the tour" in out, out
        CHECKS[lab](q, out)


# ---------------------------------------------------------------- the figures

FIGURES = ROOT / "labs" / "figures"


def figures():
    """{NN-lab: script} of labs/figures/ (the reference tree's only) whose lab is solved."""
    solved = solved_labs()
    return {p.stem: p for p in sorted(FIGURES.glob("[0-9][0-9]-*.gdb"))
            if p.stem.split("-", 1)[1] in solved}


def check_figure(name, graph):
    """Each handout figure shows what its caption says."""
    if name == "01-entries":
        # Three entries side by side over one object, at offsets 0, 1 and 2 pages.
        edges = re.findall(r"^  e[0-9a-f]+ -> (o[0-9a-f]+) \[label=\"\+(0x[0-9a-f]+)\"\];$",
                           graph, re.M)
        assert any([(o, off) for o, off in edges[i:i + 3]] ==
                   [(edges[i][0], "0x0"), (edges[i][0], "0x1000"), (edges[i][0], "0x2000")]
                   for i in range(len(edges) - 2)), graph
    elif name == "02-rbtree":
        assert re.search(r"\\nhint\", fillcolor=(red|black)\]", graph), graph
        assert "fillcolor=red" in graph and "fillcolor=black" in graph, graph
    elif name == "03-fork":
        assert re.search(r' -> o[0-9a-f]+ \[label="backing\\n\+0x0"\];', graph), graph


if figures():
    @pytest.mark.points(1)
    @pytest.mark.parametrize("name", sorted(figures()))
    def test_figure(boot, arch, scale, tmp_path, name):
        """The scripts of make figures still draw what the handouts' captions say."""
        text = figures()[name].read_text()
        dot = tmp_path / f"{name}.dot"
        run_gdb(boot, arch, scale, tmp_path, f'set $figure = "{dot}"\n{text}detach\n',
                re.findall(r"^# type: (.*)$", text, re.M))
        assert dot.exists(), f"{name}.gdb wrote no {dot.name}"
        check_figure(name, dot.read_text())


# ---------------------------------------------------------------- make grade GDB=1

def read_until(proc, pattern, timeout):
    """proc's output (a pipe) until pattern appears in it, or timeout seconds: the
    match, or an AssertionError with what it printed."""
    out, sel = "", selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while not (m := re.search(pattern, out, re.M)):
        left = deadline - time.monotonic()
        if left <= 0 or not sel.select(left):
            raise AssertionError(f"no {pattern!r} in {timeout:g} s:\n{out}")
        data = os.read(proc.stdout.fileno(), 65536).decode(errors="replace")
        if not data:
            raise AssertionError(f"it ended without {pattern!r}:\n{out}")
        out += data
    return m


@pytest.mark.points(1)
def test_grade_gdb_mode(arch, scale):
    """pytest --gdb (what make grade GDB=1 TEST=name runs) on one test of the boot
    grader: its machine is halted until GDB, started as the harness says, attaches
    and continues; the breakpoint on panic is set; the test then runs and passes,
    and GDB sees the machine go."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-s",
           "grade/test_boot.py", "--arch", arch, "-k", "test_halt_powers_off", "--gdb"]
    grade = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        init = read_until(grade, r"^    gdb-multiarch -nx -x (\S+)$", BOOT_TIMEOUT * scale)[1]
        g = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-x", init, "-ex", "continue"],
                           cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=GDB_TIMEOUT * scale)
        assert re.search(r"^Breakpoint 1 at 0x[0-9a-f]+: file kernel/kern/printf\.c",
                         g.stdout, re.M), g.stdout + g.stderr
        # The test powers the machine off: QEMU exits under GDB.
        assert re.search(r"Remote connection closed|\[Inferior 1 \(process 1\) exited normally\]",
                         g.stdout + g.stderr), g.stdout + g.stderr
        read_until(grade, r"^1 passed", GDB_TIMEOUT * scale)
        assert grade.wait(GDB_TIMEOUT * scale) == 0
    finally:
        if grade.poll() is None:
            os.killpg(grade.pid, signal.SIGKILL)
            grade.wait()


# ---------------------------------------------------------------- make grade RECORD=1

# QEMU 7.2 cannot run the riscv64 machine backwards (tools/course.py's NO_REVERSE).
REVERSE_ARCHES = ("x86_64",)
REPLAY_SCRIPT = """\
monitor replay_break {icount}
continue
monitor info replay
printf "@pc %#lx\\n", $pc
"""
REVERSE_SCRIPT = """\
reverse-stepi
monitor info replay
printf "@pc %#lx\\n", $pc
"""


@pytest.mark.points(1)
def test_record_replay(arch, scale, tmp_path):
    """What make grade RECORD=1 and make replay run: a boot and one command recorded
    (on one CPU), then replayed under GDB, which stops where the recording stopped:
    at the same instruction count, with the same console output.  Where the port
    runs backwards, a reverse-stepi takes the count and the pc back."""
    rec = harness.Recording(tmp_path / "rec")
    fsimg = tmp_path / "fs.img"
    shutil.copyfile(ROOT / "build" / arch / "fs.img", fsimg)
    q = harness.QEMU(arch, 1, fsimg, log=tmp_path / "record.log", timeout_scale=scale,
                     rr="record", rrdir=rec.path)
    with q:
        q.wait_booted()
        q.run("echo recorded")
    icount = rec.machine["icount"]
    assert icount, f"QEMU said no instruction count when recording stopped:\n{q.tail()}"
    r = rec.replayer(log=tmp_path / "replay.log")
    with r:
        assert r.listening_for_gdb(10.0 * scale), f"QEMU did not replay:\n{r.tail()}"
        script = tmp_path / "gdbinit"
        script.write_text(gdbinit(arch, r.gdbport, kernel=rec.path / "kernel") +
                          REPLAY_SCRIPT.format(icount=icount) +
                          (REVERSE_SCRIPT if arch in REVERSE_ARCHES else ""))
        g = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-x", str(script)], cwd=ROOT,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=GDB_TIMEOUT * scale)
        out = g.stdout + g.stderr
        counts = [int(n) for n in re.findall(r"instruction count = (\d+)$", out, re.M)]
        pcs = re.findall(r"^@pc (0x[0-9a-f]+)$", out, re.M)
        assert counts[:1] == [icount], f"recorded up to instruction {icount}:\n{out}"
        # (The harness reads the console in a thread of its own: wait for it.  A
        # reverse step replays from the start, and prints it all again after.)
        r.wait_until(lambda buf: len(buf) >= len(q.output), "the recorded output", 10.0)
        assert r.output.startswith(q.output), \
            f"the replay's console differs from the recording's:\n{r.tail()}"
        if arch in REVERSE_ARCHES:
            assert counts == [icount, icount - 1] and len(pcs) == 2 and pcs[0] != pcs[1], \
                f"reverse-stepi did not go back one instruction:\n{out}"

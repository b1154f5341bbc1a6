#!/usr/bin/python3
"""The labs, for students and graders: the manifest (labs/labs.toml), grading one
lab or all, and handing in.  Every student tree has this file; the staging tools
(tools/handout.py) stay in the reference.

    course.py labs                           the labs, one a line
    course.py grade [--lab NAME] [--arch "riscv64 x86_64"] [--timeout-scale N] [--gdb TEST]
                    [--record TEST]
    course.py replay --test NAME [--lab NAME]
                                             replay a recorded test under GDB
    course.py handin [--out FILE]            pack your changes: handin-LAB.tar.gz
    course.py apply FILE DIR                 put a handin's changes into a clean handout

A student tree records its handout in .handout/: `lab` (the lab's name) and
`MANIFEST` (a SHA-256 and a mode for every file), committed in each branch of
the student repo, so that merging the next lab's branch brings that lab's.  A handin holds the
files that differ from it, the new files, and the names of the deleted ones, so
it needs no git, and applies exactly (binary files too) to a fresh handout.
"""

import argparse
import fnmatch
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "labs/labs.toml"
PYTHON = "/usr/bin/python3"
ARCHES = ("riscv64", "x86_64")

# Never part of anyone's work: build outputs, editor and Python droppings,
# handins, the .handout record itself.
JUNK = ["/build", ".git", "/.handout", "__pycache__", "*.pyc", ".gdbinit",
        "*.swp", "*~", ".#*", ".DS_Store", ".pytest_cache", "/handin-*"]


class Error(Exception):
    """A problem the user must fix; printed without a traceback."""


# ---------------------------------------------------------------- the manifest

@dataclass
class Lab:
    number: int
    name: str
    title: str
    handout: str
    graders: list
    files: list = field(default_factory=list)
    available: bool = True

    @property
    def branch(self):
        return f"lab{self.number}-{self.name}"

    def paths(self):
        """Every file that joins the student tree at this lab."""
        return [self.handout] + self.graders + self.files


@dataclass
class Manifest:
    labs: list
    reference_only: list
    reference_fence: str
    student_repo: dict

    def lab(self, name, present_in=None):
        """The available lab called name (its number works too); with present_in,
        it must also have been handed out in that tree."""
        for lab in self.labs:
            if name in (lab.name, str(lab.number), lab.branch):
                if not lab.available:
                    raise Error(f"lab {lab.name} is not available yet")
                if present_in and not all((present_in / g).exists() for g in lab.graders):
                    raise Error(f"lab {lab.name} is not in this tree yet (no {lab.graders[0]})")
                return lab
        names = " ".join(lab.name for lab in self.available())
        raise Error(f"no lab called {name!r}; the labs are: {names}")

    def available(self):
        return [lab for lab in self.labs if lab.available]

    def names(self):
        return {lab.name for lab in self.labs}


def load_toml(path):
    text = Path(path).read_text(encoding="utf-8")
    try:
        import tomllib                      # Python 3.11
    except ImportError:
        try:
            import tomli as tomllib         # older Pythons, if installed
        except ImportError:
            return mini_toml(text, path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise Error(f"{path}: {e}")


def mini_toml(text, path):
    """The TOML that labs.toml uses, for a Python without tomllib (Ubuntu 22.04's
    3.10, say): tables, arrays of tables, and values that are strings, integers,
    booleans, or arrays of those (one line, or one item a line)."""
    doc, table = {}, None
    table = doc
    lines = iter(enumerate(text.splitlines(), 1))
    for n, line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if m := re.fullmatch(r"\[\[\s*([\w.-]+)\s*\]\]", line):
            table = {}
            doc.setdefault(m[1], []).append(table)
        elif m := re.fullmatch(r"\[\s*([\w.-]+)\s*\]", line):
            table = doc.setdefault(m[1], {})
        elif m := re.fullmatch(r"([\w-]+)\s*=\s*(.*)", line):
            value = m[2]
            while value.startswith("[") and not re.search(r"\]\s*(#.*)?$", value):
                value += " " + next(lines)[1].strip()
            try:
                table[m[1]] = _toml_value(re.sub(r",?\s*\]\s*(#.*)?$", "]", value.strip()))
            except ValueError:
                raise Error(f"{path}:{n}: cannot read the value of {m[1]}")
        else:
            raise Error(f"{path}:{n}: cannot read this line")
    return doc


def _toml_value(s):
    s = re.sub(r"\s+#[^\"]*$", "", s).strip()
    if s.startswith("["):
        items = re.findall(r'"(?:[^"\\]|\\.)*"|[^,\[\]\s]+', s[1:-1])
        return [_toml_value(i) for i in items]
    if s.startswith('"') and s.endswith('"'):
        return json.loads(s)
    if s in ("true", "false"):
        return s == "true"
    return int(s)


def load_manifest(root=ROOT):
    path = Path(root) / MANIFEST
    if not path.exists():
        raise Error(f"{path}: no lab manifest")
    doc = load_toml(path)
    labs, seen = [], set()
    for n, t in enumerate(doc.get("lab", []), 1):
        where = f"{path}: lab {n}"
        for key in ("name", "title", "handout", "graders"):
            if key not in t:
                raise Error(f"{where}: no {key}")
        unknown = set(t) - {"name", "title", "handout", "graders", "files", "available"}
        if unknown:
            raise Error(f"{where}: unknown keys {sorted(unknown)}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", t["name"]) or t["name"] in seen:
            raise Error(f"{where}: bad or repeated name {t['name']!r}")
        seen.add(t["name"])
        labs.append(Lab(n, t["name"], t["title"], t["handout"], list(t["graders"]),
                        list(t.get("files", [])), bool(t.get("available", True))))
    ref = doc.get("reference_fence", "reference")
    if ref in seen:
        raise Error(f"{path}: reference_fence {ref!r} is also a lab's name")
    return Manifest(labs, list(doc.get("reference_only", [])), ref,
                    dict(doc.get("student_repo", {})))


def parse_arches(text):
    """The ports named in text ("riscv64 x86_64"); Error for one that is not a port."""
    arches = text.split()
    for a in arches:
        if a not in ARCHES:
            raise Error(f"ARCH={a} is not a port; choose one of: {' '.join(ARCHES)}")
    return arches


def verdict(tool, problems, started, where):
    """The end of a check's report: each problem, then one line saying ok or
    FAILED, the time since started (time.monotonic()) and where the logs are.
    Returns True when there is no problem."""
    for p in problems:
        print(f"\n{p}")
    print(f"\n{tool}: {'FAILED' if problems else 'ok'} in {time.monotonic() - started:.0f} s"
          f"  ({where})")
    return not problems


def matches(path, patterns):
    """Does the repo-relative path, or a directory above it, match one of the
    patterns?  As in .gitignore: a pattern with a slash in it matches from the
    top ("/build" and "tools/handout.py"), one without matches any name on the
    way ("__pycache__", "*.pyc")."""
    parts = path.split("/")
    for pat in patterns:
        if "/" in pat:
            pat = pat.strip("/")
            if any(fnmatch.fnmatchcase("/".join(parts[:i]), pat)
                   for i in range(1, len(parts) + 1)):
                return True
        elif any(fnmatch.fnmatchcase(part, pat) for part in parts):
            return True
    return False


# ---------------------------------------------------------------- grading

def grade(args):
    man = load_manifest()
    if args.lab:
        labs = [man.lab(args.lab, present_in=ROOT)]
    else:
        labs = [lab for lab in man.available()
                if all((ROOT / g).exists() for g in lab.graders)]
        if not labs:
            raise Error("no lab's graders are in this tree")
    arches = parse_arches(args.arch)
    modules = [g for lab in labs for g in lab.graders]
    # The console logs are this run's only: an earlier run's failures, left among
    # them, would be taken for this one's.
    for a in arches:
        shutil.rmtree(ROOT / "build" / a / "grade" / "logs", ignore_errors=True)
    print(f"grading {', '.join(f'lab {lab.number} ({lab.name})' for lab in labs)} "
          f"on {' and '.join(arches)}", flush=True)
    cmd = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short",
           "-n", "auto", *modules, "--arch", " ".join(arches), "--lab-report",
           "--stop-on-panic"]
    if args.task:
        if not args.lab:
            raise Error("TASK= needs LAB=: the tasks are a lab's handout's")
        cmd += ["--task", args.task]
    if args.gdb and args.record:
        raise Error("GDB=1 and RECORD=1 do not go together: record, then `make replay`")
    if args.gdb:
        cmd, test = one_test(cmd, modules, args.gdb, "--gdb", "halted for GDB")
    elif args.record:
        cmd, test = one_test(cmd, modules, args.record, "--record",
                             "recorded by QEMU on one CPU, for `make replay`")
        # The recordings are this run's only: `make replay` picks among them.
        for a in ARCHES:
            shutil.rmtree(ROOT / "build" / a / "record", ignore_errors=True)
    if args.timeout_scale and not args.gdb:
        cmd += ["--timeout-scale", str(args.timeout_scale)]
    if args.results_json:
        cmd += ["--results-json", str(Path(args.results_json).resolve())]
    status = subprocess.run(cmd, cwd=ROOT).returncode
    if args.record:
        recorded(test)
    return status


def one_test(cmd, modules, test, option, how):
    """make grade GDB=1 (RECORD=1) TEST=name: the pytest command cmd, on the grader
    modules, narrowed to the one test whose id has test in it (its whole id, or a
    part: "cpus1-snapshot"), run in this process with option; and that test's id.
    Error unless exactly one test matches."""
    cmd = [a for a in cmd if a not in ("-n", "auto")] + ["-n", "0", "-s", option]
    p = subprocess.run(cmd + ["--collect-only"], cwd=ROOT, capture_output=True, text=True)
    found = [t for t in p.stdout.splitlines() if "::" in t and test in t]
    if len(found) != 1:
        listed = "".join(f"\n  {t}" for t in found[:20])
        raise Error(f"TEST={test} matches {len(found)} tests, not one" +
                    (f" (give more of its name, or ARCH=):{listed}" if found else
                     ": the names are in `make grade`'s report"))
    print(f"grade: {found[0]}, {how}", flush=True)
    # The test in the modules' place: before the options that grade/conftest.py adds.
    i = cmd.index(modules[0])
    return cmd[:i] + [found[0]] + [a for a in cmd[i:] if a not in modules], found[0]


# ---------------------------------------------------------------- record and replay

def harness():
    sys.path.insert(0, str(ROOT / "grade"))
    import harness
    return harness


def recorded(test):
    """After make grade RECORD=1: name the test in its machines' recordings, and
    say how to replay them."""
    recs = harness().Recording.all()
    for r in recs:
        r.note(test=test)
    if not recs:
        print("grade: nothing was recorded (did the test boot a machine?)")
    for r in recs:
        name = test.split("::")[-1] if len(recs) == 1 else r.name
        print(f"grade: recorded in {r.path.relative_to(ROOT)}; replay it under GDB with\n\n"
              f"    make replay TEST='{name}'\n")


# Reverse execution loads the snapshot taken at the start of the recording, and
# replays from it up to the instruction before.  QEMU 7.2's RISC-V machine does not
# save its timers in a snapshot (the ACLINT mtimer's armed timers and time_delta;
# QEMU 10.2 does), so after the load the timer interrupt of the recording never
# comes, and the replay waits for it forever.
NO_REVERSE = {"riscv64": "QEMU 7.2 cannot run the riscv64 machine backwards (its snapshots "
                         "leave out the timer: see the README); replay forwards only"}


def replay(args):
    """make replay TEST=name [LAB=name]: the recording whose test (or name) has
    TEST in it, replayed under GDB in this terminal; the console goes to a file."""
    h = harness()
    recs = [r for r in h.Recording.all()
            if args.test in r.name or args.test in (r.machine.get("test") or "")]
    if args.lab:
        graders = load_manifest().lab(args.lab).graders
        recs = [r for r in recs if (r.machine.get("test") or "").split("::")[0] in graders]
    if len(recs) != 1:
        names = "".join(f"\n  {r.name}" for r in (recs or h.Recording.all())[:20])
        raise Error(f"TEST={args.test} matches {len(recs)} recordings, not one" +
                    (f"; the recordings:{names}" if names else
                     ": record one first (make grade LAB=x RECORD=1 TEST=name)"))
    r = recs[0]
    m = r.machine
    q = r.replayer(log=r.path / "console.log")
    q.start()
    try:
        if not q.listening_for_gdb():
            raise Error(f"QEMU did not start replaying:\n{q.tail(10)}")
        init = r.path / "replay.gdbinit"
        # Where the recording stopped, the replay stops too (QEMU would exit past it).
        init.write_text(h.gdbinit(m["arch"], q.gdbport, kernel=r.path / "kernel") +
                        "break panic\n" +
                        (f"monitor replay_break {m['icount']}\n" if m["icount"] else ""))
        end = f"instruction {m['icount']}" if m["icount"] else "the end of its log"
        print(f"replay: {r.machine.get('test') or r.name} ({m['arch']}), halted at its "
              f"first instruction; the recording stops at {end}.\nreplay: the console, "
              f"as replayed, goes to {q.log_path.relative_to(ROOT)}.\nreplay: in GDB: "
              f"continue (to the breakpoint on panic, or to the end), reverse-continue, "
              f"reverse-stepi, watch; `monitor info replay` says the instruction count.",
              flush=True)
        if m["arch"] in NO_REVERSE:
            print(f"replay: {NO_REVERSE[m['arch']]}.", flush=True)
        # Ctrl-C is GDB's (to stop the machine), not this process's: it would end
        # the replay under GDB's feet.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return subprocess.run(["gdb-multiarch", "-q", "-nx", "-x", str(init)], cwd=ROOT,
                              preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                               signal.SIG_DFL)).returncode
    finally:
        q.close()


# ---------------------------------------------------------------- the handout record

def file_mode(path):
    return "755" if os.stat(path).st_mode & 0o100 else "644"


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def tree_files(root):
    """Every file of a tree (repo-relative, sorted), junk left out."""
    out = []
    for dirpath, dirs, files in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        rel = "" if rel == "." else rel + "/"
        dirs[:] = sorted(d for d in dirs if not matches(rel + d, JUNK))
        for f in files:
            p = rel + f
            if not matches(p, JUNK) and not os.path.islink(os.path.join(dirpath, f)):
                out.append(p)
    return sorted(out)


def write_record(root, lab):
    """Write .handout/: which lab this tree is, and every file's hash and mode."""
    root = Path(root)
    lines = [f"{sha256(root / p)} {file_mode(root / p)} {p}\n" for p in tree_files(root)]
    (root / ".handout").mkdir(exist_ok=True)
    (root / ".handout" / "lab").write_text(lab.name + "\n")
    (root / ".handout" / "MANIFEST").write_text("".join(lines))


def read_record(root):
    """(lab name, {path: (sha256, mode)}) of the handout that root started as."""
    d = Path(root) / ".handout"
    if not (d / "lab").exists() or not (d / "MANIFEST").exists():
        raise Error(f"{root}: not a student tree (no .handout/lab and .handout/MANIFEST; "
                    "the reference tree has nothing to hand in)")
    files = {}
    for line in (d / "MANIFEST").read_text().splitlines():
        digest, mode, path = line.split(" ", 2)
        files[path] = (digest, mode)
    return (d / "lab").read_text().strip(), files


def record_digest(root):
    return sha256(Path(root) / ".handout" / "MANIFEST")


# ---------------------------------------------------------------- handing in

def changes(root):
    """Compare a student tree with its handout: (lab, changed or new paths, deleted paths)."""
    lab, base = read_record(root)
    now = tree_files(root)
    changed = [p for p in now
               if base.get(p) != (sha256(Path(root) / p), file_mode(Path(root) / p))]
    deleted = sorted(set(base) - set(now))
    return lab, changed, deleted


def tar_add(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, 0
    info.uname = info.gname = "vmlab"
    tar.addfile(info, io.BytesIO(data))


def handin(args):
    lab, changed, deleted = changes(ROOT)
    out = Path(args.out or ROOT / f"handin-{lab}.tar.gz")
    big = [p for p in changed if (ROOT / p).stat().st_size > 1 << 20]
    if big:
        raise Error("files over 1 MiB would go into the handin (remove them, or move "
                    "them into build/): " + " ".join(big))
    info = dict(lab=lab, base=record_digest(ROOT), changed=changed, deleted=deleted,
                made=time.strftime("%Y-%m-%d %H:%M:%S %z"))
    with tarfile.open(out, "w:gz") as tar:
        tar_add(tar, "handin/INFO.json", (json.dumps(info, indent=1) + "\n").encode())
        for p in changed:
            tar_add(tar, "handin/files/" + p, (ROOT / p).read_bytes(),
                    0o755 if file_mode(ROOT / p) == "755" else 0o644)
    print(f"{out.name}: lab {lab}, {len(changed)} changed or new, {len(deleted)} deleted")
    base = read_record(ROOT)[1]
    for p in changed:
        print(f"  {'M' if p in base else 'A'} {p}")
    for p in deleted:
        print(f"  D {p}")
    if not changed and not deleted:
        print("  (no changes: you hand in the handout as it is)")
    return 0


def apply_handin(path, dest, protect=(), lab=None):
    """Put a handin's changes into dest, a clean handout of the same lab.  Paths
    that match protect (the graders, say) are left as the handout has them.
    Returns the handin's INFO (with 'skipped': the protected paths it held)."""
    dest = Path(dest)
    with tarfile.open(path, "r:gz") as tar:
        try:
            info = json.load(tar.extractfile("handin/INFO.json"))
        except KeyError:
            raise Error(f"{path}: not a handin (no handin/INFO.json)")
        have_lab, _ = read_record(dest)
        if info["lab"] != (lab or have_lab):
            raise Error(f"{path}: a handin of lab {info['lab']}, not of lab {lab or have_lab}")
        if info["base"] != record_digest(dest):
            print(f"warning: {path} was made from another handout of lab {info['lab']} "
                  "than this one; applying it anyway", file=sys.stderr)
        info["skipped"] = []
        for m in tar.getmembers():
            if not m.name.startswith("handin/files/") or not m.isfile():
                continue
            rel = m.name[len("handin/files/"):]
            if rel.startswith("/") or ".." in rel.split("/") or matches(rel, JUNK):
                raise Error(f"{path}: a file outside the tree: {rel}")
            if matches(rel, protect):
                info["skipped"].append(rel)
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()
            target.write_bytes(tar.extractfile(m).read())
            target.chmod(0o755 if m.mode & 0o100 else 0o644)
        for rel in info["deleted"]:
            if ".." in rel.split("/") or matches(rel, protect):
                continue
            (dest / rel).unlink(missing_ok=True)
    return info


def apply_cmd(args):
    info = apply_handin(args.file, args.dir)
    print(f"{args.dir}: applied lab {info['lab']}: {len(info['changed'])} changed or new, "
          f"{len(info['deleted'])} deleted")
    return 0


def labs_cmd(args):
    man = load_manifest()
    here = None
    if (ROOT / ".handout" / "lab").exists():
        here = (ROOT / ".handout" / "lab").read_text().strip()
    for lab in man.labs:
        if not lab.available:
            state = "not yet available"
        elif here is None:
            state = "available"
        elif all((ROOT / g).exists() for g in lab.graders):
            state = "this lab" if lab.name == here else "done before"
        else:
            state = "later"
        print(f"{lab.number}  {lab.name:<9} {state:<18} {lab.title}")
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="course.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("labs", help="list the labs")
    s.set_defaults(fn=labs_cmd)
    s = sub.add_parser("grade", help="grade one lab (--lab) or every lab in this tree")
    s.add_argument("--lab")
    s.add_argument("--task", help="only the checks of these tasks of the lab's handout "
                                  "(N or N,M)")
    s.add_argument("--arch", default=" ".join(ARCHES))
    s.add_argument("--timeout-scale", type=float)
    s.add_argument("--results-json")
    s.add_argument("--gdb", metavar="TEST", help="run the one test whose id has TEST in it, "
                   "its machines halted for GDB, without timeouts")
    s.add_argument("--record", metavar="TEST", help="run the one test whose id has TEST in "
                   "it, its machines recorded by QEMU (on one CPU) for `replay`")
    s.set_defaults(fn=grade)
    s = sub.add_parser("replay", help="replay a recorded test under GDB")
    s.add_argument("--test", required=True)
    s.add_argument("--lab")
    s.set_defaults(fn=replay)
    s = sub.add_parser("handin", help="pack your changes into handin-LAB.tar.gz")
    s.add_argument("--out")
    s.set_defaults(fn=handin)
    s = sub.add_parser("apply", help="apply a handin to a clean handout")
    s.add_argument("file")
    s.add_argument("dir")
    s.set_defaults(fn=apply_cmd)
    args = p.parse_args(argv)
    try:
        return args.fn(args)
    except Error as e:
        print(f"{p.prog}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Mutation testing of the graders: does `make grade` catch the bugs students make?
Only the reference tree has this file and the catalogs.

    mutants.py list  [--lab NAME]                    the catalog, a mutant a line
    mutants.py check [--lab NAME] [--mutant NAME] [--arch "riscv64 x86_64"]
                     [--jobs N] [--timeout-scale S] [--workdir DIR] [--quick]
    mutants.py show  --lab NAME --mutant NAME        the mutant as a diff

A lab's catalog is tools/mutants/LAB.toml: one [[mutant]] per realistic student
bug, each a small edit of the reference inside that lab's own fences:

    [[mutant]]
    name = "clip-end-off-by-one"
    why  = "vm_map_clip_end splits one page late"
    file = "kernel/vm/vm_map.c"
    find = '''
      new_entry->start = end;
    '''
    replace = '''
      new_entry->start = end + PAGE_SIZE;
    '''

(a bug of several edits lists them as [[mutant.edit]] tables of file, find and
replace).  `find` must occur exactly once in its file, inside the code (not the
starter) of a fence of the catalog's lab.  `caught_by` (optional) names a check of
the lab's graders (as `pytest --list-checks` names it: "wiretest basic") that
catches the bug: --quick grades that check first, and the whole grader only if
it does not lose points (then the check prints that the hint missed).

`check` grades the unchanged reference first (it must score full marks: else
nothing below means anything), then each mutant: it applies the edits in a copy
of the tree, rebuilds (only the changed files recompile), and runs the lab's
graders on every port, as `make grade` does.  A mutant is caught when it loses
points on every port; the check passes when every mutant is caught.  Copies of
the tree work in parallel (--jobs, default: twice the number of CPUs).  --quick
(what `make test` uses) grades each mutant on one port, the ports taking turns,
and only until it has failed a test there: a bug that loses points on one port
is caught there; `make check-mutants` without it holds every mutant to both.
--reference-graded skips the baselines: `make test` has graded the reference on
every port just before, and stopped if it lost a point; each copy must then be up
to date for make, its kernels and disk images those of the reference.
"""

import argparse
import concurrent.futures
import difflib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course                                    # noqa: E402
import handout                                   # noqa: E402
from course import Error, load_manifest, load_toml  # noqa: E402

ROOT = course.ROOT
PYTHON = course.PYTHON
CATALOGS = "tools/mutants"
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass
class Edit:
    file: str
    find: str
    replace: str


@dataclass
class Mutant:
    lab: object          # course.Lab
    name: str
    why: str
    edits: list
    caught_by: str = ""  # the check that caught it when the catalog was written

    @property
    def id(self):
        return f"{self.lab.name}/{self.name}"


# ---------------------------------------------------------------- the catalogs

def fence_owner(text, man):
    """For each line of text (0-based), the innermost fence it lies in, as
    (lab name, 'body' or 'starter'), or None outside fences.  Marker lines
    themselves belong to no fence's code: they are None."""
    owner, stack = [], []
    for line in text.splitlines():
        m = handout.MARKER.match(line)
        if not m:
            owner.append(stack[-1] if stack else None)
            continue
        owner.append(None)
        if m["kind"] == "BEGIN":
            stack.append((m["name"], "body"))
        elif m["kind"] == "STARTER" and stack:
            stack[-1] = (stack[-1][0], "starter")
        elif stack:
            stack.pop()
    return owner


def check_edit(root, man, lab, mutant, e):
    """Raise Error unless edit e of mutant applies to the reference exactly once,
    inside the code of one of lab's fences."""
    where = f"{CATALOGS}/{lab.name}.toml: mutant {mutant}"
    path = Path(root) / e.file
    if not path.is_file():
        raise Error(f"{where}: no file {e.file}")
    if not e.find.strip():
        raise Error(f"{where}: an empty find")
    if e.find == e.replace:
        raise Error(f"{where}: replace is the same as find: not a mutant")
    text = path.read_text()
    n = text.count(e.find)
    if n != 1:
        raise Error(f"{where}: its find text occurs {n} times in {e.file} (it must occur "
                    "once; give more context)")
    at = text.index(e.find)
    first = text.count("\n", 0, at)
    last = first + e.find.rstrip("\n").count("\n")
    owner = fence_owner(text, man)
    for i in range(first, last + 1):
        if owner[i] != (lab.name, "body"):
            what = ("outside every fence" if owner[i] is None else
                    f"in the {owner[i][1]} of a fence of lab {owner[i][0]}")
            raise Error(f"{where}: {e.file}:{i + 1} is {what}; a lab {lab.name} mutant "
                        f"edits only the code inside `LAB {lab.name}: BEGIN`...END")


def load_catalog(root, man, lab):
    """The mutants of lab, checked; [] if the lab has no catalog."""
    path = Path(root) / CATALOGS / f"{lab.name}.toml"
    if not path.exists():
        return []
    doc = load_toml(path)
    out, seen = [], set()
    for i, m in enumerate(doc.get("mutant", []), 1):
        name = m.get("name", "")
        if not NAME.fullmatch(name):
            raise Error(f"{path.relative_to(root)}: mutant {i}: name {name!r} must be "
                        "lowercase letters, digits and dashes")
        if name in seen:
            raise Error(f"{path.relative_to(root)}: two mutants called {name}")
        seen.add(name)
        if not m.get("why"):
            raise Error(f"{path.relative_to(root)}: mutant {name}: no `why`")
        raw = m.get("edit") or [m]
        edits = []
        for r in raw:
            if not all(k in r for k in ("file", "find", "replace")):
                raise Error(f"{path.relative_to(root)}: mutant {name}: an edit needs "
                            "file, find and replace")
            e = Edit(r["file"], r["find"], r["replace"])
            check_edit(root, man, lab, name, e)
            edits.append(e)
        if len({e.file for e in edits}) != len(edits):
            raise Error(f"{path.relative_to(root)}: mutant {name}: two edits of one file "
                        "(give one edit with more context)")
        hint = m.get("caught_by", "")
        if not isinstance(hint, str):
            raise Error(f"{path.relative_to(root)}: mutant {name}: caught_by is a check's "
                        "name, a string")
        out.append(Mutant(lab, name, m["why"], edits, hint))
    return out


def catalogs(root, man, lab_name=None, mutant_name=None):
    """[(lab, [mutants])] for the chosen lab (default: every available lab that
    has a catalog), narrowed to one mutant if asked."""
    labs = [man.lab(lab_name)] if lab_name else man.available()
    out = []
    for lab in labs:
        ms = load_catalog(root, man, lab)
        if mutant_name:
            ms = [m for m in ms if m.name == mutant_name]
        if ms or lab_name:
            out.append((lab, ms))
    if lab_name and not out[0][1]:
        raise Error(f"lab {lab_name}: no mutant" + (f" called {mutant_name}" if mutant_name
                                                    else f"s ({CATALOGS}/{lab_name}.toml)"))
    if not out:
        raise Error(f"no catalog in {CATALOGS}/")
    return out


def diff(root, m):
    out = []
    for e in m.edits:
        old = (Path(root) / e.file).read_text()
        new = old.replace(e.find, e.replace, 1)
        out += difflib.unified_diff(old.splitlines(keepends=True),
                                    new.splitlines(keepends=True),
                                    f"a/{e.file}", f"b/{e.file}", n=2)
    return "".join(out)


# ---------------------------------------------------------------- a copy of the tree

class Worktree:
    """A copy of the reference (sources and build outputs, mtimes kept, so that
    make rebuilds only what a mutant changes)."""

    def __init__(self, root, path):
        self.root, self.path = Path(root), Path(path)

    def create(self):
        if self.path.exists():
            shutil.rmtree(self.path)
        for f in handout.source_files(self.root):
            dst = self.path / f
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.root / f, dst)
        handout.copy_builds(self.root, self.path)

    def build(self, log, arches):
        """make build for these ports; whether it worked."""
        with open(log, "a") as f:
            for a in arches:
                p = subprocess.run(["make", "-s", "--no-print-directory", f"ARCH={a}", "build"],
                                   cwd=self.path, stdin=subprocess.DEVNULL, stdout=f,
                                   stderr=subprocess.STDOUT)
                if p.returncode:
                    return False
        return True

    def built_as_reference(self, arches):
        """Whether make finds every kernel and disk image up to date: then the
        copy grades as the reference does."""
        for a in arches:
            for debug, outputs in (("0", [f"build/{a}/kernel", f"build/{a}/fs.img"]),
                                   ("1", [f"build/{a}-debug/kernel"])):
                p = subprocess.run(["make", "-q", f"ARCH={a}", f"DEBUG={debug}", *outputs],
                                   cwd=self.path, stdin=subprocess.DEVNULL,
                                   capture_output=True)
                if p.returncode:
                    return False
        return True

    def apply(self, m):
        """Apply m's edits; returns what to give restore()."""
        saved = []
        for e in m.edits:
            p = self.path / e.file
            text = p.read_text()
            if text.count(e.find) != 1:
                raise Error(f"mutant {m.id}: {e.file} in {self.path} is not the reference's")
            saved.append((p, text))
            p.write_text(text.replace(e.find, e.replace, 1))
        return saved

    def restore(self, saved):
        for p, text in saved:
            p.write_text(text)

    def grade(self, lab, arches, report, log, timeout_scale, quick=False, check=None):
        """Run lab's graders on these ports; the tests (dicts of --lab-json), or
        None if pytest did not get that far.  quick: stop once every port has
        failed a test (enough to show that the mutant loses points there).
        check: only that check of the graders."""
        report.unlink(missing_ok=True)
        cmd = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "--tb=line", *(["--until-every-arch-fails"] if quick else []), *lab.graders,
               "--arch", " ".join(arches), "--timeout-scale", f"{timeout_scale:g}",
               *([f"--check={check}"] if check else []), "--lab-json", str(report)]
        with open(log, "a") as f:
            subprocess.run(cmd, cwd=self.path, stdin=subprocess.DEVNULL, stdout=f,
                           stderr=subprocess.STDOUT)
        if not report.exists():
            return None
        return json.loads(report.read_text())["tests"]


# ---------------------------------------------------------------- check

@dataclass
class Result:
    job: object              # a Mutant, or a Lab for its baseline
    arches: list             # the ports it was graded on
    tests: list              # --lab-json rows, or None
    built: bool
    seconds: float
    log: Path
    missed: str = ""         # the mutant's caught_by, if grading it alone lost no point

    def score(self, arch):
        ts = [t for t in self.tests or [] if t["arch"] == arch and not t.get("skipped")]
        return sum(t["score"] for t in ts), sum(t["points"] for t in ts)

    def failed(self):
        """The short names of the failing tests, each once, with its ports."""
        names = {}
        for t in self.tests or []:
            if not t["passed"] and not t.get("skipped"):
                short = re.sub(r"\[(riscv64|x86_64)-?", "[", t["test"]).replace("[]", "")
                names.setdefault(short, set()).add(t["arch"])
        return names


def run_jobs(trees, jobs, arches, timeout_scale, logdir, quick):
    """Each job (a Lab: its baseline, on every port; or a Mutant: quick, on one
    port, the mutants taking the ports in turn) on a free tree; yields Results."""
    free = queue.Queue()
    for t in trees:
        free.put(t)

    def one(k, job):
        tree = free.get()
        try:
            is_mutant = isinstance(job, Mutant)
            lab = job.lab if is_mutant else job
            name = job.id if is_mutant else f"{lab.name}/reference"
            log = logdir / (name.replace("/", ".") + ".log")
            log.write_text(f"{name} in {tree.path}\n")
            t0 = time.monotonic()
            ports = [arches[k % len(arches)]] if quick and is_mutant else arches
            report = logdir / (name.replace("/", ".") + ".json")
            saved = tree.apply(job) if is_mutant else []
            hint = job.caught_by if quick and is_mutant else ""
            try:
                r = Result(job, ports, None, tree.build(log, ports), 0, log)
                if r.built and hint:
                    r.tests = tree.grade(lab, ports, report, log, timeout_scale, True, hint)
                    # A point lost there is enough; else the whole grader decides.
                    r.missed = "" if verdict(r)[0] == "caught" else hint
                if r.built and (not hint or r.missed):
                    r.tests = tree.grade(lab, ports, report, log, timeout_scale,
                                         quick and is_mutant)
            finally:
                tree.restore(saved)
            r.seconds = time.monotonic() - t0
            return r
        finally:
            free.put(tree)

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(trees)) as ex:
        futures = [ex.submit(one, k, j) for k, j in enumerate(jobs)]
        for f in concurrent.futures.as_completed(futures):
            yield f.result()


def caught_by(r, most=6):
    """The failing tests, short: `mmaptest[split]`, with the port where only one
    of those graded failed, the first `most` of them and a count of the rest."""
    names = []
    for name, ports in sorted(r.failed().items()):
        name = re.sub(r"^test_", "", re.sub(r"cpus\d+-?", "", name)).replace("[]", "")
        names.append(name + ("" if len(ports) == len(r.arches) else
                             f" ({'+'.join(sorted(ports))})"))
    names = list(dict.fromkeys(names))
    more = len(names) - most
    return ", ".join(names[:most]) + (f", and {more} more" if more > 0 else "")


def verdict(r):
    """('caught' | 'ESCAPED' | ..., detail) of a mutant's Result, on the ports
    it was graded on."""
    if not r.built:
        return "BUILD FAILS", f"see {r.log}"
    if r.tests is None:
        return "NOT GRADED", f"pytest did not run; see {r.log}"
    escaped = [a for a in r.arches if r.score(a)[0] == r.score(a)[1]]
    if escaped:
        return "ESCAPED", f"full marks on {' and '.join(escaped)}"
    return "caught", ""


def check(root, man, lab_name, mutant_name, arches, jobs, timeout_scale, workdir,
          quick=False, reference_graded=False):
    started = time.monotonic()
    cats = catalogs(root, man, lab_name, mutant_name)
    total = sum(len(ms) for _, ms in cats)
    for a in arches:        # the reference's builds, which every copy starts from
        p = subprocess.run(["make", "-s", "--no-print-directory", f"ARCH={a}", "build"],
                           cwd=root, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if p.returncode:
            raise Error(f"the reference does not build on {a}:\n{p.stdout}{p.stderr}")
    workdir = Path(workdir)
    logdir = workdir / "logs"
    if logdir.exists():
        shutil.rmtree(logdir)
    logdir.mkdir(parents=True)
    baselines = [] if reference_graded else [lab for lab, _ in cats]
    n = max(1, min(jobs, total + len(baselines)))
    trees = [Worktree(root, workdir / f"tree{i}") for i in range(n)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        list(ex.map(Worktree.create, trees))
    # With no baseline, what shows that a copy grades as the reference: its builds.
    for t in trees if reference_graded else []:
        if not t.built_as_reference(arches):
            raise Error(f"{t.path}: make would rebuild the copy of the reference")
    print(f"check-mutants: {total} mutants of "
          f"{', '.join(f'lab {lab.number} ({lab.name})' for lab, _ in cats)} on "
          f"{' and '.join(arches)}, {n} at a time", flush=True)

    # The baselines first: a lab whose reference loses points is reported as such.
    queue_ = baselines + [m for _, ms in cats for m in ms]
    results = {}
    for r in run_jobs(trees, queue_, arches, timeout_scale, logdir, quick):
        if isinstance(r.job, Mutant):
            v, _ = verdict(r)
            scores = "  ".join(f"{a} {r.score(a)[0]}/{r.score(a)[1]}" for a in r.arches)
            missed = f"  (its caught_by, {r.missed}, lost no point)" if r.missed else ""
            print(f"  {r.job.id:<40} {v:<12} {scores}  ({r.seconds:.0f} s){missed}",
                  flush=True)
            results[r.job.id] = r
        else:
            results[f"{r.job.name}/reference"] = r
            scores = "  ".join(f"{a} {r.score(a)[0]}/{r.score(a)[1]}" for a in arches)
            print(f"  {r.job.name + '/reference':<40} {'baseline':<12} {scores}  "
                  f"({r.seconds:.0f} s)", flush=True)

    problems = []
    print()
    w = max([len(m.id) for _, ms in cats for m in ms] + [20]) + 2
    head = "".join(f"{a:<10}" for a in arches)
    if quick:
        print("(--quick: a mutant is graded on one port, the ports taking turns, its "
              "caught_by check first, until it has failed a test; the scores are of the "
              "tests run)")
    if reference_graded:
        print("(--reference-graded: the reference's full marks are make test's graders')")
    print(f"{'mutant':<{w}}{'verdict':<13}{head}caught by")
    for lab, ms in cats:
        base = results.get(f"{lab.name}/reference")
        full = base is None or base.tests is not None and all(
            base.score(a)[0] == base.score(a)[1] and base.score(a)[1] > 0 for a in arches)
        if not full:
            fails = "; ".join(sorted(base.failed())) or f"see {base.log}"
            problems.append(f"lab {lab.name}: the reference itself loses points ({fails}): "
                            "no mutant result of this lab means anything")
        caught = 0
        for m in ms:
            r = results[m.id]
            v, detail = verdict(r)
            caught += v == "caught"
            scores = "".join(f"{'%d/%d' % r.score(a) if a in r.arches else '-':<10}"
                             for a in arches)
            by = caught_by(r)
            print(f"{m.id:<{w}}{v:<13}{scores}{by or detail}")
            if v != "caught":
                problems.append(f"{m.id}: {v}: {detail or by}  ({m.why})")
        print(f"{'lab ' + lab.name + ':':<{w}}{caught}/{len(ms)} caught"
              f"{'' if full else '  (the reference loses points!)'}")
    # Not a problem (the whole grader caught them), but each costs a second grading.
    missed = [r for r in results.values() if r.missed]
    if missed:
        print("\nNot caught by their caught_by check on the port graded (the whole grader "
              f"caught them; update {CATALOGS}/LAB.toml):")
        for r in missed:
            print(f"  {r.job.id} on {r.arches[0]}: {r.missed!r} lost no point; "
                  f"caught by {caught_by(r) or '-'}")
    return course.verdict("check-mutants", problems, started, f"logs in {logdir}")


# ---------------------------------------------------------------- main

def main(argv=None):
    p = argparse.ArgumentParser(prog="mutants.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=ROOT, type=Path, help="the reference tree")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("list", help="the catalog")
    s.add_argument("--lab")
    s = sub.add_parser("show", help="a mutant as a diff")
    s.add_argument("--lab", required=True)
    s.add_argument("--mutant", required=True)
    s = sub.add_parser("check", help="grade every mutant; every one must lose points")
    s.add_argument("--lab")
    s.add_argument("--mutant")
    s.add_argument("--arch", default=" ".join(course.ARCHES))
    # Twice as many copies as CPUs: a mutant's grading mostly waits, for a hung
    # test's timeout or a machine's boot.
    s.add_argument("--jobs", type=int, default=2 * (os.cpu_count() or 1))
    s.add_argument("--timeout-scale", type=float, default=1.0)
    s.add_argument("--workdir", type=Path, help="default: ROOT/build/mutants")
    s.add_argument("--quick", action="store_true",
                   help="grade a mutant only until it has failed a test on every port")
    s.add_argument("--reference-graded", action="store_true",
                   help="skip the baselines: the reference has just scored full marks "
                        "on these ports (make test's graders)")
    args = p.parse_args(argv)
    root = args.root.resolve()
    try:
        man = load_manifest(root)
        if args.cmd == "list":
            for lab, ms in catalogs(root, man, args.lab):
                for m in ms:
                    print(f"{m.id:<40} {m.why}")
        elif args.cmd == "show":
            for _, ms in catalogs(root, man, args.lab, args.mutant):
                for m in ms:
                    print(f"# {m.id}: {m.why}")
                    sys.stdout.write(diff(root, m))
        elif args.cmd == "check":
            arches = course.parse_arches(args.arch)
            ok = check(root, man, args.lab, args.mutant, arches, args.jobs,
                       args.timeout_scale, args.workdir or root / "build" / "mutants",
                       args.quick, args.reference_graded)
            return 0 if ok else 1
    except Error as e:
        print(f"{p.prog}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

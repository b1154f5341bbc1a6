#!/usr/bin/python3
"""Each task's checks, held to what the handouts say.  Only the reference tree
has this file.

    tasks.py lint [--lab NAME]     every task's "*Checks:*" line in a handout names
                                   exactly the tests tagged with that task (host
                                   tests: struct test's task; graders:
                                   @pytest.mark.task(N)), and only tests that exist
    tasks.py check [--lab NAME] [--arch ...] [--timeout-scale S] [--quick]
                                   for each lab whose fences say their tasks, the
                                   lab's tree with tasks 1..k-1 done, for every k:
                                   a check of task t fails while t < k is false and
                                   passes once it is true; a test of no task passes
                                   in every one; a given check of task t passes on
                                   the starter too (cowtest freemem: copy-on-write
                                   without collapse leaks what collapse frees)

A "*Checks:*" line lists its tests before its first full stop, each in
backquotes: a host test by name (`map_clip`), a grader by the name
`--list-checks` gives it (`mmaptest split`, `test_ps`); text in parentheses and
after the full stop is prose, free to name any test.  `*Checks:* none` (then
prose) says the task has no check of its own.
"""

import argparse
import concurrent.futures
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import course                                   # noqa: E402
import handout                                  # noqa: E402
import mutants                                  # noqa: E402
from course import Error, load_manifest         # noqa: E402

ROOT = course.ROOT
PYTHON = course.PYTHON

# A task's heading in a handout, and its checks paragraph.
TASK_HEADING = re.compile(r"^### (\d+)\. ", re.M)
CHECKS = re.compile(r"\*Checks:\*(.*?)(?:\n\s*\n|\Z)", re.S)
LISTED = re.compile(r"`([^`]+)`")
# What `pytest --list-checks` prints for each check.
CHECK_LINE = re.compile(r"^(test_\w+\.py) (.+) (\d+) (given|-)$")


@dataclass(frozen=True)
class Test:
    kind: str            # "host" or "grader"
    name: str            # as the handouts name it
    task: int            # 0: none
    given: bool = False  # a grader that passes on the lab's starter (no task)


# ---------------------------------------------------------------- what the handouts say

def strip_parens(text):
    """text without its parenthesized parts (nested ones too)."""
    out, depth = [], 0
    for c in text:
        depth += c == "("
        if depth == 0:
            out.append(c)
        depth -= c == ")" and depth > 0
    return "".join(out)


def listed_checks(text):
    """The list part of a *Checks:* paragraph: the backquoted names before the
    first full stop outside parentheses (and outside backquotes); none if it
    starts with "none"."""
    if re.match(r"\s*none\b", text):
        return []                  # then prose, free to name any test
    text = strip_parens(text)
    head = re.split(r"\.(?:\s|$)", re.sub(r"`[^`]*`", lambda m: m[0].replace(".", "\0"),
                                          text), maxsplit=1)[0]
    return [" ".join(name.replace("\0", ".").split()) for name in LISTED.findall(head)]


def handout_checks(path):
    """{task number: [names its Checks line lists]} of a handout; a task without
    a Checks paragraph is absent.  Raises Error for a task with two."""
    text = Path(path).read_text()
    heads = list(TASK_HEADING.finditer(text))
    found = {}
    for i, h in enumerate(heads):
        # A task runs to the next task or the next ## section.
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[h.end():end]
        body = body[:m.start()] if (m := re.search(r"^## ", body, re.M)) else body
        paras = CHECKS.findall(body)
        if len(paras) > 1:
            raise Error(f"{path}: task {h[1]} has {len(paras)} *Checks:* paragraphs")
        if paras:
            found[int(h[1])] = listed_checks(paras[0])
    return found


# ---------------------------------------------------------------- what the tests say

def host_tests(tree, log):
    """{lab name: [Test]} from `vmtest --list` in tree (built by `make check`'s
    build step)."""
    p = subprocess.run(["make", "-s", "--no-print-directory", "-f", "tests/host/Makefile", "all"], cwd=tree,
                       capture_output=True, text=True)
    if p.returncode:
        Path(log).write_text(p.stdout + p.stderr)
        raise Error(f"the host tests do not build in {tree} ({log})")
    out = subprocess.run([str(Path(tree) / "build" / "host" / "vmtest"), "--list"],
                         capture_output=True, text=True, check=True).stdout
    tests = {}
    for line in out.splitlines():
        name, lab, task = line.split()
        tests.setdefault(lab, []).append(Test("host", name, int(task)))
    return tests


def grader_tests(tree, lab):
    """[Test] of lab's graders, from pytest --list-checks."""
    p = subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "--list-checks", *lab.graders], cwd=tree, capture_output=True,
                       text=True)
    tests = []
    for line in p.stdout.splitlines():
        if m := CHECK_LINE.match(line):
            tests.append(Test("grader", m[2], int(m[3]), m[4] == "given"))
    if not tests:
        raise Error(f"lab {lab.name}: pytest --list-checks named no test:\n"
                    f"{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return tests


def lint_lab(root, man, lab, hosts, parsed):
    """Problems (strings) with lab's handout against its tests' tags."""
    problems = []
    where = lab.handout
    tests = hosts.get(lab.name, []) + grader_tests(root, lab)
    by_name = {t.name: t for t in tests}
    fence_tasks = set(handout.tasks_of(parsed, lab))
    listed = handout_checks(root / lab.handout)
    for task, names in sorted(listed.items()):
        for name in names:
            if name not in by_name:
                problems.append(f"{where}: task {task} lists `{name}`, which is no test "
                                f"of lab {lab.name} (host: vmtest --list; graders: "
                                "pytest --list-checks)")
            elif by_name[name].task != task:
                problems.append(f"{where}: task {task} lists `{name}`, whose tag says "
                                f"task {by_name[name].task or 'none'}")
    for t in tests:
        if t.task and t.name not in listed.get(t.task, []):
            problems.append(f"{where}: `{t.name}` ({t.kind}) is tagged task {t.task}, "
                            f"but task {t.task}'s *Checks:* line does not list it")
        if t.task and fence_tasks and t.task not in fence_tasks:
            problems.append(f"`{t.name}` is tagged task {t.task} of lab {lab.name}, whose "
                            f"code no fence marks (fences say tasks "
                            f"{sorted(fence_tasks)}): nothing can make it fail before")
        if fence_tasks and t.kind == "grader" and not t.task and not t.given:
            problems.append(f"`{t.name}`: a grader of lab {lab.name} with no task and "
                            "not given: tag it @pytest.mark.task(N)")
    for task in sorted(fence_tasks - set(listed)):
        problems.append(f"{where}: task {task} has code (fences) but no *Checks:* line")
    return problems


def lint(root, man, labs, hosts):
    """Every problem of the labs' handouts against the tests' tags; hosts as
    host_tests() gives them."""
    parsed = handout.lint(root, man)
    problems = []
    for lab in labs:
        problems += lint_lab(root, man, lab, hosts, parsed)
    return problems


# ---------------------------------------------------------------- check: the trees

def sync(src, dst):
    """Make dst's files (but build/) those of src: only changed files are
    written, so that make rebuilds only what they touch."""
    src, dst = Path(src), Path(dst)
    want = set(course.tree_files(src))
    for f in want:
        data = (src / f).read_bytes()
        out = dst / f
        if not out.is_file() or out.read_bytes() != data:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            shutil.copymode(src / f, out)
    for f in course.tree_files(dst):
        if f not in want and not f.startswith("build/"):
            (dst / f).unlink()


def trees_of(lab, fence_tasks):
    """The k of the trees to check (tasks 1..k-1 done): each task with code, and
    one past the last (the lab done)."""
    return sorted(set(fence_tasks) | {max(fence_tasks) + 1})


def expected(test, k, first):
    """Whether test must pass in the tree with tasks before k done; first: the
    k of the starter's tree."""
    return test.task < k or (test.given and k == first)


def run_host(tree, log, names):
    """{name: passed} of the host tests of these names (and any whose names
    contain one of them) in tree."""
    with open(log, "w") as f:
        subprocess.run(["make", "-s", "--no-print-directory", "-f", "tests/host/Makefile",
                        "all"], cwd=tree, stdout=f, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
        if names:        # (no name: every test)
            subprocess.run([str(Path(tree) / "build" / "host" / "vmtest"), *sorted(names)],
                           cwd=tree, stdout=f, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
    got = {}
    for line in Path(log).read_text(errors="replace").splitlines():
        if m := handout.HOST_RESULT.match(line):
            got[m[2]] = m[1] == "ok"
    return got


def run_graders(tree, lab, arches, checks, scale, log, cpus):
    """{(check, arch): (passed, the first failure's message)} of these checks of
    lab's graders in tree, in one process: the trees run at once (check()), and xdist's workers would cost
    more CPU time to start than most of these runs take."""
    report = Path(log).with_suffix(".json")
    report.unlink(missing_ok=True)
    cmd = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--tb=line",
           *lab.graders, "--arch", " ".join(arches), "--timeout-scale", f"{scale:g}",
           *(f"--check={name}" for name in sorted(checks)), "--lab-json", str(report)]
    if cpus:
        cmd += ["--cpus", str(cpus)]
    handout.run(cmd, tree, log)
    if not report.exists():
        raise Error(f"{tree}: pytest did not run ({log}):\n{handout.tail(log)}")
    got = {}
    for t in json.loads(report.read_text())["tests"]:
        key = (t["check"], t["arch"])
        passed, why = got.get(key, (True, ""))
        got[key] = (passed and t["passed"], why or t["message"])
    return got


def relevant(t, ks, i):
    """Whether --quick checks test t in the i-th tree: the tree just before its
    task and the one just after (where it changes), and tests of no task and
    given ones in the starter's tree and the finished one."""
    return (t.task == ks[i] or (i > 0 and t.task == ks[i - 1]) or
            ((t.given or not t.task) and i in (0, len(ks) - 1)))


def copy_tree(src, dst):
    """dst: a copy of the tree src with its builds, mtimes kept, but not the
    graders' disk images and logs (build/ARCH/grade, build/grade-shared).  The
    host tests' dependency files name absolute paths: src's become dst's."""
    def skip(d, names):
        rel = Path(d).relative_to(src).parts
        if rel == ("build",):
            return ["grade-shared"]
        return ["grade"] if len(rel) == 2 and rel[0] == "build" else []
    shutil.copytree(src, dst, symlinks=True, ignore=skip)
    for d in (Path(dst) / "build" / "host").rglob("*.d"):
        text = d.read_text(errors="surrogateescape")
        if f"{src}/" in text:
            st = d.stat()
            d.write_text(text.replace(f"{src}/", f"{dst}/"), errors="surrogateescape")
            os.utime(d, ns=(st.st_atime_ns, st.st_mtime_ns))


def build_tree(root, man, lab, k, prev, tree, ports, log):
    """Write the tree of lab with tasks 1..k-1 done into tree, a copy of the tree
    prev (None: of the reference), and build it on these ports (both kernels)
    and for the host tests.  A build that fails is left for the grading to
    report (its make fails again)."""
    if prev is None:
        mutants.Worktree(root, tree).create()
        handout.copy_host_build(root, tree)
    else:
        copy_tree(prev, tree)
    with tempfile.TemporaryDirectory(prefix="vmlab-task-") as tmp:
        handout.handout(root, man, lab, Path(tmp) / "t", task=k)
        sync(Path(tmp) / "t", tree)
    make = ["make", "-s", "--no-print-directory"]
    cmds = [make + ["-f", "tests/host/Makefile", "all"]]
    cmds += [make + [f"ARCH={a}", f"DEBUG={d}", "build"] for a in ports for d in (0, 1)]
    for cmd in cmds:
        handout.run(cmd, tree, log, mode="a")


def grade_tree(lab, hosts, graders, ks, i, tree, ports, scale, workdir, quick):
    """Rows (k, test, arch, expected, passed, why it failed) of the i-th tree of
    lab (tasks 1..ks[i]-1 done), built in tree."""
    k = ks[i]
    t0 = time.monotonic()
    mine = [t for t in hosts + graders if not quick or relevant(t, ks, i)]
    if quick and i == 0:
        mine = [t for t in mine if t.kind == "host" or expected(t, k, ks[0])]
    rows = []
    host = run_host(tree, workdir / f"{lab.name}-{k}.host.log",
                    {t.name for t in mine if t.kind == "host"})
    for t in mine:
        if t.kind == "host":
            rows.append((k, t, "host", expected(t, k, ks[0]), host.get(t.name), ""))
    mine = [t for t in mine if t.kind == "grader"]
    must_pass = {t.name for t in mine if expected(t, k, ks[0])}
    must_fail = {t.name for t in mine if not expected(t, k, ks[0])}
    got = {}
    if must_pass:
        got.update(run_graders(tree, lab, ports, must_pass, scale,
                               workdir / f"{lab.name}-{k}.pass.log", None))
    if must_fail:
        # Tests that must fail, at a quarter of the timeouts: starter code
        # hangs, and shorter timeouts can only make a test fail.
        got.update(run_graders(tree, lab, ports, must_fail, scale / 4,
                               workdir / f"{lab.name}-{k}.fail.log", 3))
    for t in mine:
        for a in ports:
            rows.append((k, t, a, expected(t, k, ks[0]), *got.get((t.name, a), (None, ""))))
    print(f"check-tasks: lab {lab.name}, tasks before {k} done: graded in "
          f"{time.monotonic() - t0:.0f} s", flush=True)
    return rows


def prune(tree, graded):
    """Once the next tree is copied from it and it has graded as it must, a
    tree's builds go: some hundred MB a tree.  (A tree with a problem keeps
    them, to look into.)"""
    if not graded.exception() and all(want == passed for *_, want, passed, _ in graded.result()):
        shutil.rmtree(tree / "build", ignore_errors=True)


def check_lab(root, man, lab, hosts, fence_tasks, arches, scale, workdir, quick, slots):
    """(rows, problems) for one lab: rows as grade_tree() makes them.
    hosts: the lab's host tests; fence_tasks: its fences' tasks; slots: the
    executor that runs the builds and gradings of every lab, first come first
    served.  quick: each tree's graders on one port (the ports take turns, the
    first tree on the port of the lab's tree in check-handouts --quick), only
    the tests relevant() there, and in the first tree none of the graders that
    must fail: that tree is the lab's starter, in which check-handouts --quick
    holds every grader of the lab but the given ones to fail, on that port, at
    the same timeouts and CPUs."""
    graders = grader_tests(root, lab)
    ks = trees_of(lab, fence_tasks)
    turn = [other.name for other in man.available()].index(lab.name)
    # Each tree is a copy of the one before, made once that one is built, and
    # synced: make rebuilds only what the next task's fences change (on a
    # port of its own in --quick, what they and the task before changed).  So
    # the trees build one after another, but are graded at once: the graders
    # of a tree with tasks to do wait out the timeouts of their hung starters.
    graded, prev = [], None
    for i, k in enumerate(ks):
        ports = [arches[(turn + i) % len(arches)]] if quick else arches
        tree = workdir / f"{lab.name}-{k}"
        slots.submit(build_tree, root, man, lab, k, prev, tree, ports,
                     workdir / f"{lab.name}-{k}.build.log").result()
        if prev:
            graded[-1].add_done_callback(functools.partial(prune, prev))
        graded.append(slots.submit(grade_tree, lab, hosts, graders, ks, i, tree, ports,
                                   scale, workdir, quick))
        prev = tree
    graded[-1].add_done_callback(functools.partial(prune, prev))
    rows = [r for f in graded for r in f.result()]
    problems = []
    for k, t, where, want, passed, why in rows:
        if passed is None:
            problems.append(f"lab {lab.name}, tasks before {k} done: {t.name} ({where}) "
                            "did not run")
        elif passed != want:
            what = (f"task {t.task}'s check" if t.task else
                    "a test of no task (given)")
            problems.append(f"lab {lab.name}, tasks before {k} done: {t.name} ({where}), "
                            f"{what}, {'passes' if passed else 'fails'}; it must "
                            f"{'pass' if want else 'fail'}" + (f": {why}" if why else ""))
    return rows, problems


def table(lab, rows):
    """The lab's matrix: a line per test, a column per tree."""
    ks = sorted({r[0] for r in rows})
    cells = {}
    for k, t, where, want, passed, _ in rows:
        c = "." if passed is None else ("P" if passed else "f")
        if passed is not None and passed != want:
            c = c.upper() if c == "f" else "!"
        cells.setdefault((t.name, t.task), {}).setdefault(k, "")
        cells[(t.name, t.task)][k] += c
    w = max(len(n) for n, _ in cells) + 2
    lines = [f"lab {lab.name}: P passes, f fails (as it must); ! passes, F fails "
             "(as it must not); a letter per port",
             f"{'check':<{w}}task  " + "".join(f"before {k:<4}" for k in ks)]
    for (name, task), by_k in sorted(cells.items(), key=lambda x: (x[0][1], x[0][0])):
        lines.append(f"{name:<{w}}{task or '-':<6}" +
                     "".join(f"{by_k.get(k, ''):<11}" for k in ks))
    return "\n".join(lines)


def check(root, man, labs, arches, scale, workdir, quick):
    started = time.monotonic()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    hosts = host_tests(root, workdir / "host-build.log")
    problems = lint(root, man, labs, hosts)
    parsed = handout.lint(root, man)
    fence_tasks = {lab.name: handout.tasks_of(parsed, lab) for lab in labs}
    labs = [lab for lab in labs if fence_tasks[lab.name]]
    results = {}
    # Two builds or gradings (each one pytest process) at once per lab, first
    # come first served: the gradings mostly wait for hung starter code.
    slots = concurrent.futures.ThreadPoolExecutor(max_workers=2 * len(labs) or 1)
    with slots, concurrent.futures.ThreadPoolExecutor(max_workers=len(labs) or 1) as ex:
        futures = {lab.name: ex.submit(check_lab, root, man, lab, hosts.get(lab.name, []),
                                       fence_tasks[lab.name], arches, scale, workdir, quick,
                                       slots)
                   for lab in labs}
        for lab in labs:
            try:
                results[lab.name] = futures[lab.name].result()
            except Error as e:
                problems.append(f"lab {lab.name}: {e}")
    for lab in labs:
        if lab.name in results:
            rows, more = results[lab.name]
            print("\n" + table(lab, rows))
            problems += more
    return course.verdict("check-tasks", problems, started, f"trees and logs in {workdir}")


def main(argv=None):
    p = argparse.ArgumentParser(prog="tasks.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=ROOT, type=Path, help="the reference tree")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("lint", help="the handouts' Checks lines against the tests' tags")
    s.add_argument("--lab")
    s = sub.add_parser("check", help="each task's checks fail before it, pass after it")
    s.add_argument("--lab")
    s.add_argument("--arch", default=" ".join(course.ARCHES))
    s.add_argument("--timeout-scale", type=float, default=1.0)
    s.add_argument("--workdir", type=Path, help="default: ROOT/build/tasks")
    s.add_argument("--quick", action="store_true",
                   help="each tree's graders on one port, the ports taking turns")
    args = p.parse_args(argv)
    root = args.root.resolve()
    try:
        man = load_manifest(root)
        labs = [man.lab(args.lab)] if args.lab else man.available()
        if args.cmd == "lint":
            with tempfile.TemporaryDirectory(prefix="vmlab-tasks-") as tmp:
                hosts = host_tests(root, Path(tmp) / "host-build.log")
            problems = lint(root, man, labs, hosts)
            for prob in problems:
                print(prob)
            print(f"check-tasks lint: {'ok' if not problems else 'FAILED'}: "
                  f"{', '.join(lab.handout for lab in labs)}")
            return 1 if problems else 0
        ok = check(root, man, labs, course.parse_arches(args.arch), args.timeout_scale,
                   args.workdir or root / "build" / "tasks", args.quick)
        return 0 if ok else 1
    except Error as e:
        print(f"{p.prog}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

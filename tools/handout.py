#!/usr/bin/python3
"""Staging the labs: student trees and the student repo from the reference, and
the checks that keep the course honest.  Only the reference tree has this file.

    handout.py check                         lint every fence in the tree
    handout.py handout --lab NAME --out DIR  a lab's tree: the labs before it solved
    handout.py student-repo --out DIR [--upto NAME] [--solved NAME]
                                             the student repo: a branch per lab
    handout.py check-handouts [--arch ...]   for each lab, a student's merged tree:
                                             no conflict, builds, boots, passes the
                                             base kernel's and earlier labs' tests
                                             (host and graders), fails its own
    handout.py gradescope --lab NAME --out ZIP   a Gradescope autograder

The student repo has a branch per lab, lab1-entries, lab2-rbtree, ...  Branch N
holds labs 1 to N (handouts, graders, files) with every fence's starter, and is
branch N-1 plus one commit; so a student who did lab N-1 merges branch N without
a conflict.  No branch, nor any commit of its history, holds a line that only a
lab's reference code has (leaks(); student-repo refuses to write such a repo).
--solved gives a catch-up variant, in which the named lab and those before it
carry their reference code.  Every student tree gets labs/README.student.md as
its README.md, and .handout/ (its lab and its files' hashes) for make handin.

Solution code is fenced by lab, each marker a line of its own:

    // LAB rbtree: BEGIN
    ...reference code...
    // LAB rbtree: STARTER          (optional)
    // ...what the handout has instead, commented out...
    // LAB rbtree: END

Starter lines are commented out in the reference, so that it compiles only its
own code: the leader (// or #) at the STARTER marker's indentation, a space, then
the line; the handout has them without it.

The comment leader is // or /* ... */ in C, headers and linker scripts; # in
Python, makefiles and shell scripts; any of the three in assembly.  A tree in
which labs 1 to K are solved keeps their code (without the markers), and puts
the starter (or nothing) in place of every other fence.  A fence may
hold fences of later labs, never of the same or an earlier one.  Fences named as
labs/labs.toml's reference_fence ("reference") are removed from every handout.

A lab's fences may carry the number of the handout's task that writes them,
`// LAB entries 2: BEGIN` (and the same on its STARTER and END): then every fence
of that lab must, and `handout --task N` writes the lab's tree with tasks 1 to
N-1 done, for tools/tasks.py's check that each task's checks fail before it and
pass after it.  Every such tree must build: code that nothing calls before a
later task (a helper of it) carries that task's number.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classroom                                # noqa: E402
import course                                   # noqa: E402
from course import Error, load_manifest, matches  # noqa: E402

ROOT = course.ROOT
PYTHON = course.PYTHON
ARCHES = course.ARCHES
# The template of a student tree's README.md (reference-only).
STUDENT_README = "labs/README.student.md"

# A marker line: the whole line, nothing else on it.
MARKER = re.compile(r"^[ \t]*(?P<lead>//|#|/\*)[ \t]*LAB[ \t]+(?P<name>[A-Za-z0-9_-]+)"
                    r"(?:[ \t]+(?P<task>[1-9][0-9]*))?[ \t]*:"
                    r"[ \t]*(?P<kind>BEGIN|STARTER|END)[ \t]*(?P<close>\*/)?[ \t]*\r?\n?$")
# Anything that looks like one, to catch a marker that MARKER would miss.
LOOKALIKE = re.compile(r"\bLAB\s+[A-Za-z0-9_-]+(\s+\d+)?\s*:\s*(BEGIN|STARTER|END)\b")

# The comment leaders that each kind of file may use for markers.
C_LIKE, ASM, HASH = ("//", "/*"), ("//", "/*", "#"), ("#",)
BY_SUFFIX = {".c": C_LIKE, ".h": C_LIKE, ".ld": C_LIKE, ".S": ASM, ".s": ASM,
             ".py": HASH, ".mk": HASH, ".sh": HASH, ".toml": HASH}
BY_NAME = {"GNUmakefile": HASH, "Makefile": HASH, "makefile": HASH, ".gitignore": HASH}


def leaders_for(path, data):
    """The comment leaders a file's markers may use, or None: not a kind of
    file that can hold markers."""
    p = Path(path)
    if p.name in BY_NAME:
        return BY_NAME[p.name]
    if p.suffix in BY_SUFFIX:
        return BY_SUFFIX[p.suffix]
    first = data.split(b"\n", 1)[0]
    if first.startswith(b"#!") and (b"python" in first or b"sh" in first):
        return HASH                   # scripts: run_autograder, .ci/run
    return None


# ---------------------------------------------------------------- fences

@dataclass
class Fence:
    name: str
    rank: int            # the lab's number; the reference fence ranks after every lab
    line: int            # of its BEGIN
    task: int = 0        # the handout's task that writes it (0: not said)
    body: list = field(default_factory=list)
    starter: list = None
    indent: str = ""     # of the STARTER marker: starter lines are commented there
    lead: str = "//"     # with this comment leader
    comment: tuple = ("", "//", "")   # the BEGIN marker's indent, leader and closer


def rank_of(man, name):
    if name == man.reference_fence:
        return len(man.labs) + 1
    for lab in man.labs:
        if lab.name == name:
            return lab.number
    return None


def parse(path, text, man, data=b""):
    """The file as a list of lines and Fences.  Raises Error (file:line) for a
    marker that is malformed, unbalanced, badly nested, of an unknown lab, or in
    a file that cannot hold markers."""
    top = []
    stack = []                   # open Fences
    out = top                    # where lines go now
    leaders = None
    for n, line in enumerate(text.splitlines(keepends=True), 1):
        m = MARKER.match(line)
        if not m:
            if LOOKALIKE.search(line):
                raise Error(f"{path}:{n}: a LAB marker must be a line of its own: "
                            f"'// LAB name: BEGIN' (or STARTER, END), with // # or /* */")
            if stack and out is stack[-1].starter:
                out.append(uncomment(path, n, line, stack[-1]))
            else:
                out.append(line)
            continue
        if leaders is None:
            leaders = leaders_for(path, data) or ()
            if not leaders:
                raise Error(f"{path}:{n}: a LAB marker in a file that cannot hold one "
                            "(not C, assembly, a header, Python, a makefile or a script)")
        lead, name, kind = m["lead"], m["name"], m["kind"]
        task = int(m["task"] or 0)
        if (lead == "/*") != bool(m["close"]):
            raise Error(f"{path}:{n}: a marker opened with {lead} must "
                        f"{'close with */' if lead == '/*' else 'not close with */'}")
        if lead not in leaders:
            raise Error(f"{path}:{n}: in this file a marker starts with "
                        f"{' or '.join(leaders)}, not {lead}")
        rank = rank_of(man, name)
        if rank is None:
            known = " ".join(lab.name for lab in man.labs)
            raise Error(f"{path}:{n}: unknown lab {name!r} (the labs: {known}; "
                        f"and {man.reference_fence})")
        if kind == "BEGIN":
            if stack and out is stack[-1].starter:
                raise Error(f"{path}:{n}: a fence inside a STARTER block (whose lines are "
                            "commented out)")
            if stack and rank <= stack[-1].rank:
                raise Error(f"{path}:{n}: a fence of lab {name} inside one of lab "
                            f"{stack[-1].name} (line {stack[-1].line}); only a later "
                            "lab's fence can nest in a fence")
            f = Fence(name, rank, n, task, comment=(line[:len(line) - len(line.lstrip(" \t"))],
                                              lead, " */" if lead == "/*" else ""))
            out.append(f)
            stack.append(f)
            out = f.body
            continue
        if not stack:
            raise Error(f"{path}:{n}: LAB {name}: {kind} with no BEGIN before it")
        f = stack[-1]
        if f.name != name:
            raise Error(f"{path}:{n}: LAB {name}: {kind} inside the fence of lab "
                        f"{f.name} opened at line {f.line}")
        if f.task != task:
            raise Error(f"{path}:{n}: LAB {name}: {kind} says task {task or 'none'}, its "
                        f"BEGIN (line {f.line}) task {f.task or 'none'}")
        if kind == "STARTER":
            if f.starter is not None:
                raise Error(f"{path}:{n}: a second STARTER in the fence of lab {name} "
                            f"opened at line {f.line}")
            if lead == "/*":
                raise Error(f"{path}:{n}: a STARTER marker starts with // or #: its "
                            "lines are commented out with the same leader")
            f.starter = []
            f.indent = line[:len(line) - len(line.lstrip(" \t"))]
            f.lead = lead
            out = f.starter
        else:
            stack.pop()
            out = top if not stack else (stack[-1].starter if stack[-1].starter is not None
                                         else stack[-1].body)
    if stack:
        raise Error(f"{path}:{stack[-1].line}: LAB {stack[-1].name}: BEGIN with no END")
    return top


def uncomment(path, n, line, f):
    """A starter line as the handout has it.  In the reference tree starter lines
    are commented out (so that the reference compiles only its own code): the
    comment leader sits at the STARTER marker's indentation, followed by a space
    and the line, or alone for a blank line."""
    body = line.rstrip("\r\n")
    eol = line[len(body):]
    prefix = f.indent + f.lead
    if body == prefix:
        return eol
    if body.startswith(prefix + " "):
        return f.indent + body[len(prefix) + 1:] + eol
    raise Error(f"{path}:{n}: a starter line of lab {f.name} must be commented out as "
                f"{prefix!r} + ' ' + code (indented like its STARTER marker)")


def render(nodes, solved, note=None, task=0):
    """The text of a handout in which the labs numbered up to solved carry their
    reference code and every other fence its starter (or nothing); with task,
    so do the next lab's fences of the tasks before it.  With note, each solved
    fence's code starts with a comment line saying note: a student's own version
    of that code, for the merge checks."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.rank <= solved or (node.rank == solved + 1 and node.task < task):
            if note:
                indent, lead, close = node.comment
                out.append(f"{indent}{lead} {note}{close}\n")
            out.append(render(node.body, solved, note, task))
        elif node.starter is not None:
            out.append(render(node.starter, solved, note, task))
    return "".join(out)


def fenced(nodes):
    """Every Fence in nodes, nested ones too."""
    for node in nodes:
        if isinstance(node, Fence):
            yield node
            yield from fenced(node.body)
            yield from fenced(node.starter or [])


def read_text(path):
    """(bytes, text or None if the file is binary)."""
    data = Path(path).read_bytes()
    if b"\0" in data[:8192]:
        return data, None
    return data, data.decode("utf-8", errors="surrogateescape")


# ---------------------------------------------------------------- the reference tree

def source_files(root, exclude=()):
    """The reference's files: what git tracks or would track (so new, uncommitted
    files count, ignored ones do not), or, outside git, every file but the junk."""
    root = Path(root)
    try:
        p = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=root, capture_output=True,
                           check=True)
        files = sorted({f for f in p.stdout.decode().split("\0") if f})
        files = [f for f in files if (root / f).is_file() and not (root / f).is_symlink()]
    except (OSError, subprocess.CalledProcessError):
        files = course.tree_files(root)
    return [f for f in files if not matches(f, course.JUNK) and not matches(f, exclude)]


def lint(root=ROOT, man=None):
    """Parse every file's fences; returns {path: parsed} for the files that have any.
    A lab's fences all say their task, or none does."""
    man = man or load_manifest(root)
    parsed = {}
    for f in source_files(root, man.reference_only):
        data, text = read_text(root / f)
        if text is None or "LAB" not in text:
            continue
        nodes = parse(f, text, man, data)
        if any(isinstance(n, Fence) for n in nodes):
            parsed[f] = nodes
    tasked = {}                  # lab name -> {bool: (path, line) of one such fence}
    for f, nodes in parsed.items():
        for fence in fenced(nodes):
            tasked.setdefault(fence.name, {}).setdefault(fence.task > 0, (f, fence.line))
    for name, kinds in sorted(tasked.items()):
        if len(kinds) == 2:
            (pt, lt), (pn, ln) = kinds[True], kinds[False]
            raise Error(f"{pn}:{ln}: a fence of lab {name} without a task number, while "
                        f"{pt}:{lt} has one: give every fence of the lab its task")
    return parsed


def tasks_of(parsed, lab):
    """The task numbers of lab's fences, sorted ([] if they say none)."""
    return sorted({f.task for nodes in parsed.values() for f in fenced(nodes)
                   if f.name == lab.name and f.task})


def check_manifest(root, man):
    for lab in man.available():
        for p in lab.graders:
            if not (root / p).is_file():
                raise Error(f"labs/labs.toml: lab {lab.name}: grader {p} does not exist")


def handout(root, man, lab, out, solved=None, note=None, task=0):
    """Write a student tree into out (which must not exist, or be empty): the
    labs up to lab handed out (handouts, graders, files), the labs numbered up
    to solved (default: the ones before lab) with their reference code, every
    other fence with its starter.  note, task: see render().  Returns (files,
    files with fences)."""
    root, out = Path(root).resolve(), Path(out).resolve()
    if solved is None:
        solved = lab.number - 1
    if out.exists() and any(out.iterdir()):
        raise Error(f"{out}: exists and is not empty; give a new directory")
    # Reference-only files, and every file of a later (or unwritten) lab.
    exclude = list(man.reference_only)
    for other in man.labs:
        if other.number > lab.number or not other.available:
            exclude += other.paths()
    if out.is_relative_to(root):
        exclude.append(str(out.relative_to(root)))
    files = source_files(root, exclude)
    missing = [p for p in lab.paths() if p not in files]
    if missing:
        print(f"handout: warning: lab {lab.name}: no {' '.join(missing)}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    changed = 0
    for f in files:
        src, dst = root / f, out / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        data, text = read_text(src)
        if text is not None and "LAB" in text:
            nodes = parse(f, text, man, data)
            if any(isinstance(n, Fence) for n in nodes):
                dst.write_bytes(render(nodes, solved, note, task)
                                .encode("utf-8", "surrogateescape"))
                shutil.copymode(src, dst)
                changed += 1
                continue
        shutil.copy2(src, dst)
    readme = student_readme(root, man, lab, solved)
    if readme is not None:
        (out / "README.md").write_text(readme)
    # GitHub Classroom grades the lab on every push (the workflow is the lab's).
    workflow = out / classroom.WORKFLOW
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(classroom.workflow(root, lab))
    course.write_record(out, lab)
    return len(files), changed


def student_readme(root, man, lab, solved=0):
    """The README.md of a student tree whose last lab is lab and whose labs up
    to solved carry their reference code: the template labs/README.student.md
    (reference-only) with @BRANCH@, @NEXT@ (the next lab's branch), @LAB@,
    @CODE@ (what of the labs' code the tree has) and @LABS@ (the table of labs,
    what is in this tree and what is to come) filled in; None if there is no
    template."""
    template = Path(root) / STUDENT_README
    if not template.exists():
        return None
    rows = ["| # | lab | what you build | where |", "|---|-----|----------------|-------|"]
    for other in man.labs:
        if not other.available:
            where = "not written yet"
        elif other.number <= lab.number:
            where = f"here: `{other.handout}`"
        else:
            where = f"to come: branch `{other.branch}`"
        rows.append(f"| {other.number} | {other.name} | {other.title} | {where} |")
    later = [other for other in man.labs if other.number > lab.number]
    nxt = later[0].branch if later else "labN-name"
    solved = min(solved, lab.number)
    if solved == 0:
        code = "the code of every lab so far left for you to write"
    elif solved == 1 < lab.number:
        code = "lab 1 written (its reference code), the later labs' code left for you"
    elif solved < lab.number:
        code = (f"labs 1 {'and' if solved == 2 else 'to'} {solved} written (their "
                "reference code), the later labs' code left for you")
    else:
        code = "every lab so far written: their reference code"
    return (template.read_text().replace("@BRANCH@", lab.branch).replace("@NEXT@", nxt)
            .replace("@LAB@", f"lab {lab.number} ({lab.name})").replace("@CODE@", code)
            .replace("@LABS@", "\n".join(rows)))


# ---------------------------------------------------------------- the student repo

def git(repo, *args, env=None, input=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    base.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C",
                **(env or {}))
    p = subprocess.run(["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false",
                        "-c", "core.fileMode=true", *args], cwd=repo, env=base,
                       capture_output=True, text=True, input=input)
    if p.returncode:
        raise Error(f"git {' '.join(args)}: {p.stderr.strip()}")
    return p.stdout.strip()


def student_repo(root, man, out, upto=None, solved=0, quiet=False):
    """Write the student repo into out: a branch per lab up to upto (default:
    every available lab).  Branch N holds the labs up to N with their starters
    (the labs up to solved with their reference code: the catch-up variant), and
    is branch N-1 plus one commit: lab N's handout, graders and files, the
    README's lab table, .handout/, and lab N's fences when it is solved.  So a
    student who finished lab N-1 merges branch N without a conflict.  Every
    commit has a fixed author and date: a rerun gives the same hashes.  Checks
    that no branch holds reference code of a lab it has not solved.  Returns
    {branch: commit}."""
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()):
        raise Error(f"{out}: exists and is not empty; give a new directory")
    labs = [lab for lab in man.available() if upto is None or lab.number <= upto.number]
    sr = man.student_repo
    who = dict(GIT_AUTHOR_NAME=sr.get("author", "vmlab handout"),
               GIT_AUTHOR_EMAIL=sr.get("email", "handout@vmlab.invalid"),
               GIT_COMMITTER_NAME=sr.get("author", "vmlab handout"),
               GIT_COMMITTER_EMAIL=sr.get("email", "handout@vmlab.invalid"))
    date = sr.get("date", "2025-01-01T00:00:00+00:00")
    out.mkdir(parents=True, exist_ok=True)
    git(out, "init", "-q", "-b", labs[0].branch)
    heads = {}
    with tempfile.TemporaryDirectory(prefix="vmlab-handout-") as tmp:
        for lab in labs:
            tree = Path(tmp) / lab.branch
            handout(root, man, lab, tree, solved=min(solved, lab.number))
            if lab is not labs[0]:
                git(out, "checkout", "-q", "-b", lab.branch)
            for p in out.iterdir():
                if p.name != ".git":
                    shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            shutil.copytree(tree, out, dirs_exist_ok=True, symlinks=True)
            git(out, "add", "-A", "-f")
            msg = f"Lab {lab.number}: {lab.name}\n\n{lab.title}\n"
            if solved >= lab.number:
                msg += "\nWith the reference code of this lab (a catch-up branch).\n"
            git(out, "commit", "-q", "-m", msg,
                env=dict(who, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date))
            heads[lab.branch] = git(out, "rev-parse", "HEAD")
            if not quiet:
                print(f"{lab.branch:<16} {heads[lab.branch][:12]}  {lab.title}"
                      + ("  (solved)" if solved >= lab.number else ""))
    git(out, "checkout", "-q", labs[0].branch)
    found = leaks(out, root, man, solved)
    if found:
        raise Error(f"{out}: reference code in the student repo:\n" + "\n".join(found[:20]))
    return heads


# ---------------------------------------------------------------- the leak check

# Lines that give nothing away: blank, or only braces, brackets and punctuation.
TRIVIAL = re.compile(r"[\s{}()\[\];,*/]*")


def secrets(root, man, solved=0):
    """{lab number: the lines (stripped) that only its reference code has}, for
    the labs after solved: the lines of its fences' code (not their starters),
    minus the trivial ones and those a student tree with the labs up to solved
    done has anyway (outside fences, in starters, in handouts, in the code of
    the solved labs).  The reference fence counts as a lab after every lab."""
    root = Path(root)
    with tempfile.TemporaryDirectory(prefix="vmlab-public-") as tmp:
        handout(root, man, man.available()[-1], Path(tmp) / "t", solved=solved)
        public = set()
        for f in course.tree_files(Path(tmp) / "t"):
            data, text = read_text(Path(tmp) / "t" / f)
            if text is not None:
                public.update(line.strip() for line in text.splitlines())
    found = {}
    for nodes in lint(root, man).values():
        for fence in fenced(nodes):
            for line in fence.body:
                if isinstance(line, str) and not TRIVIAL.fullmatch(line):
                    found.setdefault(fence.rank, set()).add(line.strip())
    return {rank: lines - public for rank, lines in found.items()
            if rank > solved and lines - public}


def leaks(repo, root, man, solved=0):
    """Every secret line (see secrets(); of a lab after min(solved, N)) in a blob
    reachable from branch N of the repo, in any commit of its history: a list of
    'branch: lab: path: line'.  A branch not named after a lab may have none."""
    repo, levels = Path(repo), {}
    branches = git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads").split()
    number = {lab.branch: lab.number for lab in man.labs}
    blobs = {}                        # sha -> set of stripped lines
    found = []
    for branch in branches:
        allowed = min(solved, number.get(branch, 0))
        if allowed not in levels:
            levels[allowed] = secrets(root, man, allowed)
        secret = levels[allowed]
        paths = {}
        for line in git(repo, "rev-list", "--objects", branch).splitlines():
            sha, _, path = line.partition(" ")
            if path:
                paths.setdefault(sha, path)
        kinds = git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)",
                    input="\n".join(paths) + "\n")
        want = [k.split()[0] for k in kinds.splitlines() if k.endswith(" blob")]
        read_blobs(repo, [sha for sha in want if sha not in blobs], blobs)
        for sha in want:
            for rank, lines in secret.items():
                if rank > allowed:
                    for line in sorted(blobs[sha] & lines):
                        name = next((lab.name for lab in man.labs if lab.number == rank),
                                    man.reference_fence)
                        found.append(f"{branch}: lab {name}: {paths[sha]}: {line}")
    return found


def read_blobs(repo, shas, into):
    """Read the blobs into {sha: set of stripped lines}."""
    if not shas:
        return
    p = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, capture_output=True,
                       input="\n".join(shas).encode() + b"\n", check=True)
    data, i = p.stdout, 0
    for sha in shas:
        header_end = data.index(b"\n", i)
        size = int(data[i:header_end].split()[2])
        body = data[header_end + 1:header_end + 1 + size]
        i = header_end + 1 + size + 1
        text = body.decode("utf-8", "replace")
        into[sha] = {line.strip() for line in text.splitlines()}


# ---------------------------------------------------------------- check-handouts

def run(cmd, cwd, log, timeout=None, mode="w"):
    """Run cmd, its output into the file log (mode "a": after what it has);
    returns its exit status (None: killed after timeout seconds)."""
    with open(log, mode) as f:
        try:
            return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=f,
                                  stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            f.write(f"\n(killed after {timeout:.0f} s)\n")
            return None


def tail(path, n=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def merged_tree(root, man, repo, lab, dest, note="done by the student"):
    """The tree of a student who finished the labs before lab and merged its
    branch: a clone of the student repo at branch N-1, the reference code of the
    labs up to N-1 put in (each solved fence with a comment line saying note, so
    that the student's code is not the reference's to the letter), committed,
    then branch N merged.  Raises Error on a conflict.  Lab 1: its branch."""
    repo, dest = Path(repo).resolve(), Path(dest).resolve()
    prev = [other for other in man.available() if other.number < lab.number]
    git(dest.parent, "clone", "-q", "--branch", (prev[-1] if prev else lab).branch,
        str(repo), str(dest))
    if not prev:
        return dest
    with tempfile.TemporaryDirectory(prefix="vmlab-solved-") as tmp:
        handout(root, man, prev[-1], Path(tmp) / "t", solved=prev[-1].number, note=note)
        # The student's code, not a README of their own: theirs is the branch's.
        keep = (".handout", "README.md")
        for p in dest.iterdir():
            if p.name not in (".git", *keep):
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        shutil.copytree(Path(tmp) / "t", dest, dirs_exist_ok=True, symlinks=True,
                        ignore=lambda d, names: keep if Path(d) == Path(tmp) / "t" else [])
    who = dict(GIT_AUTHOR_NAME="student", GIT_AUTHOR_EMAIL="student@vmlab.invalid",
               GIT_COMMITTER_NAME="student", GIT_COMMITTER_EMAIL="student@vmlab.invalid")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", f"labs 1-{prev[-1].number} done", env=who)
    try:
        git(dest, "merge", "-q", "--no-edit", f"origin/{lab.branch}", env=who)
    except Error as e:
        conflicts = git(dest, "diff", "--name-only", "--diff-filter=U").split()
        raise Error(f"merging {lab.branch} into {prev[-1].branch} with labs up to "
                    f"{prev[-1].name} done: conflicts in {' '.join(conflicts) or '?'} ({e})")
    return dest


def copy_builds(root, tree):
    """Copy the reference's kernel builds (build/ARCH*, not their grade/ images
    and logs) into tree, mtimes kept: a head start for make.  (Their dependency
    files name relative paths; the host tests' name absolute ones.)"""
    for b in (Path(root) / "build").glob("*"):
        if b.is_dir() and b.name.split("-")[0] in ARCHES:
            shutil.copytree(b, Path(tree) / "build" / b.name, symlinks=True,
                            ignore=shutil.ignore_patterns("grade"))


def reuse_builds(root, tree):
    """Give tree the reference's kernel builds and host-test objects: its files
    that are the reference's to the byte get the reference's mtimes, and
    copy_builds() and copy_host_build(), so make rebuilds only what the tree
    changes."""
    root, tree = Path(root), Path(tree)
    for f in course.tree_files(tree):
        ref = root / f
        if ref.is_file() and not ref.is_symlink() and ref.read_bytes() == (tree / f).read_bytes():
            st = ref.stat()
            os.utime(tree / f, ns=(st.st_atime_ns, st.st_mtime_ns))
    copy_builds(root, tree)
    copy_host_build(root, tree)


def copy_host_build(root, tree):
    """Copy the reference's host-test objects (build/host), if it has them, into
    tree.  Their dependency files name the reference's paths, so only a change to
    an object's own .c rebuilds it (fences are in .c files); so the objects that
    include build/host/treelab.h, which says the tree's lab, are left out."""
    src = Path(root) / "build" / "host"
    if not src.is_dir():
        return
    dst = Path(tree) / "build" / "host"
    shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
    for d in dst.rglob("*.d"):
        if "treelab.h" in d.read_text(errors="replace"):
            d.with_suffix(".o").unlink(missing_ok=True)
            d.unlink()


# ---------------------------------------------------------------- host tests

# What build/host/vmtest prints for each test, and for --list.
HOST_RESULT = re.compile(r"^(ok|FAIL|skip:)\s+(\S+)")
HOST_LIST = re.compile(r"^([A-Za-z_]\w*)\s+([A-Za-z_]\w*)(?:\s+\d+)?\s*$")


def parse_host(output, listing):
    """({test: 'ok' | 'fail' | 'skip'}, {test: lab name}) from the output of
    `make check` and of `vmtest --list` (a test and its lab a line; a name that
    is no lab's: the base kernel's test)."""
    results = {}
    for line in output.splitlines():
        if m := HOST_RESULT.match(line):
            results[m[2]] = {"ok": "ok", "FAIL": "fail", "skip:": "skip"}[m[1]]
    labs = {}
    for line in listing.splitlines():
        if m := HOST_LIST.match(line):
            labs[m[1]] = m[2]
    return results, labs


def host_verdict(man, lab, results, labs, left_out=()):
    """(cell, problems) for the host tests in the tree of lab: the tests of the
    base kernel and of earlier labs pass, the lab's own run (they may fail),
    later labs' are skipped.  left_out: as host_tests' leave_out."""
    if not labs:
        return "NOT LISTED", [f"{lab.branch}: host tests: `build/host/vmtest --list` "
                              "named no tests, so their labs are unknown"]
    number = {other.name: other.number for other in man.labs}
    problems = []
    for test, name in sorted(labs.items()):
        n, got = number.get(name, 0), results.get(test, "not run")
        if got == "not run" and (name if n else "") in left_out:
            continue
        if n < lab.number and got != "ok":
            problems.append(f"{test} ({name}): {got}, must pass")
        elif n == lab.number and got not in ("ok", "fail"):
            problems.append(f"{test} ({name}, this lab): {got}, must run")
        elif n > lab.number and got != "skip":
            problems.append(f"{test} ({name}, a later lab): {got}, must be skipped")
    for test in sorted(set(results) - set(labs)):
        problems.append(f"{test}: ran, but `vmtest --list` does not name it")
    counts = [sum(1 for r in results.values() if r == k) for k in ("ok", "fail", "skip")]
    cell = (f"{'FAIL' if problems else 'ok'}: {counts[0]} pass, {counts[1]} fail, "
            f"{counts[2]} skip")
    if problems:
        problems = [f"{lab.branch}: host tests:" + "".join(f"\n  {p}" for p in problems)]
    return cell, problems


def host_tests(tree, log, timeout, leave_out=()):
    """Run `make check` in the tree; returns (results, labs) as parse_host's,
    or None when vmtest did not build.  leave_out: names of labs ("" for the
    base kernel) whose tests not to run."""
    make = ["make", "-s", "--no-print-directory"]
    run(make + (["-f", "tests/host/Makefile", "all"] if leave_out else ["check"]),
        tree, log, timeout)
    vmtest = Path(tree) / "build" / "host" / "vmtest"
    if not vmtest.exists():
        return None
    listing = subprocess.run([str(vmtest), "--list"], cwd=tree, capture_output=True,
                             text=True, timeout=60).stdout
    if not leave_out:
        return parse_host(Path(log).read_text(errors="replace"), listing)
    _, labs = parse_host("", listing)
    lab_names = {lab.name for lab in load_manifest(tree).labs}
    want = [t for t, name in labs.items() if (name if name in lab_names else "") not in leave_out]
    if want:            # (vmtest with no name runs every test)
        run([str(vmtest), *want], tree, log, timeout, mode="a")
    results, _ = parse_host(Path(log).read_text(errors="replace"), "")
    return results, labs


# ---------------------------------------------------------------- check-handouts

def base_graders(tree, man):
    """The graders of the base kernel in a tree: every grade/test_*.py that is
    no lab's."""
    of_labs = {g for lab in man.labs for g in lab.graders}
    return sorted(str(p.relative_to(tree)) for p in Path(tree).glob("grade/test_*.py")
                  if str(p.relative_to(tree)) not in of_labs)


def check_handouts(root, man, arches, timeout_scale, workdir, base=None,
                   this_scale=0.25, cpus=None, quick=False):
    """For every available lab N, the tree of a student who finished lab N-1 and
    merged branch N of the student repo (merged_tree): it merges without a
    conflict, builds on every arch, passes the host tests and the graders of
    the base kernel (base: default every one) and of the labs before N, and
    fails each of lab N's graders but the given ones.  The student repo itself
    must hold no reference code (student_repo checks).  cpus: every machine
    boots with that many CPUs (each test runs once, not once per CPU count: for
    speed).  quick: each tree on one port, the trees taking the ports in turn, and
    of the graders that must pass only the base kernel's in the first tree and the
    previous lab's in the others.
    Prints a table; returns True when all is well."""
    started = time.monotonic()
    lint(root, man)
    check_manifest(root, man)
    labs = man.available()
    ports = {lab.name: [arches[i % len(arches)]] if quick else arches
             for i, lab in enumerate(labs)}
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    student_repo(root, man, workdir / "repo", quiet=True)
    trees, problems = {}, []
    for lab in labs:
        try:
            trees[lab.name] = merged_tree(root, man, workdir / "repo", lab,
                                          workdir / lab.branch)
            reuse_builds(root, trees[lab.name])
        except Error as e:
            problems.append(f"{lab.branch}: {e}")
    print(f"check-handouts: the student repo and {len(trees)} merged trees in "
          f"{workdir.relative_to(root) if workdir.is_relative_to(root) else workdir}"
          f" ({time.monotonic() - started:.1f} s); building them on {' and '.join(arches)}"
          " and running their host tests", flush=True)

    # Build every tree on every arch, and run its host tests, at once (each make
    # is mostly serial).
    jobs, hosts = {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(os.cpu_count() or 2, 2)) as ex:
        for lab in labs:
            if lab.name not in trees:
                continue
            log = workdir / f"{lab.branch}.host.log"
            # quick: each lab's tests pass in the tree right after it (as its
            # graders), the base kernel's in the first.
            leave_out = {""} | {other.name for other in labs
                                if other.number < lab.number - 1} \
                if quick and lab is not labs[0] else set()
            hosts[lab.name] = (ex.submit(host_tests, trees[lab.name], log,
                                         120 * timeout_scale, leave_out), log, leave_out)
            for a in ports[lab.name]:
                log = workdir / f"{lab.branch}.{a}.build.log"
                # The DEBUG=1 kernel too (boot(debug=True)), after the user
                # programs it shares.
                make = f"make -s --no-print-directory ARCH={a}"
                jobs[lab.name, a] = (ex.submit(run, ["sh", "-c", f"{make} build && "
                                                     f"{make} DEBUG=1 build"],
                                               trees[lab.name], log), log)
    built = {k: f.result() == 0 for k, (f, _) in jobs.items()}
    host = {}
    for name, (f, log, leave_out) in hosts.items():
        lab = man.lab(name)
        if f.result() is None:
            host[name] = "build FAILS"
            problems.append(f"{lab.branch}: the host tests do not build ({log}):\n{tail(log)}")
        else:
            host[name], more = host_verdict(man, lab, *f.result(), leave_out)
            problems += [f"{p} ({log})" for p in more]
    print(f"check-handouts: built ({time.monotonic() - started:.0f} s); grading", flush=True)

    # Grade each tree in two runs of pytest (each on every arch).  First the
    # graders that must pass, at full timeouts, a tree at a time (quick: the
    # first tree's beside the others', one after another).  Then, in every
    # tree at once, the lab's own graders, which must fail, at this_scale times
    # the timeouts: starter code often hangs, and each hung test waits out its
    # timeout.  (Shorter timeouts can only make a test fail, never pass.)
    results = {}            # (lab, arch, column) -> list of test dicts
    runs = []               # (lab, column, modules, scale, workers)
    for lab in labs:
        if lab.name not in trees:
            continue
        for a in ports[lab.name]:
            if not built[lab.name, a]:
                log = jobs[lab.name, a][1]
                problems.append(f"{lab.branch} {a}: the build fails ({log}):\n{tail(log)}")
        earlier = base_graders(trees[lab.name], man) if base is None else \
            [g for g in base if (trees[lab.name] / g).exists()]
        earlier += [g for other in labs if other.number < lab.number for g in other.graders]
        if quick:
            # Each grader once: the base kernel's in the first tree (every lab's
            # starter in it), each lab's in the tree right after it.
            earlier = earlier if lab is labs[0] else \
                [g for other in labs if other.number == lab.number - 1 for g in other.graders]
        if earlier:
            runs.append((lab, "earlier", earlier, timeout_scale, "auto"))
        runs.append((lab, "this", lab.graders, timeout_scale * this_scale,
                     str(max(4, 2 * (os.cpu_count() or 2)))))

    def grade(lab, col, modules, scale, workers):
        ok_arches = [a for a in ports[lab.name] if built[lab.name, a]]
        if not ok_arches:
            return
        report = workdir / f"{lab.branch}.{col}.json"
        log = workdir / f"{lab.branch}.{col}.log"
        cmd = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", workers,
               "--tb=line", "--stop-on-panic", *modules, "--arch", " ".join(ok_arches),
               "--timeout-scale", f"{scale:g}", "--lab-json", str(report)]
        if cpus:
            cmd += ["--cpus", str(cpus)]
        t = time.monotonic()
        status = run(cmd, trees[lab.name], log)
        if not report.exists():
            problems.append(f"{lab.branch}: pytest failed to run (status {status}; "
                            f"{log}):\n{tail(log)}")
            return
        for test in json.loads(report.read_text())["tests"]:
            results.setdefault((lab.name, test["arch"], col), []).append(test)
        print(f"check-handouts: {lab.branch}: "
              f"{'the base kernel and the labs before it' if col == 'earlier' else 'its own lab'}"
              f" graded in {time.monotonic() - t:.0f} s", flush=True)

    earlier = [r for r in runs if r[1] == "earlier"]
    if quick and earlier:
        # The first tree's run, the base kernel's graders, is mostly one long test
        # (usertests), beside which the other trees' runs, a lab's graders each,
        # take turns.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            first = ex.submit(grade, *earlier[0])
            for r in earlier[1:]:
                grade(*r)
            first.result()
    else:
        for r in earlier:
            grade(*r)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(labs)) as ex:
        for f in [ex.submit(grade, *r) for r in runs if r[1] == "this"]:
            f.result()

    # The verdicts.
    rows = []
    for lab in labs:
        if lab.name not in trees:
            rows.append((lab, "-", "CONFLICT", "-", "-", "-"))
            continue
        for i, a in enumerate(ports[lab.name]):
            merge, hcell = ("ok", host[lab.name]) if i == 0 else ("", "")
            if not built[lab.name, a]:
                rows.append((lab, a, merge, hcell, "build FAILS", "-"))
                continue
            cells = []
            for col in ("earlier", "this"):
                tests = results.get((lab.name, a, col), [])
                if not tests:
                    cells.append("NOT RUN")
                    problems.append(f"{lab.branch} {a}: no {col} tests ran")
                    continue
                passed = sum(t["passed"] for t in tests)
                given = [t for t in tests if t["given"]]
                if col == "earlier":
                    bad = [t for t in tests if not t["passed"]]
                    cells.append(f"{'ok' if not bad else 'FAIL'}: {passed}/{len(tests)} pass")
                    if bad:
                        problems.append(f"{lab.branch} {a}: {len(bad)} tests of the base "
                                        "kernel or the labs before it fail:" + "".join(
                                            f"\n  {t['name']}: {t['message']}" for t in bad))
                else:
                    # Failing to boot at the shorter timeouts proves nothing (the
                    # tree booted at full ones): a loaded machine, say.
                    slow = [t for t in tests if not t["passed"] and "the first prompt" in t["message"]]
                    if slow:
                        problems.append(f"{lab.branch} {a}: inconclusive: {len(slow)} tests of "
                                        f"lab {lab.name} failed because the machine did not "
                                        "boot in time (a loaded host? try TIMEOUT_SCALE=2):"
                                        + "".join(f"\n  {t['name']}" for t in slow))
                    bad = [t for t in tests if t["passed"] and not t["given"]]
                    cells.append(f"{'ok' if not bad else 'FAIL'}: {len(tests) - passed}"
                                 f"/{len(tests)} fail" + (f" ({len(given)} given)" if given else ""))
                    if bad:
                        problems.append(f"{lab.branch} {a}: {len(bad)} tests of lab "
                                        f"{lab.name} pass on its starter code (if a test "
                                        "checks nothing of the lab's own work, mark it "
                                        "@pytest.mark.given):" + "".join(
                                            f"\n  {t['name']}" for t in bad))
            rows.append((lab, a, merge, hcell, *cells))

    w = max(len(lab.branch) for lab in labs) + 2
    print()
    print(f"{'merged tree':<{w}}{'arch':<9}{'merge':<7}{'host tests':<30}"
          f"{'base + earlier labs (pass)':<28}this lab (must fail)")
    for lab, a, merge, hcell, earlier, this in rows:
        print(f"{lab.branch:<{w}}{a:<9}{merge:<7}{hcell:<30}{earlier:<28}{this}")
    return course.verdict("check-handouts", problems, started, f"trees and logs in {workdir}")


# ---------------------------------------------------------------- Gradescope

def gradescope(root, man, lab, out):
    """A Gradescope autograder zip: the lab's branch of the student repo (what
    a submission is laid over: a handin holds the files that differ from it, the
    student's code of this lab and the earlier ones), with setup.sh and
    run_autograder at the top and the lab's name in grade/gradescope/lab."""
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="vmlab-gradescope-") as tmp:
        tree = Path(tmp) / "source"
        handout(root, man, lab, tree, solved=0)
        gs = tree / "grade" / "gradescope"
        gs.mkdir(parents=True, exist_ok=True)
        for f in ("setup.sh", "run_autograder"):
            shutil.copy2(root / "grade" / "gradescope" / f, gs / f)
        (gs / "lab").write_text(lab.name + "\n")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for f in ("setup.sh", "run_autograder"):
                info = zipfile.ZipInfo(f, (2025, 1, 1, 0, 0, 0))
                info.external_attr = 0o100755 << 16
                z.writestr(info, (root / "grade" / "gradescope" / f).read_bytes())
            for f in course.tree_files(tree) + [".handout/lab", ".handout/MANIFEST"]:
                info = zipfile.ZipInfo(f, (2025, 1, 1, 0, 0, 0))
                mode = (tree / f).stat().st_mode & 0o777
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, (tree / f).read_bytes())
    print(f"{out}: the autograder for lab {lab.number} ({lab.name}); upload it to Gradescope")


# ---------------------------------------------------------------- main

def main(argv=None):
    p = argparse.ArgumentParser(prog="handout.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=ROOT, type=Path, help="the reference tree")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("check", help="lint the fences")
    s = sub.add_parser("handout", help="write the student tree for a lab")
    s.add_argument("--lab", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--task", type=int, default=0,
                   help="with the lab's tasks before this one done (its fences say their tasks)")
    s = sub.add_parser("student-repo", help="a git repo with a branch per lab")
    s.add_argument("--out", required=True)
    s.add_argument("--upto", help="the last lab to publish (default: every available lab)")
    s.add_argument("--solved", help="a catch-up variant: this lab and the ones before "
                                    "it with their reference code")
    s = sub.add_parser("check-handouts", help="build, boot and grade every handout")
    s.add_argument("--arch", default=" ".join(ARCHES))
    s.add_argument("--timeout-scale", type=float, default=1.0)
    s.add_argument("--workdir", type=Path, help="default: ROOT/build/handouts")
    s.add_argument("--base", help="graders of the base kernel that every tree must "
                                  "pass (default: every grade/test_*.py that is no lab's)")
    s.add_argument("--cpus", type=int, help="boot every machine with this many CPUs, "
                   "so that each test runs once (default: the CPU counts the tests ask for)")
    s.add_argument("--quick", action="store_true",
                   help="each tree on one port, the trees taking the ports in turn")
    s.add_argument("--this-lab-timeout-scale", type=float, default=0.25,
                   help="timeouts of a lab's own graders on its handout, which must "
                        "fail, relative to the others'")
    s = sub.add_parser("gradescope", help="a Gradescope autograder zip for a lab")
    s.add_argument("--lab", required=True)
    s.add_argument("--out", required=True)
    args = p.parse_args(argv)
    root = args.root.resolve()
    try:
        man = load_manifest(root)
        if args.cmd == "check":
            parsed = lint(root, man)
            n = sum(1 for nodes in parsed.values() for _ in fenced(nodes))
            print(f"fences: {n} in {len(parsed)} files, all well formed")
        elif args.cmd == "handout":
            lab = man.lab(args.lab)
            parsed = lint(root, man)
            if args.task and not tasks_of(parsed, lab):
                raise Error(f"lab {lab.name}: its fences say no task, so --task means nothing")
            nfiles, nfenced = handout(root, man, lab, args.out, task=args.task)
            done = f", tasks before {args.task} done" if args.task else ""
            print(f"{args.out}: the handout of lab {lab.number} ({lab.name}){done}: "
                  f"{nfiles} files, {nfenced} with fences")
        elif args.cmd == "student-repo":
            lint(root, man)
            upto = man.lab(args.upto) if args.upto else None
            solved = man.lab(args.solved).number if args.solved else 0
            student_repo(root, man, args.out, upto, solved)
        elif args.cmd == "check-handouts":
            arches = course.parse_arches(args.arch)
            ok = check_handouts(root, man, arches, args.timeout_scale,
                                args.workdir or root / "build" / "handouts",
                                args.base.split() if args.base else None,
                                args.this_lab_timeout_scale, args.cpus, args.quick)
            return 0 if ok else 1
        elif args.cmd == "gradescope":
            lab = man.lab(args.lab)
            lint(root, man)
            gradescope(root, man, lab, args.out)
    except Error as e:
        print(f"{p.prog}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The student repo (make student-repo), on the reference tree with synthetic
fences (conftest.py): its branches are layered, one commit a lab; no branch, no
commit of its history, holds reference code of a lab it has not solved (the leak
test); a student who finished the labs before N merges branch N without a
conflict (the merge test; make check-handouts grades the trees it gives).  Each
check is also run on the old layout (branch N had the reference code of the labs
before N), and must fail there."""

import re
import shutil
import subprocess

import pytest

import classroom
import course
import handout
from conftest import PYTHON, run

LABS = ["entries", "rbtree", "fork", "stack", "wiring", "upcalls", "resident"]
BRANCHES = ["lab1-entries", "lab2-rbtree", "lab3-fork", "lab4-stack", "lab5-wiring",
            "lab6-upcalls", "lab7-resident"]
WHO = dict(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
           GIT_COMMITTER_EMAIL="t@t")


@pytest.fixture(scope="module")
def man(reference):
    return course.load_manifest(reference)


@pytest.fixture(scope="module")
def repo(reference, tmp_path_factory):
    out = tmp_path_factory.mktemp("repo") / "r"
    run(["make", "-s", "student-repo", f"OUT={out}"], reference)
    return out


def git(repo, *args):
    return handout.git(repo, *args, env=WHO)


def files_at(repo, ref):
    return sorted(git(repo, "ls-tree", "-r", "--name-only", ref).splitlines())


def show(repo, ref, path):
    return subprocess.run(["git", "show", f"{ref}:{path}"], cwd=repo, capture_output=True,
                          check=True).stdout


def old_layout(reference, man, out):
    """The student repo as it was: branch N with the labs before N solved."""
    out.mkdir()
    git(out, "init", "-q", "-b", BRANCHES[0])
    for i, lab in enumerate(man.available()):
        tree = out.parent / f"old-{lab.name}"
        handout.handout(reference, man, lab, tree)
        if i:
            git(out, "checkout", "-q", "-b", lab.branch)
        for p in out.iterdir():
            if p.name != ".git":
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        shutil.copytree(tree, out, dirs_exist_ok=True)
        git(out, "add", "-A", "-f")
        git(out, "commit", "-q", "-m", lab.name)
    return out


def test_branches_are_layered(reference, man, repo, tmp_path):
    assert git(repo, "for-each-ref", "--format=%(refname:short)").split() == BRANCHES
    for i, lab in enumerate(man.available()):
        b = lab.branch
        # The branch is one commit on the one before.
        parents = git(repo, "rev-list", "--parents", "-n", "1", b).split()[1:]
        assert parents == ([git(repo, "rev-parse", BRANCHES[i - 1])] if i else [])
        # Its tree: the labs up to it, none solved, .handout committed.
        tree = tmp_path / b
        handout.handout(reference, man, lab, tree, solved=0)
        want = course.tree_files(tree) + [".handout/MANIFEST", ".handout/lab"]
        assert files_at(repo, b) == sorted(want)
        for f in want:
            assert show(repo, b, f) == (tree / f).read_bytes(), (b, f)
        assert show(repo, b, ".handout/lab") == f"{lab.name}\n".encode()
        if i:
            # What the commit changes: the lab's own files, the README's table,
            # the record; no code (no lab is solved, every fence has its starter).
            changed = git(repo, "diff", "--name-only", BRANCHES[i - 1], b).split()
            assert sorted(changed) == sorted(lab.paths() + ["README.md", ".handout/MANIFEST",
                                                            ".handout/lab", classroom.WORKFLOW])
    main = show(repo, BRANCHES[-1], "kernel/kern/main.c").decode()
    assert "synthetic: entries starter" in main and "reference" not in main
    assert "synthetic: future starter" in main


def test_student_readme_and_seed(repo):
    for i, b in enumerate(BRANCHES):
        readme = show(repo, b, "README.md").decode()
        for gone in ("reference solution", "tools/handout.py", "check-handouts", "@"):
            assert gone not in readme, (b, gone)
        assert "the code of every lab so far left for you to write" in " ".join(readme.split())
        for want in ("vmlab", "make qemu", "make grade", "make handin", "make qemu-gdb",
                     "gdb-multiarch", f"branch `{b}`", "| 8 | future |"):
            assert want in readme, (b, want)
        for j, other in enumerate(BRANCHES):
            row = next(line for line in readme.splitlines() if f"| {j + 1} |" in line)
            assert ("here:" in row) == (j <= i) and ("to come" in row) == (j > i), row
        nxt = BRANCHES[i + 1] if i + 1 < len(BRANCHES) else "lab8-future"
        assert f"git merge upstream/{nxt}" in readme
        # Every seed/ file a handout or the README names is in the branch.
        files = files_at(repo, b)
        assert "seed/vm_map.h" in files
        assert b"Copyright (c) 1991, 1993" in show(repo, b, "seed/vm_map.h")
        for f in [f for f in files if f.startswith("labs/") and f.endswith(".md")] + ["README.md"]:
            for path in re.findall(r"\bseed/[\w.]+", show(repo, b, f).decode()):
                assert path in files, (b, f, path)


def test_rerun_and_upto_give_the_same_commits(reference, repo, tmp_path):
    run(["make", "-s", "student-repo", f"OUT={tmp_path / 'again'}"], reference)
    run(["make", "-s", "student-repo", f"OUT={tmp_path / 'two'}", "UPTO=rbtree"], reference)
    heads = git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)")
    assert git(tmp_path / "again", "for-each-ref",
               "--format=%(refname:short) %(objectname)") == heads
    # Releasing the labs one at a time publishes the same commits.
    assert git(tmp_path / "two", "for-each-ref",
               "--format=%(refname:short) %(objectname)") == "\n".join(heads.splitlines()[:2])
    assert "labs/03-fork.md" not in files_at(tmp_path / "two", "lab2-rbtree")
    p = run(["make", "-s", "student-repo", f"OUT={tmp_path / 'x'}", "UPTO=future"], reference,
            check=False)
    assert p.returncode and "not available yet" in p.stderr


# ---------------------------------------------------------------- the leak test

def test_no_reference_code_anywhere(reference, man, repo):
    assert handout.leaks(repo, reference, man) == []


def test_catch_up_variant(reference, man, tmp_path):
    out = tmp_path / "catchup"
    run(["make", "-s", "student-repo", f"OUT={out}", "SOLVED=rbtree"], reference)
    assert handout.leaks(out, reference, man, solved=2) == []
    main = {b: show(out, b, "kernel/kern/main.c").decode() for b in BRANCHES}
    assert "entries reference" in main["lab1-entries"] and "rbtree reference" not in main["lab1-entries"]
    assert "rbtree reference" in main["lab2-rbtree"] and "rbtree reference" in main["lab3-fork"]
    assert "fork reference" not in main["lab3-fork"]
    readme = {b: show(out, b, "README.md").decode() for b in BRANCHES}
    assert "every lab so far written: their reference code" in readme["lab1-entries"]
    assert "every lab so far written" in readme["lab2-rbtree"]
    assert "labs 1 and 2 written (their reference code), the later labs' code left for " \
        "you" in " ".join(readme["lab3-fork"].split())
    # The same repo is a leak as a regular one.
    found = handout.leaks(out, reference, man)
    assert any(f.startswith("lab2-rbtree: lab rbtree: kernel/kern/main.c: ") for f in found)


def test_leak_test_fails_on_the_old_layout(reference, man, tmp_path):
    old = old_layout(reference, man, tmp_path / "old")
    found = handout.leaks(old, reference, man)
    assert 'lab2-rbtree: lab entries: kernel/kern/main.c: printf("synthetic: entries reference\\n");' \
        in found
    assert 'lab3-fork: lab rbtree: kernel/kern/param.h: #define SYNTHETIC_RBTREE_REFERENCE 1' \
        in found
    assert not any(f.startswith("lab1-entries:") for f in found)
    # The real fences are caught too, not only the synthetic ones.
    assert any(": kernel/vm/vm_map.c: " in f for f in found)


def test_leak_test_reads_history(reference, man, repo, tmp_path):
    """A line of reference code that a commit added and a later one took out is
    still a leak, in the branch and every branch after it."""
    clone = tmp_path / "c"
    git(tmp_path, "clone", "-q", "-b", "lab1-entries", str(repo), str(clone))
    notes = clone / "notes.txt"
    notes.write_text("#define SYNTHETIC_RBTREE_REFERENCE 1\n")
    git(clone, "add", "notes.txt")
    git(clone, "commit", "-q", "-m", "oops")
    git(clone, "rm", "-q", "notes.txt")
    git(clone, "commit", "-q", "-m", "gone")
    assert not notes.exists()
    found = handout.leaks(clone, reference, man)
    assert found == ["lab1-entries: lab rbtree: notes.txt: #define SYNTHETIC_RBTREE_REFERENCE 1"]


# ---------------------------------------------------------------- the merge test

def strip_notes(data, note):
    return re.sub(rb"^[ \t]*(//|#|/\*) " + re.escape(note.encode()) + rb"( \*/)?\n", b"",
                  data, flags=re.M)


@pytest.mark.parametrize("lab", LABS[1:])
def test_merge(reference, man, repo, lab, tmp_path):
    """A student who did the labs before lab (in words of their own) merges its
    branch with no conflict, and has the tree `make handout LAB=lab` gives: the
    labs before solved (theirs), its starter, its handout and graders."""
    note = "done by the student"
    tree = handout.merged_tree(reference, man, repo, man.lab(lab), tmp_path / "m", note=note)
    assert git(tree, "status", "--porcelain") == ""
    assert git(tree, "rev-parse", "HEAD^2") == git(repo, "rev-parse", man.lab(lab).branch)
    want = handout.handout(reference, man, man.lab(lab), tmp_path / "h") and tmp_path / "h"
    assert course.tree_files(tree) == course.tree_files(want)
    for f in course.tree_files(want):
        if f != "README.md":      # the branch's, which says no lab is written
            assert strip_notes((tree / f).read_bytes(), note) == (want / f).read_bytes(), f
    assert (tree / "README.md").read_text() == show(repo, man.lab(lab).branch,
                                                    "README.md").decode()
    assert note in (tree / "kernel/kern/main.c").read_text()
    assert (tree / ".handout/lab").read_text() == f"{lab}\n"
    # The record is the branch's, so make handin sends the student's work.
    assert (tree / ".handout/MANIFEST").read_bytes() == show(repo, man.lab(lab).branch,
                                                            ".handout/MANIFEST")
    p = run([PYTHON, "tools/course.py", "handin", "--out", str(tmp_path / "h.tar.gz")], tree)
    assert "M kernel/kern/main.c" in p.stdout and "labs/" not in p.stdout


def test_merge_test_fails_on_the_old_layout(reference, man, tmp_path):
    old = old_layout(reference, man, tmp_path / "old")
    with pytest.raises(course.Error, match="conflicts in .*kernel/kern/main.c"):
        handout.merged_tree(reference, man, old, man.lab("rbtree"), tmp_path / "m")


# ---------------------------------------------------------------- host tests

HOST_OUT = """\
cc -o build/host/vmtest ...
ok   rbtree_insert (0.01s)
FAIL map_clip (2 check(s) failed)
  test_vm_map.c:10: map_clip: entries == 3: 2 != 3
ok   zone_alloc (0.00s)
skip: cow_chain (needs lab 3, fork)
total 0.10s
"""
HOST_LIST = "rbtree_insert rbtree\nmap_clip entries\nzone_alloc base\ncow_chain fork\n" \
    "total 0.00s\n0 passed, 0 failed\n"


def test_host_parser():
    results, labs = handout.parse_host(HOST_OUT, HOST_LIST)
    assert results == dict(rbtree_insert="ok", map_clip="fail", zone_alloc="ok",
                           cow_chain="skip")
    assert labs == dict(rbtree_insert="rbtree", map_clip="entries", zone_alloc="base",
                        cow_chain="fork")


def test_host_verdict(man):
    results, labs = handout.parse_host(HOST_OUT, HOST_LIST)
    # In lab 1's tree: lab 1's test may fail; lab 2's ran but must be skipped.
    cell, problems = handout.host_verdict(man, man.lab("entries"), results, labs)
    assert cell == "FAIL: 2 pass, 1 fail, 1 skip"
    assert "rbtree_insert (rbtree, a later lab): ok, must be skipped" in problems[0]
    assert "map_clip" not in problems[0]
    # In lab 2's tree: lab 1's test fails.
    cell, problems = handout.host_verdict(man, man.lab("rbtree"), results, labs)
    assert "map_clip (entries): fail, must pass" in problems[0]
    assert "rbtree_insert" not in problems[0]
    # In lab 3's tree: its own test was skipped; a test missing from the list.
    results["extra"] = "ok"
    cell, problems = handout.host_verdict(man, man.lab("fork"), results, labs)
    assert "cow_chain (fork, this lab): skip, must run" in problems[0]
    assert "extra: ran, but `vmtest --list` does not name it" in problems[0]
    # All is well.
    good = dict(rbtree_insert="skip", map_clip="fail", zone_alloc="ok", cow_chain="skip")
    assert handout.host_verdict(man, man.lab("entries"), good, labs) == \
        ("ok: 1 pass, 1 fail, 2 skip", [])
    assert handout.host_verdict(man, man.lab("entries"), good, {})[0] == "NOT LISTED"
    # quick, in lab 3's tree: lab 1's and the base kernel's tests left out, not run.
    quick = dict(rbtree_insert="ok", cow_chain="fail")
    assert handout.host_verdict(man, man.lab("fork"), quick, labs, {"", "entries"}) == \
        ("ok: 1 pass, 1 fail, 0 skip", [])
    cell, problems = handout.host_verdict(man, man.lab("fork"), quick, labs, {"entries"})
    assert "zone_alloc (base): not run, must pass" in problems[0]
    # A runner without --list runs nothing for it: no test is listed.
    assert handout.parse_host(HOST_OUT, "total 0.00s\n0 passed, 0 failed\n")[1] == {}


def test_handouts_say_how_to_start(reference, man):
    for lab in man.available():
        head = " ".join((reference / lab.handout).read_text().splitlines()[:10])
        assert f"`git checkout {lab.branch}`" in head, lab.handout
        if lab.number > 1:
            assert f"git merge upstream/{lab.branch}`" in head, lab.handout
        assert f"make grade LAB={lab.name}" in head, lab.handout

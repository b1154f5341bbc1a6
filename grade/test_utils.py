"""The user programs: ls, mkdir, ln, rm, wc, grep, kill, cat."""

import re

import pytest

from harness import README, ROOT, make_var

T_DIR, T_FILE, T_DEVICE = 1, 2, 3


def ls(sh, path=""):
    """ls's output as {name: (type, inode, size)}, every line checked for form."""
    entries = {}
    for line in sh.lines(f"ls {path}".strip()):
        m = re.fullmatch(r"(\S+) +(\d+) (\d+) (\d+)", line)
        assert m, f"ls printed {line!r}, not 'name type inode size'"
        entries[m[1]] = (int(m[2]), int(m[3]), int(m[4]))
    return entries


@pytest.mark.points(2)
def test_ls_root(sh, arch):
    files = ls(sh)
    assert files["."][0] == T_DIR and files[".."][0] == T_DIR
    assert files["."][1] == files[".."][1] == 1, "/ is inode 1 and its own parent"
    assert files[README][0] == T_FILE
    assert files[README][2] == (ROOT / "README.md").stat().st_size
    assert files["console"][0] == T_DEVICE
    for prog in make_var(arch, "UPROGS").split():
        assert prog in files, f"ls / does not show {prog}"
        binary = ROOT / "build" / arch / "user" / "disk" / f"_{prog}"
        assert files[prog] == (T_FILE, files[prog][1], binary.stat().st_size), prog
    inodes = [ino for name, (_, ino, _) in files.items() if name not in (".", "..")]
    assert len(set(inodes)) == len(inodes), "two names share an inode"


@pytest.mark.points(2)
def test_mkdir_ln_rm(sh):
    assert sh.run("mkdir dd") == ""
    assert sh.run("mkdir dd") == "mkdir: dd failed to create\n"
    d = ls(sh, "dd")
    assert sorted(d) == [".", ".."] and d["."][0] == T_DIR
    assert sh.run("echo some data > dd/a") == ""
    assert sh.run("ln dd/a b") == ""
    assert sh.run("cat b") == "some data\n"
    assert ls(sh, "b")["b"][1] == ls(sh, "dd/a")["a"][1], "a link is the same inode"
    assert sh.run("ln dd/a b") == "ln: link dd/a b failed\n"
    assert sh.run("rm dd/a") == ""
    assert sh.run("cat dd/a") == "cat: cannot open dd/a\n"
    assert sh.run("cat b") == "some data\n"
    assert sh.run("echo x > dd/x") == ""
    assert sh.run("rm dd") == "rm: dd failed to delete\n", "rm of a non-empty directory"
    assert sh.run("rm dd/x") == ""
    assert sh.run("rm b") == ""
    assert sh.run("ls b") == "ls: cannot open b\n"
    assert sh.run("rm b") == "rm: b failed to delete\n"


@pytest.mark.points(1)
def test_wc_counts(sh):
    assert sh.run("echo the quick  brown fox > w") == ""   # echo prints one blank
    assert sh.run("echo jumps >> w") == ""
    assert sh.run("echo >> w") == ""
    assert sh.run("echo over the lazy dog >> w") == ""
    # "the quick brown fox\n" "jumps\n" "\n" "over the lazy dog\n"
    assert sh.run("wc w") == "4 9 45 w\n"
    assert sh.run("wc < w") == "4 9 45 \n"
    assert sh.run("wc w w") == "4 9 45 w\n4 9 45 w\n"
    assert sh.run("wc nosuchfile") == "wc: cannot open nosuchfile\n"


@pytest.mark.points(2)
def test_grep(sh):
    for line in ("apple pie", "banana split", "cherry", "grape apple", "pineapple", "aaa"):
        assert sh.run(f"echo {line} >> fruit") == ""
    assert sh.run("grep apple fruit") == "apple pie\ngrape apple\npineapple\n"
    assert sh.run("grep ^apple fruit") == "apple pie\n"
    assert sh.run("grep apple$ fruit") == "grape apple\npineapple\n"
    assert sh.run("grep b.n fruit") == "banana split\n"
    assert sh.run("grep ^a*$ fruit") == "aaa\n"
    assert sh.run("grep ^ch.*y$ fruit") == "cherry\n"
    assert sh.run("grep kiwi fruit") == ""
    assert sh.run("cat fruit | grep an") == "banana split\n"


@pytest.mark.points(1)
def test_cat(sh):
    assert sh.run("echo first > c1") == ""
    assert sh.run("echo second > c2") == ""
    assert sh.run("cat c1 c2") == "first\nsecond\n"
    assert sh.run("cat c1 nosuchfile") == "first\ncat: cannot open nosuchfile\n"


@pytest.mark.points(2)
def test_kill_background_job(sh, arch):
    if "sleep" not in make_var(arch, "UPROGS").split():
        pytest.skip("needs a sleep program (user/sleep.c in UPROGS)")
    assert sh.run("sleep 1000 | wc > out &") == ""
    # The job runs on in the background: wc has made out (soon), but has not seen
    # end of file.
    sh.run_until("cat out", "")
    assert sh.run("kill 999") == "kill: 999: no such process\n"
    assert sh.run("cat out") == ""
    # sleep's pid, from ps ("PID STATE SIZE RSS PSS STACK SH NAME"): the order in which the
    # job's processes and the cats above got theirs depends on the scheduler.
    pids = re.findall(r"^(\d+) \S+ \d+ \d+ \d+ \d+ \d+ sleep$", sh.run("ps"), re.M)
    assert len(pids) == 1, f"ps shows {len(pids)} sleep processes, not 1"
    # Killing sleep closes the pipe, so wc sees end of file and writes its count.
    assert sh.run(f"kill {pids[0]}") == ""
    sh.run_until("cat out", "0 0 0 \n")

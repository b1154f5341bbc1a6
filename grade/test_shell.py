"""The shell: commands, pipes, redirections, lists, background jobs, parentheses,
quotes, cd, and errors it survives.  Every check is on exact output."""

import pytest

from harness import README, ROOT


def wc(data: bytes, name=""):
    """What wc prints for data: lines, words, bytes, name."""
    words, inword = 0, False
    for b in data:
        if b in b" \r\t\n\v":
            inword = False
        elif not inword:
            words, inword = words + 1, True
    lines = data.count(b"\n")
    return f"{lines} {words} {len(data)} {name}\n"


@pytest.mark.points(1)
def test_echo(sh):
    assert sh.run("echo hello world") == "hello world\n"
    assert sh.run("echo") == "\n"


@pytest.mark.points(1)
def test_pipe(sh):
    assert sh.run("echo hello | wc") == "1 1 6 \n"


@pytest.mark.points(2)
def test_three_stage_pipe(sh):
    readme = (ROOT / "README.md").read_bytes()
    matching = b"".join(l for l in readme.splitlines(keepends=True) if b"vmlab" in l)
    assert matching, "README.md must mention vmlab"
    assert sh.run(f"cat {README} | grep vmlab | wc") == wc(matching)


@pytest.mark.points(1)
def test_redirect_out_and_append(sh):
    assert sh.run("echo hi > f") == ""
    assert sh.run("cat f") == "hi\n"
    assert sh.run("echo there >> f") == ""
    assert sh.run("cat f") == "hi\nthere\n"
    assert sh.run("echo over > f") == ""          # > truncates
    assert sh.run("cat f") == "over\n"


@pytest.mark.points(1)
def test_redirect_in(sh):
    assert sh.run("echo one two three > f") == ""
    assert sh.run("wc < f") == "1 3 14 \n"
    assert sh.run("grep two < f > g") == ""
    assert sh.run("cat g") == "one two three\n"


@pytest.mark.points(1)
def test_list(sh):
    assert sh.run("echo a; echo b ; echo c") == "a\nb\nc\n"
    assert sh.run("echo last;") == "last\n"


@pytest.mark.points(1)
def test_background(sh):
    # A background job's output would mix with the prompt on the console (each
    # byte is written on its own), so these jobs write to files.
    assert sh.run("echo from-background > bg &") == ""
    sh.run_until("cat bg", "from-background\n")
    assert sh.run("(echo one; echo two) > bg2 & echo foreground") == "foreground\n"
    sh.run_until("cat bg2", "one\ntwo\n")
    assert sh.run("echo still here") == "still here\n"


@pytest.mark.points(1)
def test_parentheses(sh):
    assert sh.run("(echo a; echo b) | wc") == "2 2 4 \n"
    assert sh.run("(echo x; (echo y; echo z)) > f") == ""
    assert sh.run("cat f") == "x\ny\nz\n"


@pytest.mark.points(1)
def test_quotes(sh):
    assert sh.run("echo 'a  b' \"c|d;e\" f'g h'") == "a  b c|d;e fg h\n"


@pytest.mark.points(1)
def test_cd(sh):
    assert sh.run("mkdir d") == ""
    assert sh.run("cd d") == ""
    # The programs are in /; /name runs them from anywhere.
    assert sh.run("/echo inside > g") == ""
    assert sh.run("/cat g") == "inside\n"
    assert sh.run("cd ..") == ""
    assert sh.run("cat d/g") == "inside\n"
    assert sh.run("cd /d") == ""
    assert sh.run("/cat g") == "inside\n"
    assert sh.run("cat g") == "inside\n"       # a bare name not here runs from /
    assert sh.run("cd nonexistent") == "cannot cd nonexistent\n"
    assert sh.run("cd") == "usage: cd dir\n"
    assert sh.run("cd /") == ""
    assert sh.run("cat d/g") == "inside\n"
    assert sh.run("(cd d; cat g)") == "inside\n"   # cd in a subshell...
    assert sh.run("cat d/g") == "inside\n"         # ...leaves this one in /


@pytest.mark.points(1)
def test_errors(sh):
    assert sh.run("nosuchprogram arg") == "exec nosuchprogram failed\n"
    assert sh.run("cat < nosuchfile") == "open nosuchfile failed\n"
    assert sh.run("echo (") .startswith("sh: syntax error: ")
    assert sh.run("echo 'unterminated") == "sh: syntax error: unmatched quote\n"
    # ... and the shell goes on.
    assert sh.run("echo alive") == "alive\n"

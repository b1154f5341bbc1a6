"""usertests, the kernel's own test suite, on one CPU and on four (the x86-64
port's bring-up is checked with four; the lab graders run on three)."""

import re

import pytest

USERTESTS_TIMEOUT = 300.0


@pytest.mark.slow
@pytest.mark.points(5)
@pytest.mark.cpus(1, 4)
def test_usertests(sh):
    sh.sendline("usertests")
    m = sh.wait_for(r"^(ALL TESTS PASSED|SOME TESTS FAILED)$", USERTESTS_TIMEOUT,
                    in_command=True)
    out = sh.output
    failed = re.findall(r"^test (\S+): FAILED", out, re.M)
    passed = re.findall(r"^test (\S+): OK$", out, re.M)
    assert m[1] == "ALL TESTS PASSED", f"usertests failed: {' '.join(failed) or '(see log)'}"
    assert not failed
    assert passed, "usertests ran no test"
    assert "panic" not in out
    sh.wait_for_prompt()

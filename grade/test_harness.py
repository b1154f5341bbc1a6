"""The grading harness itself (worth no points): what graders rely on from
conftest's fixtures and from harness.py."""

import pytest

from harness import ROOT


@pytest.mark.points(0)
@pytest.mark.given
def test_boot_debug_kernel(boot, arch):
    # boot(debug=True) boots build/ARCH-debug/kernel, built with the normal kernel
    # (so never older than it) and on the same disk image.
    q = boot(debug=True)
    kernel = ROOT / "build" / f"{arch}-debug" / "kernel"
    assert str(kernel.relative_to(ROOT)) in q.argv
    assert kernel.stat().st_mtime >= (ROOT / "build" / arch / "kernel").stat().st_mtime - 1
    assert q.run("echo debug") == "debug\n"

"""pytest glue for vmlab's graders: options, the arch/cpus parameters, the boot
fixtures, failure reports with the console's last lines, and the score.

    /usr/bin/python3 -m pytest -q -p no:cacheprovider -n auto grade \\
        --arch "riscv64 x86_64" --timeout-scale 1 [--cpus N] [--results-json PATH]

Fixtures for tests:
    arch, cpus   the machine (parametrized: every arch given; cpus per @pytest.mark.cpus)
    boot         boot(cpus=..., fsimg=..., gdb=False, prompt=True, debug=False,
                 mem=None, swap=None) -> harness.QEMU, booted.  debug=True boots the
                 DEBUG=1 kernel (build/ARCH-debug/kernel: vm_map_verify at every
                 exclusive unlock of a map, a panic with the verifier's reason if it
                 fails) on the same disk image; it is built with the normal one,
                 never stale.  mem="32M": the machine's memory; swap="1M": its swap
                 disk's size, "0" for none (default: the GNUmakefile's MEM, SWAP).
                 Each machine gets a fresh, sparse swap disk of its own, removed
                 with its copy of the file system (both kept if the test failed).
    sh           a machine booted to its first "$ " prompt
    shared       shared(cpus=..., debug=False) -> harness.QEMU at a prompt (no swap
                 disk: the labs' programs count pages exactly), shared with
                 this worker's later tests that ask for the same machine: not fresh
                 (earlier tests' files and processes are there), but a boot saved.
                 Replaced by a fresh boot once it has panicked, QEMU has exited, or a
                 test that used it failed (it may be stuck in a command).
    run_once     run_once(cmd, done, timeout, cpus=..., debug=False) -> str: what
                 cmd printed (from its echo to the prompt after a line matching the
                 regex done), typed once per worker at a shared machine; later tests
                 get the same output, or the same failure again at once (cmd
                 ending without a line matching done fails at once: Ended).  So a test
                 program that panics costs its own checks' points, fast, and the
                 next program runs on a fresh machine.  (Lab graders that give each
                 line of one program's output its own points use it.)
    scale        the timeout scale (to scale a test's own timeouts)
Markers:
    @pytest.mark.points(n)       the test is worth n points (default 1)
    @pytest.mark.cpus(1, 3)      run the test once per CPU count (default: DEFAULT_CPUS)
    @pytest.mark.slow            a long test: scheduled first, so that xdist overlaps it
    @pytest.mark.given           the test checks nothing of its lab's own work (a tool's
                                 output format, say), so it may pass on the lab's starter
                                 code: `make check-handouts` allows that
    @pytest.mark.task(n)         the handout's task n makes the test pass: it fails until
                                 that task is done (the handout's "Checks:" line of task n
                                 names it; the course's own `make check-tasks`, in
                                 the reference tree, checks both)
Selecting:
    --task N[,N...]              only the tests of these tasks (0: those of no task)
    --check NAME                 only this check (as --list-checks names it); repeatable
    --list-checks                print each test's check name, task and given marker
                                 ("mmaptest split 5 -"), run nothing
Lab reports (for `make grade` and `make check-handouts`):
    --lab-report                 a line per test: PASS/FAIL, points, seconds
    --lab-json PATH              every test's outcome, points, arch, given, message
"""

import hashlib
import itertools
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

import harness
from harness import ROOT

DEFAULT_CPUS = 3          # the GNUmakefile's default machine
TAIL_LINES = 40


def pytest_addoption(parser):
    g = parser.getgroup("vmlab")
    g.addoption("--arch", default="riscv64",
                help="space-separated ports to test (default: riscv64)")
    g.addoption("--timeout-scale", type=float, default=None,
                help="multiply every timeout (default: $TIMEOUT_SCALE or 1)")
    g.addoption("--cpus", type=int, default=None,
                help="boot every machine with this many CPUs")
    g.addoption("--results-json", default=None, metavar="PATH",
                help="write a Gradescope results.json to PATH")
    g.addoption("--stop-on-panic", action="store_true",
                help="accepted for compatibility: a wait always ends as soon as the "
                     "kernel panics (harness.Panic)")
    g.addoption("--until-every-arch-fails", action="store_true",
                help="stop once a test worth points has failed on every port "
                     "(tools/mutants.py: enough to show that a bug loses points)")
    g.addoption("--lab-report", action="store_true",
                help="print a line per test: PASS/FAIL, points, time")
    g.addoption("--lab-json", default=None, metavar="PATH",
                help="write every test's outcome (with its arch and given marker) to PATH")
    g.addoption("--task", default=None, metavar="N[,N...]",
                help="run only the tests of these handout tasks (0: tests of no task)")
    g.addoption("--check", action="append", default=None, metavar="NAME",
                help="run only this check (its --list-checks name; may be repeated)")
    g.addoption("--list-checks", action="store_true",
                help="print each test's check name, task and given marker; run nothing")
    g.addoption("--list-points", action="store_true",
                help="print each handout task's points (task 0: the tests of no task), "
                     "summed over every machine; run nothing")
    g.addoption("--fuzz-scale", type=int, default=1, metavar="K",
                help="multiply vmfuzz's operation counts (grade/test_vmfuzz.py) by K "
                     "(make flake-check: 2)")
    g.addoption("--gdb", action="store_true",
                help="start every machine halted for GDB, say how to attach, and never "
                     "time out (make grade GDB=1 TEST=name: one test, -s -n 0)")
    g.addoption("--record", action="store_true",
                help="record every machine's run with QEMU's record/replay, on one CPU, "
                     "into build/ARCH/record/ (make grade RECORD=1 TEST=name; "
                     "make replay replays it under GDB)")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def arches(config):
    return config.getoption("arch").split()


def is_worker(config):
    return hasattr(config, "workerinput")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): the test is worth n points")
    config.addinivalue_line("markers", "cpus(*n): run the test once per CPU count")
    config.addinivalue_line("markers", "slow: a long test, scheduled first")
    config.addinivalue_line("markers", "given: checks nothing of the lab's own work; "
                            "may pass on the starter code")
    config.addinivalue_line("markers", "task(n): the handout's task n makes the test pass")
    if config.getoption("list_checks") or config.getoption("list_points"):
        return                     # no machine needed
    if config.getoption("timeout_scale") is None:
        config.option.timeout_scale = float(os.environ.get("TIMEOUT_SCALE") or 1)
    if config.getoption("gdb"):
        harness.GDB_MODE = True
        config.option.timeout_scale = harness.GDB_TIMEOUT_SCALE
    harness.RECORD_MODE = config.getoption("record")
    harness.STOP_AT_FAILED = config.getoption("until_every_arch_fails")
    if is_worker(config):
        return
    for a in arches(config):
        if a not in ("riscv64", "x86_64"):
            raise pytest.UsageError(f"--arch {a}: not a port (riscv64, x86_64)")
        # Up to date in a fraction of a second; spares a student who runs pytest
        # by hand an hour with a stale kernel.  (`make test` has built already.)
        try:
            harness.make(a, "build")
            harness.make(a, "build", DEBUG=1)    # for boot(debug=True)
        except RuntimeError as e:
            raise pytest.UsageError(str(e)[-3000:])
        # Disk images left by an earlier run (logs are overwritten test by test); not
        # those of a pytest session still running in this tree, whose pid they carry.
        for img in (ROOT / "build" / a / "grade").glob("*.img"):
            m = re.search(r"-(\d+)(?:\.swap)?\.img$", img.name)
            if not (m and pid_alive(int(m[1]))):
                img.unlink(missing_ok=True)
    config.pluginmanager.register(Scoreboard(config), "vmlab-scoreboard")
    if config.getoption("lab_report") or config.getoption("lab_json"):
        config.pluginmanager.register(LabReport(config), "vmlab-lab-report")


def pytest_generate_tests(metafunc):
    config = metafunc.config
    if "arch" in metafunc.fixturenames:
        metafunc.parametrize("arch", arches(config))
    if "cpus" in metafunc.fixturenames:
        m = metafunc.definition.get_closest_marker("cpus")
        if config.getoption("cpus"):
            values = [config.getoption("cpus")]
        else:
            values = list(m.args) if m else [DEFAULT_CPUS]
        metafunc.parametrize("cpus", values, ids=[f"cpus{n}" for n in values])


def pytest_runtest_setup(item):
    # --until-every-arch-fails: a port that has lost points need not be graded on.
    lost = getattr(item.config, "vmlab_lost", set())
    if lost and dict(item.user_properties).get("arch") in lost:
        pytest.skip("this port has lost points already (--until-every-arch-fails)")


def check_name(item):
    """What a handout's "Checks:" line calls a test: a parametrized test by its
    program and parameter (test_mmaptest[split] is `mmaptest split`), any other
    by its function's name (`test_ps`); the arch and CPU count left out."""
    params = getattr(item, "callspec", None)
    own = [str(v) for k, v in (params.params.items() if params else ())
           if k not in ("arch", "cpus")]
    if own:
        return " ".join([item.originalname.removeprefix("test_"), *own])
    return item.originalname


def task_of(item):
    m = item.get_closest_marker("task")
    return m.args[0] if m else 0


def select(config, items):
    """--task and --check: deselect the other tests."""
    keep = items
    if config.getoption("task") is not None:
        want = {int(t) for t in config.getoption("task").replace(",", " ").split()}
        keep = [item for item in keep if task_of(item) in want]
    if config.getoption("check") is not None:
        names = set(config.getoption("check"))
        keep = [item for item in keep if check_name(item) in names]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


def list_points(items):
    """--list-points: "task N POINTS" for each task, over every machine, then stop."""
    points = {}
    for item in items:
        m = item.get_closest_marker("points")
        points[task_of(item)] = points.get(task_of(item), 0) + (m.args[0] if m else 1)
    for task, n in sorted(points.items()):
        print(f"task {task} {n}")
    pytest.exit("listed", returncode=0)


def list_checks(items):
    """--list-checks: a line per check (not per machine), then stop."""
    seen = {}
    for item in items:
        seen.setdefault((item.path.name, check_name(item)),
                        (task_of(item), bool(item.get_closest_marker("given"))))
    for (module, name), (task, given) in seen.items():
        print(f"{module} {name} {task} {'given' if given else '-'}")
    pytest.exit("listed", returncode=0)


@pytest.hookimpl(trylast=True)     # after -k and -m have deselected
def pytest_collection_modifyitems(config, items):
    select(config, items)
    if config.getoption("list_checks"):
        list_checks(items)
    if config.getoption("list_points"):
        list_points(items)
    for item in items:
        m = item.get_closest_marker("points")
        item.user_properties.append(("points", m.args[0] if m else 1))
        params = getattr(item, "callspec", None)
        if params and "arch" in params.params:
            item.user_properties.append(("arch", params.params["arch"]))
        if item.get_closest_marker("given"):
            item.user_properties.append(("given", True))
        item.user_properties.append(("check", check_name(item)))
        item.user_properties.append(("task", task_of(item)))
    # Long tests must start at once, on different workers, with the short ones
    # filling in around them.  xdist's load scheduling first hands each worker a
    # run of consecutive tests, `chunk` long (as computed here); so put the k-th
    # long test at the head of the k-th run.  Without xdist: long tests first,
    # but last with --until-every-arch-fails, which may stop before them.
    slow = [item for item in items if item.get_closest_marker("slow")]
    order = [item for item in items if not item.get_closest_marker("slow")]
    if config.getoption("until_every_arch_fails"):
        items[:] = order + slow
        return
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    chunk = max(len(items) // workers // 4, 2) if workers > 1 else 1
    for k, item in enumerate(slow):
        order.insert(min(k * chunk, len(order)), item)
    items[:] = order


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def scale(request):
    return request.config.getoption("timeout_scale")


def log_name(item):
    """A file name for the test: module.test[params], safe for any file system."""
    name = f"{Path(item.fspath).stem}.{item.name}"
    # No commas: QEMU's -drive file=... would split there.
    return re.sub(r"[^A-Za-z0-9_.=+\[\]-]", "_", name)


@pytest.fixture
def boot(request, arch, cpus, scale):
    """boot(...) starts a machine with a fresh copy of the disk image; every
    machine of the test is killed at its end."""
    item = request.node
    qemus = item.vmlab_qemus = []
    images = []
    gradedir = ROOT / "build" / arch / "grade"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")

    def _boot(cpus=cpus, fsimg=None, gdb=False, prompt=True, debug=False, mem=None,
              swap=None):
        n = len(qemus) + 1
        name = log_name(item) + (f".{n}" if n > 1 else "")
        gradedir.mkdir(parents=True, exist_ok=True)
        if fsimg is None:
            fsimg = gradedir / f"{name}.{worker}-{os.getpid()}.img"
            shutil.copyfile(ROOT / "build" / arch / "fs.img", fsimg)
            images.append(fsimg)
        swapimg = gradedir / f"{name}.{worker}-{os.getpid()}.swap.img"
        images.append(swapimg)
        q = harness.QEMU(arch, cpus, fsimg, log=gradedir / "logs" / f"{name}.log",
                         timeout_scale=scale, gdb=gdb, debug=debug, mem=mem, swap=swap,
                         swapimg=swapimg)
        qemus.append(q)
        q.start()
        if prompt:
            q.wait_booted()
        return q

    try:
        yield _boot
    finally:
        for q in qemus:
            q.close()
        # Keep a failed test's disk for a post-mortem; drop the rest.
        if not any(r.failed for r in getattr(item, "vmlab_reports", {}).values()):
            for img in images:
                img.unlink(missing_ok=True)


@pytest.fixture
def sh(boot):
    """A machine at its first shell prompt."""
    return boot()


# This worker's shared machine (at most one runs: asking for another closes it), and
# the outputs (or failures) of run_once's commands.
_shared = {}       # (arch, cpus, debug) -> (harness.QEMU, its disk images)
_ran = {}          # (arch, cpus, debug, cmd) -> (output or exception, harness.QEMU
                   # that ran it or None, whether another worker ran it)
_shared_boots = itertools.count(1)


def _drop_shared(key):
    if key in _shared:
        q, images = _shared.pop(key)
        q.close()
        for img in images:
            img.unlink(missing_ok=True)


def _show(item, q):
    """Show q's console in item's failure report."""
    if q not in item.vmlab_shared:
        item.vmlab_shared.append(q)


def _shared_machine(item, arch, cpus, debug, scale):
    key = (arch, cpus, debug)
    for k in [k for k in _shared if k != key]:
        _drop_shared(k)
    if key in _shared and (_shared[key][0].eof or harness.PANIC.search(_shared[key][0].output)):
        _drop_shared(key)
    if key not in _shared:
        gradedir = ROOT / "build" / arch / "grade"
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"shared.cpus{cpus}{'.debug' if debug else ''}.{worker}.{next(_shared_boots)}"
        img = gradedir / f"{name}-{os.getpid()}.img"
        swapimg = gradedir / f"{name}-{os.getpid()}.swap.img"
        img.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "build" / arch / "fs.img", img)
        # No swap disk: the labs' test programs count pages exactly, and take all
        # of memory to test its exhaustion; paging is test_swap.py's to grade.
        q = harness.QEMU(arch, cpus, img, log=gradedir / "logs" / f"{name}.log",
                         timeout_scale=scale, debug=debug, swap="0", swapimg=swapimg)
        _shared[key] = (q, [img, swapimg])
        _show(item, q)
        q.start()
        try:
            q.wait_booted()
        except AssertionError:
            _drop_shared(key)
            raise
    q = _shared[key][0]
    _show(item, q)
    return q


@pytest.fixture
def shared(request, arch, cpus, scale):
    item = request.node
    item.vmlab_shared = getattr(item, "vmlab_shared", [])
    used = []

    def _shared_fn(cpus=cpus, debug=False):
        used.append((arch, cpus, debug))
        return _shared_machine(item, arch, cpus, debug, scale)

    yield _shared_fn
    # A failed test may have left its machine mid-command: the next test boots anew.
    if any(r.failed for r in getattr(item, "vmlab_reports", {}).values()):
        for key in used:
            if key in _shared:
                _drop_shared(key)


def _once(item, arch, cpus, debug, cmd, done, timeout, scale, machine):
    """[exception class name or "ok", what cmd printed or why it failed]: cmd
    typed at this worker's shared machine (appended to machine), which a
    failure replaces."""
    try:
        q = _shared_machine(item, arch, cpus, debug, scale)
        machine.append(q)
        q.sendline(cmd)
        q.wait_for(re.escape(cmd) + r"\n")     # the echo
        start = q.pos
        q.wait_for(done, timeout, in_command=True)
        end = q.wait_for_prompt().start()
        return ["ok", q.output[start:end]]
    except AssertionError as e:        # a panic, a timeout, QEMU gone
        _drop_shared((arch, cpus, debug))
        return [type(e).__name__, str(e)]


@pytest.fixture
def run_once(request, arch, cpus, scale):
    item = request.node
    item.vmlab_shared = getattr(item, "vmlab_shared", [])
    item.vmlab_once = getattr(item, "vmlab_once", [])

    def _run_once(cmd, done, timeout=harness.CMD_TIMEOUT, cpus=cpus, debug=False):
        key = (arch, cpus, debug, cmd)
        if key not in _ran:
            # Once per session, not per worker: under xdist the other workers
            # wait for this run's outcome (harness.shared_run) instead of
            # running cmd again on a machine of their own.
            name = f"once-{arch}-{cpus}{'-debug' if debug else ''}-" + \
                hashlib.sha1(cmd.encode()).hexdigest()[:12]
            machine = []
            kind, value = harness.shared_run(name, lambda: _once(
                item, arch, cpus, debug, cmd, done, timeout, scale, machine))
            _ran[key] = (value if kind == "ok" else getattr(harness, kind, AssertionError)(value),
                         machine[0] if machine else None, not machine)
        result, q, elsewhere = _ran[key]
        if q:
            _show(item, q)
        elif elsewhere and not isinstance(result, BaseException):
            item.vmlab_once.append((cmd, result))
        if isinstance(result, BaseException):
            raise result.with_traceback(None)
        return result

    return _run_once


# ---------------------------------------------------------------- reports

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not hasattr(item, "vmlab_reports"):
        item.vmlab_reports = {}
    item.vmlab_reports[rep.when] = rep
    if rep.failed and item.config.getoption("until_every_arch_fails"):
        props = dict(rep.user_properties)
        if props.get("points", 1) > 0:
            lost = item.config.vmlab_lost = getattr(item.config, "vmlab_lost", set())
            lost.add(props.get("arch"))
            if lost >= set(arches(item.config)):
                item.session.shouldstop = "a test worth points failed on every port"
    if rep.failed and rep.when in ("setup", "call"):
        for q in getattr(item, "vmlab_qemus", []) + getattr(item, "vmlab_shared", []):
            where = q.log_path.relative_to(ROOT) if q.log_path else "console"
            rep.sections.append((f"{where} (last {TAIL_LINES} lines)", q.tail(TAIL_LINES)))
            # However the test failed, a panic is the news: its line and backtrace.
            panic = q.panic_report()
            if panic:
                rep.sections.append((f"{where}: the kernel panicked", panic))
        for cmd, out in getattr(item, "vmlab_once", []):
            last = "".join(out.splitlines(keepends=True)[-TAIL_LINES:])
            rep.sections.append((f"{cmd} (run once, by another test process; last "
                                 f"{TAIL_LINES} lines)", last))


def pytest_sessionfinish(session):
    for key in list(_shared):
        _drop_shared(key)
    harness.kill_all()


# How many of the slowest tests the score is followed by.
SLOWEST = 10


class Scoreboard:
    """Adds up points in the process that sees every report: the xdist
    controller (which gets the workers' reports), or the only process."""

    def __init__(self, config):
        self.config = config
        self.tests = {}          # name -> dict(points, arch, passed, failed, output, seconds)
        self.started = time.time()

    def name(self, nodeid):
        """nodeid with its file relative to the repo, whatever rootdir pytest chose
        (an option's value, like --results-json /tmp/r.json, can move it)."""
        path, sep, rest = nodeid.partition("::")
        return os.path.relpath(self.config.rootpath / path, ROOT) + sep + rest

    def pytest_runtest_logreport(self, report):
        props = dict(report.user_properties)
        t = self.tests.setdefault(self.name(report.nodeid), dict(
            points=props.get("points", 1), arch=props.get("arch"),
            passed=False, failed=False, output="", seconds=0.0))
        t["seconds"] += report.duration
        if report.when == "call" and report.passed:
            t["passed"] = True
        if report.failed:
            t["failed"] = True
            t["output"] += report.longreprtext + "\n"
            for title, text in report.sections:
                if not title.startswith("Captured"):
                    t["output"] += f"--- {title} ---\n{text}\n"
        if report.skipped and report.when != "teardown":
            t["output"] += "skipped\n"
            t["skipped"] = True

    def score(self, t):
        return t["points"] if t["passed"] and not t["failed"] else 0

    def tally(self, key):
        """{key(name, test): (points scored, points possible)}"""
        sums = {}
        for name, t in self.tests.items():
            k = key(name, t)
            got, total = sums.get(k, (0, 0))
            sums[k] = (got + self.score(t), total + t["points"])
        return sums

    def pytest_terminal_summary(self, terminalreporter):
        if not self.tests:
            return
        tr = terminalreporter
        mods = self.tally(lambda name, t: name.split("::")[0])
        width = max(len(m) for m in mods) + 2
        tr.write_sep("=", "vmlab score")
        for mod in sorted(mods):
            got, total = mods[mod]
            tr.write_line(f"{mod:<{width}}{got:>3}/{total}")
        # Per port; the machine-less tests (test_harness.py's) are no port's.
        arches = {a: v for a, v in self.tally(lambda name, t: t["arch"]).items() if a}
        if len(arches) > 1:
            tr.write_line("  ".join(f"{a}: {g}/{t}" for a, (g, t) in sorted(arches.items(), key=str)))
        got = sum(g for g, _ in mods.values())
        total = sum(t for _, t in mods.values())
        tr.write_line(f"Score: {got}/{total}")
        self.write_slowest(tr)

    def write_slowest(self, tr):
        """Where grading time goes: the slowest tests, with their wall time from
        setup to teardown (a shared run's boot counts for the test that made it)."""
        if len(self.tests) <= SLOWEST:
            return
        slow = sorted(self.tests.items(), key=lambda kv: kv[1]["seconds"], reverse=True)
        tr.write_line(f"Slowest {SLOWEST} of {len(self.tests)} tests "
                      f"({sum(t['seconds'] for t in self.tests.values()):.0f} s in all):")
        for name, t in slow[:SLOWEST]:
            tr.write_line(f"  {t['seconds']:6.1f}s  {name}")

    def pytest_sessionfinish(self, session):
        path = self.config.getoption("results_json")
        if not path:
            return
        tests = []
        for name, t in sorted(self.tests.items()):
            result = "passed" if self.score(t) else ("failed" if t["failed"] else "not run")
            tests.append(dict(name=name, score=self.score(t), max_score=t["points"],
                              output=f"{result} in {t['seconds']:.1f} s\n{t['output']}".strip(),
                              visibility="visible"))
        results = dict(score=sum(x["score"] for x in tests),
                       execution_time=round(time.time() - self.started, 1),
                       tests=tests)
        Path(path).write_text(json.dumps(results, indent=2) + "\n")


class LabReport:
    """A line per test (--lab-report), and a JSON file of them (--lab-json), from
    the Scoreboard's tally; runs in the same process as the Scoreboard."""

    def __init__(self, config):
        self.config = config
        self.given = set()
        self.checks = {}         # name -> (check name, task)
        self.messages = {}       # name -> the first line of why it failed

    @property
    def board(self):
        return self.config.pluginmanager.get_plugin("vmlab-scoreboard")

    def pytest_runtest_logreport(self, report):
        name = self.board.name(report.nodeid)
        props = dict(report.user_properties)
        if props.get("given"):
            self.given.add(name)
        self.checks[name] = (props.get("check", ""), props.get("task", 0))
        if report.failed and name not in self.messages:
            crash = getattr(report.longrepr, "reprcrash", None)
            msg = crash.message if crash else str(report.longrepr).strip().splitlines()[-1:]
            self.messages[name] = (msg if isinstance(msg, str) else " ".join(msg))[:2000]

    def rows(self):
        for name, t in sorted(self.board.tests.items()):
            module, _, test = name.partition("::")
            yield dict(name=name, module=module, test=test, arch=t["arch"],
                       points=t["points"], score=self.board.score(t),
                       passed=t["passed"] and not t["failed"],
                       given=name in self.given, skipped=t.get("skipped", False),
                       check=self.checks.get(name, ("", 0))[0],
                       task=self.checks.get(name, ("", 0))[1],
                       seconds=round(t["seconds"], 2), message=self.messages.get(name, ""))

    @pytest.hookimpl(tryfirst=True)      # before the score
    def pytest_terminal_summary(self, terminalreporter):
        if not self.config.getoption("lab_report") or not self.board.tests:
            return
        tr = terminalreporter
        rows = list(self.rows())
        width = max(len(r["test"]) + len(Path(r["module"]).stem) + 2 for r in rows)
        tr.write_sep("=", "vmlab tests")
        for r in rows:
            label = f"{Path(r['module']).stem}::{r['test']}"
            # A failed check says which task of the handout makes it pass.
            task = f"  (task {r['task']})" if r["task"] and not r["passed"] else ""
            tr.write_line(f"{'PASS' if r['passed'] else 'FAIL'}  {label:<{width}}  "
                          f"{r['score']:>2}/{r['points']:<2} {r['seconds']:6.1f}s{task}")

    def pytest_sessionfinish(self, session):
        path = self.config.getoption("lab_json")
        if path:
            Path(path).write_text(json.dumps(dict(tests=list(self.rows())), indent=1) + "\n")

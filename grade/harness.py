"""The QEMU harness for vmlab's graders (and tools/bench.py).

A QEMU object boots one machine: its command line comes from the GNUmakefile
(`make print-qemu`, the one source of truth), its console is a pipe that a thread
reads into a buffer (and a log file), and a test types commands and waits for
regular expressions in the output, with timeouts, never fixed sleeps.  QEMU runs
in its own process group, which close() always kills.

    q = QEMU("riscv64", cpus=3, fsimg=copy, log="build/riscv64/grade/logs/x.log")
                                       # debug=True: the DEBUG=1 kernel; mem="32M":
                                       # its memory; swap="1M" (0: none), swapimg=path:
                                       # its swap disk (default: the GNUmakefile's
                                       # MEM and SWAP; the image beside fsimg)
    q.start()
    q.wait_booted()
    out = q.run("echo hello")          # "hello\n": what it printed before the next "$ "
    assert q.halt() == 0               # powers off by itself
    q.close()

A kernel panic ends every wait at once with Panic, whose message has the whole
panic line and the kernel's backtrace as "function (file:line)" lines (addr2line on
the kernel that was booted).  wait_for(..., in_command=True), for a program's
last line, ends with Ended as soon as the shell prompts again without it (the
program was killed, say).  verify_reason() adds the kernel's own reason to a
grader's message about a failed vmverify.
"""

import codecs
import ctypes
import fcntl
import functools
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = re.compile(r"^\$ ", re.M)        # sh prints "$ " at the start of a line
HART_UP = re.compile(r"hart (\d+) starting\n")   # each CPU but the first, as it boots
# The name README.md gets in the disk image (mkfs names a file by its last path
# element).  The graders check its size and contents against README.md.
README = "README.md"
BOOT_TIMEOUT = 30.0                        # seconds, before scaling
CMD_TIMEOUT = 15.0


class Timeout(AssertionError):
    """The awaited output did not come in time."""


class Exited(AssertionError):
    """QEMU exited (the machine powered off, crashed, or QEMU failed)."""


class Ended(AssertionError):
    """The command ended (the shell prompted again) without printing what was
    awaited: a program killed, or one that stopped early."""


class Panic(AssertionError):
    """The kernel panicked: nothing more will come, so waiting longer is pointless."""


# The kernel's panic line (kern/printf.c), once complete, and the backtrace that
# follows it: return addresses, innermost first, one per line (another CPU's line
# may come in between).
PANIC = re.compile(r"^panic: .*\n", re.M)
BACKTRACE = re.compile(r"^backtrace:\n(.*?)^backtrace end\n", re.M | re.S)
RETURN_ADDRESS = re.compile(r"^  (0x[0-9a-f]+)$", re.M)
BACKTRACE_WAIT = 2.0     # seconds (before scaling) for the backtrace after the panic line
# What the kernel's vm_map_verify says when a map is broken (vm_info.c's vmverify).
VERIFY_SAID = re.compile(r"^vm_map_verify: (.*)$", re.M)


def make_var(arch, name, **vars):
    """The value of a GNUmakefile variable for ARCH, with VAR=value overrides."""
    return make(arch, f"print-{name}", **vars)


def make(arch, target, **vars):
    cmd = ["make", "-s", "--no-print-directory", f"ARCH={arch}"]
    cmd += [f"{k}={v}" for k, v in vars.items()] + [target]
    p = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
    return p.stdout.strip()


def qemu_command(arch, cpus, fsimg, gdbport, gdb=False, debug=False, mem=None,
                 swap=None, swapimg=None, rr=None, rrdir=None):
    """QEMU's argv for this machine, as `make print-qemu` says (+ QEMUGDB if gdb);
    debug: boot the DEBUG=1 kernel (build/ARCH-debug/kernel), which runs
    vm_map_verify at every exclusive unlock of a map.  Both kernels boot the same
    disk image (the GNUmakefile builds user space once).  mem, swap (a size; "0":
    no swap disk) and swapimg (the swap disk's file): the GNUmakefile's MEM, SWAP
    and SWAPIMG where None.  rr ("record" or "replay"): under QEMU's record/replay,
    with the recording, its disks and its kernel in rrdir (see Recording)."""
    vars = dict(CPUS=cpus, FSIMG=fsimg, GDBPORT=gdbport)
    if debug:
        vars["DEBUG"] = 1
    for name, value in (("MEM", mem), ("SWAP", swap), ("SWAPIMG", swapimg)):
        if value is not None:
            vars[name] = value
    if rr:
        vars.update(RR=rr, RRDIR=rrdir, KERNEL=Path(rrdir) / "kernel")
    argv = shlex.split(make(arch, "print-qemu", **vars))
    if gdb:
        argv += shlex.split(make_var(arch, "QEMUGDB", **vars))
    return argv


@functools.lru_cache(maxsize=None)
def make_default(arch, name):
    """A GNUmakefile variable's value for ARCH, asked once."""
    return make_var(arch, name)


@functools.lru_cache(maxsize=None)
def swap_bytes(arch, swap=None):
    """The size in bytes of a swap disk of size swap ("32M"; None: the GNUmakefile's
    SWAP), as the GNUmakefile reckons it (it refuses a size that is not whole pages)."""
    return int(make_var(arch, "SWAP_BYTES", **({} if swap is None else dict(SWAP=swap))))


def make_swap_image(path, size):
    """A fresh swap disk of size bytes at path: sparse, so it costs no disk space
    or time until the kernel writes to it."""
    path = Path(path)
    path.unlink(missing_ok=True)     # a running QEMU may still hold the old one
    with open(path, "wb") as f:
        f.truncate(size)


@functools.lru_cache(maxsize=None)
def _kernel_and_addr2line(arch, debug):
    kernel = ROOT / make_var(arch, "KERNEL", DEBUG=int(debug))
    return kernel, make_var(arch, "TOOLPREFIX") + "addr2line"


def symbolize(arch, addrs, debug=False):
    """Each kernel address as "function (file:line)", by addr2line on the kernel
    that boot(debug=debug) boots; the address itself where that fails."""
    kernel, addr2line = _kernel_and_addr2line(arch, debug)
    try:
        p = subprocess.run([addr2line, "-f", "-e", str(kernel), *map(hex, addrs)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=30)
        out = p.stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        out = []
    if len(out) != 2 * len(addrs):
        return [hex(a) for a in addrs]
    names = []
    for func, where in zip(out[::2], out[1::2]):
        where = where.split(" (discriminator")[0]
        if where.startswith(str(ROOT) + os.sep):
            where = where[len(str(ROOT)) + 1:]
        where = where.removeprefix("./")     # -fdebug-prefix-map: relative to the tree
        names.append(f"{func} ({where})")
    return names


def verify_reason(out, msg, line=None):
    """msg (a grader's assert message) followed by what the kernel's vm_map_verify
    printed on the console for it, if anything: "vm_map_verify: <why>" lines in out
    (a test program's output).  line is the program's result line in out that msg is
    about (default: msg itself, when the message is that line); only the kernel's
    lines between the result line before it (a line starting with the same word)
    and it are taken.  line="": every such line in out."""
    line = msg if line is None else line
    end = out.find(line) if line else len(out)
    if end < 0:
        end = len(out)
    start = 0
    if line:
        prog = re.escape(line.split()[0]) if line.split() else ""
        for m in re.finditer(rf"^{prog} \S+: .*$", out[:end], re.M):
            start = m.end()
    said = VERIFY_SAID.findall(out, start, end)
    if not said:
        return msg
    return msg + "\n" + "\n".join(f"the kernel's vm_map_verify said: {why}" for why in said)


def boot_for_gdb(boot, scale, debug=False):
    """A machine from the graders' boot fixture, halted, with QEMU listening for
    GDB (the DEBUG=1 kernel if debug).  The port was free when chosen; if another
    program took it meanwhile, QEMU exits, and we try another."""
    for _ in range(3):
        q = boot(gdb=True, debug=debug, prompt=False)
        if q.listening_for_gdb(10.0 * scale):
            return q
    raise AssertionError(f"QEMU never listened for GDB on port {q.gdbport}")


_shared_runs = {}


def shared_run(key, produce):
    """produce()'s result (a value JSON keeps as it is: a string, a list), made once
    per test session, however many tests ask for it: one boot that runs a lab's
    test program, say, whose lines several tests check.  Under xdist the workers
    share it through a file in build/grade-shared/, locked while one of them makes
    it.  If produce raises AssertionError (the harness's Timeout, Exited, Panic),
    every caller gets the same AssertionError, without waiting it out again.  key
    names the run across the whole session: put the grader's name in it."""
    if key not in _shared_runs:
        uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
        if not uid:
            _shared_runs[key] = _produce(produce)
        else:
            d = ROOT / "build" / "grade-shared"
            d.mkdir(parents=True, exist_ok=True)
            for f in d.iterdir():      # earlier sessions' (a day is longer than any)
                try:
                    if time.time() - f.stat().st_mtime > 86400:
                        f.unlink()
                except FileNotFoundError:
                    pass               # another worker's cleanup got there first
            path = d / f"{uid}.{key}.json"
            with open(d / f"{uid}.{key}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if path.exists():
                    _shared_runs[key] = json.loads(path.read_text())
                else:
                    _shared_runs[key] = _produce(produce)
                    path.write_text(json.dumps(_shared_runs[key]))
    kind, value = _shared_runs[key]
    if kind == "error":
        raise AssertionError(value)
    return value


def _produce(produce):
    try:
        return ["ok", produce()]
    except AssertionError as e:
        return ["error", str(e)]


# What init prints when it cannot start the shell (fork or exec is broken): the
# machine will never prompt, so there is no point waiting for it.
INIT_FAILED = re.compile(r"^init: .*(failed|error).*$", re.M)


# The kernel's line about a process it kills (a segmentation fault, a stack overflow).
KILLED = re.compile(r"^pid \d+ \(.*\): .*: killed$", re.M)


def result_section(out, prog, name):
    """The console output of the test name of prog (a program run_test_program runs):
    from the result line of the test before it to its own.  The kernel prints its
    line about a killed child before the child's parent prints the result."""
    start = 0
    for m in re.finditer(rf"^{prog} (\w+): (OK|FAILED.*)$", out, re.M):
        if m[1] == name:
            return out[start:m.start()]
        start = m.end()
    return ""


def passed_section(out, stopped, prog, name):
    """Check that test name of prog passed in out, a run_test_program run (stopped:
    why it stopped early, or None), and return its result_section.  A panic fails
    the tests not finished when it came: each runs in a process of its own, which
    has exited when its line is printed."""
    panic = PANIC.search(out)
    m = re.search(rf"^{prog} {name}: (.*)$", out, re.M)
    assert not (panic and (not m or m.start() > panic.start())), \
        f"the kernel panicked during {prog}, before {name} finished: {panic[0]}"
    assert m, f"{prog} printed no line for {name}" + (f" ({stopped})" if stopped else "")
    assert m[1] == "OK", f"{prog} {name}: {m[1]}"
    return result_section(out, prog, name)


# --until-every-arch-fails (conftest sets it): a test program's first FAILED line
# is enough, since its test loses points; run_test_program waits for no more.
STOP_AT_FAILED = False


def run_test_program(boot, prog, cpus, debug, test_timeout):
    """[console output, why the run stopped early or None] of a test program that
    prints a line per test and then "prog: ALL OK" or "prog: N FAILED" (cowtest,
    stacktest).  Boots, runs prog, and waits for its verdict line as long as each
    test prints its line within test_timeout: a test that hangs costs that much,
    and the tests that finished before it still count.  (Any test's line will do:
    when parent and child fail at once, their lines come out mixed.)  With
    STOP_AT_FAILED, only up to the first test that fails."""
    progress = re.compile(rf"^{prog}(?: \w+: (?P<failed>FAILED)?.*"
                          rf"|: (?P<verdict>ALL OK|\d+ FAILED))$", re.M)
    q = None
    try:
        q = boot(cpus=cpus, prompt=False, debug=debug)
        q.wait_until(lambda buf: "$ " in buf or INIT_FAILED.search(buf), "the first prompt",
                     BOOT_TIMEOUT)
        if m := INIT_FAILED.search(q.output):
            raise AssertionError(f"init could not start the shell: {m[0]}")
        q.wait_booted()
        q.sendline(prog)
        while not (m := q.wait_for(progress, test_timeout, in_command=True))["verdict"]:
            if m["failed"] and STOP_AT_FAILED:
                return [q.output, f"stopped at the first failure: {m[0]}"]
            # a test's line: the next one may take test_timeout again
        q.wait_for_prompt()
        return [q.output, None]
    except AssertionError as e:      # the harness's Timeout, Exited and Panic
        return [q.output if q else "", str(e)]


def free_port():
    """A TCP port that nothing listens on now (the kernel picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    """Is some process listening on TCP port (any address)?"""
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(f).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                return True
    return False


try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None


def _die_with_parent():
    # In the child before exec: if the test process dies (even by SIGKILL, where
    # no teardown runs), the kernel kills QEMU too.
    if _prctl:
        _prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG


_live = set()   # every started, unclosed QEMU, for kill_all()


def kill_all():
    for q in list(_live):
        q.close()


# `make grade GDB=1 TEST=name` (conftest's --gdb): every machine starts halted, with
# QEMU listening for GDB, and says how to attach; timeouts are stretched so far that a
# machine stopped in GDB never times out.
GDB_MODE = False
GDB_TIMEOUT_SCALE = 100000.0


def gdbinit(arch, port, debug=False, kernel=None):
    """The GDB set-up for a machine listening on port: the port's template, which
    `make qemu-gdb` turns into .gdbinit, with the kernel it boots (kernel: that
    file instead)."""
    tmpl = ROOT / "tools" / f"gdbinit.{arch}.tmpl"
    assert tmpl.exists(), f"{tmpl.relative_to(ROOT)} is missing"
    kernel = str(kernel or make_var(arch, "KERNEL", **({"DEBUG": 1} if debug else {})))
    return tmpl.read_text().replace("@GDBPORT@", str(port)).replace("@KERNEL@", kernel)


# `make grade RECORD=1 TEST=name` (conftest's --record): QEMU records every machine's
# run, each into a Recording named after its log, for `make replay`.  Recording
# runs 10 to 20 times slower (lab 1's mmaptest on x86_64, one CPU: 7 s, 11 s
# counting instructions, 133 s recorded): timeouts are stretched to match.
RECORD_MODE = False
RECORD_TIMEOUT_SCALE = 20.0


class Recording:
    """A run recorded by QEMU's record/replay, in build/ARCH/record/NAME/: replay.bin
    (the log of everything nondeterministic: console input, disk completions,
    interrupts' instruction counts), the kernel that ran, fs.img and swap.img as
    they were at the start, x0.qcow2 and x1.qcow2 over them (the disks QEMU
    wrote, which keep the snapshot "init" of the start), and machine.json: the
    machine, and the instruction count where recording stopped (None if the
    machine powered off by itself: the replay ends where the log does)."""

    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.name

    @staticmethod
    def all():
        return [Recording(p.parent) for p in sorted(ROOT.glob("build/*/record/*/machine.json"))]

    @property
    def machine(self):
        return json.loads((self.path / "machine.json").read_text())

    def note(self, **kv):
        (self.path / "machine.json").write_text(json.dumps({**self.machine, **kv}))

    def prepare(self, q):
        """The directory for recording machine q (a QEMU not started), made afresh."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        kernel = make_var(q.arch, "KERNEL", **({"DEBUG": 1} if q.debug else {}))
        shutil.copyfile(ROOT / kernel, self.path / "kernel")
        shutil.copyfile(q.fsimg, self.path / "fs.img")
        disks = [("x0", "fs.img", "raw")]
        if q.swap_bytes:
            make_swap_image(self.path / "swap.img", q.swap_bytes)
            disks.append(("x1", "swap.img", "raw"))
        # The overlays name their images relative to themselves: the directory can move.
        for name, image, fmt in disks:
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", image,
                            "-F", fmt, f"{name}.qcow2"], cwd=self.path, check=True,
                           stdin=subprocess.DEVNULL)
        (self.path / "machine.json").write_text(json.dumps(dict(
            arch=q.arch, debug=q.debug, mem=q.mem, swap=q.swap_bytes, icount=None)))

    def replayer(self, log=None):
        """A QEMU that replays this recording, halted, listening for GDB."""
        m = self.machine
        return QEMU(m["arch"], 1, self.path / "fs.img", log=log, debug=m["debug"],
                    mem=m["mem"], swap=m["swap"], swapimg=self.path / "swap.img",
                    rr="replay", rrdir=self.path)


class QMP:
    """A connection to QEMU's QMP socket sock (a path, or "\\0name": abstract)."""

    def __init__(self, sock, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        self.sock.connect(sock)
        self.f = self.sock.makefile("rw")
        self.f.readline()                      # the greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name):
        """Run command name; its return.  Events ("STOP") are skipped."""
        self.f.write(json.dumps({"execute": name}) + "\n")
        self.f.flush()
        while "return" not in (r := json.loads(self.f.readline() or "{}")):
            if "error" in r or not r:
                raise RuntimeError(f"QMP {name}: {r}")
        return r["return"]

    def close(self):
        self.f.close()
        self.sock.close()


class QEMU:
    def __init__(self, arch, cpus, fsimg, log=None, timeout_scale=1.0, gdb=False,
                 debug=False, mem=None, swap=None, swapimg=None, rr=None, rrdir=None):
        self.log_path = Path(log) if log else None
        # rr: "record" (RECORD_MODE's default, into the Recording named after the
        # log) or "replay" (of rrdir's, halted for GDB).
        self.rr = rr or ("record" if RECORD_MODE and self.log_path else None)
        self.recording = None
        if self.rr:
            self.recording = Recording(rrdir or ROOT / "build" / arch / "record" /
                                       self.log_path.stem)
            cpus = 1
            gdb = gdb or self.rr == "replay"
            if self.rr == "record":
                timeout_scale *= RECORD_TIMEOUT_SCALE
        self.arch, self.cpus, self.fsimg = arch, cpus, str(fsimg)
        self.scale = float(timeout_scale)
        self.gdb, self.debug = gdb or GDB_MODE, debug
        self.gdbport = free_port()
        self.mem = mem or make_default(arch, "MEM")
        # Each machine its own swap disk (QEMU locks a writable image), made fresh
        # by start().  One given by the caller is the caller's to remove; one named
        # here, beside fsimg, goes with close().  Record/replay's are the recording's.
        self.swap_bytes = swap_bytes(arch, None if swap is None else str(swap))
        self.own_swapimg = swapimg is None and not self.rr
        self.swapimg = None
        if self.swap_bytes and not self.rr:
            self.swapimg = str(swapimg or Path(self.fsimg).with_suffix(".swap.img"))
        rrdir = self.recording and self.recording.path
        self.argv = qemu_command(arch, cpus, self.fsimg, self.gdbport, self.gdb, debug,
                                 self.mem, self.swap_bytes, self.swapimg, self.rr, rrdir)
        if self.rr == "record":
            # To ask QEMU, at close(), the instruction count it stops recording at
            # (an abstract socket: a path in the tree may be too long for one).
            self.qmp_socket = f"vmlab-qmp-{os.getpid()}-{self.gdbport}"
            self.argv += ["-qmp", f"unix:{self.qmp_socket},server=on,wait=off,abstract=on"]
        self.proc = None
        self.buf = ""            # all console output so far, \r removed
        self.pos = 0             # wait_for() searches from here
        self.eof = False
        self.cond = threading.Condition()
        self.started = None      # time.monotonic() at start()

    # ---------------------------------------------------------- life cycle

    def start(self):
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self.log = open(self.log_path, "w", encoding="utf-8")
            self.log.write("# " + shlex.join(self.argv) + "\n")
        else:
            self.log = None
        if self.swapimg:
            make_swap_image(self.swapimg, self.swap_bytes)
        if self.rr == "record":
            self.recording.prepare(self)
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True, preexec_fn=_die_with_parent)
        _live.add(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if GDB_MODE:
            self.announce_gdb()
        return self

    def listening_for_gdb(self, timeout=10.0):
        """Wait until QEMU (started with gdb) listens on its GDB port: True; False if
        QEMU exited first (another program took the port) or timeout seconds passed."""
        deadline = time.monotonic() + timeout
        while not listening(self.gdbport):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def announce_gdb(self):
        """GDB mode: write this machine's GDB set-up (and a breakpoint on panic) next
        to its log, and once QEMU listens, say on the terminal how to attach."""
        init = Path(self.log_path or self.fsimg).with_suffix(".gdbinit")
        init.write_text(gdbinit(self.arch, self.gdbport, self.debug) + "break panic\n")
        self.listening_for_gdb()
        print(f"\ngrade: QEMU ({self.arch}, CPUS={self.cpus}"
              f"{', the DEBUG=1 kernel' if self.debug else ''}) waits for GDB on port "
              f"{self.gdbport}.\ngrade: in another terminal, in this directory:\n\n"
              f"    gdb-multiarch -nx -x {init.relative_to(ROOT)}\n\n"
              f"grade: it connects and sets a breakpoint on panic; `continue` there, and "
              f"the test runs (no timeouts).\n", file=sys.stderr, flush=True)

    def _read(self):
        fd = self.proc.stdout.fileno()
        dec = codecs.getincrementaldecoder("utf-8")("replace")
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b""
            text = dec.decode(data, final=not data).replace("\r", "")
            with self.cond:
                self.buf += text
                if self.log:
                    self.log.write(text)
                    self.log.flush()
                if not data:
                    self.eof = True
                self.cond.notify_all()
            if not data:
                return

    def close(self):
        """Kill QEMU's process group (if it still runs) and finish the log.  A
        recording machine stops first, and its instruction count is noted."""
        if self.proc is None:
            return
        if self.rr == "record" and self.proc.poll() is None:
            try:
                self.stop_recording()
            except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired):
                pass        # not noted: the replay then ends where the log does
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.reader.join(5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        if self.log:
            self.log.close()
            self.log = None
        if self.swapimg and self.own_swapimg:
            Path(self.swapimg).unlink(missing_ok=True)
        _live.discard(self)

    def stop_recording(self):
        """Note the instruction count the machine is at, then quit QEMU.  QEMU's
        exit is in the log too, and a replay stopped at the very instruction of
        it may exit instead: the machine runs on until the count has moved (a
        timer interrupt, if it idles), up to a second, before it quits."""
        m = QMP("\0" + self.qmp_socket)
        try:
            m.cmd("stop")
            icount = m.cmd("query-replay")["icount"]
            self.recording.note(icount=icount)
            m.cmd("cont")
            deadline = time.monotonic() + 1.0
            while m.cmd("query-replay")["icount"] == icount and time.monotonic() < deadline:
                time.sleep(0.01)
            m.cmd("quit")
        finally:
            m.close()
        self.proc.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # ---------------------------------------------------------- the console

    def wait_until(self, check, what, timeout=CMD_TIMEOUT):
        """Wait until check(output) returns something true, and return that."""
        deadline = time.monotonic() + timeout * self.scale
        with self.cond:
            while True:
                r = check(self.buf)
                if r:
                    return r
                if PANIC.search(self.buf):
                    raise Panic(f"the kernel panicked while waiting for {what}:\n"
                                f"{self.panic_report()}")
                if self.eof:
                    raise Exited(f"QEMU exited (status {self.status()}) while waiting "
                                 f"for {what}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Timeout(f"no {what} within {timeout * self.scale:g} s")
                self.cond.wait(left)

    def panic_report(self):
        """The panic line and the backtrace under it, symbolized; "" if the kernel
        has not panicked.  Waits (a moment) for the backtrace to come out whole."""
        with self.cond:
            p = PANIC.search(self.buf)
            if not p:
                return ""
            deadline = time.monotonic() + BACKTRACE_WAIT * self.scale
            while not BACKTRACE.search(self.buf, p.end()) and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            bt = BACKTRACE.search(self.buf, p.end())
        lines = [p.group(0).rstrip("\n")]
        # A trap's panic names the faulting pc: that exact address.
        pcs = [int(a, 16) for a in re.findall(r"\bpc (0x[0-9a-f]+)", lines[0])]
        # Return addresses: the call is the instruction before.
        ras = [int(a, 16) - 1 for a in RETURN_ADDRESS.findall(bt[1])] if bt else []
        names = symbolize(self.arch, pcs + ras, self.debug) if pcs + ras else []
        lines += [f"  at pc: {n}" for n in names[:len(pcs)]]
        lines += [f"  {n}" for n in names[len(pcs):]]
        if not bt:
            lines.append("  (no backtrace)")
        return "\n".join(lines)

    def wait_for(self, pattern, timeout=CMD_TIMEOUT, in_command=False):
        """Wait until pattern (a regex; ^ and $ match at lines) shows up in the
        output after the previous match; return the match and move past it.
        in_command: pattern is the output of the command running in the
        foreground, so a shell prompt before it raises Ended at once."""
        rx = re.compile(pattern, re.M) if isinstance(pattern, str) else pattern

        def found(buf):
            m = rx.search(buf, self.pos)
            p = PROMPT.search(buf, self.pos) if in_command else None
            if p and (not m or p.start() < m.start()):
                raise Ended(f"the command ended without {rx.pattern!r}; its last "
                            f"lines:\n{self._lines_before(p.start())}")
            return m
        m = self.wait_until(found, repr(rx.pattern), timeout)
        self.pos = m.end()
        return m

    def _lines_before(self, end, n=5):
        return "\n".join(self.buf[self.pos:end].splitlines()[-n:])

    def harts(self, buf=None):
        """The CPUs that said "hart N starting", as a sorted list of N."""
        buf = self.output if buf is None else buf
        # A CPU's line can come late, in the middle of the shell's "$ ".  Or the
        # "$ " can land inside it: each console write goes out byte by byte.
        found = HART_UP.findall(buf) + HART_UP.findall(buf.replace("$ ", ""))
        return sorted(set(int(n) for n in found))

    def wait_booted(self, timeout=BOOT_TIMEOUT):
        """Wait for the shell's first prompt and for every other CPU's "hart N
        starting" line (which would mix into a command's output if it came late)."""
        def booted(buf):
            prompt = "$ " in buf or "$ " in HART_UP.sub("", buf)
            return prompt and len(self.harts(buf)) >= self.cpus - 1
        self.wait_until(booted, f"the first prompt and {self.cpus - 1} 'hart N starting'",
                        timeout)
        self.pos = len(self.buf)

    def wait_all(self, *patterns, timeout=CMD_TIMEOUT):
        """Wait for every pattern, in any order, each searched from the current
        position; then move past the last of them.  Returns the matches."""
        start, end, found = self.pos, self.pos, []
        for p in patterns:
            self.pos = start
            found.append(self.wait_for(p, timeout))
            end = max(end, self.pos)
        self.pos = end
        return found

    def wait_for_prompt(self, timeout=BOOT_TIMEOUT):
        return self.wait_for(PROMPT, timeout)

    def sendline(self, line):
        """Type line and Enter at the console (QEMU's UART takes it at its pace)."""
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise Exited(f"QEMU exited (status {self.status()}) before {line!r} was typed")

    def run(self, cmd, expect=None, timeout=CMD_TIMEOUT):
        """Type cmd at the shell prompt, wait for its echo, then for expect (a
        regex) if given, then for the next prompt.  Returns what was printed
        between the echo and that prompt: the command's output (plus whatever a
        background job printed meanwhile)."""
        self.sendline(cmd)
        self.wait_for(re.escape(cmd) + r"\n", timeout)   # the console's echo
        start = self.pos
        if expect is not None:
            self.wait_for(expect, timeout)
        # Not only at the start of a line: output without a final newline runs
        # into the prompt.  (So a command must not print "$ " itself.)
        m = self.wait_for(r"\$ ", timeout)
        return self.buf[start:m.start()]

    def run_until(self, cmd, expect, timeout=CMD_TIMEOUT):
        """run(cmd) again and again until it prints exactly expect (say, until a
        background job has written its file); return the number of runs."""
        deadline = time.monotonic() + timeout * self.scale
        runs = 0
        while True:
            runs += 1
            out = self.run(cmd, timeout=timeout)
            if out == expect:
                return runs
            if time.monotonic() > deadline:
                raise Timeout(f"{cmd!r} still prints {out!r}, not {expect!r}, "
                              f"after {timeout * self.scale:g} s")

    def lines(self, cmd, timeout=CMD_TIMEOUT):
        """run(cmd) and return its output as a list of lines."""
        return self.run(cmd, timeout=timeout).splitlines()

    def halt(self, cmd="halt", timeout=CMD_TIMEOUT):
        """Type `halt` (or cmd) and wait for QEMU to exit by itself (the machine
        powers off); return QEMU's exit status."""
        self.sendline(cmd)
        try:
            status = self.proc.wait(timeout * self.scale)
        except subprocess.TimeoutExpired:
            self.close()
            raise Timeout(f"QEMU still runs {timeout * self.scale:g} s after halt")
        self.reader.join(5)
        return status

    def status(self):
        """QEMU's exit status, or None while it runs."""
        try:
            return self.proc.wait(2)
        except subprocess.TimeoutExpired:
            return None

    def elapsed(self):
        """Seconds since start()."""
        return time.monotonic() - self.started

    @property
    def output(self):
        with self.cond:
            return self.buf

    def tail(self, n=40):
        return "\n".join(self.output.splitlines()[-n:])

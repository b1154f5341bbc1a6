# Commands for the debugging session itself: uprog (a user program's symbols) and
# pfinish (finish, for a process that may move between CPUs).
import os

import gdb

from .machine import *   # noqa: F401,F403  (the machine's structures, read)


class UprogCommand(gdb.Command):
    """uprog NAME: load the user program NAME's symbols (build/ARCH/user/_NAME).
Then `break NAME.c:main` stops in it, in whichever process runs it (plain `main`
is the kernel's too).  The previous uprog's symbols are dropped: every program is
linked at the same address."""

    loaded = None

    def __init__(self):
        super().__init__("uprog", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name:
            raise gdb.GdbError("usage: uprog NAME (a program in user/, e.g. cowtest)")
        kernel = gdb.objfiles()[0].filename
        build = os.path.dirname(kernel)
        build = build[:-len("-debug")] if build.endswith("-debug") else build
        path = os.path.join(build, "user", "_" + name)
        if not os.path.exists(path):
            raise gdb.GdbError(f"no {path}: is {name} a user program, and built?")
        if UprogCommand.loaded:
            gdb.execute(f"remove-symbol-file {UprogCommand.loaded}", to_string=True)
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        UprogCommand.loaded = path
        print(f"uprog: {name}'s symbols from {os.path.relpath(path)}")


# ---------------------------------------------------------------- pfinish

class ReturnBreakpoint(gdb.Breakpoint):
    """A breakpoint at a return address that stops only in one process."""

    def __init__(self, pc, proc):
        super().__init__(f"*{hx(pc)}", internal=True)
        self.proc = proc
        self.hit = False

    def stop(self):
        if addr(current_proc()) != self.proc:
            return False
        self.hit = True
        return True


class PfinishCommand(gdb.Command):
    """pfinish: finish, for this process, on whichever CPU it returns.
GDB's finish waits for the return on the CPU it started on; but a timer interrupt
may move a process to another CPU in the middle of a system call (GDB's threads
are the CPUs), and then finish never ends.  pfinish stops at the return address
in the process that the selected CPU runs, on any CPU, and prints the value
returned.  (A breakpoint where the function stopped may report a hit there again,
in the same call, when an interrupt comes while GDB steps over it: pfinish goes on
past such hits.)"""

    def __init__(self):
        super().__init__("pfinish", gdb.COMMAND_USER)

    @staticmethod
    def same_call(start):
        """Whether the machine stopped where pfinish started, in the same call: the
        same pc, return address and process."""
        frame = gdb.selected_frame()
        caller = frame.older()
        return (frame.pc(), caller.pc() if caller else 0, addr(current_proc())) == start

    def invoke(self, arg, from_tty):
        frame = gdb.selected_frame()
        caller = frame.older()
        p = current_proc()
        if caller is None or addr(p) == 0:
            raise gdb.GdbError("pfinish: no caller to return to, or no process on this CPU")
        func = frame.function()
        print(f"Run till exit from {func.name if func else hx(frame.pc())}")
        bp = ReturnBreakpoint(caller.pc(), addr(p))
        start = (frame.pc(), caller.pc(), addr(p))
        try:
            for _ in range(10):
                gdb.execute("continue")
                if bp.hit or not self.same_call(start):
                    break
        finally:
            bp.delete()
        if not bp.hit:
            print("pfinish: stopped elsewhere before the return")
            return
        rettype = func.type.target() if func else None
        if rettype is not None and rettype.code != gdb.TYPE_CODE_VOID:
            reg = "$a0" if port() == "riscv64" else "$rax"
            value = gdb.parse_and_eval(reg).cast(rettype)
            print(f"Value returned is ${gdb.add_history(value)} = {value.format_string()}")


UprogCommand()
PfinishCommand()

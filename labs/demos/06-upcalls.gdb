# Lab 6 (upcalls), a tour in GDB: an upcall enters a function on the way back to
# user mode, and NEXT brings the interrupted registers back.  For the lecturer:
# `make qemu-gdb` in one window; in another, in the top directory,
#   gdb-multiarch -nx -x .gdbinit -x labs/demos/06-upcalls.gdb
# and when it says so, type the command below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the command itself.)
#
# type: upctest self

echo \n=== Lab 6 (upcalls): a process runs a function on its way back to user mode ===\n
echo In the QEMU window, at the $ prompt, type:  upctest self\n
echo It registers an upcall, then dispatches it to itself.\n
set print frame-arguments presence
break postupcall if $_streq($curproc()->name, "upctest")
continue
delete

echo \n--- upc_control(DISPATCH) left the upcall pending; on the way back to user mode,\n
echo --- userret calls postupcall.  The registration, and the process as it stands\n
echo --- (if its struct upcall is "not mapped", nothing has touched that page yet:\n
echo --- postupcall's copyin will fault it in):\n
upcalls
pfinish
echo \n--- After postupcall: nothing pending, upc_pending is 1, and the process returns\n
echo --- to the context function (ctx), on a stack just below the frame that holds\n
echo --- the registers it had (md_upcall_enter wrote it).\n
upcalls

break md_upcall_restore if $_streq($curproc()->name, "upctest")
continue
delete
echo \n--- The upcall ran; the context function called upc_control(NEXT, -1, frame),\n
echo --- and no other upcall is pending: NEXT loads the frame back.\n
break userret if $_streq($curproc()->name, "upctest")
continue
delete
echo \n--- On the way out of NEXT: the pc and stack pointer are the ones from before the\n
echo --- upcall, upc_pending is 0: DISPATCH returns as if nothing had happened.\n
upcalls
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

# Lab 7 (resident), a tour in GDB: a program registers a snapshot of itself, and
# the next exec of its file starts from a copy of it.  For the lecturer:
# `make qemu-gdb` in one window; in another, in the top directory,
#   gdb-multiarch -nx -x .gdbinit -x labs/demos/07-resident.gdb
# and when it says so, type the commands below at the shell in the QEMU window.
# (grade/test_gdb.py runs this file in batch and types the commands itself.)
#
# type: primes -r 7
# type: primes 97

echo \n=== Lab 7 (resident): exec from a snapshot ===\n
echo In the QEMU window, at the $ prompt, type:  primes -r 7   and then   primes 97\n
echo The first builds a 4 MiB table of primes, then makes itself resident.\n
set print frame-arguments presence
break sys_exec_sys_register
continue
delete

echo \n--- primes has built its table and calls exec_sys_register.  Nothing is\n
echo --- resident yet:\n
resident
pfinish
echo \n--- The registration: id 1, the path primes was exec'd by, no exec yet, one\n
echo --- reference (the list's).  Its snapshot is a vmspace_fork of primes: the same\n
echo --- entries, copy-on-write, the 4 MiB table among them, and no process runs in it.\n
resident -v

break resident_exec
continue
delete
echo \n--- primes 97: kexec found the file resident.  resident_lookup counted the exec\n
echo --- and took a second reference, so that the registration outlives a drop that\n
echo --- comes now, while this exec copies the snapshot:\n
resident
pfinish
echo \n--- resident_exec forked the snapshot for this exec (the new image) and gave its\n
echo --- reference back.  The table is in the new image without a page copied: each\n
echo --- write of this run copies a page for this run only.\n
resident
echo \n=== End of the tour: `continue` lets the machine run on. ===\n

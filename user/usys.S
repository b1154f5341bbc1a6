// System call stubs: one SYSCALL(name) per call.  The macro is the port's
// (<machine/usyscall.h>); every stub ends in __syscall_ret (ulib.c), which turns the
// kernel's -errno into errno and -1.
#include <sys/syscall.h>
#include <machine/usyscall.h>

SYSCALL(fork)
SYSCALL(exit)
SYSCALL(wait)
SYSCALL(pipe)
SYSCALL(read)
SYSCALL(write)
SYSCALL(close)
SYSCALL(kill)
SYSCALL(exec)
SYSCALL(open)
SYSCALL(mknod)
SYSCALL(unlink)
SYSCALL(fstat)
SYSCALL(link)
SYSCALL(mkdir)
SYSCALL(chdir)
SYSCALL(dup)
SYSCALL(getpid)
SYSCALL(sbrk)
SYSCALL(sleep)
SYSCALL(uptime)
SYSCALL(halt)
SYSCALL(freemem)
SYSCALL(mmap)
SYSCALL(munmap)
SYSCALL(mprotect)
SYSCALL(minherit)
SYSCALL(madvise)
SYSCALL(msync)
SYSCALL(mincore)
SYSCALL(vmmap)
SYSCALL(vmstat)
SYSCALL(vmverify)
SYSCALL(procinfo)
SYSCALL(vmbench)
SYSCALL(getrlimit)
SYSCALL(setrlimit)
SYSCALL(mlock)
SYSCALL(munlock)
SYSCALL(mlockall)
SYSCALL(munlockall)
SYSCALL(rfork)
SYSCALL(upc_register)
SYSCALL(upc_control)
RFORK_THREAD

// No executable stack wanted (the linker asks each object to say so).
.section .note.GNU-stack,"",@progbits

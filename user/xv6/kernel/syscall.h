// xv6 programs say #include "kernel/syscall.h"; ours is <sys/syscall.h>, which
// keeps xv6's numbers for its 21 calls.
#include <sys/syscall.h>

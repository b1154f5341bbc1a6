// xv6 programs say #include "kernel/fcntl.h"; ours lives in <sys/fcntl.h>.
#include <sys/fcntl.h>

// xv6 programs say #include "kernel/stat.h"; ours lives in <sys/stat.h>.
#include <sys/types.h>
#include <sys/stat.h>

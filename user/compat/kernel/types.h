// xv6 programs say #include "kernel/types.h"; ours lives in <sys/types.h>.
#include <sys/types.h>

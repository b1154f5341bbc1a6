// xv6 programs say #include "kernel/param.h"; ours lives in kernel/kern/param.h.
#include "../../../kernel/kern/param.h"

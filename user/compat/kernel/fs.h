// xv6 programs say #include "kernel/fs.h" (for DIRSIZ and struct dirent);
// ours lives in kernel/fs/fs.h.
#include "../../../kernel/fs/fs.h"

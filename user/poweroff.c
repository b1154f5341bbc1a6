// poweroff [code]: another name for halt.
#include "user/user.h"

int
main(int argc, char *argv[])
{
  halt(argc > 1 ? atoi(argv[1]) : 0);
  fprintf(2, "poweroff: failed\n");
  exit(1);
}

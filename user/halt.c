// halt [code]: power the machine off; QEMU exits with the code (0 by default).
#include "user/user.h"

int
main(int argc, char *argv[])
{
  halt(argc > 1 ? atoi(argv[1]) : 0);
  fprintf(2, "halt: failed\n");
  exit(1);
}

// xv6 loads a program whole at exec; vmlab maps its pages on their first touch.
// xv6's usertests counts the free pages before its tests and after, in one process,
// and would count the pages of its own that it first touches in between (the code
// that runs the tests, a deeper stack) as lost. So xv6's programs are linked with
// this in front of their main (ld --wrap=main): it touches their pages first, as
// xv6's exec would have loaded them, and as vmlab's own tests do (warmup()).
#include "user/user.h"

int __real_main(int argc, char *argv[]);

int
__wrap_main(int argc, char *argv[])
{
  warmup();
  return __real_main(argc, argv);
}

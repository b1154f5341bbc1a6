// init: the first user program.  Sets up the console as fds 0, 1 and 2, then runs
// the shell, starting a new one whenever it exits, and reaps orphans meanwhile.

#include <sys/fcntl.h>
#include "user/user.h"

#define CONSOLE 1   // the console's device major number

char *argv[] = { "sh", 0 };

int
main(void)
{
  int pid, wpid;

  if(open("console", O_RDWR) < 0){
    mknod("console", CONSOLE, 0);
    if(open("console", O_RDWR) < 0)
      exit(1);   // nowhere to complain to
  }
  dup(0);  // stdout
  dup(0);  // stderr

  printf("init: starting sh\n");
  for(;;){
    pid = fork();
    if(pid < 0){
      printf("init: fork failed\n");
      exit(1);
    }
    if(pid == 0){
      exec("sh", argv);
      printf("init: exec sh failed\n");
      exit(1);
    }
    // Orphans are re-parented to init; reap them until the shell itself exits.
    while((wpid = wait(0)) != pid){
      if(wpid < 0){
        printf("init: wait returned an error\n");
        exit(1);
      }
    }
  }
}

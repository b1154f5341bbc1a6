#include "user/user.h"

int
main(int argc, char **argv)
{
  int i, status = 0;

  if(argc < 2){
    fprintf(2, "usage: kill pid...\n");
    exit(1);
  }
  for(i = 1; i < argc; i++){
    if(kill(atoi(argv[i])) < 0){
      fprintf(2, "kill: %s: no such process\n", argv[i]);
      status = 1;
    }
  }
  exit(status);
}

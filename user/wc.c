#include <sys/fcntl.h>
#include "user/user.h"

char buf[512];

// Count lines, words and characters in fd and print them with name.
static void
wc(int fd, char *name)
{
  int i, n, l = 0, w = 0, c = 0, inword = 0;

  while((n = read(fd, buf, sizeof(buf))) > 0){
    for(i = 0; i < n; i++){
      c++;
      if(buf[i] == '\n')
        l++;
      if(strchr(" \r\t\n\v", buf[i]))
        inword = 0;
      else if(!inword){
        w++;
        inword = 1;
      }
    }
  }
  if(n < 0){
    fprintf(2, "wc: read error\n");
    exit(1);
  }
  printf("%d %d %d %s\n", l, w, c, name);
}

int
main(int argc, char *argv[])
{
  int fd, i;

  if(argc <= 1){
    wc(0, "");
    exit(0);
  }
  for(i = 1; i < argc; i++){
    if((fd = open(argv[i], O_RDONLY)) < 0){
      fprintf(2, "wc: cannot open %s\n", argv[i]);
      exit(1);
    }
    wc(fd, argv[i]);
    close(fd);
  }
  exit(0);
}

// ls [path...]: list a directory's entries, or describe a file, with
// name, type, inode number and size.

#include <sys/fcntl.h>
#include "user/user.h"
#include "kernel/fs.h"

// The last component of path, padded with blanks to DIRSIZ for aligned columns.
static char*
fmtname(char *path)
{
  static char buf[DIRSIZ+1];
  char *p;
  int n;

  for(p = path+strlen(path); p >= path && *p != '/'; p--)
    ;
  p++;
  n = strlen(p);
  if(n >= DIRSIZ)
    return p;
  memmove(buf, p, n);
  memset(buf+n, ' ', DIRSIZ-n);
  buf[DIRSIZ] = '\0';
  return buf;
}

static void
ls(char *path)
{
  char buf[MAXPATH+DIRSIZ+2], *p;
  int fd;
  struct dirent de;
  struct stat st;

  if((fd = open(path, O_RDONLY)) < 0){
    fprintf(2, "ls: cannot open %s\n", path);
    return;
  }
  if(fstat(fd, &st) < 0){
    fprintf(2, "ls: cannot stat %s\n", path);
    close(fd);
    return;
  }
  if(st.type != T_DIR){
    printf("%s %d %d %ld\n", fmtname(path), st.type, st.ino, (long)st.size);
    close(fd);
    return;
  }
  if(strlen(path) + 1 + DIRSIZ + 1 > sizeof(buf)){
    fprintf(2, "ls: path too long\n");
    close(fd);
    return;
  }
  strcpy(buf, path);
  p = buf+strlen(buf);
  *p++ = '/';
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0)
      continue;
    memmove(p, de.name, DIRSIZ);
    p[DIRSIZ] = '\0';
    if(stat(buf, &st) < 0){
      fprintf(2, "ls: cannot stat %s\n", buf);
      continue;
    }
    printf("%s %d %d %ld\n", fmtname(buf), st.type, st.ino, (long)st.size);
  }
  close(fd);
}

int
main(int argc, char *argv[])
{
  int i;

  if(argc < 2){
    ls(".");
    exit(0);
  }
  for(i = 1; i < argc; i++)
    ls(argv[i]);
  exit(0);
}

// usertests: the kernel's regression suite, in the spirit of xv6's.
//
//   usertests            run every test
//   usertests -q         skip the slow ones
//   usertests NAME...    run only the named tests
//
// Each test runs in a child process and passes if the child exits with status 0;
// a failing check prints what it expected and what came, and exits 1.  Before the
// first test and after the last the free page count must be the same: everything a
// test allocated has to come back.

#include <sys/fcntl.h>
#include <machine/vmparam.h>
#include "user/user.h"
#include "user/memsnap.h"
#include "kernel/fs.h"

#define PGROUNDUP(a)  (((uint64)(a) + PAGE_SIZE - 1) & ~(uint64)(PAGE_SIZE - 1))
#define NELEM(x)      (sizeof(x) / sizeof((x)[0]))

static char buf[8192];

// ---------------------------------------------------------------- checking

static void
expect(char *what, long got, long want)
{
  if(got == want)
    return;
  printf("  %s: expected %ld, got %ld (errno %d)\n", what, want, got, errno);
  exit(1);
}

// r must be a failure (-1) with errno err.
static void
experr(char *what, long r, int err)
{
  if(r == -1 && errno == err)
    return;
  if(r == -1)
    printf("  %s: expected -1 with errno %d, got -1 with errno %d\n", what, err, errno);
  else
    printf("  %s: expected -1 with errno %d, got %ld\n", what, err, r);
  exit(1);
}

// The same, for a call made with a bad address.
static void
experra(char *what, uint64 addr, long r, int err)
{
  if(r == -1 && errno == err)
    return;
  printf("  %s(%p): expected -1 with errno %d, got %ld (errno %d)\n",
         what, (void*)addr, err, r, r == -1 ? errno : 0);
  exit(1);
}

static void
check(char *what, int ok)
{
  if(ok)
    return;
  printf("  %s: check failed (errno %d)\n", what, errno);
  exit(1);
}

static int
fork1(void)
{
  int pid = fork();

  if(pid < 0){
    printf("  fork failed (errno %d)\n", errno);
    exit(1);
  }
  return pid;
}

// Wait for child pid and return its exit status.
static int
waitfor(int pid)
{
  int st = 0, r;

  if((r = wait(&st)) != pid){
    printf("  wait: expected pid %d, got %d (errno %d)\n", pid, r, errno);
    exit(1);
  }
  return st;
}

// Run fn in a child and return the child's exit status.
static int
inchild(void (*fn)(void))
{
  int pid = fork1();

  if(pid == 0){
    fn();
    exit(0);
  }
  return waitfor(pid);
}

// Run fn in a child that must be killed (exit status -1).
static void
expkilled(char *what, void (*fn)(void))
{
  int st = inchild(fn);

  if(st != -1){
    printf("  %s: expected the child to be killed (status -1), got status %d\n", what, st);
    exit(1);
  }
}

static int
creat(char *name)
{
  int fd = open(name, O_CREATE|O_RDWR|O_TRUNC);

  if(fd < 0){
    printf("  create %s failed (errno %d)\n", name, errno);
    exit(1);
  }
  return fd;
}

// Create name holding n bytes of buf.
static void
mkfile(char *name, int n)
{
  int fd = creat(name);

  expect("write", write(fd, buf, n), n);
  close(fd);
}

// The k-th byte of a test stream, and a checksum that notices order.
static uchar
streambyte(uint k, int seed)
{
  return (uchar)(seed + k*7 + (k >> 11));
}

static uint
cksum(uint sum, uchar c)
{
  return sum*31 + c;
}

// Fill p with n bytes of stream seed.
static void
fill(char *p, int n, int seed)
{
  int i;

  for(i = 0; i < n; i++)
    p[i] = streambyte(i, seed);
}

// Fill p with the n bytes of stream seed that start at offset off.
static void
fillat(char *p, int n, uint off, int seed)
{
  int i;

  for(i = 0; i < n; i++)
    p[i] = streambyte(off + i, seed);
}

// Move the break to a page boundary, so that what sbrk returns next starts a page.
static char*
alignbrk(void)
{
  char *a = sbrk(0);

  sbrk(PGROUNDUP(a) - (uint64)a);
  return sbrk(0);
}

// ---------------------------------------------------------------- bad addresses

// Addresses no system call may read or write.  The one just above the break is
// added at run time (badaddr_init).
static uint64 badaddrs[] = {
  0,                        // null: page 0 is never mapped
  0x1000,                   // below the text
  VM_USER_TEXT - 1,
  0x80000000,               // RISC-V's kernel base: unmapped in a user space
  VM_MAXUSER_ADDRESS,       // the first address above user space
  DMAP_BASE + 0x80000000UL, // the direct map, for the kernel only (RISC-V: its image)
  0x8000000000000000UL,     // non-canonical on x86-64
  0xffffffff80000000UL,     // x86-64's kernel base
  0xffffffffffffff00UL,     // where a length wraps around
  0xffffffffffffffffUL,
  0,                        // replaced by the address just above the break
};

static void
badaddr_init(void)
{
  badaddrs[NELEM(badaddrs)-1] = PGROUNDUP(sbrk(0)) + PAGE_SIZE;
}

static void
badwrite(void)
{
  int fd, i, p[2];
  uint64 a;
  struct stat st;

  badaddr_init();
  unlink("bw");
  fd = creat("bw");
  check("pipe", pipe(p) == 0);
  for(i = 0; i < NELEM(badaddrs); i++){
    a = badaddrs[i];
    experra("write file", a, write(fd, (void*)a, 10), EFAULT);
    experra("write file 1 byte", a, write(fd, (void*)a, 1), EFAULT);
    experra("write pipe", a, write(p[1], (void*)a, 10), EFAULT);
  }
  check("fstat", fstat(fd, &st) == 0);
  expect("size after bad writes", st.size, 0);
  close(fd);
  close(p[0]);
  close(p[1]);
  unlink("bw");
}

static void
badread(void)
{
  int fd, i, p[2];
  uint64 a;

  badaddr_init();
  unlink("br");
  mkfile("br", 100);
  fd = open("br", O_RDONLY);
  check("open br", fd >= 0);
  check("pipe", pipe(p) == 0);
  for(i = 0; i < NELEM(badaddrs); i++){
    a = badaddrs[i];
    experra("read file", a, read(fd, (void*)a, 10), EFAULT);
    expect("write pipe", write(p[1], "x", 1), 1);
    experra("read pipe", a, read(p[0], (void*)a, 1), EFAULT);
  }
  close(fd);
  close(p[0]);
  close(p[1]);
  unlink("br");
}

// Reading into the program's own text must fail: it is mapped, but read-only.
static void
readtext(void)
{
  int fd, pid;
  uint64 text = (uint64)readtext;

  mkfile("rt", 64);
  fd = open("rt", O_RDONLY);
  experr("read into text", read(fd, (void*)text, 64), EFAULT);
  close(fd);
  experr("pipe into text", pipe((int*)text), EFAULT);
  experr("fstat into text", fstat(0, (struct stat*)text), EFAULT);
  unlink("rt");
  pid = fork1();
  if(pid == 0)
    exit(0);
  experr("wait into text", wait((int*)text), EFAULT);
  wait(0);
}

// Each call that takes a path, given a bad one.
static void
badpath(void)
{
  int i;
  uint64 a;
  char *argv[] = { "echo", 0 };

  badaddr_init();
  for(i = 0; i < NELEM(badaddrs); i++){
    a = badaddrs[i];
    experra("open", a, open((char*)a, O_RDONLY), EFAULT);
    experra("open O_CREATE", a, open((char*)a, O_CREATE|O_RDWR), EFAULT);
    experra("mkdir", a, mkdir((char*)a), EFAULT);
    experra("chdir", a, chdir((char*)a), EFAULT);
    experra("unlink", a, unlink((char*)a), EFAULT);
    experra("mknod", a, mknod((char*)a, 1, 0), EFAULT);
    experra("link old", a, link((char*)a, "bp"), EFAULT);
    experra("link new", a, link("echo", (char*)a), EFAULT);
    experra("exec", a, exec((char*)a, argv), EFAULT);
  }
}

static void
badfstat(void)
{
  int i;
  uint64 a;

  badaddr_init();
  for(i = 0; i < NELEM(badaddrs); i++){
    a = badaddrs[i];
    experra("fstat", a, fstat(0, (struct stat*)a), EFAULT);
  }
}

// A failed pipe() must not leave descriptors behind.
static void
badpipe(void)
{
  int i, fd;
  uint64 a;

  badaddr_init();
  for(i = 0; i < NELEM(badaddrs); i++){
    a = badaddrs[i];
    experra("pipe", a, pipe((int*)a), EFAULT);
  }
  fd = dup(0);
  expect("lowest free fd after failed pipes", fd, 3);
  close(fd);
}

// wait() with a bad status pointer fails; the child can still be reaped.
static void
badwait(void)
{
  int i, pid, r;
  uint64 a;

  badaddr_init();
  for(i = 0; i < NELEM(badaddrs); i++){
    if((a = badaddrs[i]) == 0)   // wait(0) means "no status wanted"
      continue;
    pid = fork1();
    if(pid == 0)
      exit(0);
    experra("wait", a, wait((int*)a), EFAULT);
    // Whether the failed wait reaped the child is not specified; no child may remain.
    r = wait(0);
    check("wait after EFAULT reaps the child or finds none",
          r == pid || (r == -1 && errno == ECHILD));
  }
  experr("wait with no children", wait(0), ECHILD);
}

// Run exec in a child, which must come back from it with errno err.  A child that
// exec'd by mistake would run another program and exit with some other status.
static void
expexecerr(char *what, char *path, char **argv, int err)
{
  int pid, r;

  pid = fork1();
  if(pid == 0){
    r = exec(path, argv);
    if(r == -1 && errno == err)
      exit(42);
    printf("  %s: expected -1 with errno %d, got %d (errno %d)\n", what, err, r, errno);
    exit(1);
  }
  if(waitfor(pid) != 42)
    exit(1);
}

static void
badexec(void)
{
  int i, fd;
  char *args[MAXARG+2];
  char *badarg[] = { "echo", (char*)0xffffffffffffffffUL, 0 };
  char *nullarg[] = { "echo", (char*)0x10, 0 };
  char *okargs[] = { "echo", "x", 0 };

  expexecerr("exec of a missing file", "nonexistent", okargs, ENOENT);
  expexecerr("exec with argv = 0", "echo", 0, EFAULT);
  expexecerr("exec with argv in kernel space", "echo", (char**)0xffffffffffff0000UL, EFAULT);
  expexecerr("exec with argv above the break", "echo", (char**)(PGROUNDUP(sbrk(0)) + PAGE_SIZE), EFAULT);
  expexecerr("exec with a bad argv[1]", "echo", badarg, EFAULT);
  expexecerr("exec with argv[1] in page 0", "echo", nullarg, EFAULT);
  for(i = 0; i < MAXARG+1; i++)
    args[i] = "x";
  args[MAXARG+1] = 0;
  expexecerr("exec with MAXARG+1 arguments", "echo", args, E2BIG);
  // Fewer, but longer than ARG_MAX bytes in all (xv6's bigargtest).
  memset(buf, 'x', 300);
  buf[300] = 0;
  for(i = 0; i <= ARG_MAX/300; i++)
    args[i] = buf;
  args[i] = 0;
  expexecerr("exec with arguments over ARG_MAX bytes", "echo", args, E2BIG);

  // A file that is not an executable.
  unlink("notelf");
  fd = creat("notelf");
  write(fd, "#!/bin/sh\necho hi\n", 18);
  close(fd);
  expexecerr("exec of a text file", "notelf", okargs, ENOEXEC);
  unlink("notelf");
  // ELF's magic number, then garbage: header fields and program headers that
  // point anywhere.
  fd = creat("notelf");
  memset(buf, 0xa5, 512);
  memmove(buf, "\x7f" "ELF", 4);
  write(fd, buf, 512);
  close(fd);
  expexecerr("exec of ELF's magic and garbage", "notelf", okargs, ENOEXEC);
  unlink("notelf");
  // echo's headers without the rest of it: its segments lie beyond the end.
  fd = open("echo", O_RDONLY);
  check("open echo", fd >= 0);
  check("read echo's headers", read(fd, buf, 1024) == 1024);
  close(fd);
  fd = creat("notelf");
  write(fd, buf, 1024);
  close(fd);
  expexecerr("exec of a truncated program", "notelf", okargs, ENOEXEC);
  unlink("notelf");
  expexecerr("exec of a directory", "/", okargs, EACCES);
}

// Whether process pid runs a program named name yet (its exec has committed).
static int
runs(int pid, char *name)
{
  static struct kinfo_proc kp[NPROC];
  int n = procinfo(kp, NPROC);

  for(int i = 0; i < n; i++)
    if(kp[i].kp_pid == pid)
      return strcmp(kp[i].kp_name, name) == 0;
  return 0;
}

// A program that runs cannot be opened for writing (its pages are the file's): nor
// truncated; and a file open for writing cannot be run: ETXTBSY, both ways, until
// the other side is gone.
static void
txtbusy(void)
{
  char *args[] = { "tb", "1000", 0 }, *quick[] = { "tb", "0", 0 };
  int from, to, n, pid, fd;

  from = open("sleep", O_RDONLY);
  to = creat("tb");
  check("open sleep and tb", from >= 0 && to >= 0);
  while((n = read(from, buf, sizeof(buf))) > 0)
    expect("write tb", write(to, buf, n), n);
  close(from);
  close(to);
  pid = fork1();
  if(pid == 0){
    exec("tb", args);
    exit(1);
  }
  for(int i = 0; !runs(pid, "tb"); i++){
    check("tb runs within 10 s", i < 1000);
    sleep(1);
  }
  experr("open for writing while it runs", open("tb", O_WRONLY), ETXTBSY);
  experr("open for reading and writing while it runs", open("tb", O_RDWR), ETXTBSY);
  experr("open with O_TRUNC while it runs", open("tb", O_RDONLY | O_TRUNC), ETXTBSY);
  fd = open("tb", O_RDONLY);
  check("open for reading while it runs", fd >= 0);
  close(fd);
  expect("kill", kill(pid), 0);
  expect("the killed child", waitfor(pid), -1);
  fd = open("tb", O_WRONLY);
  check("open for writing once it has exited", fd >= 0);
  expexecerr("exec of a file open for writing", "tb", quick, ETXTBSY);
  close(fd);
  pid = fork1();
  if(pid == 0){
    exec("tb", quick);
    exit(1);
  }
  expect("tb 0, once no one may write it", waitfor(pid), 0);
  unlink("tb");
}

// exec passes its arguments; 31 of them fit.
static void
execargs(void)
{
  char *args[MAXARG];
  int i, pid, fd, n;
  char want[3*MAXARG];

  unlink("ea");
  args[0] = "echo";
  for(i = 1; i < MAXARG-1; i++)
    args[i] = "ab";
  args[MAXARG-1] = 0;
  pid = fork1();
  if(pid == 0){
    close(1);
    creat("ea");   // becomes fd 1
    exec("echo", args);
    printf("  exec echo failed (errno %d)\n", errno);
    exit(1);
  }
  expect("echo's exit status", waitfor(pid), 0);
  fd = open("ea", O_RDONLY);
  check("open ea", fd >= 0);
  n = read(fd, buf, sizeof(buf));
  close(fd);
  for(i = 0; i < MAXARG-2; i++)
    memmove(want + 3*i, "ab ", 3);
  want[3*i-1] = '\n';
  expect("echo output length", n, 3*i);
  check("echo output", memcmp(buf, want, n) == 0);
  unlink("ea");
}

// Descriptors that are not open: negative, too big, closed.
static void
badfd(void)
{
  int fds[] = { -1, -1000, NOFILE, NOFILE+1, 1000, 0x7fffffff, 10 };
  int i;
  struct stat st;
  char *what[] = { "read", "write", "close", "fstat", "dup" };
  long r;
  int j;

  for(i = 0; i < NELEM(fds); i++){
    for(j = 0; j < 5; j++){
      switch(j){
      case 0: r = read(fds[i], buf, 1); break;
      case 1: r = write(fds[i], buf, 1); break;
      case 2: r = close(fds[i]); break;
      case 3: r = fstat(fds[i], &st); break;
      default: r = dup(fds[i]); break;
      }
      if(r != -1 || errno != EBADF){
        printf("  %s(%d): expected -1 errno %d, got %ld (errno %d)\n",
               what[j], fds[i], EBADF, r, errno);
        exit(1);
      }
    }
  }
  expect("close 0", close(0), 0);
  experr("close 0 twice", close(0), EBADF);
  experr("read closed fd 0", read(0, buf, 1), EBADF);
}

// Negative lengths are EINVAL, zero lengths move nothing.
static void
badlen(void)
{
  int fd, p[2];

  unlink("bl");
  fd = creat("bl");
  experr("write len -1", write(fd, buf, -1), EINVAL);
  experr("write len -4096", write(fd, buf, -4096), EINVAL);
  expect("write len 0", write(fd, buf, 0), 0);
  close(fd);
  mkfile("bl", 10);
  fd = open("bl", O_RDONLY);
  experr("read len -1", read(fd, buf, -1), EINVAL);
  experr("read len -2^31", read(fd, buf, -0x7fffffff - 1), EINVAL);
  expect("read len 0", read(fd, buf, 0), 0);
  expect("read after", read(fd, buf, 100), 10);
  close(fd);
  check("pipe", pipe(p) == 0);
  experr("pipe write len -1", write(p[1], buf, -1), EINVAL);
  experr("pipe read len -1", read(p[0], buf, -1), EINVAL);
  close(p[0]);
  close(p[1]);
  unlink("bl");
}

// A buffer that runs off the end of the heap.
static void
spanbrk(void)
{
  char *p;
  int fd;

  unlink("sb");
  mkfile("sb", 100);
  p = alignbrk();
  check("sbrk", sbrk(PAGE_SIZE) == p);
  memset(p, 'a', PAGE_SIZE);
  fd = open("sb", O_RDWR);
  experr("read spanning the break", read(fd, p + PAGE_SIZE - 10, 20), EFAULT);
  close(fd);
  fd = open("sb", O_RDWR);
  experr("write spanning the break", write(fd, p + PAGE_SIZE - 10, 20), EFAULT);
  experr("write just above the break", write(fd, p + PAGE_SIZE, 1), EFAULT);
  close(fd);
  unlink("sb");
}

// Writing to a descriptor not open for writing, reading one not open for reading.
static void
rdonly(void)
{
  int fd, p[2];

  unlink("ro");
  mkfile("ro", 10);
  fd = open("ro", O_RDONLY);
  experr("write to O_RDONLY", write(fd, "x", 1), EBADF);
  close(fd);
  fd = open("ro", O_WRONLY);
  experr("read from O_WRONLY", read(fd, buf, 1), EBADF);
  expect("write to O_WRONLY", write(fd, "y", 1), 1);
  close(fd);
  check("pipe", pipe(p) == 0);
  experr("write to a pipe's read end", write(p[0], "x", 1), EBADF);
  experr("read from a pipe's write end", read(p[1], buf, 1), EBADF);
  close(p[0]);
  close(p[1]);
  unlink("ro");
}

// ---------------------------------------------------------------- names

static void
enoent(void)
{
  unlink("ne");
  experr("open missing", open("nonexistent", O_RDONLY), ENOENT);
  experr("open in missing dir", open("nodir/x", O_CREATE|O_RDWR), ENOENT);
  experr("unlink missing", unlink("nonexistent"), ENOENT);
  experr("chdir missing", chdir("nonexistent"), ENOENT);
  experr("link missing", link("nonexistent", "ne"), ENOENT);
  experr("mkdir in missing", mkdir("nodir/x"), ENOENT);
  experr("open empty path", open("", O_RDONLY), ENOENT);
}

static void
nametoolong(void)
{
  char path[MAXPATH+10];
  char *argv[] = { "echo", 0 };
  int i, fd;

  memset(path, 'a', sizeof(path));
  path[sizeof(path)-1] = '\0';
  experr("open long path", open(path, O_RDONLY), ENAMETOOLONG);
  experr("open O_CREATE long path", open(path, O_CREATE|O_RDWR), ENAMETOOLONG);
  experr("mkdir long path", mkdir(path), ENAMETOOLONG);
  experr("chdir long path", chdir(path), ENAMETOOLONG);
  experr("unlink long path", unlink(path), ENAMETOOLONG);
  experr("link long path", link("echo", path), ENAMETOOLONG);
  experr("exec long path", exec(path, argv), ENAMETOOLONG);

  // A path of MAXPATH-1 bytes ("./" repeated, then a name) is still fine.
  unlink("okk");
  mkfile("okk", 3);
  for(i = 0; i + 3 < MAXPATH-1; i += 2)
    memmove(path + i, "./", 2);
  memmove(path + i, "okk", 4);
  expect("length of the longest path", strlen(path), MAXPATH-1);
  fd = open(path, O_RDONLY);
  check("open a MAXPATH-1 path", fd >= 0);
  close(fd);
  // One byte more (a doubled slash) and it is too long.
  memmove(path + i, "/okk", 5);
  expect("length", strlen(path), MAXPATH);
  experr("open a MAXPATH path", open(path, O_RDONLY), ENAMETOOLONG);
  unlink("okk");
}

static void
eexist(void)
{
  unlink("ee");
  unlink("eed");
  mkfile("ee", 1);
  check("mkdir eed", mkdir("eed") == 0);
  experr("mkdir existing dir", mkdir("eed"), EEXIST);
  experr("mkdir existing file", mkdir("ee"), EEXIST);
  experr("link to existing name", link("ee", "eed"), EEXIST);
  experr("link to itself", link("ee", "ee"), EEXIST);
  check("unlink eed", unlink("eed") == 0);
  check("unlink ee", unlink("ee") == 0);
}

static void
notempty(void)
{
  unlink("ned/f");
  unlink("ned");
  check("mkdir ned", mkdir("ned") == 0);
  mkfile("ned/f", 1);
  experr("unlink a non-empty dir", unlink("ned"), ENOTEMPTY);
  check("unlink ned/f", unlink("ned/f") == 0);
  expect("unlink the emptied dir", unlink("ned"), 0);
  experr("unlink it again", unlink("ned"), ENOENT);
}

static void
eisdir(void)
{
  int fd;

  unlink("eid");
  check("mkdir eid", mkdir("eid") == 0);
  experr("open dir O_RDWR", open("eid", O_RDWR), EISDIR);
  experr("open dir O_WRONLY", open("eid", O_WRONLY), EISDIR);
  experr("open / O_RDWR", open("/", O_RDWR), EISDIR);
  fd = open("eid", O_RDONLY);
  check("open dir O_RDONLY", fd >= 0);
  experr("write to a dir fd", write(fd, "x", 1), EBADF);
  close(fd);
  check("unlink eid", unlink("eid") == 0);
}

static void
enotdir(void)
{
  unlink("ntd");
  mkfile("ntd", 1);
  experr("open file/x", open("ntd/x", O_RDONLY), ENOTDIR);
  experr("create file/x", open("ntd/x", O_CREATE|O_RDWR), ENOTDIR);
  experr("mkdir file/x", mkdir("ntd/x"), ENOTDIR);
  experr("chdir file", chdir("ntd"), ENOTDIR);
  experr("unlink file/x", unlink("ntd/x"), ENOTDIR);
  check("unlink ntd", unlink("ntd") == 0);
}

// "." and ".." cannot be unlinked, and a directory survives the attempt.
static void
unlinkdot(void)
{
  int fd;

  unlink("ud/f");
  unlink("ud");
  check("mkdir ud", mkdir("ud") == 0);
  experr("unlink .", unlink("."), EINVAL);
  experr("unlink ud/.", unlink("ud/."), EINVAL);
  check("unlink ud/.. fails", unlink("ud/..") == -1 && (errno == EINVAL || errno == ENOTEMPTY));
  check("unlink .. fails", unlink("..") == -1 && (errno == EINVAL || errno == ENOTEMPTY));
  check("chdir ud", chdir("ud") == 0);
  experr("unlink . inside", unlink("."), EINVAL);
  mkfile("f", 5);
  check("chdir ..", chdir("..") == 0);
  fd = open("ud/f", O_RDONLY);
  check("ud/f still there", fd >= 0);
  close(fd);
  check("unlink ud/f", unlink("ud/f") == 0);
  check("unlink ud", unlink("ud") == 0);
}

// ".." of the root is the root.
static void
rootdotdot(void)
{
  struct stat a, b;

  check("chdir /", chdir("/") == 0);
  check("stat /", stat("/", &a) == 0);
  check("chdir ..", chdir("..") == 0);
  check("stat .", stat(".", &b) == 0);
  expect("inode of /.. is /'s", b.ino, a.ino);
  expect("type of /", a.type, T_DIR);
  check("stat /../..", stat("/../../..", &b) == 0);
  expect("inode of /../../..", b.ino, a.ino);
}

// Nested directories, 20 deep, with chdir down and back up.
static void
deepdirs(void)
{
  int i, fd;
  char name[2] = "d";
  struct stat st, top;

  unlink("dd");
  check("mkdir dd", mkdir("dd") == 0);
  check("stat dd", stat("dd", &top) == 0);
  check("chdir dd", chdir("dd") == 0);
  for(i = 0; i < 20; i++){
    check("mkdir d", mkdir(name) == 0);
    check("chdir d", chdir(name) == 0);
  }
  mkfile("bottom", 7);
  for(i = 0; i < 20; i++)
    check("chdir ..", chdir("..") == 0);
  check("stat .", stat(".", &st) == 0);
  expect("back at dd", st.ino, top.ino);
  check("stat through 20 levels",
        stat("d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/bottom", &st) == 0);
  expect("size of bottom", st.size, 7);
  // Remove from the bottom up.
  check("unlink bottom", unlink("d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/bottom") == 0);
  for(i = 20; i > 0; i--){
    for(fd = 0; fd < i; fd++)
      memmove(buf + 2*fd, "d/", 2);
    buf[2*i - 1] = '\0';     // "d/d/.../d", i levels
    check("unlink a level", unlink(buf) == 0);
  }
  check("chdir ..", chdir("..") == 0);
  check("unlink dd", unlink("dd") == 0);
}

// Names of exactly DIRSIZ bytes are kept whole, and read back without a NUL.
static void
longnames(void)
{
  char n14[DIRSIZ+1] = "abcdefghijklmn";   // 14 bytes
  char n13[DIRSIZ] = "abcdefghijklm";
  struct dirent de;
  struct stat st;
  int fd, found = 0;

  unlink("ln");
  check("mkdir ln", mkdir("ln") == 0);
  check("chdir ln", chdir("ln") == 0);
  mkfile(n14, 14);
  mkfile(n13, 13);
  check("stat 14-byte name", stat(n14, &st) == 0);
  expect("its size", st.size, 14);
  check("stat 13-byte name", stat(n13, &st) == 0);
  expect("its size", st.size, 13);
  fd = open(".", O_RDONLY);
  while(read(fd, &de, sizeof(de)) == sizeof(de)){
    if(de.inum == 0)
      continue;
    if(memcmp(de.name, n14, DIRSIZ) == 0)
      found |= 1;
    if(memcmp(de.name, n13, DIRSIZ-1) == 0 && de.name[DIRSIZ-1] == 0)
      found |= 2;
  }
  close(fd);
  expect("both names in the directory", found, 3);
  check("unlink 14", unlink(n14) == 0);
  check("unlink 13", unlink(n13) == 0);
  check("chdir ..", chdir("..") == 0);
  check("unlink ln", unlink("ln") == 0);
}

// ---------------------------------------------------------------- files

// Link counts through fstat; an unlinked open file lives until closed.
static void
linkcount(void)
{
  int fd, fd2;
  struct stat st;

  unlink("lc1");
  unlink("lc2");
  fd = creat("lc1");
  expect("write", write(fd, "hello", 5), 5);
  check("fstat", fstat(fd, &st) == 0);
  expect("nlink of a new file", st.nlink, 1);
  expect("type", st.type, T_FILE);
  check("link", link("lc1", "lc2") == 0);
  check("fstat", fstat(fd, &st) == 0);
  expect("nlink after link", st.nlink, 2);
  fd2 = open("lc2", O_RDONLY);
  check("open lc2", fd2 >= 0);
  expect("read through the link", read(fd2, buf, 10), 5);
  check("contents", memcmp(buf, "hello", 5) == 0);
  check("unlink lc1", unlink("lc1") == 0);
  check("fstat", fstat(fd, &st) == 0);
  expect("nlink after unlink", st.nlink, 1);
  check("unlink lc2", unlink("lc2") == 0);
  check("fstat", fstat(fd2, &st) == 0);
  expect("nlink after the last unlink", st.nlink, 0);
  experr("open after unlink", open("lc2", O_RDONLY), ENOENT);
  // Still readable and writable through the open descriptors.
  expect("write to an unlinked file", write(fd, " world", 6), 6);
  expect("read the unlinked file", read(fd2, buf, 20), 6);
  check("contents", memcmp(buf, " world", 6) == 0);
  close(fd);
  close(fd2);
  // Directories cannot be hard-linked.
  check("link to a directory fails", link(".", "lcd") == -1);
}

// dup shares the offset, and so does fork.
static void
dupshare(void)
{
  int fd, fd2, pid;

  unlink("ds");
  fd = creat("ds");
  fd2 = dup(fd);
  expect("dup returns the lowest free fd", fd2, fd + 1);
  expect("write ab", write(fd, "ab", 2), 2);
  expect("write cd", write(fd2, "cd", 2), 2);
  pid = fork1();
  if(pid == 0){
    write(fd, "ef", 2);
    exit(0);
  }
  waitfor(pid);
  expect("write gh", write(fd2, "gh", 2), 2);
  close(fd);
  close(fd2);
  fd = open("ds", O_RDONLY);
  fd2 = dup(fd);
  expect("read 3", read(fd, buf, 3), 3);
  expect("read the rest through dup", read(fd2, buf+3, 10), 5);
  check("contents", memcmp(buf, "abcdefgh", 8) == 0);
  close(fd);
  close(fd2);
  unlink("ds");
}

// Opening past NOFILE descriptors fails with EMFILE, and nothing leaks.
static void
fdlimit(void)
{
  int i, n = 0, p[2];

  while(dup(0) >= 0)
    n++;
  expect("errno of dup past NOFILE", errno, EMFILE);
  expect("descriptors available", n, NOFILE - 3);
  experr("open past NOFILE", open("echo", O_RDONLY), EMFILE);
  experr("pipe past NOFILE", pipe(p), EMFILE);
  // With one free slot a pipe still fails, and does not keep the slot.
  close(3);
  experr("pipe with one free slot", pipe(p), EMFILE);
  expect("the slot is free", dup(0), 3);
  for(i = 3; i < NOFILE; i++)
    close(i);
  check("pipe", pipe(p) == 0);
  expect("pipe fds", p[0] + p[1], 3 + 4);
}

// O_TRUNC empties; O_CREATE of an existing file keeps it.
static void
truncate(void)
{
  int fd;
  struct stat st;

  unlink("tr");
  mkfile("tr", 1000);
  fd = open("tr", O_CREATE|O_RDWR);
  check("fstat", fstat(fd, &st) == 0);
  expect("O_CREATE keeps the size", st.size, 1000);
  close(fd);
  fd = open("tr", O_RDWR|O_TRUNC);
  check("fstat", fstat(fd, &st) == 0);
  expect("O_TRUNC empties it", st.size, 0);
  expect("read the empty file", read(fd, buf, 10), 0);
  close(fd);
  unlink("tr");
}

// Write and read back about 500 KiB, through the indirect blocks.
static void
bigfile(void)
{
  int fd, i, n, total = 500*1024;
  struct stat st;

  unlink("big");
  fd = creat("big");
  for(i = 0; i < total; i += n){
    n = total - i < sizeof(buf) ? total - i : sizeof(buf);
    fillat(buf, n, i, 3);
    if(write(fd, buf, n) != n){
      printf("  write at %d failed (errno %d)\n", i, errno);
      exit(1);
    }
  }
  check("fstat", fstat(fd, &st) == 0);
  expect("size", st.size, total);
  close(fd);
  fd = open("big", O_RDONLY);
  check("open big", fd >= 0);
  for(i = 0; i < total; i += n){
    n = read(fd, buf, 1000);
    if(n <= 0){
      printf("  read at %d returned %d (errno %d)\n", i, n, errno);
      exit(1);
    }
    fillat(buf + 4096, n, i, 3);
    if(memcmp(buf, buf + 4096, n) != 0){
      printf("  wrong contents at offset %d\n", i);
      exit(1);
    }
  }
  expect("read at the end", read(fd, buf, 10), 0);
  close(fd);
  check("unlink big", unlink("big") == 0);
}

// Single writes bigger than one log transaction holds.
static void
bigwrite(void)
{
  int fd, sz;
  char *p;

  p = sbrk(64*1024);
  check("sbrk", p != (char*)-1);
  unlink("bgw");
  for(sz = 499; sz < 64*1024; sz *= 3){
    fd = creat("bgw");
    fill(p, sz, sz);
    expect("big write", write(fd, p, sz), sz);
    expect("second big write", write(fd, p, sz), sz);
    close(fd);
    fd = open("bgw", O_RDONLY);
    memset(p, 0, sz);
    expect("big read", read(fd, p, sz), sz);
    fill(buf, sz < sizeof(buf) ? sz : sizeof(buf), sz);
    check("contents", memcmp(p, buf, sz < sizeof(buf) ? sz : sizeof(buf)) == 0);
    close(fd);
    unlink("bgw");
  }
}

// Several processes create, write, check and delete files at once, some with
// names they share.
static void
concurrent(void)
{
  int c, i, fd, st, pid;
  char name[8];

  for(c = 0; c < 4; c++){
    pid = fork1();
    if(pid == 0){
      name[0] = 'c';
      name[1] = '0' + c;
      name[3] = '\0';
      for(i = 0; i < 12; i++){
        // A private file, checked.
        name[2] = 'a' + i;
        fd = creat(name);
        fill(buf, 700, c*100 + i);
        expect("write", write(fd, buf, 700), 700);
        close(fd);
        fd = open(name, O_RDONLY);
        expect("read", read(fd, buf + 1000, 1000), 700);
        close(fd);
        check("private contents", memcmp(buf, buf + 1000, 700) == 0);
        check("unlink private", unlink(name) == 0);
        // A shared name: others may remove it first.
        name[1] = 's';
        fd = open(name, O_CREATE|O_RDWR);
        check("create shared", fd >= 0);
        write(fd, "x", 1);
        close(fd);
        if(unlink(name) < 0)
          check("unlink shared fails only with ENOENT", errno == ENOENT);
        name[1] = '0' + c;
      }
      exit(0);
    }
  }
  for(c = 0; c < 4; c++){
    check("wait for a child", wait(&st) > 0);
    expect("a child's status", st, 0);
  }
  for(i = 0; i < 12; i++){
    name[0] = 'c';
    name[1] = 's';
    name[2] = 'a' + i;
    experr("no shared file left", open(name, O_RDONLY), ENOENT);
  }
}

// mknod makes a device file: the console, here.
static void
devfile(void)
{
  int fd;
  struct stat st;

  unlink("cons2");
  check("mknod", mknod("cons2", 1, 0) == 0);
  fd = open("cons2", O_WRONLY);
  check("open the device", fd >= 0);
  check("fstat", fstat(fd, &st) == 0);
  expect("type", st.type, T_DEVICE);
  expect("write to the console", write(fd, "", 0), 0);
  close(fd);
  experr("mknod existing", mknod("cons2", 1, 0), EEXIST);
  check("unlink", unlink("cons2") == 0);
  unlink("cons3");
  experr("mknod of major NDEV", mknod("cons3", NDEV, 0), ENXIO);
  experr("mknod of major -1", mknod("cons3", -1, 0), ENXIO);
  experr("nothing made", unlink("cons3"), ENOENT);
}

// ---------------------------------------------------------------- pipes

// Send total bytes of stream seed down fd in chunks of varying size; the checksum.
static uint
sendstream(int fd, int total, int seed)
{
  int i, j, n;
  uint sum = 0;

  for(i = 0; i < total; i += n){
    n = 1 + (i*13) % sizeof(buf);
    if(n > total - i)
      n = total - i;
    for(j = 0; j < n; j++){
      buf[j] = streambyte(i + j, seed);
      sum = cksum(sum, buf[j]);
    }
    if(write(fd, buf, n) != n){
      printf("  pipe write at %d failed (errno %d)\n", i, errno);
      exit(1);
    }
  }
  return sum;
}

// Receive total bytes, checking each against stream seed; the checksum.
static uint
recvstream(int fd, int total, int seed)
{
  int i, j, n;
  uint sum = 0;

  for(i = 0; i < total; i += n){
    n = read(fd, buf, sizeof(buf));
    if(n <= 0){
      printf("  pipe read at %d returned %d (errno %d)\n", i, n, errno);
      exit(1);
    }
    for(j = 0; j < n; j++){
      if((uchar)buf[j] != streambyte(i + j, seed)){
        printf("  pipe byte %d: expected %d, got %d\n", i + j,
               streambyte(i + j, seed), (uchar)buf[j]);
        exit(1);
      }
      sum = cksum(sum, buf[j]);
    }
  }
  return sum;
}

// Parent and child exchange 1 MiB, half each way, checksummed.
static void
pipebig(void)
{
  int down[2], up[2], pid, total = 512*1024;
  uint sent, got;

  check("pipe", pipe(down) == 0 && pipe(up) == 0);
  pid = fork1();
  if(pid == 0){
    close(down[1]);
    close(up[0]);
    got = recvstream(down[0], total, 1);
    write(up[1], &got, sizeof(got));
    sendstream(up[1], total, 2);
    exit(0);
  }
  close(down[0]);
  close(up[1]);
  sent = sendstream(down[1], total, 1);
  expect("checksum length", read(up[0], &got, sizeof(got)), sizeof(got));
  expect("the child's checksum", got, sent);
  recvstream(up[0], total, 2);
  expect("EOF after the stream", read(up[0], buf, 1), 0);
  expect("child", waitfor(pid), 0);
  close(down[1]);
  close(up[0]);
}

// EOF when the writers are gone; EPIPE when the readers are.
static void
pipeends(void)
{
  int p[2], pid;

  check("pipe", pipe(p) == 0);
  pid = fork1();
  if(pid == 0){
    close(p[0]);
    write(p[1], "abc", 3);
    exit(0);
  }
  close(p[1]);
  expect("read", read(p[0], buf, 10), 3);
  expect("read at EOF", read(p[0], buf, 10), 0);
  waitfor(pid);
  close(p[0]);
  check("pipe", pipe(p) == 0);
  close(p[0]);
  experr("write with no reader", write(p[1], "x", 1), EPIPE);
  close(p[1]);
}

// ---------------------------------------------------------------- processes

static void
exitstatus(void)
{
  int pid, st;

  pid = fork1();
  if(pid == 0)
    exit(37);
  expect("exit(37)", waitfor(pid), 37);
  pid = fork1();
  if(pid == 0)
    exit(0);
  expect("exit(0)", waitfor(pid), 0);
  // A returning main is exit(main(...)); wait(0) ignores the status.
  pid = fork1();
  if(pid == 0)
    exit(1);
  expect("wait(0)", wait(0), pid);
  experr("wait with no children", wait(&st), ECHILD);
}

// The pid fork returns is the child's getpid.
static void
forkpid(void)
{
  int p[2], pid, cpid;

  check("pipe", pipe(p) == 0);
  pid = fork1();
  if(pid == 0){
    cpid = getpid();
    write(p[1], &cpid, sizeof(cpid));
    exit(0);
  }
  expect("read", read(p[0], &cpid, sizeof(cpid)), sizeof(cpid));
  expect("child's getpid", cpid, pid);
  check("a new pid", pid != getpid());
  waitfor(pid);
  close(p[0]);
  close(p[1]);
}

// Fork until the process table is full, then let them all go.
static void
forkfull(void)
{
  int p[2], n, pid;
  char c;

  check("pipe", pipe(p) == 0);
  for(n = 0; n < NPROC + 10; n++){
    pid = fork();
    if(pid < 0)
      break;
    if(pid == 0){
      close(p[1]);
      read(p[0], &c, 1);   // until the parent closes its end
      exit(0);
    }
  }
  if(pid >= 0){
    printf("  fork did not fail after %d children\n", n);
    exit(1);
  }
  check("errno of the failed fork is EAGAIN or ENOMEM", errno == EAGAIN || errno == ENOMEM);
  check("most of the process table", n >= NPROC - 10);
  close(p[0]);
  close(p[1]);
  while(n > 0){
    if(wait(0) < 0){
      printf("  wait failed with %d children left (errno %d)\n", n, errno);
      exit(1);
    }
    n--;
  }
  experr("wait after all", wait(0), ECHILD);
  // And the table recovers.
  pid = fork1();
  if(pid == 0)
    exit(5);
  expect("fork after recovery", waitfor(pid), 5);
}

// An orphan is adopted by init; the parent sees only its own children.
static void
reparent(void)
{
  int pid, i;

  for(i = 0; i < 20; i++){
    pid = fork1();
    if(pid == 0){
      if(fork1() == 0)
        exit(0);
      exit(0);
    }
    expect("wait for the child", waitfor(pid), 0);
    experr("no grandchild to wait for", wait(0), ECHILD);
  }
}

static void
loopforever(void)
{
  for(;;)
    ;
}

static void
killloop(void)
{
  int pid;

  pid = fork1();
  if(pid == 0)
    loopforever();
  sleep(2);
  expect("kill", kill(pid), 0);
  expect("a killed process's status", waitfor(pid), -1);
}

// A sleeping process and one blocked in a pipe read die promptly when killed.
static void
killsleep(void)
{
  int pid, pid2, p[2], t0, i, r, st;
  char c;

  check("pipe", pipe(p) == 0);
  pid = fork1();
  if(pid == 0){
    sleep(1000);
    exit(0);
  }
  pid2 = fork1();
  if(pid2 == 0){
    close(p[1]);
    read(p[0], &c, 1);
    exit(0);
  }
  sleep(2);
  t0 = uptime();
  expect("kill the sleeper", kill(pid), 0);
  expect("kill the reader", kill(pid2), 0);
  // Either may die first (on another CPU, say): wait for both, in any order.
  for(i = 0; i < 2; i++){
    r = wait(&st);
    check("wait returns the sleeper or the reader", r == pid || r == pid2);
    expect("a killed child's status", st, -1);
  }
  check("they died within a second", uptime() - t0 < HZ);
  close(p[0]);
  close(p[1]);
}

static void
killnone(void)
{
  int pid;

  experr("kill a pid that never was", kill(99999), ESRCH);
  experr("kill pid 0", kill(0), ESRCH);
  pid = fork1();
  if(pid == 0)
    exit(0);
  waitfor(pid);
  experr("kill a reaped child", kill(pid), ESRCH);
}

static void
sleeptime(void)
{
  int t0, t1;

  t0 = uptime();
  expect("sleep(10)", sleep(10), 0);
  t1 = uptime();
  check("uptime advanced by at least 10 ticks", t1 - t0 >= 10);
  check("uptime advanced by less than 2 s", t1 - t0 < 2*HZ);
  expect("sleep(0)", sleep(0), 0);
  experr("sleep(-1)", sleep(-1), EINVAL);
}

// Many fork+exec+exit rounds: the kernel must free every image it builds.
static void
execloop(void)
{
  int i, pid;
  char *argv[] = { "echo", "x", 0 };

  for(i = 0; i < 40; i++){
    pid = fork1();
    if(pid == 0){
      close(1);   // echo's output goes nowhere
      exec("echo", argv);
      exit(7);
    }
    expect("echo's status", waitfor(pid), 0);
  }
}

// Several processes exec the same program at once, round after round. When the
// last process that maps a program's text exits, the program's file object dies
// (it writes its pages back and lets go of the inode, which may sleep) while the
// next exec of the program looks the object up: that exec must get a live object,
// never the dying one. (MIT's grind found it: a dying object brought back to life
// was freed under its new user, corrupting the object zone.)
static void
execrace(void)
{
  enum { WORKERS = 6, ROUNDS = 150 };
  char *argv[] = { "echo", "x", 0 };
  int pids[WORKERS];

  for(int w = 0; w < WORKERS; w++){
    if((pids[w] = fork1()) != 0)
      continue;
    for(int i = 0; i < ROUNDS; i++){
      int pid = fork1();
      if(pid == 0){
        close(1);   // echo's output goes nowhere
        exec("echo", argv);
        exit(7);
      }
      expect("echo's status", waitfor(pid), 0);
    }
    exit(0);
  }
  for(int w = 0; w < WORKERS; w++){
    int st = -1, pid = wait(&st), mine = 0;
    for(int v = 0; v < WORKERS; v++)
      mine |= pid == pids[v];
    check("wait: a worker", mine);
    expect("a worker's status", st, 0);
  }
}

// ---------------------------------------------------------------- memory

static void
sbrkbasic(void)
{
  char *a, *b;
  int i;

  a = sbrk(0);
  for(i = 0; i < 5000; i++){
    b = sbrk(1);
    if(b != a){
      printf("  sbrk(1) #%d: expected %p, got %p\n", i, a, b);
      exit(1);
    }
    *b = 1;
    a = b + 1;
  }
  expect("sbrk(0) after", (long)sbrk(0), (long)a);
  // Fresh heap memory is zero.
  b = sbrk(10*PAGE_SIZE);
  for(i = 0; i < 10*PAGE_SIZE; i++)
    if(b[i] != 0){
      printf("  fresh heap byte %d is %d\n", i, b[i]);
      exit(1);
    }
}

static char *shrunk;

static void
touchshrunk(void)
{
  *(volatile char*)shrunk = 1;
}

static void
sbrkshrink(void)
{
  char *a;
  int i, n = 16*PAGE_SIZE;

  a = alignbrk();
  check("sbrk grow", sbrk(n) == a);
  for(i = 0; i < n; i += PAGE_SIZE)
    a[i] = 'z';
  check("sbrk shrink returns the old break", sbrk(-n) == a + n);
  expect("break after shrinking", (long)sbrk(0), (long)a);
  shrunk = a;
  expkilled("touch the first freed page", touchshrunk);
  shrunk = a + n - 1;
  expkilled("touch the last freed page", touchshrunk);
  // Growing again gives zeroed memory, not the old contents.
  check("sbrk regrow", sbrk(n) == a);
  for(i = 0; i < n; i += PAGE_SIZE)
    if(a[i] != 0){
      printf("  regrown page %d is not zero\n", i / PAGE_SIZE);
      exit(1);
    }
}

static void
sbrkfail(void)
{
  char *a, *p;

  a = sbrk(0);
  experr("sbrk of 2 GiB", (long)sbrk(0x7ffff000), ENOMEM);
  expect("break unchanged", (long)sbrk(0), (long)a);
  check("shrink below the start of the heap fails", sbrk(-0x7ffff000) == (char*)-1);
  expect("break unchanged", (long)sbrk(0), (long)a);
  // Still usable.
  check("sbrk after failing", sbrk(PAGE_SIZE) == a);
  a[PAGE_SIZE-1] = 1;
  p = malloc(10000);
  check("malloc", p != 0);
  memset(p, 1, 10000);
  free(p);
}

// A child sees the parent's heap as it was at fork; their writes are private.
static void
sbrkfork(void)
{
  char *a;
  int i, pid, n = 256*PAGE_SIZE;

  a = sbrk(n);
  check("sbrk", a != (char*)-1);
  for(i = 0; i < n; i += PAGE_SIZE)
    a[i] = i / PAGE_SIZE;
  pid = fork1();
  if(pid == 0){
    for(i = 0; i < n; i += PAGE_SIZE){
      if(a[i] != (char)(i / PAGE_SIZE)){
        printf("  child sees page %d as %d\n", i / PAGE_SIZE, a[i]);
        exit(1);
      }
      a[i] = -1;
    }
    exit(0);
  }
  expect("child", waitfor(pid), 0);
  for(i = 0; i < n; i += PAGE_SIZE)
    if(a[i] != (char)(i / PAGE_SIZE)){
      printf("  the child's write reached the parent's page %d\n", i / PAGE_SIZE);
      exit(1);
    }
}

// A child that touches n pages, tells us, and sleeps until it is killed; then
// reaped. Returns the free pages counted while it lived.
static long
childtouches(int n)
{
  int p[2], pid, i;
  char *a, c;
  long during;

  check("pipe", pipe(p) == 0);
  pid = fork1();
  if(pid == 0){
    a = sbrk(n*PAGE_SIZE);
    for(i = 0; i < n; i++)
      a[i*PAGE_SIZE] = 1;
    write(p[1], "x", 1);
    sleep(1000);
    exit(0);
  }
  read(p[0], &c, 1);
  during = freemem();
  kill(pid);
  waitfor(pid);
  close(p[0]);
  close(p[1]);
  return during;
}

// freemem goes down by what a child touches and comes back when it is reaped.
// A first child warms up: the kernel's zones (map entries, objects) may take a
// page for good the first time they grow, and that is not a leak. Orphans of
// earlier tests may still be exiting (init reaps them), so the count is given
// a moment to settle before it is compared.
static void
freememtest(void)
{
  long before, during;
  int n = 200;
  struct memsnap m0, m1;

  check("freemem is positive", freemem() > 0);
  childtouches(n);
  memsnap(&m0);
  before = m0.free;
  during = childtouches(n);
  check("the child's pages are taken", before - during >= n);
  if(!memsnap_settle(&m0, &m1, 1000)){
    printf("  free pages after the child is reaped: expected %ld, got %ld ", before, m1.free);
    memsnap_print(&m0, &m1);
    printf("\n");
    exit(1);
  }
}

// Whether process pid is a zombie, within a few seconds.
static int
becomeszombie(int pid)
{
  static struct kinfo_proc kp[MEMSNAP_NPROC];

  for(int t = 0; t < 500; t++){
    int n = procinfo(kp, MEMSNAP_NPROC);
    for(int i = 0; i < n && i < MEMSNAP_NPROC; i++)
      if(kp[i].kp_pid == pid && kp[i].kp_state == KP_STATE_ZOMBIE)
        return 1;
    sleep(1);
  }
  return 0;
}

// Exit gives a process's memory back at once, before its parent waits, as in BSD:
// a zombie holds no more than its kernel stack and page table. A child touches n
// pages and exits when told; its pages are free again while it is a zombie.
static void
exitfrees(void)
{
  int go[2], ready[2], pid, n = 200;
  long during, zombie;
  char c;

  check("pipe", pipe(go) == 0 && pipe(ready) == 0);
  pid = fork1();
  if(pid == 0){
    char *a = sbrk(n*PAGE_SIZE);
    for(int i = 0; i < n; i++)
      a[i*PAGE_SIZE] = 1;
    write(ready[1], "x", 1);
    read(go[0], &c, 1);
    exit(0);
  }
  expect("the child is ready", read(ready[0], &c, 1), 1);
  during = freemem();
  expect("tell the child to exit", write(go[1], "x", 1), 1);
  check("the child becomes a zombie", becomeszombie(pid));
  zombie = freemem();
  if(zombie - during < n){
    printf("  free pages while the child is a zombie: expected %ld or more, got %ld\n",
           during + n, zombie);
    exit(1);
  }
  expect("child", waitfor(pid), 0);
  close(go[0]);
  close(go[1]);
  close(ready[0]);
  close(ready[1]);
}

// ---------------------------------------------------------------- faults

static volatile uint64 target;

// These return (exit status 0) only if the access did not fault.
static void
readtarget(void)
{
  volatile char c = *(volatile char*)target;

  (void)c;
}

static void
writetarget(void)
{
  *(volatile char*)target = 1;
}

static void
nullderef(void)
{
  target = 0;
  expkilled("read of address 0", readtarget);
  expkilled("write to address 0", writetarget);
  target = 0x100;
  expkilled("read of address 0x100", readtarget);
  target = VM_USER_TEXT - 8;
  expkilled("read just below the text", readtarget);
}

static void
textro(void)
{
  target = (uint64)textro;
  expkilled("write to the program's text", writetarget);
  target = (uint64)"a string literal";
  expkilled("write to read-only data", writetarget);
  // Still readable, of course.
  expect("read text", inchild(readtarget), 0);
}

static void
kernaddr(void)
{
  int i;

  for(i = 3; i < NELEM(badaddrs) - 1; i++){
    target = badaddrs[i];
    expkilled("read of a kernel or unmapped address", readtarget);
    expkilled("write to a kernel or unmapped address", writetarget);
  }
}

// vmbench (make bench's timing call): bad requests are errors, good ones take time.
static void
vmbenchargs(void)
{
  experr("vmbench with an unknown op", vmbench(99, 0), EINVAL);
  experr("vmbench with a negative count", vmbench(VMBENCH_LOOKUP, -1), EINVAL);
  experr("vmbench with too big a count", vmbench(VMBENCH_LOOKUP, VMBENCH_MAXLOOKUPS + 1), EINVAL);
  check("vmbench lookups take time", vmbench(VMBENCH_LOOKUP, 1000) > 0);
  // sleep(2) outlasts one whole tick, 10 ms, whichever CPUs the two reads run on.
  long t0 = vmbench(VMBENCH_CLOCK, 0);
  sleep(2);
  long t1 = vmbench(VMBENCH_CLOCK, 0);
  if(t1 - t0 < 10000000){
    printf("  the vmbench clock moves on: t0 %ld ns, t1 %ld ns, t1 - t0 %ld ns < 10 ms\n",
           t0, t1, t1 - t0);
    exit(1);
  }
}

static void
abovebrk(void)
{
  target = PGROUNDUP(sbrk(0));
  expkilled("read at the page above the break", readtarget);
  target = PGROUNDUP(sbrk(0)) + 100*PAGE_SIZE;
  expkilled("write far above the break", writetarget);
}

static void
readbelowstack(void)
{
  volatile char here;

  // 1 MiB down: below what exec maps of the stack (lab 4: its top 128 KiB; the
  // rest is reserved for growth, and a touch there below the stack pointer is no
  // growth but a bad access).
  target = ((uint64)&here & ~(uint64)(PAGE_SIZE-1)) - 1024*1024;
  readtarget();
}

static void
stackguard(void)
{
  expkilled("read far below the stack pointer", readbelowstack);
}

// ---------------------------------------------------------------- faults keep data

// What a read() or write() with a buffer that runs into an unmapped page moves must
// be what it reports (-1 with EFAULT: nothing): a pipe keeps the bytes a bad buffer
// could not take, for the next read; takes none from a bad source; and a file's
// offset moves by exactly the bytes moved. (A marker written after the bytes that
// must be in a pipe lets one read take them all without waiting for lost ones.)
static void
faultkeep(void)
{
  char *p, *end, got[400];
  int fds[2], fd, r, i, at;

  p = alignbrk();
  check("sbrk", sbrk(PAGE_SIZE) == p);
  end = p + PAGE_SIZE;   // the break: the page above is not mapped
  for(i = 0; i < PAGE_SIZE; i++)
    p[i] = streambyte(i, 5);
  for(i = 0; i < 300; i++)
    buf[i] = streambyte(i, 9);
  check("pipe", pipe(fds) == 0);

  // Pipe read: 5 bytes into 2 good ones, 300 bytes into 200 good ones.
  expect("write 5", write(fds[1], buf, 5), 5);
  experr("read 5 bytes into 2 good ones", read(fds[0], end - 2, 5), EFAULT);
  expect("write the marker", write(fds[1], "!", 1), 1);
  expect("read: the 5 bytes stayed in the pipe, then the marker",
         read(fds[0], got, sizeof(got)), 6);
  check("the 5 bytes", memcmp(got, buf, 5) == 0);
  expect("write 300", write(fds[1], buf, 300), 300);
  r = read(fds[0], end - 200, 300);
  if(r == -1)
    experr("read 300 bytes into 200 good ones", r, EFAULT), r = 0;
  check("read 300 into 200 good bytes: no more than fits", r <= 200);
  check("the bytes read", memcmp(end - 200, buf, r) == 0);
  expect("write the marker", write(fds[1], "!", 1), 1);
  expect("read: the rest stayed in the pipe, then the marker",
         read(fds[0], got, sizeof(got)), 300 - r + 1);
  check("the rest, in order", memcmp(got, buf + r, 300 - r) == 0);

  // Pipe write: from 2 good bytes of 5, from 150 good ones of 200; a marker after.
  experr("write 5 bytes from 2 good ones", write(fds[1], end - 2, 5), EFAULT);
  r = write(fds[1], end - 150, 200);
  if(r == -1)
    experr("write 200 bytes from 150 good ones", r, EFAULT), r = 0;
  check("write 200 from 150 good bytes: no more than there are", r <= 150);
  expect("write the marker", write(fds[1], "!", 1), 1);
  expect("read: the good bytes written, then the marker", read(fds[0], got, sizeof(got)),
         r + 1);
  check("the good bytes written", memcmp(got, end - 150, r) == 0);
  close(fds[0]);
  close(fds[1]);

  // File read and write: the offset moves by what was moved.
  unlink("fk");
  mkfile("fk", 300);
  fd = open("fk", O_RDWR);
  check("open fk", fd >= 0);
  r = read(fd, end - 2, 10);
  if(r == -1)
    experr("read 10 file bytes into 2 good ones", r, EFAULT), r = 0;
  check("read 10 into 2 good bytes: no more than fits", r <= 2);
  expect("read the next 10", read(fd, got, 10), 10);
  check("from where the bad read stopped", memcmp(got, buf + r, 10) == 0);
  at = r + 10;
  r = write(fd, end - 2, 10);
  if(r == -1)
    experr("write 10 file bytes from 2 good ones", r, EFAULT), r = 0;
  check("write 10 from 2 good bytes: no more than there are", r <= 2);
  expect("write the marker", write(fd, "!", 1), 1);
  close(fd);
  fd = open("fk", O_RDONLY);
  check("open fk again", fd >= 0);
  expect("file length", read(fd, got, sizeof(got)), 300);
  close(fd);
  check("the file before the bad write", memcmp(got, buf, at) == 0);
  check("the good bytes written", memcmp(got + at, end - 2, r) == 0);
  expect("the marker right after them", got[at + r], '!');
  check("the file after the marker", memcmp(got + at + r + 1, buf + at + r + 1,
                                            300 - (at + r + 1)) == 0);
  unlink("fk");
}

// ---------------------------------------------------------------- proportional set size

#define PSSPAGES 8

// vmmap's kve_pss for the entry that holds p in process pid: its resident pages'
// share in bytes, each page's PAGE_SIZE divided among the page tables that map it.
static long
pssof(int pid, char *p)
{
  static struct kinfo_vmentry kve[64];
  int n = vmmap(pid, kve, NELEM(kve));

  check("vmmap", n > 0);
  for(int i = 0; i < n && i < NELEM(kve); i++)
    if(kve[i].kve_start <= (uint64)p && (uint64)p < kve[i].kve_end)
      return kve[i].kve_pss;
  check("vmmap: the region is listed", 0);
  return -1;
}

// A child that reads the region's pages (so that its page table maps the pages it
// shares with its parent), says "ready", then for each byte its command pipe brings
// unmaps the region and says "ready" again; it exits when the command pipe closes
// (other is the write end of the other reader's, which only the parent may hold).
static int
pssreader(char *p, int ready, int cmd[2], int other)
{
  int pid = fork1();
  char c;

  if(pid != 0)
    return pid;
  close(cmd[1]);
  close(other);
  for(int i = 0; i < PSSPAGES; i++)
    c = *(volatile char*)(p + i * PAGE_SIZE);
  write(ready, "r", 1);
  while(read(cmd[0], &c, 1) == 1){
    check("munmap (reader)", munmap(p, PSSPAGES * PAGE_SIZE) == 0);
    write(ready, "r", 1);
  }
  exit(0);
}

static void
waitready(int ready)
{
  char c;

  expect("the child is ready", read(ready, &c, 1), 1);
}

// A page that n page tables map counts PAGE_SIZE / n to each (vmmap's kve_pss, the
// sum of which is ps's PSS): memory mapped shared, which two children read, is
// shared three ways; when one of them unmaps it, two. (Shared memory, because a
// private region is copied at fork until lab 3 makes fork copy-on-write, and these
// tests run on every lab's tree.)
static void
psstest(void)
{
  enum { N = PSSPAGES };
  int ready[2], cmda[2], cmdb[2], a, b;
  char *p = mmap(0, N * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);

  check("mmap", p != MAP_FAILED);
  for(int i = 0; i < N; i++)
    p[i * PAGE_SIZE] = 1;
  expect("PSS of pages mapped once", pssof(0, p), N * PAGE_SIZE);
  check("pipes", pipe(ready) == 0 && pipe(cmda) == 0 && pipe(cmdb) == 0);
  a = pssreader(p, ready[1], cmda, cmdb[1]);
  close(cmda[0]);
  waitready(ready[0]);
  expect("PSS of pages mapped twice", pssof(0, p), N * (PAGE_SIZE / 2));
  expect("the reader's PSS of them", pssof(a, p), N * (PAGE_SIZE / 2));
  b = pssreader(p, ready[1], cmdb, cmda[1]);
  close(cmdb[0]);
  waitready(ready[0]);
  expect("PSS of pages mapped three times", pssof(0, p), N * (PAGE_SIZE / 3));
  expect("the first reader's PSS of them", pssof(a, p), N * (PAGE_SIZE / 3));
  expect("the second reader's PSS of them", pssof(b, p), N * (PAGE_SIZE / 3));
  expect("unmap", write(cmda[1], "u", 1), 1);
  waitready(ready[0]);
  expect("PSS of pages mapped twice again", pssof(0, p), N * (PAGE_SIZE / 2));
  expect("the other reader's PSS", pssof(b, p), N * (PAGE_SIZE / 2));
  close(cmda[1]);
  close(cmdb[1]);
  for(int i = 0; i < 2; i++){
    int st = -1, pid = wait(&st);
    check("wait: a reader", pid == a || pid == b);
    expect("the reader's exit status", st, 0);
  }
  expect("PSS once the readers are gone", pssof(0, p), N * PAGE_SIZE);
  check("munmap", munmap(p, N * PAGE_SIZE) == 0);
}

// ---------------------------------------------------------------- page counts and files

// vmstat's page count is the pages the allocator manages: those free and those in
// use. In use now are the kernel's and this handful of processes' (under 40 pages
// on riscv64 and 340 on x86-64, at 128 MiB). The array of struct vm_page that
// describes the managed pages is not one of them: at 64 bytes a page at least (tree
// links, object, index, address, flags, mappings) it takes over 1/65 of them, and a
// count that took in the array's own pages would show at least that many in use.
static void
vmstattest(void)
{
  struct vmstats st;

  check("vmstat", vmstat(&st) == 0);
  check("free pages at most all pages", st.v_free_count <= st.v_page_count);
  long used = st.v_page_count - st.v_free_count, array = st.v_page_count * 64 / PAGE_SIZE;
  if(used >= array){
    printf("  vmstat: %ld of %ld pages in use: the vm_page array's pages (%ld or more) "
           "are counted\n", used, st.v_page_count, array);
    exit(1);
  }
}

// A map holds at most VM_MAP_ENTRY_MAX entries (<sys/mman.h>): pages mapped one by
// one, read-only and read-write in turn (so that no two merge), run into ENOMEM
// there and not before. One munmap then takes them all. (Only whole entries, and no
// lookup by the fast tree: this is the base kernel's test, and lab 1's and lab 2's
// starters have no clip and a list for a tree. munmap is held to no limit.)
static void
maplimit(void)
{
  long n = VM_MAP_ENTRY_MAX, i;
  struct vmstats st;
  char *p = mmap(0, n * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0);

  check("mmap of the range", p != MAP_FAILED);
  expect("munmap of the range", munmap(p, n * PAGE_SIZE), 0);
  for(i = 0; i < n; i++){
    int prot = i % 2 ? PROT_READ | PROT_WRITE : PROT_READ;
    if(mmap(p + i * PAGE_SIZE, PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0)
       == MAP_FAILED)
      break;
  }
  experr("mmap once the map is full", i < n ? -1 : 0, ENOMEM);
  check("vmstat", vmstat(&st) == 0);
  if(st.v_map_entries > VM_MAP_ENTRY_MAX || st.v_map_entries + 2 < VM_MAP_ENTRY_MAX){
    printf("  the map stopped at %ld entries; the limit is %d\n", (long)st.v_map_entries,
           VM_MAP_ENTRY_MAX);
    exit(1);
  }
  experr("mprotect once the map is full", mprotect(p, PAGE_SIZE, PROT_NONE), ENOMEM);
  expect("munmap of them all", munmap(p, i * PAGE_SIZE), 0);
  char *q = mmap(0, PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0);
  check("mmap once the entries are gone", q != MAP_FAILED);
  expect("munmap", munmap(q, PAGE_SIZE), 0);
}

#define MMAPRACERS  3
#define MMAPROUNDS  2000

// Wait for *p to be v: spin (the racers must start at once), but sleep once the wait
// is long, as it is on one CPU (the others are not running).
static void
await(volatile uint64 *p, uint64 v)
{
  for(int n = 0; *p != v; n++)
    if(n > 1000000)
      sleep(1);
}

// A racer: each round, map the file and unmap it, starting with the others.
// go[0]: the round that may start; go[1]: the racers' rounds done so far.
static void
mmapracer(int fd, volatile uint64 *go)
{
  for(uint64 r = 1; r <= MMAPROUNDS; r++){
    await(&go[0], r);
    char *m = mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if(m == MAP_FAILED || munmap(m, PAGE_SIZE) != 0)
      exit(1);
    __atomic_fetch_add(&go[1], 1, __ATOMIC_SEQ_CST);
  }
  exit(0);
}

// Racers map a file at once, round after round: each round the first mapping makes
// the file's object, and a racer that found none and made one too, but came second,
// must let go of all it took for it. Once the file's last name and last mapping are
// gone its inode is free: the next file made gets its number back. (The race is
// narrow: about 1 round in 900 has a loser on riscv64 with 3 or 4 CPUs, 1 in 350 on
// x86-64; with one CPU, next to none.)
static void
mmaprace(void)
{
  struct stat st0, st1;
  volatile uint64 *go = mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON,
                             -1, 0);
  int fd = open("mmaprace", O_CREATE | O_RDWR);

  check("mmap the flags", go != MAP_FAILED);
  check("create", fd >= 0);
  expect("write", write(fd, buf, PAGE_SIZE), PAGE_SIZE);
  check("fstat", fstat(fd, &st0) == 0);
  for(int i = 0; i < MMAPRACERS; i++)
    if(fork1() == 0)
      mmapracer(fd, go);
  for(uint64 r = 1; r <= MMAPROUNDS; r++){
    go[0] = r;
    await(&go[1], r * MMAPRACERS);
  }
  for(int i = 0; i < MMAPRACERS; i++){
    int st = -1;
    check("wait: a racer", wait(&st) > 0);
    expect("the racer's exit status", st, 0);
  }
  close(fd);
  check("unlink", unlink("mmaprace") == 0);
  fd = open("mmaprace", O_CREATE | O_RDWR);
  check("create again", fd >= 0);
  check("fstat again", fstat(fd, &st1) == 0);
  close(fd);
  unlink("mmaprace");
  expect("the new file's inode number (the old one's, freed)", st1.ino, st0.ino);
}

#define DYINGMAPPERS 2
#define DYINGROUNDS  100
#define DYINGAT      100      // the writer's byte in the page

// A mapper: each round, store to the file's page through a shared mapping of its
// own and unmap it. When that was the last mapping, the file's object dies, writing
// the page back as it goes.
static void
dyingmapper(int i)
{
  for(int r = 0; r < DYINGROUNDS; r++){
    int fd = open("dying", O_RDWR);
    char *m = mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if(fd < 0 || m == MAP_FAILED)
      exit(1);
    m[i] = r;
    if(munmap(m, PAGE_SIZE) != 0)
      exit(1);
    close(fd);
  }
  exit(0);
}

// The byte at DYINGAT of file dying, by read().
static int
dyingbyte(void)
{
  int fd = open("dying", O_RDONLY);

  check("open dying", fd >= 0);
  expect("read dying", read(fd, buf, DYINGAT + 1), DYINGAT + 1);
  close(fd);
  return (unsigned char)buf[DYINGAT];
}

// Mappers store to a page of a file and unmap it while a writer write()s a byte of
// that page, round after round: no write() may be lost to a dying object's older
// copy of the page, written back after it. (A mapping made while the file's object
// is dying must wait for it to go: a fresh object in its place took the write()s,
// and the dying one's page landed over them.)
static void
dyingwrite(void)
{
  int fd = open("dying", O_CREATE | O_RDWR);

  check("create dying", fd >= 0);
  memset(buf, 0, PAGE_SIZE);
  expect("write dying", write(fd, buf, PAGE_SIZE), PAGE_SIZE);
  close(fd);
  for(int i = 0; i < DYINGMAPPERS; i++)
    if(fork1() == 0)
      dyingmapper(i);
  for(int r = 1; r <= DYINGROUNDS; r++){
    char c = r;
    fd = open("dying", O_RDWR);
    check("open dying", fd >= 0);
    expect("read up to the byte", read(fd, buf, DYINGAT), DYINGAT);
    expect("write the byte", write(fd, &c, 1), 1);
    close(fd);
    expect("the byte just written, read back", dyingbyte(), (unsigned char)c);
  }
  for(int i = 0; i < DYINGMAPPERS; i++){
    int st = -1;
    check("wait: a mapper", wait(&st) > 0);
    expect("the mapper's exit status", st, 0);
  }
  expect("the last byte written, once the mappers are done", dyingbyte(),
         (unsigned char)DYINGROUNDS);
  unlink("dying");
}

// ---------------------------------------------------------------- the runner

struct test {
  char *name;
  void (*fn)(void);
  int slow;    // skipped by -q
} tests[] = {
  { "badwrite", badwrite },
  { "badread", badread },
  { "readtext", readtext },
  { "badpath", badpath },
  { "badfstat", badfstat },
  { "badpipe", badpipe },
  { "badwait", badwait },
  { "badexec", badexec },
  { "execargs", execargs },
  { "txtbusy", txtbusy },
  { "badfd", badfd },
  { "badlen", badlen },
  { "spanbrk", spanbrk },
  { "rdonly", rdonly },
  { "enoent", enoent },
  { "nametoolong", nametoolong },
  { "eexist", eexist },
  { "notempty", notempty },
  { "eisdir", eisdir },
  { "enotdir", enotdir },
  { "unlinkdot", unlinkdot },
  { "rootdotdot", rootdotdot },
  { "deepdirs", deepdirs },
  { "longnames", longnames },
  { "linkcount", linkcount },
  { "dupshare", dupshare },
  { "fdlimit", fdlimit },
  { "truncate", truncate },
  { "bigfile", bigfile, 1 },
  { "bigwrite", bigwrite },
  { "concurrent", concurrent },
  { "devfile", devfile },
  { "pipebig", pipebig, 1 },
  { "pipeends", pipeends },
  { "exitstatus", exitstatus },
  { "forkpid", forkpid },
  { "forkfull", forkfull },
  { "reparent", reparent },
  { "killloop", killloop },
  { "killsleep", killsleep },
  { "killnone", killnone },
  { "sleeptime", sleeptime },
  { "execloop", execloop, 1 },
  { "execrace", execrace, 1 },
  { "sbrkbasic", sbrkbasic },
  { "sbrkshrink", sbrkshrink },
  { "sbrkfail", sbrkfail },
  { "sbrkfork", sbrkfork },
  { "freemem", freememtest },
  { "exitfrees", exitfrees },
  { "nullderef", nullderef },
  { "textro", textro },
  { "kernaddr", kernaddr },
  { "vmbench", vmbenchargs },
  { "abovebrk", abovebrk },
  { "stackguard", stackguard },
  { "faultkeep", faultkeep },
  { "pss", psstest },
  { "vmstat", vmstattest },
  { "maplimit", maplimit },
  { "mmaprace", mmaprace },
  { "dyingwrite", dyingwrite },
};

static int
run(struct test *t)
{
  int pid, st;

  pid = fork();
  if(pid < 0){
    printf("test %s: FAILED (fork failed, errno %d)\n", t->name, errno);
    return 0;
  }
  if(pid == 0){
    t->fn();
    exit(0);
  }
  if(wait(&st) != pid)
    st = -2;
  if(st == 0)
    printf("test %s: OK\n", t->name);
  else
    printf("test %s: FAILED (status %d)\n", t->name, st);
  return st == 0;
}

int
main(int argc, char *argv[])
{
  int i, j, quick = 0, named = 0, ok = 1, found;
  struct memsnap m0, m1;

  for(i = 1; i < argc; i++){
    if(strcmp(argv[i], "-q") == 0)
      quick = 1;
    else
      named = 1;
  }
  for(i = 1; i < argc; i++){
    if(strcmp(argv[i], "-q") == 0)
      continue;
    found = 0;
    for(j = 0; j < NELEM(tests); j++)
      if(strcmp(argv[i], tests[j].name) == 0)
        found = 1;
    if(!found){
      printf("usertests: no test named %s\n", argv[i]);
      exit(1);
    }
  }

  chdir("/");
  warmup();
  memsnap(&m0);
  printf("usertests starting: %ld free pages\n", m0.free);

  for(i = 0; i < NELEM(tests); i++){
    if(quick && tests[i].slow)
      continue;
    if(named){
      found = 0;
      for(j = 1; j < argc; j++)
        if(strcmp(argv[j], tests[i].name) == 0)
          found = 1;
      if(!found)
        continue;
    }
    if(!run(&tests[i]))
      ok = 0;
  }

  // Orphans of the tests are reaped by init; give it up to 10 s (a loaded host
  // runs the machine slowly). Zone pages may move with nothing leaked
  // (user/memsnap.h).
  if(!memsnap_settle(&m0, &m1, 1000)){
    printf("FAILED -- lost %ld free pages ", m0.free - m1.free);
    memsnap_print(&m0, &m1);
    printf("\n");
    ok = 0;
  }
  printf(ok ? "ALL TESTS PASSED\n" : "SOME TESTS FAILED\n");
  exit(ok ? 0 : 1);
}

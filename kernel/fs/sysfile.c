// File-system system calls: argument checking, then calls into file.c and fs.c.
// Each returns a non-negative result or a negative errno.

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/fcntl.h>
#include "kern/systm.h"
#include "kern/param.h"
#include "kern/spinlock.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "fs/fs.h"
#include "fs/file.h"
#include "fs/fsdefs.h"
#include "vm/vm_object.h"

// The open file for file-descriptor argument n, or 0 if it is not an open fd.
static struct file *
argfd(int n, int *pfd)
{
  long fd = argint(n);
  struct file *f;

  if (fd < 0 || fd >= NOFILE || (f = myproc()->ofile[fd]) == 0)
    return 0;
  if (pfd)
    *pfd = fd;
  return f;
}

// Give f the lowest free descriptor of the current process. Returns it, or
// -EMFILE; on success the descriptor takes over the caller's reference.
static int
fdalloc(struct file *f)
{
  struct proc *p = myproc();
  int fd;

  for (fd = 0; fd < NOFILE; fd++) {
    if (p->ofile[fd] == 0) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -EMFILE;
}

long
sys_dup(void)
{
  struct file *f;
  int fd;

  if ((f = argfd(0, 0)) == 0)
    return -EBADF;
  if ((fd = fdalloc(f)) < 0)
    return fd;
  filedup(f);
  return fd;
}

long
sys_read(void)
{
  struct file *f;
  long n;

  if ((f = argfd(0, 0)) == 0)
    return -EBADF;
  if ((n = argint(2)) < 0)
    return -EINVAL;
  return fileread(f, argaddr(1), n);
}

long
sys_write(void)
{
  struct file *f;
  long n;

  if ((f = argfd(0, 0)) == 0)
    return -EBADF;
  if ((n = argint(2)) < 0)
    return -EINVAL;
  return filewrite(f, argaddr(1), n);
}

long
sys_close(void)
{
  struct file *f;
  int fd;

  if ((f = argfd(0, &fd)) == 0)
    return -EBADF;
  myproc()->ofile[fd] = 0;
  fileclose(f);
  return 0;
}

long
sys_fstat(void)
{
  struct file *f;

  if ((f = argfd(0, 0)) == 0)
    return -EBADF;
  return filestat(f, argaddr(1));
}

// link(old, new): make new another name for the file old.
long
sys_link(void)
{
  char old[MAXPATH], new[MAXPATH], name[DIRSIZ];
  struct inode *dp, *ip;
  int err;

  if ((err = argstr(0, old, MAXPATH)) < 0 || (err = argstr(1, new, MAXPATH)) < 0)
    return err;

  begin_op();
  if ((ip = namei_err(old, &err)) == 0) {
    end_op();
    return err;
  }
  ilock(ip);
  if (ip->type == T_DIR) {
    // Why: a second name for a directory would make the tree a graph, and ".."
    // ambiguous.
    iunlockput(ip);
    end_op();
    return -EPERM;
  }
  // Count the new link before making it: a crash between the two leaves a link
  // count too high (a leaked inode), never too low (a freed inode still named).
  ip->nlink++;
  iupdate(ip);
  iunlock(ip);

  if ((dp = nameiparent_err(new, name, &err)) == 0)
    goto bad;
  ilock(dp);
  if (dp->dev != ip->dev) {
    iunlockput(dp);
    err = -EXDEV;
    goto bad;
  }
  if ((err = dirlink(dp, name, ip->inum)) < 0) {
    iunlockput(dp);
    goto bad;
  }
  iunlockput(dp);
  iput(ip);
  end_op();
  return 0;

bad:
  ilock(ip);
  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  end_op();
  return err;
}

// Does directory dp (locked) hold nothing but "." and ".."?
static int
isdirempty(struct inode *dp)
{
  struct dirent de;

  return dirfind(dp, 2 * sizeof(de), DIR_USED, 0, &de) == dp->size;
}

long
sys_unlink(void)
{
  char path[MAXPATH], name[DIRSIZ];
  struct inode *dp, *ip;
  struct dirent de;
  uint off;
  int err;

  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;

  begin_op();
  if ((dp = nameiparent_err(path, name, &err)) == 0) {
    end_op();
    return err;
  }
  ilock(dp);

  if (namecmp(name, ".") == 0 || namecmp(name, "..") == 0) {
    err = -EINVAL;
    goto bad;
  }
  if ((ip = dirlookup(dp, name, &off)) == 0) {
    err = -ENOENT;
    goto bad;
  }
  ilock(ip);
  KASSERT(ip->nlink >= 1, "unlink of a file with no links");
  if (ip->type == T_DIR && !isdirempty(ip)) {
    iunlockput(ip);
    err = -ENOTEMPTY;
    goto bad;
  }

  memset(&de, 0, sizeof(de));
  if (writei(dp, 0, (uint64)&de, off, sizeof(de)) != sizeof(de))
    panic("unlink: cannot clear a directory entry");
  if (ip->type == T_DIR) {
    dp->nlink--;   // the child's ".." named dp
    iupdate(dp);
  }
  iunlockput(dp);

  ip->nlink--;
  iupdate(ip);
  iunlockput(ip);
  end_op();
  return 0;

bad:
  iunlockput(dp);
  end_op();
  return err;
}

// Give a new directory ip (locked) its "." and ".." entries. Returns 0 or -ENOSPC.
static int
dir_init(struct inode *ip, struct inode *dp)
{
  int err;

  // Why "." does not count in ip->nlink: a directory's own "." would keep it
  // alive forever. ".." counts in dp->nlink, which the caller adds.
  if ((err = dirlink(ip, ".", ip->inum)) < 0)
    return err;
  return dirlink(ip, "..", dp->inum);
}

// Create path as a new inode of the given type, or for T_FILE open an existing
// file or device of that name. Returns the inode locked and referenced, or 0 with
// *err set. Inside a transaction.
static struct inode *
create(char *path, short type, short major, short minor, int *err)
{
  struct inode *ip, *dp;
  char name[DIRSIZ];

  if ((dp = nameiparent_err(path, name, err)) == 0)
    return 0;
  ilock(dp);

  if ((ip = dirlookup(dp, name, 0)) != 0) {
    iunlockput(dp);
    ilock(ip);
    if (type == T_FILE && (ip->type == T_FILE || ip->type == T_DEVICE))
      return ip;
    iunlockput(ip);
    *err = -EEXIST;
    return 0;
  }

  if ((ip = ialloc(dp->dev, type)) == 0) {
    iunlockput(dp);
    *err = -ENOSPC;
    return 0;
  }
  ilock(ip);
  ip->major = major;
  ip->minor = minor;
  ip->nlink = 1;
  iupdate(ip);

  if (type == T_DIR && (*err = dir_init(ip, dp)) < 0)
    goto fail;
  if ((*err = dirlink(dp, name, ip->inum)) < 0)
    goto fail;
  if (type == T_DIR) {
    dp->nlink++;   // for the new directory's ".."
    iupdate(dp);
  }
  iunlockput(dp);
  return ip;

fail:
  // Why nlink 0 rather than unwinding by hand: iput then frees the inode and any
  // blocks dir_init gave it.
  ip->nlink = 0;
  iupdate(ip);
  iunlockput(ip);
  iunlockput(dp);
  return 0;
}

// Open ip (locked) with omode; returns a descriptor, or -errno (ip then unlocked
// and released). Inside a transaction.
static int
open_inode(struct inode *ip, int omode)
{
  struct file *f;
  int fd;

  if (ip->type == T_DIR && (omode & O_ACCMODE) != O_RDONLY) {
    iunlockput(ip);
    return -EISDIR;
  }
  if (ip->type == T_DEVICE && (ip->major < 0 || ip->major >= NDEV)) {
    iunlockput(ip);
    return -ENXIO;
  }
  // A program that runs is not written: its pages are the file's (or truncated).
  int writes = (omode & (O_WRONLY | O_RDWR | O_TRUNC)) != 0;
  if (writes && ip->type == T_FILE && ip->i_textcount > 0) {
    iunlockput(ip);
    return -ETXTBSY;
  }
  if ((f = filealloc()) == 0) {
    iunlockput(ip);
    return -ENFILE;
  }
  if ((fd = fdalloc(f)) < 0) {
    fileclose(f);
    iunlockput(ip);
    return fd;
  }

  if (ip->type == T_DEVICE) {
    f->type = FD_DEVICE;
    f->major = ip->major;
  } else {
    f->type = FD_INODE;
    f->off = 0;
  }
  f->ip = ip;
  f->readable = !(omode & O_WRONLY);
  f->writable = (omode & O_WRONLY) || (omode & O_RDWR);
  if (f->writable && f->type == FD_INODE)
    __atomic_add_fetch(&ip->i_writecount, 1, __ATOMIC_RELAXED);
  if ((omode & O_TRUNC) && ip->type == T_FILE) {
    itrunc(ip);
    vnode_pager_truncated(ip);
  }
  iunlock(ip);
  return fd;
}

long
sys_open(void)
{
  char path[MAXPATH];
  struct inode *ip;
  int omode, err, fd;

  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;
  omode = argint(1);

  begin_op();
  if (omode & O_CREATE) {
    ip = create(path, T_FILE, 0, 0, &err);
  } else if ((ip = namei_err(path, &err)) != 0) {
    ilock(ip);
  }
  if (ip == 0) {
    end_op();
    return err;
  }
  fd = open_inode(ip, omode);
  end_op();
  return fd;
}

// Make a directory or device node: the common tail of mkdir and mknod.
static long
make_node(char *path, short type, short major, short minor)
{
  struct inode *ip;
  int err;

  begin_op();
  if ((ip = create(path, type, major, minor, &err)) == 0) {
    end_op();
    return err;
  }
  iunlockput(ip);
  end_op();
  return 0;
}

long
sys_mkdir(void)
{
  char path[MAXPATH];
  int err;

  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;
  return make_node(path, T_DIR, 0, 0);
}

long
sys_mknod(void)
{
  char path[MAXPATH];
  int err;
  long major = argint(1), minor = argint(2);

  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;
  if (major < 0 || major >= NDEV)
    return -ENXIO;
  // mknod of an existing name fails, even a file: create() opens only for T_FILE.
  return make_node(path, T_DEVICE, major, minor);
}

long
sys_chdir(void)
{
  char path[MAXPATH];
  struct inode *ip;
  struct proc *p = myproc();
  int err;

  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;
  begin_op();
  if ((ip = namei_err(path, &err)) == 0) {
    end_op();
    return err;
  }
  ilock(ip);
  if (ip->type != T_DIR) {
    iunlockput(ip);
    end_op();
    return -ENOTDIR;
  }
  iunlock(ip);
  iput(p->cwd);
  end_op();
  p->cwd = ip;
  return 0;
}

long
sys_pipe(void)
{
  uint64 fdarray = argaddr(0);   // user pointer to int[2]
  struct proc *p = myproc();
  struct file *rf, *wf;
  int fd[2], err;

  if ((err = pipealloc(&rf, &wf)) < 0)
    return err;
  fd[0] = fdalloc(rf);
  fd[1] = fd[0] < 0 ? -1 : fdalloc(wf);
  if (fd[1] < 0) {
    err = -EMFILE;
    goto bad;
  }
  if ((err = copyout(fdarray, fd, sizeof(fd))) < 0)
    goto bad;
  return 0;

bad:
  if (fd[0] >= 0)
    p->ofile[fd[0]] = 0;
  if (fd[1] >= 0)
    p->ofile[fd[1]] = 0;
  fileclose(rf);
  fileclose(wf);
  return err;
}

// Copy the user's argv (a null-terminated array of string pointers at uargv) into
// kalloc'd pages, one per string, null-terminated in argv[MAXARG + 1].
// Returns 0 or -errno; the caller frees the pages either way.
static int
fetch_argv(uint64 uargv, char **argv)
{
  uint64 uarg;
  int i, n;

  for (i = 0;; i++) {
    if (fetchaddr(uargv + i * sizeof(uint64), &uarg) < 0)
      return -EFAULT;
    if (uarg == 0)
      return 0;
    if (i >= MAXARG)
      return -E2BIG;
    if ((argv[i] = kalloc()) == 0)
      return -ENOMEM;
    if ((n = fetchstr(uarg, argv[i], PAGE_SIZE)) < 0)
      return n == -ENAMETOOLONG ? -E2BIG : n;
  }
}

long
sys_exec(void)
{
  char path[MAXPATH];
  char *argv[MAXARG + 1];
  int i, err;

  if ((err = argstr(0, path, MAXPATH)) < 0)
    return err;
  memset(argv, 0, sizeof(argv));
  err = fetch_argv(argaddr(1), argv);
  if (err == 0)
    err = kexec(path, argv);
  for (i = 0; i < MAXARG && argv[i] != 0; i++)
    kfree(argv[i]);
  return err;
}

// The file system's interface to the rest of the kernel.
// The on-disk format is in fs/fs.h (shared with mkfs); in-core structures in
// fs/buf.h and fs/file.h.
#ifndef _FS_FSDEFS_H_
#define _FS_FSDEFS_H_

#include <sys/types.h>

struct buf;
struct dirent;
struct file;
struct inode;
struct pipe;
struct stat;
struct superblock;

// bio.c: the buffer cache
void binit(void);
struct buf *bread(uint dev, uint blockno);
struct buf *bclear(uint dev, uint blockno);
void brelse(struct buf *b);
void bwrite(struct buf *b);
void bpin(struct buf *b);
void bunpin(struct buf *b);

// log.c: crash-safe transactions
void initlog(int dev, struct superblock *sb);
void log_write(struct buf *b);
void begin_op(void);
int begin_op_nowait(void);          // begin_op, or 0 if it would wait
void end_op(void);

// fs.c: inodes, directories, path names
void fsinit(int dev);                 // read the superblock, recover the log (process context)
void iinit(void);
struct inode *ialloc(uint dev, short type);
struct inode *idup(struct inode *ip);
void ilock(struct inode *ip);
int ilock_nowait(struct inode *ip);   // ilock, or 0 if it would wait
void iunlock(struct inode *ip);
void iput(struct inode *ip);
void iunlockput(struct inode *ip);
void iupdate(struct inode *ip);
int readi(struct inode *ip, int user_dst, uint64 dst, uint off, uint n);
int writei(struct inode *ip, int user_src, uint64 src, uint off, uint n);
void stati(struct inode *ip, struct stat *st);
int namecmp(const char *s, const char *t);
struct inode *namei(char *path);
struct inode *nameiparent(char *path, char *name);
struct inode *dirlookup(struct inode *dp, char *name, uint *poff);
enum dirwant { DIR_NAMED, DIR_FREE, DIR_USED };   // what dirfind looks for
uint dirfind(struct inode *dp, uint off, enum dirwant want, char *name, struct dirent *de);
int dirlink(struct inode *dp, char *name, uint inum);
int inode_is_dir(struct inode *ip);   // the inode's type is T_DIR (ip locked)
uint inode_gen(struct inode *ip);     // its contents' change count, i_gen (ip locked)
uint inode_size(struct inode *ip);    // its size in bytes (ip locked)
// A process runs ip from now on (exec; ip locked): 0, or -ETXTBSY while an open
// file may write it. Then no open may write it until each inode_text_begin (and
// inode_text_ref: fork's copy of a running process) has its inode_text_end.
int inode_text_begin(struct inode *ip);
void inode_text_ref(struct inode *ip);
void inode_text_end(struct inode *ip);
void itrunc(struct inode *ip);        // free the contents, size 0 (ip locked, in a transaction)
// namei/nameiparent that say why they failed: *err = -ENOENT, -ENOTDIR or -EINVAL.
struct inode *namei_err(char *path, int *err);
struct inode *nameiparent_err(char *path, char *name, int *err);

// file.c: open files
void fileinit(void);
struct file *filealloc(void);
struct file *filedup(struct file *f);
void fileclose(struct file *f);
int fileread(struct file *f, uint64 addr, int n);
int filewrite(struct file *f, uint64 addr, int n);
int filestat(struct file *f, uint64 addr);

// pipe.c
int pipealloc(struct file **f0, struct file **f1);
void pipeclose(struct pipe *pi, int writable);
int piperead(struct pipe *pi, uint64 addr, int n);
int pipewrite(struct pipe *pi, uint64 addr, int n);

// The block device under the file system (dev/virtio_blk.c on both ports, or a port's
// own driver): read b->data from, or write it to, block b->blockno; sleeps until done.
void blk_init(void);
void blk_rw(struct buf *b, int write);
void blk_intr(void);

#endif

// mkfs: build a file-system image for vmlab.
//
//   mkfs [-s blocks] fs.img file...
//
// makes an FSSIZE-block image (-s: one of that many blocks) whose root directory
// holds each file, named by its last path element less a leading '_'
// (build/riscv64/user/_cat becomes "cat").
// It runs on the build host, which must store integers as the targets do
// (little-endian), since it writes the on-disk structures as they are in memory.

// Why POSIX only: the GNU extensions make the host's <stdlib.h> include
// <sys/types.h>, which -Ikernel/include turns into the kernel's own.
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "fs/fs.h"
#include "kern/param.h"
#include <sys/stat.h>   // the kernel's: T_DIR, T_FILE

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "mkfs writes little-endian images");
_Static_assert(BSIZE % sizeof(struct dinode) == 0, "inodes must not span blocks");
_Static_assert(BSIZE % sizeof(struct dirent) == 0, "directory entries must not span blocks");

#define NINODES 200

// The layout: boot block, superblock, log, inodes, bitmap, data.
static const uint nlog = LOGSIZE + 1;                // the header, then LOGSIZE blocks
static const uint ninodeblocks = NINODES / IPB + 1;
static uint fssize = FSSIZE;
static uint nbitmap;

static FILE *img;
static struct superblock sb;
static uint freeinode = 1;   // next inode to hand out (0 is never used)
static uint freeblock;       // next data block to hand out

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  fprintf(stderr, "mkfs: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static void
wsect(uint sec, const void *buf)
{
  if (fseek(img, (long)sec * BSIZE, SEEK_SET) != 0 || fwrite(buf, BSIZE, 1, img) != 1)
    die("write error: %s", strerror(errno));
}

static void
rsect(uint sec, void *buf)
{
  if (fseek(img, (long)sec * BSIZE, SEEK_SET) != 0 || fread(buf, BSIZE, 1, img) != 1)
    die("read error: %s", strerror(errno));
}

// Read or write inode inum through the block that holds it.
static void
rinode(uint inum, struct dinode *ip)
{
  uchar buf[BSIZE];

  rsect(IBLOCK(inum, sb), buf);
  *ip = ((struct dinode *)buf)[inum % IPB];
}

static void
winode(uint inum, const struct dinode *ip)
{
  uchar buf[BSIZE];

  rsect(IBLOCK(inum, sb), buf);
  ((struct dinode *)buf)[inum % IPB] = *ip;
  wsect(IBLOCK(inum, sb), buf);
}

static uint
ialloc(short type)
{
  struct dinode din;

  if (freeinode >= NINODES)
    die("out of inodes (NINODES is %d)", NINODES);
  memset(&din, 0, sizeof(din));
  din.type = type;
  din.nlink = 1;
  winode(freeinode, &din);
  return freeinode++;
}

// Hand out the next data block. The image starts zeroed, so the block is too.
static uint
balloc(void)
{
  if (freeblock >= fssize)
    die("out of data blocks: the files do not fit in %u blocks", fssize);
  return freeblock++;
}

// Return entry i of index block ind, allocating a block for it if it has none.
static uint
index_entry(uint ind, uint i)
{
  uint a[NINDIRECT];

  rsect(ind, a);
  if (a[i] == 0) {
    a[i] = balloc();
    wsect(ind, a);
  }
  return a[i];
}

static uint
inode_slot(struct dinode *din, int i)
{
  if (din->addrs[i] == 0)
    din->addrs[i] = balloc();
  return din->addrs[i];
}

// The disk block holding block fbn of the file, allocated if needed
// (as the kernel's bmap).
static uint
file_block(struct dinode *din, uint fbn)
{
  if (fbn < NDIRECT)
    return inode_slot(din, fbn);
  fbn -= NDIRECT;
  if (fbn < NINDIRECT)
    return index_entry(inode_slot(din, IND_SLOT), fbn);
  fbn -= NINDIRECT;
  if (fbn >= NDINDIRECT)
    die("file larger than MAXFILE blocks");
  uint mid = index_entry(inode_slot(din, DIND_SLOT), fbn / NINDIRECT);
  return index_entry(mid, fbn % NINDIRECT);
}

// Append n bytes to inode inum.
static void
iappend(uint inum, const void *data, uint n)
{
  const char *p = data;
  struct dinode din;
  uchar buf[BSIZE];

  rinode(inum, &din);
  while (n > 0) {
    uint off = din.size % BSIZE;
    uint m = n < BSIZE - off ? n : BSIZE - off;
    uint bno = file_block(&din, din.size / BSIZE);
    rsect(bno, buf);
    memcpy(buf + off, p, m);
    wsect(bno, buf);
    din.size += m;
    p += m;
    n -= m;
  }
  winode(inum, &din);
}

static void
add_dirent(uint dir, const char *name, uint inum)
{
  if (strlen(name) > DIRSIZ)
    die("%s: name longer than DIRSIZ", name);
  struct dirent de;

  memset(&de, 0, sizeof(de));
  de.inum = inum;
  // The entry is zeroed and name (checked by fs_name) fits: a name of exactly
  // DIRSIZ bytes is stored without its NUL.
  memcpy(de.name, name, strlen(name));
  iappend(dir, &de, sizeof(de));
}

// The name a file gets in the root: its last path element, without a leading '_'.
static const char *
fs_name(const char *path)
{
  const char *name = strrchr(path, '/');

  name = name ? name + 1 : path;
  if (*name == '_')
    name++;
  if (*name == 0 || strlen(name) > DIRSIZ)
    die("%s: name is empty or longer than DIRSIZ", path);
  return name;
}

// Is name already in directory dir?
static int
dir_has(uint dir, const char *name)
{
  struct dinode din;
  struct dirent de[BSIZE / sizeof(struct dirent)];
  uint off;

  rinode(dir, &din);
  for (off = 0; off < din.size; off += BSIZE) {
    rsect(file_block(&din, off / BSIZE), de);
    for (uint i = 0; i < BSIZE / sizeof(de[0]) && off + i * sizeof(de[0]) < din.size; i++)
      if (de[i].inum != 0 && strncmp(de[i].name, name, DIRSIZ) == 0)
        return 1;
  }
  return 0;
}

static void
add_file(uint root, const char *path)
{
  const char *name = fs_name(path);
  char buf[BSIZE];
  size_t n;
  FILE *f;

  if (dir_has(root, name))
    die("%s: two files with this name", name);
  if ((f = fopen(path, "rb")) == 0)
    die("%s: cannot open", path);
  uint inum = ialloc(T_FILE);
  add_dirent(root, name, inum);
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
    iappend(inum, buf, n);
  if (ferror(f))
    die("%s: read error", path);
  fclose(f);
}

// Mark blocks [0, freeblock) in use in the bitmap.
static void
write_bitmap(void)
{
  uchar buf[BSIZE];
  uint b, i;

  for (i = 0; i < nbitmap; i++) {
    memset(buf, 0, sizeof(buf));
    for (b = i * BPB; b < freeblock && b < (i + 1) * BPB; b++)
      buf[(b % BPB) / 8] |= 1 << (b % 8);
    wsect(sb.bmapstart + i, buf);
  }
}

int
main(int argc, char *argv[])
{
  uchar zeroes[BSIZE];
  uint i, nmeta;

  if (argc > 2 && strcmp(argv[1], "-s") == 0) {
    fssize = strtoul(argv[2], 0, 0);
    argc -= 2;
    argv += 2;
  }
  if (argc < 2 || fssize < 100) {
    fprintf(stderr, "usage: mkfs [-s blocks] fs.img file...\n");
    return 1;
  }
  if ((img = fopen(argv[1], "w+b")) == 0)
    die("%s: cannot create", argv[1]);

  nbitmap = fssize / BPB + 1;
  nmeta = 2 + nlog + ninodeblocks + nbitmap;
  sb.magic = FSMAGIC;
  sb.size = fssize;
  sb.nblocks = fssize - nmeta;
  sb.ninodes = NINODES;
  sb.nlog = nlog;
  sb.logstart = 2;
  sb.inodestart = 2 + nlog;
  sb.bmapstart = 2 + nlog + ninodeblocks;
  freeblock = nmeta;

  memset(zeroes, 0, sizeof(zeroes));
  for (i = 0; i < fssize; i++)
    wsect(i, zeroes);
  memcpy(zeroes, &sb, sizeof(sb));
  wsect(1, zeroes);

  uint root = ialloc(T_DIR);
  if (root != ROOTINO)
    die("root directory is not inode ROOTINO");
  add_dirent(root, ".", root);
  add_dirent(root, "..", root);
  for (i = 2; i < (uint)argc; i++)
    add_file(root, argv[i]);

  write_bitmap();
  if (fclose(img) != 0)
    die("%s: write error", argv[1]);
  return 0;
}

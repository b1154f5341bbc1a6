// Just enough of a flattened device tree reader to find RAM: QEMU's -m decides how
// much there is, and the device tree (address in a1 at boot) says.
#include <sys/types.h>
#include "kern/systm.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

static uint32
be32(const void *p)
{
  const uint8 *b = p;
  return ((uint32)b[0] << 24) | ((uint32)b[1] << 16) | ((uint32)b[2] << 8) | b[3];
}

static uint64
be64(const void *p)
{
  return ((uint64)be32(p) << 32) | be32((const uint8 *)p + 4);
}

// How many nodes named cpu@... there are: the harts QEMU started (-smp).
int
fdt_count_cpus(uint64 dtb)
{
  const uint8 *fdt = (const uint8 *)dtb;
  if (dtb == 0 || be32(fdt) != FDT_MAGIC)
    return 1;
  const uint8 *p = fdt + be32(fdt + 8);
  int n = 0;

  for (;;) {
    uint32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      if (strncmp(name, "cpu@", 4) == 0)
        n++;
      p += (strlen(name) + 4) & ~3;
    } else if (tok == FDT_PROP) {
      p += 8 + ((be32(p) + 3) & ~3);
    } else if (tok == FDT_END_NODE || tok == FDT_NOP) {
      continue;
    } else {
      return n > 0 ? n : 1;
    }
  }
}

// Find the "reg" property of the first node named memory@...: its base and size.
// Assumes #address-cells = #size-cells = 2, as on QEMU's virt machine.
int
fdt_memory(uint64 dtb, uint64 *base, uint64 *size)
{
  const uint8 *fdt = (const uint8 *)dtb;
  if (dtb == 0 || be32(fdt) != FDT_MAGIC)
    return -1;
  const uint8 *p = fdt + be32(fdt + 8);          // structure block
  const char *strings = (const char *)fdt + be32(fdt + 12);
  int inmem = 0, depth = 0, memdepth = -1;

  for (;;) {
    uint32 tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)p;
      depth++;
      if (strncmp(name, "memory@", 7) == 0 && !inmem) {
        inmem = 1;
        memdepth = depth;
      }
      p += (strlen(name) + 4) & ~3;
    } else if (tok == FDT_END_NODE) {
      if (inmem && depth == memdepth)
        inmem = 0;
      depth--;
    } else if (tok == FDT_PROP) {
      uint32 len = be32(p), nameoff = be32(p + 4);
      const uint8 *val = p + 8;
      if (inmem && depth == memdepth && strncmp(strings + nameoff, "reg", 4) == 0 && len >= 16) {
        *base = be64(val);
        *size = be64(val + 8);
        return 0;
      }
      p += 8 + ((len + 3) & ~3);
    } else if (tok == FDT_NOP) {
      continue;
    } else {
      return -1;
    }
  }
}

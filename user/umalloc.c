// malloc and free: the first-fit free list of Kernighan and Ritchie, section 8.7.
// Free blocks form a circular list sorted by address, so that free() can join a
// block with its neighbours; memory comes from sbrk in chunks of at least 4096 units.

#include "user/user.h"

// A block header, aligned like the strictest type so that what follows it is too.
union header {
  struct {
    union header *next;  // next free block (only while free)
    uint size;           // size of this block in header-sized units, header included
  } s;
  long double align;
};

typedef union header Header;

static Header base;      // a zero-size block that anchors the list
static Header *freep;    // where the last search stopped; 0 before the first malloc

void
free(void *ap)
{
  Header *bp, *p;

  if(ap == 0)
    return;
  bp = (Header*)ap - 1;
  // Find p such that bp lies between p and p->next, minding the wrap-around.
  for(p = freep; !(bp > p && bp < p->s.next); p = p->s.next)
    if(p >= p->s.next && (bp > p || bp < p->s.next))
      break;
  if(bp + bp->s.size == p->s.next){
    bp->s.size += p->s.next->s.size;
    bp->s.next = p->s.next->s.next;
  } else
    bp->s.next = p->s.next;
  if(p + p->s.size == bp){
    p->s.size += bp->s.size;
    p->s.next = bp->s.next;
  } else
    p->s.next = bp;
  freep = p;
}

// Grow the heap by at least nu units and put the new block on the free list.
static Header*
morecore(uint nu)
{
  char *p;
  Header *hp;

  if(nu < 4096)
    nu = 4096;
  // sbrk takes an int; a request that does not fit is one we cannot satisfy.
  if(nu > 0x7fffffff / sizeof(Header))
    return 0;
  p = sbrk(nu * sizeof(Header));
  if(p == (char*)-1)
    return 0;
  hp = (Header*)p;
  hp->s.size = nu;
  free((void*)(hp + 1));
  return freep;
}

void*
malloc(uint nbytes)
{
  Header *p, *prevp;
  uint nunits;

  nunits = (nbytes + sizeof(Header) - 1) / sizeof(Header) + 1;
  if((prevp = freep) == 0){
    base.s.next = freep = prevp = &base;
    base.s.size = 0;
  }
  for(p = prevp->s.next; ; prevp = p, p = p->s.next){
    if(p->s.size >= nunits){
      if(p->s.size == nunits)
        prevp->s.next = p->s.next;
      else {
        // Carve the tail end off, so the free block's header stays where it is.
        p->s.size -= nunits;
        p += p->s.size;
        p->s.size = nunits;
      }
      freep = prevp;
      return (void*)(p + 1);
    }
    if(p == freep)
      if((p = morecore(nunits)) == 0)
        return 0;
  }
}

// VM objects: what a map entry maps. An object holds pages by page index; an
// anonymous object fills with zeros, a vnode object from a file. Copy-on-write
// stacks objects: a shadow object holds the pages written since a fork and finds the
// rest in its backing object.
#ifndef _VM_VM_OBJECT_H_
#define _VM_VM_OBJECT_H_

#include <sys/types.h>
#include "kern/rbtree.h"
#include "kern/spinlock.h"
#include "vm/vm_map.h"

typedef enum { OBJT_DEFAULT, OBJT_SWAP, OBJT_VNODE, OBJT_DEAD } objtype_t;

struct inode;

struct vm_object {
  struct spinlock lock;              // protects the fields below and the page tree
  objtype_t type;
  int id;                            // for vmmap and debugging
  int ref_count;                     // map entries, shadows and others holding it
  int shadow_count;                  // objects whose backing object this is
  int flags;
  vm_pindex_t size;                  // in pages
  struct rb_tree rb_memq;            // resident pages, by pindex
  long resident_page_count;
  int paging_in_progress;            // busy pages (PG_BUSY) in rb_memq
  struct rb_tree swblocks;           // swapped-out pages' slots (swap_pager.c)
  long swap_count;                   // how many
  struct vm_object *backing_object;  // copy-on-write: look here for pages we lack
  vm_ooffset_t backing_object_offset;
  struct vm_object *shadow_head;     // the objects that this one backs
  struct vm_object *shadow_next;     // the next object with the same backing object
  struct inode *handle;              // OBJT_VNODE: the file
};
typedef struct vm_object *vm_object_t;

#define OBJ_ONEMAPPING 0x2000  // one map entry maps it, at one offset

void vm_object_init(void);
struct vm_object *vm_object_allocate(objtype_t type, vm_pindex_t size);
void vm_object_reference(struct vm_object *object);
void vm_object_deallocate(struct vm_object *object);
// Can prev_object, mapped at prev_offset for prev_size bytes, grow by next_size
// bytes so that one entry maps both? Only an anonymous object with one reference
// and no shadows can; its pages in the new range are dropped.
boolean_t vm_object_coalesce(struct vm_object *prev_object, vm_ooffset_t prev_offset,
                             vm_size_t prev_size, vm_size_t next_size);
// Free the object's pages in [start, end) (page indexes; end 0 means to the end).
void vm_object_page_remove(struct vm_object *object, vm_pindex_t start, vm_pindex_t end,
                           boolean_t clean_only);
void vm_object_page_remove_locked(struct vm_object *object, vm_pindex_t start, vm_pindex_t end);
// Replace *object by a new anonymous object backed by it (for copy-on-write): 1, or
// 0 with *object unchanged if memory ran out. (BSD's vm_object_shadow cannot fail.)
int vm_object_shadow_try(struct vm_object **object, vm_ooffset_t *offset, vm_size_t length);

// One lock guards every object's reference count, backing chain and page tree:
// simple and safe; DragonFly has a token per object. Never held across a sleep.
void vm_object_lock(void);
void vm_object_unlock(void);
void vm_object_sleep(void *chan);   // sleep with objlock held; it is held again after
// Collapse object with its backing object while nobody else uses that one, so that
// a long fork history leaves short chains. vm_object_lock held.
void vm_object_collapse(struct vm_object *object);
// How many objects deep the chain under object is (1 for an object with no backing).
int vm_object_chain_depth(struct vm_object *object);
// Install m (filled without the lock) at pindex, or free it if a racing fault put a
// page there first; returns the page that is there.
struct vm_page *vm_object_page_install(struct vm_object *object, vm_pindex_t pindex,
                                       struct vm_page *m);

// vnode_pager.c: objects for files.
struct vm_object *vnode_pager_alloc(struct inode *ip);   // referenced; 0 if no memory
                                                         // (ip unlocked: it may wait)
struct vm_page *vnode_pager_getpage(struct vm_object *object, vm_pindex_t pindex, int *error);
void vnode_pager_putpages(struct vm_object *object, vm_pindex_t start, vm_pindex_t end);
// The pageout daemon (objlock held): write back and free m, dirty and mapped
// nowhere: 0, or -1 if that would wait for the file system.
int vnode_pager_putpage_nowait(struct vm_page *m);
uint64 vnode_pager_pageouts(void);   // pages it wrote back, ever
// msync(MS_INVALIDATE): free the unmapped pages, if refs are all the references
void vnode_pager_invalidate(struct vm_object *object, vm_pindex_t start, vm_pindex_t end,
                            int refs);
void vnode_pager_dealloc(struct vm_object *object);     // the last reference is gone
void vnode_pager_read_sync(struct inode *ip);   // write back dirty pages before read()
// ip locked: write() put [off, off+n) on disk / ip was truncated.
void vnode_pager_written(struct inode *ip, uint off, uint n);
void vnode_pager_truncated(struct inode *ip);

#endif

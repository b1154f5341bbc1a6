// An intrusive red-black tree, with optional augmentation.
//
// A struct rb_node lives inside the structure it indexes (a vm_map_entry, a
// vm_page); rb_entry() gets from the node back to the structure. The tree does not
// compare keys itself: the caller finds the place to insert (walking from the root
// with its own comparison) and calls rb_insert(), which links the node there and
// rebalances.
//
// Augmentation: a tree may keep a value per node that summarises its subtree
// (vm_map keeps the largest free gap). The tree calls augment(node) on every node
// whose subtree changed, children before parents; augment recomputes the node's
// value from its own and its children's and returns nonzero if it changed. It gets
// the tree too, so that it can reach the structure the tree is embedded in.
#ifndef _KERN_RBTREE_H_
#define _KERN_RBTREE_H_

#include <sys/types.h>

struct rb_node {
  struct rb_node *parent;
  struct rb_node *left;
  struct rb_node *right;
  int red;
};

struct rb_tree {
  struct rb_node *root;
  int (*augment)(struct rb_tree *t, struct rb_node *n);   // or null
};

#define rb_entry(ptr, type, member) \
  ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

void rb_init(struct rb_tree *t, int (*augment)(struct rb_tree *, struct rb_node *));
// Link n as the left (left != 0) or right child of parent (null: as the root),
// then rebalance.
void rb_insert(struct rb_tree *t, struct rb_node *n, struct rb_node *parent, int left);
void rb_remove(struct rb_tree *t, struct rb_node *n);
// n's own augmented value changed: recompute it and its ancestors.
void rb_augment_path(struct rb_tree *t, struct rb_node *n);

struct rb_node *rb_first(struct rb_tree *t);
struct rb_node *rb_last(struct rb_tree *t);
struct rb_node *rb_next(struct rb_node *n);
struct rb_node *rb_prev(struct rb_node *n);

// Check the red-black rules (root black, no red node with a red child, the same
// number of black nodes on every path, parent links right). Returns the black
// height, or -1 if a rule is broken.
int rb_check(struct rb_tree *t);

#endif

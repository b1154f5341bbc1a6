// Red-black trees (see rbtree.h). The rules: every node is red or black, the root
// is black, a red node has no red child, and every path from a node down to a
// leaf passes the same number of black nodes. They keep the height below
// 2 log2(n+1), so lookups are O(log n).
#include <sys/types.h>
#include "kern/rbtree.h"

void
rb_init(struct rb_tree *t, int (*augment)(struct rb_tree *, struct rb_node *))
{
  t->root = 0;
  t->augment = augment;
}

// LAB rbtree 2: BEGIN
// Recompute n alone (after a rotation moved it).
static void
augment1(struct rb_tree *t, struct rb_node *n)
{
  if (t->augment && n)
    t->augment(t, n);
}
// LAB rbtree 2: END

// Recompute n and its ancestors.
void
rb_augment_path(struct rb_tree *t, struct rb_node *n)
{
  if (t->augment == 0)
    return;
  for (; n; n = n->parent)
    t->augment(t, n);
}

// Put c where n was in n's parent (or at the root).
static void
replace_child(struct rb_tree *t, struct rb_node *parent, struct rb_node *n, struct rb_node *c)
{
  if (parent == 0)
    t->root = c;
  else if (parent->left == n)
    parent->left = c;
  else
    parent->right = c;
}

// LAB rbtree 2: BEGIN
/*
 *     x              y
 *    / \            / \
 *   a   y   ==>    x   c
 *      / \        / \
 *     b   c      a   b
 */
static void
rotate_left(struct rb_tree *t, struct rb_node *x)
{
  struct rb_node *y = x->right;

  x->right = y->left;
  if (y->left)
    y->left->parent = x;
  y->parent = x->parent;
  replace_child(t, x->parent, x, y);
  y->left = x;
  x->parent = y;
  // x is now below y: recompute it first.
  augment1(t, x);
  augment1(t, y);
}

static void
rotate_right(struct rb_tree *t, struct rb_node *x)
{
  struct rb_node *y = x->left;

  x->left = y->right;
  if (y->right)
    y->right->parent = x;
  y->parent = x->parent;
  replace_child(t, x->parent, x, y);
  y->right = x;
  x->parent = y;
  augment1(t, x);
  augment1(t, y);
}
// LAB rbtree 2: END

void
rb_insert(struct rb_tree *t, struct rb_node *n, struct rb_node *parent, int left)
{
  n->parent = parent;
  n->left = n->right = 0;
  n->red = 1;
  if (parent == 0)
    t->root = n;
  else if (left)
    parent->left = n;
  else
    parent->right = n;
  rb_augment_path(t, n);

  // LAB rbtree 2: BEGIN
  // Fix a red node with a red parent, moving up the tree.
  while (n != t->root && n->parent->red) {
    struct rb_node *p = n->parent, *g = p->parent;
    if (p == g->left) {
      struct rb_node *u = g->right;
      if (u && u->red) {            // red uncle: recolour and go up
        p->red = u->red = 0;
        g->red = 1;
        n = g;
        continue;
      }
      if (n == p->right) {          // bend: rotate into a line
        rotate_left(t, p);
        n = p;
        p = n->parent;
      }
      p->red = 0;
      g->red = 1;
      rotate_right(t, g);
    } else {
      struct rb_node *u = g->left;
      if (u && u->red) {
        p->red = u->red = 0;
        g->red = 1;
        n = g;
        continue;
      }
      if (n == p->left) {
        rotate_right(t, p);
        n = p;
        p = n->parent;
      }
      p->red = 0;
      g->red = 1;
      rotate_left(t, g);
    }
  }
  t->root->red = 0;
  // LAB rbtree 2: END
}

static struct rb_node *
leftmost(struct rb_node *n)
{
  while (n && n->left)
    n = n->left;
  return n;
}

// LAB rbtree 3: BEGIN
// Restore the black height after a black node was removed from under parent,
// leaving x (maybe null) in its place.
static void
remove_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *parent)
{
  while (x != t->root && (x == 0 || !x->red)) {
    if (x == parent->left) {
      struct rb_node *w = parent->right;
      if (w->red) {
        w->red = 0;
        parent->red = 1;
        rotate_left(t, parent);
        w = parent->right;
      }
      if ((w->left == 0 || !w->left->red) && (w->right == 0 || !w->right->red)) {
        w->red = 1;
        x = parent;
        parent = x->parent;
      } else {
        if (w->right == 0 || !w->right->red) {
          w->left->red = 0;
          w->red = 1;
          rotate_right(t, w);
          w = parent->right;
        }
        w->red = parent->red;
        parent->red = 0;
        if (w->right)
          w->right->red = 0;
        rotate_left(t, parent);
        x = t->root;
        break;
      }
    } else {
      struct rb_node *w = parent->left;
      if (w->red) {
        w->red = 0;
        parent->red = 1;
        rotate_right(t, parent);
        w = parent->left;
      }
      if ((w->left == 0 || !w->left->red) && (w->right == 0 || !w->right->red)) {
        w->red = 1;
        x = parent;
        parent = x->parent;
      } else {
        if (w->left == 0 || !w->left->red) {
          w->right->red = 0;
          w->red = 1;
          rotate_left(t, w);
          w = parent->left;
        }
        w->red = parent->red;
        parent->red = 0;
        if (w->left)
          w->left->red = 0;
        rotate_right(t, parent);
        x = t->root;
        break;
      }
    }
  }
  if (x)
    x->red = 0;
}
// LAB rbtree 3: END

void
rb_remove(struct rb_tree *t, struct rb_node *n)
{
  struct rb_node *x, *parent;
  int removed_red;

  if (n->left == 0 || n->right == 0) {
    // At most one child: splice n out.
    x = n->left ? n->left : n->right;
    parent = n->parent;
    removed_red = n->red;
    if (x)
      x->parent = parent;
    replace_child(t, parent, n, x);
    rb_augment_path(t, parent);
  } else {
    // Two children: put n's successor s (which has no left child) in n's place.
    struct rb_node *s = leftmost(n->right);
    removed_red = s->red;
    x = s->right;
    if (s->parent == n) {
      parent = s;
    } else {
      parent = s->parent;
      parent->left = x;
      if (x)
        x->parent = parent;
      s->right = n->right;
      s->right->parent = s;
    }
    s->left = n->left;
    s->left->parent = s;
    s->parent = n->parent;
    s->red = n->red;
    replace_child(t, n->parent, n, s);
    rb_augment_path(t, parent);
  }
  // LAB rbtree 3: BEGIN
  if (!removed_red && t->root)
    remove_fixup(t, x, parent);
  // LAB rbtree 3: STARTER
  // (void)removed_red;   // a plain binary search tree: nothing to fix
  // (void)x;
  // LAB rbtree 3: END
}

struct rb_node *
rb_first(struct rb_tree *t)
{
  return leftmost(t->root);
}

struct rb_node *
rb_last(struct rb_tree *t)
{
  struct rb_node *n = t->root;
  while (n && n->right)
    n = n->right;
  return n;
}

struct rb_node *
rb_next(struct rb_node *n)
{
  if (n->right)
    return leftmost(n->right);
  while (n->parent && n == n->parent->right)
    n = n->parent;
  return n->parent;
}

struct rb_node *
rb_prev(struct rb_node *n)
{
  if (n->left) {
    n = n->left;
    while (n->right)
      n = n->right;
    return n;
  }
  while (n->parent && n == n->parent->left)
    n = n->parent;
  return n->parent;
}

static int
check(struct rb_node *n, struct rb_node *parent)
{
  if (n == 0)
    return 1;
  if (n->parent != parent)
    return -1;
  if (n->red && ((n->left && n->left->red) || (n->right && n->right->red)))
    return -1;
  int l = check(n->left, n), r = check(n->right, n);
  if (l < 0 || r < 0 || l != r)
    return -1;
  return l + !n->red;
}

int
rb_check(struct rb_tree *t)
{
  if (t->root && t->root->red)
    return -1;
  return check(t->root, 0);
}

// The red-black tree (kernel/kern/rbtree.c) with an augment that keeps each
// node's subtree size and subtree weight sum: random inserts and removals, checking
// after each one the red-black rules (rb_check), the in-order walk against a
// reference, and every augmented value.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kern/rbtree.h"
#include "test.h"
#include "rng.h"

struct node {
  struct rb_node rb;
  int key;
  long weight;     // the node's own value
  int size;        // augmented: nodes in the subtree
  long sum;        // augmented: weights in the subtree
};

#define N(p) rb_entry(p, struct node, rb)

static long augment_calls;

static int
augment(struct rb_tree *t, struct rb_node *n)
{
  (void)t;
  struct node *x = N(n);
  int size = 1;
  long sum = x->weight;
  augment_calls++;
  if (n->left) {
    size += N(n->left)->size;
    sum += N(n->left)->sum;
  }
  if (n->right) {
    size += N(n->right)->size;
    sum += N(n->right)->sum;
  }
  int changed = size != x->size || sum != x->sum;
  x->size = size;
  x->sum = sum;
  return changed;
}

static struct node *
find(struct rb_tree *t, int key)
{
  struct rb_node *n = t->root;
  while (n) {
    if (key < N(n)->key)
      n = n->left;
    else if (key > N(n)->key)
      n = n->right;
    else
      return N(n);
  }
  return 0;
}

static void
insert(struct rb_tree *t, struct node *x)
{
  struct rb_node *parent = 0, **link = &t->root;
  int left = 0;
  while (*link) {
    parent = *link;
    left = x->key < N(parent)->key;
    link = left ? &parent->left : &parent->right;
  }
  rb_insert(t, &x->rb, parent, left);
}

// Recheck the augmented values bottom-up; returns the subtree size, or -1.
static int
check_aug(struct rb_node *n, long *sum)
{
  if (n == 0) {
    *sum = 0;
    return 0;
  }
  long ls, rs;
  int l = check_aug(n->left, &ls), r = check_aug(n->right, &rs);
  if (l < 0 || r < 0)
    return -1;
  *sum = ls + rs + N(n)->weight;
  if (N(n)->size != l + r + 1 || N(n)->sum != *sum)
    return -1;
  return l + r + 1;
}

// The whole tree against present[0..nkeys): rules, order both ways, augments.
static int
check_tree(struct rb_tree *t, const char *present, int nkeys, int count)
{
  if (rb_check(t) < 0)
    return t_fail(__FILE__, __LINE__, "rb_check failed");
  long sum;
  if (check_aug(t->root, &sum) != count)
    return t_fail(__FILE__, __LINE__, "augmented sizes/sums wrong (or count %d off)", count);
  struct rb_node *n = rb_first(t);
  for (int k = 0; k < nkeys; k++) {
    if (!present[k])
      continue;
    if (n == 0 || N(n)->key != k)
      return t_fail(__FILE__, __LINE__, "in-order walk: expected key %d, got %d", k,
                    n ? N(n)->key : -1);
    n = rb_next(n);
  }
  if (n != 0)
    return t_fail(__FILE__, __LINE__, "in-order walk: extra key %d", N(n)->key);
  int k = nkeys - 1;
  for (n = rb_last(t); n; n = rb_prev(n)) {
    while (k >= 0 && !present[k])
      k--;
    if (k < 0 || N(n)->key != k)
      return t_fail(__FILE__, __LINE__, "reverse walk: expected key %d, got %d", k, N(n)->key);
    k--;
  }
  while (k >= 0 && !present[k])
    k--;
  if (k >= 0)
    return t_fail(__FILE__, __LINE__, "reverse walk: missing key %d", k);
  return 1;
}

static void
random_ops(uint64_t seed, int nkeys, int nops)
{
  struct rb_tree t;
  struct node *nodes = calloc(nkeys, sizeof(*nodes));
  char *present = calloc(nkeys, 1);
  struct rng r;
  int count = 0;

  rng_seed(&r, seed);
  rb_init(&t, augment);
  for (int i = 0; i < nkeys; i++) {
    nodes[i].key = i;
    nodes[i].weight = (long)rng_below(&r, 1000) - 500;
  }
  for (int op = 0; op < nops && !t_failed(); op++) {
    int k = rng_below(&r, nkeys);
    // Grow to about two thirds full, then hover.
    int want_insert = rng_below(&r, 3 * nkeys) >= (unsigned)count;
    if (want_insert && !present[k]) {
      insert(&t, &nodes[k]);
      present[k] = 1;
      count++;
    } else if (!want_insert && present[k]) {
      rb_remove(&t, &nodes[k].rb);
      present[k] = 0;
      count--;
    } else if (present[k]) {
      // Change a node's own value in place and repair the path.
      nodes[k].weight = (long)rng_below(&r, 1000) - 500;
      rb_augment_path(&t, &nodes[k].rb);
    }
    CHECK(find(&t, k) == (present[k] ? &nodes[k] : 0));
    if (!check_tree(&t, present, nkeys, count))
      t_fail(__FILE__, __LINE__, "after op %d (key %d), seed %llu", op, k,
             (unsigned long long)seed);
  }
  // Empty it in random order.
  for (int k = 0; k < nkeys && !t_failed(); k++) {
    int j = (k * 7919) % nkeys;
    if (present[j]) {
      rb_remove(&t, &nodes[j].rb);
      present[j] = 0;
      count--;
      if (count % 64 == 0)
        check_tree(&t, present, nkeys, count);
    }
  }
  CHECK(t.root == 0);
  CHECK(rb_first(&t) == 0 && rb_last(&t) == 0);
  free(nodes);
  free(present);
}

static void
rbtree_random(void)
{
  random_ops(1, 1500, 10000);
  random_ops(2, 64, 20000);     // small trees: every shape over and over
}

// Sorted and reverse-sorted insertion: the worst case for an unbalanced tree.
static void
rbtree_sequential(void)
{
  enum { NK = 4096 };
  static struct node nodes[NK];
  static char present[NK];
  struct rb_tree t;

  for (int pass = 0; pass < 2; pass++) {
    rb_init(&t, augment);
    memset(present, 0, sizeof(present));
    for (int i = 0; i < NK; i++) {
      int k = pass ? NK - 1 - i : i;
      nodes[k] = (struct node){ .key = k, .weight = 1 };
      insert(&t, &nodes[k]);
      present[k] = 1;
    }
    REQUIRE(check_tree(&t, present, NK, NK));
    // Height of a red-black tree: at most 2 log2(n+1) = 24 for 4096.
    int h = 0;
    for (int k = 0; k < NK; k++) {
      int d = 0;
      for (struct rb_node *n = &nodes[k].rb; n; n = n->parent)
        d++;
      if (d > h)
        h = d;
    }
    CHECK(h <= 24);
    CHECK_EQ(N(t.root)->size, NK);
    CHECK_EQ(N(t.root)->sum, NK);
    for (int i = 0; i < NK; i += 2) {
      rb_remove(&t, &nodes[i].rb);
      present[i] = 0;
    }
    CHECK(check_tree(&t, present, NK, NK / 2));
  }
}

// Without an augment function the tree works the same (augment is optional).
static void
rbtree_no_augment(void)
{
  enum { NK = 500 };
  static struct node nodes[NK];
  static char present[NK];
  struct rb_tree t;
  struct rng r;

  rng_seed(&r, 7);
  rb_init(&t, 0);
  for (int op = 0; op < 5000; op++) {
    int k = rng_below(&r, NK);
    if (present[k]) {
      rb_remove(&t, &nodes[k].rb);
      present[k] = 0;
    } else {
      nodes[k].key = k;
      insert(&t, &nodes[k]);
      present[k] = 1;
    }
    REQUIRE(rb_check(&t) >= 0);
  }
  struct rb_node *n = rb_first(&t);
  for (int k = 0; k < NK; k++) {
    if (!present[k])
      continue;
    REQUIRE(n && N(n)->key == k);
    n = rb_next(n);
  }
  CHECK(n == 0);
}

// rb_check is a checker that can fail: break each rule and see it notice.
static void
rbtree_check_catches(void)
{
  enum { NK = 100 };
  static struct node nodes[NK];
  struct rb_tree t;

  rb_init(&t, augment);
  for (int k = 0; k < NK; k++) {
    nodes[k] = (struct node){ .key = k };
    insert(&t, &nodes[k]);
  }
  REQUIRE(rb_check(&t) > 0);

  t.root->red = 1;                          // a red root
  CHECK(rb_check(&t) < 0);
  t.root->red = 0;
  REQUIRE(rb_check(&t) > 0);

  struct rb_node *leaf = rb_first(&t);      // a black leaf: black heights differ
  int was = leaf->red;
  leaf->red = !was;
  CHECK(rb_check(&t) < 0);
  leaf->red = was;
  REQUIRE(rb_check(&t) > 0);

  struct rb_node *p = leaf->parent;         // a wrong parent link
  leaf->parent = t.root == p ? p->right : t.root;
  CHECK(rb_check(&t) < 0);
  leaf->parent = p;
  CHECK(rb_check(&t) > 0);
}

// An empty tree and a one-node tree.
static void
rbtree_tiny(void)
{
  struct rb_tree t;
  struct node a = { .key = 5, .weight = 3 };

  rb_init(&t, augment);
  CHECK(rb_check(&t) == 1);
  CHECK(rb_first(&t) == 0);
  insert(&t, &a);
  CHECK(rb_check(&t) == 2);
  CHECK(t.root == &a.rb && !a.rb.red);
  CHECK(rb_first(&t) == &a.rb && rb_last(&t) == &a.rb);
  CHECK(rb_next(&a.rb) == 0 && rb_prev(&a.rb) == 0);
  CHECK(a.size == 1 && a.sum == 3);
  rb_remove(&t, &a.rb);
  CHECK(t.root == 0);
}

const struct test rbtree_tests[] = {
  { "rbtree_tiny", rbtree_tiny, "rbtree", 2 },
  { "rbtree_random", rbtree_random, "rbtree", 3 },
  { "rbtree_sequential", rbtree_sequential, "rbtree", 3 },
  { "rbtree_no_augment", rbtree_no_augment, "rbtree", 3 },
  { "rbtree_check_catches", rbtree_check_catches, "rbtree", 2 },
  { 0, 0, 0 },
};

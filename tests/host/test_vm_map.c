#include "test.h"
const struct test vm_map_tests[] = { { 0, 0 } };

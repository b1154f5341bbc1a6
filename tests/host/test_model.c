#include "test.h"
const struct test model_tests[] = { { 0, 0 } };

// tests/test_main.cpp — doctest's main(), compiled once and linked into every test executable.
// Nothing else lives here; each test file includes only <doctest/doctest.h>.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

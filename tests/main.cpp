// The one translation unit that defines doctest's main(). Test cases live in the other
// tests/*.cpp files, one per public header, each including its header first.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

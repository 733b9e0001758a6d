#include <searchtrace/version.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

TEST_CASE("version string matches the version macros") {
  const std::string expected = std::to_string(SEARCHTRACE_VERSION_MAJOR) + "." +
                               std::to_string(SEARCHTRACE_VERSION_MINOR) + "." +
                               std::to_string(SEARCHTRACE_VERSION_PATCH);
  CHECK(searchtrace::version == expected);
  CHECK(SEARCHTRACE_VERSION == SEARCHTRACE_VERSION_MAJOR * 10000 + SEARCHTRACE_VERSION_MINOR * 100 +
                                   SEARCHTRACE_VERSION_PATCH);
}

TEST_CASE("version header agrees with project(VERSION) in CMakeLists.txt") {
#ifdef SEARCHTRACE_PROJECT_VERSION
  CHECK(searchtrace::version == std::string_view{SEARCHTRACE_PROJECT_VERSION});
#else
  MESSAGE("SEARCHTRACE_PROJECT_VERSION not defined by the build; skipped");
#endif
}

TEST_CASE("version is usable in constant expressions") {
  static_assert(!searchtrace::version.empty());
  static_assert(searchtrace::version.find('.') != std::string_view::npos);
  CHECK(searchtrace::version.size() >= 5);
}

#pragma once

/// \file
/// The library's version: macros for the preprocessor, a string for everything else.

#include <string_view>

#define SEARCHTRACE_VERSION_MAJOR 0
#define SEARCHTRACE_VERSION_MINOR 1
#define SEARCHTRACE_VERSION_PATCH 0
/// MAJOR * 10000 + MINOR * 100 + PATCH, for `#if SEARCHTRACE_VERSION >= 100`.
#define SEARCHTRACE_VERSION                                                                        \
  (SEARCHTRACE_VERSION_MAJOR * 10000 + SEARCHTRACE_VERSION_MINOR * 100 + SEARCHTRACE_VERSION_PATCH)

namespace searchtrace {

/// "MAJOR.MINOR.PATCH"; kept equal to project(VERSION) in CMakeLists.txt (a test checks it).
inline constexpr std::string_view version = "0.1.0";

} // namespace searchtrace

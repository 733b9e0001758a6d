// The seed's example prompt (docs/reference.md, 'The seed's example, worked through'), which many
// test files start from.
#pragma once

#include <searchtrace/prompt.hpp>

#include <doctest/doctest.h>

#include <string_view>
#include <utility>

namespace searchtrace_test {

inline constexpr std::string_view seed_prompt = "1,3|2,4|1,2|0,1|0,2|3,4/0,4";

inline searchtrace::Prompt seed_example() {
  auto p = searchtrace::parse_prompt(seed_prompt);
  REQUIRE(p.ok());
  return std::move(p).value();
}

} // namespace searchtrace_test

#include <searchtrace/hints.hpp>

#include <doctest/doctest.h>

#include <vector>

namespace {

SEARCHTRACE_HOT_INLINE int square(int x) {
  return x * x;
}

// What the bit-row tracer relies on: a flattened function may call out-of-line library code
// (std::vector growth) and still behave as written.
SEARCHTRACE_FLATTEN inline std::vector<int> squares(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i)
    v.push_back(square(i));
  return v;
}

} // namespace

TEST_CASE("hinted functions behave as written") {
  const std::vector<int> v = squares(100); // grows the vector several times
  REQUIRE(v.size() == 100u);
  CHECK(v[0] == 0);
  CHECK(v[7] == 49);
  CHECK(v[99] == 9801);
}

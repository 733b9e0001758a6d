#include <searchtrace/bits.hpp>

#include <doctest/doctest.h>

#include <cstdint>

#include <searchtrace/dataset.hpp>

using namespace searchtrace;

namespace {

constexpr int naive_popcount(std::uint64_t x) {
  int n = 0;
  for (; x != 0; x >>= 1)
    n += static_cast<int>(x & 1u);
  return n;
}

// Evaluated by the compiler: a definition that recursed (as one once did when POPCNT was on)
// fails to compile here instead of overflowing the stack at run time.
static_assert(detail::popcount64(0) == 0);
static_assert(detail::popcount64(~std::uint64_t{0}) == 64);
static_assert(detail::popcount64(0x8000000000000001ull) == 2);
static_assert(detail::popcount64(0x00F0F0F0F0F0F0F0ull) == naive_popcount(0x00F0F0F0F0F0F0F0ull));

} // namespace

TEST_CASE("popcount64 counts the set bits of any word") {
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const std::uint64_t sparse = x & (x >> 3) & (x >> 5);
    CHECK(detail::popcount64(x) == naive_popcount(x));
    CHECK(detail::popcount64(sparse) == naive_popcount(sparse));
  }
}

TEST_CASE("the bit-row paths generate and trace samples") {
  // The families whose sampler, graph builder and tracer run on 64-bit rows, in whatever
  // instruction set this binary was built for (the suite is built once with -mpopcnt as well).
  for (const char* spec :
       {"G15_2_4", "G20_5_6", "tree(n=64,dist=3..9,L=100)", "connected(n=70,dist=2..8,L=100)"}) {
    DatasetOptions o;
    o.family_spec = spec;
    auto gen = Generator::create(o);
    REQUIRE(gen);
    Sample s;
    for (std::uint64_t i = 0; i < 50; ++i) {
      REQUIRE_FALSE(gen->generate(i, s));
      CHECK(s.info.distance >= 2u);
      CHECK(s.trace.path.size() == s.info.distance + 1);
      CHECK(s.prompt.graph.edge_count() == s.info.edges);
    }
  }
}

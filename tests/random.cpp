#include <searchtrace/random.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <numeric>
#include <vector>

using searchtrace::Rng;

namespace {

// The reference algorithms, transcribed independently from Vigna's C sources
// (prng.di.unimi.it/splitmix64.c and xoshiro256starstar.c).
std::uint64_t ref_splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t ref_rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

std::uint64_t ref_xoshiro(std::array<std::uint64_t, 4>& s) {
  const std::uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = ref_rotl(s[3], 45);
  return result;
}

} // namespace

TEST_CASE("Rng is xoshiro256** seeded by splitmix64, as the reference code") {
  for (const std::uint64_t seed : {0ull, 1ull, 12345ull, 0xFFFFFFFFFFFFFFFFull}) {
    std::uint64_t sm = seed;
    std::array<std::uint64_t, 4> s{};
    for (auto& w : s)
      w = ref_splitmix64(sm);
    Rng r(seed);
    CHECK(r.state() == s);
    for (int i = 0; i < 100; ++i)
      CHECK(r.next() == ref_xoshiro(s));
  }
}

// Golden values: a change here changes every dataset ever generated. Only change them on purpose.
TEST_CASE("Rng golden outputs are fixed across compilers and platforms") {
  Rng a(0);
  CHECK(a.next() == 0x99ec5f36cb75f2b4ull);
  CHECK(a.next() == 0xbf6e1f784956452aull);
  CHECK(a.next() == 0x1a5f849d4933e6e0ull);
  CHECK(a.next() == 0x6aa594f1262d2d2cull);
  Rng b(12345);
  CHECK(b.next() == 0xbe6a36374160d49bull);
  CHECK(b.next() == 0x214aaa0637a688c6ull);
  Rng c = Rng::for_sample(1, 2, 3);
  CHECK(c.next() == 0x4f537e60b15b2b05ull);
  CHECK(c.next() == 0x8fbc9a0b318ceab8ull);
  CHECK(c.next() == 0xcd17b40b1438232aull);
  CHECK(c.next() == 0x7cf6c9dcfc0292f4ull);
  Rng d = Rng::for_sample(0, 0);
  CHECK(d.next() == 0x67314f2a1ddc5db6ull);
  CHECK(d.next() == 0x05c9ae9418e3f3baull);

  Rng e(7);
  const std::vector<std::uint64_t> below15{10, 4, 12, 14, 14, 13, 0, 1, 6, 2, 8, 10};
  for (const std::uint64_t x : below15)
    CHECK(e.below(15) == x);
  Rng f(7);
  CHECK(f.below((1ull << 63) + 1) == 0x59ac7d7ba77cbb2dull);
  CHECK(f.below((1ull << 63) + 1) == 0x6b78e9a4ca963ccbull);
  Rng g(7);
  CHECK(g.unit() == 0x1.66b1f5ee9df2ep-1);
  CHECK(g.unit() == 0x1.1d70f6593d20ap-2);
  Rng h(7);
  std::vector<int> v{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  h.shuffle(v);
  CHECK(v == std::vector<int>{1, 8, 3, 0, 4, 5, 9, 6, 2, 7});
}

TEST_CASE("below is Lemire's multiply-shift: the high word of next() times the bound") {
  // Without a rejection (almost always for small bounds) below(b) is (next() * b) >> 64,
  // computed here from 32-bit halves.
  auto mul_high = [](std::uint64_t a, std::uint64_t b) {
    const std::uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    const std::uint64_t mid = (a0 * b0 >> 32) + (a0 * b1 & 0xFFFFFFFFu) + (a1 * b0 & 0xFFFFFFFFu);
    return a1 * b1 + (a0 * b1 >> 32) + (a1 * b0 >> 32) + (mid >> 32);
  };
  Rng r(99), twin(99);
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const std::uint64_t bound = 1 + (i * 7919) % 1000;
    CHECK(r.below(bound) == mul_high(twin.next(), bound));
  }
}

TEST_CASE("below stays in range, covers it, and is roughly uniform") {
  Rng r(2024);
  CHECK(r.below(0) == 0);
  CHECK(r.below(1) == 0);
  for (const std::uint64_t bound :
       {2ull, 3ull, 7ull, 50ull, 1000ull, (1ull << 32) + 15, (1ull << 63) + 1, ~0ull}) {
    for (int i = 0; i < 2000; ++i)
      CHECK(r.below(bound) < bound);
  }
  // Chi-square over 7 cells, 70000 draws: df = 6, the 99.9% quantile is 22.46.
  std::array<int, 7> counts{};
  for (int i = 0; i < 70000; ++i)
    ++counts[r.below(7)];
  double chi2 = 0;
  for (const int c : counts)
    chi2 += (c - 10000.0) * (c - 10000.0) / 10000.0;
  CHECK(chi2 < 22.46);
  // A bound just above 2^63 rejects almost half of the outputs: still in range and balanced.
  int high = 0;
  for (int i = 0; i < 4000; ++i)
    high += r.below((1ull << 63) + 1) >= (1ull << 62);
  CHECK(high > 1800);
  CHECK(high < 2200);
}

TEST_CASE("between is inclusive at both ends") {
  Rng r(5);
  std::array<int, 4> seen{};
  for (int i = 0; i < 400; ++i) {
    const auto x = r.between(10, 13);
    REQUIRE(x >= 10);
    REQUIRE(x <= 13);
    ++seen[x - 10];
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c > 50; }));
  CHECK(r.between(4, 4) == 4);
  (void)r.between(0, ~0ull); // the full range does not overflow
}

TEST_CASE("unit has 53 random bits below 1 and chance(p) is unit() < p") {
  Rng r(11), twin(11);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.unit();
    CHECK(u >= 0.0);
    CHECK(u < 1.0);
    CHECK(u == static_cast<double>(twin.next() >> 11) * 0x1.0p-53);
  }
  Rng a(3), b(3);
  for (int i = 0; i < 1000; ++i)
    CHECK(a.chance(0.3) == (b.unit() < 0.3));
  int hits = 0;
  for (int i = 0; i < 10000; ++i)
    hits += a.chance(0.25);
  CHECK(hits > 2300);
  CHECK(hits < 2700);
  // p = 0 never, p = 1 always, and both consume one output, so a stream never shifts.
  Rng c(8), d(8);
  for (int i = 0; i < 100; ++i) {
    CHECK_FALSE(c.chance(0.0));
    CHECK(c.chance(1.0));
  }
  for (int i = 0; i < 200; ++i)
    (void)d.next();
  CHECK(c.next() == d.next());
}

TEST_CASE("shuffle is Fisher-Yates: a permutation, uniform over positions") {
  Rng r(17);
  std::array<std::array<int, 5>, 5> where{};
  for (int t = 0; t < 10000; ++t) {
    std::array<int, 5> a{0, 1, 2, 3, 4};
    r.shuffle(std::span(a));
    std::array<int, 5> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == std::array<int, 5>{0, 1, 2, 3, 4});
    for (int i = 0; i < 5; ++i)
      ++where[a[i]][i];
  }
  for (const auto& row : where)
    for (const int c : row) {
      CHECK(c > 1800);
      CHECK(c < 2200);
    }
  // Exactly n-1 draws of below(i), i = n..2, from the back.
  Rng s(23), manual(23);
  std::vector<int> v(8);
  std::iota(v.begin(), v.end(), 0);
  std::vector<int> w = v;
  s.shuffle(v);
  for (std::size_t i = w.size(); i > 1; --i)
    std::swap(w[i - 1], w[manual.below(i)]);
  CHECK(v == w);
  std::vector<int> empty;
  s.shuffle(empty);
  CHECK(empty.empty());
}

TEST_CASE("for_sample depends on seed, index and stream alone") {
  // Any order of construction gives the same stream.
  std::vector<std::uint64_t> forward, backward(100);
  for (std::uint64_t i = 0; i < 100; ++i)
    forward.push_back(Rng::for_sample(42, i).next());
  for (std::uint64_t i = 100; i-- > 0;)
    backward[i] = Rng::for_sample(42, i).next();
  CHECK(forward == backward);
  // Neighbouring seeds, indices and streams share no state word and none of their first outputs.
  std::vector<std::uint64_t> words, outputs;
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    for (std::uint64_t index = 0; index < 20; ++index)
      for (std::uint64_t stream = 0; stream < 3; ++stream) {
        Rng r = Rng::for_sample(seed, index, stream);
        words.insert(words.end(), r.state().begin(), r.state().end());
        for (int k = 0; k < 4; ++k)
          outputs.push_back(r.next());
      }
  for (auto* v : {&words, &outputs}) {
    std::sort(v->begin(), v->end());
    CHECK(std::adjacent_find(v->begin(), v->end()) == v->end());
  }
  // Bits are balanced across indices (a mixing defect would show as a biased bit).
  std::array<int, 64> ones{};
  for (std::uint64_t i = 0; i < 4000; ++i) {
    const std::uint64_t x = Rng::for_sample(7, i).next();
    for (int b = 0; b < 64; ++b)
      ones[b] += (x >> b) & 1;
  }
  for (const int c : ones) {
    CHECK(c > 1800);
    CHECK(c < 2200);
  }
  CHECK(Rng::for_sample(1, 2, 0).state() != Rng::for_sample(2, 1, 0).state());
  CHECK(Rng::from_state(Rng::for_sample(5, 6).state()).next() == Rng::for_sample(5, 6).next());
}

// Portable randomness: a generator whose every output is fixed by this file alone, so a dataset
// comes back byte for byte from its seed on any compiler, platform or thread count.
//
//   (seed, index, stream) → Rng::for_sample → Sampler's draws (below, chance, shuffle)
//
// xoshiro256** (Blackman & Vigna 2018) seeded by splitmix64; derived draws use our own exactly
// specified arithmetic, never <random>'s implementation-defined distributions. Golden outputs
// are pinned in tests/random.cpp: a change here changes every dataset.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <ranges>
#include <utility>

#include "searchtrace/hints.hpp"

namespace searchtrace {

namespace detail {

constexpr std::uint64_t rotl64(std::uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

/// The splitmix64 finaliser (Stafford's "Mix13"): a bijection whose output bits each depend on
/// every input bit.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The high 64 bits of a 64×64-bit product.
inline std::uint64_t mul_high64(std::uint64_t a, std::uint64_t b, std::uint64_t& low) noexcept {
#if defined(__SIZEOF_INT128__)
  __extension__ using u128 = unsigned __int128;
  const u128 m = static_cast<u128>(a) * b;
  low = static_cast<std::uint64_t>(m);
  return static_cast<std::uint64_t>(m >> 64);
#else
  const std::uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
  const std::uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const std::uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
  low = (mid << 32) | (p00 & 0xFFFFFFFFu);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

} // namespace detail

/// xoshiro256** with our own derived draws. Not cryptographic.
class Rng {
public:
  using State = std::array<std::uint64_t, 4>;

  /// Four outputs of splitmix64 started at `seed` (the reference seeding).
  explicit Rng(std::uint64_t seed = 0) noexcept {
    std::uint64_t sm = seed;
    for (auto& w : s_) {
      sm += 0x9e3779b97f4a7c15ull;
      w = detail::mix64(sm);
    }
  }

  /// The stream of sample `index` of dataset `seed` (`stream`: independent uses of one sample),
  /// so sample i never depends on samples 0..i-1. From bijections a = mix(seed ^ K0),
  /// b = mix(index ^ mix(a + K1)), c = mix(stream ^ mix(b + K2)), the state
  /// (a ^ mix(c ^ K3), c, b ^ mix(c + K4), mix(c + K5)) has every word depend on all inputs,
  /// differs for distinct triples, and is never all zero.
  static Rng for_sample(std::uint64_t seed, std::uint64_t index,
                        std::uint64_t stream = 0) noexcept {
    using detail::mix64;
    const std::uint64_t a = mix64(seed ^ 0x243f6a8885a308d3ull);
    const std::uint64_t b = mix64(index ^ mix64(a + 0x13198a2e03707344ull));
    const std::uint64_t c = mix64(stream ^ mix64(b + 0xa4093822299f31d0ull));
    return from_state({a ^ mix64(c ^ 0x082efa98ec4e6c89ull), c,
                       b ^ mix64(c + 0x452821e638d01377ull), mix64(c + 0xbe5466cf34e90c6cull)});
  }

  /// Not all zero.
  static Rng from_state(const State& s) noexcept {
    Rng r;
    r.s_ = s;
    return r;
  }

  const State& state() const noexcept { return s_; }

  SEARCHTRACE_HOT_INLINE std::uint64_t next() noexcept {
    const std::uint64_t result = detail::rotl64(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = detail::rotl64(s_[3], 45);
    return result;
  }

  /// Uniform in [0, bound) (0 when bound is 0): Lemire's multiply-shift, rejecting the few low
  /// words that would bias it; one output almost always.
  SEARCHTRACE_HOT_INLINE std::uint64_t below(std::uint64_t bound) noexcept {
    std::uint64_t low = 0;
    const std::uint64_t high = detail::mul_high64(next(), bound, low);
    if (low < bound) [[unlikely]]
      return below_slow(bound, high, low);
    return high;
  }

  /// Uniform in [lo, hi], lo ≤ hi.
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept {
    return hi - lo == ~std::uint64_t{0} ? next() : lo + below(hi - lo + 1);
  }

  /// The top 53 bits of one output, times 2^-53 (exact).
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// `unit() < p`: exactly ⌈p·2^53⌉/2^53 for p in [0,1]. Always one output, whatever p, so a
  /// stream never shifts.
  bool chance(double p) noexcept { return unit() < p; }

  /// Fisher–Yates from the back: for i = n-1 down to 1, swap items i and below(i+1).
  template <std::ranges::contiguous_range R>
  void shuffle(R&& items) noexcept {
    const auto data = std::ranges::data(items);
    for (std::size_t i = std::ranges::size(items); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(below(i));
      using std::swap;
      swap(data[i - 1], data[j]);
    }
  }

private:
  // Out of line, so that the common path inlines into the sampler's loops.
  std::uint64_t below_slow(std::uint64_t bound, std::uint64_t high, std::uint64_t low) noexcept {
    const std::uint64_t threshold = (0 - bound) % bound; // 2^64 mod bound
    while (low < threshold)
      high = detail::mul_high64(next(), bound, low);
    return high;
  }

  State s_{};
};

} // namespace searchtrace

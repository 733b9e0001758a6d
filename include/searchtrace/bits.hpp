// Bit-set helpers shared by the small-graph paths (graphs of up to 64 nodes kept as one 64-bit
// row per node): the sampler, the graph builder and the tracer.
#pragma once

#include <bit>
#include <cstdint>

namespace searchtrace::detail {

/// std::popcount without POPCNT is a library call (GCC's __popcountdi2): the portable x86 build
/// takes the same bit-parallel sum inline instead.
constexpr int popcount64(std::uint64_t x) noexcept {
#if defined(__POPCNT__) || defined(_MSC_VER) || !(defined(__x86_64__) || defined(__i386__))
  return std::popcount(x);
#else
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
#endif
}

} // namespace searchtrace::detail

// What every benchmark here measures with: the calling thread's CPU clock (other processes on a
// shared machine disturb it much less than the wall clock) and min/median/max over repetitions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include <time.h>

namespace searchtrace::bench {

inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Stats {
  double min = 0, median = 0, max = 0;
};

inline Stats stats_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return {v.front(), median, v.back()};
}

} // namespace searchtrace::bench

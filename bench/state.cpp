// Per-token state labels to a file: G15_2_4 samples (the search, the numeral ids from its token
// writer and the packed state rows of labels.hpp, as `searchtrace generate --format ids --state
// packed` makes them, but without its per-sample BASE.samples.npy, whose fingerprints take a
// tenth of the CLI's time) written to files, on one thread, with min/median/max over
// repetitions; and the same without the labels, for comparison. Samples per CPU-second of the
// thread (which does the writing too, so the kernel's copy of the bytes into the page cache
// counts), and the bytes per sample of all files; beside them, samples per user-mode CPU-second
// (the kernel's part is the difference).
//
//   state [--samples N] [--reps R] [--out DIR] [--dense] [FAMILY]
//
// Defaults: 1,000,000 samples per repetition, 5 repetitions, files in /tmp (removed after), the
// packed layout. --samples 10000000 with /usr/bin/time -f %M shows the memory staying flat. The
// files are written plainly: at 10,000,000 samples the kernel's reclaim of the full page cache
// then dominates, which `generate` avoids by streaming files past 1 GiB to the disk.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <sys/resource.h>

#include "bench_support.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/labels.hpp"
#include "searchtrace/render.hpp"

using namespace searchtrace;

namespace {

constexpr double target_per_second = 1'000'000;
// Rows gathered before they are written: 1 MiB of each bit column, about what a chunk of
// `generate` holds. The kernel's copy into the page cache costs less per byte in big writes (on
// this machine, loaded: 0.87-0.99M samples per CPU-second against 0.73-0.80M with 16,384 rows);
// at 524,288 rows the rows no longer stay in the cache between being made and being copied.
constexpr std::size_t batch_rows = 131072;

using bench::Stats;
using bench::stats_of;
using bench::thread_cpu_seconds;

// A file written through a 1 MiB buffer (big blocks straight from their vector).
class Sink {
public:
  explicit Sink(const std::filesystem::path& p) : f_(std::fopen(p.c_str(), "wb")) {
    if (f_ == nullptr) {
      std::perror(p.c_str());
      std::exit(2);
    }
    buf_.reserve(1 << 20);
  }
  ~Sink() {
    flush();
    std::fclose(f_);
  }
  template <class T>
  void write(const std::vector<T>& v) {
    const auto* p = reinterpret_cast<const char*>(v.data());
    const std::size_t n = v.size() * sizeof(T);
    if (n >= (1 << 14)) { // big enough to go to the kernel as it is, without a copy
      flush();
      put(p, n);
      return;
    }
    buf_.insert(buf_.end(), p, p + n);
    if (buf_.size() >= (1 << 20))
      flush();
  }
  std::uint64_t bytes() const noexcept { return written_ + buf_.size(); }

private:
  void flush() {
    put(buf_.data(), buf_.size());
    buf_.clear();
  }
  void put(const char* p, std::size_t n) {
    if (n != 0 && std::fwrite(p, 1, n, f_) != n) {
      std::perror("write");
      std::exit(2);
    }
    written_ += n;
  }
  std::FILE* f_;
  std::vector<char> buf_;
  std::uint64_t written_ = 0;
};

struct Run {
  double rate = 0;
  double user_rate = 0; // samples per user-mode CPU-second: without the kernel's copy
  double bytes_per_sample = 0;
};

// The calling thread's user-mode CPU seconds.
double thread_user_seconds() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec) * 1e-6;
}

Run run(const std::string& family, std::uint64_t samples, const std::filesystem::path& dir,
        bool labels, StateLayout layout) {
  DatasetOptions o;
  o.family_spec = family;
  auto g = Generator::create(o);
  if (!g) {
    std::fprintf(stderr, "state: %s\n", g.error().message.c_str());
    std::exit(2);
  }
  const Vocabulary v = Vocabulary::numeral(g->family().label_space());
  Sample s;
  StateRows rows;
  rows.layout = layout;
  rows.label_space = layout == StateLayout::packed ? 64 : g->family().label_space();
  std::vector<std::uint16_t> ids;
  std::vector<std::int8_t> current8;
  std::vector<std::uint64_t> offsets{0};
  const double c0 = thread_cpu_seconds(), u0 = thread_user_seconds();
  std::uint64_t total = 0, written = 0; // ids in the file
  {
    Sink ids_file(dir / "bench.ids.bin"), offsets_file(dir / "bench.offsets.bin");
    Sink phase(dir / "bench.phase"), current(dir / "bench.current"),
        frontier(dir / "bench.frontier"), expanded(dir / "bench.expanded");
    // Many samples' ids and rows are gathered and written at once, as generate's chunks do.
    const auto write = [&] {
      ids_file.write(ids);
      offsets_file.write(offsets); // offsets[0] = 0 first, then each sample's end
      offsets.clear();
      written += ids.size();
      if (labels) {
        if (rows.rows() != ids.size())
          std::exit(4);
        phase.write(rows.phase);
        if (layout == StateLayout::packed) { // labels below 64: the current node as int8
          current8.assign(rows.current.begin(), rows.current.end());
          current.write(current8);
          frontier.write(rows.frontier_bits);
          expanded.write(rows.expanded_bits);
        } else {
          current.write(rows.current);
          frontier.write(rows.frontier_rank);
          expanded.write(rows.expanded);
        }
        rows.clear();
      }
      ids.clear();
    };
    for (std::uint64_t i = 0; i < samples; ++i) {
      if (labels) { // the labeler shares the generator's search and its token writer
        StateLabeler labeler(rows, &v);
        if (g->generate_ids(i, s, v, ids, labeler))
          std::exit(3);
      } else if (g->generate_ids(i, s, v, ids)) {
        std::exit(3);
      }
      offsets.push_back(written + ids.size());
      if (ids.size() >= batch_rows)
        write();
    }
    write();
    total = ids_file.bytes() + offsets_file.bytes() + phase.bytes() + current.bytes() +
            frontier.bytes() + expanded.bytes();
  }
  const double cpu = thread_cpu_seconds() - c0, user = thread_user_seconds() - u0;
  std::uint64_t on_disk = 0; // the work done: every byte in the files
  for (const char* f : {"bench.ids.bin", "bench.offsets.bin", "bench.phase", "bench.current",
                        "bench.frontier", "bench.expanded"})
    on_disk += std::filesystem::file_size(dir / f);
  if (on_disk != total || total == 0)
    std::exit(5);
  for (const char* f : {"bench.ids.bin", "bench.offsets.bin", "bench.phase", "bench.current",
                        "bench.frontier", "bench.expanded"})
    std::filesystem::remove(dir / f);
  return {static_cast<double>(samples) / cpu, static_cast<double>(samples) / user,
          static_cast<double>(total) / samples};
}

[[noreturn]] void usage() {
  std::fputs("usage: state [--samples N] [--reps R] [--out DIR] [--dense] [FAMILY]\n", stderr);
  std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
  std::uint64_t samples = 1'000'000, reps = 5;
  std::string family = "G15_2_4";
  std::filesystem::path dir = std::filesystem::temp_directory_path();
  StateLayout layout = StateLayout::packed;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if ((a == "--samples" || a == "--reps" || a == "--out") && i + 1 >= argc)
      usage();
    if (a == "--samples")
      samples = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--reps")
      reps = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--out")
      dir = argv[++i];
    else if (a == "--dense")
      layout = StateLayout::dense;
    else if (!a.empty() && a[0] != '-')
      family = a;
    else
      usage();
  }
  if (samples == 0 || reps == 0)
    usage();
  std::printf("searchtrace state benchmark: %s, %llu samples per repetition, %llu repetitions, "
              "one thread, files in %s\n",
              family.c_str(), static_cast<unsigned long long>(samples),
              static_cast<unsigned long long>(reps), dir.c_str());
  std::printf("%-29s | samples per CPU-second (min/median/max) | the same, user mode only    "
              "| bytes per sample\n",
              "what");
  double headline = 0;
  for (const bool labels : {false, true}) {
    std::vector<double> rates, user_rates;
    double bytes = 0;
    for (std::uint64_t r = 0; r < reps; ++r) {
      const Run x = run(family, samples, dir, labels, layout);
      rates.push_back(x.rate);
      user_rates.push_back(x.user_rate);
      bytes = x.bytes_per_sample;
    }
    const Stats st = stats_of(rates), user = stats_of(user_rates);
    const char* what = !labels                         ? "ids + offsets"
                       : layout == StateLayout::packed ? "ids + offsets + packed labels"
                                                       : "ids + offsets + dense labels";
    std::printf("%-29s | %9.0f %9.0f %9.0f | %9.0f %9.0f %9.0f | %7.0f\n", what, st.min, st.median,
                st.max, user.min, user.median, user.max, bytes);
    if (labels)
      headline = st.median;
  }
  std::printf("\n%s with labels: %.0f samples per CPU-second (median), %.2fx the target of %.0f\n",
              family.c_str(), headline, headline / target_per_second, target_per_second);
}

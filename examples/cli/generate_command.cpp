// `searchtrace generate`: samples of a graph family (docs/reference.md, 'Graph families') with
// their reference completions, as
// training text, JSON lines, or token ids a trainer can memory-map.
//
// Decisions (also in `searchtrace generate --help` and docs/generate.md):
//   * Sample i of a run is a pure function of (family, seed, search options, split, i): the
//     library derives it from (seed, i) alone. So the output never depends on --threads or on
//     --chunk, and `--shard i/N` is the contiguous index range [⌊..⌋) of the unsharded run:
//     concatenating shards 0..N-1 gives the unsharded output byte for byte (text and jsonl).
//     Shard i covers indices [i·q + min(i, r), (i+1)·q + min(i+1, r)) with q = count / N,
//     r = count % N: sizes differ by at most one, the first r shards get the extra sample.
//   * Threads: workers generate fixed-size chunks of consecutive indices into their own buffers;
//     the main thread writes chunks strictly in index order. At most 2·threads chunks are in
//     flight and a chunk holds about 1 MiB of output (--chunk 0), and never more than
//     max_chunk_bytes of records: a worker stops there and the main thread draws the rest of
//     that chunk. --threads is capped at threads_per_hardware_thread per hardware thread. So
//     memory has a bound whatever --count, --chunk and --threads (stated in --help; measured:
//     6 MiB at the defaults, about 60 MiB with 8 threads and huge chunks).
//   * --dedup drops a sample whose fingerprint an earlier sample of THIS run (lower index) had;
//     the writer decides in index order, so the result is the same for every thread count. It
//     keeps every fingerprint seen: memory grows with the number of distinct samples (about
//     50 bytes each). Shards deduplicate independently (a duplicate across shards stays), so a
//     sharded run with --dedup is not the same as an unsharded one. Dropped samples leave gaps
//     in the jsonl "index" field; the count of drops goes to stderr (and to the ids meta.json).
//   * --split train|test keeps, for sample i, the first candidate whose fingerprint hashes into
//     that split (dataset.hpp): sets made with one --split-key and --test-fraction share no
//     (graph, query) pair, whatever their families, seeds and counts.
//   * A sample that cannot be drawn (constraints no graph met) ends the run with exit 1 and
//     leaves no output file; a bad --family is a usage error (exit 2) reported with its offset.
//   * ids: BASE.ids.bin (uint16 little endian), BASE.offsets.bin (uint64 little endian, count+1
//     entries: sample k is ids[offsets[k], offsets[k+1])), BASE.vocab.json, and BASE.meta.json,
//     which is renamed into place last: its presence means the set is complete. Beside them, with
//     --samples-npy, BASE.samples.npy (a row of metadata per sample) and, with --state, also the
//     per-token state labels as BASE.state.*.npy (state_output.hpp, docs/state.md).

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/family.hpp"
#include "searchtrace/fingerprint.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/vocabulary.hpp"
#include "state_output.hpp"
#include "training_options.hpp"

namespace searchtrace::cli {

enum class GenerateFormat : std::uint8_t { text, jsonl, ids, hf_jsonl };

inline constexpr std::array<Choice<GenerateFormat>, 4> generate_format_choices{
    {{"text", GenerateFormat::text},
     {"jsonl", GenerateFormat::jsonl},
     {"ids", GenerateFormat::ids},
     {"hf-jsonl", GenerateFormat::hf_jsonl}}};
inline constexpr std::array<Choice<SplitKind>, 3> split_choices{
    {{"all", SplitKind::all}, {"train", SplitKind::train}, {"test", SplitKind::test}}};

// --- shards -------------------------------------------------------------------------------------

/// Shard `index` of `count` shards (`--shard index/count`).
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
};

/// Reads `i/N` with 0 <= i < N < 2^64, both plain decimal integers (parse_decimal: no sign,
/// space, base prefix or wrap-around).
inline std::optional<Shard> parse_shard(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos)
    return std::nullopt;
  std::string error;
  const auto count =
      parse_decimal(s.substr(slash + 1), 1, std::numeric_limits<std::uint64_t>::max(), error);
  const auto index =
      parse_decimal(s.substr(0, slash), 0, std::numeric_limits<std::uint64_t>::max(), error);
  if (!count || !index || *index >= *count)
    return std::nullopt;
  return Shard{*index, *count};
}

/// A half-open range of sample indices.
struct IndexRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const noexcept { return end - begin; }
};

/// The indices of one shard of 0..count-1: contiguous, in shard order, sizes within one of
/// each other (the first count % N shards have one more). No overflow for any count.
constexpr IndexRange shard_range(std::uint64_t count, Shard s) noexcept {
  const std::uint64_t q = count / s.count, r = count % s.count;
  const auto start = [&](std::uint64_t i) { return i * q + std::min(i, r); };
  return {start(s.index), start(s.index + 1)};
}

// --- options ------------------------------------------------------------------------------------

struct GenerateCommandOptions {
  std::string family = "G15_2_4";
  std::uint64_t count = 10;
  std::uint64_t seed = 0;
  SearchOptions search;
  Rendering rendering = Rendering::compact;
  GenerateFormat format = GenerateFormat::text;
  std::string vocabulary = "standard";
  std::string shard = "0/1";
  unsigned threads = 1;    // 0: every hardware thread
  std::uint64_t chunk = 0; // samples per work unit; 0: about 1 MiB of output
  std::string output;      // "" or "-": stdout (text, jsonl); the base name for ids
  bool progress = false;
  SplitKind split = SplitKind::all;
  double test_fraction = 0.1;
  std::uint64_t split_key = 0;
  bool split_relabel = false;
  bool dedup = false;
  TrainingOptions training;              // training_options.hpp
  StateOption state = StateOption::none; // --state: per-token labels beside the ids
  bool samples_npy = false;              // --samples-npy (implied by --state)
};

// --- chunks: the unit of work ---------------------------------------------------------------

/// The output of a run of consecutive samples, in the run's format. `ends[k]` is where record k
/// ends in `bytes` (text, jsonl) or `ids` (ids), so the writer can drop single records.
struct GenerateChunk {
  IndexRange indices;           // the records held (fill may stop early: see `wanted_end`)
  std::uint64_t wanted_end = 0; // the end of the indices asked for
  std::string bytes;
  std::vector<std::uint16_t> ids;
  std::vector<std::size_t> ends;
  std::vector<Fingerprint> fingerprints; // with --dedup, one per record
  std::optional<SampleError> error;      // the sample at indices.end could not be drawn
  std::exception_ptr exception;          // anything else that went wrong in a worker
  LabelChunk labels; // ids with --samples-npy/--state: a SampleRow per record, the state rows
};

/// The bytes a chunk's records take: output, record ends and fingerprints. Buffers are reused
/// and grow by doubling, so a chunk's allocation is at most twice its largest footprint.
inline std::size_t chunk_footprint(const GenerateChunk& c) noexcept {
  return c.bytes.size() + c.ids.size() * sizeof(std::uint16_t) +
         c.ends.size() * sizeof(std::size_t) + c.fingerprints.size() * sizeof(Fingerprint) +
         c.labels.footprint();
}

/// The most a chunk holds (`chunk_footprint`) beyond its last record, whatever --chunk says.
/// With at most 2·threads + 1 chunks alive and --threads capped, this bounds the run's memory.
inline constexpr std::size_t max_chunk_bytes = std::size_t{2} << 20;

/// Auto-sized chunks aim at this much output (half the bound: records vary in size).
inline constexpr std::size_t chunk_target_bytes = std::size_t{1} << 20;

/// At most this many worker threads per hardware thread: more cannot be faster, and each costs
/// two chunks of memory.
inline constexpr unsigned threads_per_hardware_thread = 4;

namespace detail {

inline void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

inline void append_hex_fingerprint(std::string& out, const Fingerprint& f) {
  fmt::format_to(std::back_inserter(out), "{:016x}{:016x}", f.hi, f.lo);
}

} // namespace detail

/// Turns sample indices into records of one format; one per thread (it owns a Generator and
/// reused buffers, so in steady state filling a chunk allocates nothing).
class RecordEncoder {
public:
  RecordEncoder(const Generator& generator, GenerateFormat format, const Vocabulary* vocabulary,
                bool keep_fingerprints)
      : generator_(generator), format_(format), vocabulary_(vocabulary),
        keep_fingerprints_(keep_fingerprints),
        seed_writer_(generator.options(),
                     generator.family().params().topology == Topology::pathstar) {
    const DatasetOptions& o = generator_.options();
    // Everything between the completion and the index is the same for every record.
    json_middle_ = "\",\"family\":";
    detail::append_json_string(json_middle_, o.family_spec);
    fmt::format_to(std::back_inserter(json_middle_), ",\"seed\":{},\"index\":", o.seed);
    json_tail_ =
        fmt::format(",\"split\":\"{}\",\"algo\":\"{}\",\"nodes\":", split_kind_name(o.split.kind),
                    algorithm_name(o.search.algorithm));
  }

  /// Fills `c` with the records of `c.indices`, but stops after the record that brings the
  /// chunk's memory (`chunk_footprint`) to `max_bytes`: then `c.indices.end` is where it stopped
  /// and `c.wanted_end` the end asked for. On a SampleError, `c` holds the records before the
  /// failing sample, `c.indices.end` is that sample and `c.error` says why.
  void fill(GenerateChunk& c, std::size_t max_bytes) {
    c.wanted_end = c.indices.end;
    c.bytes.clear();
    c.ids.clear();
    c.ends.clear();
    c.fingerprints.clear();
    c.error.reset();
    c.exception = nullptr;
    const bool labelled = state_ != StateOption::none;
    if (samples_npy_)
      c.labels.reset(state_, *vocabulary_, boundary_);
    const bool ids = format_ == GenerateFormat::ids;
    for (std::uint64_t i = c.indices.begin; i < c.indices.end; ++i) {
      const std::size_t first = c.ids.size();
      // --format ids: the ids straight from the search (no text), with the labels beside them.
      if (auto e = labelled ? c.labels.generate(generator_, i, sample_, *vocabulary_, c.ids)
                   : ids    ? generator_.generate_ids(i, sample_, *vocabulary_, c.ids)
                            : generator_.generate(i, sample_)) {
        c.ids.resize(first);
        c.error = std::move(*e);
        c.indices.end = i;
        return;
      }
      switch (format_) {
      case GenerateFormat::text:
        c.bytes += sample_.text;
        c.bytes.push_back('\n');
        c.ends.push_back(c.bytes.size());
        break;
      case GenerateFormat::jsonl:
        append_json(c.bytes);
        c.ends.push_back(c.bytes.size());
        break;
      case GenerateFormat::ids:
        if (samples_npy_)
          c.labels.add_sample(sample_.info, std::span(c.ids).subspan(first));
        c.ends.push_back(c.ids.size());
        break;
      case GenerateFormat::hf_jsonl:
        seed_writer_.append(c.bytes, sample_);
        c.ends.push_back(c.bytes.size());
        break;
      }
      if (keep_fingerprints_)
        c.fingerprints.push_back(sample_.info.fingerprint);
      if (chunk_footprint(c) >= max_bytes) {
        c.indices.end = i + 1;
        return;
      }
    }
  }

  /// The last sample drawn (for sizing chunks).
  const Sample& sample() const noexcept { return sample_; }
  Generator& generator() noexcept { return generator_; }
  /// With --format ids: also the SampleRows (completions starting at the id `boundary`) and,
  /// unless `s` is none, the per-token state labels of this layout.
  void label(bool samples_npy, StateOption s, TokenId boundary) noexcept {
    samples_npy_ = samples_npy || s != StateOption::none;
    state_ = s;
    boundary_ = boundary;
  }

private:
  void append_json(std::string& out) const {
    const SampleInfo& info = sample_.info;
    // Prompt and completion are digits, punctuation and spaces: nothing to escape.
    out += "{\"prompt\":\"";
    out += sample_.prompt_text();
    out += "\",\"completion\":\"";
    out += sample_.completion_text();
    out += json_middle_;
    fmt::format_to(std::back_inserter(out), "{}", info.index);
    out += json_tail_;
    fmt::format_to(std::back_inserter(out),
                   "{},\"edges\":{},\"distance\":{},\"expansions\":{},\"prompt_tokens\":{},"
                   "\"completion_tokens\":{},\"fingerprint\":\"",
                   info.nodes, info.edges, info.distance, info.expansions, info.prompt_tokens,
                   info.completion_tokens);
    detail::append_hex_fingerprint(out, info.fingerprint);
    out += "\"}\n";
  }

  Generator generator_;
  GenerateFormat format_;
  const Vocabulary* vocabulary_;
  bool keep_fingerprints_;
  SeedRecordWriter seed_writer_;
  Sample sample_;
  bool samples_npy_ = false;
  StateOption state_ = StateOption::none;
  TokenId boundary_ = 0;
  std::string json_middle_;
  std::string json_tail_;
};

// --- the ordered pipeline -----------------------------------------------------------------------

/// Runs `fill(worker, chunk_number, GenerateChunk&)` for chunks 0..chunks-1 on `threads` workers
/// and `consume(GenerateChunk&)` on the calling thread strictly in chunk order. At most
/// 2·threads chunks exist at once. `consume` returns false to stop early; an exception from it
/// stops the workers and propagates. With one thread everything runs on the calling thread.
template <class Fill, class Consume>
void run_in_order(std::uint64_t chunks, unsigned threads, Fill&& fill, Consume&& consume) {
  if (threads <= 1 || chunks <= 1) {
    GenerateChunk chunk;
    for (std::uint64_t c = 0; c < chunks; ++c) {
      fill(0u, c, chunk);
      if (!consume(chunk))
        return;
    }
    return;
  }
  const std::size_t slots = 2 * static_cast<std::size_t>(threads);
  std::vector<GenerateChunk> ring(slots);
  std::vector<char> ready(slots, 0);
  std::mutex m;
  std::condition_variable work_cv; // workers wait for a free slot
  std::condition_variable done_cv; // the consumer waits for its next chunk
  std::uint64_t next = 0, consumed = 0;
  bool stop = false;

  const auto worker = [&](unsigned w) {
    for (;;) {
      std::uint64_t c = 0;
      {
        std::unique_lock lock(m);
        work_cv.wait(lock, [&] { return stop || next >= chunks || next < consumed + slots; });
        if (stop || next >= chunks)
          return;
        c = next++;
      }
      // Slot c % slots is ours alone: its previous chunk (c - slots) has been consumed.
      GenerateChunk& slot = ring[c % slots];
      try {
        fill(w, c, slot);
      } catch (...) {
        slot.exception = std::current_exception();
      }
      {
        std::lock_guard lock(m);
        ready[c % slots] = 1;
      }
      done_cv.notify_one();
    }
  };

  std::vector<std::thread> pool;
  // Declared after the pool, so it runs first on every exit path: workers stop, then join.
  struct Stopper {
    std::mutex& m;
    bool& stop;
    std::condition_variable& cv;
    std::vector<std::thread>& pool;
    ~Stopper() {
      {
        std::lock_guard lock(m);
        stop = true;
      }
      cv.notify_all();
      for (auto& t : pool)
        t.join();
    }
  } stopper{m, stop, work_cv, pool};
  pool.reserve(threads);
  for (unsigned w = 0; w < threads; ++w)
    pool.emplace_back(worker, w);

  for (std::uint64_t c = 0; c < chunks; ++c) {
    GenerateChunk& slot = ring[c % slots];
    {
      std::unique_lock lock(m);
      done_cv.wait(lock, [&] { return ready[c % slots] != 0; });
    }
    if (!consume(slot))
      return;
    {
      std::lock_guard lock(m);
      ready[c % slots] = 0;
      ++consumed;
    }
    work_cv.notify_all();
  }
}

// --- progress -----------------------------------------------------------------------------------

/// `--progress`: a line on stderr, rewritten about once a second (done/total, rate, ETA), and a
/// final line with the totals.
class ProgressLine {
public:
  ProgressLine(bool enabled, std::uint64_t total)
      : enabled_(enabled), total_(total), start_(clock::now()), last_(start_) {}

  void update(std::uint64_t done) {
    if (!enabled_)
      return;
    const auto now = clock::now();
    if (now - last_ < std::chrono::seconds(1))
      return;
    last_ = now;
    const double elapsed = seconds(now);
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
    const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    eprint("\r{}/{} samples ({:.1f}%), {} samples/s, ETA {}    ", done, total_,
           total_ ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0,
           human(rate), duration(eta));
    shown_ = true;
  }

  /// Ends a progress line left on the screen (before an error message).
  void interrupt() {
    if (shown_)
      eprint("\n");
    shown_ = false;
  }

  void finish(std::uint64_t done) {
    if (!enabled_)
      return;
    const double elapsed = seconds(clock::now());
    eprint("\r{}/{} samples, {} samples/s, {} elapsed    \n", done, total_,
           human(elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0), duration(elapsed));
  }

private:
  using clock = std::chrono::steady_clock;

  double seconds(clock::time_point now) const {
    return std::chrono::duration<double>(now - start_).count();
  }
  static std::string human(double x) {
    if (x >= 1e6)
      return fmt::format("{:.2f}M", x / 1e6);
    if (x >= 1e3)
      return fmt::format("{:.1f}k", x / 1e3);
    return fmt::format("{:.0f}", x);
  }
  static std::string duration(double s) {
    const auto t = static_cast<std::uint64_t>(s + 0.5);
    if (t >= 3600)
      return fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
    if (t >= 60)
      return fmt::format("{}:{:02}", t / 60, t % 60);
    return fmt::format("{}s", t);
  }

  bool enabled_;
  bool shown_ = false;
  std::uint64_t total_;
  clock::time_point start_;
  clock::time_point last_;
};

// --- writers ------------------------------------------------------------------------------------

namespace detail {

/// Little-endian bytes of integers, whatever the host's byte order.
template <class T>
void append_little_endian(std::string& out, const T* values, std::size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    out.append(reinterpret_cast<const char*>(values), n * sizeof(T));
  } else {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t b = 0; b < sizeof(T); ++b)
        out.push_back(static_cast<char>((values[i] >> (8 * b)) & 0xFF));
  }
}

} // namespace detail

/// The four files of `--format ids`, each written atomically.
class IdsFiles {
public:
  explicit IdsFiles(const std::string& base)
      : ids_(base + ".ids.bin"), offsets_(base + ".offsets.bin"), vocab_(base + ".vocab.json"),
        meta_(base + ".meta.json") {
    const std::uint64_t zero = 0;
    detail::append_little_endian(offset_bytes_, &zero, 1);
  }

  /// Appends records [first, last) of `c`.
  void write(const GenerateChunk& c, std::size_t first, std::size_t last) {
    if (first == last)
      return;
    const std::size_t from = first == 0 ? 0 : c.ends[first - 1];
    const std::size_t to = c.ends[last - 1];
    id_bytes_.clear();
    detail::append_little_endian(id_bytes_, c.ids.data() + from, to - from);
    ids_.write(id_bytes_);
    for (std::size_t k = first; k < last; ++k) {
      const std::uint64_t end = tokens_ + (c.ends[k] - from);
      detail::append_little_endian(offset_bytes_, &end, 1);
    }
    tokens_ += to - from;
    if (offset_bytes_.size() >= (std::size_t{1} << 16)) {
      offsets_.write(offset_bytes_);
      offset_bytes_.clear();
    }
  }

  std::uint64_t tokens() const noexcept { return tokens_; }

  /// Writes the vocabulary and the meta data, then renames the files into place; meta.json last.
  void commit(const Vocabulary& vocabulary, const nlohmann::ordered_json& meta) {
    offsets_.write(offset_bytes_);
    vocab_.write(vocabulary.to_json());
    vocab_.write("\n");
    meta_.write(meta.dump(2));
    meta_.write("\n");
    ids_.commit();
    offsets_.commit();
    vocab_.commit();
    meta_.commit();
  }

private:
  AtomicFile ids_, offsets_, vocab_, meta_;
  std::string id_bytes_;
  std::string offset_bytes_;
  std::uint64_t tokens_ = 0;
};

// --- the command --------------------------------------------------------------------------------

/// Samples per chunk: about `target` bytes of output, at least 1, at most 4096.
inline std::uint64_t chunk_size_for(std::size_t record_bytes,
                                    std::size_t target = chunk_target_bytes) {
  return std::clamp<std::uint64_t>(target / std::max<std::size_t>(record_bytes, 1), 1, 4096);
}

/// The worker threads a run uses: --threads (0: every hardware thread), at most
/// threads_per_hardware_thread per hardware thread (`hardware` 0: unknown, taken as 1).
inline unsigned worker_threads(unsigned requested, unsigned hardware) noexcept {
  const unsigned hw = std::max(1u, hardware);
  if (requested == 0)
    return hw;
  return std::min(requested, hw * threads_per_hardware_thread);
}

/// The message, the spec and a caret under the offending byte; spec and message may hold any
/// byte of the command line, so both are shown through `printable` (the caret counts columns of
/// what is shown).
inline void report_family_error(const std::string& spec, const FamilyError& e) {
  const std::size_t column =
      display_columns(printable(std::string_view(spec).substr(0, std::min(e.offset, spec.size()))));
  eprint("searchtrace generate: error: --family, offset {}: {}\n  {}\n  {:>{}}\n", e.offset,
         printable(e.message), printable(spec), "^", column + 1);
}

inline void report_sample_error(const Generator& g, std::uint64_t index, const SampleError& e) {
  eprint("searchtrace generate: error: sample {} of {}: constraint '{}': {}\n", index,
         g.family().spec(), e.constraint, e.message);
}

/// Runs `searchtrace generate`; returns the exit code.
inline int run_generate(const GenerateCommandOptions& o) {
  const auto family = parse_family(o.family);
  if (!family) {
    report_family_error(o.family, family.error());
    return exit_usage;
  }
  const auto shard = parse_shard(o.shard);
  if (!shard) {
    eprint("searchtrace generate: error: --shard '{}': expected i/N with 0 <= i < N\n",
           printable(o.shard));
    return exit_usage;
  }
  const bool to_stdout = o.output.empty() || o.output == "-";
  if (o.format == GenerateFormat::ids && to_stdout) {
    eprint("searchtrace generate: error: --format ids writes four files "
           "(BASE.ids.bin, .offsets.bin, .vocab.json, .meta.json): give --output "
           "BASE\n");
    return exit_usage;
  }
  if (const auto e =
          check_training_options(o.training, *family, o.format == GenerateFormat::hf_jsonl,
                                 o.format == GenerateFormat::ids, o.vocabulary, o.rendering,
                                 to_stdout, o.split == SplitKind::all)) {
    eprint("searchtrace generate: error: {}\n", *e);
    return exit_usage;
  }
  if (o.training.validation != 0)
    return run_train_validation_pair(
        o.output, o.count, o.training.validation,
        [&](const std::string& output, SplitKind split, std::uint64_t count) {
          GenerateCommandOptions one = o;
          one.output = output;
          one.split = split;
          one.count = count;
          one.training.validation = 0;
          return run_generate(one);
        });
  std::optional<Vocabulary> vocabulary;
  if (o.format == GenerateFormat::ids) {
    vocabulary = generate_vocabulary(o.vocabulary, *family);
    if (vocabulary->size() > 65536) {
      eprint("searchtrace generate: error: the {} vocabulary of {} has {} ids; --format ids "
             "stores uint16 (at most 65536)\n",
             o.vocabulary, family->spec(), vocabulary->size());
      return exit_usage;
    }
  }

  DatasetOptions options;
  options.family_spec = family->spec();
  options.seed = o.seed;
  options.search = o.search;
  options.rendering = o.rendering;
  options.split = {o.split, o.test_fraction, o.split_key};
  options.relabel_invariant_split = o.split_relabel;
  const bool samples_npy = o.samples_npy || o.state != StateOption::none;
  options.fingerprints = o.dedup || o.format == GenerateFormat::jsonl ||
                         o.format == GenerateFormat::hf_jsonl || samples_npy;
  options.layout = o.training.layout;
  if (auto e = state_usage_error(o.state, samples_npy, o.format == GenerateFormat::ids,
                                 options.layout, vocabulary ? vocabulary->label_space() : 0)) {
    eprint("searchtrace generate: error: {}\n", *e);
    return exit_usage;
  }
  const Generator generator(*family, options);

  const IndexRange range = shard_range(o.count, *shard);
  const unsigned hardware = std::thread::hardware_concurrency();
  unsigned threads = worker_threads(o.threads, hardware);
  if (o.threads != 0 && threads < o.threads)
    eprint("searchtrace generate: note: --threads {} lowered to {} ({} per hardware thread, "
           "{} here)\n",
           o.threads, threads, threads_per_hardware_thread, std::max(1u, hardware));

  // Outputs first: an unwritable path fails (exit 2) before any work.
  std::optional<Output> text_out;
  std::optional<IdsFiles> ids_out;
  std::optional<LabelFiles> labels_out;
  if (o.format == GenerateFormat::ids) {
    ids_out.emplace(o.output);
    if (samples_npy)
      labels_out.emplace(o.output, o.state, vocabulary->label_space());
  } else {
    text_out.emplace(o.output);
  }

  // One sample up front sizes the chunks: about chunk_target_bytes of output each, and with
  // --chunk no more samples than max_chunk_bytes holds at that size, so that fill's byte bound
  // (which holds whatever the samples' sizes) cuts at most the last few samples of a chunk,
  // which the calling thread then draws.
  RecordEncoder first(generator, o.format, vocabulary ? &*vocabulary : nullptr, o.dedup);
  if (vocabulary)
    first.label(samples_npy, o.state, prompt_boundary(*vocabulary, options.layout).id);
  std::uint64_t chunk = o.chunk;
  if (range.size() > 0) {
    GenerateChunk probe;
    probe.indices = {range.begin, range.begin + 1};
    first.fill(probe, max_chunk_bytes);
    if (probe.error) {
      report_sample_error(generator, range.begin, *probe.error);
      return exit_bad_lines;
    }
    const std::size_t record = chunk_footprint(probe);
    chunk =
        chunk == 0
            ? chunk_size_for(record)
            : std::min<std::uint64_t>(chunk, max_chunk_bytes / std::max<std::size_t>(record, 1));
  }
  chunk = std::max<std::uint64_t>(chunk, 1);
  const std::uint64_t chunks = range.size() / chunk + (range.size() % chunk != 0);
  threads =
      static_cast<unsigned>(std::min<std::uint64_t>(threads, std::max<std::uint64_t>(chunks, 1)));

  // One encoder per worker, and one for the calling thread, which finishes a chunk that
  // stopped at max_chunk_bytes.
  std::vector<RecordEncoder> encoders;
  encoders.reserve(threads + 1);
  for (unsigned t = 0; t <= threads; ++t)
    encoders.push_back(first);
  GenerateChunk rest;

  FingerprintSet seen;
  std::uint64_t written = 0, dropped = 0, done = 0;
  std::optional<std::pair<std::uint64_t, SampleError>> failure;
  ProgressLine progress(o.progress, range.size());

  const auto write_records = [&](const GenerateChunk& c, std::size_t first_record,
                                 std::size_t last_record) {
    if (first_record == last_record)
      return;
    written += last_record - first_record;
    if (ids_out) {
      ids_out->write(c, first_record, last_record);
      if (labels_out)
        labels_out->write(c.labels, c.ends, first_record, last_record);
      return;
    }
    const std::size_t from = first_record == 0 ? 0 : c.ends[first_record - 1];
    text_out->write(std::string_view(c.bytes).substr(from, c.ends[last_record - 1] - from));
  };

  run_in_order(
      chunks, threads,
      [&](unsigned worker, std::uint64_t c, GenerateChunk& out) {
        out.indices.begin = range.begin + c * chunk;
        out.indices.end = std::min(range.end, out.indices.begin + chunk);
        encoders[worker].fill(out, max_chunk_bytes);
      },
      [&](GenerateChunk& filled) {
        // A chunk that stopped at max_chunk_bytes is finished here, piece by piece.
        for (GenerateChunk* c = &filled;; c = &rest) {
          if (c->exception)
            std::rethrow_exception(c->exception);
          if (c->error) {
            failure.emplace(c->indices.end, *c->error);
            return false;
          }
          const std::size_t n = c->ends.size();
          if (!o.dedup) {
            write_records(*c, 0, n);
          } else {
            std::size_t run = 0;
            for (std::size_t k = 0; k < n; ++k)
              if (!seen.insert(c->fingerprints[k])) {
                write_records(*c, run, k);
                run = k + 1;
                ++dropped;
              }
            write_records(*c, run, n);
          }
          done += n;
          progress.update(done);
          if (c->indices.end == c->wanted_end)
            return true;
          rest.indices = {c->indices.end, c->wanted_end};
          encoders.back().fill(rest, max_chunk_bytes);
        }
      });

  if (failure) {
    // No output file: the destructors of text_out / ids_out remove the temporary files.
    progress.interrupt();
    report_sample_error(generator, failure->first, failure->second);
    return exit_bad_lines;
  }
  progress.finish(done);
  if (o.dedup)
    eprint("searchtrace generate: --dedup dropped {} duplicate{} of {} samples, kept {}\n", dropped,
           dropped == 1 ? "" : "s", done, written);

  if (ids_out) {
    nlohmann::ordered_json meta;
    const DatasetOptions& d = generator.options();
    meta["format"] = "searchtrace-ids";
    meta["version"] = 1;
    meta["dtype"] = "uint16";
    meta["byte_order"] = "little";
    meta["samples"] = written;
    meta["tokens"] = ids_out->tokens();
    meta["vocabulary"] = std::string(vocabulary->name());
    meta["bos_eos"] = vocabulary->bos().has_value();
    meta["family"] = d.family_spec;
    meta["seed"] = d.seed;
    meta["algo"] = std::string(algorithm_name(d.search.algorithm));
    meta["order"] =
        std::string(o.search.order == NeighborOrder::ascending ? "ascending" : "prompt");
    meta["listing"] =
        std::string(o.search.listing == Listing::unexpanded ? "unexpanded" : "undiscovered");
    meta["stop"] = std::string(o.search.stop == StopRule::on_list ? "on-list" : "on-pop");
    meta["count"] = o.count;
    meta["shard"] = fmt::format("{}/{}", shard->index, shard->count);
    meta["indices"] = {range.begin, range.end};
    meta["split"] = std::string(split_kind_name(d.split.kind));
    meta["test_fraction"] = d.split.test_fraction;
    meta["split_key"] = d.split.key;
    meta["split_relabel"] = d.relabel_invariant_split;
    meta["dedup"] = o.dedup;
    meta["dropped"] = dropped;
    meta["layout"] = std::string(completion_layout_name(d.layout));
    const PromptBoundary boundary = prompt_boundary(*vocabulary, d.layout);
    meta["prompt_boundary"] = {{"token", std::string(1, boundary.token)},
                               {"id", boundary.id},
                               {"in_prompt", boundary.in_prompt}};
    if (labels_out) {
      labels_out->describe(meta);
      labels_out->commit(); // before meta.json, which says the set is complete
    }
    ids_out->commit(*vocabulary, meta);
  } else {
    text_out->finish();
  }
  return exit_ok;
}

inline constexpr std::string_view generate_help_footer = R"(
Writes --count samples of a graph family: the prompt (edges/query) and the reference
completion (exploration, backtrack, path) of each. Bare 'searchtrace generate' prints
10 samples of G15_2_4 with seed 0.

Formats (--format; the sample format: docs/reference.md, 'Sample format'):
  text   one sample per line: prompt immediately followed by completion, e.g.
           1,3|2,4|1,2|0,1|0,2|3,4/0,4<0,(1,2),1,(2,3),2,(4)-4,2,0>=0,2,4
  jsonl  one JSON object per line: prompt, completion, family (canonical spec), seed,
         index, split, algo, nodes, edges, distance (query's shortest-path length),
         expansions, prompt_tokens, completion_tokens (grammar tokens, commas included)
         and fingerprint (32 hex digits; see --split-relabel).
  ids    token ids for a trainer to memory-map; needs --output BASE and writes
           BASE.ids.bin      uint16 little endian, every sample's ids back to back:
                             [<bos>] prompt completion [<eos>] (bos/eos: standard only)
           BASE.offsets.bin  uint64 little endian, samples+1 entries: sample k is
                             ids[offsets[k], offsets[k+1]); the completion starts at '<'
           BASE.vocab.json   the vocabulary (--vocab), every id's spelling
           BASE.meta.json    family, seed, options, counts, layout, prompt_boundary;
                             renamed into place last, so its presence means the set
                             is complete.
         --samples-npy adds BASE.samples.npy, a row per sample: index, completion_start,
         length, distance, nodes, edges, expansions, fingerprint_hi/_lo.
         --state packed|dense adds it and the search state after each token, a row per
         id: BASE.state.phase.npy, .current.npy and packed .frontier_bits/.expanded_bits
         (uint64, bit v = label v; L <= 64) or dense .in_frontier/.expanded/.discovered
         /.frontier_rank/.parent ([rows, L]); trace layout only. Files, dtypes and
         alignment with the ids: docs/state.md.
         --vocab numeral-eot writes the ids the seed's training code trains on:
         [eot] prompt '<' (the masked prompt there), then the rest of the completion
         and [eot], eot = 70 (docs/training.md).
  hf-jsonl  the records the seed's training code reads (its ShortestDataModule):
         query, target, steps, trace (plus text, wrong_path, len_target on pathstar
         families), then family, seed, index, split, algo, nodes, edges, distance,
         expansions, fingerprint. With --validation N, -o DIR gets DIR/train.jsonl
         (train split) and DIR/validation.jsonl (N samples, test split).

Layouts (--layout): trace (the default), pause (each expansion written u($), no
lists), path (the prompt followed by =path: the seed's 'teacherforcing').

Reproducibility: sample i is a pure function of (family, seed, search options, split
options, i). The output does not depend on --threads or --chunk, and --shard i/N
writes the i-th of N contiguous index ranges of 0..count-1, so concatenating the text
or jsonl outputs of shards 0..N-1 gives the unsharded output byte for byte.

Splits: --split train / --split test keep, for each index, the first candidate sample
whose fingerprint hashes into that split. Sets made with the same --split-key and
--test-fraction never share a (graph, query) pair, whatever their families, seeds and
counts: e.g. a G15_2_4 train set and G20_5_6 / G15_2_4 test sets. Fingerprints ignore
edge order and endpoint order; with --split-relabel also relabelling (slower: a
canonical labelling per sample; applies to --dedup and the jsonl fingerprint too).

--dedup drops a sample whose fingerprint an earlier sample of this run had, and reports
on stderr how many it dropped (jsonl keeps the original indices). It remembers every
fingerprint: memory grows by about 50 bytes per distinct sample. Each shard is
deduplicated on its own.

Output files are written atomically (temporary name, then rename): an interrupted or
failed run never leaves a file that looks complete. A replaced file keeps its permissions;
a symbolic link is followed (the file it names is replaced); a device or FIFO (/dev/null,
a named pipe) is written directly. A temporary file left by a killed run
(.NAME.tmp-PID-XXXXXXXX-HOST) is removed by the next run for NAME on the same host once
process PID has ended.

Memory: at most about 8 MiB per worker thread plus a few MiB, whatever --count and
--chunk: a chunk holds at most 2 MiB of records, 2 chunks per thread are in flight, and
--threads is capped at 4 per hardware thread (with a note on stderr). --dedup adds about
50 bytes per distinct sample.

Exit codes: 0 done; 1 a sample could not be drawn (the family's constraints were never
met; nothing is written to --output); 2 usage error (a bad --family spec is reported
with its byte offset) or I/O error.

Examples:
  searchtrace generate --family G15_2_4 --count 1000000 --threads 0 -o train.txt --progress
  searchtrace generate --family G20_5_6 --split test --count 10000 --format jsonl -o ood.jsonl
  searchtrace generate --count 1000000 --format ids --vocab numeral -o data/train
  for i in 0 1 2 3; do searchtrace generate --count 4000000 --shard $i/4 -o part$i.txt & done)";

/// Registers `searchtrace generate`; its exit code goes to `status`.
void add_generate_command(CLI::App& app, int& status) {
  auto o = std::make_shared<GenerateCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "generate", "Write samples of a graph family (prompt + reference completion)");
  sub->add_option("--family", o->family,
                  "Family spec, e.g. G15_2_4, G20_5_6(L=100), grid(w=4,h=4,dist=3..6)")
      ->capture_default_str()
      ->type_name("SPEC");
  add_integer_option(*sub, "--count", o->count, "Samples in the whole run (all shards together)");
  add_integer_option(*sub, "--seed", o->seed, "Dataset seed (64-bit)")->type_name("S");
  add_search_options(*sub, o->search);
  add_rendering_option(*sub, o->rendering);
  add_enum_option(*sub, "--format", o->format, generate_format_choices,
                  "text (prompt+completion per line), jsonl, ids (token ids, needs -o BASE), or "
                  "hf-jsonl (the seed's training records)");
  sub->add_option("--vocab", o->vocabulary, "Vocabulary of --format ids")
      ->check(CLI::IsMember({"standard", "numeral", "numeral-eot"}).description(""))
      ->type_name("standard|numeral|numeral-eot")
      ->capture_default_str();
  sub->add_option("--shard", o->shard, "Write only the i-th of N contiguous parts of the run")
      ->type_name("i/N")
      ->capture_default_str();
  add_integer_option(*sub, "--threads", o->threads,
                     "Worker threads; 0 = every hardware thread; at most 4 per hardware thread");
  add_integer_option(*sub, "--chunk", o->chunk,
                     "Samples per work unit, at most 2 MiB of records; 0 = about 1 MiB of output "
                     "(never changes the output)");
  sub->add_option("-o,--output", o->output,
                  "Write to FILE (atomically) instead of stdout; for ids, the base name BASE")
      ->type_name("FILE");
  sub->add_flag("--progress", o->progress, "Show done/total, rate and ETA on stderr");
  add_enum_option(*sub, "--split", o->split, split_choices,
                  "all samples, or only those whose fingerprint falls in the train/test split");
  add_real_option(*sub, "--test-fraction", o->test_fraction,
                  "Share of fingerprints in the test split, 0 to 1", 0.0, 1.0);
  add_integer_option(*sub, "--split-key", o->split_key,
                     "Key of the split hash; sets that must be disjoint share it")
      ->type_name("K");
  sub->add_flag("--split-relabel", o->split_relabel,
                "Fingerprints (split, dedup, jsonl) also ignore relabelling");
  sub->add_flag("--dedup", o->dedup,
                "Drop samples whose fingerprint an earlier one had (memory grows with --count)");
  add_training_options(*sub, o->training);
  add_enum_option(*sub, "--state", o->state, state_choices,
                  "--format ids: per-token search state as .npy beside the ids (docs/state.md)");
  sub->add_flag("--samples-npy", o->samples_npy,
                "--format ids: also BASE.samples.npy, a row per sample (--state implies it)");
  sub->footer(std::string(generate_help_footer));
  sub->callback(
      [o, &status] { status = run_guarded("generate", [&] { return run_generate(*o); }); });
}

} // namespace searchtrace::cli

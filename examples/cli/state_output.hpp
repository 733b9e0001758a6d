// The files a trainer memory-maps beside `generate --format ids`: BASE.samples.npy (a row of
// metadata per sample, with --samples-npy or --state) and, with `--state packed|dense`, the
// per-token implicit state of searchtrace/labels.hpp as BASE.state.<field>.npy, one row per token
// id of BASE.ids.bin. And `check --state FILE`: the state a model's completion implies, as JSON
// lines.
// docs/state.md documents every file, field, shape and dtype; this header is the only code that
// writes them.
//
// Decisions:
//   * The labels are made in the generator's one search (a StateLabeler as its extra sink), by
//     the worker that makes the chunk's ids; the writer takes them with the ids, in index order,
//     so the bytes do not depend on --threads or --chunk, and --dedup drops a sample's rows with
//     its ids. A chunk holds its rows, and its memory bound (generate's max_chunk_bytes) counts
//     them (`LabelChunk::footprint`).
//   * The columns are the vocabulary's node labels 0..L-1 (the ids a model sees): the family's L,
//     or 50 with numeral-eot, whose node ids are the seed tokenizer's whatever the family.
//   * BASE.samples.npy is opt-in (--samples-npy; --state implies it): without either, --format
//     ids writes exactly the four files it always did and draws no fingerprints.
//   * Every .npy is written through an AtomicFile with a placeholder header of fixed size that
//     is overwritten with the real shape before the commit.
//   * Values that are node labels or ranks (-1..L-1) are int8 when L <= 128, else int16.
//     --state dense needs L <= 32768 (the library's frontier rank is an int16), packed L <= 64.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/labels.hpp"
#include "searchtrace/npy.hpp"
#include "searchtrace/record.hpp"
#include "searchtrace/token_writer.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace::cli {

/// `--state`: no labels, or the packed or the dense layout of labels.hpp.
enum class StateOption : std::uint8_t { none, packed, dense };

inline constexpr std::array<Choice<StateOption>, 3> state_choices{
    {{"none", StateOption::none}, {"packed", StateOption::packed}, {"dense", StateOption::dense}}};

inline constexpr std::string_view state_option_name(StateOption s) noexcept {
  return s == StateOption::none ? "none" : s == StateOption::packed ? "packed" : "dense";
}

/// The dtype of values in -1..L-1 (labels, parents, ranks): int8 or int16.
inline std::string_view label_descr(Label label_space) noexcept {
  return label_space <= 128 ? "|i1" : "<i2";
}

/// Why `--state` or `--samples-npy` cannot be used with these options, or nothing.
/// `label_space`: the vocabulary's (the columns).
inline std::optional<std::string> state_usage_error(StateOption s, bool samples_npy,
                                                    bool ids_format, CompletionLayout layout,
                                                    Label label_space) {
  if (!ids_format && s != StateOption::none)
    return std::string("--state needs --format ids (the labels are rows of BASE.ids.bin)");
  if (!ids_format && samples_npy)
    return std::string("--samples-npy needs --format ids (a row per sample of BASE.ids.bin)");
  if (s == StateOption::none)
    return std::nullopt;
  if (layout != CompletionLayout::trace)
    return std::string("--state labels the trace layout only (the search written out); the "
                       "pause and path layouts hide the steps the rows follow");
  if (s == StateOption::packed && label_space > 64)
    return fmt::format("--state packed stores a 64-bit word per set: it needs at most 64 node "
                       "labels, the vocabulary has {} (use --state dense)",
                       label_space);
  if (s == StateOption::dense && label_space > 32768)
    return fmt::format("--state dense needs at most 32768 node labels, the vocabulary has {}",
                       label_space);
  return std::nullopt;
}

/// A row of BASE.samples.npy (48 bytes, no padding).
struct SampleRow {
  std::uint64_t index = 0;
  std::uint32_t completion_start = 0; // ids[offsets[k] + completion_start]: '<' ('=' in path)
  std::uint32_t length = 0;           // offsets[k+1] - offsets[k]
  std::uint32_t distance = 0;
  std::uint32_t nodes = 0;
  std::uint32_t edges = 0;
  std::uint32_t expansions = 0;
  Fingerprint fingerprint;
};

inline constexpr std::string_view sample_row_descr =
    "[('index', '<u8'), ('completion_start', '<u4'), ('length', '<u4'), ('distance', '<u4'), "
    "('nodes', '<u4'), ('edges', '<u4'), ('expansions', '<u4'), ('fingerprint_hi', '<u8'), "
    "('fingerprint_lo', '<u8')]";
inline constexpr std::size_t sample_row_bytes = 48;

/// What a chunk of `--format ids` carries beside its ids: a SampleRow per record and, with
/// --state, the rows of every token (aligned with the chunk's ids, so the ids' record ends
/// delimit them too).
class LabelChunk {
public:
  /// Empties the chunk for a run of `state` labels in vocabulary `v`, whose completions start
  /// at the id `boundary` ('<', or '=' in the path layout).
  void reset(StateOption state, const Vocabulary& v, TokenId boundary) {
    samples_.clear();
    rows_.clear();
    rows_.layout = state == StateOption::dense ? StateLayout::dense : StateLayout::packed;
    rows_.label_space = v.label_space();
    boundary_ = static_cast<std::uint16_t>(boundary);
  }

  /// With --state: sample `index` into `s`, its ids appended to `ids` and its rows to the chunk's
  /// (the labeler is a second sink on the generator's one search, its rows made from the token
  /// writer that writes the ids).
  [[nodiscard]] std::optional<SampleError> generate(Generator& g, std::uint64_t index, Sample& s,
                                                    const Vocabulary& v,
                                                    std::vector<std::uint16_t>& ids) {
    const std::size_t row0 = rows_.rows(), id0 = ids.size();
    StateLabeler labeler(rows_, &v);
    auto e = g.generate_ids(index, s, v, ids, labeler);
    labeler.flush();
    if (e) {
      rows_.truncate(row0);
      return e;
    }
    if (rows_.rows() - row0 != ids.size() - id0)
      throw std::logic_error("searchtrace generate: state rows and ids differ in number");
    return e;
  }

  /// The SampleRow of a sample whose ids are `ids`.
  void add_sample(const SampleInfo& info, std::span<const std::uint16_t> ids) {
    SampleRow& r = samples_.emplace_back();
    r.index = info.index;
    // The prompt has neither '<' nor '=': the first is the boundary.
    r.completion_start =
        static_cast<std::uint32_t>(std::find(ids.begin(), ids.end(), boundary_) - ids.begin());
    r.length = static_cast<std::uint32_t>(ids.size());
    r.distance = info.distance;
    r.nodes = info.nodes;
    r.edges = info.edges;
    r.expansions = info.expansions;
    r.fingerprint = info.fingerprint;
  }

  const std::vector<SampleRow>& samples() const noexcept { return samples_; }
  const StateRows& rows() const noexcept { return rows_; }

  /// The bytes the chunk's labels take (for generate's bound on a chunk's memory).
  std::size_t footprint() const noexcept {
    const StateRows& r = rows_;
    return samples_.size() * sizeof(SampleRow) + r.phase.size() +
           sizeof(std::int32_t) * (r.current.size() + r.ids.size() + r.parent.size()) +
           sizeof(std::uint64_t) * (r.frontier_bits.size() + r.expanded_bits.size()) +
           r.in_frontier.size() + r.expanded.size() + r.discovered.size() +
           sizeof(std::int16_t) * r.frontier_rank.size();
  }

private:
  std::vector<SampleRow> samples_;
  StateRows rows_;
  std::uint16_t boundary_ = 0;
};

namespace detail {

/// Appends `n` values converted to `T`, little endian.
template <class T, class U>
void append_as(std::string& out, const U* values, std::size_t n) {
  if constexpr (std::is_same_v<T, U> && std::endian::native == std::endian::little) {
    out.append(reinterpret_cast<const char*>(values), n * sizeof(T));
  } else {
    const std::size_t at = out.size();
    out.resize(at + n * sizeof(T));
    char* p = out.data() + at;
    for (std::size_t i = 0; i < n; ++i) {
      const auto x = static_cast<std::make_unsigned_t<T>>(static_cast<T>(values[i]));
      for (std::size_t b = 0; b < sizeof(T); ++b)
        *p++ = static_cast<char>((x >> (8 * b)) & 0xFF);
    }
  }
}

/// One .npy written as rows of `width` values (width 0: a 1-D array).
class NpyFile {
public:
  NpyFile(const std::string& path, std::string descr, std::uint64_t width)
      : file_(path), descr_(std::move(descr)), width_(width) {
    // A header of the size the largest shape needs (256 bytes, or 512 for the samples' long
    // dtype) holds any shape: written now as a placeholder, over it at the end.
    constexpr std::uint64_t most = ~std::uint64_t{0};
    size_ = (width_ == 0 ? npy_header(descr_, {most}) : npy_header(descr_, {most, most})).size();
    file_.write(header());
  }
  /// Appends bytes of whole rows.
  void write(std::string_view bytes, std::uint64_t rows) {
    file_.write(bytes);
    rows_ += rows;
  }
  void commit() {
    file_.overwrite(0, header());
    file_.commit();
  }

private:
  std::string header() const {
    return width_ == 0 ? npy_header(descr_, {rows_}, size_)
                       : npy_header(descr_, {rows_, width_}, size_);
  }
  AtomicFile file_;
  std::string descr_;
  std::uint64_t width_;
  std::size_t size_ = 0;
  std::uint64_t rows_ = 0;
};

} // namespace detail

/// BASE.samples.npy and, with --state, the BASE.state.*.npy files; each written atomically and
/// committed (before BASE.meta.json) by `commit()`.
class LabelFiles {
public:
  LabelFiles(const std::string& base, StateOption state, Label label_space)
      : state_(state), label_space_(label_space) {
    samples_.emplace(base + ".samples.npy", std::string(sample_row_descr), 0);
    const std::string label(label_descr(label_space));
    const auto add = [&](std::string_view field, std::string descr, std::uint64_t width) {
      fields_.push_back(std::make_unique<detail::NpyFile>(
          base + ".state." + std::string(field) + ".npy", std::move(descr), width));
    };
    if (state == StateOption::none)
      return;
    add("phase", "|i1", 0);
    add("current", label, 0);
    if (state == StateOption::packed) {
      add("frontier_bits", "<u8", 0);
      add("expanded_bits", "<u8", 0);
    } else {
      add("in_frontier", "|i1", label_space);
      add("expanded", "|i1", label_space);
      add("discovered", "|i1", label_space);
      add("frontier_rank", label, label_space);
      add("parent", label, label_space);
    }
  }

  /// Appends records [first, last) of a chunk whose record k ends at ids[ends[k]].
  void write(const LabelChunk& c, std::span<const std::size_t> ends, std::size_t first,
             std::size_t last) {
    if (first == last)
      return;
    buf_.clear();
    for (std::size_t k = first; k < last; ++k) {
      const SampleRow& r = c.samples()[k];
      detail::append_as<std::uint64_t>(buf_, &r.index, 1);
      const std::uint32_t u32[] = {r.completion_start, r.length, r.distance, r.nodes, r.edges,
                                   r.expansions};
      detail::append_as<std::uint32_t>(buf_, u32, 6);
      detail::append_as<std::uint64_t>(buf_, &r.fingerprint.hi, 1);
      detail::append_as<std::uint64_t>(buf_, &r.fingerprint.lo, 1);
    }
    samples_->write(buf_, last - first);
    if (state_ == StateOption::none)
      return;
    const StateRows& s = c.rows();
    const std::size_t from = first == 0 ? 0 : ends[first - 1], to = ends[last - 1];
    if (s.rows() < to)
      throw std::logic_error("searchtrace generate: fewer state rows than ids");
    const std::size_t n = to - from, L = label_space_;
    const bool small = label_space_ <= 128;
    std::size_t f = 0;
    const auto put = [&](const auto* values, std::size_t width, auto as) {
      using T = decltype(as);
      values += from * width;
      if constexpr (std::is_same_v<T, std::remove_cvref_t<decltype(*values)>> &&
                    std::endian::native == std::endian::little) {
        // Straight from the rows: the copy into buf_ took 3% of `--state packed` (perf).
        fields_[f++]->write({reinterpret_cast<const char*>(values), n * width * sizeof(T)}, n);
        return;
      }
      buf_.clear();
      detail::append_as<T>(buf_, values, n * width);
      fields_[f++]->write(buf_, n);
    };
    put(s.phase.data(), 1, std::int8_t{});
    if (small)
      put(s.current.data(), 1, std::int8_t{});
    else
      put(s.current.data(), 1, std::int16_t{});
    if (state_ == StateOption::packed) {
      put(s.frontier_bits.data(), 1, std::uint64_t{});
      put(s.expanded_bits.data(), 1, std::uint64_t{});
      return;
    }
    put(s.in_frontier.data(), L, std::int8_t{});
    put(s.expanded.data(), L, std::int8_t{});
    put(s.discovered.data(), L, std::int8_t{});
    if (small) {
      put(s.frontier_rank.data(), L, std::int8_t{});
      put(s.parent.data(), L, std::int8_t{});
    } else {
      put(s.frontier_rank.data(), L, std::int16_t{});
      put(s.parent.data(), L, std::int16_t{});
    }
  }

  /// The meta.json keys of the labels.
  void describe(nlohmann::ordered_json& meta) const {
    meta["state"] = std::string(state_option_name(state_));
    meta["label_space"] = label_space_;
  }

  /// Writes the real headers and renames the files into place.
  void commit() {
    samples_->commit();
    for (auto& f : fields_)
      f->commit();
  }

private:
  StateOption state_;
  Label label_space_;
  // AtomicFiles stay where they are made (the signal handler holds their temporary names).
  std::optional<detail::NpyFile> samples_;
  std::vector<std::unique_ptr<detail::NpyFile>> fields_;
  std::string buf_;
};

// --- check --state ------------------------------------------------------------------------------

/// Appends the `check --state` record of a judged line: where it came from, then one entry per
/// row (token id) of its sample in every array; `rows` dense, `prompt_rows` the completion's
/// first row. `error`: why the line has no rows (empty arrays then).
inline void append_state_record(std::string& out, const StateRows& rows, std::size_t prompt_rows,
                                const RecordOrigin& origin, const SampleRecord* record,
                                std::string_view error) {
  out += '{';
  if (!origin.file.empty()) {
    out += "\"file\":";
    searchtrace::detail::json::append_text(out, origin.file);
    out += ',';
  }
  fmt::format_to(std::back_inserter(out), "\"line\":{}", origin.line);
  if (record != nullptr && record->id) {
    out += ",\"id\":";
    out += *record->id; // validated JSON, as written
  }
  const std::size_t n = rows.rows(), L = rows.label_space;
  fmt::format_to(std::back_inserter(out), ",\"rows\":{},\"completion_start\":{},\"error\":", n,
                 prompt_rows);
  if (error.empty())
    out += "null";
  else
    searchtrace::detail::json::append_text(out, error);
  // An array of n entries, each written by `entry(t)`.
  const auto array = [&](std::string_view key, auto&& entry) {
    out += ",\"";
    out += key;
    out += "\":[";
    for (std::size_t t = 0; t < n; ++t) {
      if (t > 0)
        out += ',';
      entry(t);
    }
    out += ']';
  };
  const auto number = [&](long long x) { fmt::format_to(std::back_inserter(out), "{}", x); };
  array("ids", [&](std::size_t t) { number(rows.ids[t]); });
  array("phase", [&](std::size_t t) { number(rows.phase[t]); });
  array("current", [&](std::size_t t) { number(rows.current[t]); });
  std::vector<long long> by_rank(L);
  array("frontier", [&](std::size_t t) { // labels in the order they will be expanded
    std::size_t k = 0;
    for (std::size_t v = 0; v < L; ++v)
      if (const auto r = rows.frontier_rank[t * L + v]; r >= 0) {
        by_rank[static_cast<std::size_t>(r)] = static_cast<long long>(v);
        k = std::max(k, static_cast<std::size_t>(r) + 1);
      }
    out += '[';
    for (std::size_t r = 0; r < k; ++r) {
      if (r > 0)
        out += ',';
      number(by_rank[r]);
    }
    out += ']';
  });
  array("expanded", [&](std::size_t t) {
    out += '[';
    bool first = true;
    for (std::size_t v = 0; v < L; ++v)
      if (rows.expanded[t * L + v] != 0) {
        out += first ? "" : ",";
        first = false;
        number(static_cast<long long>(v));
      }
    out += ']';
  });
  array("parent", [&](std::size_t t) { // [node, parent] of every node with a parent
    out += '[';
    bool first = true;
    for (std::size_t v = 0; v < L; ++v)
      if (const auto p = rows.parent[t * L + v]; p >= 0) {
        out += first ? "[" : ",[";
        first = false;
        number(static_cast<long long>(v));
        out += ',';
        number(p);
        out += ']';
      }
    out += ']';
  });
  out += "}\n";
}

} // namespace searchtrace::cli

// The per-sample pipeline behind `searchtrace generate`: family sample → search → text, into
// reused buffers, with train/test splits that are disjoint by construction.
//
//   (spec, seed, i) → Sampler → Prompt → search loop → sinks: TraceRecorder (Trace),
//                                                     TokenWriter (text), a caller's (labels)
//
// Sample i is a pure function of (family spec, options, seed, i): shards and threads may
// produce any subset of indices in any order and get the same bytes.
//
// Splits: a (graph, query) pair is in the test split iff a keyed hash of its fingerprint falls
// below the test fraction (`in_test_split`), a property of the pair alone. A train (test)
// generator draws candidates k = 0, 1, ... of sample i from `Rng::for_sample(seed, i, k)` and
// keeps the first in its split, so sets made with the same `Split::key` and test fraction share
// no fingerprint whatever their families, seeds and sizes, with nothing stored (with different
// fractions, iff the test set's is at most the train set's). Each split is an unbiased subsample
// of the family restricted to its bucket. `all` keeps candidate 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "searchtrace/family.hpp"
#include "searchtrace/fingerprint.hpp"
#include "searchtrace/frontier.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/random.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/result.hpp"
#include "searchtrace/sampler.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

enum class SplitKind : std::uint8_t { all, train, test };

constexpr std::string_view split_kind_name(SplitKind k) noexcept {
  return k == SplitKind::all ? "all" : k == SplitKind::train ? "train" : "test";
}

constexpr std::optional<SplitKind> parse_split_kind(std::string_view s) noexcept {
  for (const SplitKind k : {SplitKind::all, SplitKind::train, SplitKind::test})
    if (s == split_kind_name(k))
      return k;
  return std::nullopt;
}

struct Split {
  SplitKind kind = SplitKind::all;
  double test_fraction = 0.1; // in [0, 1]
  std::uint64_t key = 0;      // shared by every set that must be disjoint from the others
};

/// The top 53 bits of a keyed mix of the fingerprint, as a fraction in [0,1), against
/// `test_fraction`.
inline bool in_test_split(const Fingerprint& f, const Split& split) noexcept {
  const std::uint64_t h =
      detail::mix64(f.hi ^ detail::mix64(f.lo ^ split.key) ^ 0x6a09e667f3bcc909ull);
  return static_cast<double>(h >> 11) * 0x1.0p-53 < split.test_fraction;
}

struct DatasetOptions {
  std::string family_spec = "G15_2_4";
  std::uint64_t seed = 0;
  SearchOptions search;
  Rendering rendering = Rendering::compact;
  CompletionLayout layout = CompletionLayout::trace;
  Split split;
  /// Fingerprints ignore relabelling too (a test graph is not even a relabelled training
  /// graph), at microseconds instead of nanoseconds per candidate.
  bool relabel_invariant_split = false;
  /// SampleInfo::fingerprint even when split is `all` (for deduplication).
  bool fingerprints = false;
};

/// What a generated sample is, besides its text.
struct SampleInfo {
  std::uint64_t index = 0;
  std::uint32_t nodes = 0;
  std::uint32_t edges = 0;
  std::uint32_t distance = 0;   // the query's shortest-path length
  std::uint32_t expansions = 0; // expansions in the trace
  std::uint32_t prompt_tokens = 0;
  std::uint32_t completion_tokens = 0;
  std::uint32_t candidates = 0; // candidates drawn to land in the split (1 for `all`)
  std::size_t prompt_bytes = 0; // text[0, prompt_bytes) is the prompt, the rest the completion
  Fingerprint fingerprint;      // set when split != all or DatasetOptions::fingerprints
};

struct Sample {
  Prompt prompt;
  Trace trace;
  std::string text; // prompt immediately followed by the completion (compact: the seed's format)
  SampleInfo info;

  std::string_view prompt_text() const noexcept {
    return std::string_view(text).substr(0, info.prompt_bytes);
  }
  std::string_view completion_text() const noexcept {
    return std::string_view(text).substr(info.prompt_bytes);
  }
};

/// The family spec's error (its kind in `family_kind`, offset in the spec) or another option's.
enum class DatasetErrorKind : std::uint8_t { family, option };

struct DatasetError {
  DatasetErrorKind kind = DatasetErrorKind::family;
  std::size_t offset = 0;
  std::string message;
  FamilyErrorKind family_kind = FamilyErrorKind::syntax;
};

namespace detail {

struct NoExtraSink {};

/// The prompt's ids at p (room: prompt_bytes_bound(pr)), as encode_prompt writes them, with the
/// vocabulary's few ids in registers; returns their end.
inline std::uint16_t* write_prompt_ids(std::uint16_t* p, const Prompt& pr, const Vocabulary& v) {
  const Graph& g = pr.graph;
  const TokenId base = v.id(node_token(0)), bar = v.id(punct_token(TokenKind::bar)),
                slash = v.id(punct_token(TokenKind::slash)),
                comma = v.id(punct_token(TokenKind::comma));
  if ((!g.labels().empty() && g.labels().back() >= v.label_space()) || // labels ascend
      bar == no_token_id || slash == no_token_id) {
    IdWriter w{p, &v}; // throws at the first label beyond the label space, as encode_prompt
    for_each_prompt_token(pr, w);
    return w.p;
  }
  const std::size_t m = g.edge_count();
  const Edge* const edges = g.edges().data();
  const Label* const labels = g.labels().data();
  const auto pair = [&](Label a, Label b) {
    *p++ = static_cast<std::uint16_t>(base + a);
    if (comma != no_token_id)
      *p++ = static_cast<std::uint16_t>(comma);
    *p++ = static_cast<std::uint16_t>(base + b);
  };
  for (std::size_t i = 0; i < m; ++i) {
    if (i > 0)
      *p++ = static_cast<std::uint16_t>(bar);
    pair(labels[edges[i].u], labels[edges[i].v]);
  }
  *p++ = static_cast<std::uint16_t>(slash);
  pair(g.label(pr.query.source), g.label(pr.query.target));
  return p;
}

} // namespace detail

/// Produces sample i of a dataset into a reused Sample. One per thread; once warm it allocates
/// nothing (for split=all with the plain fingerprint).
class Generator {
public:
  static constexpr std::uint32_t max_split_attempts = 1000;

  static Result<Generator, DatasetError> create(const DatasetOptions& options) {
    auto family = parse_family(options.family_spec);
    if (!family)
      return DatasetError{DatasetErrorKind::family, family.error().offset, family.error().message,
                          family.error().kind};
    const double f = options.split.test_fraction;
    if (!(f >= 0.0 && f <= 1.0))
      return DatasetError{DatasetErrorKind::option, 0,
                          "test fraction must be in [0, 1], got " + detail::format_double_brief(f)};
    return Generator(*family, options);
  }

  Generator(const Family& family, const DatasetOptions& options)
      : options_(options), family_(family), sampler_(family) {
    options_.family_spec = family.spec();
  }

  const Family& family() const noexcept { return family_; }
  /// The options, with family_spec replaced by the canonical spec.
  const DatasetOptions& options() const noexcept { return options_; }

  /// Sample `index` into `out`. On error `out` is unspecified.
  [[nodiscard]] std::optional<SampleError> generate(std::uint64_t index, Sample& out) {
    detail::NoExtraSink none;
    return generate(index, out, none);
  }

  /// With a caller's sink beside the trace and the text on the sample's one search (labels.hpp);
  /// its `begin(const Prompt&)` and `end()`, if any, are called around the search.
  template <class Sink>
  [[nodiscard]] std::optional<SampleError> generate(std::uint64_t index, Sample& out, Sink& extra) {
    std::uint32_t k = 0;
    if (auto e = draw(index, out, k))
      return e;
    const Prompt& p = out.prompt;
    // Written to a scratch buffer that only grows, then copied: growing out.text to the bound
    // zero-filled hundreds of bytes per sample (a tenth of the time).
    char* const begin = detail::sized(
        text_scratch_, detail::prompt_bytes_bound(p) + detail::completion_bytes_bound_for(p.graph));
    char* middle = nullptr;
    char* end = nullptr;
    std::uint32_t tokens = 0; // of the completion
    if (options_.rendering == Rendering::compact && detail::fits_prompt_words(p)) {
      // The seed's format on a small graph: every node, of the prompt and of the completion, is
      // one word store of its text.
      detail::fill_node_words(words_, p.graph);
      middle = detail::write_prompt_words(begin, p, words_);
      const auto emit =
          search_and_write(p, out.trace, detail::CompactWordEmitter{middle, &words_}, extra);
      end = emit.p;
      tokens = emit.tokens;
    } else {
      middle = detail::write_prompt(begin, p);
      const auto emit = search_and_write(
          p, out.trace, detail::TextEmitter{middle, &dialect(options_.rendering)}, extra);
      end = emit.p;
      tokens = emit.tokens;
    }
    out.text.assign(begin, end);
    out.info.prompt_bytes = static_cast<std::size_t>(middle - begin);
    fill_info(index, out, k, tokens);
    return std::nullopt;
  }

  /// Sample `index` as the ids of `v` appended to `ids` (a vector of uint16: <bos>, the prompt,
  /// the completion, <eos>, as the vocabulary has them) instead of the text, which stays empty
  /// (info.prompt_bytes 0): the ids straight from the search's token writer, the same as
  /// encode_prompt and encode_completion of the sample, at a fraction of the cost. `extra` as
  /// in generate(). Throws std::out_of_range as encode_completion does.
  template <class Ids, class Sink>
  [[nodiscard]] std::optional<SampleError>
  generate_ids(std::uint64_t index, Sample& out, const Vocabulary& v, Ids& ids, Sink& extra) {
    std::uint32_t k = 0;
    if (auto e = draw(index, out, k))
      return e;
    const Prompt& p = out.prompt;
    const Graph& g = p.graph;
    // A token is at least a byte of text: the text's bounds bound the ids (2 for <bos>, <eos>).
    std::uint16_t* const begin = detail::sized(
        id_scratch_, detail::prompt_bytes_bound(p) + detail::completion_bytes_bound_for(g) + 2);
    std::uint16_t* middle = begin;
    if (const auto bos = v.bos())
      *middle++ = static_cast<std::uint16_t>(*bos);
    middle = detail::write_prompt_ids(middle, p, v);
    out.text.clear();
    out.info.prompt_bytes = 0;
    const detail::IdWriter emit =
        search_and_write(p, out.trace, detail::IdWriter{middle, &v}, extra);
    std::uint16_t* end = emit.p;
    if (const auto eos = v.eos())
      *end++ = static_cast<std::uint16_t>(*eos);
    ids.insert(ids.end(), begin, end);
    fill_info(index, out, k, static_cast<std::uint32_t>(emit.p - middle) + emit.dropped);
    return std::nullopt;
  }

  template <class Ids>
  [[nodiscard]] std::optional<SampleError> generate_ids(std::uint64_t index, Sample& out,
                                                        const Vocabulary& v, Ids& ids) {
    detail::NoExtraSink none;
    return generate_ids(index, out, v, ids, none);
  }

private:
  // Flattened, so the sinks and the search state stay in registers: a char store may alias
  // anything, which would reload them after every byte. Returns the emitter (where it stopped).
  template <CompletionLayout Layout, class Emit, class Extra>
  SEARCHTRACE_FLATTEN Emit trace_and_write(const Prompt& p, Trace& trace, Emit emit, Extra& extra,
                                           SearchStatus& status) {
    TraceRecorder recorder(trace);
    if constexpr (Layout == CompletionLayout::trace && !detail::EmitsNodeIds<Emit> && requires {
                    extra.steps();
                    extra.tee_tokens(emit);
                  }) {
      // A labeler's rows from the same writer as the ids (generate_ids): one writer, not two
      // over one search. The text's emitter writes node ids, which the labeler cannot read.
      TokenWriter<decltype(extra.tee_tokens(emit)), Layout> shared(extra.tee_tokens(emit));
      auto steps = extra.steps();
      auto both = tee(recorder, shared);
      auto all = tee(steps, both); // the labeler's state first: the step's tokens see it
      status = search(search_, p.graph, p.query, options_.search, all);
      return shared.emitter().inner;
    }
    TokenWriter<Emit, Layout> writer(emit);
    auto both = tee(recorder, writer);
    // Not teed with the empty sink: that cost 64 instructions a G15_2_4 sample (callgrind).
    if constexpr (std::is_same_v<Extra, detail::NoExtraSink>) {
      status = search(search_, p.graph, p.query, options_.search, both);
    } else {
      auto all = tee(both, extra);
      status = search(search_, p.graph, p.query, options_.search, all);
    }
    return writer.emitter();
  }

  // The sample's search, its tokens written by `emit`, between extra's begin() and end();
  // returns the emitter where it stopped. A family draws reachable queries only.
  template <class Emit, class Extra>
  Emit search_and_write(const Prompt& p, Trace& trace, Emit emit, Extra& extra) {
    trace.clear();
    if constexpr (requires { extra.begin(p); })
      extra.begin(p);
    SearchStatus status = SearchStatus::unreachable;
    const Emit done = write_in_layout(p, trace, emit, extra, status);
    if (status != SearchStatus::found)
      throw std::logic_error("searchtrace: a family drew an unreachable query");
    if constexpr (requires { extra.end(); })
      extra.end();
    return done;
  }

  template <class Emit, class Extra>
  Emit write_in_layout(const Prompt& p, Trace& trace, Emit emit, Extra& extra,
                       SearchStatus& status) {
    return detail::with_layout(options_.layout, [&](auto layout) {
      return trace_and_write<layout()>(p, trace, emit, extra, status);
    });
  }

  // Draws candidates of sample `index` until one lands in the split (`k` of them).
  SEARCHTRACE_HOT_INLINE std::optional<SampleError> draw(std::uint64_t index, Sample& out,
                                                         std::uint32_t& k) {
    const SplitKind kind = options_.split.kind;
    const bool want_fp = kind != SplitKind::all || options_.fingerprints;
    for (;;) {
      Rng rng = Rng::for_sample(options_.seed, index, k);
      ++k;
      if (auto e = sampler_.draw(rng, out.prompt))
        return e;
      if (want_fp)
        out.info.fingerprint = fingerprinter_(out.prompt, options_.relabel_invariant_split);
      if (kind == SplitKind::all ||
          in_test_split(out.info.fingerprint, options_.split) == (kind == SplitKind::test))
        break;
      if (k == max_split_attempts)
        return SampleError{"split", k,
                           "no sample of " + family_.spec() + " fell in the " +
                               std::string(split_kind_name(kind)) + " split (test fraction " +
                               detail::format_double_brief(options_.split.test_fraction) +
                               ") after " + std::to_string(k) + " candidates"};
    }
    if (!want_fp)
      out.info.fingerprint = {};
    return std::nullopt;
  }

  SEARCHTRACE_HOT_INLINE void fill_info(std::uint64_t index, Sample& out, std::uint32_t k,
                                        std::uint32_t tokens) {
    const Prompt& p = out.prompt;
    SampleInfo& info = out.info;
    info.index = index;
    info.nodes = static_cast<std::uint32_t>(p.graph.node_count());
    info.edges = static_cast<std::uint32_t>(p.graph.edge_count());
    info.distance = sampler_.distance();
    info.expansions = static_cast<std::uint32_t>(out.trace.expansion_count());
    info.prompt_tokens = 4 * info.edges + 3;
    info.completion_tokens = tokens;
    info.candidates = k;
  }

  DatasetOptions options_;
  Family family_;
  Sampler sampler_;
  Fingerprinter fingerprinter_;
  SearchScratch search_;
  std::vector<char> text_scratch_;
  std::vector<std::uint16_t> id_scratch_;
  detail::NodeWords words_;
};

} // namespace searchtrace

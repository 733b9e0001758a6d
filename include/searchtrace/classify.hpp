// The error classifier: replays a completion through the search core's transitions (the same
// SearchState the tracer drives) and names every deviation with its byte offset (or token index)
// and expansion index. Every discipline runs this one code path; only the frontier type differs.
// The replay fires the search events with the state the completion implies, so a sink written
// for a reference search also runs on a model's completion (`Classifier::replay`).
//
//   text → lexer → parser → ParsedCompletion → replay (SearchState transitions) → Verdict
//                                                    └─ events → a caller's sink
//
// Which kind wins at a token, where each error sits and how the replay goes on after an error:
// docs/reference.md, 'Error kinds' and 'Decisions that fix a verdict'. The replay adopts the
// completion's choice after every error, so each token is judged against the implied state:
//
//   expansion u     missed_target (first extra expansion only), then one queue error; expand(u)
//   listed v        one list error (a number that is no node changes nothing); list(v)
//   ')'             missing_neighbor per required node not listed; close()
//   '-'             early_stop unless should_stop() (sticky: see `stopped`)
//   backtrack b_j   unknown_node > traceback_start > traceback_end > traceback_parent
//   '>'             traceback_end if the backtrack stops short of the source
//   path            unknown_node per non-node; answer_mismatch, then answer_invalid or
//                   answer_not_shortest
//
// The finer choices (listing undiscovered, neighbor_order once per list, nothing checked past a
// traceback_end, unreachable targets, answer errors never first) are settled in the same
// section, each tested in tests/classify.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "searchtrace/completion.hpp"
#include "searchtrace/detail/findings.hpp"
#include "searchtrace/detail/match.hpp"
#include "searchtrace/frontier.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/verdict.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

namespace detail {

/// A sink with no hooks: a replay run only for its verdict.
struct NullSink {};

} // namespace detail

/// Judges completions against prompts. Keep one per thread: once warm a classification
/// allocates nothing, and the returned Verdict is valid until the next call. The discipline is
/// `o.algorithm`'s, or a caller's frontier prototype given as the last argument before any sink.
class Classifier {
public:
  /// Judges a completion text (either spacing); offsets are byte offsets. A correct text takes
  /// the fast path (detail::matches_reference, no parse: most texts a trained model writes are
  /// correct); the tests check it against the replay.
  const Verdict& classify(const Prompt& p, std::string_view completion,
                          const SearchOptions& o = {}) {
    if (o.algorithm == Algorithm::dfs)
      return classify(p, completion, o, LifoFrontier{});
    return classify(p, completion, o, FifoFrontier{});
  }

  template <class Frontier>
  const Verdict& classify(const Prompt& p, std::string_view completion, const SearchOptions& o,
                          const Frontier& frontier) {
    check_query(p);
    prefetch(p, o);
    const std::size_t n = completion.size();
    if (text_.size() < n + detail::reference_padding)
      text_.resize(2 * n + detail::reference_padding);
    text_size_ = n;
    if (n != 0) // memcpy from an empty view's null data() is undefined
      std::memcpy(text_.data(), completion.data(), n);
    std::memset(text_.data() + n, 0, detail::reference_padding);
    const std::string_view padded(text_.data(), n);
    if (p.query.source != p.query.target &&
        with_search_state(scratch_, p.graph, p.query, o, frontier,
                          [&](auto& st) { return detail::matches_reference(st, padded); })) {
      parsed_current_ = false;
      return exact_verdict();
    }
    parser_.parse(completion, parsed_);
    parsed_current_ = true;
    detail::NullSink none;
    return replay(p, parsed_, o, frontier, none);
  }

  /// Judges token ids (a span, vector or array; strip BOS/EOS/PAD first); offsets are indices
  /// in `ids`.
  template <std::ranges::contiguous_range Ids>
  const Verdict& classify_ids(const Prompt& p, const Ids& ids, const Vocabulary& v,
                              const SearchOptions& o = {}) {
    parser_.parse_ids(ids, v, parsed_);
    parsed_current_ = true;
    return classify(p, parsed_, o);
  }

  const Verdict& classify(const Prompt& p, const ParsedCompletion& pc,
                          const SearchOptions& o = {}) {
    detail::NullSink none;
    return replay(p, pc, o, none);
  }

  template <class Frontier>
  const Verdict& classify(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o,
                          const Frontier& frontier) {
    detail::NullSink none;
    return replay(p, pc, o, frontier, none);
  }

  /// Judges a parsed completion and fires `run_search`'s hooks (search.hpp) at its tokens, up to
  /// the first syntax error, with the state it implies; a number that is no node comes as a
  /// phantom id (`state.is_phantom(v)`). A replay reads the whole completion, whatever the
  /// sink answers.
  template <class Sink>
  const Verdict& replay(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o,
                        Sink& sink) {
    if (o.algorithm == Algorithm::dfs)
      return replay(p, pc, o, LifoFrontier{}, sink);
    return replay(p, pc, o, FifoFrontier{}, sink);
  }

  template <class Frontier, class Sink>
  const Verdict& replay(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o,
                        const Frontier& frontier, Sink& sink) {
    check_query(p);
    begin(p, pc, o);
    with_search_state<true>(scratch_, p.graph, p.query, o, frontier, [&](auto& st) {
      discipline_ = &st.discipline;
      if (pc.lt_at != no_offset)
        detail::fire_on_start(sink, st);
      explore(st, pc, sink);
      traceback(st, pc, sink);
      answer(st, pc, frontier);
      for (std::size_t j = 0; j < pc.trace.path.size(); ++j)
        detail::fire_on_path(sink, st, to_id(st, pc.trace.path[j], pc.path_at[j]));
    });
    if (pc.error)
      add_syntax(*pc.error);
    finish(pc);
    return verdict_;
  }

  const Verdict& verdict() const noexcept { return verdict_; }

  /// At most this many errors are kept (at least 1): garbage can have an error per token, and
  /// re-expansions quadratically many missing_neighbor. At the cap the replay stops looking
  /// (Verdict::errors_capped); the first error, a syntax error and the answer flags stay right.
  static constexpr std::size_t default_max_errors = 1000;
  void set_max_errors(std::size_t n) noexcept { max_errors_ = n == 0 ? 1 : n; }
  std::size_t max_errors() const noexcept { return max_errors_; }

  /// The completion the last text or id overload parsed (after the fast path: parsed here).
  const ParsedCompletion& parsed() const {
    if (!parsed_current_) {
      parser_.parse(std::string_view(text_.data(), text_size_), parsed_);
      parsed_current_ = true;
    }
    return parsed_;
  }

private:
  using Finding = detail::Finding;

  // --- setup -----------------------------------------------------------------------------------

  // Cold graphs (many prompts in memory): overlapping their cache misses gave 15% more
  // correct completions per second on bench/classify.cpp.
  static void prefetch([[maybe_unused]] const Prompt& p,
                       [[maybe_unused]] const SearchOptions& o) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p.graph.labels().data());
    if (!p.graph.rows().empty())
      __builtin_prefetch(p.graph.rows().data());
    __builtin_prefetch(p.graph.neighbors(p.query.source).data());
    if (o.order == NeighborOrder::prompt)
      __builtin_prefetch(p.graph.neighbors_in_prompt_order(p.query.source).data());
#endif
  }

  static void check_query(const Prompt& p) {
    if (p.query.source >= p.graph.node_count() || p.query.target >= p.graph.node_count())
      throw std::invalid_argument("searchtrace: query node id out of range");
  }

  // Deviations (and their message buffers) move between the verdict and spare_, never freed.
  // Out of line it cost the fast path 30 instructions a completion (bench/classify.cpp).
  SEARCHTRACE_HOT_INLINE void resize_errors(std::size_t n) {
    auto& errs = verdict_.errors;
    for (; errs.size() > n; errs.pop_back())
      spare_.push_back(std::move(errs.back()));
    for (; errs.size() < n && !spare_.empty(); spare_.pop_back())
      errs.push_back(std::move(spare_.back()));
    if (errs.size() < n)
      errs.resize(n);
  }

  const Verdict& exact_verdict() {
    resize_errors(0);
    verdict_.exact = verdict_.valid = verdict_.answer_correct = true;
    verdict_.errors_capped = false;
    return verdict_;
  }

  void begin(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o) {
    graph_ = &p.graph;
    query_ = p.query;
    options_ = o;
    pc_ = &pc;
    discipline_ = &FifoFrontier::traits;
    findings_.clear();
    capped_ = false;
    exact_ = true;
    reached_ = false;
    answer_correct_ = false;
    const std::size_t n = graph_->node_count();
    // rank_ is all zero between expansions; seen_ holds stamps, never equal to a fresh one.
    if (rank_.size() < n) {
      rank_.assign(n, 0);
      seen_.assign(n, 0);
      stamp_ = 0;
    }
    if (stamp_ > 0xFFFF0000u) {
      std::fill(seen_.begin(), seen_.end(), 0);
      stamp_ = 0;
    }
    // A direct label table for small label spaces (the usual L = 50), else binary search.
    const auto labels = graph_->labels();
    table_.clear();
    if (!labels.empty() && labels.back() < direct_table_limit) {
      table_.assign(static_cast<std::size_t>(labels.back()) + 1, no_node);
      for (NodeId i = 0; i < labels.size(); ++i)
        table_[labels[i]] = i;
    }
  }

  // Sticky: under on_pop a target expanded after reaching the front (missed_target) still
  // counts as reached at the '-' (no early_stop on top).
  template <class State>
  bool stopped(State& st) {
    reached_ = reached_ || st.should_stop();
    return reached_;
  }

  // A node of the graph, or a phantom (SearchState::foreign); a number past 2^32-1 is no node.
  template <class State>
  NodeId to_id(State& st, Label x, std::size_t offset) {
    NodeId v = no_node;
    if (x != 0xFFFFFFFFu || !pc_->too_large(offset)) {
      if (!table_.empty()) {
        if (x < table_.size())
          v = table_[x];
      } else if (const auto id = graph_->node(x)) {
        v = *id;
      }
    }
    return v != no_node ? v : st.foreign(x);
  }

  Label label(NodeId v) const noexcept {
    return graph_->label(v);
  }

  void add(ErrorKind kind, std::size_t offset, std::size_t expansion, std::uint64_t a = 0,
           std::uint64_t b = 0, std::uint64_t c = 0, std::uint8_t detail = 0) {
    if (findings_.size() >= max_errors_) {
      capped_ = true;
      return;
    }
    findings_.push_back(
        {kind, detail, static_cast<std::uint32_t>(findings_.size()), offset, expansion, a, b, c});
  }

  // Last in reading order; at the cap it replaces the last error found (unless the cap is 1).
  void add_syntax(const SyntaxError& e) {
    if (findings_.size() >= max_errors_ && max_errors_ > 1) {
      findings_.pop_back();
      capped_ = true;
    }
    add(e.kind, e.offset, e.expansion);
  }

  void add_unknown(Label x, std::size_t offset, std::size_t expansion, std::uint8_t role) {
    const bool big = x == 0xFFFFFFFFu && pc_->too_large(offset);
    add(ErrorKind::unknown_node, offset, expansion, x, 0, 0,
        static_cast<std::uint8_t>(role | (big ? detail::big_number : 0)));
  }

  // --- the exploration -------------------------------------------------------------------------

  template <class State, class Sink>
  void explore(State& st, const ParsedCompletion& pc, Sink& sink) {
    const Trace& t = pc.trace;
    const std::size_t count = t.expansion_count();
    bool missed = false;
    for (std::size_t i = 0; i < count && !capped_; ++i) {
      const std::size_t at = pc.expanded_at[i];
      if (stopped(st)) {
        exact_ = false;
        if (!missed) {
          add(ErrorKind::missed_target, at, i, label(query_.target));
          missed = true;
        }
      }
      const NodeId front = st.next();
      const NodeId u = to_id(st, t.expanded[i], at);
      const auto list = t.list(i);
      const std::size_t first = i == 0 ? 0 : t.list_end[i - 1];
      if (st.is_phantom(u)) {
        exact_ = false;
        add_unknown(t.expanded[i], at, i, detail::role_expansion);
        st.expand_foreign(u);
        detail::fire_on_expand(sink, st, u);
        foreign_list(st, pc, i, u, list, first, sink);
        continue;
      }
      if (u != front)
        exact_ = false;
      if (i == 0 && u != query_.source)
        add(ErrorKind::wrong_start, at, i, label(u), label(query_.source));
      else if (st.expanded(u))
        add(ErrorKind::reexpanded, at, i, label(u));
      else if (!st.in_frontier(u))
        add(ErrorKind::not_in_frontier, at, i, label(u));
      else if (u != front)
        add(ErrorKind::frontier_order, at, i, label(u), label(front));
      st.expand(u);
      detail::fire_on_expand(sink, st, u);
      expand_list(st, pc, i, u, list, first, sink);
    }
  }

  template <class State, class Sink>
  void list_node(State& st, NodeId u, NodeId v, Sink& sink) {
    const bool fresh = !st.is_phantom(v) && st.list(v);
    detail::fire_on_list(sink, st, u, v);
    if (fresh)
      detail::fire_on_discover(sink, st, v);
  }

  template <class State, class Sink>
  void close_list(State& st, NodeId u, Sink& sink) {
    st.close();
    detail::fire_on_close(sink, st, u);
  }

  // A phantom's list: each node of the graph in it is non_edge, and adopted with u as parent.
  template <class State, class Sink>
  void foreign_list(State& st, const ParsedCompletion& pc, std::size_t i, NodeId u,
                    std::span<const Label> list, std::size_t first, Sink& sink) {
    for (std::size_t j = 0; j < list.size(); ++j) {
      const std::size_t at = pc.listed_at[first + j];
      const NodeId v = to_id(st, list[j], at);
      if (st.is_phantom(v))
        add_unknown(list[j], at, i, detail::role_listed);
      else
        add(ErrorKind::non_edge, at, i, st.label(u), label(v));
      list_node(st, u, v, sink);
    }
    if (i < pc.list_close_at.size())
      close_list(st, u, sink);
  }

  template <class State, class Sink>
  void expand_list(State& st, const ParsedCompletion& pc, std::size_t i, NodeId u,
                   std::span<const Label> list, std::size_t first, Sink& sink) {
    ref_.clear();
    st.for_each_reference_listing(u, [&](NodeId v) { ref_.push_back(v); });
    // The common case, a list exactly as required and closed: the same transitions as below
    // without the bookkeeping.
    if (list.size() == ref_.size() && i < pc.list_close_at.size()) {
      std::size_t j = 0;
      while (j < list.size() && to_id(st, list[j], pc.listed_at[first + j]) == ref_[j])
        ++j;
      if (j == list.size()) {
        for (const NodeId v : ref_)
          list_node(st, u, v, sink);
        close_list(st, u, sink);
        return;
      }
    }
    for (std::size_t r = 0; r < ref_.size(); ++r)
      rank_[ref_[r]] = static_cast<std::uint32_t>(r + 1);
    ++stamp_;
    std::uint32_t prev_rank = 0;
    bool order_reported = false;
    for (std::size_t j = 0; j < list.size(); ++j) {
      const std::size_t at = pc.listed_at[first + j];
      const NodeId v = to_id(st, list[j], at);
      if (st.is_phantom(v)) {
        exact_ = false;
        add_unknown(list[j], at, i, detail::role_listed);
        list_node(st, u, v, sink);
        continue;
      }
      if (j >= ref_.size() || ref_[j] != v)
        exact_ = false;
      // A required node: only the last two checks of the precedence apply.
      if (const std::uint32_t r = rank_[v]; r != 0) {
        if (seen_[v] == stamp_) {
          add(ErrorKind::duplicate_neighbor, at, i, label(u), label(v));
        } else {
          if (r < prev_rank && !order_reported) {
            add(ErrorKind::neighbor_order, at, i, label(v), label(ref_[prev_rank - 1]));
            order_reported = true;
          }
          prev_rank = r;
        }
      } else if (!graph_->adjacent(u, v)) {
        add(ErrorKind::non_edge, at, i, label(u), label(v));
      } else {
        add(ErrorKind::listed_expanded, at, i, label(u), label(v), 0, st.expanded(v) ? 0 : 1);
      }
      seen_[v] = stamp_;
      list_node(st, u, v, sink);
    }
    if (i < pc.list_close_at.size()) {
      if (list.size() != ref_.size())
        exact_ = false;
      for (const NodeId v : ref_)
        if (seen_[v] != stamp_)
          add(ErrorKind::missing_neighbor, pc.list_close_at[i], i, label(u), label(v));
      close_list(st, u, sink);
    }
    for (const NodeId v : ref_)
      rank_[v] = 0;
  }

  // --- the backtrack ---------------------------------------------------------------------------

  template <class State, class Sink>
  void traceback(State& st, const ParsedCompletion& pc, Sink& sink) {
    if (pc.dash_at == no_offset)
      return;
    const std::size_t e = pc.trace.expansion_count();
    if (!stopped(st)) {
      exact_ = false;
      add(ErrorKind::early_stop, pc.dash_at, e, label(query_.target));
    }
    detail::fire_on_stop(sink, st);
    const auto& bt = pc.trace.backtrack;
    NodeId prev = no_node;
    bool past = false; // a traceback_end past the source was reported
    for (std::size_t j = 0; j < bt.size(); ++j) {
      const std::size_t at = pc.backtrack_at[j];
      const NodeId v = to_id(st, bt[j], at);
      // The reference: the target, then parents up to the source and no further.
      if (j == 0 ? v != query_.target
                 : (prev == no_node || prev == query_.source || v != st.parent(prev)))
        exact_ = false;
      if (st.is_phantom(v)) {
        add_unknown(bt[j], at, e, detail::role_backtrack);
      } else if (j == 0) {
        if (v != query_.target)
          add(ErrorKind::traceback_start, at, e, label(v), label(query_.target));
      } else if (past) {
        // not checked further
      } else if (prev == query_.source) {
        add(ErrorKind::traceback_end, at, e, label(v), label(query_.source), 0, 1);
        past = true;
      } else if (st.parent(prev) != no_node && v != st.parent(prev)) {
        add(ErrorKind::traceback_parent, at, e, st.label(prev), label(v),
            st.label(st.parent(prev)));
      }
      detail::fire_on_backtrack(sink, st, v);
      prev = v;
    }
    if (pc.gt_at != no_offset && !bt.empty() && prev != query_.source) {
      exact_ = false;
      if (!past)
        add(ErrorKind::traceback_end, pc.gt_at, e, bt.back(), label(query_.source), 0,
            st.is_phantom(prev) && pc.too_large(pc.backtrack_at.back()) ? detail::big_number : 0);
    }
  }

  // --- the answer ------------------------------------------------------------------------------

  bool same_token(Label x, std::size_t at_x, Label y, std::size_t at_y) const {
    if (x != y)
      return false;
    return x != 0xFFFFFFFFu || pc_->too_large(at_x) == pc_->too_large(at_y);
  }

  template <class State, class Frontier>
  void answer(State& st, const ParsedCompletion& pc, const Frontier& frontier) {
    if (!pc.complete || pc.error)
      return;
    const auto& path = pc.trace.path;
    const auto& bt = pc.trace.backtrack;
    const std::size_t e = pc.trace.expansion_count();
    const std::size_t at = pc.path_at[0];
    std::size_t unknown = path.size(); // the first number that is no node
    for (std::size_t j = 0; j < path.size(); ++j) {
      if (st.is_phantom(to_id(st, path[j], pc.path_at[j]))) {
        unknown = std::min(unknown, j);
        add_unknown(path[j], pc.path_at[j], e, detail::role_path);
      }
    }
    std::size_t differ = 0;
    const std::size_t common = std::min(path.size(), bt.size());
    while (differ < common &&
           same_token(path[differ], pc.path_at[differ], bt[bt.size() - 1 - differ],
                      pc.backtrack_at[bt.size() - 1 - differ]))
      ++differ;
    if (differ != path.size() || path.size() != bt.size()) {
      exact_ = false;
      add(ErrorKind::answer_mismatch, at, e, differ);
    }
    if (exact_) {
      answer_correct_ = true;
      return;
    }
    if (unknown < path.size()) {
      add(ErrorKind::answer_invalid, at, e, path[unknown], 0, 0,
          pc.too_large(pc.path_at[unknown]) ? detail::big_number | 3 : 3);
      return;
    }
    const NodeId s = to_id(st, path.front(), pc.path_at.front());
    const NodeId t = to_id(st, path.back(), pc.path_at.back());
    if (s != query_.source) {
      add(ErrorKind::answer_invalid, at, e, path.front(), label(query_.source), 0, 0);
      return;
    }
    if (t != query_.target) {
      add(ErrorKind::answer_invalid, at, e, path.back(), label(query_.target), 0, 1);
      return;
    }
    for (std::size_t j = 1; j < path.size(); ++j) {
      const NodeId a = to_id(st, path[j - 1], pc.path_at[j - 1]);
      const NodeId b = to_id(st, path[j], pc.path_at[j]);
      if (!graph_->adjacent(a, b)) {
        add(ErrorKind::answer_invalid, at, e, path[j - 1], path[j], 0, 2);
        return;
      }
    }
    const std::size_t edges = path.size() - 1;
    if (State::discipline.shortest_paths) {
      // From a BFS: a first lister as parent gives shortest paths (unreachable: size_t(-1)).
      reference_path(SearchOptions{}, FifoFrontier{});
      const std::size_t shortest = reference_.size() - 1;
      answer_correct_ = edges == shortest;
      if (edges > shortest)
        add(ErrorKind::answer_not_shortest, at, e, edges, shortest);
      return;
    }
    // Otherwise the reference path of the same discipline.
    if (!reference_path(options_, frontier))
      return;
    answer_correct_ = reference_.size() == path.size();
    for (std::size_t j = 0; answer_correct_ && j < path.size(); ++j)
      answer_correct_ = to_id(st, path[j], pc.path_at[j]) == reference_[j];
  }

  struct PathRecorder {
    std::vector<NodeId>* out;
    template <class State>
    void on_path(const State&, NodeId v) {
      out->push_back(v);
    }
  };

  // Into reference_; false when the target is unreachable.
  template <class Frontier>
  bool reference_path(const SearchOptions& o, const Frontier& frontier) {
    reference_.clear();
    PathRecorder rec{&reference_};
    return search(reference_scratch_, *graph_, query_, o, frontier, rec) == SearchStatus::found;
  }

  // --- the verdict -----------------------------------------------------------------------------

  void finish(const ParsedCompletion& pc) {
    const auto before = [](const Finding& x, const Finding& y) {
      if (x.offset != y.offset)
        return x.offset < y.offset;
      if (x.kind != y.kind)
        return x.kind < y.kind;
      return x.seq < y.seq;
    };
    if (!std::is_sorted(findings_.begin(), findings_.end(), before))
      std::sort(findings_.begin(), findings_.end(), before);
    resize_errors(findings_.size());
    auto& errs = verdict_.errors;
    const detail::MessageContext ctx{discipline_, &options_, graph_->directed(),
                                     pc.error ? &*pc.error : nullptr};
    for (std::size_t i = 0; i < findings_.size(); ++i) {
      const Finding& f = findings_[i];
      Deviation& d = errs[i];
      d.kind = f.kind;
      d.offset = f.offset;
      d.expansion = f.expansion;
      d.message.clear();
      detail::write_message(d.message, f, ctx);
    }
    verdict_.valid = findings_.empty();
    verdict_.errors_capped = capped_;
    verdict_.exact = exact_ && pc.complete && !pc.error;
    verdict_.answer_correct = answer_correct_;
  }

  static constexpr Label direct_table_limit = 1u << 16;

  mutable CompletionParser parser_;
  mutable ParsedCompletion parsed_;
  mutable bool parsed_current_ = true;
  std::vector<char> text_; // the last text and NUL padding (parsed() reads it on demand)
  std::size_t text_size_ = 0;
  SearchScratch scratch_;
  SearchScratch reference_scratch_;
  const Graph* graph_ = nullptr;
  const ParsedCompletion* pc_ = nullptr;
  const DisciplineTraits* discipline_ = nullptr;
  Query query_;
  SearchOptions options_;
  std::vector<NodeId> table_;
  std::vector<NodeId> ref_;
  std::vector<std::uint32_t> rank_;
  std::vector<std::uint32_t> seen_;
  std::vector<NodeId> reference_;
  std::uint32_t stamp_ = 0;
  std::vector<Finding> findings_;
  std::vector<Deviation> spare_;
  Verdict verdict_;
  bool exact_ = true;
  bool reached_ = false;
  bool answer_correct_ = false;
  bool capped_ = false;
  std::size_t max_errors_ = default_max_errors;
};

/// For many completions, reuse a Classifier.
inline Verdict classify(const Prompt& p, std::string_view completion, const SearchOptions& o = {}) {
  Classifier c;
  return c.classify(p, completion, o);
}

inline Verdict classify(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o = {}) {
  Classifier c;
  return c.classify(p, pc, o);
}

} // namespace searchtrace

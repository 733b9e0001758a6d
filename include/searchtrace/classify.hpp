// The error classifier (SPEC §6–7): replays a completion through the search core (SearchState,
// the very state machine the tracers drive) and names every deviation, with its byte offset
// (or token index) and expansion index. One code path for BFS and DFS: only the frontier
// discipline inside SearchState differs, and the same SearchOptions policies apply.
//
// How a completion is judged, token by token (the replay adopts the completion's choice after
// every error, SPEC §7.6, so the frontier it checks against is the one the completion implies):
//
//   expansion node u       missed_target if the exploration should already have stopped (first
//                          extra expansion only; `should_stop()` before expanding), then ONE of
//                          unknown_node > wrong_start > reexpanded > not_in_frontier >
//                          frontier_order (SPEC §7.3); then `expand(u)`.
//   listed node v          ONE of unknown_node > non_edge > listed_expanded > duplicate_neighbor
//                          > neighbor_order; then `list(v)` (an unknown node changes nothing).
//   ')'                    missing_neighbor per required node not listed (in required order);
//                          then `close()`.
//   '-'                    early_stop unless `should_stop()` (held at any point between
//                          expansions: the target stays reached once it was).
//   backtrack node b_j     ONE of unknown_node > traceback_start (j = 0, not the target) >
//                          traceback_end (the previous node was the source: the first node past
//                          it) > traceback_parent (not the recorded parent of b_{j-1}).
//   '>'                    traceback_end if the last backtrack node is not the source (and no
//                          traceback_end was reported past it).
//   path (whole)           unknown_node at each node that is not a node of the graph; at the
//                          first path node: answer_mismatch, then answer_invalid or
//                          answer_not_shortest (SPEC §7.5 orders them by the table).
//
// Decisions where SPEC is silent (each is tested in tests/classify.cpp):
// - missed_target sits on the first extra expansion in addition to that expansion's own queue
//   error, if any; SPEC §7.5's table order puts the queue error first. Under StopRule::on_pop
//   "the exploration should have stopped" means the target is at the front of the frontier
//   (`should_stop()`): expanding it, or anything else, is missed_target; early_stop at '-'
//   means the target had not reached the front.
// - The target counts as listed whoever lists it, even along a non-edge: the replay adopts the
//   completion's listing (the seed's blog example lists the target through a non-edge and then
//   has nothing left to do but stop).
// - An expansion of an unknown node is reported once (unknown_node); its list is checked for
//   unknown nodes only and changes nothing in the state (there is no node to be adjacent to).
// - Under Listing::undiscovered, listing a node that was already discovered before this
//   expansion (queued, not expanded) is listed_expanded: the kind means "a node the listing
//   policy excludes was listed again"; the message says "discovered".
// - neighbor_order is reported at most once per list, at the first node whose required rank is
//   below that of the previous listed node that is in the required list (nodes with another
//   error in that list are skipped when finding the predecessor).
// - A backtrack node after the source is traceback_end (once); the rest of the backtrack is not
//   checked against parents. A step from a node without a recorded parent (an unknown node, a
//   node never listed, the node of a wrong start) is not flagged. A backtrack that starts at the
//   source is traceback_start, and its second node is then past the source.
// - answer_invalid: the path does not start at the source, does not end at the target, has a
//   node not in the graph, or a step that is not an edge (an arc u→v when directed). A walk that
//   repeats a node is a path of the graph for this purpose, hence answer_not_shortest (BFS).
// - answer_not_shortest is a BFS error only: a DFS path need not be shortest; a DFS path other
//   than the reference path is answer_mismatch or follows a traceback error.
// - answer_correct (SPEC §7.7) ignores answer_mismatch: BFS needs a complete path, followed by
//   nothing, from the source to the target along edges, of shortest length; DFS needs the
//   reference path exactly. After any syntax error or truncation the answer is not judged: no
//   answer error, answer_correct = false.
// - unknown_node also applies to backtrack and path nodes (it is about the token, whatever its
//   role), and a number beyond 2^32-1 is always unknown_node.
// - A prompt whose target cannot be reached is still classified: the replay has no stop, so a
//   completion ends in early_stop (or errors before); exact is then false.
// - Every expansion is held to the list rule, whatever its own error: a re-expansion, or an
//   expansion out of order, must list what the policy requires at that moment (a re-expanded
//   node written `u,()` reports its unexpanded neighbours as missing_neighbor).
// - The expansion index of a syntax error or truncation is that of the expansion being written
//   (from its node to its ')'), else the number of expansions read (between expansions, and
//   from the '-' on).
// - Consequence worth knowing: answer_invalid and answer_not_shortest are never FIRST errors.
//   Without an earlier error the backtrack is the reference's, so a path equal to it reversed
//   is valid (and shortest for BFS), and any other path is answer_mismatch, which precedes them
//   at the same offset (SPEC §7.5). They show up after answer_mismatch or after other errors.
// - exact (token for token the tracer's completion) and valid (no error) coincide, since the
//   correct completion is unique; they are computed independently and tested to agree.
//
// A query whose ids are outside the graph (a hand-built Prompt; parsed prompts cannot have one)
// throws std::invalid_argument, as `search` does.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/completion.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/verdict.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

namespace detail {

/// One error as found, before its message is written: kind, position and the nodes the message
/// names. Messages are written only once the errors are sorted, into reused strings.
struct Finding {
  ErrorKind kind = ErrorKind::syntax;
  std::uint8_t detail = 0; // which message variant
  std::uint32_t seq = 0;   // order found, for a stable sort
  std::size_t offset = 0;
  std::size_t expansion = 0;
  std::uint64_t a = 0, b = 0, c = 0;
};

/// Message variants (Finding::detail).
enum : std::uint8_t {
  role_expansion = 0,
  role_listed = 1,
  role_backtrack = 2,
  role_path = 3,
  big_number = 4, // or'ed in: the number was beyond 2^32-1
};

/// Sink counting backtrack nodes (shortest distance with a BFS run of the core).
struct BacktrackCounter {
  std::size_t nodes = 0;
  void on_backtrack(const SearchState&, NodeId) { ++nodes; }
};

/// Sink recording the backtrack (the reference path, reversed).
struct BacktrackRecorder {
  std::vector<NodeId>* out;
  void on_backtrack(const SearchState&, NodeId v) { out->push_back(v); }
};

/// The spelling of 0..99 as the two bytes at the start of a text (in memory order) and the
/// mask that keeps the bytes a label of one digit uses, for matching labels without dividing.
struct SmallLabels {
  std::uint16_t bytes[100];
  std::uint16_t mask[100];
  std::uint8_t length[100];
};

constexpr SmallLabels make_small_labels() noexcept {
  SmallLabels t{};
  const auto pack = [](unsigned first, unsigned second) {
    return static_cast<std::uint16_t>(
        std::endian::native == std::endian::little ? first | second << 8 : first << 8 | second);
  };
  for (unsigned i = 0; i < 100; ++i) {
    t.bytes[i] = i < 10 ? pack('0' + i, 0) : pack('0' + i / 10, '0' + i % 10);
    t.mask[i] = i < 10 ? pack(0xFF, 0) : pack(0xFF, 0xFF);
    t.length[i] = i < 10 ? 1 : 2;
  }
  return t;
}

inline constexpr SmallLabels small_labels = make_small_labels();

/// Reads the label x at p (NUL-padded text) and advances p past it, or leaves p and returns
/// false. The caller checks the byte after it, which must be punctuation (or the end): that
/// check rejects a longer number. Labels below 100 (the usual label spaces) are one masked
/// two-byte comparison; longer ones go through scan_label (which refuses ten digits or more:
/// such a text goes to the parser).
inline bool match_label(const char*& p, const char* end, Label x) noexcept {
  if (x < 100) [[likely]] {
    std::uint16_t two;
    std::memcpy(&two, p, 2);
    const bool ok = (two & small_labels.mask[x]) == small_labels.bytes[x];
    p += ok ? small_labels.length[x] : 0;
    return ok;
  }
  Label y = 0;
  const char* q = scan_label(p, end, y);
  if (q == nullptr || y != x)
    return false;
  p = q;
  return true;
}

/// NUL bytes that must follow a text given to `matches_reference`.
inline constexpr std::size_t reference_padding = 4;

/// The reading steps both reference matchers share. `u,(` opening an expansion, after the ','
/// that separates it from the previous one; false (p anywhere) on a mismatch.
inline bool match_expansion_open(const char*& p, const char* end, Label u, bool first) noexcept {
  if (!first) {
    if (*p != ',')
      return false;
    ++p;
  }
  if (!match_label(p, end, u) || p[0] != ',' || p[1] != '(')
    return false;
  p += 2;
  return true;
}

/// One listed node, after its separator (',' and an optional space) unless it is the list's
/// first (`sep` false). No branch on the text: a mismatch only clears `ok` (and p stops
/// advancing at it), so the caller's listing runs on unchanged.
inline void match_listed(const char*& p, const char* end, Label v, bool& sep, bool& ok) noexcept {
  const bool comma = *p == ',';
  p += sep & comma;
  p += sep & comma & (*p == ' ');
  ok = ok & (!sep | comma) & match_label(p, end, v);
  sep = true;
}

/// The ')' closing a list whose nodes all matched.
inline bool match_list_close(const char*& p, bool ok) noexcept {
  if (!ok || *p != ')')
    return false;
  ++p;
  return true;
}

/// The answer part of a reference completion, from just after the last ')': the '-' (with its
/// optional spaces), the backtrack from the target along `parent_of` to the source, '>=', the
/// same nodes in reverse, and the end of the text. Parents point to nodes expanded earlier, so
/// the walk ends at the source within `n` steps; `walk` has room for n nodes.
template <class ParentOf>
bool match_answer(const char* p, const char* end, const Label* labels, Query q, std::size_t n,
                  ParentOf&& parent_of, NodeId* walk) {
  p += *p == ' ';
  if (*p != '-')
    return false;
  ++p;
  p += *p == ' ';
  std::size_t steps = 0;
  for (NodeId v = q.target;; v = parent_of(v)) {
    if (v == no_node || steps == n)
      return false; // not reached for a found search; a guard for the array
    if (steps != 0) {
      if (*p != ',')
        return false;
      ++p;
    }
    if (!match_label(p, end, labels[v]))
      return false;
    walk[steps++] = v;
    if (v == q.source)
      break;
  }
  if (p[0] != '>' || p[1] != '=')
    return false;
  p += 2;
  for (std::size_t j = steps; j-- > 0;) {
    if (j + 1 != steps) {
      if (*p != ',')
        return false;
      ++p;
    }
    if (!match_label(p, end, labels[walk[j]]))
      return false;
  }
  return p == end;
}

/// Whether `text` is the reference completion of `pr` under `o`, in some accepted spacing: the
/// loop of `search` (search.hpp) on the same SearchState transitions, reading the text as it
/// goes and leaving at the first token that differs. Spacing as the parser's (SPEC §7.1): one
/// optional space after a comma inside parentheses and on either side of `-`. A node matches
/// when the text holds exactly its label's digits followed by the punctuation the grammar
/// expects there (or the end), so an accepted text is one that CompletionParser reads, without
/// error, into the reference trace. `text` must be followed by `reference_padding` NUL bytes: a
/// NUL matches no expected character, so no read needs a bounds check. `backtrack` is scratch.
/// A trivial query (source = target) or an unreachable target has no reference: false.
inline bool matches_reference_core(SearchState& st, const Prompt& pr, std::string_view text,
                                   const SearchOptions& o, std::vector<NodeId>& backtrack) {
  const Graph& g = pr.graph;
  const Query q = pr.query;
  if (q.source == q.target)
    return false;
  const Label* labels = g.labels().data();
  const char* p = text.data();
  const char* const end = p + text.size();
  if (*p != '<')
    return false;
  ++p;
  if (backtrack.size() < g.node_count())
    backtrack.resize(g.node_count());
  st.reset(g, q, o);
  for (bool first = true;; first = false) {
    const NodeId u = st.next();
    if (u == no_node)
      return false;
    if (o.stop == StopRule::on_pop && u == q.target)
      break;
    if (!match_expansion_open(p, end, labels[u], first))
      return false;
    st.expand(u);
    bool ok = true, sep = false;
    st.for_each_reference_listing(u, [&](NodeId v) {
      match_listed(p, end, labels[v], sep, ok);
      st.list(v);
    });
    if (!match_list_close(p, ok))
      return false;
    st.close();
    if (o.stop == StopRule::on_list && st.target_listed())
      break;
  }
  return match_answer(
      p, end, labels, q, g.node_count(), [&](NodeId v) { return st.parent(v); }, backtrack.data());
}

/// matches_reference for BFS in ascending order on a graph of at most Graph::small_nodes nodes:
/// the same transitions on the graph's bit rows (as the tracer's detail::trace_bfs_rows), with
/// the sets as single words. Without a replay the queue never holds an expanded node, so it is
/// a plain array; an expansion lists `row(u)` minus the excluded set, ascending, and queues the
/// part not yet discovered. The tests compare it with matches_reference_core on every text.
/// (One driver for this loop and the tracer's, with the reading and the recording as its
/// visitors, was tried: generation, which inlines the tracer's, ran 3% slower.)
inline bool matches_reference_rows(const Prompt& pr, std::string_view text,
                                   const SearchOptions& o) {
  const Graph& g = pr.graph;
  const std::uint64_t* const rows = g.rows().data();
  const Label* const labels = g.labels().data();
  const NodeId s = pr.query.source, t = pr.query.target;
  const bool undiscovered = o.listing == Listing::undiscovered;
  const bool on_pop = o.stop == StopRule::on_pop;
  const char* p = text.data();
  const char* const end = p + text.size();
  if (s == t || *p != '<')
    return false;
  ++p;
  NodeId queue[Graph::small_nodes];
  NodeId parent[Graph::small_nodes];
  std::size_t head = 0, tail = 0;
  queue[tail++] = s;
  std::uint64_t expanded = 0, discovered = std::uint64_t{1} << s;
  bool found = false;
  for (bool first = true; head < tail; first = false) {
    const NodeId u = queue[head++];
    if (on_pop && u == t) {
      found = true;
      break;
    }
    if (!match_expansion_open(p, end, labels[u], first))
      return false;
    expanded |= std::uint64_t{1} << u;
    const std::uint64_t list = rows[u] & ~(undiscovered ? expanded | discovered : expanded);
    const std::uint64_t fresh = list & ~discovered;
    discovered |= list;
    bool ok = true, sep = false;
    for (std::uint64_t b = list; b != 0; b &= b - 1)
      match_listed(p, end, labels[std::countr_zero(b)], sep, ok);
    if (!match_list_close(p, ok))
      return false;
    for (std::uint64_t b = fresh; b != 0; b &= b - 1) {
      const auto v = static_cast<NodeId>(std::countr_zero(b));
      parent[v] = u;
      queue[tail++] = v;
    }
    if (!on_pop && ((list >> t) & 1u)) {
      found = true;
      break;
    }
  }
  if (!found)
    return false;
  // `queue` is done with: it holds the walk.
  return match_answer(
      p, end, labels, pr.query, g.node_count(), [&](NodeId v) { return parent[v]; }, queue);
}

/// Whether `text` is the reference completion (see matches_reference_core): on the graph's bit
/// rows for BFS in ascending order on up to Graph::small_nodes nodes, else on SearchState.
inline bool matches_reference(SearchState& st, const Prompt& pr, std::string_view text,
                              const SearchOptions& o, std::vector<NodeId>& backtrack) {
  if (o.algorithm == Algorithm::bfs && o.order == NeighborOrder::ascending &&
      !pr.graph.rows().empty())
    return matches_reference_rows(pr, text, o);
  return matches_reference_core(st, pr, text, o, backtrack);
}

} // namespace detail

/// Judges completions against prompts. Keep one per thread: after warm-up a classification
/// allocates nothing (the parse, the replay state, the findings and the messages all live in
/// reused buffers; only a syntax error's lexer message may allocate). The returned Verdict is
/// valid until the next call. Cost on G15_2_4 (bench/classify.cpp, callgrind): a correct
/// completion text takes the fast path, about 1,250 instructions for BFS (ascending order, on
/// the graph's bit rows) and 2,350 for DFS (on SearchState); any other text about 8,000 (the
/// failed match, the parse, the replay and the messages); ids are always parsed and replayed. With
/// many distinct prompts in memory, the cache misses on their graphs cost about as much again, so
/// keep prompts compact or parse them just in time.
class Classifier {
public:
  /// Parses and judges a completion text (either spacing). Offsets are byte offsets.
  ///
  /// Fast path: the text is first matched, token by token, against the reference completion as
  /// the search core produces it (detail::matches_reference: the loop of `search` on the same
  /// SearchState, reading the text as it goes; no parse). A text that is the reference in an
  /// accepted spacing gets the verdict the replay gives it (exact, valid, answer_correct, no
  /// errors; the tests check both paths against each other); any other text is parsed and
  /// replayed. After the fast path, `parsed()` parses the text on demand.
  const Verdict& classify(const Prompt& p, std::string_view completion,
                          const SearchOptions& o = {}) {
    check_query(p);
    prefetch(p, o);
    const std::size_t n = completion.size();
    if (text_.size() < n + detail::reference_padding)
      text_.resize(2 * n + detail::reference_padding);
    text_size_ = n;
    if (n != 0) // (memcpy from the null data() of an empty view is undefined)
      std::memcpy(text_.data(), completion.data(), n);
    std::memset(text_.data() + n, 0, detail::reference_padding);
    if (detail::matches_reference(scratch_, p, std::string_view(text_.data(), n), o,
                                  match_backtrack_)) {
      parsed_current_ = false;
      return exact_verdict();
    }
    parser_.parse(completion, parsed_);
    parsed_current_ = true;
    return classify(p, parsed_, o);
  }

  /// Judges a completion given as token ids (strip BOS/EOS/PAD first). Offsets are token
  /// indices in `ids`.
  template <class Id>
  const Verdict& classify_ids(const Prompt& p, std::span<const Id> ids, const Vocabulary& v,
                              const SearchOptions& o = {}) {
    parser_.parse_ids(ids, v, parsed_);
    parsed_current_ = true;
    return classify(p, parsed_, o);
  }

  template <class Id>
  const Verdict& classify_ids(const Prompt& p, const std::vector<Id>& ids, const Vocabulary& v,
                              const SearchOptions& o = {}) {
    return classify_ids(p, std::span<const Id>(ids), v, o);
  }

  /// Judges an already parsed completion (its positions are the verdict's offsets).
  const Verdict& classify(const Prompt& p, const ParsedCompletion& pc,
                          const SearchOptions& o = {}) {
    begin(p, pc, o);
    explore(pc);
    traceback(pc);
    answer(pc);
    if (pc.error)
      add_syntax(*pc.error);
    finish(pc);
    return verdict_;
  }

  /// The last verdict.
  const Verdict& verdict() const noexcept { return verdict_; }

  /// At most this many errors are kept per verdict. A garbage completion can have an error per
  /// token, and a re-expanded node of high degree one `missing_neighbor` per neighbour each
  /// time (quadratic in the input); so at the cap the replay stops looking for errors and
  /// `Verdict::errors_capped` says so. The kept errors are the first ones the replay found,
  /// which reads the text in order, so the first error is always right; a syntax error or
  /// truncation is kept too (in place of the last one found). The answer flags are still
  /// computed. Default 1000; at least 1.
  static constexpr std::size_t default_max_errors = 1000;
  void set_max_errors(std::size_t n) noexcept { max_errors_ = n == 0 ? 1 : n; }
  std::size_t max_errors() const noexcept { return max_errors_; }

  /// The completion the last text or id overload parsed. After the text overload's fast path
  /// the text is parsed here, on the first call (hence not noexcept, and not for concurrent
  /// calls: a Classifier belongs to one thread).
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

  // With many prompts in memory their graphs are cold: asking for the labels and the source's
  // neighbours at once lets those misses overlap (with each other and with the text's) instead
  // of following one another through the search. Measured on bench/classify.cpp's 10,000
  // prompts: about 15% more correct completions per second.
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

  // The verdict on a reference completion, as the replay would write it.
  const Verdict& exact_verdict() {
    auto& errs = verdict_.errors;
    while (!errs.empty()) {
      spare_.push_back(std::move(errs.back()));
      errs.pop_back();
    }
    verdict_.exact = verdict_.valid = verdict_.answer_correct = true;
    verdict_.errors_capped = false;
    return verdict_;
  }

  void begin(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o) {
    check_query(p);
    graph_ = &p.graph;
    query_ = p.query;
    options_ = o;
    pc_ = &pc;
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
    // Labels to ids through a direct table when the label space is small (the usual L = 50),
    // else by binary search in the graph.
    const auto labels = graph_->labels();
    table_.clear();
    if (!labels.empty() && labels.back() < direct_table_limit) {
      table_.assign(static_cast<std::size_t>(labels.back()) + 1, no_node);
      for (NodeId i = 0; i < labels.size(); ++i)
        table_[labels[i]] = i;
    }
    st_.reset(*graph_, query_, o);
  }

  // Whether the exploration is complete: sticky, so that under StopRule::on_pop a target that
  // reached the front of the frontier and was then expanded (missed_target) still counts as
  // reached when the completion finally stops (no early_stop on top of the missed_target).
  bool stopped() {
    reached_ = reached_ || st_.should_stop();
    return reached_;
  }

  NodeId to_id(Label x, std::size_t offset) const {
    if (x == 0xFFFFFFFFu && pc_->too_large(offset))
      return no_node;
    if (!table_.empty())
      return x < table_.size() ? table_[x] : no_node;
    const auto v = graph_->node(x);
    return v ? *v : no_node;
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
    Finding f;
    f.kind = kind;
    f.detail = detail;
    f.seq = static_cast<std::uint32_t>(findings_.size());
    f.offset = offset;
    f.expansion = expansion;
    f.a = a;
    f.b = b;
    f.c = c;
    findings_.push_back(f);
  }

  // The text's syntax error or truncation comes last in reading order; at the cap it takes the
  // place of the last error found, so that the verdict still says where the text stops being a
  // completion (unless the cap is 1: the first error comes first).
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

  void explore(const ParsedCompletion& pc) {
    const Trace& t = pc.trace;
    const std::size_t count = t.expansion_count();
    bool missed = false;
    for (std::size_t i = 0; i < count && !capped_; ++i) {
      const std::size_t at = pc.expanded_at[i];
      // The termination rule first: it is about the existence of this expansion.
      if (stopped()) {
        exact_ = false;
        if (!missed) {
          add(ErrorKind::missed_target, at, i, label(query_.target));
          missed = true;
        }
      }
      const NodeId front = st_.next();
      const NodeId u = to_id(t.expanded[i], at);
      const auto list = t.list(i);
      const std::size_t first = i == 0 ? 0 : t.list_end[i - 1];
      if (u == no_node) {
        exact_ = false;
        add_unknown(t.expanded[i], at, i, detail::role_expansion);
        for (std::size_t j = 0; j < list.size(); ++j)
          if (to_id(list[j], pc.listed_at[first + j]) == no_node)
            add_unknown(list[j], pc.listed_at[first + j], i, detail::role_listed);
        continue;
      }
      if (u != front)
        exact_ = false;
      if (i == 0 && u != query_.source)
        add(ErrorKind::wrong_start, at, i, label(u), label(query_.source));
      else if (st_.expanded(u))
        add(ErrorKind::reexpanded, at, i, label(u));
      else if (!st_.in_frontier(u))
        add(ErrorKind::not_in_frontier, at, i, label(u));
      else if (u != front)
        add(ErrorKind::frontier_order, at, i, label(u), label(front));
      st_.expand(u);
      expand_list(pc, i, u, list, first);
    }
  }

  // The list of expansion i (of node u), then its ')' if the text reached it.
  void expand_list(const ParsedCompletion& pc, std::size_t i, NodeId u, std::span<const Label> list,
                   std::size_t first) {
    ref_.clear();
    st_.for_each_reference_listing(u, [&](NodeId v) { ref_.push_back(v); });
    // The common case, a list exactly as required and closed: nothing to report, the state
    // takes the list as it is (the same transitions as below, without the bookkeeping).
    if (list.size() == ref_.size() && i < pc.list_close_at.size()) {
      std::size_t j = 0;
      while (j < list.size() && to_id(list[j], pc.listed_at[first + j]) == ref_[j])
        ++j;
      if (j == list.size()) {
        for (const NodeId v : ref_)
          st_.list(v);
        st_.close();
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
      const NodeId v = to_id(list[j], at);
      if (v == no_node) {
        exact_ = false;
        add_unknown(list[j], at, i, detail::role_listed);
        continue;
      }
      if (j >= ref_.size() || ref_[j] != v)
        exact_ = false;
      // A node of the required list is adjacent and not excluded by the listing policy: only
      // the last two checks of the precedence apply to it.
      if (const std::uint32_t r = rank_[v]; r != 0) {
        if (seen_[v] == stamp_) {
          add(ErrorKind::duplicate_neighbor, at, i, label(u), label(v));
        } else {
          if (r < prev_rank && !order_reported) {
            // The predecessor: the required node listed just before, by rank.
            add(ErrorKind::neighbor_order, at, i, label(v), label(ref_[prev_rank - 1]));
            order_reported = true;
          }
          prev_rank = r;
        }
      } else if (!graph_->adjacent(u, v)) {
        add(ErrorKind::non_edge, at, i, label(u), label(v));
      } else {
        add(ErrorKind::listed_expanded, at, i, label(u), label(v), 0, st_.expanded(v) ? 0 : 1);
      }
      seen_[v] = stamp_;
      st_.list(v);
    }
    if (i < pc.list_close_at.size()) {
      if (list.size() != ref_.size())
        exact_ = false;
      for (const NodeId v : ref_)
        if (seen_[v] != stamp_)
          add(ErrorKind::missing_neighbor, pc.list_close_at[i], i, label(u), label(v));
      st_.close();
    }
    for (const NodeId v : ref_)
      rank_[v] = 0;
  }

  // --- the backtrack ---------------------------------------------------------------------------

  void traceback(const ParsedCompletion& pc) {
    if (pc.dash_at == no_offset)
      return;
    const std::size_t e = pc.trace.expansion_count();
    if (!stopped()) {
      exact_ = false;
      add(ErrorKind::early_stop, pc.dash_at, e, label(query_.target));
    }
    const auto& bt = pc.trace.backtrack;
    NodeId prev = no_node;
    bool past = false; // a traceback_end past the source was reported
    for (std::size_t j = 0; j < bt.size(); ++j) {
      const std::size_t at = pc.backtrack_at[j];
      const NodeId v = to_id(bt[j], at);
      // The reference: the target, then parents up to the source and no further.
      if (j == 0 ? v != query_.target
                 : (prev == no_node || prev == query_.source || v != st_.parent(prev)))
        exact_ = false;
      if (v == no_node) {
        add_unknown(bt[j], at, e, detail::role_backtrack);
      } else if (j == 0) {
        if (v != query_.target)
          add(ErrorKind::traceback_start, at, e, label(v), label(query_.target));
      } else if (past) {
        // not checked further
      } else if (prev == query_.source) {
        add(ErrorKind::traceback_end, at, e, label(v), label(query_.source), 0, 1);
        past = true;
      } else if (prev != no_node && st_.parent(prev) != no_node && v != st_.parent(prev)) {
        add(ErrorKind::traceback_parent, at, e, label(prev), label(v), label(st_.parent(prev)));
      }
      prev = v;
    }
    if (pc.gt_at != no_offset && !bt.empty() && prev != query_.source) {
      exact_ = false;
      if (!past)
        add(ErrorKind::traceback_end, pc.gt_at, e, bt.back(), label(query_.source), 0,
            prev == no_node && pc.too_large(pc.backtrack_at.back()) ? detail::big_number : 0);
    }
  }

  // --- the answer ------------------------------------------------------------------------------

  bool same_token(Label x, std::size_t at_x, Label y, std::size_t at_y) const {
    if (x != y)
      return false;
    return x != 0xFFFFFFFFu || pc_->too_large(at_x) == pc_->too_large(at_y);
  }

  void answer(const ParsedCompletion& pc) {
    if (!pc.complete || pc.error)
      return;
    const auto& path = pc.trace.path;
    const auto& bt = pc.trace.backtrack;
    const std::size_t e = pc.trace.expansion_count();
    const std::size_t at = pc.path_at[0];
    // Unknown nodes, each at its own offset.
    bool all_known = true;
    for (std::size_t j = 0; j < path.size(); ++j) {
      if (to_id(path[j], pc.path_at[j]) == no_node) {
        all_known = false;
        add_unknown(path[j], pc.path_at[j], e, detail::role_path);
      }
    }
    // The backtrack reversed.
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
    // Exact so far: the path is the reference path, valid, and shortest for BFS.
    if (exact_) {
      answer_correct_ = true;
      return;
    }
    // A path of the graph from the source to the target.
    const NodeId s = to_id(path.front(), pc.path_at.front());
    const NodeId t = to_id(path.back(), pc.path_at.back());
    if (!all_known) {
      std::size_t j = 0;
      while (to_id(path[j], pc.path_at[j]) != no_node)
        ++j;
      add(ErrorKind::answer_invalid, at, e, path[j], 0, 0,
          pc.too_large(pc.path_at[j]) ? detail::big_number | 3 : 3);
      return;
    }
    if (s != query_.source) {
      add(ErrorKind::answer_invalid, at, e, path.front(), label(query_.source), 0, 0);
      return;
    }
    if (t != query_.target) {
      add(ErrorKind::answer_invalid, at, e, path.back(), label(query_.target), 0, 1);
      return;
    }
    for (std::size_t j = 1; j < path.size(); ++j) {
      const NodeId a = to_id(path[j - 1], pc.path_at[j - 1]);
      const NodeId b = to_id(path[j], pc.path_at[j]);
      if (!graph_->adjacent(a, b)) {
        add(ErrorKind::answer_invalid, at, e, path[j - 1], path[j], 0, 2);
        return;
      }
    }
    const std::size_t edges = path.size() - 1;
    if (options_.algorithm == Algorithm::bfs) {
      const std::size_t shortest = shortest_distance();
      answer_correct_ = edges == shortest;
      if (edges > shortest)
        add(ErrorKind::answer_not_shortest, at, e, edges, shortest);
      return;
    }
    // DFS: the reference path, from a run of the same core (the replay followed the completion,
    // which left the reference somewhere, or we would not be here).
    reference_.clear();
    detail::BacktrackRecorder rec{&reference_};
    if (search(scratch_, *graph_, query_, options_, rec) != SearchStatus::found)
      return;
    answer_correct_ = reference_.size() == path.size();
    for (std::size_t j = 0; answer_correct_ && j < path.size(); ++j)
      answer_correct_ = to_id(path[j], pc.path_at[j]) == reference_[reference_.size() - 1 - j];
  }

  // The length of a shortest path, from a BFS run of the same core (its parents give shortest
  // paths: every node's parent is its first lister).
  std::size_t shortest_distance() {
    SearchOptions bfs;
    bfs.algorithm = Algorithm::bfs;
    detail::BacktrackCounter counter;
    if (search(scratch_, *graph_, query_, bfs, counter) != SearchStatus::found)
      return static_cast<std::size_t>(-1);
    return counter.nodes - 1;
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
    auto& errs = verdict_.errors;
    while (errs.size() > findings_.size()) {
      spare_.push_back(std::move(errs.back()));
      errs.pop_back();
    }
    while (errs.size() < findings_.size()) {
      if (spare_.empty()) {
        errs.emplace_back();
      } else {
        errs.push_back(std::move(spare_.back()));
        spare_.pop_back();
      }
    }
    for (std::size_t i = 0; i < findings_.size(); ++i) {
      const Finding& f = findings_[i];
      Deviation& d = errs[i];
      d.kind = f.kind;
      d.offset = f.offset;
      d.expansion = f.expansion;
      d.message.clear();
      write_message(d.message, f, pc);
    }
    verdict_.valid = findings_.empty();
    verdict_.errors_capped = capped_;
    verdict_.exact = exact_ && pc.complete && !pc.error;
    verdict_.answer_correct = answer_correct_;
  }

  void write_message(std::string& m, const Finding& f, const ParsedCompletion& pc) const {
    const auto num = [&m](std::uint64_t v) { detail::append_number(m, v); };
    const bool bfs = options_.algorithm == Algorithm::bfs;
    const std::string_view front = bfs ? "at the front of the queue" : "on top of the stack";
    switch (f.kind) {
    case ErrorKind::syntax:
    case ErrorKind::truncated:
      m += pc.error ? std::string_view(pc.error->message) : std::string_view("syntax error");
      break;
    case ErrorKind::unknown_node: {
      constexpr std::string_view roles[] = {"expanded node ", "listed node ", "backtrack node ",
                                            "path node "};
      m += roles[f.detail & 3];
      if (f.detail & detail::big_number)
        m += "beyond 4294967295";
      else
        num(f.a);
      m += " is not a node of the graph";
      break;
    }
    case ErrorKind::non_edge:
      m += "listed ";
      num(f.b);
      m += graph_->directed() ? ", but there is no arc from " : ", which is not a neighbour of ";
      num(f.a);
      if (graph_->directed()) {
        m += " to ";
        num(f.b);
      }
      break;
    case ErrorKind::missing_neighbor:
      m += "left out ";
      num(f.b);
      m += options_.listing == Listing::unexpanded ? ", an unexpanded neighbour of "
                                                   : ", an undiscovered neighbour of ";
      num(f.a);
      break;
    case ErrorKind::listed_expanded:
      m += "listed ";
      num(f.b);
      m += f.detail == 0 ? ", which is already expanded"
                         : ", which is already discovered (listing: undiscovered)";
      break;
    case ErrorKind::duplicate_neighbor:
      m += "listed ";
      num(f.b);
      m += " twice in the list of ";
      num(f.a);
      break;
    case ErrorKind::neighbor_order:
      m += "listed ";
      num(f.a);
      m += " after ";
      num(f.b);
      m += options_.order == NeighborOrder::ascending ? ", out of ascending order"
                                                      : ", out of the prompt's order";
      break;
    case ErrorKind::wrong_start:
      m += "the first expansion is ";
      num(f.a);
      m += ", not the source ";
      num(f.b);
      break;
    case ErrorKind::not_in_frontier:
      m += "expanded ";
      num(f.a);
      m += ", which was never listed";
      break;
    case ErrorKind::frontier_order:
      m += "expanded ";
      num(f.a);
      m += " while ";
      num(f.b);
      m += " is ";
      m += front;
      break;
    case ErrorKind::reexpanded:
      m += "expanded ";
      num(f.a);
      m += " again";
      break;
    case ErrorKind::missed_target:
      m += "the target ";
      num(f.a);
      if (options_.stop == StopRule::on_list) {
        m += " was listed";
      } else {
        m += " is ";
        m += front;
      }
      m += ", but the exploration goes on";
      break;
    case ErrorKind::early_stop:
      m += "the exploration ends before the target ";
      num(f.a);
      if (options_.stop == StopRule::on_list) {
        m += " was listed";
      } else {
        m += bfs ? " reached the front of the queue" : " reached the top of the stack";
      }
      break;
    case ErrorKind::traceback_start:
      m += "the backtrack starts at ";
      num(f.a);
      m += ", not at the target ";
      num(f.b);
      break;
    case ErrorKind::traceback_parent:
      m += "the backtrack goes from ";
      num(f.a);
      m += " to ";
      num(f.b);
      m += ", but the parent of ";
      num(f.a);
      m += " is ";
      num(f.c);
      break;
    case ErrorKind::traceback_end:
      if (f.detail == 1) {
        m += "the backtrack goes on past the source ";
        num(f.b);
      } else {
        m += "the backtrack stops at ";
        if (f.detail & detail::big_number)
          m += "a number beyond 4294967295";
        else
          num(f.a);
        m += ", before the source ";
        num(f.b);
      }
      break;
    case ErrorKind::answer_mismatch:
      m += "the path is not the backtrack reversed (they differ from position ";
      num(f.a);
      m += ")";
      break;
    case ErrorKind::answer_invalid:
      switch (f.detail & 3) {
      case 0:
        m += "the path starts at ";
        num(f.a);
        m += ", not at the source ";
        num(f.b);
        break;
      case 1:
        m += "the path ends at ";
        num(f.a);
        m += ", not at the target ";
        num(f.b);
        break;
      case 2:
        m += "the path steps from ";
        num(f.a);
        m += " to ";
        num(f.b);
        m += graph_->directed() ? ", which is not an arc" : ", which is not an edge";
        break;
      default:
        m += "the path goes through ";
        if (f.detail & detail::big_number)
          m += "a number beyond 4294967295";
        else
          num(f.a);
        m += ", which is not a node of the graph";
        break;
      }
      break;
    case ErrorKind::answer_not_shortest:
      m += "the path has ";
      num(f.a);
      m += f.a == 1 ? " edge" : " edges";
      m += ", a shortest one ";
      num(f.b);
      break;
    }
  }

  static constexpr Label direct_table_limit = 1u << 16;

  mutable CompletionParser parser_;
  mutable ParsedCompletion parsed_;
  mutable bool parsed_current_ = true;
  std::vector<char> text_;    // the last text and NUL padding (parsed() reads it on demand)
  std::size_t text_size_ = 0; // its length
  SearchState st_;
  SearchState scratch_;
  const Graph* graph_ = nullptr;
  const ParsedCompletion* pc_ = nullptr;
  Query query_;
  SearchOptions options_;
  std::vector<NodeId> table_;
  std::vector<NodeId> ref_;
  std::vector<std::uint32_t> rank_;
  std::vector<std::uint32_t> seen_;
  std::vector<NodeId> reference_;
  std::vector<NodeId> match_backtrack_; // scratch of the fast path
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

/// Judges one completion text against a prompt (SPEC §6). For many, reuse a Classifier.
inline Verdict classify(const Prompt& p, std::string_view completion, const SearchOptions& o = {}) {
  Classifier c;
  return c.classify(p, completion, o);
}

/// Judges an already parsed completion.
inline Verdict classify(const Prompt& p, const ParsedCompletion& pc, const SearchOptions& o = {}) {
  Classifier c;
  return c.classify(p, pc, o);
}

} // namespace searchtrace

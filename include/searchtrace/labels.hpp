// The implicit state as data: for every token of an encoded sample, the state after that token
// (the state a model must hold to predict the next one), by node label. `StateLabeler` is a
// sink of the search loop (a reference sample) or of the classifier's replay (a model's
// completion, the state its own text implies); it learns the tokens of each event from the one
// TokenWriter, so its rows line up with the ids of any vocabulary (a dropped comma has no row).
//
// Rows are tokens; columns are node labels 0..L-1. Per token: the phase, the node being
// expanded, and the sets: packed (a word per set, bit v = label v; needs L <= 64) or dense (an
// int8 per label for the frontier, expanded and discovered sets, the rank in the frontier as
// int16, the parent as int32). docs/state.md documents every field and the alignment with ids.
//
// When a token's row is taken, precisely: a node's token (and what follows it in the same step)
// sees the state after the step that writes it (`u` of `u,(`: u is expanded; a listed `v`: v is
// discovered, with its parent); a separator before the node (the ',' between expansions or list
// items) still sees the state before. A prompt token sees the empty state (nothing searched yet);
// '<' sees the start (the source in the frontier).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/token_writer.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

/// Where a token stands in a sample.
enum class Phase : std::int8_t {
  prompt = 0,      // the prompt's tokens (and <bos>)
  exploration = 1, // from '<' to the last ')'
  backtrack = 2,   // from '-' to '>'
  answer = 3,      // from '=' to the end (and <eos>)
};

constexpr std::string_view phase_name(Phase p) noexcept {
  switch (p) {
  case Phase::prompt:
    return "prompt";
  case Phase::exploration:
    return "exploration";
  case Phase::backtrack:
    return "backtrack";
  case Phase::answer:
    return "answer";
  }
  return "?";
}

/// How the sets of a row are stored.
enum class StateLayout : std::uint8_t {
  packed, // one 64-bit word per set per row (bit v = label v): L <= 64
  dense,  // L values per row: int8 flags, int16 frontier rank, int32 parent
};

/// Rows of per-token state, of one sample or of many appended (then a caller keeps the row
/// offsets, as the ids files do). Only the fields of the layout are filled.
struct StateRows {
  Label label_space = 0;
  StateLayout layout = StateLayout::packed;

  // Per row.
  std::vector<std::int8_t> phase;    // Phase
  std::vector<std::int32_t> current; // the label being expanded (from its token to its ')'), -1
  // Packed: discovered = frontier | expanded.
  std::vector<std::uint64_t> frontier_bits, expanded_bits;
  // Dense: row-major, label_space values per row.
  std::vector<std::int8_t> in_frontier, expanded, discovered;
  std::vector<std::int16_t> frontier_rank; // 0 = expanded next, -1 = not in the frontier
  std::vector<std::int32_t> parent;        // the parent's label, -1 = none
  // The vocabulary's id of each row's token, when the labeler was asked to record them.
  std::vector<std::int32_t> ids;

  std::size_t rows() const noexcept { return phase.size(); }
  /// Keeps the first n rows.
  void truncate(std::size_t n) {
    const std::size_t L = label_space;
    const auto cut = [](auto& v, std::size_t k) {
      if (v.size() > k)
        v.resize(k);
    };
    cut(phase, n);
    cut(current, n);
    cut(frontier_bits, n);
    cut(expanded_bits, n);
    cut(in_frontier, n * L);
    cut(expanded, n * L);
    cut(discovered, n * L);
    cut(frontier_rank, n * L);
    cut(parent, n * L);
    cut(ids, n);
  }
  void clear() noexcept {
    phase.clear();
    current.clear();
    frontier_bits.clear();
    expanded_bits.clear();
    in_frontier.clear();
    expanded.clear();
    discovered.clear();
    frontier_rank.clear();
    parent.clear();
    ids.clear();
  }
};

/// Labels tokens into StateRows. Use: `begin(prompt)` (the prompt's rows), then run it as the
/// sink of a search or a replay (the completion's rows), then `end()` (an <eos> row when the
/// vocabulary has one; or `flush()` where the search stopped short). The rows are in `out` after
/// end(), flush() or the labeler's end of life. `vocabulary` decides which tokens have rows (none
/// for a dropped comma; <bos>/<eos> where it has them); without one, every grammar token has a row
/// (the tokens of the text). Labels of nodes must be below the label space.
class StateLabeler {
public:
  /// `record_ids`: also record each row's token id in `out.ids` (needs a vocabulary).
  StateLabeler(StateRows& out, const Vocabulary* vocabulary, bool record_ids = false)
      : out_(&out), vocab_(vocabulary), record_ids_(record_ids && vocabulary != nullptr),
        drops_commas_(vocabulary != nullptr && vocabulary->drops_commas()),
        dense_(out.layout == StateLayout::dense), plain_(!dense_ && !record_ids_) {
    const Label L = out.label_space;
    if (L == 0)
      throw std::invalid_argument("searchtrace: StateRows needs a label space");
    if (!dense_ && L > 64)
      throw std::invalid_argument("searchtrace: the packed state layout needs a label space of at "
                                  "most 64 (use the dense one)");
    if (vocabulary != nullptr && vocabulary->label_space() > L)
      throw std::invalid_argument("searchtrace: the vocabulary has labels beyond the label space");
    make_room();
  }
  // Packed rows wait in a small buffer, each written as one record; `out` has room for a full
  // buffer before a row enters it, so handing them over never allocates and cannot fail.
  ~StateLabeler() { hand_over(); }
  StateLabeler(const StateLabeler&) = delete;
  StateLabeler& operator=(const StateLabeler&) = delete;

  /// Hands the rows made so far to `out` (end() and the destructor do too): read `out` after
  /// one of the three.
  SEARCHTRACE_OUT_OF_LINE void flush() {
    hand_over();
    make_room();
  }

  /// The prompt's rows (and <bos>'s): phase prompt, nothing searched.
  void begin(const Prompt& p) {
    const Graph& g = p.graph;
    if (!g.labels().empty() && g.labels().back() >= out_->label_space)
      throw std::out_of_range("searchtrace: a label of the prompt is beyond the label space " +
                              std::to_string(out_->label_space));
    if (record_ids_ && !g.labels().empty() && g.labels().back() >= vocab_->label_space())
      outside_vocabulary(node_token(g.labels().back()));
    reset_row();
    phase_ = Phase::prompt;
    // Every prompt row is the empty state, so they are made at once: a prompt of m edges has
    // 4m + 3 tokens, m + 1 of them commas. Its ids are the encoder's (which cannot throw now).
    const std::size_t m = g.edge_count();
    const std::size_t k = (vocab_ != nullptr && vocab_->bos() ? 1 : 0) +
                          (has_row(punct_token(TokenKind::comma)) ? 4 * m + 3 : 3 * m + 2);
    hand_over();
    if (record_ids_) {
      if (vocab_->bos())
        out_->ids.push_back(static_cast<std::int32_t>(*vocab_->bos()));
      encode_prompt(p, *vocab_, out_->ids);
    }
    append_empty_rows(k);
    make_room();
  }

  /// <eos>'s row, when the vocabulary has one; hands the rows to `out`.
  void end() {
    phase_ = Phase::answer;
    if (vocab_ != nullptr && vocab_->eos())
      push_row(*vocab_->eos());
    flush();
  }

  // --- the search's events -----------------------------------------------------------------

  template <class State>
  void on_start(const State& st) {
    start(st);
    writer_.on_start(st);
  }
  template <class State>
  void on_expand(const State& st, NodeId u) {
    expand(st, u);
    writer_.on_expand(st, u);
  }
  template <class State>
  void on_list(const State& st, NodeId u, NodeId v) {
    list(st, v);
    writer_.on_list(st, u, v);
  }
  template <class State>
  void on_close(const State& st, NodeId u) {
    close(st);
    writer_.on_close(st, u);
  }
  template <class State>
  void on_stop(const State& st) {
    writer_.on_stop(st);
  }
  template <class State>
  void on_backtrack(const State& st, NodeId v) {
    writer_.on_backtrack(st, v);
  }
  template <class State>
  void on_path(const State& st, NodeId v) {
    writer_.on_path(st, v);
  }

  /// A row for a token that no event writes, with the state as it is (a replay's separator or
  /// `>` after which the text stops).
  void append(Token t) { token(t); }

  /// Whether a token has a row in this vocabulary.
  bool has_row(Token t) const noexcept { return t.kind != TokenKind::comma || !drops_commas_; }

  // For a search whose one token writer (of the trace layout) writes the sample's ids as well
  // (Generator::generate_ids): the labeler's steps without its own writer, and the emitter that
  // hands each token to `Emit` and makes its row. The steps must see each event before the
  // writer does, as the labeler's own writer does.
  template <class Emit>
  struct TokenTee {
    Emit inner;
    StateLabeler* l;
    SEARCHTRACE_HOT_INLINE void node(Label v, Context c) {
      inner.node(v, c);
      l->token(node_token(v));
    }
    SEARCHTRACE_HOT_INLINE void punct(TokenKind k, Context c) {
      inner.punct(k, c);
      l->token(punct_token(k));
    }
  };
  struct Steps {
    StateLabeler* l;
    template <class State>
    SEARCHTRACE_HOT_INLINE void on_start(const State& st) {
      l->start(st);
    }
    template <class State>
    SEARCHTRACE_HOT_INLINE void on_expand(const State& st, NodeId u) {
      l->expand(st, u);
    }
    template <class State>
    SEARCHTRACE_HOT_INLINE void on_list(const State& st, NodeId, NodeId v) {
      l->list(st, v);
    }
    template <class State>
    SEARCHTRACE_HOT_INLINE void on_close(const State& st, NodeId) {
      l->close(st);
    }
  };
  template <class Emit>
  TokenTee<Emit> tee_tokens(Emit emit) {
    return {std::move(emit), this};
  }
  Steps steps() noexcept { return {this}; }

private:
  friend struct RowEmitter;

  // The state after each step, which the step's node token and what follows it see.
  template <class State>
  SEARCHTRACE_HOT_INLINE void start(const State& st) {
    reset_row();
    mark_discovered(st, st.query().source);
    if (dense_)
      ranks(st);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE void expand(const State& st, NodeId u) {
    keep_previous();
    if (!st.is_phantom(u)) {
      const Label l = st.label(u);
      now_.expanded |= bit(l);
      now_.frontier &= ~bit(l);
      if (dense_)
        dense_expanded_[l] = dense_discovered_[l] = 1;
    }
    now_.current = label_value(st.label(u));
    if (dense_)
      ranks(st);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE void list(const State& st, NodeId v) {
    keep_previous();
    if (!st.is_phantom(v)) {
      mark_discovered(st, v);
      if (dense_) {
        const NodeId p = st.parent(v);
        dense_parent_[st.label(v)] = p == no_node ? -1 : label_value(st.label(p));
        ranks(st);
      }
    }
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE void close(const State& st) {
    now_.current = -1;
    if (dense_)
      ranks(st);
  }
  // The writer's emitter: a row per token, of the state before the step while the step's node
  // is still to come, of the state after it from the node on.
  struct RowEmitter {
    StateLabeler* l;
    void node(Label v, Context) { l->token(node_token(v)); }
    void punct(TokenKind k, Context) { l->token(punct_token(k)); }
  };

  // The sets of a row, packed (discovered = frontier | expanded, which are disjoint).
  struct Sets {
    std::uint64_t frontier = 0, expanded = 0;
    std::int32_t current = -1;
  };
  // Buffered packed rows, a column per field (handed over as whole runs): the phase in the low
  // byte of `meta`, the current label above it (no byte-sized stores, which the compiler must
  // assume alias everything).
  static constexpr std::size_t buffer_rows = 64;
  struct Buffer {
    std::uint64_t frontier[buffer_rows], expanded[buffer_rows];
    std::uint32_t meta[buffer_rows];
    std::int32_t id[buffer_rows];
  };

  std::int32_t id_of(Token t) const {
    if (!record_ids_)
      return -1;
    const TokenId id = vocab_->id(t);
    if (id == no_token_id)
      outside_vocabulary(t);
    return static_cast<std::int32_t>(id);
  }
  [[noreturn]] SEARCHTRACE_OUT_OF_LINE static void outside_vocabulary(Token t) {
    throw std::out_of_range("searchtrace: node " + std::to_string(t.value) +
                            " is outside the vocabulary's label space");
  }

  static std::uint64_t bit(Label l) noexcept { return l < 64 ? std::uint64_t{1} << l : 0; }
  static std::int32_t label_value(Label l) noexcept {
    return l <= 0x7FFFFFFFu ? static_cast<std::int32_t>(l) : -1;
  }

  template <class State>
  void mark_discovered(const State& st, NodeId v) {
    const Label l = st.label(v);
    now_.frontier |= bit(l) & ~now_.expanded;
    if (dense_)
      dense_discovered_[l] = 1;
  }

  // The frontier's order, by label, after the step.
  template <class State>
  SEARCHTRACE_OUT_OF_LINE void ranks(const State& st) {
    std::fill(dense_rank_.begin(), dense_rank_.end(), std::int16_t{-1});
    std::int16_t r = 0;
    st.for_each_in_frontier([&](NodeId v) { dense_rank_[st.label(v)] = r++; });
  }

  SEARCHTRACE_OUT_OF_LINE void reset_row() {
    const Label L = out_->label_space;
    now_ = prev_ = Sets{};
    before_node_ = false;
    if (dense_) {
      dense_expanded_.assign(L, 0);
      dense_discovered_.assign(L, 0);
      dense_rank_.assign(L, -1);
      dense_parent_.assign(L, -1);
      prev_dense_expanded_ = dense_expanded_;
      prev_dense_discovered_ = dense_discovered_;
      prev_dense_rank_ = dense_rank_;
      prev_dense_parent_ = dense_parent_;
    }
  }

  // Before a step that writes a node: the separator before that node keeps this state.
  void keep_previous() {
    before_node_ = true;
    prev_ = now_;
    if (dense_)
      keep_previous_dense();
  }
  SEARCHTRACE_OUT_OF_LINE void keep_previous_dense() {
    prev_dense_expanded_ = dense_expanded_;
    prev_dense_discovered_ = dense_discovered_;
    prev_dense_rank_ = dense_rank_;
    prev_dense_parent_ = dense_parent_;
  }

  SEARCHTRACE_HOT_INLINE void token(Token t) {
    switch (t.kind) {
    case TokenKind::lt:
      phase_ = Phase::exploration;
      break;
    case TokenKind::dash:
      phase_ = Phase::backtrack;
      break;
    case TokenKind::eq:
      phase_ = Phase::answer;
      break;
    case TokenKind::node:
      before_node_ = false;
      break;
    default:
      break;
    }
    if (!has_row(t))
      return;
    if (plain_) // one test for the common case: packed rows, ids from elsewhere
      push_packed(-1);
    else
      push_row(id_of(t));
  }

  void append_empty_rows(std::size_t k) {
    StateRows& o = *out_;
    const std::size_t n = o.rows() + k, L = o.label_space;
    o.phase.resize(n, static_cast<std::int8_t>(Phase::prompt));
    o.current.resize(n, -1);
    if (!dense_) {
      o.frontier_bits.resize(n, 0);
      o.expanded_bits.resize(n, 0);
      return;
    }
    o.in_frontier.resize(n * L, 0);
    o.expanded.resize(n * L, 0);
    o.discovered.resize(n * L, 0);
    o.frontier_rank.resize(n * L, -1);
    o.parent.resize(n * L, -1);
  }

  void push_row(std::int32_t id) {
    if (dense_)
      push_dense_row(id);
    else
      push_packed(id);
  }
  SEARCHTRACE_HOT_INLINE void push_packed(std::int32_t id) {
    const Sets& s = before_node_ ? prev_ : now_;
    if (buffered_ == buffer_rows)
      flush();
    const std::size_t k = buffered_++;
    buffer_.frontier[k] = s.frontier;
    buffer_.expanded[k] = s.expanded;
    buffer_.meta[k] = static_cast<std::uint32_t>(phase_) | static_cast<std::uint32_t>(s.current)
                                                               << 8;
    buffer_.id[k] = id;
  }

  SEARCHTRACE_OUT_OF_LINE void push_dense_row(std::int32_t id) {
    const Sets& s = before_node_ ? prev_ : now_;
    StateRows& o = *out_;
    if (record_ids_)
      o.ids.push_back(id);
    o.phase.push_back(static_cast<std::int8_t>(phase_));
    o.current.push_back(s.current);
    const bool old = before_node_;
    const auto& ex = old ? prev_dense_expanded_ : dense_expanded_;
    const auto& di = old ? prev_dense_discovered_ : dense_discovered_;
    const auto& rk = old ? prev_dense_rank_ : dense_rank_;
    const auto& pa = old ? prev_dense_parent_ : dense_parent_;
    for (std::size_t v = 0; v < ex.size(); ++v)
      o.in_frontier.push_back(static_cast<std::int8_t>(di[v] & ~ex[v] & 1));
    o.expanded.insert(o.expanded.end(), ex.begin(), ex.end());
    o.discovered.insert(o.discovered.end(), di.begin(), di.end());
    o.frontier_rank.insert(o.frontier_rank.end(), rk.begin(), rk.end());
    o.parent.insert(o.parent.end(), pa.begin(), pa.end());
  }

  // Capacity in `out` for a full buffer (grown geometrically: many samples append to one
  // StateRows).
  void make_room() {
    if (dense_)
      return;
    StateRows& o = *out_;
    const std::size_t need = o.rows() + buffer_rows;
    const auto room = [need](auto& v) {
      if (v.capacity() < need)
        v.reserve(std::max(need, 2 * v.capacity()));
    };
    room(o.phase);
    room(o.current);
    room(o.frontier_bits);
    room(o.expanded_bits);
    if (record_ids_)
      room(o.ids);
  }

  void hand_over() noexcept {
    const std::size_t n = buffered_;
    if (n == 0)
      return;
    StateRows& o = *out_; // within the capacity made beforehand: no allocation, no zero-fill
    std::int8_t phase[buffer_rows];
    std::int32_t current[buffer_rows];
    for (std::size_t k = 0; k < n; ++k) {
      phase[k] = static_cast<std::int8_t>(buffer_.meta[k] & 0xFF);
      current[k] = static_cast<std::int32_t>(buffer_.meta[k]) >> 8;
    }
    o.phase.insert(o.phase.end(), phase, phase + n);
    o.current.insert(o.current.end(), current, current + n);
    o.frontier_bits.insert(o.frontier_bits.end(), buffer_.frontier, buffer_.frontier + n);
    o.expanded_bits.insert(o.expanded_bits.end(), buffer_.expanded, buffer_.expanded + n);
    if (record_ids_)
      o.ids.insert(o.ids.end(), buffer_.id, buffer_.id + n);
    buffered_ = 0;
  }

  StateRows* out_;
  const Vocabulary* vocab_;
  bool record_ids_;
  bool drops_commas_;
  bool dense_;
  bool plain_;
  TokenWriter<RowEmitter> writer_{RowEmitter{this}};
  Phase phase_ = Phase::prompt;
  bool before_node_ = false;
  Sets now_, prev_;
  std::size_t buffered_ = 0;
  Buffer buffer_;
  std::vector<std::int8_t> dense_expanded_, dense_discovered_, prev_dense_expanded_,
      prev_dense_discovered_;
  std::vector<std::int16_t> dense_rank_, prev_dense_rank_;
  std::vector<std::int32_t> dense_parent_, prev_dense_parent_;
};

/// The rows of a sample: its prompt's tokens and its reference completion's (the search of
/// `o`), in a vocabulary (nullptr: the text's tokens). Unreachable: the rows stop where the
/// frontier ran empty.
inline SearchStatus label_sample(StateRows& out, SearchScratch& scratch, const Prompt& p,
                                 const SearchOptions& o, const Vocabulary* v,
                                 bool record_ids = false) {
  StateLabeler labeler(out, v, record_ids);
  labeler.begin(p);
  const SearchStatus status = search(scratch, p.graph, p.query, o, labeler);
  if (status == SearchStatus::found)
    labeler.end();
  else
    labeler.flush();
  return status;
}

namespace detail {

/// The tokens of a completion text before its first syntax error (all when it has none): what
/// the parser reads, by the one lexer and the completion grammar table.
inline void read_completion_tokens(std::string_view text, std::vector<Token>& out) {
  Lexer lex(text);
  Lexeme lx;
  CompletionState state = CompletionState::begin;
  while (lex.next(lx) == LexStatus::token) {
    state = completion_grammar.step(state, lx.token.kind);
    if (state == CompletionState::fail)
      return;
    out.push_back(lx.token);
  }
}

} // namespace detail

/// The rows of a model's completion after its prompt's: the state its own text implies (the
/// classifier's replay, which adopts the completion's choices), up to its first syntax error;
/// <eos> (if the vocabulary has one) only after a complete completion. Returns the verdict.
inline const Verdict& label_completion(StateRows& out, Classifier& classifier, const Prompt& p,
                                       std::string_view completion, const SearchOptions& o,
                                       const Vocabulary* v, bool record_ids = false) {
  StateLabeler labeler(out, v, record_ids);
  labeler.begin(p);
  labeler.flush();
  const std::size_t prompt_rows = out.rows();
  const ParsedCompletion pc = parse_completion(completion);
  const Verdict& verdict = classifier.replay(p, pc, o, labeler);
  labeler.flush();
  // The events write the tokens of whole steps; where the text stops inside a step (a syntax
  // error, a truncation) they wrote more than it has, or fewer (a separator, or '>' '=' whose
  // next token never came): the text's own tokens decide, the state staying as it is.
  std::vector<Token> read;
  detail::read_completion_tokens(completion, read);
  std::erase_if(read, [&](Token t) { return !labeler.has_row(t); });
  const std::size_t written = out.rows() - prompt_rows;
  if (written > read.size())
    out.truncate(prompt_rows + read.size());
  for (std::size_t k = written; k < read.size(); ++k)
    labeler.append(read[k]);
  if (pc.complete && !pc.error)
    labeler.end();
  return verdict;
}

} // namespace searchtrace

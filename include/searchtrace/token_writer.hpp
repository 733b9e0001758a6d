// The one writer of a completion's tokens: `TokenWriter` turns its steps (start, expansions and
// lists, stop, backtrack, path) into the grammar's tokens and hands each to an emitter. As a
// search sink it writes text, ids, token counts, or the matcher's comparison while the search
// runs; `write_trace` drives it over a finished Trace. Nothing else knows the completion's shape.
//
//   search events or Trace → TokenWriter → emitter (render.hpp, detail/match.hpp, labels.hpp)
//
// An emitter has `punct(TokenKind, Context)` and `node(Label, Context)` or `node_id(NodeId,
// Context)` (for per-node tables); its optional `bool ok() const` answers the hooks' "go on?".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "searchtrace/grammar.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/trace.hpp"

namespace searchtrace {

namespace detail {

template <class Emit>
concept EmitsNodeIds = requires(Emit& e, NodeId v) {
  e.node_id(v, Context::outside_list);
};

template <class Emit>
SEARCHTRACE_HOT_INLINE bool emitter_ok(const Emit& e) noexcept {
  if constexpr (requires { e.ok(); })
    return e.ok();
  else
    return true;
}

} // namespace detail

/// What a completion shows of the search: the layouts ("objectives") of the blog post's
/// training code. Only `trace` is read back and judged.
enum class CompletionLayout : std::uint8_t {
  trace, // < u,(v,...),... - backtrack > = path: the search written out (the default)
  pause, // < u($),... - backtrack > = path: each expansion without its list ("pause" tokens)
  path,  // = path: the answer alone, the prompt followed by '=' ("teacher forcing")
};

constexpr std::string_view completion_layout_name(CompletionLayout l) noexcept {
  return l == CompletionLayout::trace ? "trace" : l == CompletionLayout::pause ? "pause" : "path";
}

/// `pause` needs an emitter with `symbol(char)` for its '$' (a numeral-vocabulary symbol
/// outside the grammar).
template <class Emit, CompletionLayout Layout = CompletionLayout::trace>
class TokenWriter {
  static constexpr bool trace_layout = Layout == CompletionLayout::trace;
  static constexpr bool search_shown = Layout != CompletionLayout::path;

public:
  explicit TokenWriter(Emit emit) : emit_(std::move(emit)) {}

  Emit& emitter() noexcept { return emit_; }
  const Emit& emitter() const noexcept { return emit_; }

  void start() {
    expansions_ = 0;
    path_ = 0;
    answered_ = false;
    if constexpr (search_shown)
      punct(TokenKind::lt);
  }
  template <class Node>
  void expand(Node u) {
    if constexpr (search_shown) {
      if (expansions_++ != 0)
        punct(TokenKind::comma);
      node(u, Context::outside_list);
      if constexpr (trace_layout) {
        punct(TokenKind::comma);
        punct(TokenKind::lparen);
      } else { // u($): the training code writes no comma before the '('
        punct(TokenKind::lparen);
        emit_.symbol('$');
      }
      listed_ = 0;
    }
  }
  template <class Node>
  void list(Node v) {
    if constexpr (trace_layout) {
      if (listed_++ != 0)
        punct(TokenKind::comma, Context::inside_list);
      node(v, Context::inside_list);
    }
  }
  // ')' stands inside the list, as the lexer reads it.
  void close() {
    if constexpr (search_shown)
      punct(TokenKind::rparen, Context::inside_list);
  }
  void stop() {
    if constexpr (search_shown)
      punct(TokenKind::dash);
    backtracked_ = 0;
  }
  template <class Node>
  void backtrack(Node v) {
    if constexpr (search_shown) {
      if (backtracked_++ != 0)
        punct(TokenKind::comma);
      node(v, Context::outside_list);
    }
  }
  /// `> =` (the path layout: `=`).
  void answer() {
    if constexpr (search_shown)
      punct(TokenKind::gt);
    punct(TokenKind::eq);
    answered_ = true;
  }
  template <class Node>
  void path(Node v) {
    if (path_++ != 0)
      punct(TokenKind::comma);
    node(v, Context::outside_list);
  }

  template <class State>
  SEARCHTRACE_HOT_INLINE bool on_start(const State&) {
    start();
    return detail::emitter_ok(emit_);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE bool on_expand(const State& s, NodeId u) {
    expand(node_of(s, u));
    return detail::emitter_ok(emit_);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE void on_list(const State& s, NodeId, NodeId v) {
    list(node_of(s, v));
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE bool on_close(const State&, NodeId) {
    close();
    return detail::emitter_ok(emit_);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE bool on_stop(const State&) {
    stop();
    return detail::emitter_ok(emit_);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE bool on_backtrack(const State& s, NodeId v) {
    backtrack(node_of(s, v));
    return detail::emitter_ok(emit_);
  }
  template <class State>
  SEARCHTRACE_HOT_INLINE bool on_path(const State& s, NodeId v) {
    if (!answered_) // a search reports the path right after the backtrack
      answer();
    path(node_of(s, v));
    return detail::emitter_ok(emit_);
  }

private:
  struct Id {
    NodeId v;
  };

  template <class State>
  static auto node_of(const State& s, NodeId v) noexcept {
    if constexpr (detail::EmitsNodeIds<Emit>)
      return Id{v};
    else
      return s.label(v);
  }

  SEARCHTRACE_HOT_INLINE void punct(TokenKind k, Context c = Context::outside_list) {
    emit_.punct(k, c);
  }
  SEARCHTRACE_HOT_INLINE void node(Id v, Context c) { emit_.node_id(v.v, c); }
  SEARCHTRACE_HOT_INLINE void node(Label v, Context c) { emit_.node(v, c); }

  Emit emit_;
  std::size_t expansions_ = 0, listed_ = 0, backtracked_ = 0, path_ = 0;
  bool answered_ = false;
};

template <class Emit, CompletionLayout Layout>
SEARCHTRACE_FLATTEN void write_trace(TokenWriter<Emit, Layout>& w, const Trace& t) {
  // Local views: an emitter's byte stores may alias the vectors' members.
  const std::span<const Label> expanded = t.expanded, listed = t.listed, backtrack = t.backtrack,
                               path = t.path;
  const std::span<const std::uint32_t> list_end = t.list_end;
  w.start();
  std::size_t begin = 0;
  for (std::size_t i = 0; i < expanded.size(); ++i) {
    w.expand(expanded[i]);
    const std::size_t end = list_end[i];
    for (std::size_t j = begin; j < end; ++j)
      w.list(listed[j]);
    begin = end;
    w.close();
  }
  w.stop();
  for (const Label v : backtrack)
    w.backtrack(v);
  w.answer();
  for (const Label v : path)
    w.path(v);
}

namespace detail {

template <class F>
struct CallableEmitter {
  F f;
  void node(Label v, Context c) { f(node_token(v), c); }
  void punct(TokenKind k, Context c) { f(punct_token(k), c); }
};

} // namespace detail

/// Calls `emit(Token, Context)` per token, in order.
template <class Emit>
void for_each_completion_token(const Trace& t, Emit&& emit) {
  TokenWriter<detail::CallableEmitter<Emit&>> w({emit});
  write_trace(w, t);
}

} // namespace searchtrace

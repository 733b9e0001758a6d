// Reading a completion back into a `Trace`, from text in either spacing or from token ids in any
// Vocabulary, with the position of every token, so the classifier can point at the byte (or
// token) where a model went wrong. Grammar: docs/reference.md, 'Sample format'.
//
//   text → scan_completion (fast path), else Lexer → completion_grammar ─┬→ ParsedCompletion
//   ids  → Vocabulary ──────────────────────────────→ completion_grammar ─┘   (Trace + positions)
//
// completion_grammar is one transition table, shared with the cursor (cursor.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "searchtrace/grammar.hpp"
#include "searchtrace/hints.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/verdict.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace {

inline constexpr std::size_t no_offset = static_cast<std::size_t>(-1);

/// Why a completion is not (yet) a sentence of the grammar.
struct SyntaxError {
  ErrorKind kind = ErrorKind::syntax; // syntax or truncated
  std::size_t offset = 0;             // the offending byte (token index for ids); the length
                                      // of the input when truncated
  std::size_t expansion = 0;          // as Deviation::expansion
  std::string message;                // e.g. "expected ',' or ')', found '('"
  std::string expected;               // e.g. "',' or ')'"

  friend bool operator==(const SyntaxError&, const SyntaxError&) = default;
};

/// A completion as read: the trace and where each token stands (byte offsets, or indices in
/// the ids; a comma a vocabulary drops takes the index of the id after it). After a syntax error
/// the trace holds what was read before it and `complete` is false. A number beyond 2^32-1 reads
/// 4294967295, its offset in `too_large_at`: the classifier reports it as unknown_node.
struct ParsedCompletion {
  Trace trace;
  std::vector<std::size_t> expanded_at;   // each expansion's node
  std::vector<std::size_t> listed_at;     // parallel to trace.listed
  std::vector<std::size_t> list_close_at; // each expansion's ')'
  std::vector<std::size_t> backtrack_at;  // parallel to trace.backtrack
  std::vector<std::size_t> path_at;       // parallel to trace.path; path_at[0]: the first path node
  std::vector<std::size_t> too_large_at;  // ascending
  std::size_t lt_at = no_offset;          // '<'
  std::size_t dash_at = no_offset;        // '-'
  std::size_t gt_at = no_offset;          // '>'
  std::size_t eq_at = no_offset;          // '='
  std::size_t length = 0;                 // bytes (or ids) of the input
  std::optional<SyntaxError> error;       // the first syntax error, if any
  bool complete = false;                  // a whole completion, nothing after it

  /// Logarithmic: a completion may hold a hundred thousand numbers that read 4294967295.
  bool too_large(std::size_t offset) const noexcept {
    return std::binary_search(too_large_at.begin(), too_large_at.end(), offset);
  }

  /// Keeps every buffer (the error's strings included) for the next parse.
  void clear() noexcept {
    trace.clear();
    expanded_at.clear();
    listed_at.clear();
    list_close_at.clear();
    backtrack_at.clear();
    path_at.clear();
    too_large_at.clear();
    lt_at = dash_at = gt_at = eq_at = no_offset;
    length = 0;
    complete = false;
    if (error) {
      spare_.error.message.swap(error->message);
      spare_.error.expected.swap(error->expected);
      error.reset();
    }
  }

  void set_error(ErrorKind kind, std::size_t offset, std::size_t expansion,
                 std::string_view message, std::string_view expected) {
    if (!error) {
      error.emplace();
      error->message.swap(spare_.error.message);
      error->expected.swap(spare_.error.expected);
    }
    error->kind = kind;
    error->offset = offset;
    error->expansion = expansion;
    error->message.assign(message);
    error->expected.assign(expected);
  }

  void append_to_error(std::string_view more) { error->message.append(more); }

  friend bool operator==(const ParsedCompletion&, const ParsedCompletion&) = default;

private:
  // The error's buffers while there is none; they do not count in ==.
  struct Spare {
    SyntaxError error;
    friend bool operator==(const Spare&, const Spare&) noexcept { return true; }
  } spare_;
};

namespace detail {

/// Positions in the completion grammar, named after the token just read.
enum class CompletionState : std::uint8_t {
  begin,      // nothing yet
  opened,     // <
  exp_node,   // < u
  exp_comma,  // < u ,
  list_open,  // < u , (
  list_node,  // ... ( v
  list_comma, // ... ( v ,
  list_close, // ... )
  exp_sep,    // ... ) ,
  dash,       // -
  bt_node,    // - t
  bt_comma,   // - t ,
  gt,         // >
  eq,         // > =
  path_node,  // = s   (a complete completion may end here)
  path_comma, // = s ,
  fail,       // not a state: the transition does not exist
};

inline constexpr std::size_t completion_state_count = 16;

enum class NodeRole : std::uint8_t { none, expansion, listed, backtrack, path };

struct CompletionGrammar {
  std::array<std::array<CompletionState, token_kind_count>, completion_state_count> next{};
  std::array<NodeRole, completion_state_count> role{};
  std::array<std::string_view, completion_state_count> expected{};
  std::array<std::uint16_t, completion_state_count> allowed{}; // bit per TokenKind

  constexpr CompletionState step(CompletionState s, TokenKind k) const noexcept {
    return next[static_cast<std::size_t>(s)][static_cast<std::size_t>(k)];
  }
};

/// `"<" expansion {"," expansion} "-" backtrack ">" "=" path` as a transition table.
constexpr CompletionGrammar make_completion_grammar() noexcept {
  using S = CompletionState;
  using K = TokenKind;
  CompletionGrammar g;
  for (auto& row : g.next)
    row.fill(S::fail);
  g.role.fill(NodeRole::none);
  const auto edge = [&](S from, K k, S to) {
    g.next[static_cast<std::size_t>(from)][static_cast<std::size_t>(k)] = to;
    g.allowed[static_cast<std::size_t>(from)] |=
        static_cast<std::uint16_t>(1u << static_cast<unsigned>(k));
  };
  edge(S::begin, K::lt, S::opened);
  edge(S::opened, K::node, S::exp_node);
  edge(S::exp_node, K::comma, S::exp_comma);
  edge(S::exp_comma, K::lparen, S::list_open);
  edge(S::list_open, K::node, S::list_node);
  edge(S::list_open, K::rparen, S::list_close);
  edge(S::list_node, K::comma, S::list_comma);
  edge(S::list_node, K::rparen, S::list_close);
  edge(S::list_comma, K::node, S::list_node);
  edge(S::list_close, K::comma, S::exp_sep);
  edge(S::list_close, K::dash, S::dash);
  edge(S::exp_sep, K::node, S::exp_node);
  edge(S::dash, K::node, S::bt_node);
  edge(S::bt_node, K::comma, S::bt_comma);
  edge(S::bt_node, K::gt, S::gt);
  edge(S::bt_comma, K::node, S::bt_node);
  edge(S::gt, K::eq, S::eq);
  edge(S::eq, K::node, S::path_node);
  edge(S::path_node, K::comma, S::path_comma);
  edge(S::path_comma, K::node, S::path_node);
  const auto at = [](S s) { return static_cast<std::size_t>(s); };
  g.role[at(S::opened)] = g.role[at(S::exp_sep)] = NodeRole::expansion;
  g.role[at(S::list_open)] = g.role[at(S::list_comma)] = NodeRole::listed;
  g.role[at(S::dash)] = g.role[at(S::bt_comma)] = NodeRole::backtrack;
  g.role[at(S::eq)] = g.role[at(S::path_comma)] = NodeRole::path;
  g.expected[at(S::begin)] = "'<'";
  g.expected[at(S::opened)] = "the first expanded node";
  g.expected[at(S::exp_node)] = "','";
  g.expected[at(S::exp_comma)] = "'('";
  g.expected[at(S::list_open)] = "a node or ')'";
  g.expected[at(S::list_node)] = "',' or ')'";
  g.expected[at(S::list_comma)] = "a node";
  g.expected[at(S::list_close)] = "',' or '-'";
  g.expected[at(S::exp_sep)] = "the next expanded node";
  g.expected[at(S::dash)] = "the first node of the backtrack";
  g.expected[at(S::bt_node)] = "',' or '>'";
  g.expected[at(S::bt_comma)] = "a node";
  g.expected[at(S::gt)] = "'='";
  g.expected[at(S::eq)] = "the first node of the path";
  g.expected[at(S::path_node)] = "',' or the end";
  g.expected[at(S::path_comma)] = "a node";
  return g;
}

inline constexpr CompletionGrammar completion_grammar = make_completion_grammar();

/// The expansion an error in state `s` belongs to: the one being written, or between expansions
/// and after the exploration the next one.
constexpr std::size_t expansion_of_state(CompletionState s, std::size_t expansions) noexcept {
  switch (s) {
  case CompletionState::exp_node:
  case CompletionState::exp_comma:
  case CompletionState::list_open:
  case CompletionState::list_node:
  case CompletionState::list_comma:
    return expansions - 1;
  default:
    return expansions;
  }
}

inline void append_number(std::string& out, std::uint64_t v) {
  char buf[20];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, end);
}

/// "node 7", or a punctuation token's quoted name: how messages name a token.
inline void append_token(std::string& out, Token t) {
  if (t.kind != TokenKind::node) {
    out += token_kind_name(t.kind);
    return;
  }
  out += "node ";
  append_number(out, t.value);
}

class CompletionBuilder {
public:
  explicit CompletionBuilder(ParsedCompletion& out) noexcept : out_(&out) {}

  CompletionState state() const noexcept { return state_; }

  bool accept(Token t, std::size_t offset, bool too_large) {
    const CompletionState next = completion_grammar.step(state_, t.kind);
    if (next == CompletionState::fail) {
      fail_unexpected(t, offset, too_large);
      return false;
    }
    ParsedCompletion& p = *out_;
    if (t.kind == TokenKind::node) {
      if (too_large)
        p.too_large_at.push_back(offset);
      switch (completion_grammar.role[static_cast<std::size_t>(state_)]) {
      case NodeRole::expansion:
        p.trace.begin_expansion(t.value);
        p.expanded_at.push_back(offset);
        break;
      case NodeRole::listed:
        p.trace.list_node(t.value);
        p.listed_at.push_back(offset);
        break;
      case NodeRole::backtrack:
        p.trace.backtrack.push_back(t.value);
        p.backtrack_at.push_back(offset);
        break;
      case NodeRole::path:
        p.trace.path.push_back(t.value);
        p.path_at.push_back(offset);
        break;
      case NodeRole::none:
        break;
      }
    } else {
      switch (t.kind) {
      case TokenKind::lt:
        p.lt_at = offset;
        break;
      case TokenKind::rparen:
        p.list_close_at.push_back(offset);
        break;
      case TokenKind::dash:
        p.dash_at = offset;
        break;
      case TokenKind::gt:
        p.gt_at = offset;
        break;
      case TokenKind::eq:
        p.eq_at = offset;
        break;
      default:
        break;
      }
    }
    state_ = next;
    return true;
  }

  void fail_lexing(std::size_t offset, std::string_view message) {
    out_->set_error(ErrorKind::syntax, offset, here(), message, expected());
  }

  template <class Id>
  void fail_id(std::size_t index, Id id, std::string_view spelling) {
    out_->set_error(ErrorKind::syntax, index, here(), "id ", expected());
    out_->append_to_error(std::to_string(id));
    if (!spelling.empty()) {
      out_->append_to_error(" (");
      out_->append_to_error(spelling);
      out_->append_to_error(")");
    }
    out_->append_to_error(" is not a token of the completion grammar; expected ");
    out_->append_to_error(expected());
  }

  void finish(std::size_t length) {
    out_->length = length;
    if (state_ == CompletionState::path_node) {
      out_->complete = true;
      return;
    }
    out_->set_error(ErrorKind::truncated, length, here(), "the completion ends where ", expected());
    out_->append_to_error(expected());
    out_->append_to_error(" should be");
  }

private:
  std::string_view expected() const noexcept {
    return completion_grammar.expected[static_cast<std::size_t>(state_)];
  }
  std::size_t here() const noexcept {
    return expansion_of_state(state_, out_->trace.expansion_count());
  }

  void fail_unexpected(Token t, std::size_t offset, bool too_large) {
    out_->set_error(ErrorKind::syntax, offset, here(), "expected ", expected());
    out_->append_to_error(expected());
    out_->append_to_error(", found ");
    if (too_large)
      out_->append_to_error("a number beyond 4294967295");
    else
      append_token(out_->error->message, t);
  }

  ParsedCompletion* out_;
  CompletionState state_ = CompletionState::begin;
};

/// A node of at most nine digits at `p` (more go to the Lexer, which knows too_large): the byte
/// after it, or nullptr.
inline const char* scan_label(const char* p, const char* end, Label& v) noexcept {
  if (p == end)
    return nullptr;
  unsigned d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
  if (d > 9)
    return nullptr;
  ++p;
  if (d == 0) {
    if (p != end && static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0' <= 9)
      return nullptr;
    v = 0;
    return p;
  }
  Label x = d;
  for (int n = 1; p != end; ++n) {
    d = static_cast<unsigned>(static_cast<unsigned char>(*p)) - '0';
    if (d > 9)
      break;
    if (n == 9)
      return nullptr;
    x = x * 10 + d;
    ++p;
  }
  v = x;
  return p;
}

/// Appends through a small local buffer flushed in bulk: a store per element instead of a
/// push_back call. The scanner flushes only when it succeeds.
template <class T, std::size_t N = 64>
class Appender {
public:
  explicit Appender(std::vector<T>& v) noexcept : v_(&v) {}
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;

  void operator()(T x) {
    buf_[n_++] = x;
    if (n_ == N)
      flush();
  }
  void flush() {
    v_->insert(v_->end(), buf_, buf_ + n_);
    n_ = 0;
  }

private:
  std::vector<T>* v_;
  std::size_t n_ = 0;
  T buf_[N];
};

/// The fast path of CompletionParser::parse, because the per-token Lexer cost more than the
/// whole classification: a direct scan that accepts exactly what the Lexer and the grammar table
/// accept without error (the tests compare both on mutated texts) and returns false on anything
/// else, for the Lexer to say what is wrong.
constexpr std::uint8_t pad_before(TokenKind k, Context c) noexcept {
  return accepted_padding.at(k, c).before;
}
constexpr std::uint8_t pad_after(TokenKind k, Context c) noexcept {
  return accepted_padding.at(k, c).after;
}

SEARCHTRACE_FLATTEN inline bool scan_completion(std::string_view text, ParsedCompletion& out) {
  using K = TokenKind;
  constexpr Context outside = Context::outside_list, inside = Context::inside_list;
  const char* const base = text.data();
  const char* p = base;
  const char* const end = base + text.size();
  std::size_t at = 0;
  Label v = 0;
  Trace& t = out.trace;
  Appender<Label> expanded(t.expanded), listed(t.listed), backtrack(t.backtrack), path(t.path);
  Appender<std::uint32_t> list_end(t.list_end);
  Appender<std::size_t> expanded_at(out.expanded_at), listed_at(out.listed_at),
      list_close_at(out.list_close_at), backtrack_at(out.backtrack_at), path_at(out.path_at);
  std::uint32_t nl = 0;
  const auto number = [&]() -> bool {
    const char* q = scan_label(p, end, v);
    if (q == nullptr)
      return false;
    at = static_cast<std::size_t>(p - base);
    p = q;
    return true;
  };
  const auto space = [&](std::uint8_t pad) {
    if (pad != 0 && p != end && *p == ' ')
      ++p;
  };
  // `before` false: the caller already took the spaces before k, wanting its position.
  const auto take = [&](K k, Context c, bool before = true) -> bool {
    if (before)
      space(pad_before(k, c));
    if (p == end || *p != punct_char[static_cast<std::size_t>(k)])
      return false;
    ++p;
    space(pad_after(k, c));
    return true;
  };
  // Whether the next token is k, without taking it.
  const auto sees = [&](K k, Context c) -> bool {
    const char* q = p;
    if (pad_before(k, c) != 0 && q != end && *q == ' ')
      ++q;
    return q != end && *q == punct_char[static_cast<std::size_t>(k)];
  };
  if (!take(K::lt, outside))
    return false;
  out.lt_at = 0;
  for (;;) {
    if (!number())
      return false;
    expanded(v);
    expanded_at(at);
    if (!take(K::comma, outside) || !take(K::lparen, outside))
      return false;
    if (!sees(K::rparen, inside)) {
      for (;;) {
        if (!number())
          return false;
        listed(v);
        listed_at(at);
        ++nl;
        if (sees(K::rparen, inside))
          break;
        if (!take(K::comma, inside))
          return false;
      }
    }
    space(pad_before(K::rparen, inside));
    list_end(nl);
    list_close_at(static_cast<std::size_t>(p - base));
    if (!take(K::rparen, inside, false))
      return false;
    if (sees(K::comma, outside)) {
      if (!take(K::comma, outside))
        return false;
      continue;
    }
    space(pad_before(K::dash, outside));
    out.dash_at = static_cast<std::size_t>(p - base);
    if (!take(K::dash, outside, false))
      return false;
    break;
  }
  for (;;) {
    if (!number())
      return false;
    backtrack(v);
    backtrack_at(at);
    if (sees(K::gt, outside))
      break;
    if (!take(K::comma, outside))
      return false;
  }
  space(pad_before(K::gt, outside));
  out.gt_at = static_cast<std::size_t>(p - base);
  if (!take(K::gt, outside, false))
    return false;
  space(pad_before(K::eq, outside));
  out.eq_at = static_cast<std::size_t>(p - base);
  if (!take(K::eq, outside, false))
    return false;
  for (;;) {
    if (!number())
      return false;
    path(v);
    path_at(at);
    if (p == end)
      break;
    if (!take(K::comma, outside))
      return false;
  }
  for (auto* a : {&expanded, &listed, &backtrack, &path})
    a->flush();
  list_end.flush();
  for (auto* a : {&expanded_at, &listed_at, &list_close_at, &backtrack_at, &path_at})
    a->flush();
  out.length = text.size();
  out.complete = true;
  return true;
}

} // namespace detail

/// Reads completions into a reused ParsedCompletion. Keep one per thread: once warm a parse
/// allocates nothing. An empty exploration (`<-`) is a syntax error.
class CompletionParser {
public:
  void parse(std::string_view text, ParsedCompletion& out) {
    out.clear();
    if (detail::scan_completion(text, out))
      return;
    out.clear();
    parse_slowly(text, out);
  }

  /// The Lexer and the grammar table only: what `parse` falls back to, with the same result.
  void parse_slowly(std::string_view text, ParsedCompletion& out) {
    out.clear();
    out.length = text.size();
    detail::CompletionBuilder b(out);
    Lexer lex(text);
    Lexeme lx;
    for (;;) {
      const LexStatus st = lex.next(lx);
      if (st == LexStatus::end)
        break;
      if (st == LexStatus::error) {
        b.fail_lexing(lex.error().offset, lex.error().message);
        return;
      }
      if (!b.accept(lx.token, lx.offset, lx.too_large))
        return;
    }
    b.finish(text.size());
  }

  /// Positions are indices in `ids`. Strip BOS/EOS/PAD first: any other id that is not a
  /// grammar token is a syntax error at its index. Dropped commas are restored
  /// (Vocabulary::comma_between). `Ids`: a span, vector or array of integers.
  template <std::ranges::contiguous_range Ids>
  void parse_ids(const Ids& id_range, const Vocabulary& v, ParsedCompletion& out) {
    using Id = std::ranges::range_value_t<Ids>;
    static_assert(std::is_integral_v<Id>, "token ids are integers");
    const std::span<const Id> ids(id_range);
    out.clear();
    out.length = ids.size();
    detail::CompletionBuilder b(out);
    const bool restore = v.drops_commas();
    bool have_prev = false;
    TokenKind prev = TokenKind::node;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const Id raw = ids[i];
      const bool in_range = std::cmp_greater_equal(raw, 0) && std::cmp_less(raw, v.size());
      std::optional<Token> t;
      if (in_range)
        t = v.token(static_cast<TokenId>(raw));
      if (!t) {
        b.fail_id(i, raw, in_range ? v.spelling(static_cast<TokenId>(raw)) : std::string_view());
        return;
      }
      // A restored comma the grammar rejects is the error, before the token after it.
      if ((restore && have_prev && Vocabulary::comma_between(prev, t->kind) &&
           !b.accept(punct_token(TokenKind::comma), i, false)) ||
          !b.accept(*t, i, false))
        return;
      have_prev = true;
      prev = t->kind;
    }
    b.finish(ids.size());
  }
};

/// For many, reuse a CompletionParser and a ParsedCompletion.
inline ParsedCompletion parse_completion(std::string_view text) {
  ParsedCompletion out;
  CompletionParser().parse(text, out);
  return out;
}

template <std::ranges::contiguous_range Ids>
void parse_completion_ids(const Ids& ids, const Vocabulary& v, ParsedCompletion& out) {
  CompletionParser().parse_ids(ids, v, out);
}

template <std::ranges::contiguous_range Ids>
ParsedCompletion parse_completion_ids(const Ids& ids, const Vocabulary& v) {
  ParsedCompletion out;
  CompletionParser().parse_ids(ids, v, out);
  return out;
}

} // namespace searchtrace

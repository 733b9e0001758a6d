// Reading a completion incrementally, as a decoder writes it: feed it a token (or a byte) at a
// time and ask whether the prefix can still become a valid completion, and which tokens may
// come next. With CursorMode::valid the answer comes from the search core replayed on the
// prompt (the same SearchState transitions as the tracer and the classifier), so a decoding
// loop can stop at the first wrong token, or constrain every step to the one correct token and
// reproduce the reference trace. CursorMode::grammar checks the token grammar only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/completion.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/graph.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/search.hpp"

namespace searchtrace {

namespace detail {
struct CursorNullSink {}; // a search run only for its status
} // namespace detail

/// What a CompletionCursor accepts.
enum class CursorMode : std::uint8_t {
  grammar, // any completion the grammar allows (SPEC §1), whatever its nodes
  valid,   // only prefixes of the valid completion (no error of SPEC §6 at all)
};

/// The tokens that may come next. In CursorMode::valid exactly one token, or the end, is
/// allowed at each step (the correct completion is unique); in CursorMode::grammar a set of
/// punctuation kinds and possibly any node.
struct NextTokens {
  std::uint16_t punct = 0;   // bit k set: punctuation TokenKind k is allowed
  bool any_node = false;     // grammar mode: any node may come
  std::optional<Label> node; // valid mode: the one node that may come
  bool end = false;          // the completion may end here

  bool allows(Token t) const noexcept {
    if (t.kind == TokenKind::node)
      return any_node || (node && *node == t.value);
    return (punct >> static_cast<unsigned>(t.kind)) & 1u;
  }
  bool allows(TokenKind k) const noexcept {
    if (k == TokenKind::node)
      return any_node || node.has_value();
    return (punct >> static_cast<unsigned>(k)) & 1u;
  }
  /// Nothing may come: neither a token nor the end.
  bool none() const noexcept { return punct == 0 && !any_node && !node && !end; }
};

/// An incremental reader of one completion. Reuse it across completions (`reset`): its buffers
/// are kept, so stepping allocates nothing once warmed up.
///
/// Positions are token indices when fed tokens, byte offsets when fed bytes; feed one or the
/// other between two resets, and nothing after `finish()` (both throw std::logic_error).
///
/// Bytes follow the lexer's rules (SPEC §7.1–7.2): the optional spaces of either spacing, no
/// leading zeros, no other byte. While a number is being typed, `allowed_next()` describes the
/// token being typed (the number is not a token until a non-digit or `finish()` ends it), and
/// the prefix is viable if the digits can still become an allowed node. Pending spaces are
/// viable if some allowed token can still follow them.
///
/// The prompt given to `reset` must outlive the cursor's use of it.
class CompletionCursor {
public:
  /// Starts a completion for this prompt under these options. In CursorMode::valid a prompt
  /// whose target cannot be reached has no valid completion: the cursor is not viable at all.
  void reset(const Prompt& p, const SearchOptions& o = {}, CursorMode m = CursorMode::valid) {
    prompt_ = &p;
    options_ = o;
    mode_ = m;
    restart();
    if (m == CursorMode::valid) {
      detail::CursorNullSink none;
      const bool reachable = search(st_, p.graph, p.query, o, none) == SearchStatus::found;
      st_.reset(p.graph, p.query, o);
      if (!reachable) {
        fail(0, "the target cannot be reached from the source: there is no valid completion");
        return;
      }
    }
    compute_next();
  }

  /// Starts a completion checked against the grammar only (no prompt needed).
  void reset_grammar() {
    prompt_ = nullptr;
    mode_ = CursorMode::grammar;
    restart();
    compute_next();
  }

  CursorMode mode() const noexcept { return mode_; }

  /// Feeds one token; returns viable().
  bool feed(Token t) {
    use(Input::tokens);
    if (viable_)
      accept(t, pos_);
    ++pos_;
    return viable_;
  }

  /// Feeds one byte of text; returns viable().
  bool feed(char c) {
    use(Input::bytes);
    if (viable_)
      feed_byte(c, pos_);
    ++pos_;
    return viable_;
  }

  /// Feeds bytes; returns viable() after the last one.
  bool feed(std::string_view bytes) {
    for (const char c : bytes)
      feed(c);
    return viable_;
  }

  /// Ends the input: a number being typed becomes a token, and the cursor is complete() if what
  /// was fed is a whole completion (a valid one in CursorMode::valid). Returns complete().
  bool finish() {
    finished_ = true;
    if (viable_ && digits_ > 0)
      flush_number();
    if (viable_ && spaces_ > 0)
      fail(space_at_, "unexpected space");
    if (viable_ && !next_.end) {
      std::string why = "the completion ends where ";
      describe_next(why);
      why += " should be";
      fail(pos_, why);
    }
    return complete();
  }

  /// Whether the prefix fed so far can still become a completion of the mode.
  bool viable() const noexcept { return viable_; }

  /// Whether what was fed, ended here, is a whole completion (after `finish()`, or in token
  /// mode as soon as the last token makes it one).
  bool complete() const noexcept { return viable_ && next_.end && digits_ == 0 && spaces_ == 0; }

  /// The tokens that may come next (nothing once not viable).
  NextTokens allowed_next() const noexcept { return viable_ ? next_ : NextTokens{}; }

  /// Tokens or bytes fed since reset.
  std::size_t position() const noexcept { return pos_; }

  /// Where the prefix stopped being viable (the token index or byte offset whose feeding made
  /// it so), or no_offset.
  std::size_t failed_at() const noexcept { return failed_at_; }

  /// Why, in one line; empty while viable.
  const std::string& failure() const noexcept { return failure_; }

  /// Tokens accepted so far (a number being typed is not one yet).
  std::size_t token_count() const noexcept { return tokens_; }

private:
  enum class Input : std::uint8_t { none, tokens, bytes };
  using S = detail::CompletionState;

  void restart() {
    input_ = Input::none;
    finished_ = false;
    state_ = S::begin;
    pos_ = 0;
    tokens_ = 0;
    viable_ = true;
    failed_at_ = no_offset;
    failure_.clear();
    next_ = {};
    ref_.clear();
    ref_pos_ = 0;
    stop_ = false;
    backtrack_.clear();
    path_pos_ = 0;
    digits_ = 0;
    number_ = 0;
    number_at_ = 0;
    spaces_ = 0;
    space_at_ = 0;
    inside_ = false;
    have_prev_ = false;
    prev_ = TokenKind::node;
    prev_ctx_ = Context::outside_list;
    if (prompt_ && mode_ == CursorMode::valid)
      st_.reset(prompt_->graph, prompt_->query, options_);
  }

  void use(Input in) {
    if (finished_)
      throw std::logic_error("searchtrace: CompletionCursor fed after finish(); reset it first");
    if (input_ == Input::none)
      input_ = in;
    else if (input_ != in)
      throw std::logic_error("searchtrace: CompletionCursor fed both tokens and bytes");
  }

  void fail(std::size_t at, std::string_view why) {
    viable_ = false;
    failed_at_ = at;
    failure_.assign(why);
  }

  // --- tokens ----------------------------------------------------------------------------------

  static void describe(std::string& out, Token t) {
    if (t.kind == TokenKind::node) {
      out += "node ";
      detail::append_number(out, t.value);
    } else {
      out += token_kind_name(t.kind);
    }
  }

  void describe_next(std::string& out) const {
    bool first = true;
    const auto sep = [&] {
      if (!first)
        out += " or ";
      first = false;
    };
    if (next_.node) {
      sep();
      describe(out, node_token(*next_.node));
    }
    if (next_.any_node) {
      sep();
      out += "a node";
    }
    for (std::size_t k = 1; k < token_kind_count; ++k)
      if ((next_.punct >> k) & 1u) {
        sep();
        out += token_kind_name(static_cast<TokenKind>(k));
      }
    if (next_.end) {
      sep();
      out += "the end";
    }
  }

  void accept(Token t, std::size_t at) {
    if (!next_.allows(t)) {
      std::string why = "expected ";
      describe_next(why);
      why += ", found ";
      describe(why, t);
      fail(at, why);
      return;
    }
    const S from = state_;
    state_ = detail::completion_grammar.step(state_, t.kind);
    ++tokens_;
    if (mode_ == CursorMode::valid)
      advance(from, t);
    compute_next();
  }

  // The search core's transitions for an accepted (hence correct) token.
  void advance(S from, Token t) {
    const Graph& g = prompt_->graph;
    const detail::NodeRole role =
        t.kind == TokenKind::node ? detail::completion_grammar.role[static_cast<std::size_t>(from)]
                                  : detail::NodeRole::none;
    switch (role) {
    case detail::NodeRole::expansion: {
      const NodeId u = *g.node(t.value);
      st_.expand(u);
      ref_.clear();
      st_.for_each_reference_listing(u, [&](NodeId v) { ref_.push_back(v); });
      ref_pos_ = 0;
      return;
    }
    case detail::NodeRole::listed:
      st_.list(ref_[ref_pos_++]);
      return;
    case detail::NodeRole::backtrack:
      backtrack_.push_back(*g.node(t.value));
      return;
    case detail::NodeRole::path:
      ++path_pos_;
      return;
    case detail::NodeRole::none:
      break;
    }
    if (t.kind == TokenKind::rparen) {
      st_.close();
      stop_ = st_.should_stop();
    }
  }

  static constexpr std::uint16_t bit(TokenKind k) noexcept {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(k));
  }

  void compute_next() {
    next_ = {};
    if (mode_ == CursorMode::grammar) {
      const std::uint16_t allowed =
          detail::completion_grammar.allowed[static_cast<std::size_t>(state_)];
      next_.punct = static_cast<std::uint16_t>(allowed & ~bit(TokenKind::node));
      next_.any_node = (allowed & bit(TokenKind::node)) != 0;
      next_.end = state_ == S::path_node;
      return;
    }
    const Graph& g = prompt_->graph;
    const Query q = prompt_->query;
    switch (state_) {
    case S::begin:
      next_.punct = bit(TokenKind::lt);
      break;
    case S::opened:
    case S::exp_sep: {
      const NodeId u = st_.next();
      if (u == no_node) {
        fail(pos_, "the frontier is empty: the target cannot be reached");
        return;
      }
      next_.node = g.label(u);
      break;
    }
    case S::exp_node:
      next_.punct = bit(TokenKind::comma);
      break;
    case S::exp_comma:
      next_.punct = bit(TokenKind::lparen);
      break;
    case S::list_open:
    case S::list_node:
      if (ref_pos_ == ref_.size())
        next_.punct = bit(TokenKind::rparen);
      else if (state_ == S::list_open)
        next_.node = g.label(ref_[ref_pos_]);
      else
        next_.punct = bit(TokenKind::comma);
      break;
    case S::list_comma:
      next_.node = g.label(ref_[ref_pos_]);
      break;
    case S::list_close:
      next_.punct = stop_ ? bit(TokenKind::dash) : bit(TokenKind::comma);
      break;
    case S::dash:
      next_.node = g.label(q.target);
      break;
    case S::bt_node:
      next_.punct = backtrack_.back() == q.source ? bit(TokenKind::gt) : bit(TokenKind::comma);
      break;
    case S::bt_comma:
      next_.node = g.label(st_.parent(backtrack_.back()));
      break;
    case S::gt:
      next_.punct = bit(TokenKind::eq);
      break;
    case S::eq:
    case S::path_comma:
      next_.node = g.label(backtrack_[backtrack_.size() - 1 - path_pos_]);
      break;
    case S::path_node:
      if (path_pos_ == backtrack_.size())
        next_.end = true;
      else
        next_.punct = bit(TokenKind::comma);
      break;
    case S::fail:
      break;
    }
  }

  // --- bytes -----------------------------------------------------------------------------------

  static constexpr std::uint64_t max_label = 0xFFFFFFFFull;

  // The spaces the grammar tables accept after the previous token and before `next`.
  std::size_t pad_after() const noexcept {
    return have_prev_ && prev_ != TokenKind::node
               ? detail::accepted_padding.at(prev_, prev_ctx_).after
               : 0;
  }
  std::size_t pad_before(TokenKind next) const noexcept {
    if (next == TokenKind::node)
      return 0;
    return detail::accepted_padding.at(next, inside_ ? Context::inside_list : Context::outside_list)
        .before;
  }
  bool spacing_ok(TokenKind next) const noexcept {
    const std::size_t a = pad_after(), b = pad_before(next);
    return spaces_ == 0 || spaces_ == a || spaces_ == b || spaces_ == a + b;
  }

  // The first pending space that no reading allows before `next` (as the Lexer reports it).
  std::size_t bad_space_at(TokenKind next) const noexcept {
    const std::size_t a = pad_after(), b = pad_before(next);
    std::size_t ok = 0;
    for (const std::size_t allowed : {a, b, a + b})
      if (allowed <= spaces_ && allowed > ok)
        ok = allowed;
    return space_at_ + ok;
  }

  // Whether `spaces_` pending spaces can still be followed by some allowed token.
  bool spaces_viable() const noexcept {
    const std::size_t a = pad_after();
    for (std::size_t k = 0; k < token_kind_count; ++k)
      if (next_.allows(static_cast<TokenKind>(k)) &&
          spaces_ <= a + pad_before(static_cast<TokenKind>(k)))
        return true;
    return false;
  }

  // Whether the digits typed so far can still become an allowed node.
  bool number_viable() const noexcept {
    if (number_ > max_label)
      return next_.any_node; // a well-formed number beyond 2^32-1: never a node of a graph
    if (next_.any_node)
      return true;
    if (!next_.node)
      return false;
    // The allowed label's decimal digits must start with the typed ones.
    std::uint64_t l = *next_.node;
    std::size_t d = 1;
    for (std::uint64_t x = l; x >= 10; x /= 10)
      ++d;
    if (digits_ > d)
      return false;
    for (std::size_t i = digits_; i < d; ++i)
      l /= 10;
    return l == number_;
  }

  void note_token(TokenKind k) {
    if (k != TokenKind::node)
      prev_ctx_ = inside_ ? Context::inside_list : Context::outside_list;
    if (k == TokenKind::lparen)
      inside_ = true;
    else if (k == TokenKind::rparen)
      inside_ = false;
    prev_ = k;
    have_prev_ = true;
  }

  void flush_number() {
    const Token t = node_token(static_cast<Label>(number_ > max_label ? max_label : number_));
    digits_ = 0;
    if (number_ > max_label && !next_.any_node) {
      fail(number_at_, "expected a node of the graph, found a number beyond 4294967295");
      return;
    }
    accept(t, number_at_);
    if (viable_)
      note_token(TokenKind::node);
  }

  void feed_byte(char c, std::size_t at) {
    if (c >= '0' && c <= '9') {
      if (digits_ == 0) {
        if (spaces_ > 0 && !spacing_ok(TokenKind::node)) {
          fail(bad_space_at(TokenKind::node), "unexpected space");
          return;
        }
        spaces_ = 0;
        number_ = 0;
        number_at_ = at;
      } else if (digits_ == 1 && number_ == 0) {
        fail(number_at_, "leading zero in a number");
        return;
      }
      if (number_ <= max_label)
        number_ = number_ * 10 + static_cast<std::uint64_t>(c - '0');
      ++digits_;
      if (!number_viable()) {
        std::string why = "expected ";
        describe_next(why);
        if (number_ > max_label) {
          why += ", found a number beyond 4294967295";
        } else {
          why += ", found a number starting with ";
          detail::append_number(why, number_);
        }
        fail(at, why);
      }
      return;
    }
    if (digits_ > 0) {
      flush_number();
      if (!viable_)
        return;
    }
    if (c == ' ') {
      if (spaces_ == 0)
        space_at_ = at;
      ++spaces_;
      if (!spaces_viable())
        fail(at, "unexpected space");
      return;
    }
    TokenKind k{};
    if (!detail::punct_kind_of(c, k)) {
      const auto b = static_cast<unsigned char>(c);
      std::string why;
      if (b >= 0x21 && b < 0x7F) {
        why = "unexpected character '";
        why += c;
        why += "'";
      } else {
        static constexpr char hex[] = "0123456789abcdef";
        why = "unexpected byte 0x";
        why += hex[b >> 4];
        why += hex[b & 15];
      }
      fail(at, why);
      return;
    }
    if (spaces_ > 0 && !spacing_ok(k)) {
      fail(bad_space_at(k), "unexpected space");
      return;
    }
    spaces_ = 0;
    accept(punct_token(k), at);
    if (viable_)
      note_token(k);
  }

  const Prompt* prompt_ = nullptr;
  SearchOptions options_;
  CursorMode mode_ = CursorMode::valid;
  Input input_ = Input::none;
  bool finished_ = false;
  S state_ = S::begin;
  std::size_t pos_ = 0;
  std::size_t tokens_ = 0;
  bool viable_ = true;
  std::size_t failed_at_ = no_offset;
  std::string failure_;
  NextTokens next_;
  // The replay (CursorMode::valid).
  SearchState st_;
  std::vector<NodeId> ref_; // the current expansion's required list
  std::size_t ref_pos_ = 0;
  bool stop_ = false; // the exploration is complete (checked at each ')')
  std::vector<NodeId> backtrack_;
  std::size_t path_pos_ = 0;
  // Bytes: a number being typed, spaces pending, and what the spacing rules need.
  std::size_t digits_ = 0;
  std::uint64_t number_ = 0;
  std::size_t number_at_ = 0;
  std::size_t spaces_ = 0;
  std::size_t space_at_ = 0;
  bool inside_ = false;
  bool have_prev_ = false;
  TokenKind prev_ = TokenKind::node;
  Context prev_ctx_ = Context::outside_list;
};

} // namespace searchtrace

// Reading a completion incrementally, as a decoder writes it: feed a token (or a byte) at a time
// and ask whether the prefix can still become a valid completion, and which tokens may come next.
//
//   bytes → PushLexer (lexer.hpp) ─┐
//   tokens ────────────────────────┴→ completion grammar table (completion.hpp) → viable?, next
//                                      valid mode: + the reference tokens, from the search loop
//
// CursorMode::valid compares the prefix with the reference completion, which the search loop
// writes through the TokenWriter at `reset`, so a decoder can stop at the first wrong token or be
// constrained to the one correct token at every step.
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
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/token_writer.hpp"

namespace searchtrace {

/// What a CompletionCursor accepts.
enum class CursorMode : std::uint8_t {
  grammar, // any completion the grammar allows, whatever its nodes
  valid,   // only prefixes of the valid completion
};

/// The tokens that may come next: in CursorMode::valid one token or the end (the correct
/// completion is unique), in CursorMode::grammar punctuation kinds and possibly any node.
struct NextTokens {
  std::uint16_t punct = 0;   // bit k set: punctuation TokenKind k is allowed
  bool any_node = false;     // grammar mode: any node may come
  std::optional<Label> node; // valid mode: the one node that may come
  bool end = false;          // the completion may end here

  bool allows(Token t) const noexcept {
    return allows(t.kind) && (t.kind != TokenKind::node || any_node || *node == t.value);
  }
  bool allows(TokenKind k) const noexcept {
    if (k == TokenKind::node)
      return any_node || node.has_value();
    return (punct >> static_cast<unsigned>(k)) & 1u;
  }
  bool none() const noexcept { return punct == 0 && !any_node && !node && !end; }
};

/// An incremental reader of one completion; reuse it (`reset`) and stepping allocates nothing.
/// Positions are token indices when fed tokens, byte offsets when fed bytes; feeding both, or
/// after `finish()`, throws std::logic_error. While a number is being typed (not yet a token),
/// the prefix is viable if the digits can still become an allowed node; pending spaces, if some
/// allowed token can still follow them.
class CompletionCursor {
public:
  /// In CursorMode::valid a prompt whose target is unreachable leaves the cursor not viable.
  void reset(const Prompt& p, const SearchOptions& o = {}, CursorMode m = CursorMode::valid) {
    if (o.algorithm == Algorithm::dfs)
      reset(p, o, LifoFrontier{}, m);
    else
      reset(p, o, FifoFrontier{}, m);
  }

  template <class Frontier>
  void reset(const Prompt& p, const SearchOptions& o, const Frontier& frontier,
             CursorMode m = CursorMode::valid) {
    mode_ = m;
    restart();
    if (m == CursorMode::valid) {
      reference_.clear();
      TokenWriter<detail::TokenCollector> writer({&reference_});
      if (search(scratch_, p.graph, p.query, o, frontier, writer) != SearchStatus::found) {
        fail(0, "the target cannot be reached from the source: there is no valid completion");
        return;
      }
    }
    compute_next();
  }

  void reset_grammar() {
    mode_ = CursorMode::grammar;
    restart();
    compute_next();
  }

  CursorMode mode() const noexcept { return mode_; }

  bool feed(Token t) {
    use(Input::tokens);
    if (viable_)
      accept(t, pos_);
    ++pos_;
    return viable_;
  }

  bool feed(char c) {
    use(Input::bytes);
    if (viable_)
      feed_byte(c, pos_);
    ++pos_;
    return viable_;
  }

  bool feed(std::string_view bytes) {
    for (const char c : bytes)
      feed(c);
    return viable_;
  }

  /// Ends the input (a number being typed becomes a token).
  bool finish() {
    finished_ = true;
    if (viable_)
      take(lexer_.finish());
    if (viable_ && lexer_.pending_spaces() > 0)
      fail(lexer_.spaces_at(), "unexpected space");
    if (viable_ && !next_.end) {
      std::string why = "the completion ends where ";
      describe_next(why);
      why += " should be";
      fail(pos_, why);
    }
    return complete();
  }

  bool viable() const noexcept { return viable_; }

  /// Whether what was fed, ended here, is a whole completion (of the mode).
  bool complete() const noexcept {
    return viable_ && next_.end && lexer_.digits() == 0 && lexer_.pending_spaces() == 0;
  }

  NextTokens allowed_next() const noexcept { return viable_ ? next_ : NextTokens{}; }

  std::size_t position() const noexcept { return pos_; }

  /// The token index or byte offset that made the prefix not viable, or no_offset; and why.
  std::size_t failed_at() const noexcept { return failed_at_; }

  const std::string& failure() const noexcept { return failure_; }

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
    lexer_.reset();
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

  void describe_next(std::string& out) const {
    bool first = true;
    const auto sep = [&] {
      if (!first)
        out += " or ";
      first = false;
    };
    if (next_.node) {
      sep();
      detail::append_token(out, node_token(*next_.node));
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
      detail::append_token(why, t);
      fail(at, why);
      return;
    }
    state_ = detail::completion_grammar.step(state_, t.kind);
    ++tokens_;
    compute_next();
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
    if (tokens_ == reference_.size()) {
      next_.end = true;
      return;
    }
    const Token t = reference_[tokens_];
    if (t.kind == TokenKind::node)
      next_.node = t.value;
    else
      next_.punct = bit(t.kind);
  }

  // --- bytes ---------------------------------------------------------------------------------

  bool spaces_viable() const noexcept {
    const detail::Spacing& sp = lexer_.spacing();
    for (std::size_t k = 0; k < token_kind_count; ++k)
      if (next_.allows(static_cast<TokenKind>(k)) &&
          lexer_.pending_spaces() <= sp.after() + sp.before(static_cast<TokenKind>(k)))
        return true;
    return false;
  }

  bool number_viable() const noexcept {
    const std::uint64_t number = lexer_.number();
    if (number > detail::max_label_value)
      return next_.any_node; // a well-formed number beyond 2^32-1: never a node of a graph
    if (next_.any_node)
      return true;
    if (!next_.node)
      return false;
    std::uint64_t l = *next_.node;
    std::size_t d = 1;
    for (std::uint64_t x = l; x >= 10; x /= 10)
      ++d;
    if (lexer_.digits() > d)
      return false;
    for (std::size_t i = lexer_.digits(); i < d; ++i)
      l /= 10;
    return l == number;
  }

  void take(const PushLexer::Step& step) {
    if (step.number) {
      const Lexeme& n = step.number_lexeme;
      if (n.too_large && !next_.any_node) {
        fail(n.offset, "expected a node of the graph, found a number beyond 4294967295");
        return;
      }
      accept(n.token, n.offset);
      if (!viable_)
        return;
    }
    if (step.error) {
      fail(lexer_.error_info().offset, lexer_.error_info().message);
      return;
    }
    if (step.token)
      accept(step.token_lexeme.token, step.token_lexeme.offset);
  }

  void feed_byte(char c, std::size_t at) {
    take(lexer_.feed(c, at));
    if (!viable_)
      return;
    if (lexer_.digits() > 0 && !number_viable()) {
      std::string why = "expected ";
      describe_next(why);
      if (lexer_.number() > detail::max_label_value) {
        why += ", found a number beyond 4294967295";
      } else {
        why += ", found a number starting with ";
        detail::append_number(why, lexer_.number());
      }
      fail(at, why);
    } else if (c == ' ' && !spaces_viable()) {
      fail(at, "unexpected space");
    }
  }

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
  SearchScratch scratch_;
  std::vector<Token> reference_; // CursorMode::valid
  PushLexer lexer_;
};

} // namespace searchtrace

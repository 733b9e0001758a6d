// A prompt: a graph and a query, read from text with errors that name a byte
// (docs/reference.md, 'Sample format').
//
//   text → Lexer → PromptParser → Prompt (Graph + Query) → search, classifier, render
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/graph.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/result.hpp"

namespace searchtrace {

/// The graph keeps the prompt's edge order, so a parsed prompt renders back to its text.
struct Prompt {
  Graph graph;
  Query query;
};

struct PromptOptions {
  bool directed = false; // read `u,v` as the arc u→v
};

enum class PromptErrorKind : std::uint8_t {
  syntax,             // a byte or token the grammar does not allow there
  truncated,          // the text ends before the query is complete (the empty text included)
  number_too_large,   // a node id beyond 2^32-1
  self_loop,          // an edge `u,u`
  duplicate_edge,     // an edge given twice (either orientation when undirected)
  unknown_query_node, // a query node that no edge mentions
  trivial_query,      // source equals target
};

constexpr std::string_view prompt_error_kind_name(PromptErrorKind k) noexcept {
  constexpr std::array<std::string_view, 7> names{
      "syntax",         "truncated",          "number_too_large", "self_loop",
      "duplicate_edge", "unknown_query_node", "trivial_query"};
  return names[static_cast<std::size_t>(k)];
}

struct PromptError {
  PromptErrorKind kind = PromptErrorKind::syntax;
  std::size_t offset = 0; // byte offset in the prompt text
  std::string message;
};

/// Reads prompts into a reused Prompt; keep one per thread to parse without allocating.
class PromptParser {
public:
  /// The first error, or nothing (then `out` holds the prompt; on error it is unspecified).
  [[nodiscard]] std::optional<PromptError> parse(std::string_view text, Prompt& out,
                                                 const PromptOptions& options = {}) {
    Label s = 0, t = 0;
    std::size_t s_at = 0, t_at = 0;
    if (auto e = read(text, s, s_at, t, t_at))
      return e;

    assign_dense_ids();
    const GraphCheck check = out.graph.assign(labels_, edges_, options.directed);
    if (!check) {
      const std::size_t i = check.edge;
      const Edge e = edges_[i];
      const bool loop = check.defect == GraphDefect::self_loop;
      return PromptError{loop ? PromptErrorKind::self_loop : PromptErrorKind::duplicate_edge,
                         edge_offsets_[i],
                         (loop ? "self loop " : "duplicate edge ") + std::to_string(labels_[e.u]) +
                             "," + std::to_string(labels_[e.v])};
    }
    const auto src = out.graph.node(s);
    if (!src)
      return PromptError{PromptErrorKind::unknown_query_node, s_at,
                         "query source " + std::to_string(s) + " is not a node of the graph"};
    const auto dst = out.graph.node(t);
    if (!dst)
      return PromptError{PromptErrorKind::unknown_query_node, t_at,
                         "query target " + std::to_string(t) + " is not a node of the graph"};
    if (*src == *dst)
      return PromptError{PromptErrorKind::trivial_query, s_at,
                         "query source and target are the same node " + std::to_string(s)};
    out.query = {*src, *dst};
    return std::nullopt;
  }

private:
  std::optional<PromptError> read(std::string_view text, Label& s, std::size_t& s_at, Label& t,
                                  std::size_t& t_at) {
    raw_.clear();
    edge_offsets_.clear();
    Lexer lex(text);
    Lexeme lx;
    for (;;) {
      Label u = 0, v = 0;
      if (auto e = expect(lex, lx, TokenKind::node, "a node", &u))
        return e;
      const std::size_t at = lx.offset;
      if (auto e = expect(lex, lx, TokenKind::comma, {}))
        return e;
      if (auto e = expect(lex, lx, TokenKind::node, "a node", &v))
        return e;
      raw_.push_back({u, v});
      edge_offsets_.push_back(at);
      const LexStatus st = lex.next(lx);
      if (st == LexStatus::error)
        return PromptError{PromptErrorKind::syntax, lex.error().offset, lex.error().message};
      if (st == LexStatus::end)
        return PromptError{PromptErrorKind::truncated, text.size(),
                           "the prompt ends without '/' and a query"};
      if (lx.token.kind == TokenKind::slash)
        break;
      if (lx.token.kind != TokenKind::bar)
        return PromptError{PromptErrorKind::syntax, lx.offset,
                           std::string("expected '|' or '/', found ") + describe(lx)};
    }
    if (auto e = expect(lex, lx, TokenKind::node, "the query's source", &s))
      return e;
    s_at = lx.offset;
    if (auto e = expect(lex, lx, TokenKind::comma, {}))
      return e;
    if (auto e = expect(lex, lx, TokenKind::node, "the query's target", &t))
      return e;
    t_at = lx.offset;
    const LexStatus st = lex.next(lx);
    if (st == LexStatus::error)
      return PromptError{PromptErrorKind::syntax, lex.error().offset, lex.error().message};
    if (st == LexStatus::token)
      return PromptError{PromptErrorKind::syntax, lx.offset,
                         std::string("expected the end of the prompt, found ") + describe(lx)};
    return std::nullopt;
  }

  static std::string describe(const Lexeme& lx) {
    if (lx.token.kind == TokenKind::node)
      return "node " + std::to_string(lx.token.value);
    return std::string(token_kind_name(lx.token.kind));
  }

  // Small label spaces (below 2^16, the usual case) take a presence bitmap and a direct table
  // instead of a sort and binary searches.
  void assign_dense_ids() {
    labels_.clear();
    edges_.clear();
    Label max = 0;
    for (const auto& [a, b] : raw_)
      max = std::max({max, a, b});
    if (max < (1u << 16)) {
      const std::size_t words = max / 64 + 1;
      present_.assign(words, 0);
      for (const auto& [a, b] : raw_) {
        present_[a / 64] |= std::uint64_t{1} << (a % 64);
        present_[b / 64] |= std::uint64_t{1} << (b % 64);
      }
      if (index_.size() < std::size_t{max} + 1)
        index_.resize(std::size_t{max} + 1);
      for (std::size_t w = 0; w < words; ++w)
        for (std::uint64_t bits = present_[w]; bits != 0; bits &= bits - 1) {
          const auto l =
              static_cast<Label>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
          index_[l] = static_cast<NodeId>(labels_.size());
          labels_.push_back(l);
        }
      for (const auto& [a, b] : raw_)
        edges_.push_back({index_[a], index_[b]});
      return;
    }
    for (const auto& [a, b] : raw_) {
      labels_.push_back(a);
      labels_.push_back(b);
    }
    std::sort(labels_.begin(), labels_.end());
    labels_.erase(std::unique(labels_.begin(), labels_.end()), labels_.end());
    const auto dense = [&](Label l) {
      return static_cast<NodeId>(std::lower_bound(labels_.begin(), labels_.end(), l) -
                                 labels_.begin());
    };
    for (const auto& [a, b] : raw_)
      edges_.push_back({dense(a), dense(b)});
  }

  // A token of `kind` (`what` names a node's role in messages); a node's label goes to `out`.
  static std::optional<PromptError> expect(Lexer& lex, Lexeme& lx, TokenKind kind,
                                           std::string_view what, Label* out = nullptr) {
    if (kind != TokenKind::node)
      what = token_kind_name(kind);
    const LexStatus st = lex.next(lx);
    if (st == LexStatus::error)
      return PromptError{PromptErrorKind::syntax, lex.error().offset, lex.error().message};
    if (st == LexStatus::end)
      return PromptError{PromptErrorKind::truncated, lex.text().size(),
                         std::string("the prompt ends where ") + std::string(what) + " should be"};
    if (lx.token.kind != kind)
      return PromptError{PromptErrorKind::syntax, lx.offset,
                         std::string("expected ") + std::string(what) + ", found " + describe(lx)};
    if (lx.too_large)
      return PromptError{
          PromptErrorKind::number_too_large, lx.offset,
          "node id " +
              std::string(lex.text().substr(lx.offset, std::min<std::size_t>(lx.length, 24))) +
              (lx.length > 24 ? "..." : "") + " is beyond 4294967295"};
    if (out != nullptr)
      *out = lx.token.value;
    return std::nullopt;
  }

  std::vector<std::pair<Label, Label>> raw_;
  std::vector<std::size_t> edge_offsets_;
  std::vector<Label> labels_;
  std::vector<Edge> edges_;
  std::vector<std::uint64_t> present_;
  std::vector<NodeId> index_;
};

/// For many prompts, reuse a PromptParser and a Prompt.
inline Result<Prompt, PromptError> parse_prompt(std::string_view text,
                                                const PromptOptions& options = {}) {
  PromptParser parser;
  Prompt prompt;
  if (auto e = parser.parse(text, prompt, options))
    return std::move(*e);
  return prompt;
}

} // namespace searchtrace

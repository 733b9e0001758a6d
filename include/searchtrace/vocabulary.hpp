// Token ids: a Vocabulary maps grammar tokens to integers for training (presets standard,
// numeral, numeral-eot) and exports itself as JSON beside a dataset.
//
//   tokens (TokenWriter, IdEmitter) → Vocabulary → ids → npy / JSON;  ids → Vocabulary → tokens
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "searchtrace/grammar.hpp"
#include "searchtrace/hints.hpp"

namespace searchtrace {

using TokenId = std::uint32_t;

inline constexpr TokenId no_token_id = 0xFFFFFFFFu;

/// Maps the grammar's tokens to ids 0..size()-1, labels 0..label_space-1 consecutively. A
/// vocabulary may drop the comma: decoding puts it back (unambiguous once a node is one token).
class Vocabulary {
public:
  /// The library's default: <pad>=0, <bos>=1, <eos>=2, then `| / , < > ( ) - =`, then the
  /// nodes 0..label_space-1.
  static Vocabulary standard(Label label_space = 50) {
    Vocabulary v("standard", label_space);
    v.pad_ = v.add_special("<pad>");
    v.bos_ = v.add_special("<bos>");
    v.eos_ = v.add_special("<eos>");
    for (std::size_t k = 1; k < token_kind_count; ++k)
      v.add_punct(static_cast<TokenKind>(k));
    v.add_nodes();
    return v;
  }

  /// The training code behind the seed: nodes 0..L-1 take ids 0..L-1, then the punctuation
  /// `| = / $ ? & * - + > < [ ] ( ) { } ; .` in that order; no comma, no specials.
  static Vocabulary numeral(Label label_space = 50) {
    Vocabulary v("numeral", label_space);
    v.add_nodes();
    for (const char c : std::string_view("|=/$?&*-+><[](){};.")) {
      TokenKind kind{};
      if (detail::punct_kind_of(c, kind))
        v.add_punct(kind);
      else
        v.spellings_.push_back(std::string(1, c)); // in the layout, unused by the grammar
    }
    return v;
  }

  /// `numeral` as the blog post's training code runs it (GPT-2 style): id L+19 is reserved and
  /// unused, id L+20 "<|endoftext|>" serves as <bos>, <eos> and <pad> (70 for L = 50).
  static Vocabulary numeral_eot(Label label_space = 50) {
    Vocabulary v = numeral(label_space);
    v.name_ = "numeral-eot";
    v.spellings_.push_back("<unused>");
    const TokenId eot = v.add_special("<|endoftext|>");
    v.pad_ = v.bos_ = v.eos_ = eot;
    return v;
  }

  /// "standard", "numeral" or "numeral-eot".
  static std::optional<Vocabulary> preset(std::string_view name, Label label_space = 50) {
    if (name == "standard")
      return standard(label_space);
    if (name == "numeral")
      return numeral(label_space);
    if (name == "numeral-eot")
      return numeral_eot(label_space);
    return std::nullopt;
  }

  std::string_view name() const noexcept { return name_; }
  Label label_space() const noexcept { return label_space_; }
  std::size_t size() const noexcept { return spellings_.size(); }
  bool drops_commas() const noexcept { return punct_[index(TokenKind::comma)] == no_token_id; }

  std::optional<TokenId> pad() const noexcept { return opt(pad_); }
  std::optional<TokenId> bos() const noexcept { return opt(bos_); }
  std::optional<TokenId> eos() const noexcept { return opt(eos_); }

  /// no_token_id for a dropped comma or a label outside the label space.
  TokenId id(Token t) const noexcept {
    if (t.kind == TokenKind::node)
      return t.value < label_space_ ? node_base_ + t.value : no_token_id;
    return punct_[index(t.kind)];
  }

  /// Not for a special or an unused layout symbol.
  std::optional<Token> token(TokenId id) const noexcept {
    // no_token_id marks the dropped comma below: an id of -1 (as int32) must not find it.
    if (id == no_token_id)
      return std::nullopt;
    if (id >= node_base_ && id - node_base_ < label_space_)
      return node_token(static_cast<Label>(id - node_base_));
    for (std::size_t k = 1; k < token_kind_count; ++k)
      if (punct_[k] == id)
        return punct_token(static_cast<TokenKind>(k));
    return std::nullopt;
  }

  /// A layout symbol that is no grammar token (the numeral layout's '$', for the pause layout).
  /// Throws std::out_of_range when the vocabulary has none.
  TokenId symbol_id(char c) const {
    for (std::size_t i = 0; i < spellings_.size(); ++i)
      if (spellings_[i].size() == 1 && spellings_[i][0] == c && !token(static_cast<TokenId>(i)))
        return static_cast<TokenId>(i);
    throw std::out_of_range(std::string("searchtrace: the ") + name_ +
                            " vocabulary has no symbol '" + c + "'");
  }

  std::string_view spelling(TokenId id) const { return spellings_.at(id); }

  /// Throws std::out_of_range for a label outside the label space: a dataset with a silently
  /// wrong token is worse than none.
  template <class Out>
  void encode(Token t, Out& out) const {
    const TokenId i = id(t);
    if (i != no_token_id) {
      out.push_back(static_cast<typename Out::value_type>(i));
      return;
    }
    if (t.kind == TokenKind::node)
      throw_outside(t.value);
  }

  /// encode()'s error for a node outside the label space.
  [[noreturn]] SEARCHTRACE_OUT_OF_LINE void throw_outside(Label l) const {
    throw std::out_of_range("searchtrace: node " + std::to_string(l) +
                            " is outside the vocabulary's label space 0.." +
                            std::to_string(label_space_ - 1));
  }

  /// After a node or `)`, before a node or `(`: where dropped commas are restored.
  static constexpr bool comma_between(TokenKind a, TokenKind b) noexcept {
    return (a == TokenKind::node || a == TokenKind::rparen) &&
           (b == TokenKind::node || b == TokenKind::lparen);
  }

  /// Name, label space, size, special ids and every spelling by id.
  std::string to_json() const {
    std::string j = "{\"name\":\"" + name_ + "\",\"label_space\":" + std::to_string(label_space_) +
                    ",\"size\":" + std::to_string(size()) +
                    ",\"drops_commas\":" + (drops_commas() ? "true" : "false") + ",\"special\":{";
    bool first = true;
    for (const auto& [key, id] : {std::pair{"pad", pad_}, {"bos", bos_}, {"eos", eos_}}) {
      if (id == no_token_id)
        continue;
      j += first ? "\"" : ",\"";
      j += key;
      j += "\":" + std::to_string(id);
      first = false;
    }
    j += "},\"node_offset\":" + std::to_string(node_base_) + ",\"tokens\":[";
    for (std::size_t i = 0; i < spellings_.size(); ++i) {
      if (i > 0)
        j += ',';
      j += '"';
      for (const char c : spellings_[i]) {
        if (c == '"' || c == '\\')
          j += '\\';
        j += c;
      }
      j += '"';
    }
    j += "]}";
    return j;
  }

private:
  Vocabulary(std::string name, Label label_space)
      : name_(std::move(name)), label_space_(label_space) {
    if (label_space == 0)
      throw std::invalid_argument("searchtrace: a vocabulary needs a label space of at least 1");
    punct_.fill(no_token_id);
  }

  static constexpr std::size_t index(TokenKind k) noexcept { return static_cast<std::size_t>(k); }
  static constexpr std::optional<TokenId> opt(TokenId i) noexcept {
    return i == no_token_id ? std::nullopt : std::optional<TokenId>(i);
  }

  TokenId add_special(std::string s) {
    spellings_.push_back(std::move(s));
    return static_cast<TokenId>(spellings_.size() - 1);
  }
  void add_punct(TokenKind k) {
    punct_[index(k)] = static_cast<TokenId>(spellings_.size());
    spellings_.push_back(std::string(1, punct_char[index(k)]));
  }
  void add_nodes() {
    node_base_ = static_cast<TokenId>(spellings_.size());
    for (Label l = 0; l < label_space_; ++l)
      spellings_.push_back(std::to_string(l));
  }

  std::string name_;
  Label label_space_ = 0;
  TokenId node_base_ = 0;
  TokenId pad_ = no_token_id, bos_ = no_token_id, eos_ = no_token_id;
  std::array<TokenId, token_kind_count> punct_{};
  std::vector<std::string> spellings_;
};

namespace detail {

/// An emitter of TokenWriter (and of the prompt's tokens) that stores each token's id through a
/// pointer into room the caller made (a token is at least a byte of text, so a text's bound
/// bounds its ids): no capacity check and no size update per token. `dropped` counts the commas
/// the vocabulary drops, so the grammar's tokens are the ids written plus `dropped`. Throws as
/// Vocabulary::encode.
struct IdWriter {
  std::uint16_t* p;
  const Vocabulary* v;
  std::uint32_t dropped = 0;
  TokenId dollar = no_token_id; // the pause layout's '$', looked up once

  SEARCHTRACE_HOT_INLINE void node(Label x, Context) {
    const TokenId i = v->id(node_token(x));
    if (i == no_token_id)
      v->throw_outside(x);
    *p++ = static_cast<std::uint16_t>(i);
  }
  SEARCHTRACE_HOT_INLINE void punct(TokenKind k, Context) {
    const TokenId i = v->id(punct_token(k));
    if (i != no_token_id)
      *p++ = static_cast<std::uint16_t>(i);
    else
      ++dropped;
  }
  void symbol(char c) {
    TokenId i = dollar;
    if (c != '$' || i == no_token_id)
      i = v->symbol_id(c);
    if (c == '$')
      dollar = i;
    *p++ = static_cast<std::uint16_t>(i);
  }
  SEARCHTRACE_HOT_INLINE void operator()(Token t, Context c) {
    if (t.kind == TokenKind::node)
      node(t.value, c);
    else
      punct(t.kind, c);
  }
};

} // namespace detail

} // namespace searchtrace

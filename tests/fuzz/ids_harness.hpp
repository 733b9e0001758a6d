// The body of the libFuzzer target fuzz_ids.cpp, kept in a header so that the doctest suite
// (tests/fuzz_corpora.cpp) replays the committed corpus tests/fuzz/corpus_ids/ through the very
// same checks on every build, with or without clang.
//
// An input is a configuration byte and then token ids: bits 0-2 of the byte pick the
// vocabulary (standard or numeral) and its label space, bits 3-6 one of the sixteen search
// option sets. The rest is read twice, as little-endian uint16 ids and as little-endian int32
// ids (trailing bytes ignored). Each id sequence goes through the completion parser
// (CompletionParser::parse_ids and parse_completion_ids), decode_tokens / append_tokens, the
// classifier (classify_ids on the seed's prompt) and the diagnostic and JSON renderers.
// Properties:
//   * a parse: complete exactly when there is no error; a syntax error sits on an id, a
//     truncation at the end; the reused parser and a fresh one agree;
//   * a complete parse re-encodes (encode_completion) to the same ids (a numeral vocabulary
//     drops the commas both ways);
//   * decoding stops exactly at the first id that is no grammar token, and the parse fails
//     there or before; decoded tokens rendered to text (both spacings) lex back to the same
//     tokens, unless two nodes stand in a row (their digits run together: then the parse must
//     have failed by the second);
//   * ids and their text are the same completion: parsing the text gives the same trace, the
//     same error (kind, message, and the offset of the same token), and classifying it gives
//     the same verdict, error for error, with byte offsets mapped to id indices;
//   * a verdict: valid == no errors == exact, errors in reading order on an id or at the end,
//     at most max_errors, one-line messages, a non-empty diagnostic naming the kind, JSON that
//     parses back.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/vocabulary.hpp"

#include "fuzz_checks.hpp"

namespace searchtrace_fuzz {

using namespace searchtrace;

/// Reused state: one per thread. `Fail` is called with a message when a property does not hold
/// (the fuzz target aborts, the doctest fails).
class IdsHarness {
public:
  /// Label spaces by bits 1-2 of the configuration byte: the seed's, one too small for its
  /// prompt (nodes it cannot name), one that needs more than a byte, one beyond uint16 ids.
  static constexpr std::array<Label, 4> label_spaces{50, 3, 1000, 70000};

  IdsHarness() {
    for (const Label l : label_spaces) {
      vocabularies_.push_back(Vocabulary::standard(l));
      vocabularies_.push_back(Vocabulary::numeral(l));
    }
  }

  template <class Fail>
  void run(std::string_view input, Fail&& fail) {
    if (input.empty())
      return;
    const auto config = static_cast<unsigned char>(input[0]);
    const Vocabulary& v = vocabularies_[config & 7u];
    const SearchOptions& o = options_[(config >> 3) & 15u];
    const std::string_view payload = input.substr(1);

    ids16_.resize(payload.size() / 2);
    for (std::size_t i = 0; i < ids16_.size(); ++i)
      ids16_[i] = static_cast<std::uint16_t>(static_cast<unsigned char>(payload[2 * i]) |
                                             static_cast<unsigned char>(payload[2 * i + 1]) << 8);
    ids32_.resize(payload.size() / 4);
    for (std::size_t i = 0; i < ids32_.size(); ++i) {
      std::uint32_t u = 0;
      for (std::size_t k = 0; k < 4; ++k)
        u |= std::uint32_t{static_cast<unsigned char>(payload[4 * i + k])} << (8 * k);
      ids32_[i] = static_cast<std::int32_t>(u);
    }
    check(std::span<const std::uint16_t>(ids16_), v, o, fail);
    check(std::span<const std::int32_t>(ids32_), v, o, fail);
  }

private:
  template <class Id>
  static std::string show(std::span<const Id> ids, const Vocabulary& v) {
    std::string s(v.name());
    s += "(L=";
    s += std::to_string(v.label_space());
    s += ") ids";
    for (const Id id : ids) {
      s += ' ';
      s += std::to_string(id);
    }
    return s;
  }

  template <class Id, class Fail>
  void check(std::span<const Id> ids, const Vocabulary& v, const SearchOptions& o, Fail& fail) {
    // The ids are spelled out only when a property fails.
    auto bad = [&](const std::string& why) { fail(why + "\n  in " + show(ids, v)); };
    check_parse(ids, v, bad);
    const bool decoded = check_decode(ids, v, bad);
    if (decoded)
      check_text_parse(ids, bad);
    check_verdict(ids, v, o, decoded, bad);
  }

  template <class Id, class Fail>
  void check_parse(std::span<const Id> ids, const Vocabulary& v, Fail& fail) {
    parser_.parse_ids(ids, v, parsed_);
    if (parsed_.complete == parsed_.error.has_value())
      fail("complete and error disagree");
    if (parsed_.error) {
      const SyntaxError& e = *parsed_.error;
      if (e.kind == ErrorKind::truncated ? e.offset != ids.size() : e.offset >= ids.size())
        fail("a " + std::string(error_kind_name(e.kind)) + " error at " + std::to_string(e.offset) +
             " of " + std::to_string(ids.size()) + " ids");
      if (e.kind != ErrorKind::syntax && e.kind != ErrorKind::truncated)
        fail("a parse error of kind " + std::string(error_kind_name(e.kind)));
      if (e.message.empty() || !printable_line(e.message))
        fail("a parse error message that is not one printable line: " + e.message);
    }
    const ParsedCompletion fresh = parse_completion_ids(ids, v);
    if (fresh.complete != parsed_.complete || fresh.trace != parsed_.trace ||
        fresh.error != parsed_.error)
      fail("the reused parser and a fresh one disagree");

    if (parsed_.complete) {
      encoded_.clear();
      encode_completion(parsed_.trace, v, encoded_);
      bool same = encoded_.size() == ids.size();
      for (std::size_t i = 0; same && i < ids.size(); ++i)
        same = static_cast<std::int64_t>(encoded_[i]) == static_cast<std::int64_t>(ids[i]);
      if (!same)
        fail("a complete parse does not re-encode to its ids");
    }
  }

  // Decodes into tokens_ and index_ (the id index of each token: a restored comma takes the
  // index of the id after it) and renders text_; returns whether every id was a token.
  template <class Id, class Fail>
  bool check_decode(std::span<const Id> ids, const Vocabulary& v, Fail& fail) {
    tokens_.clear();
    std::size_t bad = ids.size();
    const bool ok = decode_tokens(ids, v, tokens_, &bad);
    // The first id that is no token, found independently.
    std::size_t first_bad = ids.size();
    for (std::size_t i = 0; i < ids.size() && first_bad == ids.size(); ++i) {
      bool in_range = true;
      if constexpr (std::is_signed_v<Id>)
        in_range = ids[i] >= 0;
      if (!in_range || static_cast<std::uint64_t>(ids[i]) >= v.size() ||
          !v.token(static_cast<TokenId>(ids[i])))
        first_bad = i;
    }
    if (ok != (first_bad == ids.size()) || (!ok && bad != first_bad))
      fail("decode_tokens stops at " + std::to_string(bad) + ", the first non-token id is " +
           std::to_string(first_bad));
    if (!ok) {
      if (!parsed_.error || parsed_.error->offset > first_bad)
        fail("the parser reads past an id that is no token");
      return false;
    }

    index_.clear();
    std::size_t i = 0;
    for (const Token t : tokens_) {
      if (v.drops_commas() && t.kind == TokenKind::comma) {
        index_.push_back(i);
        continue;
      }
      if (i >= ids.size() || t != v.token(static_cast<TokenId>(ids[i])))
        return fail("decoded tokens do not follow the ids"), false;
      index_.push_back(i++);
    }
    if (i != ids.size())
      return fail("decoding dropped ids"), false;

    // Two nodes in a row (ids of a vocabulary that keeps its commas) have no text: append_tokens
    // writes their digits together, which reads back as one other number. The grammar never
    // puts two nodes together, so the parse must have failed by then; the text checks stop here.
    for (std::size_t k = 1; k < tokens_.size(); ++k) {
      if (tokens_[k - 1].kind == TokenKind::node && tokens_[k].kind == TokenKind::node) {
        if (parsed_.complete || parsed_.error->offset > index_[k])
          fail("the parser reads past two nodes in a row");
        return false;
      }
    }

    for (const Rendering r : {Rendering::pretty, Rendering::compact}) {
      text_.clear();
      append_tokens(text_, tokens_, r);
      Lexer lex(text_);
      Lexeme lx;
      offsets_.clear();
      for (;;) {
        const LexStatus st = lex.next(lx);
        if (st == LexStatus::end)
          break;
        if (st == LexStatus::error)
          return fail("decoded text does not lex: " + lex.error().message + ": " + text_), false;
        if (offsets_.size() >= tokens_.size() || lx.token != tokens_[offsets_.size()])
          return fail("decoded text lexes to other tokens: " + text_), false;
        offsets_.push_back(lx.offset);
      }
      if (offsets_.size() != tokens_.size())
        return fail("decoded text lexes to fewer tokens: " + text_), false;
    }
    return true; // text_ and offsets_ hold the compact rendering
  }

  // The id index of a byte offset in text_: the token that starts there, or the end.
  std::size_t id_index(std::size_t offset, std::size_t id_count) const {
    if (offset >= text_.size())
      return id_count;
    for (std::size_t k = 0; k < offsets_.size(); ++k)
      if (offsets_[k] == offset)
        return index_[k];
    return no_offset;
  }

  template <class Id, class Fail>
  void check_text_parse(std::span<const Id> ids, Fail& fail) {
    parser_.parse(text_, text_parsed_);
    if (text_parsed_.complete != parsed_.complete || text_parsed_.trace != parsed_.trace)
      return fail("ids and their text parse differently: " + text_);
    if (!parsed_.error)
      return;
    const SyntaxError& a = *parsed_.error;
    const SyntaxError& b = *text_parsed_.error;
    if (a.kind != b.kind || a.message != b.message || a.expansion != b.expansion ||
        a.offset != id_index(b.offset, ids.size()))
      fail("ids and their text have different syntax errors: " + std::to_string(a.offset) + " " +
           a.message + " / " + text_ + ": " + std::to_string(b.offset) + " " + b.message);
  }

  template <class Id, class Fail>
  void check_verdict(std::span<const Id> ids, const Vocabulary& v, const SearchOptions& o,
                     bool decoded, Fail& fail) {
    verdict_ = classifier_.classify_ids(prompt_, ids, v, o);
    const Verdict& vd = verdict_;
    if (vd.valid != vd.errors.empty() || vd.exact != vd.valid)
      fail("valid, exact and the error list disagree");
    if (vd.errors.size() > classifier_.max_errors())
      fail("more errors than the cap");
    for (std::size_t i = 0; i < vd.errors.size(); ++i) {
      const Deviation& d = vd.errors[i];
      if (d.offset > ids.size())
        fail("an error beyond the end of the ids");
      if (d.message.empty() || !printable_line(d.message))
        fail("an error message that is not one printable line: " + d.message);
      if (i > 0 && (vd.errors[i - 1].offset > d.offset ||
                    (vd.errors[i - 1].offset == d.offset && vd.errors[i - 1].kind > d.kind)))
        fail("errors out of reading order");
      if (vd.answer_correct &&
          (d.kind == ErrorKind::answer_invalid || d.kind == ErrorKind::answer_not_shortest))
        fail("answer_correct with an answer error");
      const std::string diag = render_diagnostic(d, ids, v);
      if (diag.find(error_kind_name(d.kind)) == std::string::npos)
        fail("a diagnostic that does not name its kind: " + diag);
    }
    const std::string json = to_json(vd);
    const auto parsed_json = nlohmann::json::parse(json, nullptr, false);
    if (parsed_json.is_discarded() || parsed_json.at("valid").get<bool>() != vd.valid ||
        parsed_json.at("errors").size() != vd.errors.size())
      fail("to_json does not parse back: " + json);
    if (render_verdict(vd, ids, v).empty())
      fail("an empty render_verdict");
    if (!decoded)
      return;

    // The same completion as text: the same verdict, offsets mapped to id indices.
    const Verdict& tv = classifier_.classify(prompt_, text_, o);
    bool same = tv.valid == vd.valid && tv.exact == vd.exact &&
                tv.answer_correct == vd.answer_correct && tv.errors_capped == vd.errors_capped &&
                tv.errors.size() == vd.errors.size();
    for (std::size_t i = 0; same && i < vd.errors.size(); ++i) {
      const Deviation& a = vd.errors[i];
      const Deviation& b = tv.errors[i];
      same = a.kind == b.kind && a.expansion == b.expansion && a.message == b.message &&
             a.offset == id_index(b.offset, ids.size());
    }
    if (!same)
      fail("ids and their text get different verdicts:\n  ids:  " + to_json(vd) +
           "\n  text: " + text_ + " " + to_json(tv));
  }

  std::vector<Vocabulary> vocabularies_;
  std::vector<SearchOptions> options_ = all_options();
  Prompt prompt_ = parse_prompt(seed_prompt).value();
  std::vector<std::uint16_t> ids16_;
  std::vector<std::int32_t> ids32_;
  std::vector<TokenId> encoded_;
  std::vector<Token> tokens_;
  std::vector<std::size_t> index_, offsets_;
  std::string text_;
  CompletionParser parser_;
  ParsedCompletion parsed_, text_parsed_;
  Classifier classifier_;
  Verdict verdict_;
};

} // namespace searchtrace_fuzz

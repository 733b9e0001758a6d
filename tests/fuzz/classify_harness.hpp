// The body of the libFuzzer target fuzz_classify.cpp, kept in a header so that the doctest suite
// (tests/fuzz_corpora.cpp) replays the committed corpus tests/fuzz/corpus_classify/ through the
// very same checks on every build, with or without clang.
//
// One input is `prompt<TAB or NEWLINE>completion`; an input without a separator is a completion
// for the seed's prompt (and is also tried as a prompt). Every input goes through the prompt
// parser (undirected and directed), the completion parser (text, and the bytes as token ids in
// both vocabularies), the incremental cursor (grammar and valid mode), the classifier under all
// sixteen combinations of algorithm and policies, and the diagnostic and JSON renderers. Besides
// "no crash, no sanitizer report", the harness checks properties that tie the parts together:
//   * a parsed prompt renders back to its text; a rejected one has its error within the text;
//   * every message (prompt errors, syntax errors, verdict errors) is one printable line: UTF-8
//     without control bytes, whatever bytes the input held;
//   * a complete parse renders back to a text that parses to the same trace;
//   * the grammar cursor accepts exactly the texts the parser calls complete;
//   * verdicts: valid == no errors == exact, errors sorted by (offset, table order), offsets
//     within the text, expansion indices within the exploration, answer_correct without answer
//     errors, at most max_errors errors; the JSON parses back;
//   * the valid cursor accepts exactly the completions the classifier calls valid;
//   * the reference completion (both renderings) is valid, exact and answer-correct.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "searchtrace/classify.hpp"
#include "searchtrace/completion.hpp"
#include "searchtrace/cursor.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/vocabulary.hpp"

#include "fuzz_checks.hpp"

namespace searchtrace_fuzz {

using namespace searchtrace;

/// Reused state: one per thread. `Fail` is called with a message when a property does not hold
/// (the fuzz target aborts, the doctest fails).
class ClassifyHarness {
public:
  template <class Fail>
  void run(std::string_view input, Fail&& fail) {
    const std::size_t sep = input.find_first_of("\t\n");
    if (sep == std::string_view::npos) {
      check_prompt_text(input, fail);
      if (prompt_parser_.parse(seed_prompt, prompt_))
        return fail("the seed prompt does not parse");
      check_completion(seed_prompt, input, fail);
      return;
    }
    const std::string_view prompt_text = input.substr(0, sep);
    const std::string_view completion = input.substr(sep + 1);
    check_prompt_text(prompt_text, fail);
    check_completion_grammar(completion, fail);
    if (!prompt_parser_.parse(prompt_text, prompt_))
      check_completion(prompt_text, completion, fail);
    if (!prompt_parser_.parse(prompt_text, prompt_, PromptOptions{true}))
      for (const Algorithm a : {Algorithm::bfs, Algorithm::dfs}) {
        SearchOptions o;
        o.algorithm = a;
        check_verdict(completion, o, fail);
      }
  }

private:
  template <class Fail>
  void check_prompt_text(std::string_view text, Fail& fail) {
    if (const auto e = prompt_parser_.parse(text, prompt_)) {
      if (e->offset > text.size())
        fail("a prompt error beyond the end of the text");
      if (e->message.empty() || !printable_line(e->message))
        fail("a prompt error message that is not one printable line: " + e->message);
      return;
    }
    scratch_.clear();
    append_prompt(scratch_, prompt_);
    if (scratch_ != text)
      fail("a parsed prompt does not render back to its text: " + scratch_);
  }

  // The grammar alone: parser, re-rendering, grammar cursor, token ids.
  template <class Fail>
  void check_completion_grammar(std::string_view completion, Fail& fail) {
    parser_.parse(completion, parsed_);
    if (parsed_.complete == parsed_.error.has_value())
      fail("complete and error disagree");
    if (parsed_.error && parsed_.error->offset > completion.size())
      fail("a syntax error beyond the end of the text");
    if (parsed_.error && !printable_line(parsed_.error->message))
      fail("a syntax error message that is not one printable line: " + parsed_.error->message);
    if (parsed_.complete) {
      for (const Rendering r : {Rendering::compact, Rendering::pretty}) {
        scratch_.clear();
        append_completion(scratch_, parsed_.trace, r);
        parser_.parse(scratch_, reparsed_);
        if (!reparsed_.complete || reparsed_.trace != parsed_.trace)
          fail("a complete parse does not survive rendering: " + scratch_);
      }
    }
    cursor_.reset_grammar();
    cursor_.feed(completion);
    if (cursor_.finish() != parsed_.complete)
      fail("the grammar cursor and the parser disagree");
    // The bytes as token ids: every id is either a token or a syntax error at its index.
    const std::span<const unsigned char> ids(
        reinterpret_cast<const unsigned char*>(completion.data()), completion.size());
    for (const Vocabulary* v : {&standard_, &numeral_}) {
      parser_.parse_ids(ids, *v, reparsed_);
      if (reparsed_.complete == reparsed_.error.has_value())
        fail("complete and error disagree (ids)");
      if (reparsed_.error) {
        Deviation d;
        d.kind = reparsed_.error->kind;
        d.offset = reparsed_.error->offset;
        d.message = reparsed_.error->message;
        if (render_diagnostic(d, ids, *v).empty())
          fail("an empty diagnostic (ids)");
      }
    }
  }

  // Everything that needs the prompt, under every combination of options.
  template <class Fail>
  void check_completion(std::string_view prompt_text, std::string_view completion, Fail& fail) {
    (void)prompt_text;
    check_completion_grammar(completion, fail);
    for (const SearchOptions& o : options_)
      check_verdict(completion, o, fail);
  }

  template <class Fail>
  void check_verdict(std::string_view completion, const SearchOptions& o, Fail& fail) {
    const Verdict& v = classifier_.classify(prompt_, completion, o);
    const std::size_t expansions = classifier_.parsed().trace.expansion_count();
    if (v.valid != v.errors.empty())
      fail("valid disagrees with the error list");
    if (v.exact != v.valid)
      fail("exact and valid disagree on: " + std::string(completion));
    if (v.errors.size() > classifier_.max_errors())
      fail("more errors than the cap");
    for (std::size_t i = 0; i < v.errors.size(); ++i) {
      const Deviation& d = v.errors[i];
      if (d.offset > completion.size())
        fail("an error beyond the end of the text");
      if (d.expansion > expansions)
        fail("an expansion index beyond the exploration");
      if (d.message.empty() || !printable_line(d.message))
        fail("an error message that is not one printable line: " + d.message);
      if (i > 0) {
        const Deviation& p = v.errors[i - 1];
        if (p.offset > d.offset || (p.offset == d.offset && p.kind > d.kind))
          fail("errors out of reading order");
      }
      if (v.answer_correct &&
          (d.kind == ErrorKind::answer_invalid || d.kind == ErrorKind::answer_not_shortest))
        fail("answer_correct with an answer error");
    }
    const std::string json = to_json(v);
    const auto parsed_json = nlohmann::json::parse(json, nullptr, false);
    if (parsed_json.is_discarded() || parsed_json.at("valid").get<bool>() != v.valid ||
        parsed_json.at("errors").size() != v.errors.size())
      fail("to_json does not parse back: " + json);
    if (!v.errors.empty() && render_diagnostic(v.errors[0], completion).empty())
      fail("an empty diagnostic");

    cursor_.reset(prompt_, o, CursorMode::valid);
    cursor_.feed(completion);
    if (cursor_.finish() != v.valid)
      fail("the valid cursor and the classifier disagree on: " + std::string(completion));

    if (trace_into(reference_, state_, prompt_.graph, prompt_.query, o) == SearchStatus::found) {
      for (const Rendering r : {Rendering::compact, Rendering::pretty}) {
        scratch_.clear();
        append_completion(scratch_, reference_, r);
        const Verdict& ref = classifier_.classify(prompt_, scratch_, o);
        if (!ref.valid || !ref.exact || !ref.answer_correct)
          fail("the reference completion is not judged correct: " + scratch_);
      }
    }
  }

  std::vector<SearchOptions> options_ = all_options();
  Vocabulary standard_ = Vocabulary::standard();
  Vocabulary numeral_ = Vocabulary::numeral();
  PromptParser prompt_parser_;
  Prompt prompt_;
  CompletionParser parser_;
  ParsedCompletion parsed_, reparsed_;
  Classifier classifier_;
  CompletionCursor cursor_;
  SearchScratch state_;
  Trace reference_;
  std::string scratch_;
};

} // namespace searchtrace_fuzz

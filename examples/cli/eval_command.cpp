// `searchtrace eval`: the seed's kind of table (rows = models, columns = families) from model
// outputs, one JSON object per line with "prompt", "completion" and optional "model" and
// "family" (a `prompt<TAB>completion` line is read too, as model "default", family "-").
//
// Metrics of a cell (a model on a family), each over the cell's samples:
//   exact           the completion, untruncated and as written (after --strip-suffix), equals the
//                   reference completion token for token (Verdict::exact)
//   valid           no error at all (Verdict::valid)
//   answer          the answer path is correct (Verdict::answer_correct, SPEC §7.7)
//   token accuracy  position-wise: let R be the reference completion's tokens and C the
//                   completion's, both WITHOUT commas (a comma is redundant once a node is one
//                   token, and the seed's tokenizer drops them; counting them would inflate the
//                   figure), C read up to the first byte the lexer rejects. The sample's token
//                   accuracy is #{i < |R| : C[i] == R[i]} / |R|; a cell's is the mean over its
//                   samples. Tokens of C beyond |R| are not counted (exact match sees them).
//   first error     over the cell's INVALID samples: the share (%) whose first error is in
//                   each category (they sum to 100%), the mean byte offset of the first error
//                   in the completion (0 = its '<') and its mean expansion index (0-based).
//
// Decisions: rows and columns come in the order models and families first appear in the input;
// a missing "model" is "default", a missing "family" is "-"; a cell with no sample prints "-".
// A line that cannot be evaluated (unreadable, a prompt that does not parse, a target the source
// cannot reach: there is no reference) is reported on stderr as `line N, offset K: message`
// (K: the byte in the line; for a prompt error K is 0 and the message says "prompt: byte B:"),
// left out of the table, and makes the exit code 1; an empty line is skipped silently (JSONL
// files often end with one). A completion that is garbage is not such a line: it is a model
// output with a `syntax` error, and it counts.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "sample_line.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace::cli {

enum class EvalFormat : std::uint8_t { markdown, csv, json };

inline constexpr std::array<Choice<EvalFormat>, 3> eval_format_choices{
    {{"markdown", EvalFormat::markdown}, {"csv", EvalFormat::csv}, {"json", EvalFormat::json}}};

struct EvalCommandOptions {
  SearchOptions search;
  bool directed = false;
  EvalFormat format = EvalFormat::markdown;
  std::string strip_suffix;
  std::string output; // "" or "-": stdout
  std::vector<std::string> files;
};

/// The counts behind one cell of the table.
struct EvalCell {
  std::size_t samples = 0;
  std::size_t exact = 0;
  std::size_t valid = 0;
  std::size_t answer_correct = 0;
  double token_accuracy_sum = 0; // sum of per-sample token accuracies
  std::size_t invalid = 0;
  std::array<std::size_t, error_category_count> first_error_category{};
  double first_error_offset_sum = 0;
  double first_error_expansion_sum = 0;

  double rate(std::size_t n) const noexcept {
    return samples == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(samples);
  }
  double token_accuracy() const noexcept {
    return samples == 0 ? 0.0 : token_accuracy_sum / static_cast<double>(samples);
  }
  std::optional<double> mean_first_error_offset() const noexcept {
    if (invalid == 0)
      return std::nullopt;
    return first_error_offset_sum / static_cast<double>(invalid);
  }
  std::optional<double> mean_first_error_expansion() const noexcept {
    if (invalid == 0)
      return std::nullopt;
    return first_error_expansion_sum / static_cast<double>(invalid);
  }
  std::optional<double> category_share(std::size_t c) const noexcept {
    if (invalid == 0)
      return std::nullopt;
    return static_cast<double>(first_error_category[c]) / static_cast<double>(invalid);
  }
};

/// Models × families, in order of first appearance.
class EvalTable {
public:
  EvalCell& cell(std::string_view model, std::string_view family) {
    const std::size_t m = index_of(models_, model_index_, model);
    const std::size_t f = index_of(families_, family_index_, family);
    return cells_[{m, f}];
  }

  const std::vector<std::string>& models() const noexcept { return models_; }
  const std::vector<std::string>& families() const noexcept { return families_; }

  /// The cell, or nullptr when the model has no sample of the family.
  const EvalCell* find(std::size_t model, std::size_t family) const {
    const auto it = cells_.find({model, family});
    return it == cells_.end() ? nullptr : &it->second;
  }

private:
  static std::size_t index_of(std::vector<std::string>& names,
                              std::map<std::string, std::size_t, std::less<>>& index,
                              std::string_view name) {
    const auto it = index.find(name);
    if (it != index.end())
      return it->second;
    names.emplace_back(name);
    index.emplace(std::string(name), names.size() - 1);
    return names.size() - 1;
  }

  std::vector<std::string> models_, families_;
  std::map<std::string, std::size_t, std::less<>> model_index_, family_index_;
  std::map<std::pair<std::size_t, std::size_t>, EvalCell> cells_;
};

/// Token accuracy of one completion against the reference tokens (commas already removed from
/// `reference`), as defined at the top of this file.
inline double token_accuracy(std::string_view completion, const std::vector<Token>& reference) {
  if (reference.empty())
    return 0.0;
  Lexer lex(completion);
  Lexeme lx;
  std::size_t i = 0, matched = 0;
  while (i < reference.size() && lex.next(lx) == LexStatus::token) {
    if (lx.token.kind == TokenKind::comma)
      continue;
    if (!lx.too_large && lx.token == reference[i])
      ++matched;
    ++i;
  }
  return static_cast<double>(matched) / static_cast<double>(reference.size());
}

namespace detail {

inline std::string percent(double fraction) {
  return fmt::format("{:.2f}%", 100.0 * fraction);
}

/// A CSV field, quoted when it has to be (RFC 4180).
inline std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos)
    return std::string(s);
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
  return out;
}

/// A Markdown table cell: '|' escaped, newlines as spaces.
inline std::string md_cell(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

template <class Value>
void append_model_family_table(std::string& out, const EvalTable& t, std::string_view title,
                               Value&& value) {
  out += "## ";
  out += title;
  out += "\n\n| Model |";
  for (const auto& f : t.families())
    out += " " + md_cell(f) + " |";
  out += "\n|---|";
  for (std::size_t f = 0; f < t.families().size(); ++f)
    out += "---:|";
  out += '\n';
  for (std::size_t m = 0; m < t.models().size(); ++m) {
    out += "| " + md_cell(t.models()[m]) + " |";
    for (std::size_t f = 0; f < t.families().size(); ++f) {
      const EvalCell* c = t.find(m, f);
      out += " ";
      out += c == nullptr ? std::string("-") : value(*c);
      out += " |";
    }
    out += '\n';
  }
  out += '\n';
}

inline std::string markdown(const EvalTable& t) {
  std::string out;
  const auto mean = [](std::optional<double> x) {
    return x ? fmt::format("{:.1f}", *x) : std::string("-");
  };
  append_model_family_table(out, t, "Exact match (untruncated completion)",
                            [](const EvalCell& c) { return percent(c.rate(c.exact)); });
  append_model_family_table(out, t, "Valid (no error)",
                            [](const EvalCell& c) { return percent(c.rate(c.valid)); });
  append_model_family_table(out, t, "Answer accuracy",
                            [](const EvalCell& c) { return percent(c.rate(c.answer_correct)); });
  append_model_family_table(out, t, "Token accuracy (position-wise, commas excluded)",
                            [](const EvalCell& c) { return percent(c.token_accuracy()); });
  append_model_family_table(out, t, "Mean byte offset of the first error",
                            [&](const EvalCell& c) { return mean(c.mean_first_error_offset()); });
  append_model_family_table(
      out, t, "Mean expansion index of the first error",
      [&](const EvalCell& c) { return mean(c.mean_first_error_expansion()); });
  out += "## First-error categories (% of invalid completions)\n\n"
         "| Model | Family | Samples | Invalid |";
  for (std::size_t k = 0; k < error_category_count; ++k)
    out += fmt::format(" {} |", error_category_name(static_cast<ErrorCategory>(k)));
  out += "\n|---|---|---:|---:|";
  for (std::size_t k = 0; k < error_category_count; ++k)
    out += "---:|";
  out += '\n';
  for (std::size_t m = 0; m < t.models().size(); ++m)
    for (std::size_t f = 0; f < t.families().size(); ++f) {
      const EvalCell* c = t.find(m, f);
      if (c == nullptr)
        continue;
      out += fmt::format("| {} | {} | {} | {} |", md_cell(t.models()[m]), md_cell(t.families()[f]),
                         c->samples, c->invalid);
      for (std::size_t k = 0; k < error_category_count; ++k) {
        const auto share = c->category_share(k);
        out += ' ';
        out += share ? percent(*share) : std::string("-");
        out += " |";
      }
      out += '\n';
    }
  return out;
}

inline std::string csv(const EvalTable& t) {
  std::string out = "model,family,samples,exact,valid,answer_correct,token_accuracy,invalid,"
                    "first_error_offset_mean,first_error_expansion_mean";
  for (std::size_t k = 0; k < error_category_count; ++k)
    out += fmt::format(",first_error_{}", error_category_name(static_cast<ErrorCategory>(k)));
  out += '\n';
  const auto opt = [](std::optional<double> x, const char* spec) {
    return x ? fmt::format(fmt::runtime(spec), *x) : std::string();
  };
  for (std::size_t m = 0; m < t.models().size(); ++m)
    for (std::size_t f = 0; f < t.families().size(); ++f) {
      const EvalCell* c = t.find(m, f);
      if (c == nullptr)
        continue;
      out += fmt::format("{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{},{},{}", csv_field(t.models()[m]),
                         csv_field(t.families()[f]), c->samples, c->rate(c->exact),
                         c->rate(c->valid), c->rate(c->answer_correct), c->token_accuracy(),
                         c->invalid, opt(c->mean_first_error_offset(), "{:.3f}"),
                         opt(c->mean_first_error_expansion(), "{:.3f}"));
      for (std::size_t k = 0; k < error_category_count; ++k) {
        out += ',';
        out += opt(c->category_share(k), "{:.6f}");
      }
      out += '\n';
    }
  return out;
}

inline std::string json(const EvalTable& t, const SearchOptions& o) {
  using nlohmann::ordered_json;
  const auto opt = [](std::optional<double> x) { return x ? ordered_json(*x) : ordered_json(); };
  ordered_json doc;
  doc["options"] = {{"algo", algorithm_name(o.algorithm)},
                    {"order", o.order == NeighborOrder::ascending ? "ascending" : "prompt"},
                    {"listing", o.listing == Listing::unexpanded ? "unexpanded" : "undiscovered"},
                    {"stop", o.stop == StopRule::on_list ? "on-list" : "on-pop"}};
  doc["models"] = t.models();
  doc["families"] = t.families();
  doc["cells"] = ordered_json::array();
  for (std::size_t m = 0; m < t.models().size(); ++m)
    for (std::size_t f = 0; f < t.families().size(); ++f) {
      const EvalCell* c = t.find(m, f);
      if (c == nullptr)
        continue;
      ordered_json categories;
      if (c->invalid > 0)
        for (std::size_t k = 0; k < error_category_count; ++k)
          categories[std::string(error_category_name(static_cast<ErrorCategory>(k)))] =
              *c->category_share(k);
      ordered_json cell;
      cell["model"] = t.models()[m];
      cell["family"] = t.families()[f];
      cell["samples"] = c->samples;
      cell["exact"] = c->rate(c->exact);
      cell["valid"] = c->rate(c->valid);
      cell["answer_correct"] = c->rate(c->answer_correct);
      cell["token_accuracy"] = c->token_accuracy();
      cell["invalid"] = c->invalid;
      cell["first_error"] = {{"offset_mean", opt(c->mean_first_error_offset())},
                             {"expansion_mean", opt(c->mean_first_error_expansion())},
                             {"categories", categories}};
      doc["cells"].push_back(std::move(cell));
    }
  // ensure_ascii=false keeps names as written; invalid UTF-8 cannot occur (the JSON reader
  // rejected it) but `replace` makes dump() total anyway.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

} // namespace detail

/// Runs `searchtrace eval`; returns the exit code.
inline int run_eval(const EvalCommandOptions& o) {
  Diagnostics diag;
  EvalTable table;
  PromptParser prompt_parser;
  Prompt prompt;
  Classifier classifier;
  SearchScratch state;
  Trace reference;
  std::vector<Token> reference_tokens;
  SampleLine sample;
  const PromptOptions prompt_options{o.directed};

  for_each_input_line(
      o.files, diag,
      [&](const LineRef& at, std::string_view line) {
        if (line.empty())
          return;
        if (auto problem = read_sample_line(line, sample, o.strip_suffix))
          return diag.line_error(at, problem->offset, problem->message);
        // Offsets on stderr are about the line; a prompt's byte goes into the message, since a
        // JSON-escaped prompt has no simple position in its line.
        if (auto e = prompt_parser.parse(sample.prompt, prompt, prompt_options))
          return diag.line_error(at, 0,
                                 fmt::format("prompt: byte {}: {}: {}", e->offset,
                                             prompt_error_kind_name(e->kind), e->message));
        if (trace_into(reference, state, prompt.graph, prompt.query, o.search) ==
            SearchStatus::unreachable)
          return diag.line_error(
              at, 0,
              fmt::format("prompt: byte {}: unreachable: target {} cannot be reached from {}, so "
                          "there is no reference",
                          sample.prompt.rfind(',') + 1, prompt.graph.label(prompt.query.target),
                          prompt.graph.label(prompt.query.source)));
        reference_tokens.clear();
        for_each_completion_token(reference, [&](Token t, Context) {
          if (t.kind != TokenKind::comma)
            reference_tokens.push_back(t);
        });
        const Verdict& v = classifier.classify(prompt, sample.completion, o.search);
        EvalCell& c = table.cell(sample.model ? std::string_view(*sample.model) : "default",
                                 sample.family ? std::string_view(*sample.family) : "-");
        ++c.samples;
        c.exact += v.exact ? 1 : 0;
        c.valid += v.valid ? 1 : 0;
        c.answer_correct += v.answer_correct ? 1 : 0;
        c.token_accuracy_sum += token_accuracy(sample.completion, reference_tokens);
        if (const Deviation* d = v.first_error()) {
          ++c.invalid;
          ++c.first_error_category[static_cast<std::size_t>(d->category())];
          c.first_error_offset_sum += static_cast<double>(d->offset);
          c.first_error_expansion_sum += static_cast<double>(d->expansion);
        }
      },
      [] {});

  if (diag.has_fatal())
    return exit_usage;
  Output out(o.output);
  switch (o.format) {
  case EvalFormat::markdown:
    out.buffer() = detail::markdown(table);
    break;
  case EvalFormat::csv:
    out.buffer() = detail::csv(table);
    break;
  case EvalFormat::json:
    out.buffer() = detail::json(table, o.search);
    break;
  }
  out.finish();
  return diag.exit_code();
}

inline constexpr std::string_view eval_help_footer = R"(
Reads model outputs, one JSON object per line, from each FILE in turn or from stdin:
    {"prompt": "1,3|2,4|1,2|0,1|0,2|3,4/0,4", "completion": "<0,(1,2),...",
     "model": "6x8", "family": "G15_2_4"}
("model" defaults to "default", "family" to "-"; a prompt<TAB>completion line is read too)
and prints, for each model (rows) on each family (columns), as in the seed's table:
  exact match     the whole completion, untruncated, equals the reference token for token
  valid           no error of SPEC section 6 at all
  answer accuracy the answer path is correct (SPEC 7.7)
  token accuracy  position-wise against the reference, commas excluded: the share of the
                  reference's tokens R[i] with C[i] == R[i], C = the completion's tokens up
                  to its first unreadable byte; averaged over samples
  first error     over invalid completions: mean byte offset (0 = '<') and mean expansion
                  index of the first error, and the share of each error category
Rows and columns follow the order of first appearance; '-' marks an empty cell.

Formats: markdown (default; percentages), csv (one row per model and family, fractions
in [0,1], empty field where undefined), json (the same, null where undefined).

A line that cannot be evaluated (unreadable, a bad prompt, an unreachable target) is
reported on stderr as 'line N, offset K: message' and left out; empty lines are skipped.

Exit codes: 0 every line evaluated; 1 some lines left out; 2 usage error, unreadable FILE
or write error. With -o, the file appears only when the run completes.

Example:
  searchtrace eval --format csv outputs.jsonl > table.csv)";

/// Registers `searchtrace eval`; its exit code goes to `status`.
void add_eval_command(CLI::App& app, int& status) {
  auto o = std::make_shared<EvalCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "eval", "Tabulate model outputs: exact match, valid, answer and token accuracy, first "
              "errors, per model and family");
  add_search_options(*sub, o->search);
  add_directed_flag(*sub, o->directed);
  add_enum_option(*sub, "--format", o->format, eval_format_choices,
                  "Table format: markdown, csv or json");
  sub->add_option("--strip-suffix", o->strip_suffix,
                  "Remove STR from the end of each completion first (an EOS marker)")
      ->type_name("STR");
  sub->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  sub->add_option("FILE", o->files, "Input files, one JSON object per line (default: stdin)")
      ->type_name("");
  sub->footer(std::string(eval_help_footer));
  sub->callback([o, &status] { status = run_guarded("eval", [&] { return run_eval(*o); }); });
}

} // namespace searchtrace::cli

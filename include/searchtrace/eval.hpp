// Evaluation of model outputs, as `searchtrace eval` does it: an Evaluator judges (prompt,
// completion, model, family) samples and fills an EvalTable of models × families, which is
// written as Markdown, CSV or JSON. The tool is a thin layer over this header, so a C++ loop or a
// Python binding that calls it gets the tool's figures exactly.
//
// Metrics of a cell (a model on a family), each over the cell's samples:
//   exact           the completion, untruncated and as written (after strip_suffix), equals the
//                   reference completion token for token (Verdict::exact)
//   valid           no error at all (Verdict::valid)
//   answer          the answer path is correct (Verdict::answer_correct)
//   token accuracy  position-wise: let R be the reference completion's tokens and C the
//                   completion's, both WITHOUT commas (a comma is redundant once a node is one
//                   token, and the seed's tokenizer drops them; counting them would inflate the
//                   figure), C read up to the first byte the lexer rejects. The sample's token
//                   accuracy is #{i < |R| : C[i] == R[i]} / |R|; a cell's is the mean over its
//                   samples. Tokens of C beyond |R| are not counted (exact match sees them).
//   first error     over the cell's INVALID samples: the share whose first error is in each
//                   category (they sum to 1), the mean byte offset of the first error in the
//                   completion (0 = its '<') and its mean expansion index (0-based).
//
// The seed's metric (EvalOptions::seed_metric_tokens = K, off when 0), as the blog post's
// training code scores its validation set (its build_metrics): there the prompt ends with '<',
// and the target is the rest of the completion's tokens without commas, then an end-of-text
// token, cut to K tokens and padded with end-of-text; positions holding end-of-text are masked.
// So, with R the reference's tokens and C the completion's (commas dropped, C read up to its
// first unreadable byte), each without its leading '<':
//   seed exact      C[i] == R[i] for every i < min(K, |R|): the first K target tokens match.
//                   The end of the completion is not checked (a completion that goes on after
//                   the reference's end still matches), and nothing past K is looked at: on
//                   G20_5_6 the answer path lies beyond token 50, so a completion with a wrong
//                   answer can score 100%. `exact` above is the untruncated comparison.
//   seed token accuracy at position i (i < K): #{samples with i < |R| and C[i] == R[i]} /
//                   #{samples with i < |R|}; undefined for a position no sample reaches.
//
// Decisions: rows and columns come in the order models and families first appear; a sample
// without a model is "default", without a family "-". A sample that cannot be evaluated (a
// prompt that does not parse, a target the source cannot reach: there is no reference) is an
// EvalError and leaves the table unchanged. A completion that is garbage is a model output with a
// `syntax` error, and it counts.
//
// Size: the table holds one EvalCell per (model, family) pair that has samples, and every
// writer's output is linear in those cells (see markdown_layout for how the Markdown stays so).
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searchtrace/classify.hpp"
#include "searchtrace/diagnostic.hpp"
#include "searchtrace/grammar.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/prompt.hpp"
#include "searchtrace/record.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/search.hpp"
#include "searchtrace/trace.hpp"
#include "searchtrace/tracer.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace {

/// The model of a sample that names none, and the family.
inline constexpr std::string_view default_model = "default";
inline constexpr std::string_view default_family = "-";

/// The counts behind one cell of the table (a model on a family).
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
  // The seed's metric (when on): its exact matches, and per target position the samples that
  // reach it and those that match there.
  std::size_t seed_exact = 0;
  std::vector<std::size_t> seed_position_samples;
  std::vector<std::size_t> seed_position_correct;

  /// `n` over the samples (0 without samples).
  double rate(std::size_t n) const noexcept {
    return samples == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(samples);
  }
  double token_accuracy() const noexcept {
    return samples == 0 ? 0.0 : token_accuracy_sum / static_cast<double>(samples);
  }
  /// Undefined (nothing) without an invalid sample.
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
  /// The share of invalid samples whose first error is in category `c`.
  std::optional<double> category_share(std::size_t c) const noexcept {
    if (invalid == 0)
      return std::nullopt;
    return static_cast<double>(first_error_category[c]) / static_cast<double>(invalid);
  }

  /// The seed's token accuracy at target position i; undefined when no sample reaches it.
  std::optional<double> seed_token_accuracy(std::size_t i) const noexcept {
    if (i >= seed_position_samples.size() || seed_position_samples[i] == 0)
      return std::nullopt;
    return static_cast<double>(seed_position_correct[i]) /
           static_cast<double>(seed_position_samples[i]);
  }

  /// Counts one sample in the seed's metric: `matched[i]` for each target position it reaches
  /// (at most K of them); K is `seed_position_samples.size()` once the first sample is counted.
  void add_seed(std::span<const char> matched, std::size_t k) {
    if (seed_position_samples.size() < k) {
      seed_position_samples.resize(k);
      seed_position_correct.resize(k);
    }
    bool all = true;
    for (std::size_t i = 0; i < matched.size(); ++i) {
      ++seed_position_samples[i];
      seed_position_correct[i] += matched[i] ? 1 : 0;
      all = all && matched[i];
    }
    seed_exact += all ? 1 : 0;
  }

  /// Counts one judged sample.
  void add(const Verdict& v, double token_accuracy) noexcept {
    ++samples;
    exact += v.exact ? 1 : 0;
    valid += v.valid ? 1 : 0;
    answer_correct += v.answer_correct ? 1 : 0;
    token_accuracy_sum += token_accuracy;
    if (const Deviation* d = v.first_error()) {
      ++invalid;
      ++first_error_category[static_cast<std::size_t>(d->category())];
      first_error_offset_sum += static_cast<double>(d->offset);
      first_error_expansion_sum += static_cast<double>(d->expansion);
    }
  }
};

/// Models × families, in order of first appearance; a cell exists only once it has a sample.
class EvalTable {
public:
  /// The cell of `model` on `family`, created (empty) if needed.
  EvalCell& cell(std::string_view model, std::string_view family) {
    const std::size_t m = index_of(models_, model_index_, model);
    const std::size_t f = index_of(families_, family_index_, family);
    return cells_[{m, f}];
  }

  const std::vector<std::string>& models() const noexcept { return models_; }
  const std::vector<std::string>& families() const noexcept { return families_; }
  /// The number of cells (model, family pairs with samples).
  std::size_t size() const noexcept { return cells_.size(); }
  bool empty() const noexcept { return cells_.empty(); }

  /// The cell, or nullptr when the model has no sample of the family.
  const EvalCell* find(std::size_t model, std::size_t family) const {
    const auto it = cells_.find({model, family});
    return it == cells_.end() ? nullptr : &it->second;
  }

  /// K of the seed's metric (EvalOptions::seed_metric_tokens); 0 when it is off.
  std::size_t seed_metric_tokens() const noexcept { return seed_k_; }
  void set_seed_metric_tokens(std::size_t k) noexcept { seed_k_ = k; }

  /// Calls `f(model index, family index, const EvalCell&)` for every cell: models in order,
  /// then families in order. Linear in the cells, however sparse the table.
  template <class F>
  void for_each_cell(F&& f) const {
    for (const auto& [key, c] : cells_)
      f(key.first, key.second, c);
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
  std::size_t seed_k_ = 0;
};

/// Appends the tokens of `text` without its commas, up to the first byte the lexer rejects.
inline void append_tokens_without_commas(std::string_view text, std::vector<Token>& out) {
  Lexer lex(text);
  Lexeme lx;
  while (lex.next(lx) == LexStatus::token)
    if (lx.token.kind != TokenKind::comma)
      out.push_back(lx.token);
}

/// Token accuracy of one completion against the reference tokens (commas already removed from
/// `reference`, as append_tokens_without_commas does), as defined at the top of this file. 0 for
/// an empty reference.
inline double token_accuracy(std::string_view completion, std::span<const Token> reference) {
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

/// The seed's metric for one completion (see the top of this file): sets `matched` to one entry
/// per target position i < min(k, |R'|) (R' = `reference` without its leading '<'; `reference`
/// without commas, as append_tokens_without_commas gives it), true where the completion's token
/// there (its commas and its leading '<' dropped) is R'[i]. The sample is a seed exact match iff
/// every entry is true.
inline void seed_metric_matches(std::string_view completion, std::span<const Token> reference,
                                std::size_t k, std::vector<char>& matched) {
  matched.clear();
  if (!reference.empty() && reference.front().kind == TokenKind::lt)
    reference = reference.subspan(1);
  const std::size_t n = std::min(k, reference.size());
  matched.resize(n, 0);
  Lexer lex(completion);
  Lexeme lx;
  std::size_t i = 0;
  bool first = true;
  while (i < n && lex.next(lx) == LexStatus::token) {
    if (lx.token.kind == TokenKind::comma)
      continue;
    const bool opening = first && lx.token.kind == TokenKind::lt;
    first = false;
    if (opening) // the seed's prompt ends with it: not a target token
      continue;
    matched[i] = !lx.too_large && lx.token == reference[i];
    ++i;
  }
}

/// Why a sample cannot be evaluated.
enum class EvalErrorKind : std::uint8_t {
  bad_prompt,  // the prompt does not parse
  unreachable, // the target cannot be reached from the source: there is no reference
};

constexpr std::string_view eval_error_kind_name(EvalErrorKind k) noexcept {
  return k == EvalErrorKind::bad_prompt ? "bad_prompt" : "unreachable";
}

/// A sample that cannot be evaluated: the kind, the byte offset in the PROMPT, and a one-line
/// message (for bad_prompt it starts with the prompt error kind: "duplicate_edge: ...").
struct EvalError {
  EvalErrorKind kind = EvalErrorKind::bad_prompt;
  std::size_t offset = 0;
  std::string message;
};

struct EvalOptions {
  SearchOptions search; // the reference search, as for the tracer and the classifier
  PromptOptions prompt; // `directed`
  /// K of the seed's metric (exact match of the first K target tokens and token accuracy by
  /// position, see the top of this file); 0: not computed. The seed scores K = 50.
  std::size_t seed_metric_tokens = 0;
};

/// K of the seed's metric as the blog post's training code scores it (max_target_length).
inline constexpr std::size_t seed_metric_default_tokens = 50;

/// Judges samples and fills an EvalTable: exactly what `searchtrace eval` computes. Reuse one
/// for every sample (it keeps the parser's, the classifier's and the tracer's buffers).
class Evaluator {
public:
  explicit Evaluator(const EvalOptions& options = {}) : options_(options) {
    table_.set_seed_metric_tokens(options.seed_metric_tokens);
  }

  /// Judges one sample and counts it in the cell of (model, family). Returns why it cannot be
  /// evaluated, or nothing; on an error the table is unchanged.
  [[nodiscard]] std::optional<EvalError> add(std::string_view prompt, std::string_view completion,
                                             std::string_view model = default_model,
                                             std::string_view family = default_family) {
    if (auto e = parser_.parse(prompt, prompt_, options_.prompt)) {
      std::string message(prompt_error_kind_name(e->kind));
      message += ": ";
      message += e->message;
      return EvalError{EvalErrorKind::bad_prompt, e->offset, std::move(message)};
    }
    if (trace_into(reference_, state_, prompt_.graph, prompt_.query, options_.search) ==
        SearchStatus::unreachable) {
      // A parsed prompt ends with ",<target>".
      std::string message = "target ";
      message += std::to_string(prompt_.graph.label(prompt_.query.target));
      message += " cannot be reached from ";
      message += std::to_string(prompt_.graph.label(prompt_.query.source));
      message += ", so there is no reference";
      return EvalError{EvalErrorKind::unreachable, prompt.rfind(',') + 1, std::move(message)};
    }
    reference_text_.clear();
    append_completion(reference_text_, reference_);
    reference_tokens_.clear();
    append_tokens_without_commas(reference_text_, reference_tokens_);
    const Verdict& v = classifier_.classify(prompt_, completion, options_.search);
    EvalCell& cell = table_.cell(model, family);
    cell.add(v, token_accuracy(completion, reference_tokens_));
    if (const std::size_t k = options_.seed_metric_tokens; k != 0) {
      seed_metric_matches(completion, reference_tokens_, k, seed_matched_);
      cell.add_seed(seed_matched_, k);
    }
    return std::nullopt;
  }

  /// The same for a record read by RecordReader (its model and family, or the defaults).
  [[nodiscard]] std::optional<EvalError> add(const SampleRecord& r) {
    return add(r.prompt, r.completion, r.model.value_or(default_model),
               r.family.value_or(default_family));
  }

  const EvalTable& table() const noexcept { return table_; }
  const EvalOptions& options() const noexcept { return options_; }

private:
  EvalOptions options_;
  EvalTable table_;
  PromptParser parser_;
  Prompt prompt_;
  Classifier classifier_;
  SearchScratch state_;
  Trace reference_;
  std::string reference_text_;
  std::vector<Token> reference_tokens_;
  std::vector<char> seed_matched_;
};

// --- writers ---------------------------------------------------------------------------------

/// How the Markdown shows the metrics of each cell.
enum class MarkdownLayout : std::uint8_t {
  /// The seed's shape: one table per metric, a row per model and a column per family.
  wide,
  /// One table with a row per cell (a model and a family with samples) and a column per metric.
  row_per_cell,
};

/// The most families the wide layout shows as columns.
inline constexpr std::size_t markdown_wide_max_families = 16;

/// The layout `append_eval_markdown` chooses: wide unless it would not stay small, that is when
/// there are more than markdown_wide_max_families families, or when more than half of the models ×
/// families grid would be empty (so the wide tables are never larger than twice the long one,
/// and the output stays linear in the cells, whatever the input).
inline MarkdownLayout markdown_layout(const EvalTable& t) noexcept {
  const std::size_t families = t.families().size();
  if (families > markdown_wide_max_families)
    return MarkdownLayout::row_per_cell;
  // models × families ≤ 2 × cells, without overflow (families ≤ 16).
  return t.models().size() * families <= 2 * t.size() ? MarkdownLayout::wide
                                                      : MarkdownLayout::row_per_cell;
}

namespace detail::eval {

/// `x` with `decimals` digits after the point (rounded as printf does).
inline void append_fixed(std::string& out, double x, int decimals) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, decimals);
  out.append(buf, r.ptr);
}

inline void append_percent(std::string& out, double fraction) {
  append_fixed(out, 100.0 * fraction, 2);
  out += '%';
}

/// A JSON number for a finite double, as nlohmann/json's dump writes it: the shortest digits that
/// read back as `x`, in fixed notation when the decimal exponent is in [-5, 15) (then always with
/// a '.', as "17.0"), else as d.ddde+XX; `null` for NaN and infinities.
inline void append_json_double(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  if (x == 0) {
    out += std::signbit(x) ? "-0.0" : "0.0";
    return;
  }
  char sci[64];
  const auto r = std::to_chars(sci, sci + sizeof sci, x, std::chars_format::scientific);
  std::string_view s(sci, static_cast<std::size_t>(r.ptr - sci));
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e = s.find('e');
  char digits[32];
  int k = 0;
  for (std::size_t i = 0; i < e; ++i)
    if (s[i] != '.')
      digits[k++] = s[i];
  int exponent = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exponent);
  const int n = exponent + 1; // the position of the decimal point after the first digit
  const std::string_view d(digits, static_cast<std::size_t>(k));
  if (k <= n && n <= 15) {
    out += d;
    out.append(static_cast<std::size_t>(n - k), '0');
    out += ".0";
  } else if (0 < n && n <= 15) {
    out += d.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += d.substr(static_cast<std::size_t>(n));
  } else if (-4 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += d;
  } else {
    out += d.front();
    if (k > 1) {
      out += '.';
      out += d.substr(1);
    }
    out += 'e';
    const int shown = n - 1;
    out += shown < 0 ? '-' : '+';
    const int magnitude = shown < 0 ? -shown : shown;
    if (magnitude < 10)
      out += '0';
    out += std::to_string(magnitude);
  }
}

/// A CSV field, quoted when it has to be (RFC 4180).
inline void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (const char c : s) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

/// A Markdown table cell: '|' escaped, line ends as spaces.
inline void append_md_cell(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
}

inline void append_mean(std::string& out, std::optional<double> x) {
  if (x)
    append_fixed(out, *x, 1);
  else
    out += '-';
}

// `## title` and a table with a row per model and a column per family.
template <class Value>
void append_wide_table(std::string& out, const EvalTable& t, std::string_view title,
                       Value&& value) {
  out += "## ";
  out += title;
  out += "\n\n| Model |";
  for (const auto& f : t.families()) {
    out += ' ';
    append_md_cell(out, f);
    out += " |";
  }
  out += "\n|---|";
  for (std::size_t f = 0; f < t.families().size(); ++f)
    out += "---:|";
  out += '\n';
  for (std::size_t m = 0; m < t.models().size(); ++m) {
    out += "| ";
    append_md_cell(out, t.models()[m]);
    out += " |";
    for (std::size_t f = 0; f < t.families().size(); ++f) {
      out += ' ';
      if (const EvalCell* c = t.find(m, f))
        value(out, *c);
      else
        out += '-';
      out += " |";
    }
    out += '\n';
  }
  out += '\n';
}

// `| model | family | ` of a row about one cell.
inline void append_row_start(std::string& out, const EvalTable& t, std::size_t m, std::size_t f) {
  out += "| ";
  append_md_cell(out, t.models()[m]);
  out += " | ";
  append_md_cell(out, t.families()[f]);
  out += " | ";
}

inline void append_categories_table(std::string& out, const EvalTable& t) {
  out += "## First-error categories (% of invalid completions)\n\n"
         "| Model | Family | Samples | Invalid |";
  for (std::size_t k = 0; k < error_category_count; ++k) {
    out += ' ';
    out += error_category_name(static_cast<ErrorCategory>(k));
    out += " |";
  }
  out += "\n|---|---|---:|---:|";
  for (std::size_t k = 0; k < error_category_count; ++k)
    out += "---:|";
  out += '\n';
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    append_row_start(out, t, m, f);
    detail::json::append_decimal(out, c.samples);
    out += " | ";
    detail::json::append_decimal(out, c.invalid);
    out += " |";
    for (std::size_t k = 0; k < error_category_count; ++k) {
      out += ' ';
      if (const auto share = c.category_share(k))
        append_percent(out, *share);
      else
        out += '-';
      out += " |";
    }
    out += '\n';
  });
}

// The seed's metric, a row per cell: its exact match beside ours, then its token accuracy by
// target position.
inline void append_seed_metric_table(std::string& out, const EvalTable& t) {
  const std::size_t k = t.seed_metric_tokens();
  out += "## The seed's metric: first ";
  detail::json::append_decimal(out, k);
  out += " target tokens, end of text not checked\n\n"
         "| Model | Family | Samples | Exact match (untruncated) | Exact match (first ";
  detail::json::append_decimal(out, k);
  out += " tokens) |";
  for (std::size_t i = 0; i < k; ++i) {
    out += " Token ";
    detail::json::append_decimal(out, i);
    out += " |";
  }
  out += "\n|---|---|---:|---:|---:|";
  for (std::size_t i = 0; i < k; ++i)
    out += "---:|";
  out += '\n';
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    append_row_start(out, t, m, f);
    detail::json::append_decimal(out, c.samples);
    out += " | ";
    append_percent(out, c.rate(c.exact));
    out += " | ";
    append_percent(out, c.rate(c.seed_exact));
    out += " |";
    for (std::size_t i = 0; i < k; ++i) {
      out += ' ';
      if (const auto a = c.seed_token_accuracy(i))
        append_percent(out, *a);
      else
        out += '-';
      out += " |";
    }
    out += '\n';
  });
  out += '\n';
}

} // namespace detail::eval

/// Appends the table as Markdown, in the layout markdown_layout chooses: percentages, means with
/// one decimal, '-' for a cell without samples or an undefined figure; then the first-error
/// categories, a row per cell. The long layout starts with a line that says why it was chosen.
inline void append_eval_markdown(std::string& out, const EvalTable& t) {
  using namespace detail::eval;
  if (markdown_layout(t) == MarkdownLayout::wide) {
    const auto percent = [](auto member) {
      return [member](std::string& o, const EvalCell& c) { append_percent(o, member(c)); };
    };
    append_wide_table(out, t, "Exact match (untruncated completion)",
                      percent([](const EvalCell& c) { return c.rate(c.exact); }));
    append_wide_table(out, t, "Valid (no error)",
                      percent([](const EvalCell& c) { return c.rate(c.valid); }));
    append_wide_table(out, t, "Answer accuracy",
                      percent([](const EvalCell& c) { return c.rate(c.answer_correct); }));
    append_wide_table(out, t, "Token accuracy (position-wise, commas excluded)",
                      percent([](const EvalCell& c) { return c.token_accuracy(); }));
    append_wide_table(
        out, t, "Mean byte offset of the first error",
        [](std::string& o, const EvalCell& c) { append_mean(o, c.mean_first_error_offset()); });
    append_wide_table(
        out, t, "Mean expansion index of the first error",
        [](std::string& o, const EvalCell& c) { append_mean(o, c.mean_first_error_expansion()); });
  } else {
    const std::size_t models = t.models().size(), families = t.families().size();
    out += "Long layout: one row per model and family with samples, because ";
    if (families > markdown_wide_max_families) {
      detail::json::append_decimal(out, families);
      out += " families are more columns than a table per metric can show (at most ";
      detail::json::append_decimal(out, markdown_wide_max_families);
      out += ").\n\n";
    } else {
      out += "a table per metric with a column per family would leave ";
      detail::json::append_decimal(out, models * families - t.size());
      out += " of its ";
      detail::json::append_decimal(out, models * families);
      out += " cells (";
      detail::json::append_decimal(out, models);
      out += " models x ";
      detail::json::append_decimal(out, families);
      out += " families) empty.\n\n";
    }
    out += "## Accuracy per model and family\n\n"
           "| Model | Family | Samples | Exact match | Valid | Answer accuracy | Token accuracy "
           "| First error: mean offset | First error: mean expansion |\n"
           "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
      append_row_start(out, t, m, f);
      detail::json::append_decimal(out, c.samples);
      for (const double x :
           {c.rate(c.exact), c.rate(c.valid), c.rate(c.answer_correct), c.token_accuracy()}) {
        out += " | ";
        append_percent(out, x);
      }
      out += " | ";
      append_mean(out, c.mean_first_error_offset());
      out += " | ";
      append_mean(out, c.mean_first_error_expansion());
      out += " |\n";
    });
    out += '\n';
  }
  if (t.seed_metric_tokens() != 0)
    append_seed_metric_table(out, t);
  append_categories_table(out, t);
}

/// Appends the table as CSV: a header line, then one row per cell (models in order, then
/// families) with fractions in [0, 1] (6 decimals, means 3) and an empty field where undefined;
/// with the seed's metric, then seed_k, seed_exact and seed_token_accuracy_0..K-1.
inline void append_eval_csv(std::string& out, const EvalTable& t) {
  using namespace detail::eval;
  out += "model,family,samples,exact,valid,answer_correct,token_accuracy,invalid,"
         "first_error_offset_mean,first_error_expansion_mean";
  for (std::size_t k = 0; k < error_category_count; ++k) {
    out += ",first_error_";
    out += error_category_name(static_cast<ErrorCategory>(k));
  }
  const std::size_t seed_k = t.seed_metric_tokens();
  if (seed_k != 0) {
    out += ",seed_k,seed_exact";
    for (std::size_t i = 0; i < seed_k; ++i) {
      out += ",seed_token_accuracy_";
      detail::json::append_decimal(out, i);
    }
  }
  out += '\n';
  const auto optional = [&](std::optional<double> x, int decimals) {
    out += ',';
    if (x)
      append_fixed(out, *x, decimals);
  };
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    append_csv_field(out, t.models()[m]);
    out += ',';
    append_csv_field(out, t.families()[f]);
    out += ',';
    detail::json::append_decimal(out, c.samples);
    for (const double x :
         {c.rate(c.exact), c.rate(c.valid), c.rate(c.answer_correct), c.token_accuracy()}) {
      out += ',';
      append_fixed(out, x, 6);
    }
    out += ',';
    detail::json::append_decimal(out, c.invalid);
    optional(c.mean_first_error_offset(), 3);
    optional(c.mean_first_error_expansion(), 3);
    for (std::size_t k = 0; k < error_category_count; ++k)
      optional(c.category_share(k), 6);
    if (seed_k != 0) {
      out += ',';
      detail::json::append_decimal(out, seed_k);
      out += ',';
      append_fixed(out, c.rate(c.seed_exact), 6);
      for (std::size_t i = 0; i < seed_k; ++i)
        optional(c.seed_token_accuracy(i), 6);
    }
    out += '\n';
  });
}

/// Appends the table as one JSON document (indented by 2, as nlohmann/json's dump(2)), with a
/// final newline:
///   {"options":{"algo","order","listing","stop"}, "models":[...], "families":[...],
///    "cells":[{"model","family","samples","exact","valid","answer_correct","token_accuracy",
///              "invalid","first_error":{"offset_mean","expansion_mean","categories":{...}},
///              with the seed's metric: "seed_metric":{"k","exact","token_accuracy":[...]}}]}
/// with null where a figure is undefined (categories: null without an invalid sample). Numbers
/// are the shortest text that reads back as the same double.
inline void append_eval_json(std::string& out, const EvalTable& t, const SearchOptions& o) {
  using namespace detail::eval;
  const auto names = [&](std::string_view key, const std::vector<std::string>& list) {
    out += "  \"";
    out += key;
    out += "\": [";
    for (std::size_t i = 0; i < list.size(); ++i) {
      out += i == 0 ? "\n    " : ",\n    ";
      append_json_string(out, list[i]);
    }
    out += list.empty() ? "],\n" : "\n  ],\n";
  };
  out += "{\n  \"options\": {\n    \"algo\": \"";
  out += algorithm_name(o.algorithm);
  out += "\",\n    \"order\": \"";
  out += o.order == NeighborOrder::ascending ? "ascending" : "prompt";
  out += "\",\n    \"listing\": \"";
  out += o.listing == Listing::unexpanded ? "unexpanded" : "undiscovered";
  out += "\",\n    \"stop\": \"";
  out += o.stop == StopRule::on_list ? "on-list" : "on-pop";
  out += "\"\n  },\n";
  names("models", t.models());
  names("families", t.families());
  out += "  \"cells\": [";
  bool first = true;
  const auto number = [&](std::optional<double> x) {
    if (x)
      append_json_double(out, *x);
    else
      out += "null";
  };
  t.for_each_cell([&](std::size_t m, std::size_t f, const EvalCell& c) {
    out += first ? "\n    {\n" : ",\n    {\n";
    first = false;
    out += "      \"model\": ";
    append_json_string(out, t.models()[m]);
    out += ",\n      \"family\": ";
    append_json_string(out, t.families()[f]);
    out += ",\n      \"samples\": ";
    detail::json::append_decimal(out, c.samples);
    out += ",\n      \"exact\": ";
    append_json_double(out, c.rate(c.exact));
    out += ",\n      \"valid\": ";
    append_json_double(out, c.rate(c.valid));
    out += ",\n      \"answer_correct\": ";
    append_json_double(out, c.rate(c.answer_correct));
    out += ",\n      \"token_accuracy\": ";
    append_json_double(out, c.token_accuracy());
    out += ",\n      \"invalid\": ";
    detail::json::append_decimal(out, c.invalid);
    out += ",\n      \"first_error\": {\n        \"offset_mean\": ";
    number(c.mean_first_error_offset());
    out += ",\n        \"expansion_mean\": ";
    number(c.mean_first_error_expansion());
    out += ",\n        \"categories\": ";
    if (c.invalid == 0) {
      out += "null";
    } else {
      out += '{';
      for (std::size_t k = 0; k < error_category_count; ++k) {
        out += k == 0 ? "\n          \"" : ",\n          \"";
        out += error_category_name(static_cast<ErrorCategory>(k));
        out += "\": ";
        append_json_double(out, *c.category_share(k));
      }
      out += "\n        }";
    }
    out += "\n      }";
    if (const std::size_t k = t.seed_metric_tokens(); k != 0) {
      out += ",\n      \"seed_metric\": {\n        \"k\": ";
      detail::json::append_decimal(out, k);
      out += ",\n        \"exact\": ";
      append_json_double(out, c.rate(c.seed_exact));
      out += ",\n        \"token_accuracy\": [";
      for (std::size_t i = 0; i < k; ++i) {
        out += i == 0 ? "\n          " : ",\n          ";
        number(c.seed_token_accuracy(i));
      }
      out += "\n        ]\n      }";
    }
    out += "\n    }";
  });
  out += first ? "]\n}\n" : "\n  ]\n}\n";
}

} // namespace searchtrace

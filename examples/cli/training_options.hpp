// The options of `searchtrace generate` that write data for the blog post's own training code
// (docs/training.md): `--layout`, the `hf-jsonl` format, the `numeral-eot` vocabulary and
// `--validation N` (a train/validation pair in one directory). Kept apart from
// generate_command.cpp so that the rest of that command changes independently.
//
// Decisions:
//   * The seed's layout (hf-jsonl, or ids in numeral-eot) is compact, and its labels must have
//     token ids in the seed's tokenizer (0..49, seed_label_space): pretty rendering or a family
//     whose label space is larger is a usage error (exit 2) before anything is written, because
//     their tokenizer would fail on such a file or, worse, mis-tokenize it. numeral-eot always
//     has 50 node ids, whatever the family's L, so that its ids are theirs.
//   * hf-jsonl records serve every objective of their data module (its --objective chooses), so
//     they take no --layout; `--layout pause` with the standard vocabulary is an error (it has
//     no '$').
//   * `--validation N -o DIR` writes DIR/train.jsonl (--count samples of the train split) and
//     DIR/validation.jsonl (N samples of the test split), so the two share no (graph, query)
//     pair. Both are generated under hidden names in DIR and renamed only when both are
//     complete; a failure leaves neither.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <CLI/CLI.hpp>

#include "cli_common.hpp"
#include "searchtrace/family.hpp"
#include "searchtrace/record.hpp"
#include "searchtrace/render.hpp"
#include "searchtrace/token_writer.hpp"
#include "searchtrace/vocabulary.hpp"

namespace searchtrace::cli {

inline constexpr std::array<Choice<CompletionLayout>, 3> layout_choices{
    {{"trace", CompletionLayout::trace},
     {"pause", CompletionLayout::pause},
     {"path", CompletionLayout::path}}};

/// What the training options ask for.
struct TrainingOptions {
  CompletionLayout layout = CompletionLayout::trace;
  std::uint64_t validation = 0; // with hf-jsonl: samples of DIR/validation.jsonl; 0: no pair
};

inline void add_training_options(CLI::App& app, TrainingOptions& o) {
  add_enum_option(app, "--layout", o.layout, layout_choices,
                  "What the completion shows: the search (trace), each expansion as u($) "
                  "(pause), or the answer alone after '=' (path)");
  app.add_option("--validation", o.validation,
                 "With --format hf-jsonl: write -o DIR/train.jsonl (--count, train split) and "
                 "DIR/validation.jsonl (N samples, test split)")
      ->type_name("N");
}

/// The vocabulary of `--format ids --vocab NAME` for a family: numeral-eot always has the seed
/// tokenizer's 50 node ids.
inline Vocabulary generate_vocabulary(std::string_view name, const Family& family) {
  if (name == "numeral-eot")
    return Vocabulary::numeral_eot(seed_label_space);
  return *Vocabulary::preset(name, family.label_space());
}

/// Checks the training options against the rest; returns the usage error to print, if any.
/// `seed_layout`: the output is in the seed's layout (hf-jsonl, or ids in numeral-eot).
inline std::optional<std::string> check_training_options(const TrainingOptions& o,
                                                         const Family& family, bool hf_jsonl,
                                                         bool ids, std::string_view vocabulary,
                                                         Rendering rendering, bool to_stdout,
                                                         bool split_all) {
  const bool seed_layout = hf_jsonl || (ids && vocabulary == "numeral-eot");
  const std::string what = hf_jsonl ? "--format hf-jsonl" : "--vocab numeral-eot";
  if (seed_layout && rendering == Rendering::pretty)
    return what + " writes the seed's layout, which is compact: its tokenizer has no token "
                  "for the spaces of --rendering pretty";
  if (seed_layout && family.label_space() > seed_label_space)
    return what + ": " + family.spec() + " draws labels from 0.." +
           std::to_string(family.label_space() - 1) +
           ", but the seed's tokenizer has node ids 0.." + std::to_string(seed_label_space - 1) +
           " only (use a family with L <= " + std::to_string(seed_label_space) + ")";
  if (hf_jsonl && o.layout != CompletionLayout::trace)
    return "--format hf-jsonl records serve every objective of the seed's data module (its "
           "--objective step_eval, pause or teacherforcing chooses); drop --layout";
  if (ids && o.layout == CompletionLayout::pause && vocabulary == "standard")
    return "--layout pause writes '$', which the standard vocabulary does not have: use "
           "--vocab numeral or numeral-eot";
  if (o.validation != 0) {
    if (!hf_jsonl)
      return std::string("--validation writes a train/validation pair of --format hf-jsonl");
    if (to_stdout)
      return std::string("--validation writes DIR/train.jsonl and DIR/validation.jsonl: give "
                         "--output DIR");
    if (!split_all)
      return std::string("--validation takes the train and the test split itself: drop --split");
  }
  return std::nullopt;
}

/// `--validation N -o DIR`: runs `run(output, split, count)` (a whole `generate` run to one file,
/// returning its exit code) for the train and the validation file under hidden names in DIR, then
/// renames both into place. Returns the exit code.
template <class Run>
int run_train_validation_pair(const std::string& dir, std::uint64_t train_count,
                              std::uint64_t validation_count, Run&& run) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    eprint("searchtrace generate: error: cannot create directory '{}': {}\n", dir, ec.message());
    return exit_usage;
  }
  const fs::path base(dir);
  const fs::path train = base / "train.jsonl", validation = base / "validation.jsonl";
  const fs::path train_tmp = base / ".train.jsonl.partial",
                 validation_tmp = base / ".validation.jsonl.partial";
  const auto discard = [&] {
    fs::remove(train_tmp, ec);
    fs::remove(validation_tmp, ec);
  };
  int status = run(train_tmp.string(), SplitKind::train, train_count);
  if (status == exit_ok)
    status = run(validation_tmp.string(), SplitKind::test, validation_count);
  if (status != exit_ok) {
    discard();
    return status;
  }
  fs::rename(validation_tmp, validation, ec);
  if (!ec)
    fs::rename(train_tmp, train, ec);
  if (ec) {
    discard();
    eprint("searchtrace generate: error: cannot rename into '{}': {}\n", dir, ec.message());
    return exit_usage;
  }
  return exit_ok;
}

/// The meta.json entry that says where the masked prompt ends in each sample of `--format ids`:
/// through the first `token` (in_prompt, the seed's layout: its prompt ends with '<', or '=' in
/// the path layout) or before it (our layout: the completion starts at '<').
struct PromptBoundary {
  char token = '<';
  TokenId id = 0;
  bool in_prompt = false;
};

inline PromptBoundary prompt_boundary(const Vocabulary& v, CompletionLayout layout) {
  const TokenKind kind = layout == CompletionLayout::path ? TokenKind::eq : TokenKind::lt;
  return {layout == CompletionLayout::path ? '=' : '<', v.id(punct_token(kind)),
          v.name() == "numeral-eot"};
}

} // namespace searchtrace::cli

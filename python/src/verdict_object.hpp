// The Python Verdict: a library Verdict with the completion it judges, for its diagnostics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "searchtrace/classify.hpp"
#include "searchtrace/verdict.hpp"

namespace searchtrace::python {

struct PyVerdict {
  Verdict verdict;
  std::string text;                     // the completion text, or
  std::vector<TokenId> ids;             // its ids in
  std::optional<Vocabulary> vocabulary; // this vocabulary

  /// Every error's caret diagnostic and the summary line (render_verdict).
  std::string diagnostic() const;
};

} // namespace searchtrace::python

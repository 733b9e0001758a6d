// Verdicts: classify one completion (a text or token ids) against a prompt, or a batch of them on
// several threads without the GIL (a Classifier and a PromptParser per thread).
#include "verdict_object.hpp"

#include "searchtrace/diagnostic.hpp"

namespace searchtrace::python {

namespace {

/// Pads and then one <eos> at the end of a completion's ids: what a decoder writes after the
/// completion. Removing them from the end leaves the offsets of the rest unchanged.
std::size_t strip_end(std::span<const TokenId> ids, const Vocabulary& v) {
  std::size_t n = ids.size();
  if (const auto pad = v.pad())
    while (n > 0 && ids[n - 1] == *pad)
      --n;
  if (const auto eos = v.eos())
    if (n > 0 && ids[n - 1] == *eos)
      --n;
  return n;
}

std::string_view strip_suffix(std::string_view text, std::string_view suffix) {
  if (!suffix.empty() && text.size() >= suffix.size() &&
      text.substr(text.size() - suffix.size()) == suffix)
    text.remove_suffix(suffix.size());
  return text;
}

std::size_t max_errors_arg(std::int64_t n) {
  if (n < 1)
    throw py::value_error("max_errors must be at least 1, got " + std::to_string(n));
  return static_cast<std::size_t>(n);
}

PyVerdict classify_one(py::handle prompt, py::handle completion, std::string_view algo,
                       std::string_view order, std::string_view listing, std::string_view stop,
                       bool directed, py::handle vocabulary, std::string_view suffix,
                       std::int64_t max_errors) {
  const SearchOptions o = search_options(algo, order, listing, stop);
  const std::size_t cap = max_errors_arg(max_errors);
  Prompt storage;
  const Prompt& p = as_prompt(prompt, directed, storage);
  Classifier c;
  c.set_max_errors(cap);
  PyVerdict out;
  if (PyUnicode_Check(completion.ptr()) || PyBytes_Check(completion.ptr())) {
    if (!vocabulary.is_none())
      throw py::value_error("vocabulary is for a completion given as ids; this one is a text");
    const std::string_view text = strip_suffix(as_text(completion), suffix);
    out.verdict = c.classify(p, text, o);
    out.text.assign(text);
    return out;
  }
  if (vocabulary.is_none())
    throw py::value_error("a completion given as ids needs its vocabulary (vocabulary=...)");
  Vocabulary v = as_vocabulary(vocabulary, 50);
  std::vector<TokenId> ids = as_ids(completion, v.size());
  ids.resize(strip_end(ids, v));
  out.verdict = c.classify_ids(p, std::span<const TokenId>(ids), v, o);
  out.ids = std::move(ids);
  out.vocabulary = std::move(v);
  return out;
}

std::string verdict_repr(const Verdict& v) {
  std::string s = std::string("Verdict(valid=") + (v.valid ? "True" : "False") +
                  ", exact=" + (v.exact ? "True" : "False") +
                  ", answer_correct=" + (v.answer_correct ? "True" : "False") + ", errors=[";
  for (std::size_t i = 0; i < v.errors.size() && i < 5; ++i) {
    if (i > 0)
      s += ", ";
    s += error_kind_name(v.errors[i].kind);
    s += " at " + std::to_string(v.errors[i].offset);
  }
  if (v.errors.size() > 5)
    s += ", ... (" + std::to_string(v.errors.size()) + " in all)";
  return s + "])";
}

py::object deviation_or_none(const Verdict& v) {
  return v.errors.empty() ? py::object(py::none()) : py::cast(v.errors[0]);
}

// --- batches
// ----------------------------------------------------------------------------------------

/// The verdicts of a batch, and the completions they judge (for their diagnostics).
struct VerdictBatch {
  std::vector<Verdict> verdicts;
  py::tuple completions;
  std::string suffix;
};

VerdictBatch classify_many(py::handle prompts_obj, py::handle completions_obj, int threads_arg,
                           std::string_view algo, std::string_view order, std::string_view listing,
                           std::string_view stop, bool directed, std::string_view suffix,
                           std::int64_t max_errors) {
  const SearchOptions o = search_options(algo, order, listing, stop);
  const std::size_t cap = max_errors_arg(max_errors);
  const unsigned threads = resolve_threads(threads_arg);
  // Own references to every item, so the texts we read without the GIL stay alive.
  const auto prompts = py::reinterpret_steal<py::tuple>(PySequence_Tuple(prompts_obj.ptr()));
  if (!prompts)
    throw py::error_already_set();
  const auto completions =
      py::reinterpret_steal<py::tuple>(PySequence_Tuple(completions_obj.ptr()));
  if (!completions)
    throw py::error_already_set();
  const std::size_t n = completions.size();
  if (prompts.size() != n)
    throw py::value_error("prompts and completions differ in length: " +
                          std::to_string(prompts.size()) + " and " + std::to_string(n));
  struct Item {
    const Prompt* prompt = nullptr; // a Prompt object, or else
    std::string_view prompt_text;   // a text to parse
    std::string_view completion;
  };
  std::vector<Item> items(n);
  for (std::size_t i = 0; i < n; ++i) {
    const py::handle p = prompts[i];
    if (py::isinstance<Prompt>(p))
      items[i].prompt = &p.cast<const Prompt&>();
    else if (PyUnicode_Check(p.ptr()) || PyBytes_Check(p.ptr()))
      items[i].prompt_text = as_text(p);
    else
      throw py::type_error("prompts[" + std::to_string(i) + "] is neither a Prompt nor a text");
    const py::handle c = completions[i];
    if (!PyUnicode_Check(c.ptr()) && !PyBytes_Check(c.ptr()))
      throw py::type_error("completions[" + std::to_string(i) + "] is not a text");
    items[i].completion = strip_suffix(as_text(c), suffix);
  }
  VerdictBatch out;
  out.verdicts.resize(n);
  out.completions = completions;
  out.suffix = suffix;
  {
    py::gil_scoped_release release;
    struct Worker {
      Classifier classifier;
      PromptParser parser;
      Prompt prompt;
    };
    constexpr std::size_t chunk = 2048;
    const std::size_t chunks = (n + chunk - 1) / chunk;
    std::vector<std::optional<Worker>> workers(threads);
    parallel_chunks(chunks, threads, [&](unsigned wi, std::size_t ci) {
      if (!workers[wi]) {
        workers[wi].emplace();
        workers[wi]->classifier.set_max_errors(cap);
      }
      Worker& w = *workers[wi];
      for (std::size_t i = ci * chunk; i < std::min(n, (ci + 1) * chunk); ++i) {
        const Item& it = items[i];
        const Prompt* p = it.prompt;
        if (p == nullptr) {
          if (auto e = w.parser.parse(it.prompt_text, w.prompt, {directed})) {
            Error err = prompt_error(*e);
            err.index = i;
            err.message = "prompts[" + std::to_string(i) + "]: " + err.message;
            throw err;
          }
          p = &w.prompt;
        }
        out.verdicts[i] = w.classifier.classify(*p, it.completion, o);
      }
    });
  }
  return out;
}

template <class T, class F>
py::object column(const VerdictBatch& b, F&& f) {
  // bool columns are bytes seen as bool (std::vector<bool> has no buffer).
  using Stored = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, T>;
  std::vector<Stored> v(b.verdicts.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<Stored>(f(b.verdicts[i]));
  py::object a = to_numpy(std::move(v));
  if constexpr (std::is_same_v<T, bool>)
    a = a.attr("view")(py::dtype::of<bool>());
  return a;
}

} // namespace

void init_classify(py::module_& m) {
  py::class_<Deviation>(m, "Deviation",
                        "One error in a completion: kind and category (docs/reference.md, "
                        "'Error kinds'), offset (a byte offset in the completion text, or a token "
                        "index for ids), expansion (0-based; the number of expansions for errors "
                        "after the exploration) and a one-line message.")
      .def_property_readonly(
          "kind", [](const Deviation& d) { return std::string(error_kind_name(d.kind)); })
      .def_property_readonly(
          "category",
          [](const Deviation& d) { return std::string(error_category_name(d.category())); })
      .def_readonly("offset", &Deviation::offset)
      .def_readonly("expansion", &Deviation::expansion)
      .def_readonly("message", &Deviation::message)
      .def("__str__",
           [](const Deviation& d) {
             return "error[" + std::string(error_category_name(d.category())) + "/" +
                    std::string(error_kind_name(d.kind)) + "] at " + std::to_string(d.offset) +
                    ": " + d.message;
           })
      .def("__repr__",
           [](const Deviation& d) {
             return "Deviation(kind='" + std::string(error_kind_name(d.kind)) + "', category='" +
                    std::string(error_category_name(d.category())) +
                    "', offset=" + std::to_string(d.offset) +
                    ", expansion=" + std::to_string(d.expansion) +
                    ", message=" + std::string(py::repr(py::str(d.message))) + ")";
           })
      .def("__eq__", [](const Deviation& a, py::handle b) {
        return py::isinstance<Deviation>(b) && a == b.cast<const Deviation&>();
      });

  py::class_<PyVerdict>(m, "Verdict",
                        "What the classifier says about a completion: valid (no error), exact "
                        "(token for token the reference completion), answer_correct (the path "
                        "alone), errors in reading order, first_error. str() is the caret "
                        "diagnostic of every error and a summary line, as `searchtrace check` "
                        "prints them.")
      .def_property_readonly("valid", [](const PyVerdict& v) { return v.verdict.valid; })
      .def_property_readonly("exact", [](const PyVerdict& v) { return v.verdict.exact; })
      .def_property_readonly("answer_correct",
                             [](const PyVerdict& v) { return v.verdict.answer_correct; })
      .def_property_readonly("errors", [](const PyVerdict& v) { return v.verdict.errors; })
      .def_property_readonly(
          "first_error", [](const PyVerdict& v) { return deviation_or_none(v.verdict); },
          "The first error, or None for a valid completion.")
      .def_property_readonly(
          "errors_capped", [](const PyVerdict& v) { return v.verdict.errors_capped; },
          "The classifier stopped at max_errors: later errors were not looked for.")
      .def_property_readonly(
          "summary", [](const PyVerdict& v) { return summarize(v.verdict); },
          "One line: 'valid, exact, answer correct' or '2 errors (first: ...), ...'.")
      .def(
          "to_json", [](const PyVerdict& v) { return to_json(v.verdict); },
          "The verdict as `searchtrace check --json` writes it.")
      .def("__str__", &PyVerdict::diagnostic)
      .def("__repr__", [](const PyVerdict& v) { return verdict_repr(v.verdict); });

  m.def("classify", &classify_one, py::arg("prompt"), py::arg("completion"), py::kw_only(),
        py::arg("algo") = "bfs", py::arg("order") = "ascending", py::arg("listing") = "unexpanded",
        py::arg("stop") = "on_list", py::arg("directed") = false,
        py::arg("vocabulary") = py::none(), py::arg("strip_suffix") = "",
        py::arg("max_errors") = 1000,
        "Judges a completion against the reference trace of a prompt (a Prompt or its text; "
        "PromptError if it does not parse). The completion is a text (either spacing; "
        "strip_suffix removes an end marker once) or token ids of `vocabulary` (trailing pads "
        "and one <eos> are removed; offsets are token indices). Returns a Verdict.");

  py::class_<VerdictBatch>(
      m, "VerdictBatch",
      "The verdicts of classify_batch: batch[i] is a Verdict; the columns are numpy arrays "
      "(valid, exact, answer_correct: bool; error_count: uint32; first_error_kind and "
      "first_error_category: int8 indices into ERROR_KINDS / ERROR_CATEGORIES, -1 when valid; "
      "first_error_offset and first_error_expansion: int64, -1 when valid).")
      .def("__len__", [](const VerdictBatch& b) { return b.verdicts.size(); })
      .def("__getitem__",
           [](const VerdictBatch& b, std::int64_t i) {
             const auto n = static_cast<std::int64_t>(b.verdicts.size());
             if (i < 0)
               i += n;
             if (i < 0 || i >= n)
               throw py::index_error("verdict " + std::to_string(i) + " is outside 0.." +
                                     std::to_string(n - 1));
             const auto k = static_cast<std::size_t>(i);
             PyVerdict v;
             v.verdict = b.verdicts[k];
             v.text.assign(strip_suffix(as_text(b.completions[k]), b.suffix));
             return v;
           })
      .def_property_readonly("valid",
                             [](const VerdictBatch& b) {
                               return column<bool>(b, [](const Verdict& v) { return v.valid; });
                             })
      .def_property_readonly("exact",
                             [](const VerdictBatch& b) {
                               return column<bool>(b, [](const Verdict& v) { return v.exact; });
                             })
      .def_property_readonly("answer_correct",
                             [](const VerdictBatch& b) {
                               return column<bool>(
                                   b, [](const Verdict& v) { return v.answer_correct; });
                             })
      .def_property_readonly("error_count",
                             [](const VerdictBatch& b) {
                               return column<std::uint32_t>(b, [](const Verdict& v) {
                                 return static_cast<std::uint32_t>(v.errors.size());
                               });
                             })
      .def_property_readonly("first_error_kind",
                             [](const VerdictBatch& b) {
                               return column<std::int8_t>(b, [](const Verdict& v) {
                                 return v.errors.empty()
                                            ? std::int8_t{-1}
                                            : static_cast<std::int8_t>(v.errors[0].kind);
                               });
                             })
      .def_property_readonly("first_error_category",
                             [](const VerdictBatch& b) {
                               return column<std::int8_t>(b, [](const Verdict& v) {
                                 return v.errors.empty()
                                            ? std::int8_t{-1}
                                            : static_cast<std::int8_t>(v.errors[0].category());
                               });
                             })
      .def_property_readonly("first_error_offset",
                             [](const VerdictBatch& b) {
                               return column<std::int64_t>(b, [](const Verdict& v) {
                                 return v.errors.empty()
                                            ? std::int64_t{-1}
                                            : static_cast<std::int64_t>(v.errors[0].offset);
                               });
                             })
      .def_property_readonly("first_error_expansion",
                             [](const VerdictBatch& b) {
                               return column<std::int64_t>(b, [](const Verdict& v) {
                                 return v.errors.empty()
                                            ? std::int64_t{-1}
                                            : static_cast<std::int64_t>(v.errors[0].expansion);
                               });
                             })
      .def("__repr__", [](const VerdictBatch& b) {
        std::size_t valid = 0;
        for (const Verdict& v : b.verdicts)
          valid += v.valid;
        return "VerdictBatch(" + std::to_string(b.verdicts.size()) + " verdicts, " +
               std::to_string(valid) + " valid)";
      });

  m.def("classify_batch", &classify_many, py::arg("prompts"), py::arg("completions"), py::kw_only(),
        py::arg("threads") = 1, py::arg("algo") = "bfs", py::arg("order") = "ascending",
        py::arg("listing") = "unexpanded", py::arg("stop") = "on_list", py::arg("directed") = false,
        py::arg("strip_suffix") = "", py::arg("max_errors") = 1000,
        "Judges completions[i] (texts) against prompts[i] (Prompt objects or texts) on `threads` "
        "threads (0: every hardware thread) without the GIL; the verdicts are those of "
        "classify(). A prompt text that does not parse raises PromptError with .index.");

  std::vector<std::string> kinds, categories;
  for (std::size_t k = 0; k < error_kind_count; ++k)
    kinds.emplace_back(error_kind_name(static_cast<ErrorKind>(k)));
  for (std::size_t c = 0; c < error_category_count; ++c)
    categories.emplace_back(error_category_name(static_cast<ErrorCategory>(c)));
  m.attr("ERROR_KINDS") = py::tuple(py::cast(kinds));
  m.attr("ERROR_CATEGORIES") = py::tuple(py::cast(categories));
  py::dict category_of_kind;
  for (std::size_t k = 0; k < error_kind_count; ++k)
    category_of_kind[py::str(kinds[k])] =
        categories[static_cast<std::size_t>(category_of(static_cast<ErrorKind>(k)))];
  m.attr("ERROR_CATEGORY_OF") = category_of_kind;
}

std::string PyVerdict::diagnostic() const {
  std::string s = vocabulary ? render_verdict(verdict, std::span<const TokenId>(ids), *vocabulary)
                             : render_verdict(verdict, text);
  s.pop_back(); // the summary's newline: print() adds its own
  return s;
}

} // namespace searchtrace::python

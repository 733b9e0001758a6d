// The eval table from Python: searchtrace.Evaluator judges (prompt, completion, model, family)
// samples with the library's Evaluator (searchtrace/eval.hpp, the code of `searchtrace eval`),
// and EvalTable gives its figures as dicts and its Markdown, CSV and JSON as the tool prints them.
#include <memory>

#include "common.hpp"
#include "searchtrace/eval.hpp"

namespace searchtrace::python {

namespace {

/// The most K of the seed's metric, as the tool allows: the tables have a column per position.
constexpr std::int64_t max_seed_metric_tokens = 1000;

/// A snapshot of an evaluator's table, with the search options its JSON names.
struct PyEvalTable {
  EvalTable table;
  SearchOptions search;
};

struct PyEvaluator {
  Evaluator evaluator;
  std::string strip_suffix;

  PyEvaluator(const EvalOptions& o, std::string suffix)
      : evaluator(o), strip_suffix(std::move(suffix)) {}
};

std::string_view without_suffix(std::string_view text, std::string_view suffix) {
  if (!suffix.empty() && text.size() >= suffix.size() &&
      text.substr(text.size() - suffix.size()) == suffix)
    text.remove_suffix(suffix.size());
  return text;
}

/// The exception of a sample that cannot be evaluated: the PromptError that parse_prompt raises
/// for the same text, or UnreachableError (offset: the target in the prompt).
Error eval_error(const EvalError& e, std::string_view prompt, bool directed) {
  if (e.kind == EvalErrorKind::bad_prompt) {
    // EvalError keeps the prompt error's kind only in its message: parse again (only on this
    // path) to raise exactly what parse_prompt raises.
    PromptParser parser;
    Prompt p;
    if (auto pe = parser.parse(prompt, p, {directed}))
      return prompt_error(*pe);
  }
  return Error("UnreachableError", "unreachable", e.offset, e.message);
}

/// A prompt given as a Prompt object is judged as its compact text; `storage` holds it.
std::string_view prompt_text(py::handle obj, std::string& storage) {
  if (py::isinstance<Prompt>(obj)) {
    storage = render_prompt(obj.cast<const Prompt&>());
    return storage;
  }
  return as_text(obj);
}

std::string_view name_or(py::handle obj, std::string_view fallback, const char* what) {
  if (obj.is_none())
    return fallback;
  if (!PyUnicode_Check(obj.ptr()))
    throw py::type_error(std::string(what) + " must be a str or None, got " +
                         std::string(py::str(py::type::of(obj).attr("__name__"))));
  return as_text(obj);
}

void add_one(PyEvaluator& ev, py::handle prompt, py::handle completion, py::handle model,
             py::handle family) {
  std::string storage;
  const std::string_view p = prompt_text(prompt, storage);
  const std::string_view c = without_suffix(as_text(completion), ev.strip_suffix);
  const std::string_view m = name_or(model, default_model, "model");
  const std::string_view f = name_or(family, default_family, "family");
  if (auto e = ev.evaluator.add(p, c, m, f))
    throw eval_error(*e, p, ev.evaluator.options().prompt.directed);
}

/// One record of add_records; its texts stay alive through `owned`.
struct RecordItem {
  std::string_view prompt, completion, model, family;
};

py::object field(py::handle record, const char* key, std::size_t i, bool required) {
  const py::object value = py::reinterpret_borrow<py::object>(record).attr("get")(key);
  if (required && value.is_none())
    throw py::key_error("records[" + std::to_string(i) + "] has no '" + key + "'");
  return value;
}

std::vector<py::object> add_records(PyEvaluator& ev, py::handle records, std::string_view errors) {
  if (errors != "raise" && errors != "skip")
    throw py::value_error("errors must be 'raise' or 'skip', got '" + std::string(errors) + "'");
  const auto items = py::reinterpret_steal<py::tuple>(PySequence_Tuple(records.ptr()));
  if (!items)
    throw py::error_already_set();
  const std::size_t n = items.size();
  // Every text we keep a view of is held here.
  std::vector<py::object> owned;
  owned.reserve(4 * n);
  std::vector<std::string> rendered(n);
  std::vector<RecordItem> parsed(n);
  const auto keep = [&](py::object o) -> py::handle {
    owned.push_back(std::move(o));
    return owned.back();
  };
  for (std::size_t i = 0; i < n; ++i) {
    const py::handle r = items[i];
    py::handle prompt, completion, model = py::none(), family = py::none();
    if (PyTuple_Check(r.ptr()) || PyList_Check(r.ptr())) {
      const auto t = py::reinterpret_steal<py::tuple>(PySequence_Tuple(r.ptr()));
      if (t.size() < 2 || t.size() > 4)
        throw py::value_error("records[" + std::to_string(i) +
                              "] must be (prompt, completion[, model[, family]]), got " +
                              std::to_string(t.size()) + " items");
      keep(t);
      prompt = t[0];
      completion = t[1];
      if (t.size() > 2)
        model = t[2];
      if (t.size() > 3)
        family = t[3];
    } else if (!PyUnicode_Check(r.ptr()) && !PyBytes_Check(r.ptr()) && py::hasattr(r, "get")) {
      prompt = keep(field(r, "prompt", i, true));
      completion = keep(field(r, "completion", i, true));
      model = keep(field(r, "model", i, false));
      family = keep(field(r, "family", i, false));
    } else {
      throw py::type_error("records[" + std::to_string(i) +
                           "] is neither a mapping nor a tuple, but " +
                           std::string(py::str(py::type::of(r).attr("__name__"))));
    }
    RecordItem& it = parsed[i];
    try {
      it.prompt = prompt_text(prompt, rendered[i]);
      it.completion = without_suffix(as_text(completion), ev.strip_suffix);
      it.model = name_or(model, default_model, "model");
      it.family = name_or(family, default_family, "family");
    } catch (const py::type_error& e) {
      throw py::type_error("records[" + std::to_string(i) + "]: " + e.what());
    }
  }

  // errors='raise' counts all the records or none: they go to a copy that replaces the
  // evaluator only when every one was evaluated.
  const bool all_or_nothing = errors == "raise";
  std::unique_ptr<Evaluator> copy;
  if (all_or_nothing)
    copy = std::make_unique<Evaluator>(ev.evaluator);
  Evaluator& target = all_or_nothing ? *copy : ev.evaluator;
  std::vector<std::pair<std::size_t, EvalError>> failed;
  // The GIL stays held: the evaluator is shared, and a sample takes microseconds.
  for (std::size_t i = 0; i < n; ++i) {
    const RecordItem& it = parsed[i];
    if (auto e = target.add(it.prompt, it.completion, it.model, it.family)) {
      failed.emplace_back(i, std::move(*e));
      if (all_or_nothing)
        break;
    }
  }
  const bool directed = ev.evaluator.options().prompt.directed;
  if (all_or_nothing && !failed.empty()) {
    const auto& [i, e] = failed.front();
    Error err = eval_error(e, parsed[i].prompt, directed);
    err.index = i;
    err.message = "records[" + std::to_string(i) + "]: " + err.message;
    throw err;
  }
  if (all_or_nothing)
    ev.evaluator = std::move(*copy);
  std::vector<py::object> out;
  const py::module_ errors_module = py::module_::import("searchtrace._errors");
  for (const auto& [i, e] : failed) {
    const Error err = eval_error(e, parsed[i].prompt, directed);
    out.push_back(errors_module.attr(err.cls.c_str())(
        "records[" + std::to_string(i) + "]: " + err.message, py::arg("kind") = err.kind,
        py::arg("offset") = err.offset, py::arg("index") = i));
  }
  return out;
}

// --- the table as Python values
// ---------------------------------------------------------------------

py::object optional_number(std::optional<double> x) {
  return x ? py::object(py::float_(*x)) : py::object(py::none());
}

/// A cell as a dict whose keys are the columns of the CSV, in its order, with the full doubles
/// (those of the JSON) and None where the CSV leaves a field empty.
py::dict row_of(const EvalTable& t, std::size_t m, std::size_t f, const EvalCell& c) {
  py::dict d;
  d["model"] = t.models()[m];
  d["family"] = t.families()[f];
  d["samples"] = c.samples;
  d["exact"] = c.rate(c.exact);
  d["valid"] = c.rate(c.valid);
  d["answer_correct"] = c.rate(c.answer_correct);
  d["token_accuracy"] = c.token_accuracy();
  d["invalid"] = c.invalid;
  d["first_error_offset_mean"] = optional_number(c.mean_first_error_offset());
  d["first_error_expansion_mean"] = optional_number(c.mean_first_error_expansion());
  for (std::size_t k = 0; k < error_category_count; ++k)
    d[py::str("first_error_" + std::string(error_category_name(static_cast<ErrorCategory>(k))))] =
        optional_number(c.category_share(k));
  if (const std::size_t k = t.seed_metric_tokens(); k != 0) {
    d["seed_k"] = k;
    d["seed_exact"] = c.rate(c.seed_exact);
    for (std::size_t i = 0; i < k; ++i)
      d[py::str("seed_token_accuracy_" + std::to_string(i))] =
          optional_number(c.seed_token_accuracy(i));
  }
  return d;
}

py::list rows_of(const EvalTable& t) {
  py::list out;
  t.for_each_cell(
      [&](std::size_t m, std::size_t f, const EvalCell& c) { out.append(row_of(t, m, f, c)); });
  return out;
}

std::size_t samples_of(const EvalTable& t) {
  std::size_t n = 0;
  t.for_each_cell([&](std::size_t, std::size_t, const EvalCell& c) { n += c.samples; });
  return n;
}

std::optional<std::size_t> index_in(const std::vector<std::string>& names, std::string_view s) {
  const auto it = std::find(names.begin(), names.end(), s);
  if (it == names.end())
    return std::nullopt;
  return static_cast<std::size_t>(it - names.begin());
}

py::dict cell_of(const EvalTable& t, std::string_view model, std::string_view family) {
  const auto m = index_in(t.models(), model);
  const auto f = index_in(t.families(), family);
  const EvalCell* c = m && f ? t.find(*m, *f) : nullptr;
  if (c == nullptr)
    throw py::key_error("no sample of model '" + std::string(model) + "' on family '" +
                        std::string(family) + "'");
  return row_of(t, *m, *f, *c);
}

std::string table_repr(const EvalTable& t) {
  return "EvalTable(" + std::to_string(t.models().size()) + " models x " +
         std::to_string(t.families().size()) + " families, " + std::to_string(t.size()) +
         " cells, " + std::to_string(samples_of(t)) + " samples)";
}

py::dict options_of(const PyEvaluator& ev) {
  const EvalOptions& o = ev.evaluator.options();
  py::dict d;
  d["algo"] = std::string(algorithm_name(o.search.algorithm));
  d["order"] = std::string(order_name(o.search.order));
  d["listing"] = std::string(listing_name(o.search.listing));
  d["stop"] = std::string(stop_name(o.search.stop));
  d["directed"] = o.prompt.directed;
  d["seed_metric"] = o.seed_metric_tokens;
  d["strip_suffix"] = ev.strip_suffix;
  return d;
}

std::unique_ptr<PyEvaluator> make_evaluator(std::string_view algo, std::string_view order,
                                            std::string_view listing, std::string_view stop,
                                            bool directed, std::int64_t seed_metric,
                                            std::string suffix) {
  if (seed_metric < 0 || seed_metric > max_seed_metric_tokens)
    throw py::value_error("seed_metric must be 0 (off) or a number of tokens from 1 to " +
                          std::to_string(max_seed_metric_tokens) + ", got " +
                          std::to_string(seed_metric));
  EvalOptions o;
  o.search = search_options(algo, order, listing, stop);
  o.prompt.directed = directed;
  o.seed_metric_tokens = static_cast<std::size_t>(seed_metric);
  return std::make_unique<PyEvaluator>(o, std::move(suffix));
}

} // namespace

void init_eval(py::module_& m) {
  py::class_<PyEvalTable>(
      m, "EvalTable",
      "The table of `searchtrace eval`: models (rows) x families (columns), in order of first "
      "appearance, a cell per pair with samples. rows() and cell() give the figures as dicts "
      "keyed by the CSV's columns (fractions in [0, 1], None where undefined); markdown(), "
      "csv() and json() are the tool's output, byte for byte. A snapshot: adding to the "
      "Evaluator later does not change it.")
      .def_property_readonly(
          "models", [](const PyEvalTable& t) { return py::tuple(py::cast(t.table.models())); },
          "The models, in order of first appearance.")
      .def_property_readonly(
          "families", [](const PyEvalTable& t) { return py::tuple(py::cast(t.table.families())); },
          "The families, in order of first appearance.")
      .def_property_readonly(
          "seed_metric", [](const PyEvalTable& t) { return t.table.seed_metric_tokens(); },
          "K of the seed's metric; 0 when it is off.")
      .def_property_readonly(
          "samples", [](const PyEvalTable& t) { return samples_of(t.table); },
          "The samples counted, over every cell.")
      .def("__len__", [](const PyEvalTable& t) { return t.table.size(); })
      .def(
          "rows", [](const PyEvalTable& t) { return rows_of(t.table); },
          "A dict per cell (models in order, then families), keyed by the columns of csv(): "
          "model, family, samples, exact, valid, answer_correct, token_accuracy, invalid, "
          "first_error_offset_mean, first_error_expansion_mean, first_error_<category> for "
          "each of ERROR_CATEGORIES and, with the seed's metric, seed_k, seed_exact and "
          "seed_token_accuracy_<i>. The numbers are the doubles json() writes; None where "
          "undefined (no invalid sample, no sample reaching position i).")
      .def(
          "cell",
          [](const PyEvalTable& t, std::string_view model, std::string_view family) {
            return cell_of(t.table, model, family);
          },
          py::arg("model"), py::arg("family"),
          "The row of (model, family), as in rows(); KeyError when the model has no sample of "
          "the family.")
      .def(
          "markdown",
          [](const PyEvalTable& t) {
            std::string s;
            append_eval_markdown(s, t.table);
            return s;
          },
          "The Markdown of `searchtrace eval` (a table per metric, or one row per cell when "
          "that would be sparse; then the first-error categories).")
      .def(
          "csv",
          [](const PyEvalTable& t) {
            std::string s;
            append_eval_csv(s, t.table);
            return s;
          },
          "The CSV of `searchtrace eval --format csv`.")
      .def(
          "json",
          [](const PyEvalTable& t) {
            std::string s;
            append_eval_json(s, t.table, t.search);
            return s;
          },
          "The JSON of `searchtrace eval --format json`.")
      .def("__repr__", [](const PyEvalTable& t) { return table_repr(t.table); });

  py::class_<PyEvaluator>(
      m, "Evaluator",
      "Judges model outputs and tabulates them exactly as `searchtrace eval` does (the same "
      "C++ code): add a (prompt, completion, model, family) sample at a time, or many with "
      "add_records, then read `table`. Options as the tool's: the reference search (algo, "
      "order, listing, stop), directed prompts, seed_metric=K (the seed's metric, K = 50 as it "
      "scores; 0: off) and strip_suffix (an end marker removed once from every completion).")
      .def(py::init(&make_evaluator), py::kw_only(), py::arg("algo") = "bfs",
           py::arg("order") = "ascending", py::arg("listing") = "unexpanded",
           py::arg("stop") = "on_list", py::arg("directed") = false, py::arg("seed_metric") = 0,
           py::arg("strip_suffix") = "")
      .def("add", &add_one, py::arg("prompt"), py::arg("completion"), py::arg("model") = py::none(),
           py::arg("family") = py::none(),
           "Counts one sample in the cell of (model, family); model None is 'default', family "
           "None is '-'. prompt: a text or a Prompt; completion: the model's text. Raises "
           "PromptError (a prompt that does not parse) or UnreachableError (no reference: the "
           "target cannot be reached), and then the table is unchanged. A completion that is "
           "garbage is a model output with a syntax error, and it counts.")
      .def("add_records", &add_records, py::arg("records"), py::kw_only(),
           py::arg("errors") = "raise",
           "Counts many samples: each record is a mapping with 'prompt', "
           "'completion' and optionally 'model' and 'family' (a line of `searchtrace eval`'s "
           "input, json.loads'ed; other keys are ignored) or a tuple (prompt, completion[, "
           "model[, family]]). errors='raise': the first record that cannot be evaluated "
           "raises its PromptError or UnreachableError with .index, and none of the records is "
           "counted; errors='skip': such records are left out, as the tool does, and returned "
           "as a list of those exceptions (with .index). A malformed record (a missing key, a "
           "wrong type) raises before any is counted.")
      .def_property_readonly(
          "table",
          [](const PyEvaluator& ev) {
            return PyEvalTable{ev.evaluator.table(), ev.evaluator.options().search};
          },
          "A snapshot of the table so far (an EvalTable).")
      .def_property_readonly(
          "samples", [](const PyEvaluator& ev) { return samples_of(ev.evaluator.table()); },
          "The samples counted so far.")
      .def_property_readonly("options", &options_of, "The options, as given.")
      .def("__repr__", [](const PyEvaluator& ev) {
        const EvalTable& t = ev.evaluator.table();
        std::string s = "Evaluator(algo='";
        s += algorithm_name(ev.evaluator.options().search.algorithm);
        s += "', " + std::to_string(samples_of(t)) + " samples in " + std::to_string(t.size()) +
             " cells";
        if (const std::size_t k = t.seed_metric_tokens(); k != 0)
          s += ", seed_metric=" + std::to_string(k);
        return s + ")";
      });
}

} // namespace searchtrace::python

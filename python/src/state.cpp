// The implicit state for probes: a sample's (or a model's completion's) state token by token, as
// numpy arrays copied from state.hpp's Eigen matrices.
#include "searchtrace/state.hpp"

#include "common.hpp"
#include "verdict_object.hpp"

namespace searchtrace::python {

namespace {

struct PyState {
  py::object ids, in_frontier, expanded, discovered, frontier_rank, parent, phase, current,
      next_tokens, adjacency, distance_from_source, distance_to_target, verdict;
  std::size_t completion_start = 0;
  Label label_space = 0;
};

template <class Derived>
py::object copy_matrix(const Eigen::DenseBase<Derived>& m, bool matrix) {
  using T = typename Derived::Scalar;
  // Row-major matrices and columns are contiguous in the order numpy wants (C order).
  const auto& d = m.derived();
  std::vector<T> v(d.data(), d.data() + d.size());
  if (!matrix)
    return to_numpy(std::move(v));
  return to_numpy(std::move(v),
                  {static_cast<py::ssize_t>(d.rows()), static_cast<py::ssize_t>(d.cols())});
}

PyState to_python(SampleState&& s) {
  PyState out;
  std::vector<std::int64_t> ids(s.ids.begin(), s.ids.end());
  out.ids = to_numpy(std::move(ids));
  out.in_frontier = copy_matrix(s.in_frontier, true);
  out.expanded = copy_matrix(s.expanded, true);
  out.discovered = copy_matrix(s.discovered, true);
  out.frontier_rank = copy_matrix(s.frontier_rank, true);
  out.parent = copy_matrix(s.parent, true);
  out.phase = copy_matrix(s.phase, false);
  out.current = copy_matrix(s.current, false);
  out.next_tokens = copy_matrix(s.next_tokens, true).attr("view")(py::dtype::of<bool>());
  out.adjacency = copy_matrix(s.adjacency, true);
  out.distance_from_source = copy_matrix(s.distance_from_source, false);
  out.distance_to_target = copy_matrix(s.distance_to_target, false);
  out.completion_start = s.completion_start;
  out.label_space = s.label_space;
  out.verdict = py::none();
  return out;
}

Vocabulary state_vocabulary(py::handle obj, const Prompt& p) {
  Vocabulary v = as_vocabulary(obj, 50);
  if (!p.graph.labels().empty() && p.graph.labels().back() >= v.label_space())
    throw py::value_error("label " + std::to_string(p.graph.labels().back()) +
                          " of the prompt is outside the vocabulary's label space 0.." +
                          std::to_string(v.label_space() - 1));
  return v;
}

} // namespace

void init_state(py::module_& m) {
  py::class_<PyState>(
      m, "State",
      "The implicit state of one sample, a row per token id (ids: the prompt's tokens, then the "
      "completion's, with the vocabulary's <bos>/<eos>), columns = node labels 0..label_space-1: "
      "in_frontier, expanded, discovered (int8), frontier_rank (int16: 0 = expanded next, -1 = "
      "absent), parent (int32 label, -1 = none); per row: phase (int8: 0 prompt, 1 exploration, "
      "2 backtrack, 3 answer), current (int32: the label being expanded, -1), next_tokens "
      "(bool rows x vocabulary: the id a correct continuation writes next, none once a model's "
      "completion has deviated); per sample: adjacency (int8 L x L), distance_from_source and "
      "distance_to_target (int16 per label, -1 = unreachable or no node). completion_start is "
      "the row of '<'; verdict is the Verdict of a model's completion (None for a sample). "
      "A token's row is the state after that token (docs/python.md, 'State labels').")
      .def_readonly("ids", &PyState::ids)
      .def_readonly("completion_start", &PyState::completion_start)
      .def_readonly("label_space", &PyState::label_space)
      .def_readonly("in_frontier", &PyState::in_frontier)
      .def_readonly("expanded", &PyState::expanded)
      .def_readonly("discovered", &PyState::discovered)
      .def_readonly("frontier_rank", &PyState::frontier_rank)
      .def_readonly("parent", &PyState::parent)
      .def_readonly("phase", &PyState::phase)
      .def_readonly("current", &PyState::current)
      .def_readonly("next_tokens", &PyState::next_tokens)
      .def_readonly("adjacency", &PyState::adjacency)
      .def_readonly("distance_from_source", &PyState::distance_from_source)
      .def_readonly("distance_to_target", &PyState::distance_to_target)
      .def_readonly("verdict", &PyState::verdict)
      .def("__len__", [](const PyState& s) { return py::len(s.ids); })
      .def("__repr__", [](const PyState& s) {
        return "State(rows=" + std::to_string(py::len(s.ids)) +
               ", completion_start=" + std::to_string(s.completion_start) +
               ", label_space=" + std::to_string(s.label_space) + ")";
      });

  m.def(
      "sample_state",
      [](py::handle prompt, py::handle vocabulary, std::string_view algo, std::string_view order,
         std::string_view listing, std::string_view stop, bool directed) {
        const SearchOptions o = search_options(algo, order, listing, stop);
        Prompt storage;
        const Prompt& p = as_prompt(prompt, directed, storage);
        const Vocabulary v = state_vocabulary(vocabulary, p);
        try {
          SampleState s;
          {
            py::gil_scoped_release release;
            s = searchtrace::sample_state(p, o, v);
          }
          return to_python(std::move(s));
        } catch (const std::invalid_argument&) {
          const std::string text = render_prompt(p);
          const std::string target = std::to_string(p.graph.label(p.query.target));
          throw Error("UnreachableError", "unreachable", text.size() - target.size(),
                      "target " + target + " cannot be reached from " +
                          std::to_string(p.graph.label(p.query.source)) + ": there is no sample");
        }
      },
      py::arg("prompt"), py::arg("vocabulary") = "standard", py::kw_only(), py::arg("algo") = "bfs",
      py::arg("order") = "ascending", py::arg("listing") = "unexpanded",
      py::arg("stop") = "on_list", py::arg("directed") = false,
      "The state of a sample (the prompt and its reference completion) token by token in a "
      "vocabulary (a Vocabulary or a preset name with label space 50). UnreachableError when "
      "there is no sample.");

  m.def(
      "completion_state",
      [](py::handle prompt, py::handle completion, py::handle vocabulary, std::string_view algo,
         std::string_view order, std::string_view listing, std::string_view stop, bool directed) {
        const SearchOptions o = search_options(algo, order, listing, stop);
        Prompt storage;
        const Prompt& p = as_prompt(prompt, directed, storage);
        const Vocabulary v = state_vocabulary(vocabulary, p);
        const std::string_view text = as_text(completion);
        PyVerdict verdict;
        SampleState s;
        try {
          py::gil_scoped_release release;
          s = searchtrace::completion_state(p, text, o, v, &verdict.verdict);
        } catch (const std::out_of_range& e) {
          throw py::value_error(std::string(e.what()) +
                                " (a node of the completion has no id in the vocabulary)");
        }
        verdict.text.assign(text);
        PyState out = to_python(std::move(s));
        out.verdict = py::cast(std::move(verdict));
        return out;
      },
      py::arg("prompt"), py::arg("completion"), py::arg("vocabulary") = "standard", py::kw_only(),
      py::arg("algo") = "bfs", py::arg("order") = "ascending", py::arg("listing") = "unexpanded",
      py::arg("stop") = "on_list", py::arg("directed") = false,
      "The state a model's completion text implies (the classifier's replay, which adopts the "
      "completion's choices), token by token after the prompt's, up to its first syntax error; "
      ".verdict is its Verdict.");
}

} // namespace searchtrace::python

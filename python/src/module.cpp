// `searchtrace._core`: the library's entry points for Python. The package `searchtrace`
// (python/searchtrace/__init__.py) re-exports it with the exception classes of _errors.py.
#include "common.hpp"
#include "searchtrace/version.hpp"

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  namespace stp = searchtrace::python;
  m.doc() = "searchtrace: synthesize and parse BFS/DFS search traces (the C++ library's "
            "binding; see docs/python.md)";
  stp::register_error_translator();
  stp::init_text(m);
  stp::init_generate(m);
  stp::init_classify(m);
  stp::init_cursor(m);
  stp::init_state(m);
  m.attr("__version__") = std::string(searchtrace::version);
  std::vector<std::string> prompt_kinds;
  for (int k = 0; k <= static_cast<int>(searchtrace::PromptErrorKind::trivial_query); ++k)
    prompt_kinds.emplace_back(
        searchtrace::prompt_error_kind_name(static_cast<searchtrace::PromptErrorKind>(k)));
  m.attr("PROMPT_ERROR_KINDS") = py::tuple(py::cast(prompt_kinds));
}

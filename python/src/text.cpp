// Prompts, traces, renderings and vocabularies: the text side of the library, and the helpers of
// common.hpp.
#include <cstring>

#include "common.hpp"
#include "searchtrace/lexer.hpp"
#include "searchtrace/tracer.hpp"

namespace searchtrace::python {

// --- errors -------------------------------------------------------------------------------------

void register_error_translator() {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const Error& e) {
      const py::object cls = py::module_::import("searchtrace._errors").attr(e.cls.c_str());
      const py::object index = e.index ? py::object(py::int_(*e.index)) : py::object(py::none());
      const py::object exc = cls(e.message, py::arg("kind") = e.kind, py::arg("offset") = e.offset,
                                 py::arg("index") = index);
      PyErr_SetObject(cls.ptr(), exc.ptr());
    } catch (const BadResultAccess& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

Error prompt_error(const PromptError& e) {
  return Error("PromptError", std::string(prompt_error_kind_name(e.kind)), e.offset, e.message);
}

// --- options ------------------------------------------------------------------------------------

namespace {

template <class T, std::size_t N>
T choose(std::string_view what, std::string_view value,
         const std::array<std::pair<std::string_view, T>, N>& choices) {
  for (const auto& [name, v] : choices)
    if (name == value)
      return v;
  std::string valid;
  for (const auto& [name, v] : choices) {
    if (name.find('-') != std::string_view::npos)
      continue; // the tool's spelling of a name given with '_' too
    if (!valid.empty())
      valid += ", ";
    valid += '\'';
    valid += name;
    valid += '\'';
  }
  throw py::value_error(std::string(what) + " must be one of " + valid + ", got '" +
                        std::string(value) + "'");
}

} // namespace

SearchOptions search_options(std::string_view algo, std::string_view order,
                             std::string_view listing, std::string_view stop) {
  SearchOptions o;
  o.algorithm =
      choose<Algorithm, 2>("algo", algo, {{{"bfs", Algorithm::bfs}, {"dfs", Algorithm::dfs}}});
  o.order = choose<NeighborOrder, 2>(
      "order", order,
      {{{"ascending", NeighborOrder::ascending}, {"prompt", NeighborOrder::prompt}}});
  o.listing = choose<Listing, 2>(
      "listing", listing,
      {{{"unexpanded", Listing::unexpanded}, {"undiscovered", Listing::undiscovered}}});
  o.stop = choose<StopRule, 4>("stop", stop,
                               {{{"on_list", StopRule::on_list},
                                 {"on_pop", StopRule::on_pop},
                                 {"on-list", StopRule::on_list},
                                 {"on-pop", StopRule::on_pop}}});
  return o;
}

Rendering rendering_of(std::string_view name) {
  return choose<Rendering, 2>("rendering", name,
                              {{{"compact", Rendering::compact}, {"pretty", Rendering::pretty}}});
}

CompletionLayout layout_of(std::string_view name) {
  return choose<CompletionLayout, 3>("layout", name,
                                     {{{"trace", CompletionLayout::trace},
                                       {"pause", CompletionLayout::pause},
                                       {"path", CompletionLayout::path}}});
}

std::string_view order_name(NeighborOrder o) noexcept {
  return o == NeighborOrder::ascending ? "ascending" : "prompt";
}
std::string_view listing_name(Listing l) noexcept {
  return l == Listing::unexpanded ? "unexpanded" : "undiscovered";
}
std::string_view stop_name(StopRule s) noexcept {
  return s == StopRule::on_list ? "on_list" : "on_pop";
}

unsigned resolve_threads(int threads) {
  if (threads < 0)
    throw py::value_error("threads must be 0 (every hardware thread) or positive, got " +
                          std::to_string(threads));
  if (threads == 0)
    return std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(threads);
}

// --- conversions --------------------------------------------------------------------------------

std::string_view as_text(py::handle obj) {
  if (PyUnicode_Check(obj.ptr())) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);
    if (s == nullptr)
      throw py::error_already_set();
    return {s, static_cast<std::size_t>(n)};
  }
  if (PyBytes_Check(obj.ptr()))
    return {PyBytes_AS_STRING(obj.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(obj.ptr()))};
  throw py::type_error(std::string("expected str or bytes, got ") +
                       std::string(py::str(py::type::of(obj).attr("__name__"))));
}

const Prompt& as_prompt(py::handle obj, bool directed, Prompt& storage) {
  if (py::isinstance<Prompt>(obj))
    return obj.cast<const Prompt&>();
  if (!PyUnicode_Check(obj.ptr()) && !PyBytes_Check(obj.ptr()))
    throw py::type_error(std::string("expected a Prompt or a prompt text, got ") +
                         std::string(py::str(py::type::of(obj).attr("__name__"))));
  PromptParser parser;
  if (auto e = parser.parse(as_text(obj), storage, {directed}))
    throw prompt_error(*e);
  return storage;
}

Vocabulary as_vocabulary(py::handle obj, Label label_space) {
  if (py::isinstance<Vocabulary>(obj))
    return obj.cast<Vocabulary>();
  if (!PyUnicode_Check(obj.ptr()))
    throw py::type_error("expected a Vocabulary or a preset name");
  const std::string_view name = as_text(obj);
  if (auto v = Vocabulary::preset(name, label_space))
    return std::move(*v);
  throw py::value_error("vocabulary must be one of 'standard', 'numeral', 'numeral-eot', got '" +
                        std::string(name) + "'");
}

std::vector<TokenId> as_ids(py::handle obj, std::size_t limit) {
  std::vector<TokenId> out;
  const auto check = [&](std::int64_t id, std::size_t i) {
    if (id < 0 || static_cast<std::uint64_t>(id) >= limit)
      throw py::index_error("id " + std::to_string(id) + " at position " + std::to_string(i) +
                            " is outside the vocabulary (ids 0.." + std::to_string(limit - 1) +
                            ")");
    out.push_back(static_cast<TokenId>(id));
  };
  if (py::isinstance<py::array>(obj)) {
    const auto a = py::reinterpret_borrow<py::array>(obj);
    if (a.ndim() != 1)
      throw py::value_error("ids must be one-dimensional, got " + std::to_string(a.ndim()) +
                            " dimensions");
    if (a.dtype().kind() != 'i' && a.dtype().kind() != 'u')
      throw py::type_error("ids must be integers, got an array of dtype " +
                           std::string(py::str(a.dtype())));
    const auto ints = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>(a);
    const std::int64_t* d = ints.data();
    out.reserve(static_cast<std::size_t>(ints.size()));
    for (py::ssize_t i = 0; i < ints.size(); ++i)
      check(d[i], static_cast<std::size_t>(i));
    return out;
  }
  std::size_t i = 0;
  for (const py::handle item : py::iter(obj)) {
    if (!PyLong_Check(item.ptr()) && !PyObject_HasAttrString(item.ptr(), "__index__"))
      throw py::type_error("ids must be integers, got " +
                           std::string(py::str(py::type::of(item).attr("__name__"))) +
                           " at position " + std::to_string(i));
    // Beyond 64 bits is outside every vocabulary too.
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(item.ptr(), &overflow);
    if (v == -1 && PyErr_Occurred())
      throw py::error_already_set();
    check(overflow != 0 ? -1 : v, i);
    ++i;
  }
  return out;
}

namespace {

// --- prompts and traces
// ---------------------------------------------------------------------------

Prompt parse(std::string_view text, bool directed) {
  auto r = parse_prompt(text, {directed});
  if (!r)
    throw prompt_error(r.error());
  return std::move(*r);
}

std::string repr_string(std::string_view s) {
  return std::string(py::repr(py::str(std::string(s))));
}

Trace trace_of(const Prompt& p, const SearchOptions& o) {
  Trace t;
  SearchScratch scratch;
  if (trace_into(t, scratch, p.graph, p.query, o) == SearchStatus::unreachable) {
    // Prompts are compact text and render back to it, so the target's offset is where its digits
    // start at the end of the rendering (where the tool reports unreachable).
    const std::string text = render_prompt(p);
    const std::string target = std::to_string(p.graph.label(p.query.target));
    throw Error("UnreachableError", "unreachable", text.size() - target.size(),
                "target " + target + " cannot be reached from " +
                    std::to_string(p.graph.label(p.query.source)));
  }
  return t;
}

Trace make_trace(const std::vector<Label>& expanded, const std::vector<std::vector<Label>>& lists,
                 const std::vector<Label>& backtrack, const std::vector<Label>& path) {
  if (lists.size() != expanded.size())
    throw py::value_error(
        "a trace needs one list per expansion: " + std::to_string(expanded.size()) +
        " expansions, " + std::to_string(lists.size()) + " lists");
  Trace t;
  for (std::size_t i = 0; i < expanded.size(); ++i) {
    t.begin_expansion(expanded[i]);
    for (const Label v : lists[i])
      t.list_node(v);
  }
  t.backtrack = backtrack;
  t.path = path;
  return t;
}

std::vector<std::vector<Label>> lists_of(const Trace& t) {
  std::vector<std::vector<Label>> out(t.expansion_count());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto l = t.list(i);
    out[i].assign(l.begin(), l.end());
  }
  return out;
}

// --- vocabularies
// ---------------------------------------------------------------------------------

std::vector<std::int64_t> encode_text(const Vocabulary& v, std::string_view text) {
  std::vector<std::int64_t> out;
  Lexer lex(text);
  Lexeme lx;
  for (;;) {
    const LexStatus st = lex.next(lx);
    if (st == LexStatus::end)
      return out;
    if (st == LexStatus::error)
      throw Error("TextError", "syntax", lex.error().offset, lex.error().message);
    if (lx.token.kind == TokenKind::node && (lx.too_large || lx.token.value >= v.label_space()))
      throw Error(
          "TextError", "label_out_of_range", lx.offset,
          "node " + std::string(text.substr(lx.offset, std::min<std::size_t>(lx.length, 24))) +
              (lx.length > 24 ? "..." : "") + " is outside the vocabulary's label space 0.." +
              std::to_string(v.label_space() - 1));
    v.encode(lx.token, out);
  }
}

void wrap_specials(const Vocabulary& v, std::vector<std::int64_t>& ids, bool bos, bool eos) {
  const auto need = [&](const std::optional<TokenId>& id, const char* what) {
    if (!id)
      throw py::value_error(std::string("the ") + std::string(v.name()) + " vocabulary has no " +
                            what);
    return static_cast<std::int64_t>(*id);
  };
  if (bos)
    ids.insert(ids.begin(), need(v.bos(), "<bos>"));
  if (eos)
    ids.push_back(need(v.eos(), "<eos>"));
}

py::array_t<std::int64_t> encode_object(const Vocabulary& v, py::handle obj, bool bos, bool eos,
                                        std::string_view layout) {
  std::vector<std::int64_t> ids;
  try {
    if (py::isinstance<Prompt>(obj)) {
      encode_prompt(obj.cast<const Prompt&>(), v, ids);
    } else if (py::isinstance<Trace>(obj)) {
      encode_completion(obj.cast<const Trace&>(), v, ids, layout_of(layout));
    } else {
      ids = encode_text(v, as_text(obj));
    }
  } catch (const std::out_of_range& e) {
    // A label beyond the label space (in a Prompt or a Trace), or '$' without a symbol for it.
    throw py::value_error(e.what());
  }
  wrap_specials(v, ids, bos, eos);
  return to_numpy(std::move(ids));
}

std::string decode_ids(const Vocabulary& v, py::handle obj, std::string_view rendering_name,
                       bool skip_special, std::string_view layout_name) {
  const Rendering rendering = rendering_of(rendering_name);
  // The pause layout writes `u($)`: no comma between an expansion's node and its '('.
  const bool pause = layout_of(layout_name) == CompletionLayout::pause;
  const std::vector<TokenId> ids = as_ids(obj, v.size());
  std::string out;
  std::vector<Token> run;
  std::optional<TokenKind> last;
  const auto flush = [&] {
    append_tokens(out, run, rendering);
    run.clear();
  };
  for (const TokenId id : ids) {
    if (const auto t = v.token(id)) {
      // A dropped comma goes back where the grammar has one: after a node or ')' and before a
      // node or '(' (Vocabulary::comma_between).
      if (v.drops_commas() && last && Vocabulary::comma_between(*last, t->kind) &&
          !(pause && t->kind == TokenKind::lparen))
        run.push_back(punct_token(TokenKind::comma));
      run.push_back(*t);
      last = t->kind;
      continue;
    }
    const bool special = id == v.pad() || id == v.bos() || id == v.eos();
    if (special && skip_special)
      continue;
    flush();
    out += v.spelling(id); // a special kept, or a layout symbol ('$')
  }
  flush();
  return out;
}

} // namespace

void init_text(py::module_& m) {
  py::class_<Prompt>(m, "Prompt",
                     "A graph and a query, read from a prompt text `u,v|...|u,v/source,target`.\n\n"
                     "Prompt(text, directed=False) parses the text (PromptError on bad input, "
                     "with .kind and .offset). str() gives the text back.")
      .def(py::init([](py::handle text, bool directed) { return parse(as_text(text), directed); }),
           py::arg("text"), py::arg("directed") = false)
      .def_property_readonly(
          "source", [](const Prompt& p) { return p.graph.label(p.query.source); },
          "The query's source label.")
      .def_property_readonly(
          "target", [](const Prompt& p) { return p.graph.label(p.query.target); },
          "The query's target label.")
      .def_property_readonly(
          "nodes",
          [](const Prompt& p) {
            return std::vector<Label>(p.graph.labels().begin(), p.graph.labels().end());
          },
          "The node labels, ascending.")
      .def_property_readonly(
          "edges",
          [](const Prompt& p) {
            std::vector<std::pair<Label, Label>> out;
            for (const Edge e : p.graph.edges())
              out.emplace_back(p.graph.label(e.u), p.graph.label(e.v));
            return out;
          },
          "The edges (arcs when directed) as (u, v) label pairs, in prompt order.")
      .def_property_readonly(
          "directed", [](const Prompt& p) { return p.graph.directed(); },
          "Whether `u,v` was read as the arc u->v.")
      .def("__str__", [](const Prompt& p) { return render_prompt(p); })
      .def("__repr__",
           [](const Prompt& p) {
             return "Prompt(" + repr_string(render_prompt(p)) +
                    (p.graph.directed() ? ", directed=True)" : ")");
           })
      .def("__eq__",
           [](const Prompt& a, py::handle b) {
             if (!py::isinstance<Prompt>(b))
               return false;
             const Prompt& c = b.cast<const Prompt&>();
             return a.graph.directed() == c.graph.directed() &&
                    render_prompt(a) == render_prompt(c);
           })
      .def("__hash__",
           [](const Prompt& p) {
             return py::hash(py::make_tuple(render_prompt(p), p.graph.directed()));
           })
      .def(py::pickle(
          [](const Prompt& p) { return py::make_tuple(render_prompt(p), p.graph.directed()); },
          [](const py::tuple& t) { return parse(t[0].cast<std::string>(), t[1].cast<bool>()); }));

  py::class_<Trace>(m, "Trace",
                    "A search trace: each expansion's node and list, the backtrack (target to "
                    "source) and the path (source to target), as labels.\n\n"
                    "trace() makes one; Trace(expanded, lists, backtrack, path) builds one by hand "
                    "(to render it). str() is the compact completion.")
      .def(py::init(&make_trace), py::arg("expanded"), py::arg("lists"), py::arg("backtrack"),
           py::arg("path"))
      .def_property_readonly(
          "expanded", [](const Trace& t) { return t.expanded; }, "The node of each expansion.")
      .def_property_readonly("lists", &lists_of, "The list of each expansion.")
      .def_property_readonly(
          "backtrack", [](const Trace& t) { return t.backtrack; },
          "The backtrack: target, parent(target), ..., source.")
      .def_property_readonly(
          "path", [](const Trace& t) { return t.path; }, "The answer path: source, ..., target.")
      .def_property_readonly("expansion_count", &Trace::expansion_count)
      .def(
          "render",
          [](const Trace& t, std::string_view rendering, std::string_view layout) {
            return render_completion(t, rendering_of(rendering), layout_of(layout));
          },
          py::arg("rendering") = "compact", py::arg("layout") = "trace",
          "The completion text: rendering 'compact' or 'pretty', layout 'trace', 'pause' "
          "(u($) per expansion) or 'path' (the answer alone).")
      .def("__str__", [](const Trace& t) { return render_completion(t); })
      .def("__repr__",
           [](const Trace& t) { return "Trace(" + repr_string(render_completion(t)) + ")"; })
      .def("__eq__",
           [](const Trace& a, py::handle b) {
             return py::isinstance<Trace>(b) && a == b.cast<const Trace&>();
           })
      .def("__hash__", [](const Trace& t) { return py::hash(py::str(render_completion(t))); })
      .def(py::pickle(
          [](const Trace& t) {
            return py::make_tuple(t.expanded, lists_of(t), t.backtrack, t.path);
          },
          [](const py::tuple& s) {
            return make_trace(s[0].cast<std::vector<Label>>(),
                              s[1].cast<std::vector<std::vector<Label>>>(),
                              s[2].cast<std::vector<Label>>(), s[3].cast<std::vector<Label>>());
          }));

  m.def("parse_prompt", &parse, py::arg("text"), py::arg("directed") = false,
        "Parses a prompt `u,v|...|u,v/source,target`. Raises PromptError (.kind: syntax, "
        "truncated, number_too_large, self_loop, duplicate_edge, unknown_query_node, "
        "trivial_query; .offset: the byte).");

  m.def(
      "trace",
      [](py::handle prompt, std::string_view algo, std::string_view order, std::string_view listing,
         std::string_view stop, bool directed) {
        const SearchOptions o = search_options(algo, order, listing, stop);
        Prompt storage;
        const Prompt& p = as_prompt(prompt, directed, storage);
        py::gil_scoped_release release;
        return trace_of(p, o);
      },
      py::arg("prompt"), py::kw_only(), py::arg("algo") = "bfs", py::arg("order") = "ascending",
      py::arg("listing") = "unexpanded", py::arg("stop") = "on_list", py::arg("directed") = false,
      "The reference trace of a prompt (a Prompt or its text; `directed` applies to a text). "
      "Raises UnreachableError (.kind 'unreachable', .offset: the query's target) when the "
      "target cannot be reached.");

  m.def(
      "render",
      [](py::handle obj, std::string_view rendering, std::string_view layout) {
        if (py::isinstance<Prompt>(obj))
          return render_prompt(obj.cast<const Prompt&>());
        if (py::isinstance<Trace>(obj))
          return render_completion(obj.cast<const Trace&>(), rendering_of(rendering),
                                   layout_of(layout));
        throw py::type_error("render takes a Prompt or a Trace");
      },
      py::arg("obj"), py::arg("rendering") = "compact", py::arg("layout") = "trace",
      "The text of a Prompt (always compact) or of a Trace's completion (rendering 'compact' or "
      "'pretty'; layout 'trace', 'pause' or 'path').");

  py::class_<Vocabulary>(
      m, "Vocabulary",
      "Token ids of the grammar. Presets: 'standard' (<pad>=0, <bos>=1, <eos>=2, then "
      "| / , < > ( ) - =, then the nodes), 'numeral' (the seed's training code: nodes 0..L-1 "
      "first, then | = / $ ? & * - + > < [ ] ( ) { } ; . without commas or specials) and "
      "'numeral-eot' (numeral plus an unused id and '<|endoftext|>' as pad, bos and eos).")
      .def(py::init([](py::handle name, Label label_space) {
             if (label_space == 0)
               throw py::value_error("label_space must be at least 1");
             return as_vocabulary(name, label_space);
           }),
           py::arg("name") = "standard", py::arg("label_space") = 50)
      .def_static("standard", &Vocabulary::standard, py::arg("label_space") = 50)
      .def_static("numeral", &Vocabulary::numeral, py::arg("label_space") = 50)
      .def_static("numeral_eot", &Vocabulary::numeral_eot, py::arg("label_space") = 50)
      .def_property_readonly("name", [](const Vocabulary& v) { return std::string(v.name()); })
      .def_property_readonly("label_space", &Vocabulary::label_space)
      .def_property_readonly("size", &Vocabulary::size)
      .def("__len__", &Vocabulary::size)
      .def_property_readonly("pad", &Vocabulary::pad, "The <pad> id, or None.")
      .def_property_readonly("bos", &Vocabulary::bos, "The <bos> id, or None.")
      .def_property_readonly("eos", &Vocabulary::eos, "The <eos> id, or None.")
      .def_property_readonly("drops_commas", &Vocabulary::drops_commas)
      .def_property_readonly(
          "node_offset", [](const Vocabulary& v) { return v.id(node_token(0)); },
          "The id of node 0.")
      .def_property_readonly("spellings",
                             [](const Vocabulary& v) {
                               std::vector<std::string> out;
                               for (std::size_t i = 0; i < v.size(); ++i)
                                 out.emplace_back(v.spelling(static_cast<TokenId>(i)));
                               return out;
                             })
      .def(
          "spelling",
          [](const Vocabulary& v, std::int64_t id) {
            if (id < 0 || static_cast<std::uint64_t>(id) >= v.size())
              throw py::index_error("id " + std::to_string(id) +
                                    " is outside the vocabulary (ids 0.." +
                                    std::to_string(v.size() - 1) + ")");
            return std::string(v.spelling(static_cast<TokenId>(id)));
          },
          py::arg("id"), "The text of an id.")
      .def(
          "token_id",
          [](const Vocabulary& v, std::string_view spelling) {
            for (std::size_t i = 0; i < v.size(); ++i)
              if (v.spelling(static_cast<TokenId>(i)) == spelling)
                return static_cast<TokenId>(i);
            std::string why = "the " + std::string(v.name()) + " vocabulary has no token " +
                              repr_string(spelling);
            if (spelling == "," && v.drops_commas())
              why += " (it drops commas; decoding puts them back)";
            throw py::key_error(why);
          },
          py::arg("spelling"), "The id of a spelling ('<', '17', '<eos>'); KeyError if none.")
      .def("encode", &encode_object, py::arg("obj"), py::kw_only(), py::arg("bos") = false,
           py::arg("eos") = false, py::arg("layout") = "trace",
           "Token ids (int64) of a text (any part of a sample, either spacing), a Prompt or a "
           "Trace (in `layout`). bos/eos wrap them in the vocabulary's specials. A text that "
           "does not lex, or a label outside the label space, raises TextError (.kind, "
           ".offset).")
      .def("decode", &decode_ids, py::arg("ids"), py::kw_only(), py::arg("rendering") = "compact",
           py::arg("skip_special") = true, py::arg("layout") = "trace",
           "The text of ids. A vocabulary that drops commas gets them back after a node or ')' "
           "when a node or '(' follows (but for '(' in the pause layout, whose expansions are "
           "written u($)). Specials are skipped unless skip_special=False; an id "
           "outside the vocabulary raises IndexError.")
      .def("to_json", &Vocabulary::to_json, "The vocabulary as JSON (as the ids datasets ship it).")
      .def("__repr__",
           [](const Vocabulary& v) {
             return "Vocabulary(" + repr_string(v.name()) +
                    ", label_space=" + std::to_string(v.label_space()) + ")";
           })
      .def("__eq__",
           [](const Vocabulary& a, py::handle b) {
             if (!py::isinstance<Vocabulary>(b))
               return false;
             const Vocabulary& c = b.cast<const Vocabulary&>();
             return a.name() == c.name() && a.label_space() == c.label_space();
           })
      .def("__hash__",
           [](const Vocabulary& v) {
             return py::hash(py::make_tuple(std::string(v.name()), v.label_space()));
           })
      .def(py::pickle(
          [](const Vocabulary& v) {
            return py::make_tuple(std::string(v.name()), v.label_space());
          },
          [](const py::tuple& t) { return as_vocabulary(t[0], t[1].cast<Label>()); }));
  m.attr("VOCABULARIES") = py::make_tuple("standard", "numeral", "numeral-eot");
}

} // namespace searchtrace::python

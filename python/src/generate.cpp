// Families and generation: samples as Python objects, and index ranges straight into numpy
// arrays (token ids, offsets, loss mask, per-sample metadata, per-token state labels), made by
// several threads without the GIL. Sample i is a pure function of (spec, options, seed, i), and
// the chunks are put together in index order, so the arrays never depend on the thread count.
#include <condition_variable>
#include <cstdio>
#include <mutex>

#include "common.hpp"
#include "searchtrace/dataset.hpp"
#include "searchtrace/family.hpp"
#include "searchtrace/labels.hpp"

namespace searchtrace::python {

namespace {

std::uint64_t index_arg(py::handle obj, const char* name) {
  if (!PyLong_Check(obj.ptr()) && !PyObject_HasAttrString(obj.ptr(), "__index__"))
    throw py::type_error(std::string(name) + " must be an integer");
  const py::int_ i = py::reinterpret_steal<py::int_>(PyNumber_Index(obj.ptr()));
  if (!i)
    throw py::error_already_set();
  if (i < py::int_(0))
    throw py::value_error(std::string(name) + " must not be negative, got " +
                          std::string(py::str(py::object(i))));
  const unsigned long long v = PyLong_AsUnsignedLongLong(i.ptr());
  if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred())
    throw py::error_already_set(); // OverflowError: beyond 64 bits
  return v;
}

std::string hex(const Fingerprint& f) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(f.hi),
                static_cast<unsigned long long>(f.lo));
  return buf;
}

Family family_of(std::string_view spec) {
  auto f = parse_family(spec);
  if (!f)
    throw Error("FamilyError", std::string(family_error_kind_name(f.error().kind)),
                f.error().offset, f.error().message);
  return std::move(*f);
}

Family as_family(py::handle obj) {
  if (py::isinstance<Family>(obj))
    return obj.cast<Family>();
  return family_of(as_text(obj));
}

/// A Python Generator: the options, and one library Generator for single samples (the workers of
/// a batch make their own).
struct PyGenerator {
  DatasetOptions options;
  Family family;
  Generator generator;

  PyGenerator(const Family& f, const DatasetOptions& o)
      : options(o), family(f), generator(checked(f, o)) {
    options.family_spec = family.spec();
  }

  static Generator checked(const Family& f, const DatasetOptions& o) {
    const double q = o.split.test_fraction;
    if (!(q >= 0.0 && q <= 1.0))
      throw py::value_error("test_fraction must be in [0, 1], got " +
                            searchtrace::detail::format_double_brief(q));
    return Generator(f, o);
  }

  bool has_fingerprints() const noexcept {
    return options.split.kind != SplitKind::all || options.fingerprints;
  }
};

/// A sample as Python sees it: its own copy, with the run's options for `record()`.
struct PySample {
  Prompt prompt;
  Trace trace;
  std::string text;
  SampleInfo info;
  std::string family;
  std::uint64_t seed = 0;
  SplitKind split = SplitKind::all;
  Algorithm algorithm = Algorithm::bfs;
  bool has_fingerprint = false;

  std::string_view prompt_text() const {
    return std::string_view(text).substr(0, info.prompt_bytes);
  }
  std::string_view completion_text() const {
    return std::string_view(text).substr(info.prompt_bytes);
  }
};

Error sample_error(const SampleError& e, std::uint64_t index) {
  return Error("SampleError", e.constraint, 0, e.message, index);
}

PySample make_sample(PyGenerator& g, std::uint64_t index) {
  Sample s;
  if (auto e = g.generator.generate(index, s))
    throw sample_error(*e, index);
  PySample out;
  out.prompt = std::move(s.prompt);
  out.trace = std::move(s.trace);
  out.text = std::move(s.text);
  out.info = s.info;
  out.family = g.options.family_spec;
  out.seed = g.options.seed;
  out.split = g.options.split.kind;
  out.algorithm = g.options.search.algorithm;
  out.has_fingerprint = g.has_fingerprints();
  return out;
}

// --- arrays
// -----------------------------------------------------------------------------------------

enum class LabelsWanted : std::uint8_t { none, packed, dense };

/// The output arrays (BigVector: the final ones are large) and a worker's chunk of them.
struct ChunkArrays {
  BigVector<std::uint16_t> ids;
  BigVector<std::uint64_t> lengths;
  BigVector<std::uint32_t> completion_start;
  BigVector<std::uint32_t> nodes, edges, distance, expansions;
  BigVector<std::uint64_t> fingerprint; // hi, lo per sample
  StateRows rows;

  /// Empties it, keeping the buffers.
  void clear() noexcept {
    for (auto* v : {&lengths, &fingerprint})
      v->clear();
    for (auto* v : {&completion_start, &nodes, &edges, &distance, &expansions})
      v->clear();
    ids.clear();
    rows.clear();
  }
};

/// One worker's tools: a generator, its sample and a chunk buffer.
struct Worker {
  Generator generator;
  Sample sample;
  ChunkArrays chunk;
};

struct ArraysJob {
  const PyGenerator* g = nullptr;
  const Vocabulary* vocabulary = nullptr;
  LabelsWanted labels = LabelsWanted::none;
  bool fingerprints = false;
  std::uint64_t start = 0, stop = 0;
  std::uint64_t chunk = 0;
};

void fill_chunk(const ArraysJob& job, Worker& w, std::uint64_t begin, std::uint64_t end,
                ChunkArrays& c) {
  const Vocabulary& v = *job.vocabulary;
  // The prompt's ids: <bos>, 4m + 3 tokens, m + 1 of them commas.
  const std::size_t bos = v.bos() ? 1 : 0;
  const bool drops_commas = v.drops_commas();
  const std::size_t n = static_cast<std::size_t>(end - begin);
  c.lengths.reserve(n);
  c.completion_start.reserve(n);
  for (auto* meta : {&c.nodes, &c.edges, &c.distance, &c.expansions})
    meta->reserve(n);
  for (std::uint64_t i = begin; i < end; ++i) {
    const std::size_t rows_before = c.rows.rows();
    const std::size_t first = c.ids.size();
    // The ids straight from the search's token writer (no text); the labeler, when asked for, is
    // a second sink on the sample's one search, its rows made from the same token writer.
    if (job.labels != LabelsWanted::none) {
      StateLabeler labeler(c.rows, &v);
      if (auto e = w.generator.generate_ids(i, w.sample, v, c.ids, labeler))
        throw sample_error(*e, i);
    } else if (auto e = w.generator.generate_ids(i, w.sample, v, c.ids)) {
      throw sample_error(*e, i);
    }
    const SampleInfo& info = w.sample.info;
    c.completion_start.push_back(
        static_cast<std::uint32_t>(bos + info.prompt_tokens - (drops_commas ? info.edges + 1 : 0)));
    const std::size_t length = c.ids.size() - first;
    c.lengths.push_back(length);
    c.nodes.push_back(info.nodes);
    c.edges.push_back(info.edges);
    c.distance.push_back(info.distance);
    c.expansions.push_back(info.expansions);
    if (job.fingerprints) {
      c.fingerprint.push_back(info.fingerprint.hi);
      c.fingerprint.push_back(info.fingerprint.lo);
    }
    if (job.labels != LabelsWanted::none && c.rows.rows() - rows_before != length)
      throw std::logic_error("searchtrace: the state labels of sample " + std::to_string(i) +
                             " do not line up with its ids (" +
                             std::to_string(c.rows.rows() - rows_before) + " rows, " +
                             std::to_string(length) + " ids)");
  }
}

template <class T, class A, class B>
void append(std::vector<T, A>& to, const std::vector<T, B>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

struct StateArrays {
  std::string layout;
  Label label_space = 0;
  py::object phase, current, frontier_bits, expanded_bits, in_frontier, expanded, discovered,
      frontier_rank, parent;
};

struct SampleArrays {
  std::uint64_t start = 0, stop = 0;
  Vocabulary vocabulary = Vocabulary::standard();
  // loss_mask and index are made on first use: they follow from the others, and writing fresh
  // memory is a good part of the cost of a large range.
  mutable py::object loss_mask_cache, index_cache;
  py::object ids, offsets, completion_start, nodes, edges, distance, expansions, fingerprint,
      labels;
};

SampleArrays make_arrays(const PyGenerator& g, py::handle start_obj, py::handle stop_obj,
                         py::handle vocabulary_obj, int threads_arg, py::handle labels_obj,
                         std::uint64_t chunk) {
  const std::uint64_t start = index_arg(start_obj, "start");
  const std::uint64_t stop = index_arg(stop_obj, "stop");
  if (stop < start)
    throw py::value_error("stop (" + std::to_string(stop) + ") must not be below start (" +
                          std::to_string(start) + ")");
  const unsigned threads = resolve_threads(threads_arg);
  Vocabulary vocabulary = as_vocabulary(vocabulary_obj, g.family.label_space());
  if (vocabulary.size() > 65536)
    throw py::value_error("the ids are uint16: a vocabulary of " +
                          std::to_string(vocabulary.size()) + " ids does not fit");
  if (vocabulary.label_space() < g.family.label_space())
    throw py::value_error("the vocabulary's label space (" +
                          std::to_string(vocabulary.label_space()) + ") is smaller than the " +
                          "family's (" + std::to_string(g.family.label_space()) + ")");
  if (g.options.layout == CompletionLayout::pause) {
    try {
      (void)vocabulary.symbol_id('$');
    } catch (const std::out_of_range&) {
      throw py::value_error("the pause layout writes '$', which the " +
                            std::string(vocabulary.name()) + " vocabulary does not have");
    }
  }
  LabelsWanted labels = LabelsWanted::none;
  if (!labels_obj.is_none()) {
    const std::string_view l = as_text(labels_obj);
    if (l == "packed")
      labels = LabelsWanted::packed;
    else if (l == "dense")
      labels = LabelsWanted::dense;
    else
      throw py::value_error("labels must be None, 'packed' or 'dense', got '" + std::string(l) +
                            "'");
    if (g.options.layout != CompletionLayout::trace)
      throw py::value_error("state labels follow the trace layout; this generator writes the " +
                            std::string(completion_layout_name(g.options.layout)) + " layout");
    if (labels == LabelsWanted::packed && vocabulary.label_space() > 64)
      throw py::value_error("packed labels need a label space of at most 64 (one bit per label), "
                            "got " +
                            std::to_string(vocabulary.label_space()) + "; use labels='dense'");
  }
  if (chunk == 0)
    throw py::value_error("chunk must be positive");

  ArraysJob job{&g, &vocabulary, labels, g.has_fingerprints(), start, stop, chunk};
  const std::uint64_t n = stop - start;
  const std::size_t chunks = static_cast<std::size_t>((n + chunk - 1) / chunk);
  ChunkArrays all;
  BigVector<std::uint64_t> offsets{0};
  {
    py::gil_scoped_release release;
    // Each worker fills its own chunk buffer (kept across chunks), then appends it to the final
    // arrays when every chunk before it has been appended: one copy of the data, in index order,
    // into buffers reserved once (a chunk buffer per chunk, put together at the end, measured
    // half the speed: the copies of regrowth and the page faults of fresh buffers).
    std::mutex m;
    std::condition_variable cv;
    std::size_t committed = 0;
    bool failed = false;
    std::vector<std::optional<Worker>> workers(
        std::min<std::size_t>(threads, std::max<std::size_t>(chunks, 1)));
    const auto commit = [&](const ChunkArrays& c) {
      if (committed == 0) {
        // Reserve for the whole range from the first chunk's averages.
        const double per_sample = static_cast<double>(c.ids.size()) /
                                  static_cast<double>(std::max<std::size_t>(c.lengths.size(), 1));
        const auto tokens = static_cast<std::size_t>(per_sample * static_cast<double>(n) * 1.05);
        all.ids.reserve(tokens);
        offsets.reserve(static_cast<std::size_t>(n) + 1);
        for (auto* v :
             {&all.completion_start, &all.nodes, &all.edges, &all.distance, &all.expansions})
          v->reserve(static_cast<std::size_t>(n));
        if (job.fingerprints)
          all.fingerprint.reserve(2 * static_cast<std::size_t>(n));
        const auto reserve_rows = [&](auto& to, const auto& from) {
          to.reserve(static_cast<std::size_t>(static_cast<double>(from.size()) /
                                              static_cast<double>(c.ids.size() + 1) *
                                              static_cast<double>(tokens)) +
                     from.size());
        };
        reserve_rows(all.rows.phase, c.rows.phase);
        reserve_rows(all.rows.current, c.rows.current);
        reserve_rows(all.rows.frontier_bits, c.rows.frontier_bits);
        reserve_rows(all.rows.expanded_bits, c.rows.expanded_bits);
        reserve_rows(all.rows.in_frontier, c.rows.in_frontier);
        reserve_rows(all.rows.expanded, c.rows.expanded);
        reserve_rows(all.rows.discovered, c.rows.discovered);
        reserve_rows(all.rows.frontier_rank, c.rows.frontier_rank);
        reserve_rows(all.rows.parent, c.rows.parent);
      }
      append(all.ids, c.ids);
      for (std::size_t k = 0; k < c.lengths.size(); ++k) {
        offsets.push_back(offsets.back() + c.lengths[k]);
      }
      append(all.completion_start, c.completion_start);
      append(all.nodes, c.nodes);
      append(all.edges, c.edges);
      append(all.distance, c.distance);
      append(all.expansions, c.expansions);
      append(all.fingerprint, c.fingerprint);
      StateRows& r = all.rows;
      append(r.phase, c.rows.phase);
      append(r.current, c.rows.current);
      append(r.frontier_bits, c.rows.frontier_bits);
      append(r.expanded_bits, c.rows.expanded_bits);
      append(r.in_frontier, c.rows.in_frontier);
      append(r.expanded, c.rows.expanded);
      append(r.discovered, c.rows.discovered);
      append(r.frontier_rank, c.rows.frontier_rank);
      append(r.parent, c.rows.parent);
    };
    parallel_chunks(chunks, threads, [&](unsigned wi, std::size_t ci) {
      if (!workers[wi])
        workers[wi].emplace(Worker{Generator(g.family, g.options), {}, {}});
      Worker& w = *workers[wi];
      ChunkArrays& c = w.chunk;
      c.clear();
      c.rows.label_space = vocabulary.label_space();
      c.rows.layout = labels == LabelsWanted::dense ? StateLayout::dense : StateLayout::packed;
      const std::uint64_t b = start + ci * chunk;
      try {
        fill_chunk(job, w, b, std::min(stop, b + chunk), c);
      } catch (...) {
        {
          const std::lock_guard lock(m);
          failed = true;
        }
        cv.notify_all();
        throw;
      }
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return committed == ci || failed; });
      if (failed)
        return; // a chunk failed: its error is reported, these arrays are not
      commit(c);
      ++committed;
      lock.unlock();
      cv.notify_all();
    });
  }

  SampleArrays out;
  out.start = start;
  out.stop = stop;
  out.vocabulary = vocabulary;
  const auto T = static_cast<py::ssize_t>(all.ids.size());
  out.ids = to_numpy(std::move(all.ids));
  out.offsets = to_numpy(std::move(offsets));
  out.completion_start = to_numpy(std::move(all.completion_start));
  out.nodes = to_numpy(std::move(all.nodes));
  out.edges = to_numpy(std::move(all.edges));
  out.distance = to_numpy(std::move(all.distance));
  out.expansions = to_numpy(std::move(all.expansions));
  out.fingerprint =
      job.fingerprints
          ? py::object(to_numpy(std::move(all.fingerprint), {static_cast<py::ssize_t>(n), 2}))
          : py::object(py::none());
  if (labels == LabelsWanted::none) {
    out.labels = py::none();
  } else {
    StateArrays s;
    StateRows& r = all.rows;
    const auto L = static_cast<py::ssize_t>(vocabulary.label_space());
    s.label_space = vocabulary.label_space();
    s.layout = labels == LabelsWanted::packed ? "packed" : "dense";
    s.phase = to_numpy(std::move(r.phase));
    s.current = to_numpy(std::move(r.current));
    s.frontier_bits = s.expanded_bits = s.in_frontier = s.expanded = s.discovered =
        s.frontier_rank = s.parent = py::none();
    if (labels == LabelsWanted::packed) {
      s.frontier_bits = to_numpy(std::move(r.frontier_bits));
      s.expanded_bits = to_numpy(std::move(r.expanded_bits));
    } else {
      s.in_frontier = to_numpy(std::move(r.in_frontier), {T, L});
      s.expanded = to_numpy(std::move(r.expanded), {T, L});
      s.discovered = to_numpy(std::move(r.discovered), {T, L});
      s.frontier_rank = to_numpy(std::move(r.frontier_rank), {T, L});
      s.parent = to_numpy(std::move(r.parent), {T, L});
    }
    out.labels = py::cast(std::move(s));
  }
  return out;
}

py::object loss_mask_of(const SampleArrays& a) {
  if (!a.loss_mask_cache) {
    const auto offsets = a.offsets.cast<py::array_t<std::uint64_t>>();
    const auto starts = a.completion_start.cast<py::array_t<std::uint32_t>>();
    const std::uint64_t* off = offsets.data();
    const std::uint32_t* cs = starts.data();
    const auto n = static_cast<std::size_t>(starts.size());
    BigVector<std::uint8_t> mask(static_cast<std::size_t>(off[n]), 0);
    for (std::size_t k = 0; k < n; ++k)
      std::fill(mask.begin() + static_cast<std::ptrdiff_t>(off[k] + cs[k]),
                mask.begin() + static_cast<std::ptrdiff_t>(off[k + 1]), std::uint8_t{1});
    a.loss_mask_cache = to_numpy(std::move(mask)).attr("view")(py::dtype::of<bool>());
  }
  return a.loss_mask_cache;
}

py::object index_of(const SampleArrays& a) {
  if (!a.index_cache) {
    BigVector<std::uint64_t> index(static_cast<std::size_t>(a.stop - a.start));
    for (std::size_t k = 0; k < index.size(); ++k)
      index[k] = a.start + k;
    a.index_cache = to_numpy(std::move(index));
  }
  return a.index_cache;
}

py::list make_texts(const PyGenerator& g, py::handle start_obj, py::handle stop_obj,
                    int threads_arg) {
  const std::uint64_t start = index_arg(start_obj, "start");
  const std::uint64_t stop = index_arg(stop_obj, "stop");
  if (stop < start)
    throw py::value_error("stop (" + std::to_string(stop) + ") must not be below start (" +
                          std::to_string(start) + ")");
  const unsigned threads = resolve_threads(threads_arg);
  constexpr std::uint64_t chunk = 4096;
  const std::uint64_t n = stop - start;
  const std::size_t chunks = static_cast<std::size_t>((n + chunk - 1) / chunk);
  struct Part {
    std::string bytes;
    std::vector<std::size_t> ends;
  };
  std::vector<Part> parts(chunks);
  {
    py::gil_scoped_release release;
    std::vector<std::optional<Worker>> workers(threads);
    parallel_chunks(chunks, threads, [&](unsigned wi, std::size_t ci) {
      if (!workers[wi])
        workers[wi].emplace(Worker{Generator(g.family, g.options), {}, {}});
      Worker& w = *workers[wi];
      Part& p = parts[ci];
      const std::uint64_t b = start + ci * chunk;
      for (std::uint64_t i = b; i < std::min(stop, b + chunk); ++i) {
        if (auto e = w.generator.generate(i, w.sample))
          throw sample_error(*e, i);
        p.bytes += w.sample.text;
        p.ends.push_back(p.bytes.size());
      }
    });
  }
  py::list out(static_cast<std::size_t>(n));
  std::size_t k = 0;
  for (const Part& p : parts) {
    std::size_t begin = 0;
    for (const std::size_t end : p.ends) {
      PyObject* s =
          PyUnicode_FromStringAndSize(p.bytes.data() + begin, static_cast<Py_ssize_t>(end - begin));
      if (s == nullptr)
        throw py::error_already_set();
      PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(k++), s);
      begin = end;
    }
  }
  return out;
}

py::dict params_of(const Family& f) {
  const FamilyParams& p = f.params();
  py::dict d;
  const auto bound = [](std::uint32_t v) {
    return v == FamilyParams::unbounded ? py::object(py::none()) : py::object(py::int_(v));
  };
  d["topology"] = std::string(topology_name(p.topology));
  d["n"] = p.n;
  d["m"] = p.m;
  d["p"] = p.p;
  d["w"] = p.w;
  d["h"] = p.h;
  d["holes"] = p.holes;
  d["degree"] = p.degree;
  d["length"] = p.length;
  d["layers"] = p.layers;
  d["width"] = p.width;
  d["dist_min"] = p.dist_min;
  d["dist_max"] = bound(p.dist_max);
  d["unique"] = p.unique;
  d["min_degree"] = p.min_degree;
  d["max_degree"] = bound(p.max_degree);
  d["directed"] = p.directed;
  d["connected"] = p.connected;
  d["L"] = p.label_space;
  d["shuffle"] = p.shuffle;
  d["flip"] = p.flip;
  return d;
}

py::dict record_of(const PySample& s) {
  // The keys and order of `searchtrace generate --format jsonl`.
  py::dict d;
  d["prompt"] = std::string(s.prompt_text());
  d["completion"] = std::string(s.completion_text());
  d["family"] = s.family;
  d["seed"] = s.seed;
  d["index"] = s.info.index;
  d["split"] = std::string(split_kind_name(s.split));
  d["algo"] = std::string(algorithm_name(s.algorithm));
  d["nodes"] = s.info.nodes;
  d["edges"] = s.info.edges;
  d["distance"] = s.info.distance;
  d["expansions"] = s.info.expansions;
  d["prompt_tokens"] = s.info.prompt_tokens;
  d["completion_tokens"] = s.info.completion_tokens;
  d["fingerprint"] =
      s.has_fingerprint ? py::object(py::str(hex(s.info.fingerprint))) : py::object(py::none());
  return d;
}

std::unique_ptr<PyGenerator>
make_generator(py::handle family, std::uint64_t seed, std::string_view algo, std::string_view order,
               std::string_view listing, std::string_view stop, std::string_view rendering,
               std::string_view layout, std::string_view split, double test_fraction,
               std::uint64_t split_key, bool split_relabel, bool fingerprints) {
  DatasetOptions o;
  o.seed = seed;
  o.search = search_options(algo, order, listing, stop);
  o.rendering = rendering_of(rendering);
  o.layout = layout_of(layout);
  const auto kind = parse_split_kind(split);
  if (!kind)
    throw py::value_error("split must be one of 'all', 'train', 'test', got '" +
                          std::string(split) + "'");
  o.split = {*kind, test_fraction, split_key};
  o.relabel_invariant_split = split_relabel;
  o.fingerprints = fingerprints;
  const Family f = as_family(family);
  o.family_spec = f.spec();
  return std::make_unique<PyGenerator>(f, o);
}

py::tuple generator_state(const PyGenerator& g) {
  const DatasetOptions& o = g.options;
  return py::make_tuple(
      o.family_spec, o.seed, std::string(algorithm_name(o.search.algorithm)),
      std::string(order_name(o.search.order)), std::string(listing_name(o.search.listing)),
      std::string(stop_name(o.search.stop)),
      o.rendering == Rendering::compact ? "compact" : "pretty",
      std::string(completion_layout_name(o.layout)), std::string(split_kind_name(o.split.kind)),
      o.split.test_fraction, o.split.key, o.relabel_invariant_split, o.fingerprints);
}

} // namespace

void init_generate(py::module_& m) {
  py::class_<Family>(m, "Family",
                     "A graph family from its spec string: 'G15_2_4' (the seed's: 15 nodes, "
                     "queries 2 to 4 steps apart), 'er(n=20,p=0.15,dist=3..5)', "
                     "'grid(w=5,h=4)', 'tree(n=15)', 'pathstar(degree=5,length=4)', "
                     "'dag(layers=5,width=3)', with keys such as unique, maxdeg=, L=. A bad spec "
                     "raises FamilyError (.kind, .offset).")
      .def(py::init([](py::handle spec) { return family_of(as_text(spec)); }), py::arg("spec"))
      .def_property_readonly("spec", &Family::spec, "The canonical spec.")
      .def("describe", &Family::describe, "A sentence per aspect of the family.")
      .def_property_readonly(
          "topology", [](const Family& f) { return std::string(topology_name(f.topology())); })
      .def_property_readonly("directed", &Family::directed)
      .def_property_readonly("label_space", &Family::label_space,
                             "L: labels are drawn from 0..L-1.")
      .def_property_readonly("min_nodes", &Family::min_nodes)
      .def_property_readonly("max_nodes", &Family::max_nodes)
      .def_property_readonly("max_distance", &Family::max_distance,
                             "An upper bound on the query's shortest-path length.")
      .def_property_readonly("params", &params_of,
                             "Every parameter after defaults (None for an unbounded one).")
      .def("__str__", &Family::spec)
      .def("__repr__",
           [](const Family& f) {
             return "Family(" + std::string(py::repr(py::str(f.spec()))) + ")";
           })
      .def("__eq__",
           [](const Family& a, py::handle b) {
             return py::isinstance<Family>(b) && a.spec() == b.cast<const Family&>().spec();
           })
      .def("__hash__", [](const Family& f) { return py::hash(py::str(f.spec())); })
      .def(py::pickle([](const Family& f) { return py::make_tuple(f.spec()); },
                      [](const py::tuple& t) { return family_of(t[0].cast<std::string>()); }));

  py::class_<PySample>(m, "Sample",
                       "One generated sample: the prompt, the reference trace, the text (prompt "
                       "immediately followed by the completion) and what it is.")
      .def_property_readonly(
          "prompt", [](const PySample& s) -> const Prompt& { return s.prompt; },
          py::return_value_policy::reference_internal)
      .def_property_readonly(
          "trace", [](const PySample& s) -> const Trace& { return s.trace; },
          py::return_value_policy::reference_internal)
      .def_readonly("text", &PySample::text)
      .def_property_readonly("prompt_text",
                             [](const PySample& s) { return std::string(s.prompt_text()); })
      .def_property_readonly("completion_text",
                             [](const PySample& s) { return std::string(s.completion_text()); })
      .def_property_readonly("index", [](const PySample& s) { return s.info.index; })
      .def_property_readonly("nodes", [](const PySample& s) { return s.info.nodes; })
      .def_property_readonly("edges", [](const PySample& s) { return s.info.edges; })
      .def_property_readonly(
          "distance", [](const PySample& s) { return s.info.distance; },
          "The query's shortest-path length.")
      .def_property_readonly("expansions", [](const PySample& s) { return s.info.expansions; })
      .def_property_readonly(
          "prompt_tokens", [](const PySample& s) { return s.info.prompt_tokens; },
          "Grammar tokens of the prompt, commas included.")
      .def_property_readonly(
          "completion_tokens", [](const PySample& s) { return s.info.completion_tokens; },
          "Grammar tokens of the completion, commas included.")
      .def_property_readonly(
          "candidates", [](const PySample& s) { return s.info.candidates; },
          "Candidates drawn to land in the split (1 for split='all').")
      .def_property_readonly(
          "fingerprint",
          [](const PySample& s) {
            return s.has_fingerprint ? py::object(py::str(hex(s.info.fingerprint)))
                                     : py::object(py::none());
          },
          "32 hex digits of the (graph, query) pair, or None when the generator computes none.")
      .def("record", &record_of,
           "The sample as `searchtrace generate --format jsonl` writes it (a dict, same keys "
           "in the same order).")
      .def("__str__", [](const PySample& s) { return s.text; })
      .def("__repr__", [](const PySample& s) {
        return "Sample(index=" + std::to_string(s.info.index) +
               ", text=" + std::string(py::repr(py::str(s.text))) + ")";
      });

  py::class_<StateArrays>(
      m, "StateArrays",
      "Per-token state labels of generated samples, a row per id (labels.hpp). phase (int8: 0 "
      "prompt, 1 exploration, 2 backtrack, 3 answer) and current (int32: the label being "
      "expanded, -1) always; packed: frontier_bits, expanded_bits (uint64, bit v = label v); "
      "dense: in_frontier, expanded, discovered (int8), frontier_rank (int16, -1 = absent), "
      "parent (int32, -1 = none), each rows x label_space.")
      .def_readonly("layout", &StateArrays::layout)
      .def_readonly("label_space", &StateArrays::label_space)
      .def_readonly("phase", &StateArrays::phase)
      .def_readonly("current", &StateArrays::current)
      .def_readonly("frontier_bits", &StateArrays::frontier_bits)
      .def_readonly("expanded_bits", &StateArrays::expanded_bits)
      .def_readonly("in_frontier", &StateArrays::in_frontier)
      .def_readonly("expanded", &StateArrays::expanded)
      .def_readonly("discovered", &StateArrays::discovered)
      .def_readonly("frontier_rank", &StateArrays::frontier_rank)
      .def_readonly("parent", &StateArrays::parent)
      .def("__repr__", [](const StateArrays& s) {
        return "StateArrays(layout='" + s.layout + "', rows=" + std::to_string(py::len(s.phase)) +
               ", label_space=" + std::to_string(s.label_space) + ")";
      });

  py::class_<SampleArrays>(
      m, "SampleArrays",
      "Samples start..stop-1 as numpy arrays, as `searchtrace generate --format ids` writes "
      "them: ids (uint16), offsets (uint64, samples+1: sample k is ids[offsets[k]:offsets[k+1]]); "
      "loss_mask (bool per id: the completion's tokens, its <eos> included); per sample: "
      "completion_start (uint32, the index of its first completion token within the sample), "
      "index, nodes, edges, distance, expansions, fingerprint (uint64 pairs hi, lo, or None); "
      "labels (StateArrays or None).")
      .def_readonly("start", &SampleArrays::start)
      .def_readonly("stop", &SampleArrays::stop)
      .def_readonly("vocabulary", &SampleArrays::vocabulary)
      .def_readonly("ids", &SampleArrays::ids)
      .def_readonly("offsets", &SampleArrays::offsets)
      .def_property_readonly("loss_mask", &loss_mask_of)
      .def_readonly("completion_start", &SampleArrays::completion_start)
      .def_property_readonly("index", &index_of)
      .def_readonly("nodes", &SampleArrays::nodes)
      .def_readonly("edges", &SampleArrays::edges)
      .def_readonly("distance", &SampleArrays::distance)
      .def_readonly("expansions", &SampleArrays::expansions)
      .def_readonly("fingerprint", &SampleArrays::fingerprint)
      .def_readonly("labels", &SampleArrays::labels)
      .def("__len__", [](const SampleArrays& a) { return a.stop - a.start; })
      .def(
          "sample_ids",
          [](const SampleArrays& a, std::int64_t k) {
            const auto n = static_cast<std::int64_t>(a.stop - a.start);
            if (k < 0)
              k += n;
            if (k < 0 || k >= n)
              throw py::index_error("sample " + std::to_string(k) + " is outside 0.." +
                                    std::to_string(n - 1));
            const auto off = a.offsets.cast<py::array_t<std::uint64_t>>();
            const auto b = static_cast<py::ssize_t>(off.at(k));
            const auto e = static_cast<py::ssize_t>(off.at(k + 1));
            return a.ids[py::slice(b, e, 1)];
          },
          py::arg("k"), "The ids of the k-th sample of the arrays (a view).")
      .def("__repr__", [](const SampleArrays& a) {
        return "SampleArrays(start=" + std::to_string(a.start) +
               ", stop=" + std::to_string(a.stop) + ", tokens=" + std::to_string(py::len(a.ids)) +
               ", vocabulary=" + std::string(py::repr(py::cast(a.vocabulary))) + ")";
      });

  py::class_<PyGenerator>(
      m, "Generator",
      "Samples of a family: sample i is a pure function of (family, options, seed, i), so any "
      "index range, any thread count and any machine give the same bytes as "
      "`searchtrace generate`. Options as the tool's: algo, order, listing, stop, rendering, "
      "layout, split ('all', 'train', 'test'), test_fraction, split_key, split_relabel; "
      "fingerprints=True computes fingerprints for split='all' too.")
      .def(py::init(&make_generator), py::arg("family") = "G15_2_4", py::kw_only(),
           py::arg("seed") = 0, py::arg("algo") = "bfs", py::arg("order") = "ascending",
           py::arg("listing") = "unexpanded", py::arg("stop") = "on_list",
           py::arg("rendering") = "compact", py::arg("layout") = "trace", py::arg("split") = "all",
           py::arg("test_fraction") = 0.1, py::arg("split_key") = 0,
           py::arg("split_relabel") = false, py::arg("fingerprints") = false)
      .def_property_readonly(
          "family", [](const PyGenerator& g) { return g.family; }, "The Family.")
      .def_property_readonly("seed", [](const PyGenerator& g) { return g.options.seed; })
      .def_property_readonly(
          "options",
          [](const PyGenerator& g) {
            const py::tuple t = generator_state(g);
            py::dict d;
            const char* keys[] = {"family",      "seed",          "algo",      "order",
                                  "listing",     "stop",          "rendering", "layout",
                                  "split",       "test_fraction", "split_key", "split_relabel",
                                  "fingerprints"};
            for (std::size_t i = 0; i < std::size(keys); ++i)
              d[keys[i]] = t[i];
            return d;
          },
          "The options as keyword arguments (the family's canonical spec).")
      .def(
          "sample",
          [](PyGenerator& g, py::handle index) {
            return make_sample(g, index_arg(index, "index"));
          },
          py::arg("index"), "Sample `index`. Raises SampleError when it cannot be drawn.")
      .def(
          "samples",
          [](PyGenerator& g, py::handle start, py::handle stop) {
            const std::uint64_t b = index_arg(start, "start"), e = index_arg(stop, "stop");
            if (e < b)
              throw py::value_error("stop must not be below start");
            std::vector<PySample> out;
            out.reserve(static_cast<std::size_t>(e - b));
            for (std::uint64_t i = b; i < e; ++i)
              out.push_back(make_sample(g, i));
            return out;
          },
          py::arg("start"), py::arg("stop"), "Samples start..stop-1.")
      .def("texts", &make_texts, py::arg("start"), py::arg("stop"), py::kw_only(),
           py::arg("threads") = 1,
           "The texts (prompt + completion) of samples start..stop-1, as `searchtrace generate` "
           "writes them (without the newlines); threads=0 uses every hardware thread.")
      .def("arrays", &make_arrays, py::arg("start"), py::arg("stop"), py::kw_only(),
           py::arg("vocabulary") = "standard", py::arg("threads") = 1,
           py::arg("labels") = py::none(), py::arg("chunk") = 4096,
           "Samples start..stop-1 as numpy arrays (SampleArrays), made by `threads` threads "
           "(0: every hardware thread) without the GIL, in chunks of `chunk` samples; the "
           "arrays are the same for every thread count. vocabulary: a Vocabulary or a preset "
           "name (made with the family's label space). labels: None, 'packed' or 'dense'.")
      .def("__repr__",
           [](const PyGenerator& g) {
             return "Generator(" + std::string(py::repr(py::str(g.options.family_spec))) +
                    ", seed=" + std::to_string(g.options.seed) + ")";
           })
      .def(py::pickle(&generator_state, [](const py::tuple& t) {
        return make_generator(
            t[0], t[1].cast<std::uint64_t>(), t[2].cast<std::string>(), t[3].cast<std::string>(),
            t[4].cast<std::string>(), t[5].cast<std::string>(), t[6].cast<std::string>(),
            t[7].cast<std::string>(), t[8].cast<std::string>(), t[9].cast<double>(),
            t[10].cast<std::uint64_t>(), t[11].cast<bool>(), t[12].cast<bool>());
      }));
}

} // namespace searchtrace::python

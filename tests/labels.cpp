#include <searchtrace/labels.hpp>

#include <searchtrace/classify.hpp>
#include <searchtrace/completion.hpp>
#include <searchtrace/dataset.hpp>
#include <searchtrace/render.hpp>
#include <searchtrace/tracer.hpp>
#include <searchtrace/vocabulary.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "random_graphs.hpp"
#include "support.hpp"

using namespace searchtrace;

namespace {

// --- an independent checker --------------------------------------------------------------------
//
// The state every token implies, from the sample's text alone: its own tokenizer, its own
// completion grammar and its own simulation of the queue or stack. It shares no code with the
// labeler (no SearchState, no TokenWriter, no replay, no parser). Rule: each token applies its
// own step, and its row is the state after it: '<' starts (the source waits), an expanded node
// is expanded (if it is a node of the graph), a listed node is discovered and queued (BFS, first
// lister is the parent) or stacked when its list closes (DFS, last lister is the parent), ')'
// closes the list; every other token changes nothing.

struct Tok {
  char kind; // 'n' for a number, else the punctuation character
  std::uint64_t value = 0;
};

// The tokens before the first lexical error: a leading zero, a byte that is not a token, a
// space where no rendering puts one (one after a comma inside parentheses, one on either side of
// '-').
std::vector<Tok> tokenize(std::string_view s, bool* whole = nullptr) {
  std::vector<Tok> out;
  bool inside = false;
  if (whole != nullptr)
    *whole = false;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == ' ') {
      const char before = out.empty() ? 0 : out.back().kind;
      const char after = i + 1 < s.size() ? s[i + 1] : 0;
      const bool ok = (before == ',' && inside && after != ' ') || before == '-' ||
                      (after == '-' && before != ' ') ||
                      (after == ' ' && i + 2 < s.size() && s[i + 2] == '-' && before == ')');
      if (!ok)
        return out;
      ++i;
    } else if (c >= '0' && c <= '9') {
      if (c == '0' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9')
        return out;
      std::uint64_t v = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        v = std::min<std::uint64_t>(v * 10 + static_cast<std::uint64_t>(s[i++] - '0'), 1ull << 40);
      out.push_back({'n', v});
    } else if (std::string_view("|/,<>()-=").find(c) != std::string_view::npos) {
      inside = c == '(' ? true : c == ')' ? false : inside;
      out.push_back({c, 0});
      ++i;
    } else {
      return out;
    }
  }
  if (whole != nullptr)
    *whole = true;
  return out;
}

// How many tokens of a completion are a prefix of the grammar (the rest is cut by a syntax error
// or truncation); `complete` when they are a whole completion.
std::size_t grammar_prefix(const std::vector<Tok>& t, bool& complete) {
  // States: 0 start, 1 '<', 2 expanded node, 3 ',' after it, 4 '(', 5 listed node, 6 ',' in
  // list, 7 ')', 8 ',' between, 9 '-', 10 backtrack node, 11 ',' in backtrack, 12 '>', 13 '=',
  // 14 path node, 15 ',' in path.
  int st = 0;
  std::size_t i = 0;
  for (; i < t.size(); ++i) {
    const char k = t[i].kind;
    int next = -1;
    switch (st) {
    case 0:
      next = k == '<' ? 1 : -1;
      break;
    case 1:
    case 8:
      next = k == 'n' ? 2 : -1;
      break;
    case 2:
      next = k == ',' ? 3 : -1;
      break;
    case 3:
      next = k == '(' ? 4 : -1;
      break;
    case 4:
      next = k == 'n' ? 5 : k == ')' ? 7 : -1;
      break;
    case 5:
      next = k == ',' ? 6 : k == ')' ? 7 : -1;
      break;
    case 6:
      next = k == 'n' ? 5 : -1;
      break;
    case 7:
      next = k == ',' ? 8 : k == '-' ? 9 : -1;
      break;
    case 9:
    case 11:
      next = k == 'n' ? 10 : -1;
      break;
    case 10:
      next = k == ',' ? 11 : k == '>' ? 12 : -1;
      break;
    case 12:
      next = k == '=' ? 13 : -1;
      break;
    case 13:
    case 15:
      next = k == 'n' ? 14 : -1;
      break;
    case 14:
      next = k == ',' ? 15 : -1;
      break;
    default:
      break;
    }
    if (next < 0)
      break;
    st = next;
  }
  complete = i == t.size() && st == 14;
  return i;
}

struct Row {
  int phase = 0;
  long current = -1;
  std::vector<long> frontier; // labels in the order they are expanded
  std::set<long> expanded, discovered;
  std::map<long, long> parent;
};

struct Checker {
  std::set<long> nodes;
  long source = 0;
  bool dfs = false;
  // The simulation.
  std::vector<long> queue;   // BFS: in order; DFS: bottom to top
  std::vector<long> pending; // DFS: the current list
  std::set<long> expanded, discovered;
  std::map<long, long> parent;
  long current = -1;
  int phase = 0;

  Row row() const {
    Row r;
    r.phase = phase;
    r.current = current;
    r.expanded = expanded;
    r.discovered = discovered;
    r.parent = parent;
    std::set<long> seen;
    if (!dfs) {
      for (const long v : queue)
        if (!expanded.count(v) && seen.insert(v).second)
          r.frontier.push_back(v);
    } else {
      for (auto it = queue.rbegin(); it != queue.rend(); ++it)
        if (!expanded.count(*it) && seen.insert(*it).second)
          r.frontier.push_back(*it);
    }
    return r;
  }

  // Applies one completion token, given the one before it.
  void step(const Tok& t, char role) {
    switch (role) {
    case '<':
      phase = 1;
      queue = {source};
      discovered = {source};
      break;
    case 'x': // an expanded node
      current = static_cast<long>(t.value);
      pending.clear();
      if (nodes.count(current)) {
        expanded.insert(current);
        discovered.insert(current);
      }
      break;
    case 'l': { // a listed node
      const long v = static_cast<long>(t.value);
      if (!nodes.count(v) || expanded.count(v))
        break;
      const bool fresh = discovered.insert(v).second;
      if (dfs) {
        parent[v] = current;
        pending.push_back(v);
      } else if (fresh) {
        parent[v] = current;
        queue.push_back(v);
      }
      break;
    }
    case ')':
      if (dfs)
        for (auto it = pending.rbegin(); it != pending.rend(); ++it)
          if (!expanded.count(*it)) {
            queue.erase(std::remove(queue.begin(), queue.end(), *it), queue.end());
            queue.push_back(*it);
          }
      pending.clear();
      current = -1;
      break;
    case '-':
      phase = 2;
      break;
    case '=':
      phase = 3;
      break;
    default:
      break;
    }
  }
};

// The rows of a whole sample, by the checker: prompt rows (empty state), then the completion's,
// in the vocabulary's tokens (none: every token of the text).
std::vector<Row> check_rows(std::string_view prompt_text, std::string_view completion, bool dfs,
                            const Vocabulary* v) {
  Checker c;
  c.dfs = dfs;
  const std::vector<Tok> pt = tokenize(prompt_text);
  for (std::size_t i = 0; i + 3 < pt.size(); i += 4) { // u , v |
    c.nodes.insert(static_cast<long>(pt[i].value));
    c.nodes.insert(static_cast<long>(pt[i + 2].value));
  }
  c.source = static_cast<long>(pt[pt.size() - 3].value);
  const bool drop = v != nullptr && v->drops_commas();
  std::vector<Row> rows;
  if (v != nullptr && v->bos())
    rows.push_back(c.row());
  for (const Tok& t : pt)
    if (!(drop && t.kind == ','))
      rows.push_back(c.row());
  bool whole = false, complete = false;
  const std::vector<Tok> ct = tokenize(completion, &whole);
  const std::size_t n = grammar_prefix(ct, complete);
  complete = complete && whole;
  // Roles from the grammar: the node after '<' or after ')' ',' is expanded, a node after '('
  // or a list's ',' is listed.
  char context = 0; // 'x' expansions, 'l' list, 'b' backtrack, 'p' path
  for (std::size_t i = 0; i < n; ++i) {
    const Tok& t = ct[i];
    char role = t.kind;
    if (t.kind == '<' || (t.kind == ',' && context == ')'))
      context = 'x';
    else if (t.kind == '(')
      context = 'l';
    else if (t.kind == ')')
      context = ')';
    else if (t.kind == '-')
      context = 'b';
    else if (t.kind == '=')
      context = 'p';
    if (t.kind == 'n')
      role = context == 'x' ? 'x' : context == 'l' ? 'l' : 'n';
    c.step(t, role);
    if (!(drop && t.kind == ','))
      rows.push_back(c.row());
  }
  if (complete && v != nullptr && v->eos())
    rows.push_back(c.row());
  return rows;
}

// The labeler's rows, in the checker's form.
Row row_of(const StateRows& r, std::size_t k) {
  Row out;
  out.phase = r.phase[k];
  out.current = r.current[k];
  const std::size_t L = r.label_space;
  if (r.layout == StateLayout::packed) { // discovered = frontier | expanded
    for (std::size_t v = 0; v < L; ++v) {
      if ((r.expanded_bits[k] >> v) & 1u)
        out.expanded.insert(static_cast<long>(v));
      if ((r.frontier_bits[k] >> v) & 1u)
        out.frontier.push_back(static_cast<long>(v));
    }
    out.discovered.insert(out.frontier.begin(), out.frontier.end());
    out.discovered.insert(out.expanded.begin(), out.expanded.end());
    return out;
  }
  std::vector<std::pair<int, long>> ranked;
  for (std::size_t v = 0; v < L; ++v) {
    const std::size_t at = k * L + v;
    if (r.expanded[at])
      out.expanded.insert(static_cast<long>(v));
    if (r.discovered[at])
      out.discovered.insert(static_cast<long>(v));
    if (r.parent[at] >= 0)
      out.parent[static_cast<long>(v)] = r.parent[at];
    if (r.frontier_rank[at] >= 0)
      ranked.emplace_back(r.frontier_rank[at], static_cast<long>(v));
    // In the frontier: discovered and not expanded (a rank once it waits in the queue/stack).
    // (A wrong row shows as a difference in the sets; these would be millions of assertions.)
    if ((r.in_frontier[at] != 0) != (r.discovered[at] != 0 && r.expanded[at] == 0) ||
        (r.frontier_rank[at] >= 0 && r.in_frontier[at] == 0))
      out.current = -2;
  }
  std::sort(ranked.begin(), ranked.end());
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (ranked[i].first != static_cast<int>(i)) // ranks are 0..k-1
      out.current = -2;
    out.frontier.push_back(ranked[i].second);
  }
  return out;
}

// Compares the labeler's rows with the checker's. Packed rows carry sets only.
int compare(const StateRows& got, const std::vector<Row>& want) {
  int bad = 0;
  CHECK(got.rows() == want.size());
  for (std::size_t k = 0; k < got.rows() && k < want.size(); ++k) {
    const Row g = row_of(got, k);
    const Row& w = want[k];
    bool same = g.phase == w.phase && g.current == w.current && g.expanded == w.expanded &&
                g.discovered == w.discovered;
    // Packed rows: the frontier word is discovered and not expanded, compared above. Dense
    // rows: the ranks are the order of the queue or stack (DFS: the list being written joins
    // the stack when it closes), and the parents.
    if (got.layout == StateLayout::dense)
      same = same && g.frontier == w.frontier && g.parent == w.parent;
    if (!same) {
      ++bad;
      if (bad <= 3)
        FAIL_CHECK("row " << k << " differs");
    }
  }
  return bad;
}

// A mutation of a reference completion's tokens (text), or of the text itself.
std::string mutate(searchtrace::Rng& rng, const Trace& t, const Graph& g, std::string text) {
  Trace m = t;
  const auto node = [&] { return g.label(static_cast<NodeId>(rng.below(g.node_count()))); };
  const auto foreign = [&] { return static_cast<Label>(rng.below(60)); };
  switch (rng.below(10)) {
  case 0: // another node expanded
    m.expanded[rng.below(m.expanded.size())] = rng.chance(0.8) ? node() : foreign();
    break;
  case 1: // a listed node left out
    if (!m.listed.empty())
      m.remove_listed(rng.below(m.listed.size()));
    break;
  case 2: { // a node listed too (a neighbour or not, maybe no node at all)
    const std::size_t i = rng.below(m.expanded.size());
    const std::size_t begin = i == 0 ? 0 : m.list_end[i - 1];
    const std::size_t at = begin + rng.below(m.list_end[i] - begin + 1);
    m.listed.insert(m.listed.begin() + static_cast<std::ptrdiff_t>(at),
                    rng.chance(0.8) ? node() : foreign());
    for (std::size_t k = i; k < m.list_end.size(); ++k)
      ++m.list_end[k];
    break;
  }
  case 3: // two expansions swapped
    if (m.expanded.size() > 2)
      std::swap(m.expanded[1], m.expanded[1 + rng.below(m.expanded.size() - 1)]);
    break;
  case 4: // an extra expansion at the end
    m.begin_expansion(node());
    break;
  case 5: // the last expansion dropped
    if (m.expanded.size() > 1) {
      m.expanded.pop_back();
      m.list_end.pop_back();
      m.listed.resize(m.list_end.back());
    }
    break;
  case 6: // a backtrack step changed
    m.backtrack[rng.below(m.backtrack.size())] = node();
    break;
  case 7: // a detour in the path
    if (m.path.size() >= 2)
      m.path.insert(m.path.begin() + 1, {m.path[1], m.path[0]});
    break;
  case 8: // cut anywhere
    return text.substr(0, rng.below(text.size() + 1));
  default: // a byte replaced
    text[rng.below(text.size())] = "0123456789,()-<>= x"[rng.below(19)];
    return text;
  }
  return render_completion(m, rng.chance(0.5) ? Rendering::pretty : Rendering::compact);
}

} // namespace

TEST_CASE("labels: the seed's queue after each expansion is the blog's narrative") {
  const Prompt p = searchtrace_test::prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4");
  StateRows rows;
  rows.label_space = 50;
  rows.layout = StateLayout::dense;
  SearchScratch scratch;
  const Vocabulary v = Vocabulary::standard();
  REQUIRE(label_sample(rows, scratch, p, {}, &v, true) == SearchStatus::found);
  std::vector<TokenId> ids{*v.bos()};
  encode_prompt(p, v, ids);
  encode_completion(trace(p).value(), v, ids);
  ids.push_back(*v.eos());
  REQUIRE(rows.ids.size() == ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k)
    CHECK(rows.ids[k] == static_cast<std::int32_t>(ids[k]));
  // The rows of the three ')' of the exploration: the queue in order, by rank.
  std::vector<std::string> queues;
  for (std::size_t k = 0; k < rows.rows(); ++k)
    if (v.spelling(ids[k]) == ")") {
      std::vector<std::pair<int, int>> q;
      for (int l = 0; l < 50; ++l)
        if (rows.frontier_rank[k * 50 + static_cast<std::size_t>(l)] >= 0)
          q.emplace_back(rows.frontier_rank[k * 50 + static_cast<std::size_t>(l)], l);
      std::sort(q.begin(), q.end());
      std::string s;
      for (const auto& [rank, l] : q) {
        if (!s.empty())
          s += ',';
        s += std::to_string(l);
      }
      queues.push_back(s);
    }
  CHECK(queues == std::vector<std::string>{"1,2", "2,3", "3,4"});
}

TEST_CASE("labels: every row of 10,000 samples is what an independent checker derives from the "
          "text") {
  searchtrace_test::SampleMaker maker(11);
  searchtrace_test::RandomCase s;
  SearchScratch scratch;
  // Vocabularies and label spaces: 64 (packed rows), 50 and 1000 (dense rows).
  std::map<Label, std::array<Vocabulary, 2>> vocabularies;
  for (const Label L : {50u, 64u, 1000u})
    vocabularies.emplace(L, std::array{Vocabulary::standard(L), Vocabulary::numeral(L)});
  const std::vector<SearchOptions> options = searchtrace_test::all_options();
  int checked = 0, packed = 0, bad = 0;
  for (int i = 0; i < 10000; ++i) {
    const SearchOptions& o = options[static_cast<std::size_t>(i) % options.size()];
    maker.draw(maker.any_shape(), o, s);
    const Label top = s.prompt.graph.labels().back();
    StateRows rows;
    rows.layout = top < 64 && i % 2 == 0 ? StateLayout::packed : StateLayout::dense;
    rows.label_space = rows.layout == StateLayout::packed ? 64 : top < 50 ? 50 : 1000;
    const Vocabulary* v = i % 3 == 2 ? nullptr : &vocabularies.at(rows.label_space)[i % 3];
    REQUIRE(label_sample(rows, scratch, s.prompt, o, v) == SearchStatus::found);
    CAPTURE(s.prompt_text);
    CAPTURE(s.completion);
    bad += compare(rows, check_rows(s.prompt_text, s.completion, o.algorithm == Algorithm::dfs, v));
    ++checked;
    packed += rows.layout == StateLayout::packed;
  }
  CHECK(bad == 0);
  CHECK(checked == 10000);
  CHECK(packed > 2000);
}

TEST_CASE("labels: a model's completion is labelled with the state its own text implies, for "
          "every error kind") {
  searchtrace_test::SampleMaker maker(12);
  searchtrace_test::RandomCase s;
  Classifier classifier;
  const std::array<Vocabulary, 2> vocabularies{Vocabulary::standard(1000),
                                               Vocabulary::numeral(1000)};
  const std::vector<SearchOptions> options = searchtrace_test::all_options();
  std::set<ErrorKind> kinds;
  int bad = 0;
  for (int i = 0; i < 6000; ++i) {
    const SearchOptions& o = options[static_cast<std::size_t>(i) % options.size()];
    maker.draw(maker.any_shape(), o, s);
    const std::string text = mutate(maker.rng(), s.trace, s.prompt.graph, s.completion);
    CAPTURE(s.prompt_text);
    CAPTURE(text);
    const Vocabulary* v = i % 3 == 2 ? nullptr : &vocabularies[i % 3];
    StateRows rows;
    rows.layout = StateLayout::dense;
    rows.label_space = 1000;
    const Verdict& verdict = label_completion(rows, classifier, s.prompt, text, o, v);
    for (const Deviation& d : verdict.errors)
      kinds.insert(d.kind);
    bad += compare(rows, check_rows(s.prompt_text, text, o.algorithm == Algorithm::dfs, v));
  }
  CHECK(bad == 0);
  for (std::size_t k = 0; k < error_kind_count; ++k) {
    CAPTURE(error_kind_name(static_cast<ErrorKind>(k)));
    CHECK(kinds.count(static_cast<ErrorKind>(k)) == 1);
  }
}

TEST_CASE("labels: bad label spaces are errors") {
  StateRows rows;
  CHECK_THROWS_AS(StateLabeler(rows, nullptr), std::invalid_argument);
  rows.label_space = 65;
  CHECK_THROWS_AS(StateLabeler(rows, nullptr), std::invalid_argument);
  rows.label_space = 10;
  const Vocabulary v = Vocabulary::numeral(50);
  CHECK_THROWS_AS(StateLabeler(rows, &v), std::invalid_argument);
  StateLabeler ok(rows, nullptr);
  CHECK_THROWS_AS(ok.begin(searchtrace_test::prompt("1,30/1,30")), std::out_of_range);
}

TEST_CASE("labels: a generator's labeler gives the rows and ids of the sample, samples after "
          "samples in one StateRows; beside generate_ids, the rows of the ids it writes") {
  // The generator's labeler makes its rows from the generator's own token writer; label_sample's
  // from its own (the one the independent checker above holds to the text).
  const SearchOptions dfs{Algorithm::dfs, NeighborOrder::prompt, Listing::undiscovered,
                          StopRule::on_pop};
  for (const char* spec :
       {"G15_2_4", "G20_5_6", "G40_1_3(L=64)", "G40_2_4(L=1000)", "tree(n=30, L=64)"}) {
    for (const bool numeral : {false, true}) {
      for (const StateLayout layout : {StateLayout::packed, StateLayout::dense}) {
        DatasetOptions o;
        o.family_spec = spec;
        o.seed = 5;
        if (numeral) // the other policies with the other vocabulary
          o.search = dfs;
        auto g = Generator::create(o);
        auto h = Generator::create(o);
        REQUIRE(g);
        REQUIRE(h);
        const Label L = g->family().label_space();
        if (layout == StateLayout::packed && L > 64)
          continue;
        CAPTURE(spec);
        CAPTURE(numeral);
        const Vocabulary v = numeral ? Vocabulary::numeral(L) : Vocabulary::standard(L);
        StateRows all, one, beside_ids;
        all.layout = one.layout = beside_ids.layout = layout;
        all.label_space = one.label_space = beside_ids.label_space =
            layout == StateLayout::packed ? 64 : L;
        std::vector<std::int32_t> ids;
        std::vector<std::uint16_t> written; // by generate_ids
        SearchScratch scratch;
        Sample s, t;
        {
          StateLabeler labeler(all, &v, true);
          // Dense rows of L = 1000 are 5 kB each: fewer samples there.
          const std::uint64_t count = L > 64 ? 20 : 300;
          for (std::uint64_t i = 0; i < count; ++i) {
            REQUIRE_FALSE(g->generate(i, s, labeler));
            // The same sample labelled on its own, and its ids from the encoder.
            REQUIRE(label_sample(one, scratch, s.prompt, o.search, &v) == SearchStatus::found);
            std::vector<TokenId> sample_ids;
            if (v.bos())
              sample_ids.push_back(*v.bos());
            encode_prompt(s.prompt, v, sample_ids);
            encode_completion(s.trace, v, sample_ids);
            if (v.eos())
              sample_ids.push_back(*v.eos());
            ids.insert(ids.end(), sample_ids.begin(), sample_ids.end());
            // The ids without the text, a labeler per sample as `generate --state` has it.
            StateLabeler beside(beside_ids, &v);
            REQUIRE_FALSE(h->generate_ids(i, t, v, written, beside));
            beside.flush();
            REQUIRE(beside_ids.rows() == written.size());
          }
        }
        REQUIRE(all.rows() == one.rows());
        CHECK(all.ids == ids);
        CHECK(std::equal(written.begin(), written.end(), ids.begin(), ids.end()));
        CHECK(beside_ids.ids.empty());
        for (const StateRows* r : {&all, &beside_ids}) {
          CHECK(r->phase == one.phase);
          CHECK(r->current == one.current);
          CHECK(r->frontier_bits == one.frontier_bits);
          CHECK(r->expanded_bits == one.expanded_bits);
          CHECK(r->in_frontier == one.in_frontier);
          CHECK(r->frontier_rank == one.frontier_rank);
          CHECK(r->parent == one.parent);
        }
      }
    }
  }
}

TEST_CASE("labels: a prompt beyond the vocabulary throws before any row is made") {
  StateRows rows;
  rows.label_space = 64;
  const Vocabulary v = Vocabulary::numeral(20);
  StateLabeler labeler(rows, &v, true);
  CHECK_THROWS_AS(labeler.begin(searchtrace_test::prompt("1,30/1,30")), std::out_of_range);
  labeler.flush();
  CHECK(rows.rows() == 0);
  CHECK(rows.ids.empty());
}

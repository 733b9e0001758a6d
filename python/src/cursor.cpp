// A decoding cursor over token ids: the library's CompletionCursor, fed the ids a model writes,
// answering with a mask over the vocabulary of the ids a correct continuation may write next.
//
// A vocabulary that drops commas (numeral, numeral-eot) never writes one, so the cursor writes it
// for the model where the grammar has one (after a node or ')', before a node or '('), and the
// mask shows what may follow that comma. In valid mode the comma is the only token allowed at
// such a point, so it is fed as soon as it is due; in grammar mode a comma competes with other
// tokens (',' or ')' after a listed node), so the mask joins the tokens allowed now with those a
// copy of the cursor allows after a comma.
#include <cstring>

#include "common.hpp"
#include "searchtrace/cursor.hpp"

namespace searchtrace::python {

namespace {

class PyCursor {
public:
  PyCursor(const Prompt* prompt, const SearchOptions& o, CursorMode mode, Vocabulary v)
      : options_(o), mode_(mode), vocabulary_(std::move(v)) {
    if (prompt != nullptr)
      prompt_ = *prompt;
    has_prompt_ = prompt != nullptr;
    if (mode_ == CursorMode::valid && !has_prompt_)
      throw py::value_error("a cursor in 'valid' mode needs a prompt");
    reset();
  }

  void reset() {
    if (has_prompt_ && mode_ == CursorMode::valid)
      cursor_.reset(prompt_, options_, mode_);
    else if (has_prompt_)
      cursor_.reset(prompt_, options_, CursorMode::grammar);
    else
      cursor_.reset_grammar();
    input_ = Input::none;
    fed_ = 0;
    last_.reset();
    failed_at_.reset();
    failure_.clear();
    finished_ = false;
    feed_due_comma();
  }

  bool feed(std::int64_t id) {
    use(Input::ids);
    if (id < 0 || static_cast<std::uint64_t>(id) >= vocabulary_.size())
      throw py::index_error("id " + std::to_string(id) + " is outside the vocabulary (ids 0.." +
                            std::to_string(vocabulary_.size() - 1) + ")");
    const std::size_t at = fed_++;
    if (!viable())
      return false;
    const auto tid = static_cast<TokenId>(id);
    const auto t = vocabulary_.token(tid);
    if (!t) {
      if (tid == vocabulary_.eos()) {
        finished_ = true;
        if (!cursor_.finish())
          fail(at, cursor_.failure());
        return viable();
      }
      const NextTokens next = cursor_.allowed_next();
      fail(at, "expected " + describe(next) + ", found " + std::string(vocabulary_.spelling(tid)));
      return false;
    }
    if (vocabulary_.drops_commas() && last_ && Vocabulary::comma_between(*last_, t->kind) &&
        cursor_.allowed_next().allows(TokenKind::comma))
      cursor_.feed(punct_token(TokenKind::comma));
    if (!cursor_.feed(*t)) {
      fail(at, cursor_.failure());
      return false;
    }
    last_ = t->kind;
    feed_due_comma();
    return true;
  }

  bool feed_ids(py::handle ids) {
    for (const TokenId id : as_ids(ids, vocabulary_.size()))
      feed(static_cast<std::int64_t>(id));
    return viable();
  }

  bool feed_text(py::handle text) {
    use(Input::text);
    const std::string_view s = as_text(text);
    fed_ += s.size();
    if (viable() && !cursor_.feed(s))
      fail(cursor_.failed_at(), cursor_.failure()); // bytes since reset: our positions too
    return viable();
  }

  bool finish() {
    if (finished_)
      return complete();
    finished_ = true;
    if (viable() && !cursor_.finish())
      fail(input_ == Input::text ? cursor_.failed_at() : fed_, cursor_.failure());
    return complete();
  }

  py::array_t<bool> mask(py::object out) const {
    if (input_ == Input::text)
      throw py::value_error("the mask is over token ids; this cursor was fed text");
    const std::size_t n = vocabulary_.size();
    py::array_t<bool> m;
    if (out.is_none()) {
      m = py::array_t<bool>(static_cast<py::ssize_t>(n));
    } else {
      m = py::array_t<bool>::ensure(out);
      if (!m || m.ndim() != 1 || static_cast<std::size_t>(m.shape(0)) != n ||
          !py::isinstance<py::array_t<bool>>(out) || !(m.flags() & py::array::c_style) ||
          !m.writeable())
        throw py::value_error("out must be a writeable contiguous bool array of " +
                              std::to_string(n) + " entries");
    }
    bool* d = m.mutable_data();
    std::memset(d, 0, n);
    if (viable() && !finished_) {
      const NextTokens next = cursor_.allowed_next();
      mark(next, d);
      if (vocabulary_.drops_commas() && next.allows(TokenKind::comma)) {
        CompletionCursor after = cursor_;
        after.feed(punct_token(TokenKind::comma));
        mark(after.allowed_next(), d);
      }
    }
    return m;
  }

  bool viable() const noexcept { return !failed_at_ && cursor_.viable(); }
  bool complete() const noexcept { return viable() && cursor_.complete(); }
  bool can_end() const noexcept { return viable() && !finished_ && cursor_.allowed_next().end; }
  std::size_t position() const noexcept { return fed_; }
  py::object failed_at() const {
    return failed_at_ ? py::object(py::int_(*failed_at_)) : py::object(py::none());
  }
  const std::string& failure() const noexcept { return failure_; }
  std::string_view mode_name() const noexcept {
    return mode_ == CursorMode::valid ? "valid" : "grammar";
  }
  const Vocabulary& vocabulary() const noexcept { return vocabulary_; }

private:
  enum class Input : std::uint8_t { none, ids, text };

  void use(Input in) {
    if (finished_)
      throw py::value_error("the cursor was fed after its end (finish() or <eos>); reset() it");
    if (input_ == Input::none)
      input_ = in;
    else if (input_ != in)
      throw py::value_error("a cursor is fed ids or text, not both; reset() it first");
  }

  void fail(std::size_t at, std::string_view why) {
    if (failed_at_)
      return;
    failed_at_ = at;
    failure_.assign(why);
  }

  // Valid mode: a comma that is the only token allowed is written for a model that never writes
  // one.
  void feed_due_comma() {
    if (mode_ != CursorMode::valid || !vocabulary_.drops_commas() || !cursor_.viable())
      return;
    const NextTokens next = cursor_.allowed_next();
    if (next.punct == (1u << static_cast<unsigned>(TokenKind::comma)) && !next.end && !next.node &&
        !next.any_node)
      cursor_.feed(punct_token(TokenKind::comma));
  }

  void mark(const NextTokens& next, bool* d) const {
    for (std::size_t k = 1; k < token_kind_count; ++k)
      if ((next.punct >> k) & 1u) {
        const TokenId id = vocabulary_.id(punct_token(static_cast<TokenKind>(k)));
        if (id != no_token_id)
          d[id] = true;
      }
    const Label L = vocabulary_.label_space();
    if (next.any_node)
      for (Label l = 0; l < L; ++l)
        d[vocabulary_.id(node_token(l))] = true;
    if (next.node && *next.node < L)
      d[vocabulary_.id(node_token(*next.node))] = true;
    if (next.end)
      if (const auto eos = vocabulary_.eos())
        d[*eos] = true;
  }

  std::string describe(const NextTokens& next) const {
    std::string out;
    const auto add = [&](std::string_view s) {
      if (!out.empty())
        out += " or ";
      out += s;
    };
    if (next.node)
      add("node " + std::to_string(*next.node));
    if (next.any_node)
      add("a node");
    for (std::size_t k = 1; k < token_kind_count; ++k)
      if ((next.punct >> k) & 1u)
        add(token_kind_name(static_cast<TokenKind>(k)));
    if (next.end)
      add("the end");
    return out.empty() ? "nothing" : out;
  }

  Prompt prompt_; // the cursor refers to it: owned here, so it lives as long as the cursor
  bool has_prompt_ = false;
  SearchOptions options_;
  CursorMode mode_;
  Vocabulary vocabulary_;
  CompletionCursor cursor_;
  Input input_ = Input::none;
  std::size_t fed_ = 0;
  std::optional<TokenKind> last_;
  std::optional<std::size_t> failed_at_;
  std::string failure_;
  bool finished_ = false;
};

} // namespace

void init_cursor(py::module_& m) {
  py::class_<PyCursor>(
      m, "Cursor",
      "Reads a completion as a model writes it, token id by token id. mode='valid' (default) "
      "accepts only prefixes of the reference completion of the prompt, so mask() has exactly one "
      "id set (the correct next token, or <eos> at the end); mode='grammar' accepts any "
      "completion the grammar allows (any node where a node may stand). Use mask() to constrain "
      "or score a model's decoding. With a vocabulary that drops commas the cursor writes the "
      "commas itself. Positions (failed_at) count the ids (or bytes of feed_text) fed.")
      .def(py::init([](py::handle prompt, py::handle vocabulary, std::string_view mode,
                       std::string_view algo, std::string_view order, std::string_view listing,
                       std::string_view stop, bool directed) {
             const SearchOptions o = search_options(algo, order, listing, stop);
             CursorMode cm = CursorMode::valid;
             if (mode == "grammar")
               cm = CursorMode::grammar;
             else if (mode != "valid")
               throw py::value_error("mode must be 'valid' or 'grammar', got '" +
                                     std::string(mode) + "'");
             Prompt storage;
             const Prompt* p = prompt.is_none() ? nullptr : &as_prompt(prompt, directed, storage);
             return std::make_unique<PyCursor>(p, o, cm, as_vocabulary(vocabulary, 50));
           }),
           py::arg("prompt"), py::arg("vocabulary") = "standard", py::kw_only(),
           py::arg("mode") = "valid", py::arg("algo") = "bfs", py::arg("order") = "ascending",
           py::arg("listing") = "unexpanded", py::arg("stop") = "on_list",
           py::arg("directed") = false)
      .def("feed", &PyCursor::feed, py::arg("id"),
           "Feeds one id; returns whether the prefix can still become a completion of the mode. "
           "<eos> ends the completion (as finish()); another special or a layout symbol is a "
           "token no completion has.")
      .def("feed_ids", &PyCursor::feed_ids, py::arg("ids"), "Feeds ids; returns viable.")
      .def("feed_text", &PyCursor::feed_text, py::arg("text"),
           "Feeds bytes of text (either spacing) instead of ids; returns viable.")
      .def("finish", &PyCursor::finish,
           "Ends the input; returns whether what was fed is a whole completion of the mode.")
      .def("mask", &PyCursor::mask, py::arg("out") = py::none(),
           "A bool array over the vocabulary: the ids that may come next (all False once not "
           "viable). `out`: an array to fill instead of a new one.")
      .def(
          "allowed_ids",
          [](const PyCursor& c) {
            const py::array_t<bool> m = c.mask(py::none());
            std::vector<std::int64_t> ids;
            for (py::ssize_t i = 0; i < m.size(); ++i)
              if (m.at(i))
                ids.push_back(i);
            return to_numpy(std::move(ids));
          },
          "The ids mask() sets, ascending (int64).")
      .def("reset", &PyCursor::reset, "Starts again (same prompt, options and vocabulary).")
      .def_property_readonly("viable", &PyCursor::viable)
      .def_property_readonly("complete", &PyCursor::complete)
      .def_property_readonly("can_end", &PyCursor::can_end,
                             "The completion may end here (whether or not the vocabulary has "
                             "an <eos> for it).")
      .def_property_readonly("position", &PyCursor::position)
      .def_property_readonly("failed_at", &PyCursor::failed_at,
                             "The position of the id (or byte) that ended viability, or None.")
      .def_property_readonly("failure", &PyCursor::failure, "Why, in one line ('' if viable).")
      .def_property_readonly("mode", [](const PyCursor& c) { return std::string(c.mode_name()); })
      .def_property_readonly("vocabulary", &PyCursor::vocabulary)
      .def("__repr__", [](const PyCursor& c) {
        return "Cursor(mode='" + std::string(c.mode_name()) +
               "', position=" + std::to_string(c.position()) +
               ", viable=" + (c.viable() ? "True" : "False") + ")";
      });
}

} // namespace searchtrace::python

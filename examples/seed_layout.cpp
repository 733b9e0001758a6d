// The blog post's example in the layout of its own training code: the record its data module
// reads (`searchtrace generate --format hf-jsonl`), and for each objective the text and the token
// ids it trains on (`--format ids --vocab numeral-eot --layout ...`): the masked prompt, which
// ends with '<' ('=' for the answer alone), then the trained tokens, which end with end of text.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <searchtrace/record.hpp>
#include <searchtrace/searchtrace.hpp>

int main() {
  using namespace searchtrace;
  const Prompt prompt = parse_prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4").value();
  const Trace t = trace(prompt).value();
  const std::string query = render_prompt(prompt);

  std::string record = "{";
  SeedRecordWriter::append_fields(record, query, t);
  record += '}';
  fmt::print("prompt  {}\nrecord  {}\n", query, record);

  const Vocabulary vocab = Vocabulary::numeral_eot();
  const TokenId eot = *vocab.eos();
  // The seed's objectives, by the name its training code gives each.
  for (const auto& [layout, objective] : {std::pair{CompletionLayout::trace, "step_eval"},
                                          std::pair{CompletionLayout::pause, "pause"},
                                          std::pair{CompletionLayout::path, "teacherforcing"}}) {
    std::vector<TokenId> ids{eot};
    encode_prompt(prompt, vocab, ids);
    // The masked prompt runs through the completion's first token ('<', or '=' for path).
    const std::size_t masked = ids.size() + 1;
    encode_completion(t, vocab, ids, layout);
    ids.push_back(eot);
    fmt::print("{:<7} {}\n", completion_layout_name(layout),
               render_completion(t, Rendering::compact, layout));
    fmt::print("  objective       {}\n", objective);
    fmt::print("  masked prompt   {}\n",
               fmt::join(std::vector<TokenId>(ids.begin(), ids.begin() + masked), " "));
    fmt::print("  trained tokens  {}\n",
               fmt::join(std::vector<TokenId>(ids.begin() + masked, ids.end()), " "));
  }
}

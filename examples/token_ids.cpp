// Token ids for training: the seed's sample (prompt and completion) in the library's standard
// vocabulary and in the numeral layout of the seed's training code, then decoded back to text.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <searchtrace/searchtrace.hpp>

int main() {
  using namespace searchtrace;
  const Prompt prompt = parse_prompt("1,3|2,4|1,2|0,1|0,2|3,4/0,4").value();
  const Trace completion = trace_bfs(prompt).value();

  for (const Vocabulary& vocab : {Vocabulary::standard(), Vocabulary::numeral()}) {
    std::vector<TokenId> ids;
    if (const auto bos = vocab.bos())
      ids.push_back(*bos);
    encode_prompt(prompt, vocab, ids);
    encode_completion(completion, vocab, ids);
    if (const auto eos = vocab.eos())
      ids.push_back(*eos);

    fmt::print("{}: {} ids, label space {}, {} tokens in the vocabulary{}\n", vocab.name(),
               ids.size(), vocab.label_space(), vocab.size(),
               vocab.drops_commas() ? " (commas dropped)" : "");
    fmt::print("  ids    {}\n", fmt::join(ids, " "));
    std::vector<std::string_view> spelled;
    for (const TokenId id : ids)
      spelled.push_back(vocab.spelling(id));
    fmt::print("  tokens {}\n", fmt::join(spelled, " "));

    // Back to text: strip the specials, restore dropped commas, render.
    std::vector<TokenId> body(ids.begin() + (vocab.bos() ? 1 : 0),
                              ids.end() - (vocab.eos() ? 1 : 0));
    std::vector<Token> tokens;
    if (!decode_tokens(std::span<const TokenId>(body), vocab, tokens))
      return 1;
    std::string text;
    append_tokens(text, tokens);
    fmt::print("  text   {}\n", text);
    fmt::print("  vocabulary JSON: {} bytes\n", vocab.to_json().size());
  }
}

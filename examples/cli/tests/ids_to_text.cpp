// Test helper for `searchtrace generate --format ids`: reads BASE.ids.bin, BASE.offsets.bin and
// BASE.vocab.json and prints each sample as compact text, one per line, using only what the
// files say (the vocabulary's spellings and drops_commas), as a trainer's decoder would. The
// CLI test compares its output with `--format text` of the same run.
//   ids_to_text BASE
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f)
    throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// Little-endian integers of `width` bytes, whatever the host.
std::vector<std::uint64_t> little_endian(const std::string& bytes, std::size_t width) {
  if (bytes.size() % width != 0)
    throw std::runtime_error("file size is not a multiple of " + std::to_string(width));
  std::vector<std::uint64_t> out(bytes.size() / width);
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t b = 0; b < width; ++b)
      out[i] |= std::uint64_t{static_cast<unsigned char>(bytes[i * width + b])} << (8 * b);
  return out;
}

bool is_node(const std::string& s) {
  return !s.empty() && s[0] >= '0' && s[0] <= '9';
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: ids_to_text BASE\n", stderr);
    return 2;
  }
  try {
    const std::string base = argv[1];
    const auto vocab = nlohmann::json::parse(read_file(base + ".vocab.json"));
    const auto spellings = vocab.at("tokens").get<std::vector<std::string>>();
    const bool drops_commas = vocab.at("drops_commas").get<bool>();
    const auto ids = little_endian(read_file(base + ".ids.bin"), 2);
    const auto offsets = little_endian(read_file(base + ".offsets.bin"), 8);
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != ids.size())
      throw std::runtime_error("offsets do not span the ids");
    std::string line;
    for (std::size_t k = 0; k + 1 < offsets.size(); ++k) {
      if (offsets[k] > offsets[k + 1])
        throw std::runtime_error("offsets decrease at " + std::to_string(k));
      line.clear();
      std::string prev;
      for (std::size_t i = offsets[k]; i < offsets[k + 1]; ++i) {
        const std::string& s = spellings.at(ids[i]);
        if (s.front() == '<' && s.size() > 1) // <bos>, <eos>, <pad>
          continue;
        // A dropped comma stands after a node or ')' and before a node or '('.
        if (drops_commas && (is_node(prev) || prev == ")") && (is_node(s) || s == "("))
          line += ',';
        line += s;
        prev = s;
      }
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ids_to_text: %s\n", e.what());
    return 1;
  }
  return 0;
}

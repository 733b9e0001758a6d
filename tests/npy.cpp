#include <searchtrace/npy.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace searchtrace;

namespace {

// numpy itself, where /usr/bin/python3 has it: the test that matters, skipped elsewhere.
bool have_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

} // namespace

TEST_CASE("npy: headers are padded to 64 bytes and name the dtype and the shape") {
  const std::string h = npy_header("<u8", {3, 4});
  CHECK(h.size() % 64 == 0);
  CHECK(h.substr(0, 6) == "\x93NUMPY");
  CHECK(h[6] == 1);
  CHECK(h[7] == 0);
  const std::size_t len = static_cast<unsigned char>(h[8]) | static_cast<unsigned char>(h[9]) << 8;
  CHECK(len + 10 == h.size());
  CHECK(h.back() == '\n');
  CHECK(h.find("{'descr': '<u8', 'fortran_order': False, 'shape': (3, 4), }") == 10);
  CHECK(npy_header("|i1", {5}).find("'shape': (5,)") != std::string::npos);
  CHECK(npy_header("[('a', '<u8'), ('b', '<i2')]", {2}).find("'descr': [('a', '<u8')") !=
        std::string::npos);
  // A placeholder and the final header have the same size, whatever the shape.
  CHECK(npy_header("<i4", {0, 0}, npy_header_size).size() == npy_header_size);
  CHECK(npy_header("<i4", {~0ull, ~0ull, ~0ull}, npy_header_size).size() == npy_header_size);
  CHECK_THROWS_AS(npy_header("<i4", {1}, 64 * 0 + 32), std::length_error);
  CHECK(npy_descr<std::int8_t>() == "|i1");
  CHECK(npy_descr<std::uint16_t>() == "<u2");
  CHECK(npy_descr<std::int32_t>() == "<i4");
  CHECK(npy_descr<std::uint64_t>() == "<u8");
}

TEST_CASE("npy: numpy memory-maps what we write, with its dtype and shape") {
  if (!have_numpy()) {
    MESSAGE("numpy is not installed for /usr/bin/python3: skipped");
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / "searchtrace_npy_test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "a.npy";
  {
    std::ofstream f(file, std::ios::binary);
    const std::vector<std::int16_t> values{1, -2, 3, -4, 5, -6};
    f << npy_header(npy_descr<std::int16_t>(), {2, 3}, npy_header_size);
    f.write(reinterpret_cast<const char*>(values.data()), 12);
  }
  const std::string check = "/usr/bin/python3 -c \"import numpy as np; a = np.load('" +
                            file.string() +
                            "', mmap_mode='r'); assert a.dtype == np.int16 and a.shape == (2, "
                            "3) and a.tolist() == [[1, -2, 3], [-4, 5, -6]], a\"";
  CHECK(std::system(check.c_str()) == 0);
  std::filesystem::remove_all(dir);
}

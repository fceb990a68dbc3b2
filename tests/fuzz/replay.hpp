#pragma once
// Shared by the fuzz replay tests: a deterministic generator and the seed corpora.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include <txmath/detail/json.hpp>

namespace txmath_test {

// A small deterministic generator (splitmix64) for the fuzz replays: the same mutations on
// every machine and standard library.
struct splitmix64 {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

// The contents of the regular files in the given folders (relative to the source tree) whose
// names end with `extension` (empty: all), in a deterministic order.
inline std::vector<std::string> read_corpus(std::initializer_list<const char*> dirs,
                                            const std::string& extension = "") {
  std::vector<std::filesystem::path> files;
  for (const char* dir : dirs)
    for (const auto& e : std::filesystem::directory_iterator(std::string(TXMATH_SOURCE_DIR) + dir))
      if (e.is_regular_file() && (extension.empty() || e.path().extension() == extension))
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> seeds;
  for (const auto& f : files) seeds.push_back(txmath::json::read_file(f.string()));
  return seeds;
}

}  // namespace txmath_test

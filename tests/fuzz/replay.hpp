#pragma once
// Shared by the fuzz replay tests: a deterministic generator and the seed corpora.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/json.hpp>

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

// How mutate_bytes changes an input: the longest range it erases, duplicates and splices in
// from another seed, and its sixth move (cut the input short, or append a random byte).
struct byte_mutations {
  std::size_t erase_max, duplicate_max, splice_max;
  bool sixth_appends_byte;  // false: truncate at a random point
};

// One to four random byte-level moves on `s`: flip a bit, overwrite a byte with a token's
// first, insert a token, erase, duplicate, truncate or append, splice from another seed.
template <std::size_t N>
std::string mutate_bytes(std::string s, const std::vector<std::string>& seeds, splitmix64& rng,
                         const std::string_view (&tokens)[N], const byte_mutations& m) {
  const int ops = 1 + static_cast<int>(rng.below(4));
  for (int k = 0; k < ops; ++k) {
    const std::size_t at = rng.below(s.size() + 1);
    switch (rng.below(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[std::min(at, s.size() - 1)] ^= static_cast<char>(1u << rng.below(8));
        break;
      case 1:  // overwrite a byte with a token's first byte
        if (!s.empty()) s[std::min(at, s.size() - 1)] = tokens[rng.below(N)][0];
        break;
      case 2:  // insert a token
        s.insert(at, tokens[rng.below(N)]);
        break;
      case 3:  // erase a range
        s.erase(at, rng.below(m.erase_max) + 1);
        break;
      case 4: {  // duplicate a range
        const std::string part = s.substr(at, rng.below(m.duplicate_max) + 1);
        s.insert(std::min(at + part.size(), s.size()), part);
        break;
      }
      case 5:
        if (m.sixth_appends_byte) s += static_cast<char>(rng.below(256));
        else s.resize(at);
        break;
      case 6: {  // splice in a piece of another seed
        const std::string& o = seeds[rng.below(seeds.size())];
        const std::size_t from = rng.below(o.size() + 1);
        s.insert(at, o.substr(from, rng.below(m.splice_max) + 1));
        break;
      }
    }
  }
  return s;
}

}  // namespace txmath_test

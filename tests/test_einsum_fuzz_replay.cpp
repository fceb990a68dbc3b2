// Robustness of the einsum parser and path search without libFuzzer: the committed seed corpus
// (tests/fuzz/corpus/einsum) and a few thousand deterministic random mutations of it go
// through the same invariant checks as the fuzz target (tests/fuzz/einsum_check.hpp): every
// input is parsed and searched or rejected with a txmath: message in valid UTF-8; a path
// replays to its own costs; a size-0 index costs 0; count never overflows out of the search.
#include <doctest/doctest.h>

#include "fuzz/replay.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/einsum_check.hpp"

namespace {

std::vector<std::string> load_seeds() { return txmath_test::read_corpus({"/tests/fuzz/corpus/einsum"}); }
using txmath_test::splitmix64;

constexpr std::string_view tokens[] = {
    "->", ",", "...", "\n", "ij", "jk", "abc", "\xc3\xa9", "\xe1\xad\x88", "\xf0\x9f\x98\x80", "\xc0\xaf",
    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xe2\x82", "\x80", "\xff", "1", " ",
    std::string_view("\0", 1), "\xc8", "\xf7", "\xe0", "\x07", "zz", "Z,Z", "->->"};

std::string mutate(std::string s, const std::vector<std::string>& seeds, splitmix64& rng) {
  const int ops = 1 + static_cast<int>(rng.below(4));
  for (int k = 0; k < ops; ++k) {
    const std::size_t at = rng.below(s.size() + 1);
    switch (rng.below(7)) {
      case 0:  // flip a bit (the mode byte too)
        if (!s.empty()) s[std::min(at, s.size() - 1)] ^= static_cast<char>(1u << rng.below(8));
        break;
      case 1:  // overwrite a byte with a token's first byte
        if (!s.empty()) s[std::min(at, s.size() - 1)] = tokens[rng.below(std::size(tokens))][0];
        break;
      case 2:  // insert a token
        s.insert(at, tokens[rng.below(std::size(tokens))]);
        break;
      case 3:  // erase a range
        s.erase(at, rng.below(8) + 1);
        break;
      case 4: {  // duplicate a range (more operands and labels)
        const std::string part = s.substr(at, rng.below(24) + 1);
        s.insert(std::min(at + part.size(), s.size()), part);
        break;
      }
      case 5:  // a random size byte appended (0..255: sizes 0..7 and 2^0..2^55)
        s += static_cast<char>(rng.below(256));
        break;
      case 6: {  // splice in a piece of another seed
        const std::string& o = seeds[rng.below(seeds.size())];
        const std::size_t from = rng.below(o.size() + 1);
        s.insert(at, o.substr(from, rng.below(32) + 1));
        break;
      }
    }
  }
  return s;
}

}  // namespace

TEST_CASE("einsum: the fuzz seed corpus passes the fuzz checks") {
  const auto seeds = load_seeds();
  REQUIRE(seeds.size() >= 20);
  for (const auto& s : seeds) {
    INFO("seed: ", s);
    CHECK_NOTHROW(txmath_fuzz::check_einsum(s));
  }
}

TEST_CASE("einsum: deterministic random mutations of the seed corpus never break the engine") {
  const auto seeds = load_seeds();
  splitmix64 rng{20261203};
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string input = mutate(seeds[rng.below(seeds.size())], seeds, rng);
    try {
      txmath_fuzz::check_einsum(input);
    } catch (const std::exception& e) {
      FAIL_CHECK(std::string(e.what()), "\ninput: ", txmath::detail::printable(input));
    }
    // Count outcomes to make sure the mutations are not all trivially rejected.
    if (input.empty()) continue;
    const std::size_t nl = input.find('\n', 1);
    try {
      (void)txmath::parse_network(input.substr(1, nl == std::string::npos ? std::string::npos : nl - 1));
      ++parsed;
    } catch (const txmath::invalid_argument&) {
      ++rejected;
    }
  }
  MESSAGE("mutations parsed: ", parsed, ", rejected: ", rejected);
  CHECK(parsed > 500);
  CHECK(rejected > 300);
}

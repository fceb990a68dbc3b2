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

std::string mutate(const std::string& s, const std::vector<std::string>& seeds, splitmix64& rng) {
  return txmath_test::mutate_bytes(s, seeds, rng, tokens, {.erase_max = 8, .duplicate_max = 24, .splice_max = 32, .sixth_appends_byte = true});
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
      FAIL_CHECK(std::string(e.what()), "\ninput: ", txmath::printable(input));
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

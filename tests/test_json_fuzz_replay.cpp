// Robustness of txmath::json without libFuzzer: the committed seed corpus
// (tests/fuzz/corpus/json) and a few thousand deterministic random mutations of it go
// through the same invariant checks as the fuzz target (tests/fuzz/json_check.hpp).
#include <doctest/doctest.h>

#include "fuzz/replay.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/json_check.hpp"

namespace {

std::vector<std::string> load_seeds() { return txmath_test::read_corpus({"/tests/fuzz/corpus/json"}); }
using txmath_test::splitmix64;

constexpr std::string_view tokens[] = {
    "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\u0000",
    "true", "false", "null", "NaN", "Infinity", "-Infinity", "-", "0", "00", "1e3", "128.0", "e+",
    ".", "340282366920938463463374607431768211456", "9223372036854775808", "1e400", "1e-400",
    "\xef\xbb\xbf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe1\xad\x98", "\xe1\xad", "\xff",
    "\n", "\r\n", "\t", " ", "\x01", std::string_view("\0", 1), "[[[[[[[[", "]]]]]]]]", "{\"a\":", "\"a\":1,"};

std::string mutate(const std::string& s, const std::vector<std::string>& seeds, splitmix64& rng) {
  return txmath_test::mutate_bytes(s, seeds, rng, tokens, {.erase_max = 16, .duplicate_max = 32, .splice_max = 64, .sixth_appends_byte = false});
}

}  // namespace

TEST_CASE("json: the fuzz seed corpus passes the fuzz checks") {
  const auto seeds = load_seeds();
  REQUIRE(seeds.size() >= 10);
  for (const auto& s : seeds) {
    INFO("seed: ", s);
    CHECK_NOTHROW(txmath_fuzz::check_json(s));
  }
}

TEST_CASE("json: deterministic random mutations of the seed corpus never break the parser") {
  const auto seeds = load_seeds();
  splitmix64 rng{20250101};
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 5000; ++i) {
    const std::string input = mutate(seeds[rng.below(seeds.size())], seeds, rng);
    try {
      txmath_fuzz::check_json(input);
    } catch (const std::logic_error& e) {
      FAIL_CHECK(e.what(), "\ninput: ", input);
    }
    // Count outcomes to make sure the mutations are not all trivially rejected.
    try {
      (void)txmath::json::parse(input, {.source = "m.json", .allow_nan_and_infinity = true});
      ++parsed;
    } catch (const txmath::invalid_argument&) {
      ++rejected;
    }
  }
  MESSAGE("mutations parsed: ", parsed, ", rejected: ", rejected);
  CHECK(parsed > 100);
  CHECK(rejected > 1000);
}

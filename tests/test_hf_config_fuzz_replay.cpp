// Robustness of the config.json loader without libFuzzer: every seed (tests/reference/configs,
// examples/configs, tests/fuzz/corpus/hf_config) and thousands of deterministic mutations of
// them go through the fuzz target's checks (tests/fuzz/hf_config_check.hpp). The mutations
// work on the JSON structure (a field's value replaced by an edge value of another type or
// range, a field removed, another family's model_type, fields of two configs mixed) and on
// the bytes, so they reach the loader's checks rather than stop at the JSON syntax.
#include <doctest/doctest.h>

#include "fuzz/replay.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/hf_config_check.hpp"
#include "fuzz/json_check.hpp"

namespace {

std::vector<std::string> load_seeds() {
  return txmath_test::read_corpus({"/tests/reference/configs", "/examples/configs", "/tests/fuzz/corpus/hf_config"},
                                  ".json");
}
using rng64 = txmath_test::splitmix64;

constexpr std::string_view edge_values[] = {
    "0", "-1", "1", "2", "3", "7", "8", "1.5", "128.0", "1e3", "1e30", "-0", "null", "true", "false",
    "\"32\"", "\"\"", "[]", "[0]", "[0,1]", "[1,3]", "[99]", "[-1]", "{}", "65535", "65536", "65537",
    "1048576", "1048577", "16777216", "16777217", "4294967296", "4294967297", "18446744073709551615",
    "18446744073709551616", "340282366920938463463374607431768211456", "0.25", "2", "\"noaux_tc\""};

constexpr std::string_view model_types[] = {
    "gpt2", "gptj", "gpt_neox", "opt", "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3",
    "qwen3_moe", "gemma", "gemma2", "phi3", "falcon", "olmo2", "deepseek_v2", "deepseek_v3",
    "RefinedWebModel", "bert", ""};

// The members of a top-level object as (key, canonical value text).
using members = std::vector<std::pair<std::string, std::string>>;

members split(std::string_view text) {
  members out;
  const auto root = txmath::json::parse(text);
  for (const auto& [key, v] : root.members()) {
    std::string s;
    txmath_fuzz::serialize(v, s);
    out.emplace_back(std::string(key), s);
  }
  return out;
}

std::string join(const members& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (out.size() > 1) out += ',';
    std::string key;
    txmath_fuzz::serialize(txmath::json::parse("\"" + k + "\""), key);
    out += key + ":" + v;
  }
  return out + "}";
}

std::string mutate(const std::vector<members>& seeds, rng64& rng) {
  members m = seeds[rng.below(seeds.size())];
  const int ops = 1 + static_cast<int>(rng.below(3));
  for (int k = 0; k < ops && !m.empty(); ++k) {
    auto& field = m[rng.below(m.size())];
    switch (rng.below(5)) {
      case 0:
      case 1: field.second = std::string(edge_values[rng.below(std::size(edge_values))]); break;
      case 2: m.erase(m.begin() + static_cast<std::ptrdiff_t>(rng.below(m.size()))); break;
      case 3: {  // another family's model_type
        const auto t = std::find_if(m.begin(), m.end(), [](const auto& f) { return f.first == "model_type"; });
        const std::string v = "\"" + std::string(model_types[rng.below(std::size(model_types))]) + "\"";
        if (t != m.end()) t->second = v;
        else m.emplace_back("model_type", v);
        break;
      }
      case 4: {  // a field of another config, added or overwritten
        const members& o = seeds[rng.below(seeds.size())];
        if (o.empty()) break;
        const auto& f = o[rng.below(o.size())];
        const auto t = std::find_if(m.begin(), m.end(), [&](const auto& x) { return x.first == f.first; });
        if (t != m.end()) t->second = f.second;
        else m.push_back(f);
        break;
      }
    }
  }
  return join(m);
}

}  // namespace

TEST_CASE("hf_config fuzz seeds and structured mutations keep the invariants") {
  const auto seeds = load_seeds();
  REQUIRE(seeds.size() >= 40);
  std::vector<members> parsed;
  int loaded = 0;
  for (const auto& s : seeds) {
    CHECK_NOTHROW(loaded += txmath_fuzz::check_hf_config(s) ? 1 : 0);
    parsed.push_back(split(s));
  }
  CHECK(loaded == static_cast<int>(seeds.size()));  // every seed is a valid config

  rng64 rng{20240611};
  int ok = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string input = mutate(parsed, rng);
    bool loads = false;
    try {
      loads = txmath_fuzz::check_hf_config(input);
    } catch (const std::exception& e) {
      CAPTURE(input);
      FAIL_CHECK(std::string(e.what()));
      continue;
    }
    (loads ? ok : rejected) += 1;
  }
  MESSAGE("structured mutations: " << ok << " loaded, " << rejected << " rejected with a message");
  CHECK(ok > 1000);  // the mutations reach the loader's deeper checks, not only its first ones
  CHECK(rejected > 1000);
}

TEST_CASE("hf_config byte mutations never crash the loader") {
  const auto seeds = load_seeds();
  rng64 rng{77};
  for (int i = 0; i < 3000; ++i) {
    std::string s = seeds[rng.below(seeds.size())];
    for (int k = 0; k < 3; ++k) {
      const std::size_t at = rng.below(s.size());
      switch (rng.below(3)) {
        case 0: s[at] = static_cast<char>(rng.next() & 0xff); break;
        case 1: s.erase(at, rng.below(8) + 1); break;
        case 2: s.insert(at, edge_values[rng.below(std::size(edge_values))]); break;
      }
    }
    try {
      (void)txmath_fuzz::check_hf_config(s);
    } catch (const std::exception& e) {
      CAPTURE(s);
      FAIL_CHECK(std::string(e.what()));
    }
  }
}

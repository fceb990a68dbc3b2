// Random greedy (path_optimizer::random_greedy, einsum_path/random_greedy.hpp): never worse
// than greedy (its first pass is greedy), its reported costs are those of its path replayed,
// a seed gives one path, and against an independent tool: opt_einsum's RandomGreedy with as
// many trials, on the same networks (tests/reference/einsum_random_greedy.json, written by
// scripts/einsum_random_greedy.py). Also greedy itself in count where pairs outgrow 128 bits,
// against opt_einsum's paths (tests/reference/einsum_greedy_beyond_count.json, written by
// scripts/einsum_greedy_beyond_count.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <txmath/json.hpp>
#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>

#include "support.hpp"

namespace {
using namespace txmath;

// The networks of the reference file, by name.
einsum_network network_of(std::string_view kind, const std::vector<std::uint64_t>& a) {
  auto u32 = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  if (kind == "random_network") return random_network(u32(a[0]), u32(a[1]), u32(a[2]), a[3]);
  if (kind == "lattice_network") return lattice_network(u32(a[0]), u32(a[1]), a[2]);
  REQUIRE(kind == "mps_overlap");
  return mps_overlap(u32(a[0]), a[1], a[2]);
}
std::vector<std::uint64_t> args_of(const json::value& row) {
  std::vector<std::uint64_t> args;
  for (json::value a : row.at("args").elements()) args.push_back(a.as_uint64());
  return args;
}
linear_path path_of(const json::value& steps) {
  linear_path path;
  for (json::value step : steps.elements()) {
    for (json::value i : step.elements()) path.add(static_cast<std::size_t>(i.as_uint64()));
    path.close();
  }
  return path;
}
// The network as the txmath tool reads it from its text: label ids by first appearance (the
// generators number them as they make them, and greedy's ties follow the ids).
einsum_network as_parsed(const einsum_network& net) {
  einsum_network t = parse_network(net.str());
  for (std::size_t d = 0; d < net.n_labels(); ++d) t.set_size(net.labels[d], net.sizes[d]);
  return t;
}
struct named_network {
  const char* name;
  einsum_network net;
};
std::vector<named_network> networks() {
  return {{"random_network(100, 3, 2, 100)", random_network(100, 3, 2, 100)},
          {"random_network(300, 3, 2, 300)", random_network(300, 3, 2, 300)},
          {"random_network(1000, 2, 2, 1000)", random_network(1000, 2, 2, 1000)},
          {"lattice_network(10, 10, 2)", lattice_network(10, 10, 2)},
          {"mps_overlap(40, 2, 64)", mps_overlap(40, 2, 64)}};
}

path_options random_greedy(std::uint32_t trials = 32, std::uint64_t seed = 0) {
  path_options o{.optimize = path_optimizer::random_greedy};
  o.random.trials = trials;
  o.random.seed = seed;
  return o;
}

// log2 of the optimized FLOPs as the txmath tool reports them: exact counts, or (beyond
// 2^128 - 1) the same path replayed in log2_cost.
double log2_flops(const einsum_network& net, const path_info<count>& info) {
  if (!info.overflowed.opt_flops) return std::log2(info.opt_flops.to_double());
  return contract_path<log2_cost>(net, info.path).opt_flops.log2();
}

const json::value& reference() {
  static const json::value doc = json::parse_file(TXMATH_REFERENCE_DIR "/einsum_random_greedy.json");
  return doc;
}
}  // namespace

TEST_CASE("splitmix64 gives the reference outputs (Vigna's splitmix64.c; Rosetta Code, seed 1234567)") {
  constexpr auto first = [] {
    detail::splitmix64 g{1234567};
    std::array<std::uint64_t, 5> v{};
    for (auto& x : v) x = g.next();
    return v;
  }();
  static_assert(first[0] == 6457827717110365317ull && first[4] == 16408922859458223821ull);
  detail::splitmix64 g{txmath_test::runtime(std::uint64_t{1234567})};
  for (std::uint64_t want : {6457827717110365317ull, 3203168211198807973ull, 9817491932198370423ull,
                             4593380528125082431ull, 16408922859458223821ull})
    CHECK(g.next() == want);
  // uniform() is strictly inside (0, 1), also at the extreme outputs.
  for (std::uint64_t s = 0; s < 1000; ++s) {
    detail::splitmix64 u{s};
    const double x = u.uniform();
    CHECK((x > 0 && x < 1));
  }
}

TEST_CASE("random greedy never costs more than greedy, and one trial is greedy") {
  for (const auto& [name, net] : networks()) {
    CAPTURE(name);
    const auto greedy = contract_path<count>(net, {.optimize = path_optimizer::greedy});
    const auto one = contract_path<count>(net, random_greedy(1));
    CHECK(one.path == greedy.path);
    const auto rg = contract_path<count>(net, random_greedy());
    CHECK(log2_flops(net, rg) <= log2_flops(net, greedy));
    // In log2_cost too (its own greedy, whose near-ties may fall otherwise).
    const auto g2 = contract_path<log2_cost>(net, {.optimize = path_optimizer::greedy});
    CHECK(contract_path<log2_cost>(net, random_greedy()).opt_flops.log2() <= g2.opt_flops.log2());
  }
}

TEST_CASE("each reported cost is the replay of the path found") {
  for (const auto& [name, net] : networks()) {
    CAPTURE(name);
    const auto rg = contract_path<count>(net, random_greedy());
    const auto replayed = contract_path<count>(net, rg.path);
    CHECK(replayed.opt_flops == rg.opt_flops);
    CHECK(replayed.naive_flops == rg.naive_flops);
    CHECK(replayed.largest_intermediate == rg.largest_intermediate);
    CHECK(replayed.overflowed.opt_flops == rg.overflowed.opt_flops);
    const auto rl = contract_path<log2_cost>(net, random_greedy());
    CHECK(contract_path<log2_cost>(net, rl.path).opt_flops == rl.opt_flops);
  }
}

TEST_CASE("a seed gives one path; other seeds explore others") {
  const auto net = random_network(100, 3, 2, 100);
  const auto a = contract_path<count>(net, random_greedy(16, 7));
  const auto b = contract_path<count>(net, random_greedy(16, 7));
  CHECK(a.path == b.path);
  CHECK(a.opt_flops == b.opt_flops);
  // Eight seeds: the best of 16 passes is not always the same path.
  std::vector<linear_path> seen;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    const auto p = contract_path<count>(net, random_greedy(16, seed)).path;
    if (std::find(seen.begin(), seen.end(), p) == seen.end()) seen.push_back(p);
  }
  CHECK(seen.size() >= 2);
  // More passes never cost more: passes 1..15 of seed s are the first 15 of its 31.
  CHECK(contract_path<count>(net, random_greedy(32, 7)).opt_flops <= a.opt_flops);
}

TEST_CASE("at compile time, the same path as at run time") {
  // Six operands: a ring with two chords, sizes 2..5. (Small: Clang's constant evaluator
  // stops after 2^20 steps, and the constexpr logarithms are long.)
  constexpr auto sizes = index_sizes{{'a', 2}, {'b', 3}, {'c', 4}, {'d', 5}, {'e', 2}, {'f', 3}, {'k', 4}, {'l', 5}};
  constexpr path_options opt = [] {
    path_options o{.optimize = path_optimizer::random_greedy};
    o.random.trials = 3;
    o.random.seed = 3;
    return o;
  }();
  constexpr auto ct = contract_path(einsum<"abk,bcl,cdk,del,ef,fa->">, sizes, opt);
  constexpr auto greedy = contract_path(einsum<"abk,bcl,cdk,del,ef,fa->">, sizes,
                                        {.optimize = path_optimizer::greedy});
  static_assert(ct.opt_flops <= greedy.opt_flops);
  const auto rt = contract_path(einsum<"abk,bcl,cdk,del,ef,fa->">, txmath_test::runtime(sizes), opt);
  CHECK(rt.opt_flops == ct.opt_flops);
  CHECK(rt.n_steps == ct.n_steps);
  for (std::size_t k = 0; k < ct.n_steps; ++k) {
    CHECK(rt.path[k][0] == ct.path[k][0]);
    CHECK(rt.path[k][1] == ct.path[k][1]);
  }
}

TEST_CASE("options out of range are refused, naming the option and the limit") {
  const auto net = random_network(20, 3, 2, 20);
  auto refused = [&](path_options o, const char* what) {
    CAPTURE(what);
    CHECK_THROWS_WITH_AS(contract_path<count>(net, o), doctest::Contains(what), invalid_argument);
  };
  path_options o = random_greedy(0);
  refused(o, "trials is 0: give 1 to 65536");
  o = random_greedy(65537);
  refused(o, "trials is 65537: give 1 to 65536");
  o = random_greedy();
  o.random.costmod_min = 0;
  refused(o, "costmod range [0.000000, 4.000000] is out of range: give 0 < min <= max <= 1e6");
  o = random_greedy();
  o.random.costmod_min = 5;
  refused(o, "costmod range");
  o = random_greedy();
  o.random.temperature_max = std::nan("");
  refused(o, "temperature range");
  o = random_greedy();
  o.random.temperature_max = 1e300;
  refused(o, "temperature range");
  // Refused on small networks too, where no search runs.
  CHECK_THROWS_AS(contract_path<count>(parse_network("ij,jk->ik", {{'i', 2}, {'j', 3}, {'k', 4}}), random_greedy(0)),
                  invalid_argument);
  o = random_greedy();
  o.limit = memory_limit::max_input();
  refused(o, "random_greedy takes no memory limit: use path_optimizer::greedy");
}

TEST_CASE("against opt_einsum's RandomGreedy with as many trials (tests/reference/einsum_random_greedy.json)") {
  // opt_einsum's RandomGreedy(max_repeats = 32) ranks candidates with a 1% Gaussian jitter and
  // draws among the 8 best with a Boltzmann weight; txmath's follows cotengrust (a costmod and
  // a Gumbel perturbation). Different samplers: neither need win everywhere, and opt_einsum's
  // own figure moves with Python's string hashing (on random_network(100, 3, 2, 100), from
  // 2^52.2 to 2^55.0 over three hash seeds; the file holds PYTHONHASHSEED=0's). The check:
  // txmath's cost (seed 0) is at most 2^3 = 8 times opt_einsum's on every network but one
  // (the recorded figures show where each is ahead), and the file was written by this code
  // (txmath's figures recomputed, from the network's text as the tool reads it; the tool
  // prints log2 beyond 2^128 to 6 decimals).
  // The one: on random_network(500, 3, 2, 500), seed 0's 32 passes end 2^24 above opt_einsum's
  // RandomGreedy (2^256.8 against 2^232.8), a known shortfall: at 500 tensors the best of 32
  // passes moves by much more than that from seed to seed (checked below: seeds 0-5 span
  // more than 2^20, and their best is within 2^3 of opt_einsum's).
  const json::value& doc = reference();
  REQUIRE(doc.at("trials").as_uint64() == 32);
  std::size_t n = 0;
  for (json::value c : doc.at("networks").elements()) {
    const std::vector<std::uint64_t> args = args_of(c);
    const std::string kind = c.at("kind").as_string();
    CAPTURE(kind);
    CAPTURE(args[0]);
    const einsum_network net = as_parsed(network_of(kind, args));
    CHECK(net.str() == c.at("expr").as_string());  // the same network on both sides
    const json::value oe = c.at("opt_einsum"), tx = c.at("txmath");
    const auto rg = contract_path<count>(net, random_greedy());
    const auto greedy = contract_path<count>(net, {.optimize = path_optimizer::greedy});
    const double ours = log2_flops(net, rg);
    CHECK(ours == doctest::Approx(tx.at("random_greedy_log2").as_double()).epsilon(1e-8));
    CHECK(log2_flops(net, greedy) == doctest::Approx(tx.at("greedy_log2").as_double()).epsilon(1e-8));
    const double theirs = oe.at("random_greedy_log2").as_double();
    if (args[0] != 500) {
      CHECK(ours <= theirs + 3.0);
    } else {
      CHECK(ours <= theirs + 25.0);
      double lo = ours, hi = ours;
      for (std::uint64_t seed = 1; seed <= 5; ++seed) {
        const double l = log2_flops(net, contract_path<count>(net, random_greedy(32, seed)));
        lo = std::min(lo, l);
        hi = std::max(hi, l);
      }
      CHECK(hi - lo > 20.0);
      CHECK(lo <= theirs + 3.0);
    }
    ++n;
  }
  CHECK(n == 6);
}

// opt_einsum ranks greedy's pairs in Python integers; txmath's greedy in count ranks them exactly
// while a pair's sizes fit in 128 bits and by log2 beyond, in one search (before, the search
// started again in log2_cost at the first overflow, and found opt_einsum's path on 15 of these
// 30 networks; now 25). Where the file records txmath's own path (two ranks beyond 2^128 too
// close for a double), it is pinned, and its cost is near opt_einsum's.
TEST_CASE("greedy in count finds opt_einsum's path on networks whose pairs outgrow 128 bits") {
  const json::value doc = json::parse_file(TXMATH_REFERENCE_DIR "/einsum_greedy_beyond_count.json");
  std::size_t same = 0, n = 0;
  for (json::value c : doc.at("networks").elements()) {
    const std::string kind = c.at("kind").as_string();
    const std::vector<std::uint64_t> args = args_of(c);
    CAPTURE(kind);
    CAPTURE(args[0]);
    CAPTURE(args.back());
    const einsum_network net = as_parsed(network_of(kind, args));
    const auto info = contract_path<count>(net, {.optimize = path_optimizer::greedy});
    ++n;
    if (!c.contains("txmath_path")) {
      CHECK(info.path == path_of(c.at("opt_einsum_path")));
      same += info.path == path_of(c.at("opt_einsum_path"));
      continue;
    }
    CHECK(info.path == path_of(c.at("txmath_path")));
    const double ours = log2_flops(net, info), theirs = c.at("opt_einsum_log2_opt_cost").as_double();
    CHECK(ours == doctest::Approx(c.at("txmath_log2_opt_flops").as_double()).epsilon(1e-8));
    CHECK(std::abs(ours - theirs) <= 1);
  }
  CHECK(same == doc.at("same_as_opt_einsum").as_uint64());
  CHECK(same * 10 >= n * 8);  // (at generation: 25 of 30)
}

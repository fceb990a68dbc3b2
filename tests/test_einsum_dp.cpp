// dp (path_optimizer::dp) on square lattices, against opt_einsum's DynamicProgramming on the
// very same expressions. The figures come from scripts/einsum_lattice_dp.py, which builds
// lattice_network(rows, cols, 2) bit for bit (one tensor a site, one index of size 2 an edge)
// and runs opt_einsum 3.4 (git 2ebc7b8):
//
//   python3 scripts/einsum_lattice_dp.py --opt-einsum /work/opt_einsum --minimize flops,size,write,combo,limit 3x3 4x4
//   python3 scripts/einsum_lattice_dp.py --opt-einsum /work/opt_einsum 1x9 1x11 2x5
//   python3 scripts/einsum_lattice_dp.py --opt-einsum /work/opt_einsum 5x5 6x6
//
// printing contract_path's opt_cost for opt_einsum's dp path: opt_einsum's flop_count per
// step, txmath's FLOP convention. 3x3: 392 under every objective; 4x4: 1160 under every
// objective (largest intermediate 16); 5x5 (flops): 3976.
//
// Why these are comparable with txmath's objectives: on a lattice every step of a connected
// tree sums a bond away (each index is on exactly two tensors), so each step's exact FLOPs are
// 2 x opt_einsum's 'flops' proxy and both objectives order trees alike: our exact dp and our
// opt_einsum_flops dp find opt_einsum's optimum. Under the other objectives txmath's dp scans
// pairs in opt_einsum's order, so it finds opt_einsum's very path and its reported FLOPs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>
#include <txmath/json.hpp>

using namespace txmath;

namespace {
constexpr path_options dp_with(dp_minimize m) { return {.optimize = path_optimizer::dp, .minimize = m}; }
constexpr dp_minimize every_objective[] = {dp_minimize::exact_flops, dp_minimize::opt_einsum_flops, dp_minimize::size,
                                          dp_minimize::write,       dp_minimize::combo,            dp_minimize::limit};
}  // namespace

// At compile time too: the small-group search (up to 10 tensors: one cap at a greedy tree's
// cost, 64-bit figures) on the 2 x 5 ladder (opt_einsum: 232) and the chain of 9, 1 x 9 (60:
// by hand 7 vector-matrix steps of 2 x 2 x 2 FLOPs and a last dot product of 2 x 2), and
// past it, the general search on the chain of 11 (76: 9 such steps and the dot product).
// (The network is bound inside a constexpr function: g++-12 cannot destroy a temporary
// einsum_network at the top of a constant expression, a compiler bug with the in-place
// arrays of small_vector; clang-19 can. See README, "Compile time".)
constexpr count dp_lattice(std::uint32_t rows, std::uint32_t cols) {
  const einsum_network net = lattice_network(rows, cols, 2);
  return contract_path(net, dp_with(dp_minimize::exact_flops)).opt_flops;
}
static_assert(dp_lattice(2, 5) == 232);
static_assert(dp_lattice(1, 9) == 60);
static_assert(dp_lattice(1, 11) == 76);

TEST_CASE("dp on the 3 x 3 and 4 x 4 lattices: opt_einsum's optimum under every objective") {
  for (const dp_minimize m : every_objective) {
    CAPTURE(static_cast<int>(m));
    CHECK(contract_path(lattice_network(3, 3, 2), dp_with(m)).opt_flops == 392);
    const auto info = contract_path(lattice_network(4, 4, 2), dp_with(m));
    CHECK(info.opt_flops == 1160);
    CHECK(info.largest_intermediate == 16);
  }
}

TEST_CASE("dp on the 5 x 5 lattice: opt_einsum's optimum") {
  CHECK(contract_path(lattice_network(5, 5, 2), dp_with(dp_minimize::exact_flops)).opt_flops == 3976);
  CHECK(contract_path(lattice_network(5, 5, 2), dp_with(dp_minimize::opt_einsum_flops)).opt_flops == 3976);
}

TEST_CASE("dp's exact search is the same with and without cost caps, and in log2 costs") {
  // The caps only order the search (the first tree found under a cap is the optimum), so the
  // uncapped search, one round over every connected subset, finds the same cost.
  path_options capped = dp_with(dp_minimize::exact_flops), uncapped = capped;
  capped.cap = path_options::cost_cap::on;
  uncapped.cap = path_options::cost_cap::off;
  for (const auto& net : {lattice_network(3, 4, 2), lattice_network(4, 4, 3), random_network(14, 3, 2, 3)}) {
    const count best = contract_path(net, capped).opt_flops;
    CHECK(contract_path(net, uncapped).opt_flops == best);
    // log2_cost has no double pre-filter: the same search on the exact test alone.
    const auto in_log2 = contract_path<log2_cost>(net, capped);
    CHECK(contract_path(net, in_log2.path).opt_flops == best);
  }
}

TEST_CASE("dp on the 6 x 6 lattice: opt_einsum's optimum, within the budget options.hpp states") {
  // opt_einsum's dp: 9096 (scripts/einsum_lattice_dp.py 6x6, over two minutes in Python).
  CHECK(contract_path(lattice_network(6, 6, 2), dp_with(dp_minimize::exact_flops)).opt_flops == 9096);
  // The 6 x 6 lattice takes between 2^24 and 2^25 pairs (147,442,164 before dp's caps
  // stopped at greedy completions of a failed round's subsets, 31,924,012 since, 30,609,054
  // since the cost-ordered scan examines a level's fitting prefix in bitmaps).
  path_options o = dp_with(dp_minimize::exact_flops);
  o.budget.pairs = std::uint64_t{1} << 25;
  CHECK(contract_path(lattice_network(6, 6, 2), o).opt_flops == 9096);
  o.budget.pairs = std::uint64_t{1} << 24;
  CHECK_THROWS_AS((void)contract_path(lattice_network(6, 6, 2), o), txmath::invalid_argument);
}

// Groups beyond the pair-by-pair scan's (more than 16 tensors, or dense groups of 14-16): dp's
// cost-ordered scan, against opt_einsum's dp on 35 networks chosen by a rule
// (tests/reference/einsum_dp_large.json, written by scripts/einsum_dp_large.py: random
// 3-regular networks of 17-26 tensors, 5-regular ones of 14-16, lattices of 18-24 sites of bond
// 2 and 3, MPS overlaps of 18-24 tensors). Replaying opt_einsum's path gives its opt_cost (the
// same FLOP convention), and txmath's dp, minimizing those FLOPs exactly over the same trees,
// reports at most that. Where the search is small enough, the uncapped search (no cap, so none
// of the scan's pruning: every entry of a level fits) finds the same cost as the capped one.
// (All 35 were at opt_einsum's very cost when the file was written.)
TEST_CASE("dp's cost-ordered scan on groups beyond 16 tensors: at most opt_einsum dp's cost, as uncapped") {
  const json::value doc = json::parse_file(TXMATH_REFERENCE_DIR "/einsum_dp_large.json");
  std::size_t cases = 0, equal = 0;
  for (json::value row : doc.at("cases").elements()) {
    const std::string kind = row.at("kind").as_string();
    std::vector<std::uint32_t> a;
    for (json::value x : row.at("args").elements()) a.push_back(static_cast<std::uint32_t>(x.as_uint64()));
    const einsum_network net = kind == "random_network"    ? random_network(a[0], a[1], a[2], a[3])
                               : kind == "lattice_network" ? lattice_network(a[0], a[1], a[2])
                                                           : mps_overlap(a[0], a[1], a[2]);
    std::string name = kind;
    for (auto x : a) name += " " + std::to_string(x);
    CAPTURE(name);
    linear_path theirs;
    for (json::value step : row.at("opt_einsum_path").elements()) {
      for (json::value i : step.elements()) theirs.add(static_cast<std::size_t>(i.as_uint64()));
      theirs.close();
    }
    const count their_cost = row.at("opt_einsum_opt_cost").as_uint64();
    CHECK(contract_path(net, theirs).opt_flops == their_cost);
    const count ours = contract_path(net, dp_with(dp_minimize::exact_flops)).opt_flops;
    CHECK(ours <= their_cost);
    equal += ours == their_cost;
    ++cases;
    // (Uncapped, dp visits every pair of connected subsets: on the 3-regular networks and the MPS
    // overlap of at most 18 tensors, 30-90 ms each in Release; lattices and denser networks of
    // 14-20 take up to a second, too long for the Debug and sanitizer runs.)
    if (net.operands() <= 18 && kind != "lattice_network" && (kind == "mps_overlap" || a[1] == 3)) {
      path_options uncapped = dp_with(dp_minimize::exact_flops);
      uncapped.cap = path_options::cost_cap::off;
      CHECK(contract_path(net, uncapped).opt_flops == ours);
    }
  }
  CHECK(cases == 35);
  MESSAGE(equal, " of ", cases, " at opt_einsum's very cost (the rest below it)");
}

// dp's cost-ordered scan bounds a step by the bonds a partner can share with a subset. An
// output index held by two tensors far apart joins them too: a bound over the subset's
// neighbours alone (the tensors sharing a summed index) missed it, and dp returned trees up to
// 1.7x dearer than its optimum (the first two networks before the bitmap scan, the last two
// with it). On the 2 x 9 ladder of bond 2 with three output indices, each on two sites, the
// capped search finds the uncapped one's cost (the uncapped search prunes nothing).
TEST_CASE("dp's pruning counts output indices shared with tensors that are not neighbours") {
  struct shared_output {
    std::uint32_t a, b;
    count size;
  };
  const std::vector<std::vector<shared_output>> cases = {{{12, 1, 28}, {1, 6, 5}, {4, 2, 7}},
                                                         {{4, 6, 9}, {2, 17, 10}, {1, 13, 8}},
                                                         {{4, 3, 12}, {7, 0, 26}, {12, 2, 11}},
                                                         {{14, 17, 7}, {7, 10, 31}, {17, 12, 12}}};
  for (const auto& outputs : cases) {
    einsum_network net = lattice_network(2, 9, 2);
    for (const auto& o : outputs) {
      const auto id = net.add_label(einsum_symbol(200 + net.output.size()), o.size);
      net.inputs[o.a].push_back(id);
      net.inputs[o.b].push_back(id);
      net.output.push_back(id);
    }
    CAPTURE(net.str());
    path_options uncapped = dp_with(dp_minimize::exact_flops);
    uncapped.cap = path_options::cost_cap::off;
    CHECK(contract_path(net, dp_with(dp_minimize::exact_flops)).opt_flops == contract_path(net, uncapped).opt_flops);
  }
}

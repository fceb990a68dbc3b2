// Contraction paths: compile time, cost types, large networks, memory limits. Expected
// values: opt_einsum's documented contract_path examples, brute-force enumeration, and the
// identity that every optimizer's reported cost is the replay of its own path.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <txmath/einsum_random.hpp>
#include <txmath/einsum_path.hpp>

using namespace txmath;

namespace {
constexpr index_sizes ten{{'a', 10}, {'b', 10}, {'c', 10}, {'d', 10}, {'e', 10}, {'f', 10}, {'g', 10}, {'h', 10}};

// Exhaustive search over every pairwise order (no pre-reductions): an independent oracle.
count brute_force(const einsum_network& net, std::vector<std::vector<std::size_t>> path, std::size_t left) {
  if (left == 1) return contract_path<count>(net, path).opt_flops;
  count best = 0;
  bool any = false;
  for (std::size_t i = 0; i < left; ++i)
    for (std::size_t j = i + 1; j < left; ++j) {
      path.push_back({i, j});
      const count c = brute_force(net, path, left - 1);
      if (!any || c < best) best = c;
      any = true;
      path.pop_back();
    }
  return best;
}

// Exhaustive search over the trees dp searches: inputs first sum the indices only they carry,
// then pairs that share a summed index, in every order. Costs come from replaying each path.
count brute_force_connected(const einsum_network& net, std::vector<std::vector<std::size_t>>& path,
                            std::vector<std::vector<std::uint32_t>> terms) {
  if (terms.size() == 1) return contract_path<count>(net, path).opt_flops;
  auto needed = [&](std::uint32_t id, std::size_t skip1, std::size_t skip2) {
    if (std::find(net.output.begin(), net.output.end(), id) != net.output.end()) return true;
    for (std::size_t k = 0; k < terms.size(); ++k)
      if (k != skip1 && k != skip2 && std::find(terms[k].begin(), terms[k].end(), id) != terms[k].end()) return true;
    return false;
  };
  count best = 0;
  bool any = false;
  for (std::size_t i = 0; i < terms.size(); ++i)
    for (std::size_t j = i + 1; j < terms.size(); ++j) {
      bool shared = false;
      for (auto id : terms[i])
        if (std::find(terms[j].begin(), terms[j].end(), id) != terms[j].end() &&
            std::find(net.output.begin(), net.output.end(), id) == net.output.end())
          shared = true;
      if (!shared) continue;
      std::vector<std::uint32_t> result;
      for (const auto* t : {&terms[i], &terms[j]})
        for (auto id : *t)
          if (needed(id, i, j) && std::find(result.begin(), result.end(), id) == result.end()) result.push_back(id);
      auto next = terms;
      next.erase(next.begin() + static_cast<std::ptrdiff_t>(j));
      next.erase(next.begin() + static_cast<std::ptrdiff_t>(i));
      next.push_back(result);
      path.push_back({i, j});
      const count c = brute_force_connected(net, path, next);
      path.pop_back();
      if (c != 0 && (!any || c < best)) best = c, any = true;
    }
  return best;  // 0: no tree of connected pairs from here
}
count brute_force_dp(const einsum_network& net) {
  std::vector<std::vector<std::size_t>> path;
  std::vector<std::vector<std::uint32_t>> terms;
  for (std::size_t k = 0; k < net.inputs.size(); ++k) {  // the one-operand sums, as dp does
    std::vector<std::uint32_t> kept;
    for (auto id : net.inputs[k]) {
      std::size_t uses = std::count(net.output.begin(), net.output.end(), id);
      for (const auto& t : net.inputs) uses += std::count(t.begin(), t.end(), id);
      if (uses > 1 && std::find(kept.begin(), kept.end(), id) == kept.end()) kept.push_back(id);
    }
    terms.push_back(kept);
  }
  for (std::size_t k = 0, at = 0; k < net.inputs.size(); ++k) {
    if (terms[at].size() == net.inputs[k].size()) {
      ++at;
      continue;
    }
    path.push_back({at});  // reduce operand k (now at position `at`), which goes to the end
    terms.push_back(terms[at]);
    terms.erase(terms.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return brute_force_connected(net, path, terms);
}
constexpr count pow2(int k) {
  count r = 1;
  for (int i = 0; i < k; ++i) r *= 2;
  return r;
}
}  // namespace

TEST_CASE("dp equals an exhaustive search over its trees on small networks") {
  int checked = 0;
  for (std::uint32_t n : {4u, 5u, 6u, 7u, 8u})
    for (std::uint64_t seed = 1; seed <= (n <= 6 ? 8u : 2u); ++seed) {
      const auto net = random_network(n, 3, 2, seed);
      CAPTURE(net.str());
      const count best = brute_force_dp(net);
      if (best == 0) continue;  // not connected: dp joins the parts by outer products
      for (auto cap : {path_options::cost_cap::auto_, path_options::cost_cap::on, path_options::cost_cap::off}) {
        path_options o{path_optimizer::dp};
        o.cap = cap;
        CHECK(contract_path<count>(net, o).opt_flops == best);
      }
      ++checked;
    }
  CHECK(checked >= 16);
}

TEST_CASE("dp on 7-10 tensors: one cap at a greedy tree's cost, in 64-bit figures or in counts") {
  // Groups of at most 10 tensors search once under a cap at the cost of a greedy tree, in
  // 64-bit figures where the group's product of sizes and that cost stay below 2^61, in counts
  // otherwise (bond 256 on the 2 x 4 lattice: a product of 2^80). Either way the exhaustive
  // search over dp's trees agrees.
  for (const auto& net : {lattice_network(2, 4, 2), lattice_network(2, 4, 256), lattice_network(1, 8, 3),
                          mps_overlap(4, 4, 8), random_network(7, 3, 2, 11), random_network(8, 3, 2, 12)}) {
    CAPTURE(net.str());
    const count best = brute_force_dp(net);
    REQUIRE(best != 0);
    CHECK(contract_path<count>(net, {.optimize = path_optimizer::dp}).opt_flops == best);
  }
  // Under a memory limit, the one capped search (greedy's tree within the limit bounds it)
  // finds what one uncapped round over every subset finds, and the limit holds; where no tree
  // keeps to it, both refuse.
  path_options capped{.optimize = path_optimizer::dp, .cap = path_options::cost_cap::on};
  int limited = 0;
  for (const auto& net : {lattice_network(2, 5, 2), lattice_network(2, 5, 8), lattice_network(3, 3, 3),
                          mps_overlap(5, 2, 16), lattice_network(2, 5, 1024)}) {
    CAPTURE(net.str());
    const count free_largest = contract_path<count>(net, capped).largest_intermediate;
    path_options least_size = capped;
    least_size.minimize = dp_minimize::size;
    const count least = contract_path<count>(net, least_size).largest_intermediate;
    for (const count limit : {free_largest, least, least - 1}) {
      CAPTURE(limit.to_double());
      path_options on = capped, off = capped;
      on.limit = off.limit = memory_limit::of(limit);
      off.cap = path_options::cost_cap::off;
      bool fits = true;
      count uncapped = 0;
      try {
        uncapped = contract_path<count>(net, off).opt_flops;
      } catch (const txmath::invalid_argument&) {
        fits = false;
      }
      if (!fits) {
        CHECK_THROWS_AS((void)contract_path<count>(net, on), txmath::invalid_argument);
        continue;
      }
      ++limited;
      const auto a = contract_path<count>(net, on);
      CHECK(a.opt_flops == uncapped);
      CHECK(a.largest_intermediate <= limit);
    }
  }
  CHECK(limited >= 10);
}

TEST_CASE("compile time: opt_einsum's docstring example, 6-operand optimal search") {
  // opt_einsum's contract_path docstring: "ea,fb,abcd,gc,hd->efgh", all sizes 10 ->
  // optimized FLOP count 8.000e+05, largest intermediate 1.000e+04.
  constexpr auto p = contract_path(einsum<"ea,fb,abcd,gc,hd->efgh">, ten);
  static_assert(p.opt_flops == 800000 && p.largest_intermediate == 10000);
  static_assert(p.n_steps == 4);
  // Six operands, optimal at compile time; equal to the brute force at run time.
  constexpr auto six = contract_path(einsum<"ab,bc,cd,de,ef,fa->">,
                                     {{'a', 2}, {'b', 3}, {'c', 4}, {'d', 5}, {'e', 6}, {'f', 7}},
                                     {.optimize = path_optimizer::optimal, .pre_reduce = false});
  const auto net = parse_network("ab,bc,cd,de,ef,fa->", {{'a', 2}, {'b', 3}, {'c', 4}, {'d', 5}, {'e', 6}, {'f', 7}});
  CHECK(six.opt_flops == brute_force(net, {}, 6));
  static_assert(six.opt_flops < six.naive_flops);
}

TEST_CASE("optimal equals brute force on random networks; dp and greedy never beat it") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    const auto net = random_network(6, 3, 2, seed);
    CAPTURE(net.str());
    path_options o{path_optimizer::optimal};
    o.pre_reduce = false;
    const count best = contract_path<count>(net, o).opt_flops;
    CHECK(best == brute_force(net, {}, 6));
    CHECK(best <= contract_path<count>(net, {.optimize = path_optimizer::dp}).opt_flops);
    CHECK(best <= contract_path<count>(net, {.optimize = path_optimizer::greedy}).opt_flops);
  }
}

TEST_CASE("dp: the cost cap changes the work, never the optimum") {
  // opt_einsum's test_custom_dp_can_set_cost_cap: one opt_cost with cost_cap True or False (a
  // tree costs at least each of its subtrees, so the first tree under a cap is the optimum).
  path_options on{path_optimizer::dp};
  on.cap = path_options::cost_cap::on;
  path_options off = on;
  off.cap = path_options::cost_cap::off;
  for (std::uint32_t n : {4u, 5u, 7u, 9u, 12u})
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const auto net = random_network(n, 3, 2, seed);
      CAPTURE(net.str());
      const count capped = contract_path<count>(net, on).opt_flops;
      CHECK(contract_path<count>(net, off).opt_flops == capped);
      CHECK(contract_path<count>(net, {.optimize = path_optimizer::dp}).opt_flops == capped);
      // Under opt_einsum's objectives the value of the objective agrees (ties may pick others).
      auto step_products = [&](const path_info<count>& info) {  // opt_einsum's 'flops'
        count sum = 0;
        for (const auto& st : info.steps) {
          if (st.terms.size() != 2) continue;
          std::vector<std::uint32_t> ids(st.terms[0].begin(), st.terms[0].end());
          ids.insert(ids.end(), st.terms[1].begin(), st.terms[1].end());
          std::sort(ids.begin(), ids.end());
          ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
          count prod = 1;
          for (auto id : ids) prod *= net.sizes[id];
          sum += prod;
        }
        return sum;
      };
      path_options a = on, b = off;
      a.minimize = b.minimize = dp_minimize::opt_einsum_flops;
      CHECK(step_products(contract_path<count>(net, a)) == step_products(contract_path<count>(net, b)));
      a.minimize = b.minimize = dp_minimize::size;
      CHECK(contract_path<count>(net, a).largest_intermediate == contract_path<count>(net, b).largest_intermediate);
    }
  // At compile time too, either way: opt_einsum's docstring example again.
  constexpr path_options dp_off{.optimize = path_optimizer::dp, .cap = path_options::cost_cap::off};
  constexpr path_options dp_on{.optimize = path_optimizer::dp, .cap = path_options::cost_cap::on};
  static_assert(contract_path(einsum<"ea,fb,abcd,gc,hd->efgh">, ten, dp_off).opt_flops == 800000);
  static_assert(contract_path(einsum<"ea,fb,abcd,gc,hd->efgh">, ten, dp_on).opt_flops == 800000);
}

TEST_CASE("compile time: dp on ten tensors, capped") {
  // Ten connected tensors (random_network(10, 3, 2, 2)): the small-group search, capped at a
  // greedy tree's cost, runs in the constant evaluator (test_einsum_dp: the general search). opt_einsum 3.4's 'dp'
  // and 'optimal' both find 109,312 FLOPs for it.
  constexpr index_sizes sizes{{'a', 6}, {'b', 2}, {'c', 6}, {'d', 4}, {'e', 4}, {'f', 4},
                              {'g', 8}, {'h', 8}, {'i', 7}, {'j', 4}, {'k', 8}, {'l', 8},
                              {'m', 3}, {'n', 6}, {'o', 5}, {'p', 6}, {'q', 9}};
  constexpr auto p = contract_path(einsum<"ackq,jo,ahkn,dejo,efhlm,bgn,bdgip,m,c,fil->pq">, sizes,
                                   {.optimize = path_optimizer::dp});
  static_assert(p.opt_flops == 109312 && p.n_steps == 9);
  const auto net = parse_network("ackq,jo,ahkn,dejo,efhlm,bgn,bdgip,m,c,fil->pq", sizes);
  CHECK(contract_path<count>(net, {.optimize = path_optimizer::dp}).opt_flops == 109312);
  CHECK(contract_path<count>(net, {.optimize = path_optimizer::optimal}).opt_flops == 109312);
}

TEST_CASE("large networks at run time: dp at 20+, greedy at 500") {
  const auto net20 = random_network(22, 3, 2, 7);
  const auto dp = contract_path<count>(net20, {.optimize = path_optimizer::dp});
  const auto gr = contract_path<count>(net20, {.optimize = path_optimizer::greedy});
  CHECK(dp.path.size() == 21);
  CHECK(dp.opt_flops <= gr.opt_flops);
  CHECK(contract_path<count>(net20, dp.path).opt_flops == dp.opt_flops);  // replay identity

  const auto net500 = random_network(500, 3, 4, 11);
  CHECK(net500.n_labels() == 754);
  const auto g = contract_path<log2_cost>(net500, {.optimize = path_optimizer::greedy});
  CHECK(g.path.size() == 499);
  CHECK(g.opt_flops < g.naive_flops);
  // The naive cost of 500 tensors is far beyond 2^128: only a wide cost type holds it.
  CHECK(g.naive_flops.log2() > 128);
  // With the exact count the path is found all the same (this network's greedy path costs
  // about 2^313 FLOPs, as log2_cost says), and the report flags the figures that overflowed.
  const auto c = contract_path<count>(net500, {.optimize = path_optimizer::greedy});
  CHECK(c.path.size() == 499);
  CHECK(c.overflowed.naive_flops);
  CHECK(c.overflowed.opt_flops);
  CHECK(c.naive_flops == count::from_rep(count::max_rep));
  CHECK(contract_path<log2_cost>(net500, c.path).opt_flops.log2() > 300);
}

TEST_CASE("log2_cost agrees with exact counts") {
  const auto net = random_network(10, 3, 2, 3);
  for (auto o : {path_optimizer::optimal, path_optimizer::dp, path_optimizer::greedy}) {
    const auto exact = contract_path<count>(net, {.optimize = o});
    const auto approx = contract_path<log2_cost>(net, {.optimize = o});
    CHECK(approx.opt_flops.log2() == doctest::Approx(std::log2(exact.opt_flops.to_double())));
    CHECK(approx.naive_flops.log2() == doctest::Approx(std::log2(exact.naive_flops.to_double())));
  }
}

TEST_CASE("log2_sum adds log2 costs as the exact sum of their counts does") {
  // Against exact sums in count: powers of two whose sum is 2^100 - 1, and 1 to 64 terms of 1
  // to 2^60 drawn at random, added in either order (and a zero term, which adds nothing); an
  // empty sum is zero.
  log2_sum powers;
  for (unsigned k = 0; k < 100; ++k) powers.add(log2_cost(count::from_rep(detail::u128{1} << k)));
  CHECK(powers.value().log2() == doctest::Approx(100.0).epsilon(1e-15));
  CHECK(log2_sum{}.value().is_zero());
  detail::splitmix64 g{20261205};
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<std::uint64_t> terms(1 + g.next() % 64);
    for (auto& t : terms) t = (g.next() >> (4 + g.next() % 60)) | 1;
    detail::u128 exact = 0;
    log2_sum up, down;
    for (std::size_t i = 0; i < terms.size(); ++i) {
      exact += terms[i];
      up.add(log2_cost(count::from_rep(terms[i])));
      down.add(log2_cost(count::from_rep(terms[terms.size() - 1 - i])));
    }
    up.add(log2_cost{});
    const double want = std::log2(count::from_rep(exact).to_double());
    CHECK(up.value().log2() == doctest::Approx(want).epsilon(1e-13));
    CHECK(down.value().log2() == doctest::Approx(want).epsilon(1e-13));
  }
  // A replay's total: the 40-site MPS ladder's greedy path, whose FLOPs fit a count.
  const auto mps = mps_overlap(40, 2, 64);
  const auto exact = contract_path<count>(mps, {.optimize = path_optimizer::greedy});
  REQUIRE(!exact.overflowed.opt_flops);
  const auto approx = contract_path<log2_cost>(mps, exact.path);
  CHECK(approx.opt_flops.log2() == doctest::Approx(std::log2(exact.opt_flops.to_double())).epsilon(1e-13));
}

TEST_CASE("exact counts past 64 bits in every optimizer") {
  // A chain of three N x N matrices, N = 2^30: each pairwise step is 2 N^3 = 2^91 FLOPs, so
  // any order costs 4 N^3 = 2^92; the naive step is N^4 x 3 = 3 x 2^120.
  const count n = pow2(30);
  const auto net = parse_network("ab,bc,cd->ad", {{'a', n}, {'b', n}, {'c', n}, {'d', n}});
  for (auto o : {path_optimizer::optimal, path_optimizer::dp, path_optimizer::greedy}) {
    const auto info = contract_path<count>(net, {.optimize = o});
    CHECK(info.opt_flops == pow2(92));
    CHECK(info.naive_flops == (count{3} * pow2(120)));
    CHECK(info.largest_intermediate == pow2(60));
  }
  constexpr auto p = contract_path(einsum<"ab,bc,cd->ad">, {{'a', pow2(30)}, {'b', pow2(30)},
                                                            {'c', pow2(30)}, {'d', pow2(30)}},
                                   {.optimize = path_optimizer::dp});
  static_assert(p.opt_flops == pow2(92));

  // dp's rising cost cap (x 2^31 a round here) would pass 2^128 after its last round: it is
  // held at the largest count instead of overflowing. (bc,cd) then (ab,bd) costs
  // 2^96 + 2^95, (ab,bc) then (ac,cd) 2^97; both keep a 2^63-element intermediate.
  const auto big = parse_network("ab,bc,cd->ad", {{'a', pow2(31)}, {'b', pow2(32)}, {'c', pow2(32)}, {'d', pow2(31)}});
  for (auto cap : {path_options::cost_cap::on, path_options::cost_cap::off}) {
    path_options o{path_optimizer::dp};
    o.cap = cap;
    CHECK(contract_path<count>(big, o).opt_flops == count{3} * pow2(95));
    o.minimize = dp_minimize::opt_einsum_flops;
    CHECK(contract_path<count>(big, o).opt_flops == count{3} * pow2(95));
    o.minimize = dp_minimize::size;
    CHECK(contract_path<count>(big, o).largest_intermediate == pow2(63));
  }
}

TEST_CASE("memory limits keep every intermediate small or contract the rest at once") {
  // opt_einsum's test_memory_paths: with a limit of 5 elements, one step over all six.
  const auto net = parse_network("abc,bdef,fghj,cem,mhk,ljk->adgl",
                                 {{'a', 2}, {'b', 3}, {'c', 4}, {'d', 5}, {'e', 4}, {'f', 3}, {'g', 2},
                                  {'h', 6}, {'j', 4}, {'m', 5}, {'k', 3}, {'l', 2}});
  for (auto o : {path_optimizer::optimal, path_optimizer::greedy}) {
    const auto p = contract_path<count>(net, {.optimize = o, .limit = memory_limit::of(5)});
    CHECK(p.path.size() == 1);
    CHECK(p.opt_flops == p.naive_flops);
  }
  const auto free = contract_path<count>(net, {.optimize = path_optimizer::optimal});
  const auto lim = contract_path<count>(net, {.optimize = path_optimizer::optimal, .limit = memory_limit::of(200)});
  CHECK(lim.largest_intermediate <= 200);
  CHECK(free.opt_flops <= lim.opt_flops);
  CHECK_THROWS_WITH_AS(contract_path<count>(net, {{0, 7}}),
                       "txmath: einsum 'abc,bdef,fghj,cem,mhk,ljk->adgl': step 0 of the path names operand 7 but only 6 distinct operands remain (positions 0 to 5)",
                       txmath::invalid_argument);
}

TEST_CASE("the report is flat: a path is a list of spans, a step a view into its report") {
  // "ij,jk,kl->il" with i, j, k, l = 10, 20, 30, 40: contracting j first costs 2*10*20*30 +
  // 2*10*30*40 = 36,000 FLOPs, k first 2*20*30*40 + 2*10*20*40 = 64,000. Steps are spelled as
  // opt_einsum 3.4 does: the last operand first, result indices in order of appearance.
  constexpr auto check = [] {
    const linear_path nested = std::vector<std::vector<std::size_t>>{{1, 2}, {0, 1}};
    const linear_path braced{{1, 2}, {0, 1}};
    return nested == braced && braced.size() == 2 && braced[0].size() == 2 && braced[0][1] == 2 &&
           braced.offset(1) == 2 && braced.nested() == std::vector<std::vector<std::size_t>>{{1, 2}, {0, 1}};
  };
  static_assert(check());
  CHECK(check());

  const auto net = parse_network("ij,jk,kl->il", {{'i', 10}, {'j', 20}, {'k', 30}, {'l', 40}});
  auto make = [&] { return contract_path<count>(net, {.optimize = path_optimizer::optimal}); };
  const path_info<count> copy = [&] {
    const auto original = make();
    return path_info<count>(original);  // the original dies here: the copy's views are its own
  }();
  CHECK(copy.path == linear_path{{0, 1}, {0, 1}});
  CHECK(copy.step_spec(0) == "jk,ij->ki");
  CHECK(copy.step_spec(1) == "ki,kl->il");
  std::size_t k = 0;
  for (const auto step : copy.steps) {  // iteration and indexing agree
    CHECK(step.operands.size() == copy.path[k].size());
    CHECK(step.terms.size() == step.operands.size());
    CHECK(step.flops == copy.steps[k].flops);
    ++k;
  }
  CHECK(k == 2);
  CHECK(copy.steps[0].flops == 12000);
  CHECK(copy.steps[0].result_elements == 300);
  CHECK(copy.steps[1].flops == 24000);
  CHECK(copy.opt_flops == 36000);
  CHECK(std::vector<std::uint32_t>(copy.steps[1].result.begin(), copy.steps[1].result.end()) ==
        std::vector<std::uint32_t>{0, 3});  // i, l
  // A report's path goes back in as a path.
  CHECK(contract_path<count>(net, copy.path).opt_flops == copy.opt_flops);

  // greedy at compile time: it takes the pair that frees the most memory, (jk, kl): a 20 x 40
  // result from 600 + 1,200 elements (ij, jk would free 500), then 64,000 FLOPs in all.
  constexpr index_sizes ijkl{{'i', 10}, {'j', 20}, {'k', 30}, {'l', 40}};
  constexpr auto g = contract_path(einsum<"ij,jk,kl->il">, ijkl, {.optimize = path_optimizer::greedy});
  static_assert(g.opt_flops == 64000 && g.step_flops[0] == 48000 && g.path[0][0] == 1 && g.path[0][1] == 2);
  CHECK(contract_path<count>(net, {.optimize = path_optimizer::greedy}).opt_flops == 64000);
}

TEST_CASE("a network's text parses back to the same network, hundreds of labels included") {
  // 754 labels (most past U+00C0: two-byte UTF-8) on 500 operands: the parser's letter table
  // must map every occurrence of a letter to one id.
  const auto net = random_network(500, 3, 4, 11);
  const einsum_network back = parse_network(net.str());
  CHECK(back.n_labels() == 754);
  CHECK(back.operands() == 500);
  CHECK(back.str() == net.str());
  constexpr auto small = [] {
    const einsum_network n = parse_network("ab,bc,cd,da->");
    return n.n_labels() == 4 && n.inputs[3] == std::vector<std::uint32_t>{3, 0};
  };
  static_assert(small());
}

// greedy's rank in count (einsum_path/greedy_rank.hpp): exact ranks in the order of the signed
// integers they are, those beyond 2^128 by sign and log2, an exact one before a beyond one of
// the same log2; at compile time too, where every rank is exact.
TEST_CASE("count_rank orders greedy's ranks by value, exact or beyond 128 bits") {
  using detail::count_rank;
  using detail::u128;
  auto exact = [](long long v) {
    const unsigned long long m = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    return count_rank{u128{m}, 0, v < 0, false};
  };
  auto beyond = [](bool negative, double log2) { return count_rank{0, log2, negative, true}; };
  static_assert(count_rank{5, 0, true, false} < count_rank{0, 0, false, false});
  static_assert(count_rank{1, 0, false, false} < count_rank{2, 0, false, false});
  const std::vector<long long> values{-1000000007LL, -1000000006LL, -64, -1, 0, 1, 2, 63, 64, 1LL << 62};
  for (long long a : values)
    for (long long b : values) CHECK((exact(a) < exact(b)) == (a < b));
  // Beyond 2^128: after every exact positive rank, before every exact negative one.
  const count_rank top = exact(1LL << 62), bottom = exact(-1000000007LL);
  CHECK(top < beyond(false, 130.0));
  CHECK(!(beyond(false, 130.0) < top));
  CHECK(beyond(true, 130.0) < bottom);
  CHECK(beyond(true, 131.0) < beyond(true, 130.0));
  CHECK(beyond(false, 130.0) < beyond(false, 131.0));
  CHECK(beyond(true, 130.0) < beyond(false, 130.0));
  // Equal log2: the exact rank first, then none before the other.
  const count_rank p62 = exact(1LL << 62), b62 = beyond(false, 62.0);
  CHECK(p62 < b62);
  CHECK(!(b62 < p62));
  CHECK(!(b62 < beyond(false, 62.0)));
  // A zero beyond (log2 of 0) ranks as zero: after negatives, before positives.
  const count_rank zero = beyond(false, -std::numeric_limits<double>::infinity());
  CHECK(exact(-1) < zero);
  CHECK(zero < exact(1));
  CHECK(exact(0) < zero);
}

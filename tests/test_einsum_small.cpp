// Small einsums without overhead (issue 15, item 1): a network of a few operands is parsed,
// searched and reported without a heap allocation (detail::small_vector in einsum_network
// and path_info), and one to three operands take a short path instead of the search. The
// short path must give what the search gives: checked against the search itself (called
// directly) and against replaying each of the three pairwise trees (the least of which is
// the optimum by definition). Hand-derived figures use opt_einsum's flop_count rule: product
// of the step's index sizes x (operands - 1, + 1 if an index is summed away).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>

#include "support.hpp"

// Every allocation of this program is counted (the checks below compare the count around a
// call; doctest allocates between them). (GCC sees the new-expressions it inlines end in
// free() and warns; malloc and free are the pair here.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::size_t allocations = 0;
}
void* operator new(std::size_t n) {
  ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace txmath;

namespace {
// The allocations made by f().
template <class F>
std::size_t allocations_of(F&& f) {
  const std::size_t before = allocations;
  f();
  return allocations - before;
}

// The search's answer, without the short path: what contract_path gave before it.
path_info<count> searched(const einsum_network& net, path_optimizer o) {
  const std::vector<count> size = detail::sizes_as<count>(net);
  detail::dp_work work{search_budget{}};
  const path_options opt{.optimize = o};
  const detail::ssa_path ssa = detail::search<count, 1>(net, size, opt, o, work);
  return detail::replay<count>(net, detail::ssa_to_linear(ssa, net.operands()), size);
}

// The same with any options (their optimizer is the one searched).
path_info<count> searched(const einsum_network& net, const path_options& opt) {
  const std::vector<count> size = detail::sizes_as<count>(net);
  detail::dp_work work{search_budget{}};
  const detail::ssa_path ssa = detail::search<count, 1>(net, size, opt, opt.optimize, work);
  return detail::replay<count>(net, detail::ssa_to_linear(ssa, net.operands()), size);
}

// A random network of three operands over letters a-f: 1-4 indices each, sizes 1-9, a random
// subset of the indices as output (some networks have indices on one input only, some outer
// products, some ties: the short path must defer those to the search or agree with it).
einsum_network random_three(detail::lcg& g) {
  std::string spec;
  std::string used;
  for (int k = 0; k < 3; ++k) {
    if (k) spec += ',';
    const auto rank = 1 + g.below(4);
    for (std::uint64_t i = 0; i < rank; ++i) {
      const char c = static_cast<char>('a' + g.below(6));
      if (spec.find(c, spec.rfind(',') == std::string::npos ? 0 : spec.rfind(',')) != std::string::npos) continue;
      spec += c;
      if (used.find(c) == std::string::npos) used += c;
    }
  }
  spec += "->";
  for (char c : used)
    if (g.below(3) == 0) spec += c;
  einsum_network net = parse_network(spec);
  for (std::size_t d = 0; d < net.n_labels(); ++d) net.set_size(net.labels[d], count(1 + g.below(9)));
  return net;
}
}  // namespace

TEST_CASE("three operands: the short path is the search's answer, the least of the three trees") {
  detail::lcg g{2026};
  int checked = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const einsum_network net = random_three(g);
    if (net.operands() != 3) continue;
    for (path_optimizer o : {path_optimizer::optimal, path_optimizer::dp}) {
      const path_info<count> fast = contract_path<count>(net, {.optimize = o});
      const path_info<count> slow = searched(net, o);
      CAPTURE(net.str());
      CHECK(fast.path == slow.path);
      CHECK(fast.opt_flops == slow.opt_flops);
      CHECK(fast.largest_intermediate == slow.largest_intermediate);
      CHECK(fast.naive_flops == slow.naive_flops);
      if (o == path_optimizer::optimal) {  // no tree of pairs costs less (pre-reduction may cost less)
        count least = contract_path<count>(net, linear_path{{0, 1}, {0, 1}}).opt_flops;
        for (const linear_path& p : {linear_path{{0, 2}, {0, 1}}, linear_path{{1, 2}, {0, 1}}})
          if (const count c = contract_path<count>(net, p).opt_flops; c < least) least = c;
        CHECK(fast.opt_flops <= least);
      }
    }
    ++checked;
  }
  CHECK(checked > 500);
}

TEST_CASE("three operands: ties and pre-reductions decided as the searches decide them") {
  // The short path keeps the first tree of least cost in the order each search meets them, and
  // (optimal) reduces an input first where optimal would: its path is the searched one on
  // every network, those with ties and indices on one input only included (sizes 1-9 over six
  // letters make many of both), and takes every one. auto_ searches optimal on three operands.
  // greedy's first pair (equal inputs, else the connected pair of least rank, else the two
  // least outer products) is greedy_small's, which the search runs.
  detail::lcg g{515};
  int short_taken = 0, three_operands = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const einsum_network net = random_three(g);
    if (net.operands() != 3) continue;
    ++three_operands;
    for (const path_options& opt : {path_options{.optimize = path_optimizer::optimal},
                                    path_options{.optimize = path_optimizer::optimal, .pre_reduce = false},
                                    path_options{.optimize = path_optimizer::dp},
                                    path_options{.optimize = path_optimizer::dp, .cap = path_options::cost_cap::on},
                                    path_options{.optimize = path_optimizer::greedy}}) {
      CAPTURE(net.str());
      CAPTURE(opt.pre_reduce);
      const path_info<count> fast = contract_path<count>(net, opt);
      const path_info<count> slow = searched(net, opt);
      CHECK(fast.path == slow.path);
      CHECK(fast.opt_flops == slow.opt_flops);
      const detail::sizes_for_replay<count> size(net);
      short_taken += detail::short_path::of<count>(net, size.span(), opt).has_value();
    }
    const path_info<count> automatic = contract_path<count>(net);
    CHECK(automatic.path == contract_path<count>(net, {.optimize = path_optimizer::optimal}).path);
  }
  CHECK(short_taken == 5 * three_operands);  // every network, under each of the options
}

TEST_CASE("three operands under greedy: greedy_small's path, equal inputs, connected pairs and outer products") {
  // Networks over 3-7 letters of 0-4 indices per input (many equal inputs and outer products),
  // sizes 1-4 or 1-1000: the short path's first pair against greedy_small's whole path replayed,
  // with each of greedy's three rules deciding thousands of them. (Sizes too large for 64-bit
  // figures leave the network to greedy_small.)
  detail::lcg g{99};
  int equal = 0, connected = 0, outer = 0, taken = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string spec, used;
    const auto letters = 3 + g.below(5);
    for (int k = 0; k < 3; ++k) {
      std::string t;
      for (std::uint64_t i = 0, rank = g.below(5); i < rank; ++i) {
        const char c = static_cast<char>('a' + g.below(letters));
        if (t.find(c) != std::string::npos) continue;
        t += c;
        if (used.find(c) == std::string::npos) used += c;
      }
      spec += (k ? "," : "") + t;
    }
    spec += "->";
    for (char c : used)
      if (g.below(3) == 0) spec += c;
    einsum_network net = parse_network(spec);
    for (std::size_t d = 0; d < net.n_labels(); ++d) net.set_size(net.labels[d], count(1 + g.below(g.below(2) ? 4 : 1000)));
    const detail::sizes_for_replay<count> size(net);
    const path_info<count> fast = contract_path<count>(net, {.optimize = path_optimizer::greedy});
    const path_info<count> slow = detail::replay_ssa<count>(net, *detail::greedy_small::of(net), size.span());
    CAPTURE(spec);
    taken += detail::short_path::of<count>(net, size.span(), {.optimize = path_optimizer::greedy}).has_value();
    CHECK(fast.path == slow.path);
    CHECK(fast.opt_flops == slow.opt_flops);
    CHECK(fast.largest_intermediate == slow.largest_intermediate);
    std::uint64_t in[3]{}, out = 0;
    for (std::size_t k = 0; k < 3; ++k)
      for (auto d : net.inputs[k]) in[k] |= std::uint64_t{1} << d;
    for (auto d : net.output) out |= std::uint64_t{1} << d;
    out |= in[0] & in[1] & in[2];
    if (in[0] == in[1] || in[0] == in[2] || in[1] == in[2]) ++equal;
    else if ((in[0] & in[1] & ~out) || (in[0] & in[2] & ~out) || (in[1] & in[2] & ~out)) ++connected;
    else ++outer;
  }
  CHECK(taken > 19000);  // (the others have sizes beyond 64-bit figures: greedy_small decides)
  CHECK(equal > 2000);
  CHECK(connected > 2000);
  CHECK(outer > 2000);
}

TEST_CASE("small einsums at compile time and at run time, hand-derived") {
  // ij,jk,kl->il, i=10 j=20 k=30 l=40. (ij,jk): 2*10*20*30 = 12000, then ik,kl->il:
  // 2*10*30*40 = 24000: 36000. (jk,kl): 48000 + 16000. (ij,kl): an outer product of 240000
  // elements. Naive: one step of 3 operands, 240000 x 3 = 720000.
  constexpr auto chain = [](count i) {
    einsum_network net = parse_network("ij,jk,kl->il");
    net.set_size('i', i).set_size('j', 20).set_size('k', 30).set_size('l', 40);
    const path_info<count> info = contract_path(net);
    return info.path == linear_path{{0, 1}, {0, 1}} && info.opt_flops == 36000 && info.naive_flops == 720000 &&
           info.largest_intermediate == 400 && info.steps[0].flops == 12000;
  };
  static_assert(chain(10));
  CHECK(chain(txmath_test::runtime(count(10))));
  // greedy ranks a connected pair by the size it keeps less the sizes it reads: (ij,jk)
  // 10*30 - 200 - 600 = -500, (jk,kl) 20*40 - 600 - 1200 = -1000 (ij,kl share no index):
  // (jk,kl) first, 2*20*30*40 = 48000, then ij,jl->il 2*10*20*40 = 16000: 64000.
  constexpr auto greedy_chain = [](count i) {
    einsum_network net = parse_network("ij,jk,kl->il");
    net.set_size('i', i).set_size('j', 20).set_size('k', 30).set_size('l', 40);
    const path_info<count> info = contract_path(net, {.optimize = path_optimizer::greedy});
    return info.path == linear_path{{1, 2}, {0, 1}} && info.opt_flops == 64000 && info.steps[0].flops == 48000;
  };
  static_assert(greedy_chain(10));
  CHECK(greedy_chain(txmath_test::runtime(count(10))));
  // Attention scores btnh,bsnh->bnts (b=8, t=s=2048, n=32, h=128): one step of 2 x b n t s h
  // = 2^(1+3+11+11+5+7) = 2^38 FLOPs; the result holds b n t s = 2^30 elements.
  constexpr auto scores = [](count t) {
    einsum_network net = parse_network("btnh,bsnh->bnts");
    net.set_shapes({{8, t, 32, 128}, {8, 2048, 32, 128}});
    const path_info<count> info = contract_path(net);
    return info.path == linear_path{{0, 1}} && info.opt_flops == count::from_rep(detail::u128{1} << 38) &&
           info.largest_intermediate == count::from_rep(detail::u128{1} << 30) && info.steps[0].result.size() == 4;
  };
  static_assert(scores(2048));
  CHECK(scores(txmath_test::runtime(count(2048))));
  einsum_network net = parse_network("btnh,bsnh->bnts");
  net.set_shapes({{8, 2048, 32, 128}, {8, 2048, 32, 128}});
  CHECK(contract_path(net).step_spec(0) == "bsnh,btnh->bnts");  // opt_einsum's order: last operand first
  // ii-> (a trace): one step whose only distinct index is i: 4096 x (1 operand: factor 1,
  // + 1 as i is summed away) = 8192 = 2^13.
  einsum_network trace = parse_network("ii->");
  trace.set_shapes({{4096, 4096}});
  CHECK(contract_path(trace).opt_flops == 8192);
}

namespace {
// Whether two reports are the same, field by field.
template <class Cost>
bool same_report(const path_info<Cost>& a, const path_info<Cost>& b) {
  if (!(a.labels == b.labels && a.path == b.path && a.steps.size() == b.steps.size() &&
        a.naive_flops == b.naive_flops && a.opt_flops == b.opt_flops &&
        a.largest_intermediate == b.largest_intermediate && a.max_scale == b.max_scale &&
        a.overflowed.naive_flops == b.overflowed.naive_flops && a.overflowed.opt_flops == b.overflowed.opt_flops &&
        a.overflowed.largest_intermediate == b.overflowed.largest_intermediate &&
        a.overflowed.steps == b.overflowed.steps))
    return false;
  for (std::size_t k = 0; k < a.steps.size(); ++k) {
    const auto x = a.steps[k], y = b.steps[k];
    if (!(std::ranges::equal(x.operands, y.operands) && std::ranges::equal(x.result, y.result) &&
          x.terms.size() == y.terms.size() && x.flops == y.flops && x.result_elements == y.result_elements &&
          x.scale == y.scale && x.overflowed == y.overflowed))
      return false;
    for (std::size_t i = 0; i < x.terms.size(); ++i)
      if (!std::ranges::equal(x.terms[i], y.terms[i])) return false;
  }
  return true;
}
// The path of one step over every operand.
linear_path one_step_path(std::size_t n) {
  linear_path p;
  for (std::size_t i = 0; i < n; ++i) p.add(i);
  p.close();
  return p;
}
}  // namespace

TEST_CASE("one step over every operand: the report replay() gives that path") {
  // One or two operands (traces, repeats, scalars, outer and Hadamard products), and larger
  // networks with an index of size 0, take detail::one_step; replaying the same one-step path
  // is the reference, in count (sizes up to 2^60, so some figures overflow 128 bits) and
  // in log2_cost.
  detail::lcg g{7};
  const std::string letters = "abcdef";
  std::size_t overflowed = 0, zero = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string spec;
    const std::uint64_t n = 1 + g.below(2);
    for (std::uint64_t k = 0; k < n; ++k) {
      if (k) spec += ',';
      for (std::uint64_t i = g.below(6); i > 0; --i) spec += letters[g.below(6)];
    }
    std::string out;
    for (char c : letters)
      if (spec.find(c) != std::string::npos && g.below(2)) out += c;
    einsum_network net = parse_network(spec + "->" + out);
    for (std::size_t d = 0; d < net.n_labels(); ++d) {
      const std::uint64_t kind = g.below(10);
      net.set_size(net.labels[d], kind == 0 ? count(0) : kind < 3 ? count::from_rep(detail::u128{1} << (30 + g.below(31))) : count(1 + g.below(9)));
    }
    CAPTURE(net.str());
    const path_info<count> fast = contract_path<count>(net), slow = contract_path<count>(net, one_step_path(net.operands()));
    CHECK(same_report(fast, slow));
    CHECK(same_report(contract_path<log2_cost>(net), contract_path<log2_cost>(net, one_step_path(net.operands()))));
    overflowed += fast.overflowed.any();
    zero += fast.opt_flops == 0;
  }
  CHECK(overflowed > 20);
  CHECK(zero > 100);
  for (std::uint32_t n : {3u, 8u, 40u, 120u}) {  // an index of size 0 in a larger network
    einsum_network net = random_network(n, 3, 2, n);
    net.sizes[n % net.n_labels()] = 0;
    CAPTURE(net.str());
    CHECK(same_report(contract_path<count>(net), contract_path<count>(net, one_step_path(n))));
    CHECK(contract_path<count>(net).opt_flops == 0);
  }
  // At compile time: ab,b->a (a matrix-vector product, a=3 b=4): 2 x 12 = 24 FLOPs, the one step.
  constexpr auto matvec = [] {
    einsum_network net = parse_network("ab,b->a");
    net.set_size('a', 3).set_size('b', 4);
    const path_info<count> info = contract_path(net);
    return info.opt_flops == 24 && info.naive_flops == 24 && info.largest_intermediate == 3 && info.max_scale == 2 &&
           info.steps.size() == 1 && info.steps[0].terms.size() == 2;
  };
  static_assert(matvec());
  CHECK(matvec());
}

TEST_CASE("replay_ssa: the report of replay() along ssa_to_linear's path") {
  // contract_path replays a search's ssa path directly (positions found as it goes); the
  // reference is the two passes it replaced: ssa_to_linear, then replay() of that linear path.
  // Random networks of 3-120 operands (over 32: the Fenwick positions), greedy and dp paths, in
  // count (exact and 64-bit figures, and sizes up to 2^40 where figures overflow) and log2_cost.
  std::size_t checked = 0, overflowed = 0;
  for (std::uint32_t n : {3u, 5u, 8u, 12u, 33u, 60u, 120u})
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      einsum_network net = random_network(n, 3, seed % 3 + 2, seed * 31 + n);
      if (seed > 4)  // (large sizes: some figures beyond 128 bits)
        for (std::size_t d = 0; d < net.n_labels(); d += 2) net.sizes[d] = count::from_rep(detail::u128{1} << 40);
      CAPTURE(net.str());
      for (path_optimizer o : {path_optimizer::greedy, path_optimizer::dp}) {
        if (o == path_optimizer::dp && n > 12) continue;
        const std::vector<count> size = detail::sizes_as<count>(net);
        const std::vector<log2_cost> size2 = detail::sizes_as<log2_cost>(net);
        detail::dp_work work{search_budget{}};
        const detail::ssa_path ssa = detail::search<log2_cost, 4>(net, detail::sizes_in_place<log2_cost>(net), {.optimize = o}, o, work);
        const path_info<count> direct = detail::replay_ssa<count>(net, ssa, size);
        CHECK(same_report(direct, detail::replay<count>(net, detail::ssa_to_linear(ssa, n), size)));
        CHECK(same_report(detail::replay_ssa<log2_cost>(net, ssa, size2),
                          detail::replay<log2_cost>(net, detail::ssa_to_linear(ssa, n), size2)));
        ++checked;
        overflowed += direct.overflowed.any();
      }
    }
  CHECK(checked == 7 * 6 + 4 * 6);
  CHECK(overflowed > 0);
}

TEST_CASE("a large network's report allocates a bounded number of times") {
  // Lists that grow by appends grow geometrically: a path_info's term lists grew to the exact
  // size once a step (for greedy on 500 tensors, 207 allocations and 3.5 MB a call with the
  // parse; 38 allocations here now).
  const einsum_network net = random_network(500, 3, 2, 500);
  std::size_t steps = 0;
  CHECK(allocations_of([&] { steps = contract_path<log2_cost>(net, {.optimize = path_optimizer::greedy}).steps.size(); }) < 64);
  CHECK(steps == 499);
}

TEST_CASE("no heap allocation for small networks") {
  const std::string pair = "btnh,bsnh->bnts", three = "bd,df,fe->be", eight = "ab,bc,cd,de,ef,fg,gh,hi->ai";
  const std::vector<std::vector<count>> pair_shapes{{8, 2048, 32, 128}, {8, 2048, 32, 128}};
  const std::vector<std::vector<count>> three_shapes{{1024, 4096}, {4096, 14336}, {14336, 4096}};
  count flops = 0;
  CHECK(allocations_of([&] {
          einsum_network net = parse_network(pair);
          net.set_shapes(pair_shapes);
          flops = contract_path(net).opt_flops;
        }) == 0);
  CHECK(flops == count::from_rep(detail::u128{1} << 38));
  // bd,df,fe->be: (bd,df) 2bdf + (bf,fe) 2bfe = 2bf(d+e) = 2 * 1024 * 14336 * 8192 beats
  // (df,fe) then (bd,de): 2de(f+b) = 2 * 4096 * 4096 * 15360; (bd,fe) is an outer product.
  bool first_pair = false;
  CHECK(allocations_of([&] {
          einsum_network net = parse_network(three);
          net.set_shapes(three_shapes);
          const auto info = contract_path(net);
          flops = info.opt_flops;
          first_pair = info.path == linear_path{{0, 1}, {0, 1}};
        }) == 0);
  CHECK(first_pair);
  CHECK(flops == count(2) * 1024 * 14336 * 8192);
  // Eight operands (a chain, sizes 2), parsed and reported along a given path without
  // allocating. Always contracting the first two of the list: ab,bc->ac; cd,de->ce;
  // ef,fg->eg; gh,hi->gi; ac,ce->ae; eg,gi->ei; ae,ei->ai: each step has 3 distinct indices
  // (2^3) and sums one away, 2 x 8 = 16 FLOPs, 7 steps: 112.
  std::size_t steps = 0;
  CHECK(allocations_of([&] {
          einsum_network net = parse_network(eight);
          for (char c = 'a'; c <= 'i'; ++c) net.set_size(static_cast<char32_t>(c), 2);
          const auto info = contract_path(net, linear_path{{0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 1}});
          flops = info.opt_flops;
          steps = info.steps.size();
        }) == 0);
  CHECK(flops == 112);
  CHECK(steps == 7);
}

TEST_CASE("no heap allocation for the exact searches or greedy of up to 8 operands") {
  // A chain of n operands with every index of size 2: each pairwise step of a tree of chain
  // segments has 3 distinct indices (2^3 = 8 elements) and sums one away, 2 x 8 = 16 FLOPs;
  // any other step is an outer product of more elements. n - 1 steps: 16 (n - 1) FLOPs.
  for (const std::string spec : {"ab,bc,cd,de->ae", "ab,bc,cd,de,ef,fg,gh,hi->ai"}) {
    for (path_optimizer o : {path_optimizer::auto_, path_optimizer::optimal, path_optimizer::dp, path_optimizer::greedy}) {
      count flops = 0;
      std::size_t steps = 0;
      CAPTURE(spec);
      CHECK(allocations_of([&] {
              einsum_network net = parse_network(spec);
              for (char32_t c : net.labels) net.set_size(c, 2);
              const auto info = contract_path(net, {.optimize = o});
              flops = info.opt_flops;
              steps = info.steps.size();
            }) == 0);
      const std::size_t n = spec.find("->") / 3 + 1;
      CHECK(steps == n - 1);
      CHECK(flops == count(16) * (n - 1));
    }
  }
}

TEST_CASE("small_vector: in place, then on the heap, as a std::vector") {
  constexpr auto grow = [](std::size_t n) {
    detail::small_vector<std::uint32_t, 4> v;
    std::vector<std::uint32_t> ref;
    for (std::uint32_t i = 0; i < n; ++i) v.push_back(i), ref.push_back(i);
    v.insert(v.begin() + 1, 99u), ref.insert(ref.begin() + 1, 99u);
    v.erase(v.begin()), ref.erase(ref.begin());
    v.push_back(v[0]), ref.push_back(ref[0]);  // an element of itself, also when it grows
    detail::small_vector<std::uint32_t, 4> copy = v, moved = std::move(copy);
    const std::vector<std::uint32_t> back = moved;
    return moved == ref && back == ref && v.size() == ref.size();
  };
  static_assert(grow(2) && grow(3) && grow(40));
  CHECK(grow(txmath_test::runtime(std::size_t{2})));
  CHECK(grow(txmath_test::runtime(std::size_t{1000})));
  // Nested: the operands of a network of many operands spill, each term too.
  const einsum_network big = random_network(40, 3, 2, 40);
  const einsum_network back = parse_network(big.str());
  CHECK(back.str() == big.str());
  CHECK(back.inputs.size() == 40);
}

TEST_CASE("parser: ASCII letters by table, others by hash, in any order") {
  // An ASCII letter after non-ASCII ones gets the next id all the same.
  const einsum_network net = parse_network("éa,ab,bü->éü");
  CHECK(net.n_labels() == 4);
  CHECK(net.inputs[0] == std::vector<std::uint32_t>{0, 1});
  CHECK(net.inputs[2] == std::vector<std::uint32_t>{2, 3});
  CHECK(net.output == std::vector<std::uint32_t>{0, 3});
  CHECK(net.str() == "éa,ab,bü->éü");
  constexpr auto ids = [] {
    const einsum_network n = parse_network("zZ,Za,aé");
    return n.n_labels() == 4 && n.inputs[1] == std::vector<std::uint32_t>{1, 2} &&
           n.output == std::vector<std::uint32_t>{0, 3};  // implicit output z, é: by code point
  };
  static_assert(ids());
}

namespace {
// greedy_search's path (the implementation greedy_small must agree with), in count or log2_cost.
template <class Cost>
detail::ssa_path greedy_search_path(const einsum_network& net) {
  if (net.n_labels() > 64) return detail::greedy_ssa(detail::problem_of<Cost, 4>(net, detail::sizes_in_place<Cost>(net)));
  return detail::greedy_ssa(detail::problem_of<Cost, 1>(net, detail::sizes_in_place<Cost>(net)));
}
// A random network from text: `n` operands of 0-4 letters from the first `letters` <= 52 (repeats
// allowed: traces and Hadamard products; equal operands), an output of some used letters,
// sizes 1-6.
einsum_network random_spec(detail::lcg& g, std::size_t n, std::uint32_t letters) {
  std::vector<std::string> ops;
  std::string used;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && g.below(6) == 0) {  // a copy of the previous operand
      ops.push_back(ops.back());
      continue;
    }
    ops.emplace_back();
    for (std::uint64_t k = g.below(5); k > 0; --k) {
      const char c = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"[g.below(letters)];
      ops.back() += c;
      if (used.find(c) == std::string::npos) used += c;
    }
  }
  std::string spec;
  for (std::size_t i = 0; i < ops.size(); ++i) spec += (i > 0 ? "," : "") + ops[i];
  spec += "->";
  for (char c : used)
    if (g.below(4) == 0) spec += c;
  einsum_network net = parse_network(spec);
  for (char32_t c : net.labels) net.set_size(c, count(1 + g.below(6)));
  return net;
}
}  // namespace

TEST_CASE("greedy_small finds greedy_search's path") {
  // greedy on up to 64 operands and 128 indices runs on bit masks in fixed arrays
  // (einsum_path/greedy_small.hpp): the same ranks and ties as greedy_search<count, W>, so the
  // same path, step for step. Random networks of 2-64 operands of regularity 2-5 with 0-3
  // open indices, lattices and MPS ladders, and random specs with traces, repeated and
  // equal operands, scalars and outer products.
  std::size_t compared = 0, declined = 0;
  auto check = [&](const einsum_network& net) {
    CAPTURE(net.str());
    const std::optional<detail::ssa_path> small = detail::greedy_small::of(net);
    if (!small) {
      ++declined;
      return;
    }
    ++compared;
    const detail::ssa_path searched = greedy_search_path<count>(net);
    CHECK(small->data == searched.data);
  };
  for (std::uint32_t n = 2; n <= 64; ++n)
    for (std::uint32_t reg = 2; reg <= 5; ++reg)
      for (std::uint32_t out = 0; out <= 3; ++out)
        for (std::uint64_t seed = 1; seed <= 3; ++seed)
          if (n * reg / 2 + out <= 128) check(random_network(n, reg, out, seed * 7919 + n));
  for (std::uint32_t r = 2; r <= 5; ++r) check(lattice_network(r, r + 1, 2));
  for (std::uint32_t sites = 2; sites <= 32; ++sites) check(mps_overlap(sites, 2, 4));
  detail::lcg g{2026};
  for (int i = 0; i < 3000; ++i) check(random_spec(g, 2 + g.below(12), 2 + static_cast<std::uint32_t>(g.below(10))));
  for (int i = 0; i < 300; ++i) check(random_spec(g, 33 + g.below(32), 4 + static_cast<std::uint32_t>(g.below(40))));
  // Beyond 64 operands or 128 indices it declines.
  CHECK(!detail::greedy_small::of(random_network(65, 2, 0, 1)));
  CHECK(!detail::greedy_small::of(random_network(60, 5, 0, 1)));  // 150 indices
  CHECK(compared > 3000);
  CHECK(declined < compared / 10);
  // Where a size or a rank leaves 64 bits it declines (greedy_search decides, in 128 bits).
  einsum_network big = parse_network("ab,bc,cd->ad");
  for (char32_t c : big.labels) big.set_size(c, count::from_rep(detail::u128{1} << 40));
  CHECK(!detail::greedy_small::of(big));
  CHECK(contract_path(big, {.optimize = path_optimizer::greedy}).path == linear_path{{0, 1}, {0, 1}});
}

TEST_CASE("greedy ranks exactly in log2_cost where greedy_small takes the network") {
  // greedy_search in log2_cost ranks pairs in doubles, and two ranks that differ can round
  // to one (then ssa ids decide); greedy_small ranks exactly, as opt_einsum. So where it takes
  // the network, greedy's path in log2_cost is the one in count.
  std::size_t taken = 0;
  for (std::uint32_t n = 4; n <= 64; n += 6)
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const einsum_network net = random_network(n, 3, 2, seed);
      CAPTURE(net.str());
      if (!detail::greedy_small::of(net)) continue;
      ++taken;
      CHECK(contract_path<log2_cost>(net, {.optimize = path_optimizer::greedy}).path ==
            contract_path<count>(net, {.optimize = path_optimizer::greedy}).path);
    }  CHECK(taken >= 36);
}

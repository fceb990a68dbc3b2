#pragma once
// dp: opt_einsum's DynamicProgramming over connected subsets, with cost capping and a work
// budget.
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// dp's cost caps, opt_einsum's sequence: from the elements of the group's output indices,
// times the smallest index size (at least 2) a round. A cap is held at the largest count where
// the product overflows (a cap that admits every tree a count can cost): raising never throws.
template <class Cost>
struct dp_caps {
  Cost cap, increment;

  template <std::size_t W>
  static constexpr dp_caps of(const path_problem<Cost, W>& p, const label_set<W>& g_inds) {
    dp_caps c{p.size_of(g_inds & p.out), Cost(2u)};
    if (c.cap < Cost(1u)) c.cap = Cost(1u);  // (a size 0 would hold every cap at 0 for ever)
    bool any = false;
    Cost lo{};
    g_inds.for_each([&](std::uint32_t d) {
      if (!any || p.size[d] < lo) lo = p.size[d];
      any = true;
    });
    if (any && Cost(2u) < lo) c.increment = lo;
    return c;
  }
  constexpr Cost next() const {
    if constexpr (std::is_same_v<Cost, count>)
      if (count::from_rep(count::max_rep / increment.rep_value()) < cap) return count::from_rep(count::max_rep);
    return cap * increment;
  }
  // No tree costs less than its largest input (each input is in a step over all its indices),
  // so the caps below that are skipped; the caps stay those of the sequence, so the last round
  // is the same.
  template <std::size_t W>
  constexpr void skip_below_largest_input(const path_problem<Cost, W>& p, const std::vector<label_set<W>>& inputs,
                                          const std::vector<std::uint32_t>& g) {
    Cost largest = cap;
    for (auto k : g)
      if (const Cost e = p.size_of(inputs[k]); largest < e) largest = e;
    while (cap < largest && !(largest < next())) cap = next();
  }
  // After a round that found no tree: the next cap, or an error when no cap can help (only a
  // memory limit keeps a group from every tree).
  constexpr void raise(bool capped, const Cost& naive, const std::optional<Cost>& limit) {
    if (!capped || naive < cap || !(cap < next()))
      TXMATH_FAIL(txmath_error_einsum_no_contraction_order_fits_the_memory_limit, invalid_argument,
                  limit ? "txmath: no contraction order keeps every intermediate within memory_limit = " +
                              cost_traits<Cost>::to_string(*limit) + " elements: raise the limit"
                        : std::string("txmath: dp found no contraction tree under any cost cap (an internal "
                                      "error: please report it with the einsum)"));
    cap = next();
  }
};

// dp over one group of at most 8 tensors under the flops objective: dp_ssa's search (same
// caps, outer products when asked) on arrays of S entries indexed by subset, with no
// allocation. Returns how each subset of the best tree splits.
template <std::size_t W, std::size_t S>
struct small_group {
  std::uint64_t split[S]{};  // the first part of each subset
  label_set<W> legs;         // the indices of the result
};
template <class Cost, std::size_t W, std::size_t S>
constexpr small_group<W, S> dp_small_group(const path_problem<Cost, W>& p, const std::vector<label_set<W>>& inputs,
                                           const std::vector<std::uint32_t>& g, const std::optional<Cost>& limit,
                                           bool capped, bool search_outer, const Cost& naive) {
  const std::size_t m_g = g.size();
  label_set<W> uni_of[S]{}, legs[S]{};  // uni_of[s]: the indices of the inputs in s
  Cost cost[S]{};
  // The subsets of each size nn as found, at order[first[nn]], room for C(m_g, nn).
  std::uint64_t order[S]{};
  constexpr std::uint8_t binomial[9][9] = {{1},
                                          {1, 1},
                                          {1, 2, 1},
                                          {1, 3, 3, 1},
                                          {1, 4, 6, 4, 1},
                                          {1, 5, 10, 10, 5, 1},
                                          {1, 6, 15, 20, 15, 6, 1},
                                          {1, 7, 21, 35, 35, 21, 7, 1},
                                          {1, 8, 28, 56, 70, 56, 28, 8, 1}};
  std::size_t first[10]{}, n_of[9]{};
  for (std::size_t nn = 1; nn <= m_g; ++nn) first[nn] = first[nn - 1] + binomial[m_g][nn - 1];
  std::uint16_t made[S]{};  // the round that found each subset, from 1 (0: not found)
  // Most pairs fail the cost cap, which doubles decide first (as in dp_ssa): the cost and the
  // result size of each subset found (set when found, read only then).
  constexpr bool prefilter = std::is_same_v<Cost, count>;
  double cost_d[S], mem_d[S];
  small_group<W, S> r;
  const std::uint64_t all = (std::uint64_t{1} << m_g) - 1;
  for (std::uint64_t s = 1; s <= all; ++s) uni_of[s] = uni_of[s & (s - 1)] | inputs[g[static_cast<std::size_t>(std::countr_zero(s))]];
  for (std::size_t k = 0; k < m_g; ++k) {
    legs[std::uint64_t{1} << k] = inputs[g[k]];
    cost[std::uint64_t{1} << k] = Cost(0u);
    cost_d[std::uint64_t{1} << k] = 0;
    mem_d[std::uint64_t{1} << k] = prefilter && capped ? cost_traits<Cost>::to_double(p.size_of(inputs[g[k]])) : 0.0;
    order[first[1] + n_of[1]++] = std::uint64_t{1} << k;
  }
  dp_caps<Cost> caps{};  // (read only when capped)
  if (capped) {
    caps = dp_caps<Cost>::of(p, uni_of[all]);
    caps.skip_below_largest_input(p, inputs, g);
  }
  for (std::size_t round = 1;; ++round) {
    const Cost cap = caps.cap;  // (this round's, a local)
    const double cap_d = prefilter && capped ? cost_traits<Cost>::to_double(cap) * (1 + 1e-9) : 0.0;
    for (std::size_t nn = 2; nn <= m_g; ++nn)
      for (std::size_t m = 1; m <= nn / 2; ++m)
        for (std::size_t i = first[m], i_end = i + n_of[m], j_begin = first[nn - m], j_end = j_begin + n_of[nn - m];
             i < i_end; ++i)
          for (std::size_t j = j_begin; j < j_end; ++j) {
            const std::uint64_t s1 = order[i], s2 = order[j], s = s1 | s2;
            if ((s1 & s2) || (m == nn - m && !(s1 < s2))) continue;
            // A subset found in an earlier round is final: that round found it at its least
            // cost within a smaller cap, and the cost of a tree bounds those of its subtrees.
            if (std::size_t{made[s]} - 1 < round - 1) continue;  // (made in 1 .. round - 1)
            const label_set<W> cut = (legs[s1] & legs[s2]) - p.out;
            if (!search_outer && !cut.any()) continue;
            const label_set<W> uni = legs[s1] | legs[s2];
            const label_set<W> kept = uni - (cut - uni_of[all ^ s]);
            if constexpr (prefilter) if (capped) {  // (doubles err by far less than the margin)
              double shared = 1;
              (legs[s1] & legs[s2]).for_each([&](std::uint32_t d) { shared *= p.size[d].to_double(); });
              if (cost_d[s1] + cost_d[s2] + (uni == kept ? 1.0 : 2.0) * (mem_d[s1] * mem_d[s2] / shared) > cap_d)
                continue;
            }
            const Cost c = cost[s1] + cost[s2] + flop_count(p.size_of(uni), 2, !(uni == kept));
            if (capped && cap < c) continue;
            if (made[s] && !(c < cost[s])) continue;
            Cost mem{};
            if (limit || (prefilter && capped)) mem = p.size_of(kept);
            if (limit && *limit < mem) continue;
            if (!made[s]) order[first[nn] + n_of[nn]++] = s;
            made[s] = static_cast<std::uint16_t>(round);
            cost[s] = c;
            legs[s] = kept;
            if constexpr (prefilter) if (capped) {
              cost_d[s] = c.to_double();
              mem_d[s] = mem.to_double();
            }
            r.split[s] = s1;
          }
    if (m_g == 1 || made[all]) break;
    caps.raise(capped, naive, limit);
  }
  r.legs = legs[all];
  return r;
}

// dp's account of its work against path_options::budget. dp stops (and returns no path) when
// a group of connected tensors is beyond what it searches; `why` says which limit was met.
struct dp_work {
  enum class stop { none, budget, group_too_large, level_too_large };
  search_budget budget;
  stop why = stop::none;
  std::uint64_t pairs = 0;  // pairs of subsets examined so far
  std::uint64_t bytes = 0;  // memory held for subsets and waiting pairs (an estimate)
  std::size_t tensors = 0;  // the size of the group being searched
  std::size_t level = 0;    // the subset size being built when it stopped

  // Adds `n` pairs examined, with `held` bytes now held; false once over budget.
  constexpr bool charge(std::uint64_t n, std::uint64_t held) {
    pairs += n;
    bytes = held;
    if (pairs > budget.pairs || bytes > budget.bytes) why = stop::budget;
    return why == stop::none;
  }
  constexpr bool stopped() const { return why != stop::none; }
  constexpr void stop_at(stop w, std::size_t group, std::size_t lvl) {
    why = w;
    tensors = group;
    level = lvl;
  }
  // Why dp gave up, for a message (the caller adds what to do).
  std::string reason() const {
    switch (why) {
      case stop::group_too_large:
        return "dp searches connected groups of at most 64 tensors; this network has " + std::to_string(tensors) +
               " connected tensors";
      case stop::level_too_large:
        return "dp holds at most 2^24 subsets of one size; this network has " + std::to_string(level) + " of them";
      default:
        return "dp's search of this network is beyond its work budget: it had examined " + std::to_string(pairs) +
               " pairs of subsets and held about " + std::to_string(bytes >> 20) + " MiB when it reached subsets of " +
               std::to_string(level) + " of a group of " + std::to_string(tensors) + " tensors (budget: " +
               std::to_string(budget.pairs) + " pairs, " + std::to_string(budget.bytes >> 20) +
               " MiB, path_options::budget)";
    }
  }
};

// ---- dp: opt_einsum's DynamicProgramming, same enumeration order and cost capping -----------
template <class Cost, std::size_t W>
constexpr ssa_path dp_ssa(const path_problem<Cost, W>& p, const std::optional<Cost>& limit,
                          dp_minimize minimize, unsigned combo_factor, bool search_outer,
                          path_options::cost_cap use_cap, dp_work& work) {
  const std::size_t n = p.in.size();
  const std::size_t n_labels = p.size.size();
  // Indices on one input and not the output are summed first, in a one-operand step.
  label_set<W> once = p.out, twice;  // on at least one / two of the inputs and the output
  for (const auto& s : p.in) {
    twice = twice | (once & s);
    once = once | s;
  }
  const label_set<W> single = once - twice;

  // The contraction tree: leaves (optionally reduced) and pairs.
  struct node {
    int a = -1, b = -1;
    std::uint32_t leaf = 0;
    bool reduce = false;
  };
  std::vector<node> tree;
  std::vector<label_set<W>> inputs;      // after the one-operand reductions
  std::vector<int> contraction;          // tree node of each
  std::vector<int> done_nodes;           // inputs reduced to scalars
  tree.reserve(4 * n);
  inputs.reserve(n);
  contraction.reserve(n);
  for (std::uint32_t j = 0; j < n; ++j) {
    const label_set<W> reduced = p.in[j] - single;
    if (!reduced.any() && p.in[j].any()) {
      tree.push_back({-1, -1, j, true});
      done_nodes.push_back(static_cast<int>(tree.size() - 1));
    } else {
      inputs.push_back(reduced);
      tree.push_back({-1, -1, j, !(reduced == p.in[j])});
      contraction.push_back(static_cast<int>(tree.size() - 1));
    }
  }
  std::vector<int> sub_nodes = done_nodes;
  std::vector<Cost> sub_sizes(done_nodes.size(), Cost(1u));

  if (!inputs.empty()) {
    // Connected components (joined by summed indices), in opt_einsum's order.
    label_set<W> all;
    for (const auto& s : inputs) all = all | s;
    const label_set<W> i_sum = all - p.out;
    std::vector<std::vector<std::uint32_t>> subgraphs;
    std::vector<unsigned char> unused(inputs.size(), 1);
    for (std::uint32_t first = 0; first < inputs.size(); ++first) {
      if (!unused[first]) continue;
      unused[first] = 0;
      std::vector<std::uint32_t> g, q;
      g.reserve(inputs.size());
      q.reserve(inputs.size());
      q.push_back(first);
      while (!q.empty()) {
        const std::uint32_t j = q.back();
        q.pop_back();
        g.push_back(j);
        const label_set<W> tmp = i_sum & inputs[j];
        for (std::uint32_t k = 0; k < inputs.size(); ++k)
          if (unused[k] && tmp.intersects(inputs[k])) {
            unused[k] = 0;
            q.push_back(k);
          }
      }
      std::sort(g.begin(), g.end());
      subgraphs.push_back(std::move(g));
    }
    if (search_outer) {
      subgraphs.assign(1, {});
      for (std::uint32_t j = 0; j < inputs.size(); ++j) subgraphs[0].push_back(j);
    }

    // A bound of every tree's cost (held at the largest count where it overflows, as the caps).
    figure<Cost> naive{Cost(1u)};
    for (const auto& s : p.size) naive.mul(s);
    naive.mul(Cost(static_cast<unsigned>(inputs.size())));
    if (minimize == dp_minimize::combo || minimize == dp_minimize::limit) {
      naive.mul(Cost(combo_factor == 0 ? 1u : combo_factor));
      naive.add(naive);  // x (factor + 1) <= x 2 factor, and factor + 1 may not fit an unsigned
    }
    const Cost factor(combo_factor);

    for (const auto& g : subgraphs) {
      const std::size_t m_g = g.size();
      if (m_g > 64) {
        work.stop_at(dp_work::stop::group_too_large, m_g, 0);
        return {};
      }
      const bool capped = use_cap == path_options::cost_cap::on ||
                          (use_cap == path_options::cost_cap::auto_ && (minimize != dp_minimize::exact_flops || m_g > 6));
      if (W <= 4 && minimize == dp_minimize::exact_flops && m_g <= 8) {
        // A small group: arrays indexed by subset, sized to the group.
        auto add_tree = [&](const auto& r) {
          struct builder {
            std::vector<node>& tree;
            const std::uint64_t* split;
            const std::vector<int>& contraction;
            const std::vector<std::uint32_t>& g;
            constexpr int run(std::uint64_t s) {
              if (!(s & (s - 1))) return contraction[g[static_cast<std::size_t>(std::countr_zero(s))]];
              const int a = run(split[s]);
              const int b = run(s ^ split[s]);
              tree.push_back({a, b, 0, false});
              return static_cast<int>(tree.size() - 1);
            }
          } b{tree, r.split, contraction, g};
          sub_nodes.push_back(b.run((std::uint64_t{1} << m_g) - 1));
          sub_sizes.push_back(p.size_of(r.legs));
        };
        if (m_g <= 4) add_tree(dp_small_group<Cost, W, 16>(p, inputs, g, limit, capped, search_outer, naive.value));
        else if (m_g <= 6) add_tree(dp_small_group<Cost, W, 64>(p, inputs, g, limit, capped, search_outer, naive.value));
        else add_tree(dp_small_group<Cost, W, 256>(p, inputs, g, limit, capped, search_outer, naive.value));
        continue;
      }
      // Which tensors of the component hold each label (bit k = g[k]).
      std::vector<std::uint64_t> holders(n_labels, 0);
      label_set<W> g_inds;
      for (std::size_t k = 0; k < m_g; ++k) {
        inputs[g[k]].for_each([&](std::uint32_t d) { holders[d] |= std::uint64_t{1} << k; });
        g_inds = g_inds | inputs[g[k]];
      }
      const std::uint64_t g_all = m_g == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << m_g) - 1;

      struct entry {
        std::uint64_t s;
        label_set<W> legs;
        Cost cost;
        int node;
        double cost_d = 0, mem_d = 1;  // cost and size of legs as doubles (the prefilter below)
      };
      constexpr std::uint32_t npos = ~std::uint32_t{0};  // no entry
      struct level {
        std::vector<entry> e;
        struct scan_t {                    // e[i].s and e[i].legs again, packed: the pair
          std::uint64_t s;                 // scan reads only these
          label_set<W> legs;
        };
        std::vector<scan_t> scan;
        struct slot_t {
          std::uint64_t key = 0;           // s + 1, 0 = empty
          std::uint32_t pos = 0;           // where that s is in e
        };
        std::vector<slot_t> slots;         // open addressing (none for leaves)
        constexpr void reserve(std::size_t n) {
          e.reserve(n);
          scan.reserve(n);
        }
        constexpr std::size_t slot(std::uint64_t s) const {
          std::size_t i = static_cast<std::size_t>((s * 0x9E3779B97F4A7C15ull) >> 20) & (slots.size() - 1);
          while (slots[i].key != 0 && slots[i].key != s + 1) i = (i + 1) & (slots.size() - 1);
          return i;
        }
        constexpr std::uint32_t find(std::uint64_t s) const {
          if (slots.empty()) return ~std::uint32_t{0};
          const slot_t& x = slots[slot(s)];
          return x.key ? x.pos : ~std::uint32_t{0};
        }
        constexpr void set(std::uint32_t k, const entry& x) {
          e[k] = x;
          scan[k].legs = x.legs;
        }
        constexpr void push(const entry& x) {
          e.push_back(x);
          scan.push_back({x.s, x.legs});
        }
        constexpr void add(const entry& x) {
          if (2 * (e.size() + 1) > slots.size()) {
            slots.assign(slots.empty() ? 16 : slots.size() * 2, slot_t{});
            for (std::uint32_t k = 0; k < e.size(); ++k) slots[slot(e[k].s)] = {e[k].s + 1, k};
          }
          slots[slot(x.s)] = {x.s + 1, static_cast<std::uint32_t>(e.size())};
          push(x);
        }
      };
      std::vector<level> x(m_g + 1);
      x[1].reserve(m_g);
      // Room for at most 64 subsets a level, about C(m_g, nn) below that: fewer regrowths.
      for (std::size_t nn = 2, c = m_g; nn <= m_g; ++nn) {
        c = c * (m_g + 1 - nn) / nn;
        if (c > 64) c = 64;
        x[nn].reserve(c);
      }
      // Exact costs are 128-bit products; most pairs fail the cost cap, which doubles decide
      // first (below). Doubles err by far less than the margin, so no pair within the cap is
      // lost; a pair the doubles let through is decided exactly.
      constexpr bool prefilter = std::is_same_v<Cost, count>;
      std::vector<double> size_d(prefilter ? n_labels : 0, 0.0);
      if constexpr (prefilter)
        for (std::size_t d = 0; d < n_labels; ++d) size_d[d] = cost_traits<Cost>::to_double(p.size[d]);
      auto product_d = [&](const label_set<W>& set) {
        double r = 1;
        set.for_each([&](std::uint32_t d) { r *= size_d[d]; });
        return r;
      };
      for (std::size_t k = 0; k < m_g; ++k) {
        entry leaf{std::uint64_t{1} << k, inputs[g[k]], Cost(0u), contraction[g[k]]};
        if constexpr (prefilter) leaf.mem_d = product_d(leaf.legs);
        x[1].push(leaf);
      }

      dp_caps<Cost> caps{};  // (read only when capped)
      if (capped) caps = dp_caps<Cost>::of(p, g_inds);

      // The waiting pairs of each (level nn, part size m). Only for the flops objective: the
      // order in which pairs are tried decides which of two equally cheap trees is kept, and
      // there equal cost means equal FLOPs; under the other objectives opt_einsum's order is
      // kept exactly.
      struct pair_list {
        std::size_t rows = 0, cols = 0;  // the part of x[m] x x[nn - m] scanned
        // Joinable pairs over the caps so far: (key << 48) | (a << 24) | b for x[m].e[a] and
        // x[nn - m].e[b], `key` a lower bound of their cost (below).
        std::vector<std::uint64_t> pairs;
      };
      // A positive double's top 16 bits (sign, exponent, 4 bits of mantissa) order as the
      // double does: key(c) > key(cap) means c > cap. (0 without the doubles: always tried.)
      auto key_of = [](double c) -> std::uint64_t { return std::bit_cast<std::uint64_t>(c) >> 48; };
      const bool cache_pairs = capped && minimize == dp_minimize::exact_flops;
      if (cache_pairs) caps.skip_below_largest_input(p, inputs, g);  // (opt_einsum's caps otherwise)
      std::vector<pair_list> pairs(cache_pairs ? (m_g + 1) * (m_g + 1) : 0);
      std::vector<std::uint32_t> hits;  // (scratch of the pair scan)
      std::uint64_t waiting = 0;        // pairs waiting, all lists together
      auto held = [&] {
        return tree.size() * (sizeof(node) + sizeof(entry) + sizeof(typename level::scan_t) + sizeof(typename level::slot_t)) +
               waiting * sizeof(std::uint64_t);
      };
      work.tensors = m_g;
      while (true) {
        const Cost cap = caps.cap;  // (this round's, a local: the pair test below reads it often)
        const double cap_d = prefilter && capped ? cost_traits<Cost>::to_double(cap) * (1 + 1e-9) : 0.0;
        const std::uint64_t cap_key = prefilter ? key_of(cap_d) : 0;
        for (std::size_t nn = 2; nn <= m_g && !work.stopped(); ++nn) {
          level& xn = x[nn];
          // Joins e1 and e2 (disjoint; `cut`: their shared summed legs) into level nn when it
          // is the cheapest way to s within the cap.
          // Returns false when only this round's cap kept the pair out.
          auto try_pair = [&](const entry& e1, const entry& e2, const label_set<W>& cut) {
            if constexpr (prefilter) if (capped && !cache_pairs) {  // (waiting pairs are filtered)
              // A lower bound of the pair's cost in every mode (size: the larger part).
              double lb = e1.cost_d > e2.cost_d ? e1.cost_d : e2.cost_d;
              if (minimize != dp_minimize::size) lb = e1.cost_d + e2.cost_d;
              if (lb > cap_d) return false;
              if (minimize != dp_minimize::size && minimize != dp_minimize::write)
                if (lb + e1.mem_d * e2.mem_d / product_d(e1.legs & e2.legs) > cap_d) return false;  // + the union's size
            }
            const std::uint64_t s = e1.s | e2.s;
            const std::uint64_t r = g_all & ~s;
            const label_set<W> uni = e1.legs | e2.legs;
            auto legs_of = [&] {
              label_set<W> legs = uni;
              cut.for_each([&](std::uint32_t d) {
                if (!(holders[d] & r)) {
                  label_set<W> bit;
                  bit.set(d);
                  legs = legs - bit;
                }
              });
              return legs;
            };
            label_set<W> legs;
            Cost cost{}, mem{};
            bool have_legs = false;
            switch (minimize) {
              case dp_minimize::opt_einsum_flops:
                cost = e1.cost + e2.cost + p.size_of(uni);
                break;
              case dp_minimize::exact_flops:
                legs = legs_of();
                have_legs = true;
                cost = e1.cost + e2.cost + flop_count(p.size_of(uni), 2, !(uni == legs));
                break;
              case dp_minimize::size: {
                legs = legs_of();
                have_legs = true;
                mem = p.size_of(legs);
                cost = e1.cost;
                if (cost < e2.cost) cost = e2.cost;
                if (cost < mem) cost = mem;
                break;
              }
              case dp_minimize::write:
                legs = legs_of();
                have_legs = true;
                mem = p.size_of(legs);
                cost = e1.cost + e2.cost + mem;
                break;
              case dp_minimize::combo:
              case dp_minimize::limit: {
                legs = legs_of();
                have_legs = true;
                mem = p.size_of(legs);
                const Cost f = p.size_of(uni);
                const Cost w = factor * mem;
                const Cost step = minimize == dp_minimize::combo ? Cost(f + w) : (f < w ? w : f);
                cost = e1.cost + e2.cost + step;
                break;
              }
            }
            if (capped && cap < cost) return false;
            const std::uint32_t old = xn.find(s);
            if (old != npos && !(cost < xn.e[old].cost)) return true;
            if (!have_legs) {
              legs = legs_of();
              mem = p.size_of(legs);
            } else if (minimize == dp_minimize::exact_flops) {
              mem = p.size_of(legs);
            }
            if (limit && *limit < mem) return true;
            tree.push_back({e1.node, e2.node, 0, false});
            const int nd = static_cast<int>(tree.size() - 1);
            entry made{s, legs, cost, nd};
            if constexpr (prefilter) {
              made.cost_d = cost_traits<Cost>::to_double(cost);
              made.mem_d = cost_traits<Cost>::to_double(mem);
            }
            if (old != npos) xn.set(old, made);
            else xn.add(made);
            return true;
          };
          work.level = nn;
          for (std::size_t m = 1; m <= nn / 2 && !work.stopped(); ++m) {
            const level& x1 = x[m];
            const level& x2 = x[nn - m];
            const bool same_size = m == nn - m;
            // The pairs worth joining: disjoint, and sharing a summed index (or any, when
            // searching outer products).
            // (Sizes and arrays read once: the scan's stores could alias them for the compiler.)
            const std::size_t n1 = x1.e.size(), n2 = x2.e.size();
            const auto* scan1 = x1.scan.data();
            const auto* scan2 = x2.scan.data();
            auto joinable = [&](std::size_t a, std::size_t b, label_set<W>& cut) {
              const std::uint64_t s1 = scan1[a].s, s2 = scan2[b].s;
              if ((s1 & s2) || (same_size && !(s1 < s2))) return false;
              cut = (scan1[a].legs & scan2[b].legs) - p.out;
              return search_outer || cut.any();
            };
            label_set<W> cut;
            if (!cache_pairs) {
              if (!work.charge(std::uint64_t{n1} * n2, held())) break;
              for (std::size_t a = 0; a < n1; ++a)
                for (std::size_t b = 0; b < n2; ++b)
                  if (joinable(a, b, cut)) try_pair(x1.e[a], x2.e[b], cut);
              continue;
            }
            // Each cost-cap round scans again the same levels, grown a little. But a level's
            // entries never change after their round (a round finds every subset within its cap
            // at its least cost: a later round only adds subsets), so a joinable pair's cost is
            // known when it is found: it waits, with a lower bound of that cost, for a round
            // whose cap may admit it, and each round scans only the rows and columns added since.
            pair_list& known = pairs[nn * (m_g + 1) + m];
            std::size_t kept = 0;
            for (const std::uint64_t w : known.pairs) {
              if ((w >> 48) <= cap_key) {  // (most wait on: nothing else to compute for them)
                const std::size_t a = (w >> 24) & 0xFFFFFF, b = w & 0xFFFFFF;
                cut = (scan1[a].legs & scan2[b].legs) - p.out;
                if (try_pair(x1.e[a], x2.e[b], cut)) continue;
              }
              known.pairs[kept++] = w;
            }
            waiting -= known.pairs.size() - kept;
            known.pairs.resize(kept);
            if (n1 >> 24 || n2 >> 24) {
              work.stop_at(dp_work::stop::level_too_large, m_g, n1 > n2 ? n1 : n2);
              break;
            }
            const std::size_t rows = known.rows, cols = known.cols;
            // (Not resize: libstdc++ 12 writes the new elements before their lifetime begins,
            // which Clang's constant evaluator rejects.)
            if (hits.size() < n2) hits.assign(n2, 0);
            for (std::size_t a = 0; a < n1; ++a) {
              const std::size_t b0 = a < rows ? cols : 0, waited = known.pairs.size();
              if (!work.charge(n2 - b0, held())) break;
              // Row a's joinable pairs, found without a branch a pair (whose outcome is random).
              const std::uint64_t s1 = scan1[a].s;
              const label_set<W> legs1 = scan1[a].legs - p.out;
              std::size_t k = 0;
              for (std::size_t b = b0; b < n2; ++b) {
                const std::uint64_t s2 = scan2[b].s;
                hits[k] = static_cast<std::uint32_t>(b);
                k += static_cast<std::size_t>(((s1 & s2) == 0) & (!same_size | (s1 < s2)) &
                                              (search_outer | legs1.intersects(scan2[b].legs)));
              }
              for (std::size_t h = 0; h < k; ++h) {
                const std::size_t b = hits[h];
                const entry& e1 = x1.e[a];
                const entry& e2 = x2.e[b];
                cut = legs1 & scan2[b].legs;
                double cost_d = 0;  // (without the doubles every round tries the pair)
                if constexpr (prefilter) {
                  // The union's size, and flop_count's inner: a shared index no other tensor
                  // holds (in one pass over the shared indices).
                  const std::uint64_t r = g_all & ~(e1.s | e2.s);
                  double shared_size = 1;
                  bool summed = false;
                  (scan1[a].legs & scan2[b].legs).for_each([&](std::uint32_t d) {
                    shared_size *= size_d[d];
                    summed |= cut.test(d) && !(holders[d] & r);
                  });
                  cost_d = e1.cost_d + e2.cost_d + (summed ? 2.0 : 1.0) * (e1.mem_d * e2.mem_d / shared_size);
                }
                if ((prefilter && cost_d > cap_d) || !try_pair(e1, e2, cut))
                  known.pairs.push_back((key_of(cost_d) << 48) | (std::uint64_t{a} << 24) | b);
              }
              waiting += known.pairs.size() - waited;
            }
            known.rows = n1;
            known.cols = n2;
          }
        }
        if (work.stopped()) return {};
        if (!x[m_g].e.empty()) break;
        caps.raise(capped, naive.value, limit);
      }
      const entry& top = x[m_g].e.front();
      sub_nodes.push_back(top.node);
      sub_sizes.push_back(p.size_of(top.legs));
    }
  }

  // Join the parts by outer products, smallest first (stable, as Python's sorted).
  std::vector<std::size_t> order(sub_nodes.size(), 0);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = 1; i < order.size(); ++i)  // stable insertion sort (std::stable_sort is not constexpr)
    for (std::size_t j = i; j > 0 && sub_sizes[order[j]] < sub_sizes[order[j - 1]]; --j) std::swap(order[j], order[j - 1]);
  int root = sub_nodes[order[0]];
  for (std::size_t i = 1; i < order.size(); ++i) {
    tree.push_back({root, sub_nodes[order[i]], 0, false});
    root = static_cast<int>(tree.size() - 1);
  }
  ssa_path path;
  path.reserve(2 * n);
  auto next = static_cast<std::uint32_t>(n);
  struct emitter {
    const std::vector<node>& tree;
    ssa_path& path;
    std::uint32_t& next;
    constexpr std::uint32_t run(int id) {
      const node& nd = tree[static_cast<std::size_t>(id)];
      if (nd.a < 0) {
        if (!nd.reduce) return nd.leaf;
        path.push_back({nd.leaf});
        return next++;
      }
      const std::uint32_t a = run(nd.a);
      const std::uint32_t b = run(nd.b);
      path.push_back({a, b});
      return next++;
    }
  } e{tree, path, next};
  e.run(root);
  return path;
}

}  // namespace detail
}  // namespace txmath

#pragma once
// greedy: opt_einsum's ssa_greedy_optimize, and its branch search with one branch under a
// memory limit.
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// ---- greedy: opt_einsum's ssa_greedy_optimize, same heuristic and tie-breaking ---------------
template <class Cost, std::size_t W>
constexpr ssa_path greedy_ssa(const path_problem<Cost, W>& p) {
  const std::size_t n = p.in.size();
  ssa_path path;
  if (n == 1) {
    path.push_back({0});
    return path;
  }
  // An index on every tensor can only go in the last step: treat it as an output index.
  label_set<W> common = p.in[0];
  for (const auto& s : p.in) common = common & s;
  const label_set<W> output = p.out | common;

  // Index sets as ascending id lists, runs of one pool: tensors hold a few indices of up to
  // 1024, and the queue holds a set per candidate.
  struct run {
    std::uint32_t at = 0, len = 0;
  };
  std::vector<std::uint32_t> pool;
  pool.reserve(8 * n);
  auto ids_of = [&](run r) { return std::span<const std::uint32_t>(pool.data() + r.at, r.len); };
  auto dense = [&](run r) {
    label_set<W> s;
    for (auto d : ids_of(r)) s.set(d);
    return s;
  };

  struct tensor {
    run key;
    std::uint32_t ssa;
    bool alive;
    Cost footprint;
  };
  std::vector<tensor> t;           // one per distinct key ever seen (a handle)
  t.reserve(2 * n);
  set_index<W> handle_of(2 * n);   // key -> handle (at most one new key a step)
  path.reserve(n);
  auto next = static_cast<std::uint32_t>(n);

  // Identical index sets are multiplied elementwise first (Hadamard products).
  for (std::uint32_t id = 0; id < n; ++id) {
    const std::uint32_t h = handle_of.find(p.in[id]);
    if (h != set_index<W>::npos) {
      path.push_back({t[h].ssa, id});
      t[h].ssa = next++;
    } else {
      handle_of.insert(p.in[id], static_cast<std::uint32_t>(t.size()));
      const auto at = static_cast<std::uint32_t>(pool.size());
      p.in[id].for_each([&](std::uint32_t d) { pool.push_back(d); });
      t.push_back({{at, static_cast<std::uint32_t>(pool.size()) - at}, id, true, p.size_of(p.in[id])});
    }
  }
  const std::size_t n_labels = p.size.size();
  auto for_each_summed = [&](run r, auto f) {
    for (auto d : ids_of(r))
      if (!output.test(d)) f(d);
  };
  // The live tensors holding each summed index, in one array: index d's list starts at
  // first[d] and never outgrows its first length, as a contraction drops both operands from
  // the lists of their indices before its result joins those of its own (all among theirs).
  // len[d] is opt_einsum's reference count of d.
  std::vector<std::uint32_t> first(n_labels + 1, 0), len(n_labels, 0);
  for (const auto& x : t) for_each_summed(x.key, [&](std::uint32_t d) { ++first[d + 1]; });
  for (std::size_t d = 0; d < n_labels; ++d) first[d + 1] += first[d];
  std::vector<std::uint32_t> holders(first[n_labels], 0);
  auto hold = [&](std::uint32_t d, std::uint32_t h) { holders[first[d] + len[d]++] = h; };
  auto drop = [&](std::uint32_t d, std::uint32_t h) {
    std::uint32_t* v = holders.data() + first[d];
    for (std::uint32_t i = 0; i < len[d]; ++i)
      if (v[i] == h) {
        v[i] = v[--len[d]];
        return;
      }
  };
  for (std::uint32_t h = 0; h < t.size(); ++h) for_each_summed(t[h].key, [&](std::uint32_t d) { hold(d, h); });

  struct candidate {
    signed_cost<Cost> cost;
    std::uint32_t id2, id1, h1, h2;
    run k12;
  };
  auto before = [](const candidate& a, const candidate& b) {  // a < b
    if (a.cost < b.cost) return true;
    if (b.cost < a.cost) return false;
    if (a.id2 != b.id2) return a.id2 < b.id2;
    return a.id1 < b.id1;
  };
  auto heap_cmp = [&](const candidate& a, const candidate& b) { return before(b, a); };
  std::vector<candidate> queue;

  // The result of contracting h1 and h2 keeps the output indices and those some other live
  // tensor holds (opt_einsum: reference count >= 3 on both operands, >= 2 on one). Written to
  // k12 (room for n_labels ids); returns its length.
  auto result_of = [&](std::uint32_t h1, std::uint32_t h2, std::uint32_t* k12) {
    const auto a = ids_of(t[h1].key), b = ids_of(t[h2].key);
    std::uint32_t* out = k12;
    std::size_t i = 0, j = 0;
    auto keep = [&](std::uint32_t d, std::uint32_t refs) {
      *out = d;
      out += len[d] >= refs || output.test(d);
    };
    while (i < a.size() && j < b.size()) {
      if (a[i] < b[j]) keep(a[i++], 2);
      else if (b[j] < a[i]) keep(b[j++], 2);
      else keep(a[i++], 3), ++j;
    }
    while (i < a.size()) keep(a[i++], 2);
    while (j < b.size()) keep(b[j++], 2);
    return static_cast<std::uint32_t>(out - k12);
  };
  auto make = [&](std::uint32_t h1, std::uint32_t h2, const Cost& size12) {
    candidate c{signed_cost<Cost>::diff(size12, t[h1].footprint, t[h2].footprint), 0, 0, h1, h2, {}};
    std::uint32_t id1 = t[h1].ssa, id2 = t[h2].ssa;
    if (id1 > id2) {
      std::swap(c.h1, c.h2);
      std::swap(id1, id2);
    }
    c.id1 = id1;
    c.id2 = id2;
    return c;
  };
  std::vector<std::uint32_t> k12_buffers(2 * n_labels, 0);
  std::uint32_t* best_k12 = k12_buffers.data();
  std::uint32_t* try_k12 = best_k12 + n_labels;
  auto push_best = [&](std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    if (from == to) return;
    candidate best;
    if constexpr (std::is_same_v<Cost, log2_cost>) {
      // A log2 size is a sum, so each partner costs only its own indices: the result holds
      // what h1 keeps (reference count >= 2 or output), less the indices only the pair held,
      // plus what h2 alone keeps. (h1's result grows large in big networks, h2's stay small.)
      const label_set<W> in1 = dense(t[h1].key);
      double kept1 = 0;
      for (auto d : ids_of(t[h1].key))
        if (len[d] >= 2 || output.test(d)) kept1 += p.size[d].log2();
      for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
        double l = kept1;
        for (auto d : ids_of(t[*h2].key)) {
          const bool out = output.test(d);
          if (in1.test(d)) l -= out || len[d] >= 3 ? 0.0 : p.size[d].log2();
          else l += out || len[d] >= 2 ? p.size[d].log2() : 0.0;
        }
        const candidate c = make(h1, *h2, log2_cost::from_log2(l));
        if (h2 == from || before(c, best)) best = c;
      }
      best.k12.len = result_of(best.h1, best.h2, best_k12);
    } else {
      for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
        const std::uint32_t n12 = result_of(h1, *h2, try_k12);
        const candidate c = make(h1, *h2, p.size_of(std::span<const std::uint32_t>(try_k12, n12)));
        if (h2 == from || before(c, best)) {
          best = c;
          best.k12.len = n12;
          std::swap(best_k12, try_k12);
        }
      }
    }
    best.k12.at = static_cast<std::uint32_t>(pool.size());
    pool.insert(pool.end(), best_k12, best_k12 + best.k12.len);
    queue.push_back(best);
    std::push_heap(queue.begin(), queue.end(), heap_cmp);
  };

  // (Sorted in place: later uses do not depend on the order, push_best's is total.)
  for (std::uint32_t d = 0; d < n_labels; ++d) {
    std::uint32_t* keys = holders.data() + first[d];
    std::sort(keys, keys + len[d], [&](std::uint32_t a, std::uint32_t b) { return t[a].ssa < t[b].ssa; });
    for (std::size_t i = 0; i + 1 < len[d]; ++i) push_best(keys[i], keys + i + 1, keys + len[d]);
  }

  std::vector<std::uint32_t> k2s;
  std::vector<std::uint32_t> seen(t.size() + n, 0);
  std::uint32_t stamp = 0;
  while (!queue.empty()) {
    std::pop_heap(queue.begin(), queue.end(), heap_cmp);
    const candidate c = queue.back();
    queue.pop_back();
    if (!t[c.h1].alive || !t[c.h2].alive) continue;  // obsolete
    const std::uint32_t s1 = t[c.h1].ssa, s2 = t[c.h2].ssa;
    t[c.h1].alive = false;
    t[c.h2].alive = false;
    for_each_summed(t[c.h1].key, [&](std::uint32_t d) { drop(d, c.h1); });
    for_each_summed(t[c.h2].key, [&](std::uint32_t d) { drop(d, c.h2); });
    path.push_back({s1, s2});
    const std::uint32_t id12 = next++;
    const label_set<W> k12 = dense(c.k12);
    std::uint32_t h12 = handle_of.find(k12);
    if (h12 != set_index<W>::npos && t[h12].alive) {
      path.push_back({t[h12].ssa, id12});
      t[h12].ssa = next++;
    } else {
      const tensor made{c.k12, id12, true, p.size_of(ids_of(c.k12))};
      if (h12 == set_index<W>::npos) {
        h12 = static_cast<std::uint32_t>(t.size());
        handle_of.insert(k12, h12);
        t.push_back(made);
        seen.push_back(0);
      } else {
        t[h12] = made;
      }
      for_each_summed(c.k12, [&](std::uint32_t d) { hold(d, h12); });
    }
    // New candidates: the best partner of the new tensor.
    ++stamp;
    k2s.clear();
    seen[h12] = stamp;
    for_each_summed(c.k12, [&](std::uint32_t d) {
      for (std::uint32_t i = first[d]; i < first[d] + len[d]; ++i)
        if (const std::uint32_t h = holders[i]; seen[h] != stamp) {
          seen[h] = stamp;
          k2s.push_back(h);
        }
    });
    push_best(h12, k2s.data(), k2s.data() + k2s.size());
  }

  // Outer products of what is left, smallest first.
  struct outer {
    Cost size;
    std::uint32_t ssa;
    label_set<W> key;
  };
  auto outer_after = [](const outer& a, const outer& b) {
    if (b.size < a.size) return true;
    if (a.size < b.size) return false;
    return a.ssa > b.ssa;
  };
  std::vector<outer> fq;
  for (const auto& x : t)
    if (x.alive) {
      const label_set<W> key = dense(x.key);
      fq.push_back({p.size_of(key & output), x.ssa, key});
    }
  std::make_heap(fq.begin(), fq.end(), outer_after);
  std::pop_heap(fq.begin(), fq.end(), outer_after);
  outer a = fq.back();
  fq.pop_back();
  while (!fq.empty()) {
    std::pop_heap(fq.begin(), fq.end(), outer_after);
    const outer b = fq.back();
    fq.pop_back();
    path.push_back({std::min(a.ssa, b.ssa), std::max(a.ssa, b.ssa)});
    const label_set<W> k12 = (a.key | b.key) & output;
    outer made{p.size_of(k12), next++, k12};
    if (!fq.empty() && outer_after(made, fq.front())) {  // heappushpop
      std::pop_heap(fq.begin(), fq.end(), outer_after);
      a = fq.back();
      fq.back() = made;
      std::push_heap(fq.begin(), fq.end(), outer_after);
    } else {
      a = made;
    }
  }
  return path;
}

// ---- greedy under a memory limit: opt_einsum's BranchBound(nbranch=1) ----------------------------
template <class Cost, std::size_t W>
constexpr ssa_path branch1_ssa(const path_problem<Cost, W>& p, const Cost& limit) {
  std::vector<label_set<W>> in = p.in;
  std::vector<std::uint32_t> remaining;
  for (std::uint32_t i = 0; i < in.size(); ++i) remaining.push_back(i);
  const std::size_t n_labels = p.size.size();
  ssa_path path, best_path;
  Cost flops(0u), size(0u);
  std::optional<Cost> best_flops, best_size;
  std::vector<std::optional<Cost>> best_progress(2 * in.size() + 2);

  auto better = [&](const Cost& f, const Cost& s) {
    if (!best_flops) return true;
    if (f < *best_flops) return true;
    if (*best_flops < f) return false;
    return !best_size || s < *best_size;
  };
  struct cand {
    signed_cost<Cost> cost;
    Cost flops12, new_flops, new_size;
    std::uint32_t i, j;
    label_set<W> k12;
  };
  auto cand_less = [](const cand& a, const cand& b) {
    if (a.cost < b.cost) return true;
    if (b.cost < a.cost) return false;
    if (a.flops12 != b.flops12) return a.flops12 < b.flops12;
    if (a.new_flops != b.new_flops) return a.new_flops < b.new_flops;
    if (a.new_size != b.new_size) return a.new_size < b.new_size;
    if (a.i != b.i) return a.i < b.i;
    return a.j < b.j;
  };
  std::vector<std::uint32_t> refs(n_labels, 0);
  while (true) {
    if (remaining.size() == 1) {
      best_flops = flops;
      best_size = size;
      best_path = path;
      break;
    }
    std::fill(refs.begin(), refs.end(), 0u);
    for (auto r : remaining) in[r].for_each([&](std::uint32_t d) { ++refs[d]; });
    std::optional<cand> chosen;
    auto assess = [&](std::uint32_t i, std::uint32_t j) {
      const label_set<W>& k1 = in[i];
      const label_set<W>& k2 = in[j];
      const label_set<W> either = k1 | k2, shared = k1 & k2;
      label_set<W> k12;
      bool inner = false;
      either.for_each([&](std::uint32_t d) {
        const bool keep = p.out.test(d) || refs[d] > (k1.test(d) ? 1u : 0u) + (k2.test(d) ? 1u : 0u);
        if (keep) k12.set(d);
        else if (shared.test(d)) inner = true;
      });
      const Cost flops12 = flop_count(p.size_of(either), 2, inner);
      const Cost size12 = p.size_of(k12);
      const Cost new_flops = flops + flops12;
      const Cost new_size = size < size12 ? size12 : size;
      if (!better(new_flops, new_size)) return;
      auto& bp = best_progress[in.size()];
      if (!bp || new_flops < *bp) bp = new_flops;
      else if (*bp * Cost(4u) < new_flops) return;
      if (limit < size12) {  // too big: end the path with one step over all that remains
        label_set<W> all;
        for (auto r : remaining) all = all | in[r];
        const Cost f = flops + flop_count(p.size_of(all), remaining.size(), (all - p.out).any());
        if (!best_flops || f < *best_flops) {
          best_flops = f;
          best_path = path;
          best_path.push_back(remaining);
        }
        return;
      }
      cand c{signed_cost<Cost>::diff(size12, p.size_of(k1) + p.size_of(k2)), flops12, new_flops, new_size, i, j, k12};
      if (!chosen || cand_less(c, *chosen)) chosen = c;
    };
    for (std::size_t a = 0; a < remaining.size(); ++a)
      for (std::size_t b = a + 1; b < remaining.size(); ++b)
        if (in[remaining[a]].intersects(in[remaining[b]])) assess(remaining[a], remaining[b]);
    if (!chosen)  // only outer products left
      for (std::size_t a = 0; a < remaining.size(); ++a)
        for (std::size_t b = a + 1; b < remaining.size(); ++b) assess(remaining[a], remaining[b]);
    if (!chosen) break;
    path.push_back({chosen->i, chosen->j});
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen->i));
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen->j));
    remaining.push_back(static_cast<std::uint32_t>(in.size()));
    in.push_back(chosen->k12);
    flops = chosen->new_flops;
    size = chosen->new_size;
  }
  return best_path;
}

}  // namespace detail
}  // namespace txmath

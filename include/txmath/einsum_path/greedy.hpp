#pragma once
// greedy: opt_einsum's ssa_greedy_optimize as a class (greedy_search), and its branch search
// with one branch under a memory limit (branch1_ssa).
#include <type_traits>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// opt_einsum's rank of a candidate pair: size12 - size1 - size2, in exact Cost arithmetic;
// a new tensor offers only its best partner to the queue (its push_all = False).
struct exact_rank {};

// ---- greedy: opt_einsum's ssa_greedy_optimize, same heuristic and tie-breaking ---------------
// Ranker exact_rank is opt_einsum's greedy. Any other Ranker ranks a pair in a double from
// natural logs of the sizes, `ranker(ln size1, ln size2, ln size12)`, and reads them with
// `ranker.ln_of(index)` (random_greedy.hpp); the queue works as with exact_rank. Construct,
// then run() once.
template <class Cost, std::size_t W, class Ranker = exact_rank>
class greedy_search {
  static constexpr bool exact = std::is_same_v<Ranker, exact_rank>;
  using rank_type = std::conditional_t<exact, signed_cost<Cost>, double>;
  struct no_log {};
  using log_type = std::conditional_t<exact, no_log, double>;  // a tensor's ln size, if ranked by it

  // Index sets as ascending id lists, runs of one pool: tensors hold a few indices of up to
  // 1024, and the queue holds a set per candidate.
  struct id_run {
    std::uint32_t at = 0, len = 0;
  };
  struct tensor {
    id_run key;
    std::uint32_t ssa;
    bool alive;
    Cost footprint;
    [[no_unique_address]] log_type ln_size;
  };
  struct candidate {
    rank_type rank;
    std::uint32_t id2, id1, h1, h2;
    id_run k12;
  };
  struct outer {
    Cost size;
    std::uint32_t ssa;
    label_set<W> key;
  };

  const path_problem<Cost, W>& p_;
  Ranker ranker_;
  label_set<W> output_;                  // the output, and the indices on every tensor
  std::vector<std::uint32_t> pool_;      // the id lists
  std::vector<tensor> t_;                // one per distinct key ever seen (a handle)
  set_index<W> handle_of_;               // key -> handle (at most one new key a step)
  // The live tensors holding each summed index, in one array: index d's list starts at
  // first_[d] and never outgrows its first length, as a contraction drops both operands from
  // the lists of their indices before its result joins those of its own (all among theirs).
  // len_[d] is opt_einsum's reference count of d.
  std::vector<std::uint32_t> first_, len_, holders_;
  std::vector<candidate> queue_;         // a heap, best on top
  std::vector<std::uint32_t> k12_buffers_, k2s_, seen_;
  std::uint32_t stamp_ = 0, next_ = 0;   // next_: the next ssa id
  ssa_path path_;

 public:
  constexpr explicit greedy_search(const path_problem<Cost, W>& p, Ranker ranker = {})
      : p_(p), ranker_(ranker), handle_of_(2 * p.in.size()) {}

  [[nodiscard]] constexpr ssa_path run() {
    const std::size_t n = p_.in.size();
    if (n == 1) {
      path_.push_back({0});
      return std::move(path_);
    }
    add_inputs();
    index_holders();
    seed_queue();
    while (!queue_.empty()) {
      const candidate c = pop();
      if (!t_[c.h1].alive || !t_[c.h2].alive) continue;  // obsolete
      const std::uint32_t h12 = contract(c);
      offer_partners(h12, c.k12);
    }
    outer_products();
    return std::move(path_);
  }

 private:
  constexpr std::span<const std::uint32_t> ids_of(id_run r) const { return {pool_.data() + r.at, r.len}; }
  constexpr label_set<W> dense(id_run r) const {
    label_set<W> s;
    for (auto d : ids_of(r)) s.set(d);
    return s;
  }
  constexpr id_run store(const std::uint32_t* first, std::uint32_t len) {
    const auto at = static_cast<std::uint32_t>(pool_.size());
    pool_.insert(pool_.end(), first, first + len);
    return {at, len};
  }
  constexpr double ln_size_of(std::span<const std::uint32_t> ids) const {
    double l = 0;
    for (auto d : ids) l += ranker_.ln_of(d);
    return l;
  }
  constexpr tensor make_tensor(id_run key, std::uint32_t ssa) const {
    if constexpr (exact) return {key, ssa, true, p_.size_of(ids_of(key)), {}};
    else return {key, ssa, true, p_.size_of(ids_of(key)), ln_size_of(ids_of(key))};
  }

  // The inputs as tensors. An index on every tensor can only go in the last step: it counts
  // as an output index. Identical index sets are multiplied elementwise first (Hadamard).
  constexpr void add_inputs() {
    const std::size_t n = p_.in.size();
    label_set<W> common = p_.in[0];
    for (const auto& s : p_.in) common = common & s;
    output_ = p_.out | common;
    pool_.reserve(8 * n);
    t_.reserve(2 * n);
    path_.reserve(n);
    next_ = static_cast<std::uint32_t>(n);
    std::vector<std::uint32_t> ids;
    for (std::uint32_t id = 0; id < n; ++id) {
      const std::uint32_t h = handle_of_.find(p_.in[id]);
      if (h != set_index<W>::npos) {
        path_.push_back({t_[h].ssa, id});
        t_[h].ssa = next_++;
        continue;
      }
      handle_of_.insert(p_.in[id], static_cast<std::uint32_t>(t_.size()));
      ids.clear();
      p_.in[id].for_each([&](std::uint32_t d) { ids.push_back(d); });
      t_.push_back(make_tensor(store(ids.data(), static_cast<std::uint32_t>(ids.size())), id));
    }
  }

  template <class F>
  constexpr void for_each_summed(id_run r, F f) const {
    for (auto d : ids_of(r))
      if (!output_.test(d)) f(d);
  }
  constexpr void hold(std::uint32_t d, std::uint32_t h) { holders_[first_[d] + len_[d]++] = h; }
  constexpr void drop(std::uint32_t d, std::uint32_t h) {
    std::uint32_t* v = holders_.data() + first_[d];
    for (std::uint32_t i = 0; i < len_[d]; ++i)
      if (v[i] == h) {
        v[i] = v[--len_[d]];
        return;
      }
  }
  constexpr void index_holders() {
    const std::size_t n_labels = p_.size.size();
    first_.assign(n_labels + 1, 0);
    len_.assign(n_labels, 0);
    for (const auto& x : t_) for_each_summed(x.key, [&](std::uint32_t d) { ++first_[d + 1]; });
    for (std::size_t d = 0; d < n_labels; ++d) first_[d + 1] += first_[d];
    holders_.assign(first_[n_labels], 0);
    for (std::uint32_t h = 0; h < t_.size(); ++h) for_each_summed(t_[h].key, [&](std::uint32_t d) { hold(d, h); });
    k12_buffers_.assign(2 * n_labels, 0);
    seen_.assign(t_.size() + p_.in.size(), 0);
  }

  static constexpr bool before(const candidate& a, const candidate& b) {  // a < b
    if (a.rank < b.rank) return true;
    if (b.rank < a.rank) return false;
    if (a.id2 != b.id2) return a.id2 < b.id2;
    return a.id1 < b.id1;
  }
  // (A function object, not a function pointer: the heap's comparisons then inline.)
  struct heap_less {
    constexpr bool operator()(const candidate& a, const candidate& b) const { return before(b, a); }
  };
  constexpr void push(const candidate& c) {
    queue_.push_back(c);
    std::push_heap(queue_.begin(), queue_.end(), heap_less{});
  }
  constexpr candidate pop() {
    std::pop_heap(queue_.begin(), queue_.end(), heap_less{});
    const candidate c = queue_.back();
    queue_.pop_back();
    return c;
  }

  // The result of contracting h1 and h2 keeps the output indices and those some other live
  // tensor holds (opt_einsum: reference count >= 3 on both operands, >= 2 on one). Written to
  // k12 (room for every index); returns its length.
  constexpr std::uint32_t result_of(std::uint32_t h1, std::uint32_t h2, std::uint32_t* k12) const {
    const auto a = ids_of(t_[h1].key), b = ids_of(t_[h2].key);
    std::uint32_t* out = k12;
    std::size_t i = 0, j = 0;
    auto keep = [&](std::uint32_t d, std::uint32_t refs) {
      *out = d;
      out += len_[d] >= refs || output_.test(d);
    };
    while (i < a.size() && j < b.size()) {
      if (a[i] < b[j]) keep(a[i++], 2);
      else if (b[j] < a[i]) keep(b[j++], 2);
      else keep(a[i++], 3), ++j;
    }
    while (i < a.size()) keep(a[i++], 2);
    while (j < b.size()) keep(b[j++], 2);
    return static_cast<std::uint32_t>(out - k12);
  }
  // The pair (h1, h2) with its rank, the smaller ssa id first.
  constexpr candidate make(std::uint32_t h1, std::uint32_t h2, const rank_type& rank) const {
    candidate c{rank, t_[h2].ssa, t_[h1].ssa, h1, h2, {}};
    if (c.id1 > c.id2) {
      std::swap(c.h1, c.h2);
      std::swap(c.id1, c.id2);
    }
    return c;
  }

  // Queues the best partner of h1 among [from, to).
  constexpr void offer(std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    if (from == to) return;
    if constexpr (exact && !std::is_same_v<Cost, log2_cost>) offer_best_exact(h1, from, to);
    else offer_best_by_log(h1, from, to);
  }
  constexpr void offer_best_exact(std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    std::uint32_t* best_k12 = k12_buffers_.data();
    std::uint32_t* try_k12 = best_k12 + p_.size.size();
    candidate best{};
    for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
      const std::uint32_t n12 = result_of(h1, *h2, try_k12);
      const Cost size12 = p_.size_of(std::span<const std::uint32_t>(try_k12, n12));
      const candidate c = make(h1, *h2, signed_cost<Cost>::diff(size12, t_[h1].footprint, t_[*h2].footprint));
      if (h2 == from || before(c, best)) {
        best = c;
        best.k12.len = n12;
        std::swap(best_k12, try_k12);
      }
    }
    best.k12 = store(best_k12, best.k12.len);
    push(best);
  }
  // The log of an index size: log2 for log2_cost's exact rank, the Ranker's ln otherwise.
  constexpr double log_of(std::uint32_t d) const {
    if constexpr (exact) return p_.size[d].log2();
    else return ranker_.ln_of(d);
  }
  // In logs a size is a sum, so each partner costs only its own indices: the result holds what
  // h1 keeps (reference count >= 2 or output), less the indices only the pair held, plus what
  // h2 alone keeps. (h1's result grows large in big networks, h2's stay small.)
  constexpr void offer_best_by_log(std::uint32_t h1, const std::uint32_t* from, const std::uint32_t* to) {
    const label_set<W> in1 = dense(t_[h1].key);
    double kept1 = 0;
    for (auto d : ids_of(t_[h1].key))
      if (len_[d] >= 2 || output_.test(d)) kept1 += log_of(d);
    candidate best{};
    for (const std::uint32_t* h2 = from; h2 != to; ++h2) {
      double l = kept1;
      for (auto d : ids_of(t_[*h2].key)) {
        const bool out = output_.test(d);
        if (in1.test(d)) l -= out || len_[d] >= 3 ? 0.0 : log_of(d);
        else l += out || len_[d] >= 2 ? log_of(d) : 0.0;
      }
      const candidate c = make(h1, *h2, rank_of(h1, *h2, l));
      if (h2 == from || before(c, best)) best = c;
    }
    std::uint32_t* k12 = k12_buffers_.data();
    best.k12 = store(k12, result_of(best.h1, best.h2, k12));
    push(best);
  }
  // The rank of the pair (h1, h2) whose result has log size l (log_of's base).
  constexpr rank_type rank_of(std::uint32_t h1, std::uint32_t h2, double l) {
    if constexpr (exact) return signed_cost<Cost>::diff(log2_cost::from_log2(l), t_[h1].footprint, t_[h2].footprint);
    else return ranker_(t_[h1].ln_size, t_[h2].ln_size, l);
  }

  // The first candidates: for each summed index, each holder with those after it (in ssa
  // order; sorted in place: later uses do not depend on the order, offer's is total).
  constexpr void seed_queue() {
    for (std::uint32_t d = 0; d < len_.size(); ++d) {
      std::uint32_t* keys = holders_.data() + first_[d];
      std::sort(keys, keys + len_[d], [&](std::uint32_t a, std::uint32_t b) { return t_[a].ssa < t_[b].ssa; });
      for (std::size_t i = 0; i + 1 < len_[d]; ++i) offer(keys[i], keys + i + 1, keys + len_[d]);
    }
  }

  // Contracts the pair of c: one step, and one more when the result's index set is that of a
  // live tensor (a Hadamard product). Returns the result's handle.
  constexpr std::uint32_t contract(const candidate& c) {
    t_[c.h1].alive = false;
    t_[c.h2].alive = false;
    for_each_summed(t_[c.h1].key, [&](std::uint32_t d) { drop(d, c.h1); });
    for_each_summed(t_[c.h2].key, [&](std::uint32_t d) { drop(d, c.h2); });
    path_.push_back({t_[c.h1].ssa, t_[c.h2].ssa});
    const std::uint32_t id12 = next_++;
    const label_set<W> k12 = dense(c.k12);
    std::uint32_t h12 = handle_of_.find(k12);
    if (h12 != set_index<W>::npos && t_[h12].alive) {
      path_.push_back({t_[h12].ssa, id12});
      t_[h12].ssa = next_++;
      return h12;
    }
    if (h12 == set_index<W>::npos) {
      h12 = static_cast<std::uint32_t>(t_.size());
      handle_of_.insert(k12, h12);
      t_.push_back(make_tensor(c.k12, id12));
      seen_.push_back(0);
    } else {
      t_[h12] = make_tensor(c.k12, id12);
    }
    for_each_summed(c.k12, [&](std::uint32_t d) { hold(d, h12); });
    return h12;
  }

  // New candidates: the live tensors sharing a summed index with the new one (each once).
  constexpr void offer_partners(std::uint32_t h12, id_run k12) {
    ++stamp_;
    k2s_.clear();
    seen_[h12] = stamp_;
    for_each_summed(k12, [&](std::uint32_t d) {
      for (std::uint32_t i = first_[d]; i < first_[d] + len_[d]; ++i)
        if (const std::uint32_t h = holders_[i]; seen_[h] != stamp_) {
          seen_[h] = stamp_;
          k2s_.push_back(h);
        }
    });
    offer(h12, k2s_.data(), k2s_.data() + k2s_.size());
  }

  // Outer products of what is left, smallest first (ties: the larger ssa id first, as
  // opt_einsum's heap of (size, ssa id)).
  struct outer_after {
    constexpr bool operator()(const outer& a, const outer& b) const {
      if (b.size < a.size) return true;
      if (a.size < b.size) return false;
      return a.ssa > b.ssa;
    }
  };
  constexpr void outer_products() {
    std::vector<outer> fq;
    for (const auto& x : t_)
      if (x.alive) {
        const label_set<W> key = dense(x.key);
        fq.push_back({p_.size_of(key & output_), x.ssa, key});
      }
    std::make_heap(fq.begin(), fq.end(), outer_after{});
    std::pop_heap(fq.begin(), fq.end(), outer_after{});
    outer a = fq.back();
    fq.pop_back();
    while (!fq.empty()) {
      std::pop_heap(fq.begin(), fq.end(), outer_after{});
      const outer b = fq.back();
      fq.pop_back();
      path_.push_back({std::min(a.ssa, b.ssa), std::max(a.ssa, b.ssa)});
      const label_set<W> k12 = (a.key | b.key) & output_;
      outer made{p_.size_of(k12), next_++, k12};
      if (!fq.empty() && outer_after{}(made, fq.front())) {  // heappushpop
        std::pop_heap(fq.begin(), fq.end(), outer_after{});
        a = fq.back();
        fq.back() = made;
        std::push_heap(fq.begin(), fq.end(), outer_after{});
      } else {
        a = made;
      }
    }
  }
};

// opt_einsum's greedy.
template <class Cost, std::size_t W>
[[nodiscard]] constexpr ssa_path greedy_ssa(const path_problem<Cost, W>& p) {
  return greedy_search<Cost, W>(p).run();
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

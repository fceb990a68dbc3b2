#pragma once
// The subsets of one size that dp's search has found, with the indexes its scans read.
#include <algorithm>
#include <bit>
#include <limits>

#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// A subset of a group of tensors (bit k: the group's k-th tensor), its open indices, its least
// cost within the caps so far and the tree node that achieves it.
template <class Cost, std::size_t W>
struct dp_entry {
  std::uint64_t s = 0;
  label_set<W> legs;
  Cost cost{};
  int node = -1;
  double cost_d = 0, mem_d = 1;  // cost and size of legs as doubles (count only: the pruning)
  std::uint32_t round = 0;       // the cost-cap round that found it
};

template <class Cost, std::size_t W>
class dp_level {
 public:
  using entry = dp_entry<Cost, W>;
  static constexpr std::uint32_t npos = ~std::uint32_t{0};

  // s and legs again, packed: the all-pairs scan reads only these.
  struct packed {
    std::uint64_t s;
    label_set<W> legs;
  };

  [[nodiscard]] constexpr std::size_t size() const { return e_.size(); }
  [[nodiscard]] constexpr bool empty() const { return e_.empty(); }
  [[nodiscard]] constexpr const entry& operator[](std::size_t i) const { return e_[i]; }
  [[nodiscard]] constexpr const packed* scan() const { return scan_.data(); }

  [[nodiscard]] constexpr std::uint32_t find(std::uint64_t s) const {
    if (slots_.empty()) return npos;
    const slot& x = slots_[slot_of(s)];
    return x.key ? x.pos : npos;
  }
  constexpr void replace(std::uint32_t k, const entry& x) { e_[k] = x; }  // (same s, same legs)
  constexpr void push(const entry& x) {  // (no lookup: the leaves)
    e_.push_back(x);
    scan_.push_back({x.s, x.legs});
  }
  constexpr void add(const entry& x) {
    if (2 * (e_.size() + 1) > slots_.size()) {
      slots_.assign(slots_.empty() ? 16 : slots_.size() * 2, slot{});
      for (std::uint32_t k = 0; k < e_.size(); ++k) slots_[slot_of(e_[k].s)] = {e_[k].s + 1, k};
    }
    slots_[slot_of(x.s)] = {x.s + 1, static_cast<std::uint32_t>(e_.size())};
    push(x);
  }

  // ---- the cost-ordered index -----------------------------------------------------------------
  // The entries in ascending key (a lower bound of the cost of any step that reads the entry),
  // and for each tensor k of the group a list of the entries that hold it, in ascending key: a
  // scan for the partners of a subset walks the lists of its neighbours and stops at the first
  // key over its budget. Rebuilt once the level is complete for a round (its entries are then
  // final for the round). A level whose size has not changed since is not indexed again: its
  // entries change only while it is built, by adding one or replacing one added then.
  struct ref {  // an entry in a list: its key and subset in place (the scan reads them in order)
    double key;
    std::uint64_t s;
    std::uint32_t pos;  // the entry
  };
  template <class KeyOf>
  constexpr void index(std::size_t m_g, const KeyOf& key_of) {
    const std::size_t n = e_.size();
    if (indexed_ && n == rank_pos_.size()) return;
    indexed_ = true;
    scratch_vector<double>& key = key_;
    key.assign(n, 0.0);
    rank_pos_.assign(n, 0);
    for (std::uint32_t i = 0; i < n; ++i) key[i] = key_of(e_[i]), rank_pos_[i] = i;
    std::sort(rank_pos_.begin(), rank_pos_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return key[a] < key[b] || (key[a] == key[b] && a < b);
    });
    rank_key_.assign(n, 0.0);
    start_.assign(m_g + 2, 0);  // (counts at k + 2, then starts at k + 1, then starts at k)
    for (std::size_t r = 0; r < n; ++r) {
      rank_key_[r] = key[rank_pos_[r]];
      for (std::uint64_t x = e_[rank_pos_[r]].s; x; x &= x - 1) ++start_[static_cast<std::size_t>(std::countr_zero(x)) + 2];
    }
    for (std::size_t k = 2; k < start_.size(); ++k) start_[k] += start_[k - 1];
    holding_.assign(start_.back(), ref{0.0, 0, 0});
    for (std::size_t r = 0; r < n; ++r) {
      const std::uint32_t pos = rank_pos_[r];
      for (std::uint64_t x = e_[pos].s; x; x &= x - 1)
        holding_[start_[static_cast<std::size_t>(std::countr_zero(x)) + 1]++] = {rank_key_[r], e_[pos].s, pos};
    }
  }
  [[nodiscard]] constexpr std::size_t ranked() const { return rank_pos_.size(); }
  [[nodiscard]] constexpr double key(std::size_t r) const { return rank_key_[r]; }
  [[nodiscard]] constexpr const entry& at_rank(std::size_t r) const { return e_[rank_pos_[r]]; }
  // The entries holding tensor k, in ascending key: [first, last).
  [[nodiscard]] constexpr const ref* holding_first(std::size_t k) const { return holding_.data() + start_[k]; }
  [[nodiscard]] constexpr const ref* holding_last(std::size_t k) const { return holding_.data() + start_[k + 1]; }

  // Bytes held (an estimate, for dp's memory budget).
  [[nodiscard]] constexpr std::uint64_t bytes() const {
    return e_.capacity() * sizeof(entry) + scan_.capacity() * sizeof(packed) + slots_.capacity() * sizeof(slot) +
           rank_pos_.capacity() * (sizeof(std::uint32_t) + 2 * sizeof(double)) + holding_.capacity() * sizeof(ref);
  }

 private:
  struct slot {
    std::uint64_t key = 0;  // s + 1, 0 = empty
    std::uint32_t pos = 0;  // where that s is in e_
  };
  scratch_vector<entry> e_;
  scratch_vector<packed> scan_;
  scratch_vector<slot> slots_;  // open addressing on s (none for the leaves)
  scratch_vector<std::uint32_t> rank_pos_;
  scratch_vector<double> rank_key_, key_;  // (key_: index()'s scratch)
  bool indexed_ = false;
  scratch_vector<std::uint32_t> start_;
  scratch_vector<ref> holding_;

  [[nodiscard]] constexpr std::size_t slot_of(std::uint64_t s) const {
    std::size_t i = static_cast<std::size_t>((s * 0x9E3779B97F4A7C15ull) >> 20) & (slots_.size() - 1);
    while (slots_[i].key != 0 && slots_[i].key != s + 1) i = (i + 1) & (slots_.size() - 1);
    return i;
  }
};

// The pairs of subsets that dp's pair-by-pair scan visited and found over a round's cap: the
// scan of a later round visits only the pairs earlier ones did not (dp_search), so these wait
// here, for each level they would make, with a lower bound of their cost. The caps start near
// the optimum (dp_bound.hpp), so there are few rounds: a round walks each level's list once.
class dp_waiting_pairs {
 public:
  struct pair {
    double bound;        // a lower bound of the pair's cost
    std::uint32_t a, b;  // the entries of x[nn - m] and x[m]
    std::uint32_t m;
  };
  constexpr explicit dp_waiting_pairs(std::size_t levels) : list_(levels) {}

  [[nodiscard]] constexpr std::size_t size() const { return size_; }
  [[nodiscard]] constexpr std::uint64_t bytes() const { return size_ * sizeof(pair); }
  constexpr void push(std::size_t nn, const pair& x) {
    list_[nn].push_back(x);
    ++size_;
  }
  // Takes out the pairs of level nn whose bound is at most `cap` into `ready` (in the order
  // they came).
  constexpr void take(std::size_t nn, double cap, scratch_vector<pair>& ready) {
    ready.clear();
    auto& l = list_[nn];
    std::size_t kept = 0;
    for (const pair& x : l) {
      if (x.bound <= cap) ready.push_back(x);
      else l[kept++] = x;
    }
    l.resize(kept, pair{});
    size_ -= ready.size();
  }
 private:
  std::vector<scratch_vector<pair>> list_;
  std::size_t size_ = 0;
};

}  // namespace detail
}  // namespace txmath

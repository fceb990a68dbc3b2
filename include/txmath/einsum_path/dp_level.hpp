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
  // and for each tensor k of the group a bitmap over the ranks of the entries that hold it: a
  // scan for the partners of a subset takes the ranks whose key fits its budget (a prefix),
  // ORs its neighbours' bitmaps and clears the bits of its own tensors', 64 entries a word.
  // (Lists of the entries holding each tensor, walked one by one, spent 4 visits in 5 on
  // entries that overlap the subset: 82% on the 7 x 7 lattice.) With them, bitmaps of size
  // classes (floor of log2 of an entry's size), so that a scan drops, 64 at a time, partners
  // too large for the bond they could share. The bitmaps are stored word by word (the words
  // of one 64-rank block together), as a scan reads them. Rebuilt once the level is complete
  // for a round (its entries are then final for the round). A level whose size has not
  // changed since is not indexed again: its entries change only while it is built, by adding
  // one or replacing one added then.
  struct ranked_entry {  // what a scan reads of an entry, by rank
    std::uint64_t s;
    double cost_d, mem_d;
    std::uint32_t pos;  // the entry
  };
  template <class KeyOf>
  constexpr void index(std::size_t m_g, const KeyOf& key_of) {
    const std::size_t n = e_.size();
    if (indexed_ && n == ranked_.size()) return;
    indexed_ = true;
    scratch_vector<double>& key = key_;
    scratch_vector<std::uint32_t>& order = order_;
    key.assign(n, 0.0);
    order.assign(n, 0);
    for (std::uint32_t i = 0; i < n; ++i) key[i] = key_of(e_[i]), order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return key[a] < key[b] || (key[a] == key[b] && a < b);
    });
    m_g_ = m_g;
    rank_key_.assign(n, 0.0);
    ranked_.assign(n, ranked_entry{0, 0.0, 0.0, 0});
    // Size classes: an entry of class c (from 0) has floor(log2 mem) = class_base_ + c, the
    // last class holding the larger ones too.
    int lo = 1024, hi = -1024;
    for (std::size_t i = 0; i < n; ++i) {
      lo = std::min(lo, exponent_of(e_[i].mem_d));
      hi = std::max(hi, exponent_of(e_[i].mem_d));
    }
    class_base_ = lo;
    classes_ = n == 0 ? 1 : static_cast<std::size_t>(std::clamp(hi - lo + 1, 1, static_cast<int>(max_classes)));
    stride_ = m_g + 2 + (classes_ - 1);
    holds_.assign((n + 63) / 64 * stride_, 0);
    for (std::size_t r = 0; r < n; ++r) {
      const entry& x = e_[order[r]];
      rank_key_[r] = key[order[r]];
      ranked_[r] = {x.s, x.cost_d, x.mem_d, order[r]};
      std::uint64_t* block = holds_.data() + r / 64 * stride_;
      const std::uint64_t bit = std::uint64_t{1} << (r % 64);
      for (std::uint64_t t = x.s; t; t &= t - 1) block[std::countr_zero(t)] |= bit;
      block[m_g + 1] |= bit;  // (the word of every entry)
      const auto c = std::min(static_cast<std::size_t>(exponent_of(x.mem_d) - lo), classes_ - 1);
      for (std::size_t j = 1; j <= c; ++j) block[m_g + 1 + j] |= bit;  // (class j or more)
    }
  }
  [[nodiscard]] constexpr std::size_t ranked() const { return ranked_.size(); }
  [[nodiscard]] constexpr double key(std::size_t r) const { return rank_key_[r]; }
  [[nodiscard]] constexpr const entry& at_rank(std::size_t r) const { return e_[ranked_[r].pos]; }
  [[nodiscard]] constexpr const ranked_entry& ranked_at(std::size_t r) const { return ranked_[r]; }
  // The number of ranks whose key is at most `budget`.
  [[nodiscard]] constexpr std::size_t fitting(double budget) const {
    return static_cast<std::size_t>(std::upper_bound(rank_key_.begin(), rank_key_.end(), budget) - rank_key_.begin());
  }
  // The bitmaps of ranks 64 b to 64 b + 63: word k holds tensor k's; the words after them are
  // read through larger_than.
  [[nodiscard]] constexpr const std::uint64_t* holds_block(std::size_t b) const { return holds_.data() + b * stride_; }
  // The position in a block of a word whose bits include every entry of size over `mem` and
  // only such entries (none: at none_word(), all, or the entries of a size class and above).
  [[nodiscard]] constexpr std::size_t none_word() const { return m_g_; }
  [[nodiscard]] constexpr std::size_t larger_than(double mem) const {
    if (mem != mem) return m_g_;    // (NaN: no bound)
    if (mem < 1) return m_g_ + 1;  // (every size is at least 1)
    const int first = exponent_of(mem) + 1 - class_base_;  // (a class from it is over mem)
    if (first <= 0) return m_g_ + 1;
    if (static_cast<std::size_t>(first) >= classes_) return m_g_;
    return m_g_ + 1 + static_cast<std::size_t>(first);
  }

  // Bytes held (an estimate, for dp's memory budget).
  [[nodiscard]] constexpr std::uint64_t bytes() const {
    return e_.capacity() * sizeof(entry) + scan_.capacity() * sizeof(packed) + slots_.capacity() * sizeof(slot) +
           ranked_.capacity() * (sizeof(ranked_entry) + 2 * sizeof(double) + sizeof(std::uint32_t)) +
           holds_.capacity() * sizeof(std::uint64_t);
  }

 private:
  struct slot {
    std::uint64_t key = 0;  // s + 1, 0 = empty
    std::uint32_t pos = 0;  // where that s is in e_
  };
  scratch_vector<entry> e_;
  scratch_vector<packed> scan_;
  scratch_vector<slot> slots_;  // open addressing on s (none for the leaves)
  scratch_vector<ranked_entry> ranked_;
  scratch_vector<double> rank_key_, key_;  // (key_ and order_: index()'s scratch)
  scratch_vector<std::uint32_t> order_;
  bool indexed_ = false;
  std::size_t m_g_ = 0;
  // Each block of 64 ranks: the m_g tensors' words, a word of none, a word of all, and for
  // each size class c from 1 the word of the entries of class c or more.
  static constexpr std::size_t max_classes = 32;
  int class_base_ = 0;
  std::size_t classes_ = 1, stride_ = 0;
  scratch_vector<std::uint64_t> holds_;

  // floor(log2 x) for a double x >= 1 (1024 for infinity).
  static constexpr int exponent_of(double x) {
    return static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7FF) - 1023;
  }

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

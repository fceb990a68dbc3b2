#pragma once
// What a contraction-path search reports: the path in opt_einsum's linear form and its
// steps with their costs (opt_einsum's PathInfo).
#include <txmath/einsum_path/options.hpp>

namespace txmath {

template <class T>
class ragged_view;

// A list of lists in two vectors (two allocations, not one a list): list k holds
// items[end(k - 1), end(k)). Lists read as spans, valid while the ragged is unchanged. The
// first `Lists` lists and `Items` items are held in place (a path of up to 8 operands
// allocates nothing), the rest on the heap.
template <class T, std::size_t Lists = 8, std::size_t Items = 16>
class ragged {
 public:
  using view = ragged_view<T>;  // consecutive lists of a ragged

  constexpr ragged() = default;
  constexpr ragged(std::initializer_list<std::initializer_list<T>> lists) {
    for (const auto& l : lists) push_back(l.begin(), l.end());
  }
  constexpr ragged(const std::vector<std::vector<T>>& lists) {  // implicit: the nested form
    for (const auto& l : lists) push_back(l.data(), l.data() + l.size());
  }

  constexpr std::size_t size() const { return ends_.size(); }
  constexpr bool empty() const { return ends_.empty(); }
  constexpr std::size_t offset(std::size_t k) const { return k ? ends_[k - 1] : 0; }  // items before list k
  constexpr std::span<const T> operator[](std::size_t k) const {
    return {items_.data() + offset(k), ends_[k] - offset(k)};
  }
  constexpr view lists(std::size_t first, std::size_t n) const { return {items_.data(), ends_.data(), first, n}; }
  constexpr view all() const { return lists(0, size()); }
  constexpr auto begin() const { return all().begin(); }
  constexpr auto end() const { return all().end(); }
  constexpr std::vector<std::vector<T>> nested() const {
    std::vector<std::vector<T>> r;
    for (auto l : *this) r.emplace_back(l.begin(), l.end());
    return r;
  }
  friend constexpr bool operator==(const ragged&, const ragged&) = default;

  constexpr void reserve(std::size_t lists, std::size_t items) {
    ends_.reserve(lists);
    items_.reserve(items);
  }
  constexpr void push_back(const T* first, const T* last) {
    items_.append(first, last);
    close();
  }
  constexpr void push_back(std::span<const T> l) { push_back(l.data(), l.data() + l.size()); }
  constexpr void add(const T& x) { items_.push_back(x); }  // to the list being built ...
  constexpr void close() { ends_.push_back(items_.size()); }  // ... which this ends

 private:
  detail::small_vector<T, Items> items_;
  detail::small_vector<std::size_t, Lists> ends_;
};

template <class T>
class ragged_view {
 public:
  using view = ragged_view;
  constexpr ragged_view(const T* items, const std::size_t* ends, std::size_t first, std::size_t n)
      : items_(items), ends_(ends), first_(first), n_(n) {}
  constexpr std::size_t size() const { return n_; }
  constexpr bool empty() const { return n_ == 0; }
  constexpr std::span<const T> operator[](std::size_t i) const {
    const std::size_t k = first_ + i, b = k ? ends_[k - 1] : 0;
    return {items_ + b, ends_[k] - b};
  }
  class iterator {  // holds its own copy of the view: ragged::begin() makes a temporary one
   public:
    constexpr iterator(const view& v, std::size_t i) : v_(v), i_(i) {}
    constexpr std::span<const T> operator*() const { return v_[i_]; }
    constexpr iterator& operator++() { return ++i_, *this; }
    constexpr bool operator==(const iterator& o) const { return i_ == o.i_; }

   private:
    view v_;
    std::size_t i_;
  };
  constexpr iterator begin() const { return {*this, 0}; }
  constexpr iterator end() const { return {*this, n_}; }

 private:
  const T* items_;
  const std::size_t* ends_;
  std::size_t first_, n_;
};

// A path in opt_einsum's linear form: step k contracts the operands at positions path[k] of
// the list as it stands, removes them and appends the result. Built from the nested form
// ({{1, 2}, {0, 1}} or a vector of vectors); path[k] is a span.
using linear_path = ragged<std::size_t>;

// One step of a path: a view into the path_info that made it, valid while that is unchanged.
template <class Cost = count>
struct contraction_step {
  std::span<const std::size_t> operands;  // positions in the current list, ascending
  ragged_view<std::uint32_t> terms;       // index ids of the operands, in opt_einsum's order
  std::span<const std::uint32_t> result;  // index ids of the result
  Cost flops{};                           // flop_count of the step
  Cost result_elements{};
  std::size_t scale = 0;                  // number of distinct indices in the step
  bool overflowed = false;                // flops or result_elements beyond a count (see path_info)
};

// The steps of a path, flat (a few allocations for the whole path, none up to 8 operands);
// steps[k] is a view.
template <class Cost = count>
struct step_list {
  ragged<std::size_t> operands;          // step k's operands, ascending
  ragged<std::uint32_t, 16, 48> terms;   // one list an operand: step k's are operands.offset(k) onwards
  ragged<std::uint32_t, 8, 32> results;
  struct costs_of_step {
    Cost flops{}, result_elements{};
    std::size_t scale = 0;
    bool overflowed = false;
  };
  detail::small_vector<costs_of_step, 8> costs;

  constexpr std::size_t size() const { return costs.size(); }
  constexpr bool empty() const { return costs.empty(); }
  constexpr contraction_step<Cost> operator[](std::size_t k) const {
    return {operands[k], terms.lists(operands.offset(k), operands[k].size()), results[k],
            costs[k].flops, costs[k].result_elements, costs[k].scale, costs[k].overflowed};
  }
  class iterator {
   public:
    constexpr iterator(const step_list* s, std::size_t k) : s_(s), k_(k) {}
    constexpr contraction_step<Cost> operator*() const { return (*s_)[k_]; }
    constexpr iterator& operator++() { return ++k_, *this; }
    constexpr bool operator==(const iterator& o) const { return k_ == o.k_; }

   private:
    const step_list* s_;
    std::size_t k_;
  };
  constexpr iterator begin() const { return {this, 0}; }
  constexpr iterator end() const { return {this, size()}; }
};

// opt_einsum's PathInfo.
template <class Cost = count>
struct path_info {
  detail::small_vector<char32_t, 16> labels;  // the letter of each index id
  linear_path path;
  step_list<Cost> steps;
  Cost naive_flops{};            // everything in one n-ary step (opt_einsum's naive_cost)
  Cost opt_flops{};              // sum of the steps
  Cost largest_intermediate{};   // elements of the largest step result (1 with no step)
  std::size_t max_scale = 0;
  // The figures beyond the range of a count (2^128 - 1), which then hold that value and are
  // not exact: the path is found and replayed all the same (a naive cost of a few hundred
  // tensors is easily beyond it, while the path's is small). Other cost types never overflow:
  // replay the path with log2_cost (or boost's cpp_int) for those figures.
  struct overflow_flags {
    bool naive_flops = false, opt_flops = false, largest_intermediate = false;
    bool steps = false;  // some step's flops or result_elements (see its `overflowed`)
    constexpr bool any() const { return naive_flops || opt_flops || largest_intermediate || steps; }
  } overflowed{};

  // The einsum of step i: "kl,jk->lj".
  std::string step_spec(std::size_t i) const {
    const auto s = steps[i];
    auto put = [&](std::span<const std::uint32_t> t) {
      std::string r;
      for (auto id : t) r += label_text(labels[id]);
      return r;
    };
    std::string out;
    for (std::size_t k = 0; k < s.terms.size(); ++k) {
      if (k) out += ',';  // (not "," + put(...): GCC 12 -O3 warns falsely on that insert)
      out += put(s.terms[k]);
    }
    return out + "->" + put(s.result);
  }
};

}  // namespace txmath

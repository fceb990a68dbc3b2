#pragma once
// The contraction tree the subset searches (dp, dp's small groups, optimal) build, and the one
// emitter that turns it into a path.
#include <txmath/einsum_path/problem.hpp>

namespace txmath {
namespace detail {

// Leaves are inputs, each optionally reduced first (a one-operand step over the indices only it
// carries); inner nodes join two subtrees. Node ids are positions, children before parents.
struct contraction_node {  // (outside the class: a nested class with defaults is not yet
                          // default-constructible where small_vector<node> is declared)
  int a = -1, b = -1;     // the joined subtrees (-1: a leaf)
  std::uint32_t leaf = 0;  // the input of a leaf
  bool reduce = false;     // a leaf reduced first
};
class contraction_tree {
 public:
  using node = contraction_node;

  [[nodiscard]] constexpr int leaf(std::uint32_t input, bool reduce) {
    nodes_.push_back({-1, -1, input, reduce});
    return static_cast<int>(nodes_.size() - 1);
  }
  [[nodiscard]] constexpr int join(int a, int b) {
    nodes_.push_back({a, b, 0, false});
    return static_cast<int>(nodes_.size() - 1);
  }
  [[nodiscard]] constexpr std::size_t size() const { return nodes_.size(); }
  constexpr void reserve(std::size_t n) { nodes_.reserve(n); }

  // Appends the steps of subtree `root` to `path` (a's steps, b's, then their join, as
  // opt_einsum's recursive emitters do) and returns the subtree's ssa id; `next` is the next
  // free ssa id. Iterative: a tree of outer products can be a thousand nodes deep.
  constexpr std::uint32_t emit(int root, ssa_path& path, std::uint32_t& next) const {
    struct frame {
      int id;
      bool joined;  // its children are emitted: join them
    };
    small_vector<frame, 16> todo{{root, false}};
    small_vector<std::uint32_t, 16> ids;  // the ssa ids of the subtrees emitted, innermost last
    while (!todo.empty()) {
      const frame f = todo.back();
      todo.pop_back();
      const node& nd = nodes_[static_cast<std::size_t>(f.id)];
      if (f.joined) {
        const std::uint32_t b = ids.back();
        ids.pop_back();
        const std::uint32_t a = ids.back();
        ids.back() = next;
        path.push_back({a, b});
        ++next;
      } else if (nd.a < 0) {
        if (nd.reduce) path.push_back({nd.leaf});
        ids.push_back(nd.reduce ? next++ : nd.leaf);
      } else {
        todo.push_back({f.id, true});
        todo.push_back({nd.b, false});
        todo.push_back({nd.a, false});
      }
    }
    return ids.back();
  }

  // Adds the tree of subset `s` (bit k: the k-th tensor of a group) given how each subset of
  // two or more splits (`first_part(s)`: one part, s ^ it the other) and the node of each
  // tensor (`leaf_of(k)`); returns its root. (Groups of at most 20 tensors: shallow.)
  template <class FirstPart, class LeafOf>
  [[nodiscard]] constexpr int add_split(std::uint64_t s, const FirstPart& first_part, const LeafOf& leaf_of) {
    if (!(s & (s - 1))) return leaf_of(static_cast<std::size_t>(std::countr_zero(s)));
    const std::uint64_t a = first_part(s);
    const int na = add_split(a, first_part, leaf_of);
    const int nb = add_split(s ^ a, first_part, leaf_of);
    return join(na, nb);
  }

 private:
  small_vector<node, 32> nodes_;  // (in place for a search of up to 8 operands)
};

}  // namespace detail
}  // namespace txmath

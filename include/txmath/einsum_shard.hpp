#pragma once
// An einsum sharded over a device mesh: per-device FLOPs and the collectives it needs, with
// the rules of the scaling book ("How to Scale Your Model", sharded matmuls):
//   1. an index sharded the same way in every operand that carries it stays sharded: free
//      dimensions shard the result, a summed index leaves partial sums -> AllReduce over its
//      axes (or ReduceScatter onto an output index, if asked);
//   2. an index sharded differently across operands (e.g. D_Y in A, unsharded in W) is first
//      AllGathered in the operands that shard it;
//   3. one mesh axis may shard only one index of the contraction: a later index on an axis
//      already used is AllGathered.
//
//   constexpr txmath::mesh m{{'X', 4}, {'Y', 8}, {'Z', 4}};
//   constexpr auto s = txmath::shard(txmath::einsum<"bd,df->bf">, sizes, m,
//                                    {{{'b', "X"}, {'d', "Y"}}, {{'d', "Y"}}});
//   s.flops (total), s.device_flops, s.collectives[0]: AllReduce over Y of O[B_X, F]
//
// Conventions: collective bytes are those of one device's array (the gathered result for an
// AllGather, the partial result for an AllReduce or ReduceScatter); bytes_sent is what a
// device sends around a ring: (n-1)/n of that for AllGather and ReduceScatter, 2(n-1)/n for
// AllReduce. Reduction FLOPs are the adds one device does in a ring ReduceScatter,
// (n-1)/n x its partial-result elements (the scaling book's worked answers round (n-1)/n to 1).
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/einsum.hpp>

TXMATH_DEFINE_ERROR(txmath_error_shard_unknown_mesh_axis, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_shard_axis_used_twice_in_one_operand, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_shard_index_not_in_operand, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_shard_mesh_axis_does_not_divide_index, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_shard_too_many_mesh_axes, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_shard_wrong_number_of_operand_shardings, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_shard_scatter_index_not_in_output, invalid_argument)

namespace txmath {

// A device mesh: named axes and their sizes, e.g. {{'X', 4}, {'Y', 8}, {'Z', 4}}.
struct mesh {
  static constexpr std::size_t max_axes = 8;
  struct axis {
    char name = 0;
    count size{};
  };
  axis axes[max_axes]{};
  std::size_t n_axes = 0;

  constexpr mesh() = default;
  constexpr mesh(std::initializer_list<axis> list) {
    if (list.size() > max_axes)
      TXMATH_FAIL(txmath_error_shard_too_many_mesh_axes, invalid_argument,
                  "txmath: a mesh has at most " + std::to_string(max_axes) + " axes");
    for (const auto& a : list) axes[n_axes++] = a;
  }
  constexpr int find(char name) const {
    for (std::size_t i = 0; i < n_axes; ++i)
      if (axes[i].name == name) return static_cast<int>(i);
    return -1;
  }
  constexpr count devices() const {
    count d = 1;
    for (std::size_t i = 0; i < n_axes; ++i) d *= axes[i].size;
    return d;
  }
  // Product of the sizes of the axes in a bitmask.
  constexpr count size_of(std::uint32_t mask) const {
    count d = 1;
    for (std::size_t i = 0; i < n_axes; ++i)
      if ((mask >> i) & 1u) d *= axes[i].size;
    return d;
  }
  std::string names(std::uint32_t mask) const {
    std::string s;
    for (std::size_t i = 0; i < n_axes; ++i)
      if ((mask >> i) & 1u) s += axes[i].name;
    return s;
  }
};

// How one operand is sharded: which mesh axes shard which of its indices, e.g.
// {{'b', "X"}, {'d', "Y"}} for A[B_X, D_Y]; "XY" shards one index over two axes.
struct operand_sharding {
  struct entry {
    char32_t index;
    std::string_view axes;
  };
  static constexpr std::size_t capacity = einsum_spec::max_rank;
  entry e[capacity]{};
  std::size_t n = 0;
  constexpr operand_sharding() = default;
  constexpr operand_sharding(std::initializer_list<entry> list) {
    for (const auto& x : list)
      if (n < capacity) e[n++] = x;
  }
};

enum class collective_kind { all_gather, all_reduce, reduce_scatter };
constexpr std::string_view name_of(collective_kind k) {
  switch (k) {
    case collective_kind::all_gather: return "AllGather";
    case collective_kind::all_reduce: return "AllReduce";
    case collective_kind::reduce_scatter: return "ReduceScatter";
  }
  return "?";
}

struct collective {
  collective_kind kind{};
  std::uint32_t axes = 0;               // mesh axes it runs over (bitmask)
  std::size_t operand = 0;              // input gathered (AllGather), or the output
  char32_t index = 0;                   // index gathered or scattered (0: none)
  txmath::bytes bytes{};                // one device's array (see the header comment)
  txmath::bytes bytes_sent{};           // sent by one device on a ring
  txmath::flops flops{};                // adds per device (AllReduce, ReduceScatter)
};

struct sharded_cost {
  static constexpr std::size_t max_collectives = 2 * einsum_spec::max_operands + 1;
  txmath::flops flops{};            // the whole einsum, on one device
  txmath::flops device_flops{};     // the local einsum on each device
  collective collectives[max_collectives]{};
  std::size_t n_collectives = 0;
  std::uint32_t output_axes[einsum_spec::max_rank]{};  // sharding of each output index
  std::uint32_t unreduced_axes = 0;  // partial sums over these axes (before the AllReduce)

  // Per device: the local einsum and the adds of the reductions.
  constexpr txmath::flops device_total_flops() const {
    txmath::flops f = device_flops;
    for (std::size_t i = 0; i < n_collectives; ++i) f += collectives[i].flops;
    return f;
  }
};

struct shard_options {
  einsum_dtypes types{};
  char32_t scatter_onto = 0;  // ReduceScatter partial sums onto this output index (0: AllReduce)
};

namespace detail {
// Ring traffic of one device: (n-1)/n of the array, twice for an AllReduce.
constexpr txmath::bytes ring_bytes(txmath::bytes array, count n, unsigned passes) {
  return txmath::bytes(ceil_div(array.value() * (n - 1) * count(passes), n));
}

// One sharded einsum worked out in the order of the rules: each operand's sharding, the
// sharding each index keeps, the gathers that brings, the local einsum and its reduction.
class shard_planner {
 public:
  constexpr shard_planner(const einsum_spec& spec, const index_sizes& sizes, const mesh& m,
                          const shard_options& opt)
      : spec_(spec), b_(bind_sizes(spec, sizes)), m_(m), opt_(opt) {}

  constexpr sharded_cost run(std::initializer_list<operand_sharding> shardings) {
    read_shardings(shardings);
    choose_targets();
    local_sizes();
    add_gathers();
    local_einsum();
    reduce();
    return r_;
  }

 private:
  const einsum_spec& spec_;
  bound_sizes b_;
  const mesh& m_;
  const shard_options& opt_;
  sharded_cost r_;
  std::uint32_t axes_[einsum_spec::max_operands][einsum_spec::max_indices]{};  // [k][id]: axes sharding id in operand k
  std::uint32_t target_[einsum_spec::max_indices]{};  // the sharding index id keeps
  bool gather_[einsum_spec::max_operands][einsum_spec::max_indices]{};
  count local_[einsum_spec::max_indices]{};  // local sizes after the gathers
  count out_local_ = 1;

  constexpr void add(const collective& c) { r_.collectives[r_.n_collectives++] = c; }

  constexpr void read_shardings(std::initializer_list<operand_sharding> shardings) {
    if (shardings.size() != spec_.n_inputs)
      TXMATH_FAIL(txmath_error_shard_wrong_number_of_operand_shardings, invalid_argument,
                  "txmath: einsum '" + spec_.str() + "' has " + std::to_string(spec_.n_inputs) +
                      " operands but " + std::to_string(shardings.size()) + " shardings were given");
    std::size_t k = 0;
    for (const auto& s : shardings) read_operand(k++, s);
  }

  constexpr void read_operand(std::size_t k, const operand_sharding& s) {
    std::uint32_t used = 0;
    for (std::size_t i = 0; i < s.n; ++i) {
      const int id = spec_.id_of(s.e[i].index);
      if (id < 0 || !einsum_spec::has(spec_.inputs[k], static_cast<std::uint8_t>(id)))
        TXMATH_FAIL(txmath_error_shard_index_not_in_operand, invalid_argument,
                    "txmath: einsum '" + spec_.str() + "': operand " + std::to_string(k) +
                        " has no index '" + label_text(s.e[i].index) + "' to shard");
      for (char a : s.e[i].axes) {
        const int ax = m_.find(a);
        if (ax < 0)
          TXMATH_FAIL(txmath_error_shard_unknown_mesh_axis, invalid_argument,
                      "txmath: mesh axis '" + std::string(1, a) + "' is not in the mesh (axes: " +
                          m_.names(~0u) + ")");
        const std::uint32_t bit = std::uint32_t{1} << ax;
        if (used & bit)
          TXMATH_FAIL(txmath_error_shard_axis_used_twice_in_one_operand, invalid_argument,
                      "txmath: einsum '" + spec_.str() + "': operand " + std::to_string(k) +
                          " uses mesh axis '" + std::string(1, a) + "' twice");
        used |= bit;
        axes_[k][id] |= bit;
      }
    }
  }

  // Rule 2 (operands that agree keep their sharding) then rule 3 (an axis shards one index).
  constexpr void choose_targets() {
    std::uint32_t taken = 0;
    for (std::uint8_t id = 0; id < spec_.n_labels; ++id) {
      bool first = true, agree = true;
      std::uint32_t mask = 0;
      for (std::size_t j = 0; j < spec_.n_inputs; ++j) {
        if (!einsum_spec::has(spec_.inputs[j], id)) continue;
        if (first) mask = axes_[j][id];
        else if (axes_[j][id] != mask) agree = false;
        first = false;
      }
      std::uint32_t t = agree ? mask : 0;
      if (t & taken) t = 0;  // rule 3
      taken |= t;
      target_[id] = t;
      for (std::size_t j = 0; j < spec_.n_inputs; ++j)
        if (einsum_spec::has(spec_.inputs[j], id) && axes_[j][id] != t) gather_[j][id] = true;
    }
  }

  constexpr void local_sizes() {
    for (std::uint8_t id = 0; id < spec_.n_labels; ++id) {
      const count n = m_.size_of(target_[id]);
      if (b_[id] % n != 0)
        TXMATH_FAIL(txmath_error_shard_mesh_axis_does_not_divide_index, invalid_argument,
                    "txmath: index '" + label_text(spec_.labels[id]) + "' of size " +
                        b_[id].to_string() + " is not divisible by mesh axes " + m_.names(target_[id]) +
                        " (" + n.to_string() + " devices)");
      local_[id] = b_[id] / n;
    }
  }

  // AllGathers, one per operand and index: the array after the gather, on one device.
  constexpr void add_gathers() {
    for (std::size_t j = 0; j < spec_.n_inputs; ++j)
      for (std::uint8_t id = 0; id < spec_.n_labels; ++id) {
        if (!gather_[j][id]) continue;
        const std::uint32_t over = axes_[j][id] & ~target_[id];
        count elems = 1;
        for (std::uint8_t i = 0; i < spec_.inputs[j].rank; ++i) {
          const std::uint8_t d = spec_.inputs[j].index[i];
          // After this gather: index id at its target; others still as sharded in operand j.
          elems *= d == id ? local_[d] : b_[d] / m_.size_of(axes_[j][d]);
        }
        const txmath::bytes arr = bytes_of(elems, opt_.types.inputs[j]);
        add({collective_kind::all_gather, over, j, spec_.labels[id], arr,
             detail::ring_bytes(arr, m_.size_of(over), 1), txmath::flops{}});
      }
  }

  constexpr void local_einsum() {
    bool inner = false;
    count global = 1, local_prod = 1;
    for (std::uint8_t id = 0; id < spec_.n_labels; ++id) {
      global *= b_[id];
      local_prod *= local_[id];
      if (!einsum_spec::has(spec_.output, id)) {
        inner = true;
        r_.unreduced_axes |= target_[id];
      }
    }
    r_.flops = txmath::flops(detail::flop_count(global, spec_.n_inputs, inner));
    r_.device_flops = txmath::flops(detail::flop_count(local_prod, spec_.n_inputs, inner));
    for (std::uint8_t i = 0; i < spec_.output.rank; ++i) {
      const std::uint8_t id = spec_.output.index[i];
      r_.output_axes[i] = target_[id];
      out_local_ *= local_[id];
    }
  }

  // Partial sums over the unreduced axes: an AllReduce, or a ReduceScatter onto an index.
  constexpr void reduce() {
    if (!r_.unreduced_axes) return;
    const count n = m_.size_of(r_.unreduced_axes);
    const txmath::bytes arr = bytes_of(out_local_, opt_.types.output);
    const txmath::flops adds(ceil_div(out_local_ * (n - 1), n));
    if (opt_.scatter_onto == 0) {
      add({collective_kind::all_reduce, r_.unreduced_axes, spec_.n_inputs, 0, arr,
           detail::ring_bytes(arr, n, 2), adds});
      return;
    }
    const int id = spec_.id_of(opt_.scatter_onto);
    std::size_t at = einsum_spec::max_rank;
    for (std::uint8_t i = 0; i < spec_.output.rank; ++i)
      if (id >= 0 && spec_.output.index[i] == id) at = i;
    if (at == einsum_spec::max_rank)
      TXMATH_FAIL(txmath_error_shard_scatter_index_not_in_output, invalid_argument,
                  "txmath: einsum '" + spec_.str() + "': cannot ReduceScatter onto '" +
                      label_text(opt_.scatter_onto) + "', which is not an output index");
    add({collective_kind::reduce_scatter, r_.unreduced_axes, spec_.n_inputs, opt_.scatter_onto, arr,
         detail::ring_bytes(arr, n, 1), adds});
    r_.output_axes[at] |= r_.unreduced_axes;
  }
};
}  // namespace detail

constexpr sharded_cost shard(const einsum_spec& spec, const index_sizes& sizes, const mesh& m,
                             std::initializer_list<operand_sharding> shardings,
                             const shard_options& opt = {}) {
  return detail::shard_planner(spec, sizes, m, opt).run(shardings);
}

}  // namespace txmath

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
}  // namespace detail

constexpr sharded_cost shard(const einsum_spec& spec, const index_sizes& sizes, const mesh& m,
                             std::initializer_list<operand_sharding> shardings,
                             const shard_options& opt = {}) {
  const bound_sizes b = bind_sizes(spec, sizes);
  if (shardings.size() != spec.n_inputs)
    TXMATH_FAIL(txmath_error_shard_wrong_number_of_operand_shardings, invalid_argument,
                "txmath: einsum '" + spec.str() + "' has " + std::to_string(spec.n_inputs) +
                    " operands but " + std::to_string(shardings.size()) + " shardings were given");
  // axes[k][id]: mesh axes sharding index id in operand k.
  std::uint32_t axes[einsum_spec::max_operands][einsum_spec::max_indices]{};
  std::size_t k = 0;
  for (const auto& s : shardings) {
    std::uint32_t used = 0;
    for (std::size_t i = 0; i < s.n; ++i) {
      const int id = spec.id_of(s.e[i].index);
      if (id < 0 || !einsum_spec::has(spec.inputs[k], static_cast<std::uint8_t>(id)))
        TXMATH_FAIL(txmath_error_shard_index_not_in_operand, invalid_argument,
                    "txmath: einsum '" + spec.str() + "': operand " + std::to_string(k) +
                        " has no index '" + detail::label_text(s.e[i].index) + "' to shard");
      for (char a : s.e[i].axes) {
        const int ax = m.find(a);
        if (ax < 0)
          TXMATH_FAIL(txmath_error_shard_unknown_mesh_axis, invalid_argument,
                      "txmath: mesh axis '" + std::string(1, a) + "' is not in the mesh (axes: " +
                          m.names(~0u) + ")");
        const std::uint32_t bit = std::uint32_t{1} << ax;
        if (used & bit)
          TXMATH_FAIL(txmath_error_shard_axis_used_twice_in_one_operand, invalid_argument,
                      "txmath: einsum '" + spec.str() + "': operand " + std::to_string(k) +
                          " uses mesh axis '" + std::string(1, a) + "' twice");
        used |= bit;
        axes[k][id] |= bit;
      }
    }
    ++k;
  }

  sharded_cost r;
  auto add = [&](const collective& c) { r.collectives[r.n_collectives++] = c; };
  auto dtype_of = [&](std::size_t operand) { return opt.types.inputs[operand]; };
  // Rule 2 then rule 3: the sharding each index keeps.
  std::uint32_t target[einsum_spec::max_indices]{};
  std::uint32_t taken = 0;
  bool gather[einsum_spec::max_operands][einsum_spec::max_indices]{};
  for (std::uint8_t id = 0; id < spec.n_labels; ++id) {
    bool first = true, agree = true;
    std::uint32_t mask = 0;
    for (std::size_t j = 0; j < spec.n_inputs; ++j) {
      if (!einsum_spec::has(spec.inputs[j], id)) continue;
      if (first) mask = axes[j][id];
      else if (axes[j][id] != mask) agree = false;
      first = false;
    }
    std::uint32_t t = agree ? mask : 0;
    if (t & taken) t = 0;  // rule 3
    taken |= t;
    target[id] = t;
    for (std::size_t j = 0; j < spec.n_inputs; ++j)
      if (einsum_spec::has(spec.inputs[j], id) && axes[j][id] != t) gather[j][id] = true;
  }
  // Local sizes after the gathers.
  count local[einsum_spec::max_indices]{};
  for (std::uint8_t id = 0; id < spec.n_labels; ++id) {
    const count n = m.size_of(target[id]);
    if (b[id] % n != 0)
      TXMATH_FAIL(txmath_error_shard_mesh_axis_does_not_divide_index, invalid_argument,
                  "txmath: index '" + detail::label_text(spec.labels[id]) + "' of size " +
                      b[id].to_string() + " is not divisible by mesh axes " + m.names(target[id]) +
                      " (" + n.to_string() + " devices)");
    local[id] = b[id] / n;
  }
  // AllGathers, one per operand and index: the array after the gather, on one device.
  for (std::size_t j = 0; j < spec.n_inputs; ++j)
    for (std::uint8_t id = 0; id < spec.n_labels; ++id) {
      if (!gather[j][id]) continue;
      const std::uint32_t over = axes[j][id] & ~target[id];
      count elems = 1;
      for (std::uint8_t i = 0; i < spec.inputs[j].rank; ++i) {
        const std::uint8_t d = spec.inputs[j].index[i];
        // After this gather: index id at its target; others still as sharded in operand j.
        elems *= d == id ? local[d] : b[d] / m.size_of(axes[j][d]);
      }
      const txmath::bytes arr = bytes_of(elems, dtype_of(j));
      add({collective_kind::all_gather, over, j, spec.labels[id], arr,
           detail::ring_bytes(arr, m.size_of(over), 1), txmath::flops{}});
    }

  // The local einsum.
  bool inner = false;
  count global = 1, local_prod = 1;
  for (std::uint8_t id = 0; id < spec.n_labels; ++id) {
    global *= b[id];
    local_prod *= local[id];
    if (!einsum_spec::has(spec.output, id)) {
      inner = true;
      r.unreduced_axes |= target[id];
    }
  }
  r.flops = txmath::flops(detail::flop_count(global, spec.n_inputs, inner));
  r.device_flops = txmath::flops(detail::flop_count(local_prod, spec.n_inputs, inner));
  count out_local = 1;
  for (std::uint8_t i = 0; i < spec.output.rank; ++i) {
    const std::uint8_t id = spec.output.index[i];
    r.output_axes[i] = target[id];
    out_local *= local[id];
  }
  if (r.unreduced_axes) {
    const count n = m.size_of(r.unreduced_axes);
    const txmath::bytes arr = bytes_of(out_local, opt.types.output);
    const txmath::flops adds(ceil_div(out_local * (n - 1), n));
    if (opt.scatter_onto != 0) {
      const int id = spec.id_of(opt.scatter_onto);
      std::size_t at = einsum_spec::max_rank;
      for (std::uint8_t i = 0; i < spec.output.rank; ++i)
        if (id >= 0 && spec.output.index[i] == id) at = i;
      if (at == einsum_spec::max_rank)
        TXMATH_FAIL(txmath_error_shard_scatter_index_not_in_output, invalid_argument,
                    "txmath: einsum '" + spec.str() + "': cannot ReduceScatter onto '" +
                        detail::label_text(opt.scatter_onto) + "', which is not an output index");
      add({collective_kind::reduce_scatter, r.unreduced_axes, spec.n_inputs, opt.scatter_onto, arr,
           detail::ring_bytes(arr, n, 1), adds});
      r.output_axes[at] |= r.unreduced_axes;
    } else {
      add({collective_kind::all_reduce, r.unreduced_axes, spec.n_inputs, 0, arr,
           detail::ring_bytes(arr, n, 2), adds});
    }
  }
  return r;
}

}  // namespace txmath

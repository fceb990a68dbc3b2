#pragma once
// Memory of weights and of training state: bytes per parameter by dtype and by quantization
// format, the mixed-precision Adam recipes, and ZeRO / distributed-optimizer sharding over
// data-parallel ranks. (Activations: <txmath/activations.hpp>; KV cache: <txmath/kv_cache.hpp>.)
//
//   txmath::weight_bytes(txmath::params(8'030'261'248), txmath::dtype::bf16)   // 16,060,522,496 B
//   txmath::training_state_bytes(n, txmath::training_precisions::mixed_bf16_adam,
//                                txmath::sharding::zero2, 64).total()
//
// Bytes per parameter of Adam training (the default is the ZeRO paper's accounting, 16):
//   mixed_bf16_adam              2 bf16 weights + 2 bf16 grads + 4 fp32 master + 8 fp32 m, v = 16
//   mixed_bf16_adam_fp32_grads   2 + 4 fp32 grads + 4 + 8                                    = 18
//   megatron_fp16_adam           2 + 2 fp16 grads + 4 fp32 master + 4 fp32 main grads + 8    = 20
//   fp32_adam                    4 fp32 weights + 4 fp32 grads + 8 (no master copy)          = 16
// The last three are the rows of Megatron-LM's distributed-optimizer table (18, 20, 16).
#include <cstdint>
#include <string>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>

TXMATH_DEFINE_ERROR(txmath_error_data_parallel_size_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_quantization_scale_group_needs_a_group_size, invalid_argument)

namespace txmath {

// Bytes per parameter, exact: params * byte_per_param is bytes.
using byte_per_param = quantity<dim<0, 1, -1, 0, 0>>;

// ---- weights ---------------------------------------------------------------------------

// How weights are stored. Plain dtypes have group_size 0. Group quantization (GPTQ, AWQ,
// bitsandbytes NF4) stores one `scale` per `group_size` weights, optionally a zero point
// per group, and optionally quantizes the scales themselves in groups of
// `scale_group_size` with one `scale_scale` each (QLoRA's double quantization).
struct weight_format {
  dtype element = dtype::bf16;
  std::uint64_t group_size = 0;        // weights per scale; 0: no scales (plain dtype)
  dtype scale = dtype::fp16;
  bool zero_point = false;             // asymmetric quantization: a zero point per group
  dtype zero = dtype::int4;            // its storage type (GPTQ packs 4-bit zeros)
  std::uint64_t scale_group_size = 0;  // scales per second-level scale; 0: none
  dtype scale_scale = dtype::fp32;
};

namespace weight_formats {
inline constexpr weight_format fp32{.element = dtype::fp32};
inline constexpr weight_format bf16{.element = dtype::bf16};
inline constexpr weight_format fp16{.element = dtype::fp16};
inline constexpr weight_format fp8{.element = dtype::fp8};    // one per-tensor scale: ignored
inline constexpr weight_format int8{.element = dtype::int8};  // per-tensor scale: ignored
// int4, symmetric, one fp16 scale per 128 weights (AWQ/GPTQ "g128" without zeros): 4.125 bits.
inline constexpr weight_format int4_g128{.element = dtype::int4, .group_size = 128};
// GPTQ int4 g128 with a packed 4-bit zero point per group: 4 + 16/128 + 4/128 = 4.15625 bits.
inline constexpr weight_format gptq_int4_g128{.element = dtype::int4, .group_size = 128,
                                              .zero_point = true};
// bitsandbytes NF4 (QLoRA): blocks of 64 with an fp32 absmax: 4.5 bits.
inline constexpr weight_format nf4{.element = dtype::int4, .group_size = 64, .scale = dtype::fp32};
// NF4 with double quantization: 8-bit absmax, one fp32 per 256 of them: 4 + 0.127 bits.
inline constexpr weight_format nf4_double_quant{.element = dtype::int4, .group_size = 64,
                                                .scale = dtype::fp8, .scale_group_size = 256};
}  // namespace weight_formats

// Bytes of n weights stored as t (rounded up to whole bytes).
constexpr bytes weight_bytes(params n, dtype t) { return bytes_of(n.value(), t); }

// Bytes of n weights in format f: elements, then scales, zero points and second-level
// scales, each array rounded up to whole bytes; a partial last group still has its scale.
constexpr bytes weight_bytes(params n, const weight_format& f) {
  bytes b = bytes_of(n.value(), f.element);
  if (f.group_size == 0) {
    if (f.scale_group_size != 0)
      TXMATH_FAIL(txmath_error_quantization_scale_group_needs_a_group_size, invalid_argument,
                  "txmath: weight_format.scale_group_size = " + std::to_string(f.scale_group_size) +
                      " needs group_size > 0 (scales to quantize)");
    return b;
  }
  const count groups = ceil_div(n.value(), f.group_size);
  b += bytes_of(groups, f.scale);
  if (f.zero_point) b += bytes_of(groups, f.zero);
  if (f.scale_group_size != 0) b += bytes_of(ceil_div(groups, f.scale_group_size), f.scale_scale);
  return b;
}

// Bytes of a whole model's weights: its exact parameter count (params.hpp) stored as t or f.
constexpr bytes weight_bytes(const model_config& m, dtype t) { return weight_bytes(param_count(m).total, t); }
constexpr bytes weight_bytes(const model_config& m, const weight_format& f) {
  return weight_bytes(param_count(m).total, f);
}

// Average storage bits per weight of format f when n is large (what papers quote: 4.5 for NF4).
constexpr double bits_per_weight(const weight_format& f) {
  double bits = bits_of(f.element);
  if (f.group_size == 0) return bits;
  const double g = static_cast<double>(f.group_size);
  bits += bits_of(f.scale) / g;
  if (f.zero_point) bits += bits_of(f.zero) / g;
  if (f.scale_group_size != 0) bits += bits_of(f.scale_scale) / (g * static_cast<double>(f.scale_group_size));
  return bits;
}

// ---- training state --------------------------------------------------------------------

// What training keeps per parameter besides activations.
struct training_precision {
  dtype weights = dtype::bf16;        // the model's copy, used by forward and backward
  dtype gradients = dtype::bf16;      // the gradient buffer the backward pass fills
  bool master_weights = true;         // an fp32 copy of the weights the optimizer updates
  bool master_gradients = false;      // an fp32 copy of the gradients (Megatron, fp16 params)
  std::uint64_t optimizer_states = 2; // Adam: m and v (SGD with momentum: 1)
  dtype optimizer_state = dtype::fp32;
};

namespace training_precisions {
// 16 B/param: ZeRO paper (Rajbhandari et al. 2019) "2 + 2 + K, K = 12". The default.
inline constexpr training_precision mixed_bf16_adam{};
// 18 B/param: gradients accumulated in fp32 (Megatron-LM "bf16 param, fp32 grads").
inline constexpr training_precision mixed_bf16_adam_fp32_grads{.gradients = dtype::fp32};
// 20 B/param: Megatron-LM "fp16 param, fp16 grads" (fp32 main params and main grads).
inline constexpr training_precision megatron_fp16_adam{
    .weights = dtype::fp16, .gradients = dtype::fp16, .master_gradients = true};
// 16 B/param: plain fp32 training (Megatron-LM "fp32 param, fp32 grads").
inline constexpr training_precision fp32_adam{
    .weights = dtype::fp32, .gradients = dtype::fp32, .master_weights = false};
}  // namespace training_precisions

// Which training state is split over the data-parallel ranks.
enum class sharding : std::uint8_t {
  none,
  zero1,  // optimizer states (and fp32 master weights and main gradients)
  zero2,  // + gradients
  zero3,  // + weights (FSDP "full shard")
  // Megatron-LM's distributed optimizer: shards what ZeRO-1 shards (fp32 master weights,
  // main gradients, Adam moments), keeps the full gradient and weight buffers.
  distributed_optimizer,
};

// Bytes of each part of the training state held by one data-parallel rank.
struct training_state {
  txmath::bytes weights{};
  txmath::bytes gradients{};
  txmath::bytes master_weights{};
  txmath::bytes master_gradients{};
  txmath::bytes optimizer{};  // Adam m and v
  constexpr txmath::bytes total() const {
    return weights + gradients + master_weights + master_gradients + optimizer;
  }
};

// Bytes per parameter of a recipe, unsharded: 16, 18, 20, ...
constexpr byte_per_param bytes_per_param(const training_precision& p) {
  count bits = count(bits_of(p.weights)) + count(bits_of(p.gradients)) +
               count(p.optimizer_states) * count(bits_of(p.optimizer_state));
  if (p.master_weights) bits += 32;
  if (p.master_gradients) bits += 32;
  return byte_per_param(ceil_div(bits, 8));
}

// The training state of n parameters on one of `dp` data-parallel ranks. A sharded part
// holds ceil(n / dp) parameters' worth (the largest shard).
constexpr training_state training_state_bytes(params n, const training_precision& p = {},
                                              sharding s = sharding::none, count dp = 1) {
  if (dp == 0)
    TXMATH_FAIL(txmath_error_data_parallel_size_must_be_positive, invalid_argument,
                "txmath: data-parallel size must be positive, got 0");
  const count shard = ceil_div(n.value(), dp);
  const bool shard_optimizer = s != sharding::none;
  const bool shard_gradients = s == sharding::zero2 || s == sharding::zero3;
  const bool shard_weights = s == sharding::zero3;
  const count n_opt = shard_optimizer ? shard : n.value();
  training_state t;
  t.weights = bytes_of(shard_weights ? shard : n.value(), p.weights);
  t.gradients = bytes_of(shard_gradients ? shard : n.value(), p.gradients);
  if (p.master_weights) t.master_weights = bytes_of(n_opt, dtype::fp32);
  if (p.master_gradients) t.master_gradients = bytes_of(n_opt, dtype::fp32);
  t.optimizer = bytes_of(n_opt * count(p.optimizer_states), p.optimizer_state);
  return t;
}

}  // namespace txmath

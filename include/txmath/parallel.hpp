#pragma once
// Parallelism: what one device holds, computes and sends per training step under data (DP),
// tensor (TP), pipeline (PP), expert (EP) and sequence (SP) parallelism.
//
// Conventions (Megatron-LM's):
// - devices = dp * tp * pp; expert parallelism is carved out of the data-parallel ranks
//   (ep divides dp), so it shards the experts but adds no devices.
// - Non-expert parameters split over tp * pp; expert parameters over ep * tp * pp.
// - Collectives are ring algorithms; bytes are what ONE device sends. For a buffer of B
//   bytes over n ranks: reduce-scatter and all-gather send (n-1) * ceil(B/n), all-reduce
//   twice that, all-to-all (n-1) * ceil(B/n).
// - Pipeline bubble: the idle fraction of a 1F1B / GPipe schedule, (p-1)/(m+p-1) with m
//   micro-batches (GPipe paper); with v interleaved stages per device (p-1)/(v*m+p-1).
//   Megatron's paper quotes bubble time over ideal time, (p-1)/(v*m): see
//   pipeline_bubble_overhead.
#include <cstdint>
#include <string>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/memory.hpp>

TXMATH_DEFINE_ERROR(txmath_error_parallel_sizes_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_expert_parallel_size_must_divide_data_parallel_size, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_pipeline_needs_at_least_one_micro_batch, invalid_argument)

namespace txmath {

struct parallelism {
  count dp = 1;  // data-parallel replicas (ZeRO shards over these)
  count tp = 1;  // tensor-parallel ranks
  count pp = 1;  // pipeline stages
  count ep = 1;  // expert-parallel ranks, within dp
  bool sequence_parallel = false;  // Megatron SP: along with TP, shards the non-TP regions

  constexpr count devices() const { return dp * tp * pp; }
};

constexpr const parallelism& validate(const parallelism& p) {
  if (p.dp == 0 || p.tp == 0 || p.pp == 0 || p.ep == 0)
    TXMATH_FAIL(txmath_error_parallel_sizes_must_be_positive, invalid_argument,
                "txmath: dp, tp, pp and ep must be positive, got dp = " + p.dp.to_string() +
                    ", tp = " + p.tp.to_string() + ", pp = " + p.pp.to_string() + ", ep = " + p.ep.to_string());
  if (p.dp % p.ep != 0)
    TXMATH_FAIL(txmath_error_expert_parallel_size_must_divide_data_parallel_size, invalid_argument,
                "txmath: ep = " + p.ep.to_string() + " must divide dp = " + p.dp.to_string() +
                    " (expert parallelism uses the data-parallel ranks)");
  return p;
}

// ---- what one device holds and computes -----------------------------------------------

// Parameters on one device: the largest shard, ceil(dense / (tp pp)) + ceil(expert / (ep tp pp)).
constexpr params params_per_device(params dense, params expert, const parallelism& p) {
  validate(p);
  return params(ceil_div(dense.value(), p.tp * p.pp) + ceil_div(expert.value(), p.ep * p.tp * p.pp));
}

// Training state on one device: its parameters, with ZeRO sharding over the data-parallel
// ranks. (Expert parameters are replicated over dp / ep ranks only; this treats all of them
// as sharded over dp, which ZeRO does for non-expert parameters and is exact when ep = 1.)
constexpr training_state training_state_per_device(params dense, params expert, const parallelism& p,
                                                   const training_precision& prec = {},
                                                   sharding s = sharding::none) {
  return training_state_bytes(params_per_device(dense, expert, p), prec, s, p.dp);
}

// Ideal FLOPs per device: the total split evenly over all devices.
constexpr quantity<dims::flop, double> flops_per_device(flops total, const parallelism& p) {
  validate(p);
  return total / p.devices().to_double();
}

// ---- pipeline bubble -------------------------------------------------------------------

// Idle fraction of the step: (p-1) / (v*m + p-1).
constexpr double pipeline_bubble_fraction(count stages, count micro_batches, count interleave = 1) {
  if (micro_batches == 0 || stages == 0 || interleave == 0)
    TXMATH_FAIL(txmath_error_pipeline_needs_at_least_one_micro_batch, invalid_argument,
                "txmath: pipeline stages, micro-batches and interleave must be positive");
  const double idle = (stages - 1).to_double();
  return idle / ((interleave * micro_batches).to_double() + idle);
}
// Bubble time over ideal time (Narayanan et al. 2021): (p-1) / (v*m).
constexpr double pipeline_bubble_overhead(count stages, count micro_batches, count interleave = 1) {
  if (micro_batches == 0 || stages == 0 || interleave == 0)
    TXMATH_FAIL(txmath_error_pipeline_needs_at_least_one_micro_batch, invalid_argument,
                "txmath: pipeline stages, micro-batches and interleave must be positive");
  return (stages - 1).to_double() / (interleave * micro_batches).to_double();
}

// ---- collectives (ring), bytes one device sends ----------------------------------------

constexpr bytes reduce_scatter_bytes(bytes buffer, count ranks) {
  if (ranks <= 1) return bytes(0);
  return bytes((ranks - 1) * ceil_div(buffer.value(), ranks));
}
constexpr bytes all_gather_bytes(bytes buffer, count ranks) { return reduce_scatter_bytes(buffer, ranks); }
constexpr bytes all_reduce_bytes(bytes buffer, count ranks) { return reduce_scatter_bytes(buffer, ranks) * 2; }
// `buffer` is what one device holds before the exchange; it keeps 1/ranks of it.
constexpr bytes all_to_all_bytes(bytes buffer, count ranks) { return reduce_scatter_bytes(buffer, ranks); }

// ---- communication per training step, per device ---------------------------------------

// Data parallel: gradients of the device's n parameters. Plain DP all-reduces them; ZeRO-1,
// ZeRO-2 and the distributed optimizer reduce-scatter the gradients and all-gather the
// updated weights; ZeRO-3 also all-gathers the weights a second time for the backward pass
// (ZeRO paper: 2x, 2x, 3x the parameter count).
constexpr bytes data_parallel_bytes(params n, count dp, const training_precision& prec = {},
                                    sharding s = sharding::none) {
  const bytes grads = bytes_of(n.value(), prec.gradients);
  const bytes weights = bytes_of(n.value(), prec.weights);
  switch (s) {
    case sharding::none: return all_reduce_bytes(grads, dp);
    case sharding::zero1:
    case sharding::zero2:
    case sharding::distributed_optimizer:
      return reduce_scatter_bytes(grads, dp) + all_gather_bytes(weights, dp);
    case sharding::zero3:
      return reduce_scatter_bytes(grads, dp) + all_gather_bytes(weights, dp) * 2;
  }
  return bytes(0);
}

// Tensor parallel (Megatron): per layer and micro-batch, two all-reduces of the [s, b, h]
// activations forward (after attention and after the MLP) and two backward. Sequence
// parallelism turns each all-reduce into a reduce-scatter plus an all-gather: the same bytes.
constexpr bytes tensor_parallel_bytes(count seq, count micro_batch, count d_model, count n_layers,
                                      count micro_batches, count tp, dtype activations = dtype::bf16) {
  const bytes one = bytes_of(seq * micro_batch * d_model, activations);
  return all_reduce_bytes(one, tp) * (count(4) * n_layers * micro_batches);
}

// Pipeline parallel: an interior stage sends the [s, b, h] activations forward and their
// gradients backward once per micro-batch. (With TP, Megatron's scatter-gather
// optimisation sends 1/tp of this from each TP rank; pass d_model / tp for that.)
constexpr bytes pipeline_parallel_bytes(count seq, count micro_batch, count d_model,
                                        count micro_batches, dtype activations = dtype::bf16) {
  return bytes_of(seq * micro_batch * d_model, activations) * (count(2) * micro_batches);
}

// Expert parallel: per MoE layer an all-to-all dispatches each token's top_k copies of its
// hidden state to the experts and one combines them back; the backward pass does both
// again. `n_tokens` is what the device processes per step.
constexpr bytes expert_parallel_bytes(count n_tokens, count top_k, count d_model, count n_moe_layers,
                                      count ep, dtype activations = dtype::bf16) {
  const bytes one = bytes_of(n_tokens * top_k * d_model, activations);
  return all_to_all_bytes(one, ep) * (count(4) * n_moe_layers);
}

}  // namespace txmath

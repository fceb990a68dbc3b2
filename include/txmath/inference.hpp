#pragma once
// Inference on one GPU or a tensor-parallel group: does the model fit, the smallest
// tensor-parallel degree that does, and the roofline time and tokens per second of a
// prefill and of a decode step there.
//
//   const auto a = txmath::inference(txmath::presets::llama_3_8b, txmath::accelerators::h100_sxm,
//                                    {.context = 4096, .batch = 8});
//   a.fits_one_gpu, a.min_tp_that_fits, a.decode.tokens_per_second
//
// Conventions (lower bounds, stated):
// - Memory per GPU at tensor-parallel degree tp = weights / tp (every matrix split evenly, as
//   vLLM and Megatron-LM split them; the replicated norms are a rounding) + one rank's KV
//   cache (kv_cache_bytes_per_device: KV heads split, MLA's latent on every rank).
//   Activations and the runtime's workspace are not counted, so "fits" is necessary, not
//   sufficient. GPU memory is the table's figure (accelerator::memory).
// - The degrees tried are 1, 2, 4, ... up to max_tp that divide n_heads and, for MHA/GQA,
//   divide or are divided by n_kv_heads.
// - A step reads each weight once (every expert of an MoE: an upper bound at small batch),
//   an embedding table only in the rows it gathers (the step's tokens, at most the table),
//   a tied head the whole matrix; prefill writes the KV cache, a decode step reads it.
// - Time at degree tp = the roofline of one rank (FLOPs / tp, its bytes), no communication.
//
// How this differs from serve.hpp (`txmath serve`), and why both exist. This is the report's
// quick inference section: any accelerator of hardware.hpp (no interconnect needed), uniform
// dtypes, lower bounds. serve.hpp models a vLLM deployment on a system (system.hpp):
// - memory: here weights / tp (the whole model's bytes, rounded up) + one rank's KV cache of
//   batch x context, against the whole HBM. serve.hpp splits op by op (norms, o/down biases
//   and the router replicated, K/V projections replicated beyond n_kv_heads: more bytes a
//   rank at tp > 1), takes quantized formats with their scales, adds the activation workspace
//   of a prefill chunk, keeps vLLM's gpu_memory_utilization (0.9) and counts the cache in
//   paged blocks (ceil(context / block_size) a sequence). At tp = 1 in bf16 both count the
//   same weights (Llama-3-8B: 16,060,522,496 B; tests/test_report.cpp).
// - the tensor-parallel degree: here the powers of two up to max_tp that split the heads;
//   serve.hpp every degree up to n_heads that vLLM accepts (heads, KV heads, FFN and expert
//   widths), fitting `concurrency` sequences in blocks.
// - time: here one roofline for the whole step, max(FLOPs / tp / peak, (weights read / tp +
//   the rank's KV cache) / bandwidth), reading every expert. serve.hpp sums each op's own
//   roofline (compute- or memory-bound op by op), adds activation traffic, elementwise FLOPs
//   and the TP all-reduces and pipeline messages on the system's links, and reads the
//   experts a step's tokens are expected to touch. FLOPs: here causal attention counts every
//   (query, key) pair (flops.hpp's default, as the report's), serve.hpp only the causal
//   triangle (causal_counting::exact). With the same FLOP convention, a dense model and the
//   same degree, its times are at least these (a sum of maxima is at least the maximum of
//   the sums); with its default exact counting a long prefill can come out shorter, and an
//   MoE at small batch reads fewer experts. Its prefill is one sequence of `prompt` tokens,
//   this one batch x context.
// Moving the report onto serve.hpp would change its defaults (utilization, workspace) and
// need a system for accelerators that have no system preset (h800, b200, mi300x, tpu-v5e,
// rtx4090); until then the two are separate, and tests/test_report.cpp pins where they agree
// and how they differ.
#include <cstdint>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/layers.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>

TXMATH_DEFINE_ERROR(txmath_error_inference_context_and_batch_must_be_positive, invalid_argument)

namespace txmath {

struct inference_options {
  std::uint64_t context = 4096;  // prompt tokens of a prefill; keys a decode step attends to
  std::uint64_t batch = 1;       // sequences
  dtype weights = dtype::bf16;
  dtype kv_cache = dtype::bf16;
  dtype compute = dtype::bf16;
  std::uint64_t max_tp = 64;     // the largest tensor-parallel degree tried
};

// One phase (a prefill, or one decode step) on one rank of the tensor-parallel group.
struct inference_step {
  txmath::flops flops{};               // the whole step, all ranks
  txmath::bytes bytes_per_gpu{};       // read or written by one rank
  roofline_bound roof{};               // of one rank
  double tokens_per_second = 0;        // tokens the step makes (or reads in) / its time
};

struct inference_account {
  txmath::bytes weights{};        // the whole model, in the weights dtype
  txmath::bytes kv_cache{};       // the whole batch at `context` tokens
  txmath::bytes gpu_memory{};     // one GPU's
  bool fits_one_gpu = false;
  count min_tp_that_fits = 0;     // 0: no degree up to max_tp fits
  txmath::bytes memory_per_gpu{};  // at min_tp_that_fits (at 1 when none fits)
  inference_step prefill{}, decode{};  // at min_tp_that_fits; zero when none fits
};

// Bytes one step of `step_tokens` tokens reads of the weights (see the conventions above).
[[nodiscard]] constexpr txmath::bytes weight_bytes_read(const lowered_model& ops, count step_tokens, dtype t) {
  count elements = 0;
  for (const layer_einsum& op : ops) {
    if (op.weight < 0) continue;
    if (op.kind == op_kind::lookup) {  // a table of rows x d: only the gathered rows
      const count width = op.size_of('d');
      const count rows = op.weight_elements / width;
      elements += (rows < step_tokens ? rows : step_tokens) * width * op.layers * op.copies;
    } else if (op.shared_weight) {  // a tied head reads the embedding matrix
      elements += op.weight_elements * op.layers;
    } else {
      elements += op.params();
    }
  }
  return bytes_of(elements, t);
}

namespace detail {
// Whether tensor-parallel degree tp can split the attention of `m`.
constexpr bool tp_splits_heads(const model_config& m, count tp) {
  if (count(m.attention.n_heads) % tp != 0) return false;
  if (m.attention.kind == attention_kind::mla) return true;
  const count kv = m.kv_heads();
  return kv % tp == 0 || tp % kv == 0;
}
constexpr bytes memory_per_gpu(const model_config& m, const inference_options& o, bytes weights, count tp) {
  return bytes(ceil_div(weights.value(), tp)) +
         kv_cache_bytes_per_device(m, count(o.context), count(o.batch), tp, o.kv_cache);
}
constexpr inference_step step_on(const model_config& m, const lowered_model& ops, const accelerator& hw,
                                 const inference_options& o, count tp, bool prefill) {
  const count step_tokens = prefill ? count(o.batch) * count(o.context) : count(o.batch);
  inference_step s;
  s.flops = (prefill ? prefill_flops(m, o.context, o.batch) : decode_step_flops(m, o.context, o.batch)).forward.total;
  s.bytes_per_gpu = bytes(ceil_div(weight_bytes_read(ops, step_tokens, o.weights).value(), tp)) +
                    kv_cache_bytes_per_device(m, count(o.context), count(o.batch), tp, o.kv_cache);
  s.roof = roofline(txmath::flops(ceil_div(s.flops.value(), tp)), s.bytes_per_gpu, hw, o.compute);
  s.tokens_per_second = step_tokens.to_double() / s.roof.time().value();
  return s;
}
}  // namespace detail

// The account of serving `m` on GPUs like `hw`.
[[nodiscard]] constexpr inference_account inference(const model_config& m, const accelerator& hw,
                                                    const inference_options& o = {}) {
  if (o.context == 0 || o.batch == 0)
    TXMATH_FAIL(txmath_error_inference_context_and_batch_must_be_positive, invalid_argument,
                "txmath: inference_options: context = " + std::to_string(o.context) + " and batch = " +
                    std::to_string(o.batch) + " must both be at least 1");
  const lowered_model ops = lower(m);
  inference_account a;
  a.weights = bytes_of(param_count(ops, m.tied_embeddings).total.value(), o.weights);
  a.kv_cache = kv_cache_bytes(m, count(o.context), count(o.batch), o.kv_cache);
  a.gpu_memory = hw.memory;
  a.fits_one_gpu = a.weights + a.kv_cache <= a.gpu_memory;
  a.memory_per_gpu = a.weights + a.kv_cache;
  for (count tp = 1; tp <= count(o.max_tp); tp = tp * 2) {
    if (!detail::tp_splits_heads(m, tp)) continue;
    const bytes need = detail::memory_per_gpu(m, o, a.weights, tp);
    if (need > a.gpu_memory) continue;
    a.min_tp_that_fits = tp;
    a.memory_per_gpu = need;
    a.prefill = detail::step_on(m, ops, hw, o, tp, true);
    a.decode = detail::step_on(m, ops, hw, o, tp, false);
    break;
  }
  return a;
}

}  // namespace txmath

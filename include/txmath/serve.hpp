#pragma once
// Serving a model: memory per GPU under tensor (and pipeline) parallelism, the KV cache in
// paged blocks as vLLM sizes it, and latency from the lowered model on the roofline.
//
//   using namespace txmath;
//   constexpr serve_options o{.system = systems::dgx_h100, .tp = 8, .kv_cache = dtype::fp8};
//   constexpr auto r = serve(presets::llama_3_70b, o, {.context = 32768, .concurrency = 64});
//   static_assert(r.fits);  r.max_concurrency, r.ttft, r.tpot, r.tokens_per_second
//
// Memory (one GPU of the largest pipeline stage):
// - weights: each op's weight in its storage format (quantization.hpp), one tensor-parallel
//   rank's share: heads (q, o, attention), FFN width, vocabulary split over tp; k and v split
//   over min(tp, n_kv_heads) (replicated beyond, as vLLM does); norms, o/down biases and the
//   router replicated. Layers split over pp stages as evenly as possible (the first L mod pp
//   stages get one more); the embedding is on the first, the head on the last.
// - activation workspace: the largest live set of one forward pass over `prefill_chunk`
//   tokens (vLLM's max_num_batched_tokens): the biggest op's activations plus the residual
//   stream, plus fp32 logits of max_num_seqs rows. An estimate of what vLLM's profiling run
//   measures; `reserved` adds what it cannot see (CUDA context, graphs): 0 by default.
// - KV cache: vLLM's rule (vllm/worker/worker.py, determine_num_available_blocks;
//   vllm/worker/cache_engine.py, get_cache_block_size):
//     block bytes = block_size * n_kv_heads per rank * head_dim * 2 * layers of the stage * dtype
//     blocks      = floor((memory * gpu_memory_utilization - peak) / block bytes)
//   with peak = weights + workspace + reserved; every stage gets the smallest count. A
//   sequence of C tokens holds ceil(C / block_size) blocks; sliding windows are not exploited
//   (every layer caches the whole context: an upper bound for Mistral or Gemma-2). MLA caches
//   its latent.
//   `memory` is the accelerator's table figure (hardware.hpp), not what the driver leaves.
//
// Time (one forward pass, summed over the pipeline stages a token crosses):
// - each op of the lowering on the roofline of one rank: max(FLOPs / peak, bytes / bandwidth),
//   compute- or memory-bound per op. Bytes: the weight in its format (routed experts: the
//   expected number of distinct experts n (1 - (1 - k/n)^tokens) under uniform routing),
//   activations in `compute`, K and V read from the cache in its dtype; attention is fused
//   (flash): the score tensor never goes to memory. FLOPs: causal attention counted `exact`.
//   MLA is costed as lowered (per-head keys), reading its latent cache.
// - tensor parallelism: 2 all-reduces of the d_model activations per layer (1 in a parallel
//   block) and 1 for the vocabulary-parallel embedding, timed by collectives.hpp on the
//   system's interconnect (alpha-beta ring); pipeline stages pass the activations on (p2p).
// By default no efficiency model is applied: these are roofline bounds (a kernel reaching
// peak). `serve_efficiency::step_time_model` applies the training step-time model's fitted
// efficiencies (step_time.hpp): its matmul curve was fitted on training-size matmuls, and at
// decode's small batches it charges a memory-bound matrix-vector product as slow compute too,
// so it is an option, not the default. The compute-bound batch is always the roofline's.
//
// inference.hpp (the report's inference section) answers a simpler question with lower
// bounds: weights / tp + KV cache against the whole HBM, powers of two for tp, one roofline
// per step without communication or workspace. Its header lists the differences precisely.
#include <cstdint>
#include <string>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/math.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/collectives.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/layers.hpp>
#include <txmath/model.hpp>
#include <txmath/quantization.hpp>
#include <txmath/speculative.hpp>
#include <txmath/step_time.hpp>
#include <txmath/system.hpp>

TXMATH_DEFINE_ERROR(txmath_error_serve_option_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_serve_gpu_memory_utilization_must_be_in_0_1, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_serve_tensor_parallel_size_does_not_divide_the_model, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_serve_more_pipeline_stages_than_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_serve_system_has_no_interconnect_for_several_gpus, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_serve_system_has_no_fitted_efficiencies, invalid_argument)

namespace txmath {

// How an op's time is bounded.
enum class serve_efficiency : std::uint8_t {
  roofline,         // max(FLOPs / peak, bytes / bandwidth): a lower bound (the default)
  step_time_model,  // step_time.hpp's efficiencies: matmuls at matmul_efficiency(smallest
                    // local dimension) of peak, memory at memory_fraction of the bandwidth
};

struct serve_options {
  system_spec system = systems::dgx_h100;  // the GPU (system.gpu) and its interconnect
  count tp = 1;  // tensor-parallel GPUs
  count pp = 1;  // pipeline stages
  weight_quantization weights{};
  dtype kv_cache = dtype::bf16;
  dtype compute = dtype::bf16;  // activations, and the peak the matmuls run at
  count block_size = 16;        // tokens per KV block (vLLM's default)
  double gpu_memory_utilization = 0.9;  // vLLM's default
  count prefill_chunk = 8192;   // tokens of one forward pass (vLLM max_num_batched_tokens)
  count max_num_seqs = 256;     // sequences of one step (vLLM's default): rows of the logits
  txmath::bytes reserved{};     // other memory per GPU (CUDA context, graphs); 0: none
  causal_counting causal = causal_counting::exact;
  serve_efficiency efficiency = serve_efficiency::roofline;

  [[nodiscard]] constexpr count gpus() const { return tp * pp; }
};

namespace detail {
constexpr void serve_positive(count v, const char* what) {
  if (v == 0)
    TXMATH_FAIL(txmath_error_serve_option_must_be_positive, invalid_argument,
                std::string("txmath: serve: ") + what + " = 0: must be at least 1");
}
constexpr void tp_divides(std::uint64_t size, count tp, const char* field) {
  if (size != 0 && size % tp != 0)
    TXMATH_FAIL(txmath_error_serve_tensor_parallel_size_does_not_divide_the_model, invalid_argument,
                "txmath: serve: tensor-parallel size " + tp.to_string() + " does not divide " + field +
                    " = " + std::to_string(size));
}
}  // namespace detail

// Whether tp splits m the way vLLM requires (heads, FFN widths, KV heads).
[[nodiscard]] constexpr bool tp_is_valid(const model_config& m, count tp) {
  if (tp == 0) return false;
  const auto ok = [&](std::uint64_t v) { return v == 0 || v % tp == 0; };
  const count k = m.kv_heads();
  const bool kv = m.attention.kind == attention_kind::mla || k % tp == 0 || tp % k == 0;
  return ok(m.attention.n_heads) && kv && (m.n_moe_layers() == m.n_layers || ok(m.ffn.d_ff)) &&
         ok(m.moe.d_ff_expert) && ok(m.shared_width());
}

// Checks the options against m; returns them.
constexpr const serve_options& validate(const model_config& m, const serve_options& o) {
  detail::serve_positive(o.tp, "tp");
  detail::serve_positive(o.pp, "pp");
  detail::serve_positive(o.block_size, "block_size");
  detail::serve_positive(o.prefill_chunk, "prefill_chunk");
  detail::serve_positive(o.max_num_seqs, "max_num_seqs");
  if (!(o.gpu_memory_utilization > 0.0 && o.gpu_memory_utilization <= 1.0))
    TXMATH_FAIL(txmath_error_serve_gpu_memory_utilization_must_be_in_0_1, invalid_argument,
                "txmath: serve: gpu_memory_utilization = " + std::to_string(o.gpu_memory_utilization) +
                    " must be in (0, 1] (vLLM's default is 0.9)");
  if (o.pp > count(m.n_layers))
    TXMATH_FAIL(txmath_error_serve_more_pipeline_stages_than_layers, invalid_argument,
                "txmath: serve: pp = " + o.pp.to_string() + " exceeds n_layers = " + std::to_string(m.n_layers));
  if (o.gpus() > 1 && !(o.system.intra_bandwidth > 0 && o.system.inter_bandwidth > 0))
    TXMATH_FAIL(txmath_error_serve_system_has_no_interconnect_for_several_gpus, invalid_argument,
                "txmath: serve: " + o.gpus().to_string() + " GPUs of system '" + std::string(o.system.name.view()) +
                    "', which has no interconnect bandwidth: give a system (system.hpp) or use 1 GPU");
  const system_efficiency& e = o.system.efficiency;
  if (o.efficiency == serve_efficiency::step_time_model &&
      !(e.matmul_peak_fraction > 0 && e.matmul_half_size >= 0 && e.memory_fraction > 0))
    TXMATH_FAIL(txmath_error_serve_system_has_no_fitted_efficiencies, invalid_argument,
                "txmath: serve: system '" + std::string(o.system.name.view()) +
                    "' has no fitted efficiencies (matmul_peak_fraction, memory_fraction): use the roofline");
  if (!tp_is_valid(m, o.tp)) {
    detail::tp_divides(m.attention.n_heads, o.tp, "attention.n_heads");
    if (m.n_moe_layers() < m.n_layers) detail::tp_divides(m.ffn.d_ff, o.tp, "ffn.d_ff");
    detail::tp_divides(m.moe.d_ff_expert, o.tp, "moe.d_ff_expert");
    detail::tp_divides(m.shared_width(), o.tp, "the shared experts' width");
    TXMATH_FAIL(txmath_error_serve_tensor_parallel_size_does_not_divide_the_model, invalid_argument,
                "txmath: serve: tensor-parallel size " + o.tp.to_string() + " and n_kv_heads = " +
                    std::to_string(m.kv_heads()) + " must divide one another");
  }
  return o;
}

namespace detail {
// One tensor-parallel rank's share of an op (of its weight, FLOPs and activations).
struct fraction {
  count num = 1, den = 1;
  constexpr count of(count v) const { return ceil_div(v * num, den); }
};
constexpr fraction tp_share(const model_config& m, const layer_einsum& op, count tp) {
  if (tp == 1) return {};
  bool split = false, kv = false;
  for (std::size_t i = 0; i < op.n_dims; ++i) {
    const char c = op.dims[i].label;
    split = split || c == 'g' || c == 'n' || c == 'f' || c == 'v';
    kv = kv || c == 'k';
  }
  if (split) return {1, tp};
  if (!kv) return {};
  const count k = m.kv_heads();
  return {k > tp ? k / tp : count(1), k};
}

// The layers [first, last) of pipeline stage s.
struct layer_range {
  std::uint64_t first = 0, last = 0;
};
constexpr layer_range stage_layers(const model_config& m, count pp, count s) {
  const count base = count(m.n_layers) / pp, extra = count(m.n_layers) % pp;
  const count first = s * base + (s < extra ? s : extra);
  return {first.to_u64(), (first + base + (s < extra ? 1 : 0)).to_u64()};
}
// Whether stage s holds op in layer i (ops outside the blocks: the embedding on the first
// stage, the final norm and head on the last).
constexpr bool stage_holds(const model_config& m, const layer_einsum& op, count pp, count s, std::uint64_t i) {
  if (!op.in_block) {
    const bool first = op.part == component::embedding || op.part == component::position;
    return i == 0 && (first ? s == 0 : s + 1 == pp);
  }
  const layer_range r = stage_layers(m, pp, s);
  return i >= r.first && i < r.last && op_in_layer(m, op, i);
}
}  // namespace detail

// ---- memory ------------------------------------------------------------------------------

struct serve_memory {
  txmath::bytes budget{};       // memory * gpu_memory_utilization
  txmath::bytes weights{};      // the largest stage's weights on one GPU
  txmath::bytes workspace{};    // activations of one forward pass
  txmath::bytes reserved{};
  txmath::bytes block{};        // bytes of one KV block (of the stage with the most layers)
  count blocks{};               // KV blocks every GPU holds (vLLM's num_gpu_blocks)
  txmath::bytes kv_cache{};     // blocks * block
  [[nodiscard]] constexpr bool weights_fit() const { return weights + workspace + reserved <= budget; }
};

// Weight bytes of one GPU of stage s.
[[nodiscard]] constexpr bytes stage_weight_bytes(const model_config& m, const lowered_model& ops,
                                                 const serve_options& o, count s) {
  const detail::layer_range r = detail::stage_layers(m, o.pp, s);
  bytes total{};
  for (const auto& op : ops) {
    if (op.params() == 0) continue;
    const count elements = detail::tp_share(m, op, o.tp).of(op.weight_elements);
    if (!op.in_block) {
      if (detail::stage_holds(m, op, o.pp, s, 0)) total += op_weight_bytes(m, op, o.weights, elements, 0) * count(op.copies);
      continue;
    }
    const bool per_layer = o.weights.gguf != gguf_ftype::none;  // llama.cpp's types vary by layer
    count layers = 0;
    for (std::uint64_t i = r.first; i < r.last; ++i) {
      if (!op_in_layer(m, op, i)) continue;
      if (per_layer) total += op_weight_bytes(m, op, o.weights, elements, i) * count(op.copies);
      else layers += 1;
    }
    if (layers != 0) total += op_weight_bytes(m, op, o.weights, elements, 0) * (layers * count(op.copies));
  }
  return total;
}

// KV bytes one GPU of stage s keeps per token (vLLM's block bytes / block_size).
[[nodiscard]] constexpr bytes stage_kv_bytes_per_token(const model_config& m, const serve_options& o, count s) {
  const detail::layer_range r = detail::stage_layers(m, o.pp, s);
  count values = kv_values_per_token_per_layer(m) * count(r.last - r.first);
  if (m.attention.kind != attention_kind::mla && o.tp > 1) {
    const count k = m.kv_heads();
    values = values * (k > o.tp ? k / o.tp : count(1)) / k;
  }
  return bytes_of(values, o.kv_cache);
}

namespace detail {
// Activation bytes op reads and writes for `batch` sequences of t queries over s keys, on
// one tensor-parallel rank: every operand but the weight, in the compute dtype; attention
// reads K and V from the cache (its dtype) and never stores the score tensor (fused).
constexpr bytes activation_bytes(const model_config& m, const layer_einsum& op, const serve_options& o,
                                 count batch, count t, count s) {
  const einsum_spec& spec = *op.spec;
  const bound_sizes z = bind_sizes(spec, op.sizes(batch, t, s));
  const auto has = [&](const einsum_spec::term& term, char label) {
    for (std::uint8_t i = 0; i < term.rank; ++i)
      if (spec.labels[term.index[i]] == static_cast<char32_t>(label)) return true;
    return false;
  };
  const bool attention = op.kind == op_kind::attention;
  const fraction share = tp_share(m, op, o.tp);
  bytes total{};
  for (std::uint8_t k = 0; k < spec.n_inputs; ++k) {
    const auto& term = spec.inputs[k];
    if (static_cast<int>(k) == op.weight || (attention && has(term, 't') && has(term, 's'))) continue;
    if (attention && has(term, 's')) {  // K or V, from the cache
      if (m.attention.kind == attention_kind::mla) {  // the latent, read once (by QK^T)
        if (has(spec.output, 's')) total += bytes_of(batch * s * kv_values_per_token_per_layer(m), o.kv_cache);
        continue;
      }
      total += bytes_of(share.of(term_elements(term, z)), o.kv_cache);
      continue;
    }
    total += bytes_of(share.of(term_elements(term, z)), o.compute);
  }
  if (!(attention && has(spec.output, 't') && has(spec.output, 's')))
    total += bytes_of(share.of(term_elements(spec.output, z)), o.compute);
  return total;
}

// Routed experts touched by `tokens` tokens under uniform routing: n (1 - (1 - k/n)^tokens).
constexpr double experts_touched(std::uint64_t copies, std::uint64_t active, count tokens) {
  if (copies <= active) return static_cast<double>(copies);
  const double n = static_cast<double>(copies), k = static_cast<double>(active);
  return n * (1.0 - math::pow(1.0 - k / n, tokens.to_double()));
}
}  // namespace detail

// Bytes of the activation workspace of one forward pass over `prefill_chunk` tokens.
[[nodiscard]] constexpr bytes workspace_bytes(const model_config& m, const lowered_model& ops, const serve_options& o) {
  const count t = o.prefill_chunk;
  bytes largest{};
  for (const auto& op : ops) {
    if (op.kind == op_kind::lookup || op.part == component::head) continue;
    const bytes a = detail::activation_bytes(m, op, o, 1, t, t);
    if (a > largest) largest = a;
  }
  const bytes residual = bytes_of(t * m.d_model, o.compute);
  const count rows = t < o.max_num_seqs ? t : o.max_num_seqs;
  const bytes logits = bytes_of(rows * ceil_div(count(m.vocab), o.tp), dtype::fp32);
  return largest + residual + logits;
}

[[nodiscard]] constexpr serve_memory serve_memory_per_gpu(const model_config& m, const lowered_model& ops,
                                                        const serve_options& opts) {
  const serve_options& o = validate(m, opts);
  serve_memory r;
  r.budget = bytes(count::from_floating(static_cast<long double>(math::floor(o.system.gpu.memory.to_double() * o.gpu_memory_utilization))));
  r.workspace = workspace_bytes(m, ops, o);
  r.reserved = o.reserved;
  bool first = true;
  for (count s = 0; s < o.pp; s += 1) {
    const bytes w = stage_weight_bytes(m, ops, o, s);
    const bytes block = stage_kv_bytes_per_token(m, o, s) * o.block_size;
    const bytes used = w + r.workspace + r.reserved;
    const count blocks = used >= r.budget ? count(0) : (r.budget - used).value() / block.value();
    if (w > r.weights) r.weights = w;
    if (block > r.block) r.block = block;
    if (first || blocks < r.blocks) r.blocks = blocks;
    first = false;
  }
  r.kv_cache = r.block * r.blocks;
  return r;
}

[[nodiscard]] constexpr serve_memory serve_memory_per_gpu(const model_config& m, const serve_options& o) {
  return serve_memory_per_gpu(m, lower(m), o);
}

// Blocks one sequence of `context` tokens holds.
[[nodiscard]] constexpr count blocks_per_sequence(count context, count block_size) {
  return ceil_div(context, block_size);
}
// Sequences of `context` tokens the KV cache holds at once.
[[nodiscard]] constexpr count max_concurrency(const serve_memory& mem, count context, count block_size) {
  detail::serve_positive(context, "context");
  return mem.weights_fit() ? mem.blocks / blocks_per_sequence(context, block_size) : count(0);
}
[[nodiscard]] constexpr bool serve_fits(const serve_memory& mem, count context, count concurrency, count block_size) {
  return concurrency != 0 && max_concurrency(mem, context, block_size) >= concurrency;
}

// The smallest tensor-parallel size (pp as given) at which `concurrency` sequences of
// `context` tokens fit; 0 when none up to n_heads does (or, on a system without an
// interconnect, when one GPU does not).
[[nodiscard]] constexpr count min_tp_that_fits(const model_config& m, const lowered_model& ops, serve_options o,
                                               count context, count concurrency) {
  const bool linked = o.system.intra_bandwidth > 0 && o.system.inter_bandwidth > 0;
  for (count tp = 1; tp <= count(m.attention.n_heads); tp += 1) {
    if (tp * o.pp > 1 && !linked) break;  // one GPU is all a system without links has
    if (!tp_is_valid(m, tp)) continue;
    o.tp = tp;
    if (serve_fits(serve_memory_per_gpu(m, ops, o), context, concurrency, o.block_size)) return tp;
  }
  return 0;
}
[[nodiscard]] constexpr count min_tp_that_fits(const model_config& m, const serve_options& o, count context,
                                               count concurrency) {
  return min_tp_that_fits(m, lower(m), o, context, concurrency);
}

// ---- time --------------------------------------------------------------------------------

struct forward_time {
  txmath::seconds ops{};            // sum over ops of max(compute, memory)
  txmath::seconds compute{};        // sum of the ops' compute times
  txmath::seconds memory{};         // sum of the ops' memory times
  txmath::seconds communication{};  // tensor- and pipeline-parallel transfers
  txmath::flops work{};             // FLOPs on one GPU (all stages)
  quantity<dims::byte, double> traffic{};  // bytes one GPU moves (all stages)
  [[nodiscard]] constexpr txmath::seconds total() const { return ops + communication; }
};

namespace detail {
// Weight bytes of one copy of op over all its layers, one rank (what a pass reads per copy).
constexpr double weight_bytes_per_copy(const model_config& m, const layer_einsum& op, const serve_options& o) {
  if (op.weight < 0 || op.kind == op_kind::lookup) return 0.0;
  const count elements = tp_share(m, op, o.tp).of(op.weight_elements);
  double per_layers = 0.0;
  if (o.weights.gguf == gguf_ftype::none) {
    per_layers = op_weight_bytes(m, op, o.weights, elements, 0).to_double() * static_cast<double>(op.layers);
  } else {
    for (std::uint64_t i = 0; i < (op.in_block ? m.n_layers : 1); ++i)
      if (op_in_layer(m, op, i)) per_layers += op_weight_bytes(m, op, o.weights, elements, i).to_double();
  }
  return per_layers;
}
// Weight bytes op reads in one pass over `tokens` tokens.
constexpr double weight_traffic(const model_config& m, const layer_einsum& op, const serve_options& o, count tokens) {
  return weight_bytes_per_copy(m, op, o) * experts_touched(op.copies, op.active, tokens);
}
}  // namespace detail

namespace detail {
// The fraction of peak an op reaches: 1 on the roofline; with the step-time model's
// efficiency, matmul_efficiency(n) (step_time.hpp) of the op's smallest local dimension n
// (tokens, the weight's local rows and columns; an attention product: its head dimension).
constexpr double compute_fraction(const model_config& m, const layer_einsum& op, const serve_options& o, count tokens) {
  if (o.efficiency == serve_efficiency::roofline) return 1.0;
  if (op.kind == op_kind::attention) {
    const count e = op.size_of('e') != 1 ? op.size_of('e') : op.size_of('w');
    return matmul_efficiency(o.system, e.to_double());
  }
  if (op.kind != op_kind::matmul || op.weight < 0) return 1.0;
  const count in = weight_row(op);
  const double out = tp_share(m, op, o.tp).of(op.weight_elements / in).to_double();
  return matmul_efficiency(o.system, smallest(tokens.to_double(), in.to_double(), out));
}
constexpr double memory_fraction(const serve_options& o) {
  return o.efficiency == serve_efficiency::roofline ? 1.0 : o.system.efficiency.memory_fraction;
}
}  // namespace detail

// One forward pass of `batch` sequences of t new tokens over s keys (t = s: a prefill; t = 1:
// a decode step), on one GPU of each stage in turn.
[[nodiscard]] constexpr forward_time forward_time_of(const model_config& m, const lowered_model& ops,
                                                     const serve_options& o, count batch, count t, count s) {
  const flop_options fo{.seq_len = t.to_u64(), .batch = batch.to_u64(), .causal = o.causal, .count_elementwise = true};
  const flop_rate peak_rate = peak(o.system.gpu, o.compute);
  forward_time r;
  for (const auto& op : ops) {
    if (op.kind == op_kind::lookup) continue;
    const count f = detail::tp_share(m, op, o.tp).of(detail::flops_of(op, batch, t, s, fo).forward);
    const count keys = op.window != 0 && s > count(op.window) ? count(op.window) : s;
    const double b = detail::weight_traffic(m, op, o, batch * t) +
                     detail::activation_bytes(m, op, o, batch, t, keys).to_double() * static_cast<double>(op.layers);
    const txmath::seconds c = txmath::flops(f) / (peak_rate * detail::compute_fraction(m, op, o, batch * t));
    const txmath::seconds mem(b / (o.system.gpu.memory_bandwidth.value() * detail::memory_fraction(o)));
    r.compute += c;
    r.memory += mem;
    r.ops += c > mem ? c : mem;
    r.work += txmath::flops(f);
    r.traffic += quantity<dims::byte, double>(b);
  }
  const bytes hidden = bytes_of(batch * t * m.d_model, o.compute);
  const count per_layer = m.parallel_block ? 1 : 2;
  const count allreduces = count(m.n_layers) * per_layer + 1;
  if (o.tp > 1) r.communication = all_reduce_time(o.system, group_in(o.system, o.tp, 1), hidden) * allreduces.to_double();
  if (o.pp > 1)
    r.communication += p2p_time(o.system, hidden, o.gpus() > o.system.gpus_per_domain) * (o.pp - 1).to_double();
  return r;
}

// The smallest decode batch at which the weight matmuls turn compute-bound (their summed
// compute time reaches their memory time) at `context`; 0 if none up to 2^20. FLOPs and
// activation bytes grow linearly with the batch; the weights read are fixed (routed experts:
// the distinct experts touched), so each op is costed once, at batch 1.
[[nodiscard]] constexpr count decode_compute_bound_batch(const model_config& m, const lowered_model& ops,
                                                         const serve_options& o, count context) {
  struct per_op {
    double compute = 0, activations = 0, weights = 0;  // seconds per sequence; seconds per copy
    std::uint64_t copies = 1, active = 1;
  };
  per_op cost[lowered_model::capacity]{};
  std::size_t n = 0;
  const flop_options fo{.seq_len = 1, .batch = 1, .causal = o.causal};
  const double peak_rate = peak(o.system.gpu, o.compute).value(), bw = o.system.gpu.memory_bandwidth.value();
  for (const auto& op : ops) {
    if (op.kind != op_kind::matmul || op.weight < 0) continue;
    const detail::fraction share = detail::tp_share(m, op, o.tp);
    const double f = detail::flops_of(op, 1, 1, context, fo).forward.to_double() * share.num.to_double() / share.den.to_double();
    const double a = detail::activation_bytes(m, op, o, 1, 1, context).to_double() * static_cast<double>(op.layers);
    cost[n++] = {f / peak_rate, a / bw, detail::weight_bytes_per_copy(m, op, o) / bw, op.copies, op.active};
  }
  const auto compute_bound = [&](count batch) {
    double c = 0, mem = 0;
    for (std::size_t i = 0; i < n; ++i) {
      c += cost[i].compute * batch.to_double();
      mem += cost[i].activations * batch.to_double() + cost[i].weights * detail::experts_touched(cost[i].copies, cost[i].active, batch);
    }
    return c >= mem;
  };
  count lo = 1, hi = count(std::uint64_t{1} << 20);
  if (!compute_bound(hi)) return 0;
  while (lo < hi) {  // the first compute-bound batch in [lo, hi]
    const count mid = lo + (hi - lo) / 2;
    if (compute_bound(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// ---- the whole account -------------------------------------------------------------------

struct serve_request {
  count context = 4096;     // tokens each sequence keeps in the cache (prompt + output)
  count prompt = 0;         // prompt tokens for the time to first token; 0: the context
  count concurrency = 1;    // sequences decoded together
  const model_config* draft = nullptr;  // a draft model for speculative decoding, or none
  count draft_len = 4;      // tokens the draft proposes per step (Leviathan et al.'s gamma)
  double acceptance = 0.8;  // probability that the target accepts a drafted token (alpha)
};

struct speculative_estimate {
  double cost_ratio = 0;                // c: a draft step's time over a target step's
  double expected_tokens_per_step = 1;  // (1 - a^(k+1)) / (1 - a)
  double speedup = 1;                   // the paper's: expected tokens / (k c + 1)
  double speedup_roofline = 1;          // with the target's verification of k + 1 tokens costed
};

struct serve_report {
  serve_memory memory{};
  bool fits = false;              // `concurrency` sequences of `context` tokens fit
  count max_concurrency{};        // sequences of `context` tokens the cache holds
  count min_tp_that_fits{};       // smallest tensor-parallel size that fits (0: none)
  forward_time prefill{}, decode{};
  txmath::seconds ttft{};         // time to first token: the prefill of `prompt` tokens
  txmath::seconds tpot{};         // time per output token: a decode step at `context`
  double tokens_per_second = 0;   // concurrency / tpot
  count compute_bound_batch{};    // decode batch at which the weight matmuls turn compute-bound
  bool speculative_on = false;
  speculative_estimate speculative{};
};

namespace detail {
constexpr speculative_estimate speculate(const model_config& target, const lowered_model& ops,
                                         const serve_options& o, const serve_request& r, seconds target_step) {
  serve_options d = o;  // the draft runs on the same GPUs, unsplit if its shape does not split
  if (!tp_is_valid(*r.draft, d.tp)) d.tp = 1;
  const lowered_model draft_ops = lower(*r.draft);
  const seconds draft_step = forward_time_of(*r.draft, draft_ops, d, r.concurrency, 1, r.context).total();
  const seconds verify = forward_time_of(target, ops, o, r.concurrency, r.draft_len + 1, r.context).total();
  speculative_estimate e;
  e.cost_ratio = draft_step / target_step;
  e.expected_tokens_per_step = speculative_expected_tokens(r.acceptance, r.draft_len.to_u64());
  e.speedup = speculative_speedup(r.acceptance, r.draft_len.to_u64(), e.cost_ratio);
  e.speedup_roofline = e.expected_tokens_per_step * target_step / (draft_step * r.draft_len.to_double() + verify);
  return e;
}
}  // namespace detail

[[nodiscard]] constexpr serve_report serve(const model_config& m, const serve_options& opts, const serve_request& r) {
  const serve_options& o = validate(m, opts);
  detail::serve_positive(r.context, "context");
  detail::serve_positive(r.concurrency, "concurrency");
  const count prompt = r.prompt == 0 ? r.context : r.prompt;
  const lowered_model ops = lower(m);
  serve_report out;
  out.memory = serve_memory_per_gpu(m, ops, o);
  out.max_concurrency = max_concurrency(out.memory, r.context, o.block_size);
  out.fits = out.max_concurrency >= r.concurrency;
  out.min_tp_that_fits = min_tp_that_fits(m, ops, o, r.context, r.concurrency);
  out.prefill = forward_time_of(m, ops, o, 1, prompt, prompt);
  out.decode = forward_time_of(m, ops, o, r.concurrency, 1, r.context);
  out.ttft = out.prefill.total();
  out.tpot = out.decode.total();
  out.tokens_per_second = r.concurrency.to_double() / out.tpot.value();
  out.compute_bound_batch = decode_compute_bound_batch(m, ops, o, r.context);
  if (r.draft != nullptr) {
    out.speculative_on = true;
    out.speculative = detail::speculate(m, ops, o, r, out.tpot);
  }
  return out;
}

}  // namespace txmath

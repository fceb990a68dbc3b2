#pragma once
// The time of one training step of a model under a parallel layout (layout.hpp) on a
// system (system.hpp), and the memory it needs per GPU.
//
//   const txmath::step_model model(txmath::presets::llama_3_8b, {.seq = 8192, .global_batch = 512});
//   const auto e = model.evaluate(txmath::find_system("dgx-h100"), {.tp = 2, .dp = 32});
//   e.step_seconds, e.parts.compute, e.mfu, e.memory_per_gpu
//
// Everything comes from the lowered einsums (layers.hpp `lower()`), costed once per model
// (step_model's constructor); a layout then costs a few dozen arithmetic operations.
//
// The model, per micro-batch and layer, on one GPU:
// - matmuls: the op's forward FLOPs on this GPU (Megatron sharding: projections reading the
//   residual stream are column-parallel over tp, those writing it row-parallel, capped at
//   the op's head count; the router is replicated; attention products split their heads),
//   at a fraction of peak that grows with the smallest of the local matmul's dimensions n:
//       efficiency(n) = matmul_peak_fraction x n / (n + matmul_half_size)
//   (tokens on the GPU, the weight's local rows and columns; for QK^T and AV per head, the
//   head dimension; for routed experts, the tokens each local expert receives). Backward:
//   twice the forward (the gradient einsums of both operands, as flops.hpp counts them).
// - attention products: every (query, key) pair without FlashAttention (Megatron computes
//   the masked half too), half of them with it (causal kernels skip the masked blocks).
// - memory-bound work at memory_fraction x HBM bandwidth: the elementwise einsums of the
//   lowering (biases, norm weights, the gating product: their operands read and their
//   result written), and the passes the lowering does not hold as einsums, per layer: two
//   residual adds (3 d each), the activation function of each FFN (2 f), and without
//   FlashAttention, softmax and its dropout over the score tensor (4.5 elements per pair and
//   head: read and write twice, a 1-byte mask), the cross-entropy over the vocabulary (three
//   fp32 passes) on the last stage. Backward: twice the forward traffic. Sequence
//   parallelism splits the d-wide passes over tp.
// - TP: one all-reduce of the [tokens, d] activations per row-parallel op forward and one per
//   column-parallel group backward (with sequence parallelism a reduce-scatter and an
//   all-gather: the same ring time); EP: two all-to-alls per MoE layer forward and two
//   backward; CP: a ring pass of the local keys and values forward (twice backward),
//   hidden behind the attention products when shorter.
// - recompute: full adds each layer's forward (with its TP collectives) again, selective
//   the attention products and the score-tensor passes.
// Per step: 1F1B over m = global_batch / (dp x micro_batch) micro-batches through the
// slowest stage (ceil(layers / pp) layers, and the head on the last), a bubble of
// (pp - 1) / interleave stage times, the stage-to-stage messages (2 x interleave per
// micro-batch, 1/tp of the activations each with Megatron's scatter-gather), the data-
// parallel gradient reduction (all-reduce; ZeRO 1, Megatron's distributed optimizer: one
// reduce-scatter of the accumulated gradients and an all-gather of the weights; ZeRO 2: the
// sharded gradients are reduce-scattered after every micro-batch; ZeRO 3 also gathers the
// weights forward and backward every micro-batch), each hidden behind one micro-batch's
// backward pass when `overlap_dp`, and the Adam step at memory bandwidth (every state byte
// read and written once).
// Memory per GPU: the training state (memory.hpp) of the largest stage's parameters with
// ZeRO over dp, plus the peak activations of the most loaded stage (activation_memory.hpp,
// with a full pipeline: micro_batches = 0 there).
#include <cstdint>

#include <txmath/activation_memory.hpp>
#include <txmath/collectives.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/flops.hpp>
#include <txmath/layers.hpp>
#include <txmath/layout.hpp>
#include <txmath/megatron.hpp>
#include <txmath/memory.hpp>
#include <txmath/system.hpp>

TXMATH_DEFINE_ERROR(txmath_error_layout_sizes_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_zero_stage_must_be_0_to_3, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_tp_must_divide_heads, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_tp_must_divide_kv_heads, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_tp_must_divide_ffn_width, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_pp_exceeds_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_interleave_needs_pp_and_layers, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_interleave_needs_micro_batches_multiple_of_pp, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_ep_must_divide_experts, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_ep_must_divide_dp, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_cp_must_divide_seq, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_sequence_parallel_needs_seq_divisible_by_cp_tp, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_layout_global_batch_not_multiple_of_dp_micro_batch, invalid_argument)

namespace txmath {

// Why a layout cannot run a model (step_model::problem).
enum class layout_problem : std::uint8_t {
  none, zero_size, zero_stage, tp_heads, tp_kv_heads, tp_ffn, pp_layers, interleave, interleave_batches,
  ep_experts, ep_dp, cp_seq, sp_seq, batch,
};

struct step_options {
  count seq = 0;           // tokens per sequence
  count global_batch = 0;  // sequences per step
  dtype compute = dtype::bf16;
  training_precision precision = {};
  bool overlap_dp = true;  // data-parallel reduction overlapped with the last backward pass
  bool dropout = false;    // activation memory keeps dropout masks (Megatron's GPT runs: on)
};

// Exposed communication by parallelism, seconds per step (they add up to communication).
struct communication_breakdown {
  double tp = 0, ep = 0, cp = 0, pp = 0, dp = 0;
  [[nodiscard]] constexpr double total() const { return tp + ep + cp + pp + dp; }
};

// Seconds of one step, by kind; they add up to the step.
struct step_breakdown {
  double compute = 0;          // forward and backward matmuls and memory-bound passes
  double recompute = 0;        // the forward work done again (with its TP and EP collectives)
  double communication = 0;    // exposed TP, EP, CP, pipeline and data-parallel traffic
  double bubble = 0;           // pipeline fill and drain
  double optimizer = 0;        // the Adam step
  communication_breakdown comm{};  // `communication` by parallelism
  [[nodiscard]] constexpr double total() const { return compute + recompute + communication + bubble + optimizer; }
};

struct step_estimate {
  double step_seconds = 0;
  step_breakdown parts{};
  count micro_batches = 0;
  bytes state_per_gpu{};        // weights, gradients, optimizer (ZeRO-sharded)
  bytes activations_per_gpu{};  // the most loaded stage's peak (activation_memory.hpp)
  bytes memory_per_gpu{};       // the two above
  double mfu = 0;               // txmath's model FLOPs (flops.hpp, no recompute) / peak time
  double mfu_megatron = 0;      // Megatron-LM's count (megatron.hpp) / peak time
  double tflops_per_gpu = 0;    // txmath's model FLOPs per GPU per second, / 1e12
};

namespace detail {
enum class tp_split : std::uint8_t { column, row, replicated };

// One op of the lowering as the step model needs it.
struct step_op {
  double flops = 0;       // forward FLOPs per token (per pair for attention), per layer on average
  double m_scale = 1;     // its matmul's rows per token (experts: top_k / n_experts)
  double k = 1, n = 1;    // weight rows (contracted) and columns (kept); attention: head_dim
  double shard_cap = 1;   // most tp ranks it splits over (its heads, or its width)
  tp_split split = tp_split::column;
  bool attention = false, expert = false, in_block = true;
  double window = 0;      // attention: the sliding window (0: none)
  double layer_share = 1; // attention: fraction of layers with this window
  double ew_per_pair = 0; // attention: memory-bound elements per pair without FlashAttention
};

// Size of the indices of term t whose labels pass `keep`.
template <class Keep>
constexpr double term_size(const layer_einsum& op, const einsum_spec::term& t, Keep keep) {
  double p = 1;
  for (std::uint8_t i = 0; i < t.rank; ++i) {
    const char32_t c = op.spec->labels[t.index[i]];
    if (keep(c, t.index[i])) p *= static_cast<double>(op.size_of(static_cast<char>(c)));
  }
  return p;
}
constexpr bool is_token_label(char32_t c) { return c == 'b' || c == 't' || c == 's'; }
constexpr bool is_head_label(char32_t c) { return c == 'k' || c == 'g' || c == 'n'; }
}  // namespace detail

class step_model {
 public:
  static constexpr std::size_t max_ops = lowered_model::capacity;

  constexpr step_model(const model_config& m, const step_options& o)
      : model_(validate(m)), opt_(o), activations_(m, {.activations = o.compute, .dropout = o.dropout}) {
    const lowered_model ops = lower(m);
    for (const layer_einsum& op : ops) add(op);
    ew_sp_ += 6 * static_cast<double>(m.d_model);  // two residual adds: read 2 d, write d
    model_flops_ = flops_per_step(ops, {.seq_len = o.seq.to_u64(), .batch = o.global_batch.to_u64()})
                       .training.total.to_double();
    megatron_flops_ = megatron_flops(m, {.seq_len = o.seq.to_u64(), .batch = o.global_batch.to_u64()})
                          .value().to_double();
  }

  [[nodiscard]] constexpr const model_config& model() const { return model_; }
  [[nodiscard]] constexpr const step_options& options() const { return opt_; }

  // Whether the layout suits the model and the batch; check() throws a txmath: error naming
  // the field and the limit.
  [[nodiscard]] constexpr layout_problem problem(const training_layout& l) const;
  constexpr void check(const training_layout& l) const;
  // Step time, breakdown, MFU and memory of a layout (checked).
  [[nodiscard]] constexpr step_estimate evaluate(const system_spec& s, const training_layout& l) const;
  // Training state bytes per GPU (weights, gradients, optimizer) on the largest stage.
  [[nodiscard]] constexpr bytes state_bytes(const training_layout& l) const;

 private:
  friend class layout_search;
  struct layer_times {
    double fwd = 0, bwd = 0, recompute = 0, comm = 0;  // per layer and micro-batch
    double tp = 0, ep = 0, cp = 0;                      // comm, by parallelism
  };
  constexpr step_estimate finish(const system_spec& s, const training_layout& l, const layer_times& t, double head,
                                 bytes activations) const;
  constexpr void add(const layer_einsum& op);
  constexpr detail::step_op attention_op(const layer_einsum& op, double share) const;
  constexpr detail::step_op matmul_op(const layer_einsum& op, double share);
  constexpr void add_elementwise(const layer_einsum& op);
  constexpr layer_times layer(const system_spec& s, const training_layout& l, double& head) const;
  constexpr double dp_time(const system_spec& s, const training_layout& l, double mb_bwd) const;
  constexpr double optimizer_time(const system_spec& s, const training_layout& l) const;
  constexpr count stage_layers(const training_layout& l) const { return ceil_div(count(model_.n_layers), l.pp); }

  model_config model_;
  step_options opt_;
  activation_memory activations_;
  detail::step_op ops_[max_ops]{};
  std::size_t n_ops_ = 0;
  // Memory-bound traffic, elements per token per layer: split over tp always, and only with
  // sequence parallelism; the cross-entropy's bytes per token (split over tp).
  double ew_tp_ = 0, ew_sp_ = 0, ew_head_ = 0;
  double row_groups_ = 0;  // row-parallel ops per layer: TP all-reduces per forward
  double moe_share_ = 0;   // fraction of layers that are MoE
  // Parameters: in the blocks (dense, routed experts), outside them on the first stage
  // (embeddings) and on the last (final norm, head, and a tied head's copy of the table).
  count block_dense_{}, block_expert_{}, first_stage_{}, last_stage_{}, tied_copy_{};
  double model_flops_ = 0, megatron_flops_ = 0;
};

// ---- building the profile (once per model) ------------------------------------------------

// Each op: its parameters to their stage; its time profile.
constexpr void step_model::add(const layer_einsum& op) {
  if (op.in_block) (op.part == component::experts ? block_expert_ : block_dense_) += op.params();
  else if (op.part == component::head || op.part == component::norms) last_stage_ += op.params();
  else first_stage_ += op.params();
  if (op.part == component::embedding && model_.tied_embeddings) tied_copy_ += op.params();
  if (op.kind == op_kind::lookup) return;
  if (op.kind == op_kind::elementwise) return add_elementwise(op);

  const double share = op.in_block ? static_cast<double>(op.layers) / static_cast<double>(model_.n_layers) : 1.0;
  ops_[n_ops_++] = op.kind == op_kind::attention ? attention_op(op, share) : matmul_op(op, share);
}

// QK^T or AV: FLOPs per (query, key) pair; the smallest matmul dimension is the head's.
constexpr detail::step_op step_model::attention_op(const layer_einsum& op, double share) const {
  double heads = 1;  // the k, g (or n) indices
  for (std::size_t i = 0; i < op.n_dims; ++i)
    if (detail::is_head_label(static_cast<unsigned char>(op.dims[i].label))) heads *= static_cast<double>(op.dims[i].size);
  detail::step_op s;
  s.attention = true;
  s.flops = op.unit.flops.to_double();  // per pair; the layers' share is kept apart (windows)
  s.layer_share = share;
  s.k = s.n = op.unit.macs.to_double() / heads;  // macs per pair = heads x head_dim
  s.shard_cap = heads;
  s.window = static_cast<double>(op.window);
  // Softmax and its dropout over the scores: 4.5 elements per pair and head.
  if (op.name.starts_with("scores")) s.ew_per_pair = 4.5 * heads;
  return s;
}

// A weight matmul: its shape, its TP split, and what it adds to the layer's collectives
// and memory-bound passes.
constexpr detail::step_op step_model::matmul_op(const layer_einsum& op, double share) {
  const einsum_spec& sp = *op.spec;
  const auto& w = sp.inputs[op.weight];
  auto kept = [&](char32_t, std::uint8_t id) { return einsum_spec::has(sp.output, id); };
  auto summed = [&](char32_t, std::uint8_t id) { return !einsum_spec::has(sp.output, id); };
  auto heads = [&](char32_t c, std::uint8_t) { return detail::is_head_label(c); };
  detail::step_op s;
  s.flops = op.unit.flops.to_double() * static_cast<double>(op.active) * share;
  s.in_block = op.in_block;
  s.expert = op.part == component::experts;
  s.k = detail::term_size(op, w, summed);
  s.n = detail::term_size(op, w, kept);
  const bool writes_d = sp.output.rank > 0 && sp.labels[sp.output.index[sp.output.rank - 1]] == 'd';
  const double h = detail::term_size(op, w, heads);
  if (op.part == component::router || s.n == 1) s.split = detail::tp_split::replicated;
  else s.split = writes_d ? detail::tp_split::row : detail::tp_split::column;
  s.shard_cap = h > 1 ? h : (writes_d ? s.k : s.n);
  if (s.expert) {
    s.m_scale = static_cast<double>(model_.moe.top_k) / static_cast<double>(model_.moe.n_experts);
    moe_share_ = share;
  }
  if (writes_d && op.in_block) row_groups_ += share;
  if (op.in_block && (op.name == "up_proj" || op.name == "experts.up_proj" || op.name == "shared.up_proj"))
    ew_tp_ += (model_.ffn.kind == ffn_kind::gated ? 3 : 2) * s.n * static_cast<double>(op.active) * share;
  if (!op.in_block) ew_head_ += s.n * 3 * 2 * 4;  // cross-entropy: three fp32 read + write passes
  return s;
}

// Memory-bound passes, per token and layer. Fused kernels do an elementwise einsum with
// the pass next to it (a norm's weight and bias inside the norm kernel, a bias with the
// dropout and residual add, the gating product with the activation function), so the
// passes are counted, not the einsums: each norm reads and writes d; each of the two
// residual adds reads 2 d and writes d; the activation function of an FFN of width f reads
// and writes f (a gated one reads 2 f).
constexpr void step_model::add_elementwise(const layer_einsum& op) {
  if (!op.in_block) return;
  const double share = static_cast<double>(op.layers) / static_cast<double>(model_.n_layers);
  if (op.part == component::norms && op.name == "block_norms")
    ew_sp_ += 2 * static_cast<double>(model_.d_model) * static_cast<double>(op.active) * share;
}

// ---- a layout --------------------------------------------------------------------------

namespace detail {
constexpr double matmul_efficiency(const system_spec& s, double n) {
  return s.efficiency.matmul_peak_fraction * n / (n + s.efficiency.matmul_half_size);
}
constexpr double smallest(double a, double b, double c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }
constexpr double at_most(double a, double b) { return a < b ? a : b; }
constexpr double at_least_zero(double a) { return a > 0 ? a : 0; }
// In constant evaluation the error's name is the message.
constexpr void compile_time_layout_error(layout_problem p) {
  switch (p) {
    case layout_problem::none: return;
    case layout_problem::zero_size: txmath_error_layout_sizes_must_be_positive();
    case layout_problem::zero_stage: txmath_error_layout_zero_stage_must_be_0_to_3();
    case layout_problem::tp_heads: txmath_error_layout_tp_must_divide_heads();
    case layout_problem::tp_kv_heads: txmath_error_layout_tp_must_divide_kv_heads();
    case layout_problem::tp_ffn: txmath_error_layout_tp_must_divide_ffn_width();
    case layout_problem::pp_layers: txmath_error_layout_pp_exceeds_layers();
    case layout_problem::interleave: txmath_error_layout_interleave_needs_pp_and_layers();
    case layout_problem::interleave_batches: txmath_error_layout_interleave_needs_micro_batches_multiple_of_pp();
    case layout_problem::ep_experts: txmath_error_layout_ep_must_divide_experts();
    case layout_problem::ep_dp: txmath_error_layout_ep_must_divide_dp();
    case layout_problem::cp_seq: txmath_error_layout_cp_must_divide_seq();
    case layout_problem::sp_seq: txmath_error_layout_sequence_parallel_needs_seq_divisible_by_cp_tp();
    case layout_problem::batch: txmath_error_layout_global_batch_not_multiple_of_dp_micro_batch();
  }
}
[[noreturn]] inline void layout_error(const std::string& why) {
  raise<invalid_argument>("txmath: layout: " + why);  // (works without exceptions too: core/error.hpp)
}
}  // namespace detail

// What is wrong with a layout for this model and batch (layout_problem::none: nothing).
constexpr layout_problem step_model::problem(const training_layout& l) const {
  using p = layout_problem;
  if (l.tp == 0 || l.pp == 0 || l.dp == 0 || l.ep == 0 || l.cp == 0 || l.micro_batch == 0 || l.interleave == 0)
    return p::zero_size;
  if (l.zero > 3) return p::zero_stage;
  if (count(model_.attention.n_heads) % l.tp != 0) return p::tp_heads;
  if (model_.attention.kind == attention_kind::standard && count(model_.kv_heads()) % l.tp != 0) return p::tp_kv_heads;
  if ((model_.n_moe_layers() < model_.n_layers && count(model_.ffn.d_ff) % l.tp != 0) ||
      (model_.is_moe() && count(model_.moe.d_ff_expert) % l.tp != 0))
    return p::tp_ffn;
  if (l.pp > count(model_.n_layers)) return p::pp_layers;
  if (l.interleave > 1 && (l.pp == 1 || l.pp * l.interleave > count(model_.n_layers))) return p::interleave;
  const count experts = model_.is_moe() ? count(model_.moe.n_experts) : count(1);
  if (experts % l.ep != 0) return p::ep_experts;
  if (l.dp % l.ep != 0) return p::ep_dp;
  if (opt_.seq % l.cp != 0) return p::cp_seq;
  if (l.sequence_parallel && (opt_.seq / l.cp) % l.tp != 0) return p::sp_seq;
  if (opt_.global_batch % (l.dp * l.micro_batch) != 0) return p::batch;
  // Megatron's interleaved schedule runs the micro-batches in groups of pp.
  if (l.interleave > 1 && (opt_.global_batch / (l.dp * l.micro_batch)) % l.pp != 0) return p::interleave_batches;
  return p::none;
}

constexpr void step_model::check(const training_layout& l) const {
  const layout_problem why = problem(l);
  if (why == layout_problem::none) return;
  if (std::is_constant_evaluated()) detail::compile_time_layout_error(why);
  const std::string heads = std::to_string(model_.attention.n_heads), layers = std::to_string(model_.n_layers);
  const std::string experts = std::to_string(model_.is_moe() ? model_.moe.n_experts : 1);
  std::string m;
  switch (why) {
    case layout_problem::none: return;
    case layout_problem::zero_size: m = "tp, pp, dp, ep, cp, micro-batch and interleave must be positive"; break;
    case layout_problem::zero_stage: m = "zero = " + std::to_string(l.zero) + " must be 0, 1, 2 or 3"; break;
    case layout_problem::tp_heads: m = "tp = " + l.tp.to_string() + " must divide the " + heads + " attention heads"; break;
    case layout_problem::tp_kv_heads:
      m = "tp = " + l.tp.to_string() + " must divide the " + std::to_string(model_.kv_heads()) + " key-value heads";
      break;
    case layout_problem::tp_ffn: m = "tp = " + l.tp.to_string() + " must divide the FFN width"; break;
    case layout_problem::pp_layers: m = "pp = " + l.pp.to_string() + " exceeds the " + layers + " layers"; break;
    case layout_problem::interleave:
      m = "interleave = " + l.interleave.to_string() + " needs pp > 1 and pp x interleave <= the " + layers + " layers";
      break;
    case layout_problem::interleave_batches:
      m = "interleave = " + l.interleave.to_string() + " needs the micro-batches per step (" +
          (opt_.global_batch / (l.dp * l.micro_batch)).to_string() + ") to be a multiple of pp = " + l.pp.to_string();
      break;
    case layout_problem::ep_experts: m = "ep = " + l.ep.to_string() + " must divide the " + experts + " experts"; break;
    case layout_problem::ep_dp: m = "ep = " + l.ep.to_string() + " must divide dp = " + l.dp.to_string(); break;
    case layout_problem::cp_seq:
      m = "cp = " + l.cp.to_string() + " must divide the sequence length " + opt_.seq.to_string();
      break;
    case layout_problem::sp_seq:
      m = "sequence parallelism needs seq / cp = " + (opt_.seq / l.cp).to_string() + " divisible by tp = " + l.tp.to_string();
      break;
    case layout_problem::batch:
      m = "the global batch " + opt_.global_batch.to_string() + " is not a multiple of dp x micro-batch = " +
          (l.dp * l.micro_batch).to_string();
      break;
  }
  detail::layout_error(m);
}

// One layer, one micro-batch, on one GPU; `head` gets the head's and the loss's time.
constexpr step_model::layer_times step_model::layer(const system_spec& s, const training_layout& l, double& head) const {
  const double tp = l.tp.to_double(), cp = l.cp.to_double(), seq = opt_.seq.to_double();
  const double local_tokens = l.micro_batch.to_double() * seq / cp;
  const double peak_rate = peak(s.gpu, opt_.compute).value();
  const double bw = s.gpu.memory_bandwidth.value() * s.efficiency.memory_fraction;
  const double eb = bits_of(opt_.compute) / 8.0, d = static_cast<double>(model_.d_model);
  double mm = 0, attn = 0, attn_ew = 0, head_mm = 0;
  for (std::size_t i = 0; i < n_ops_; ++i) {
    const detail::step_op& o = ops_[i];
    const double shard = o.split == detail::tp_split::replicated ? 1 : detail::at_most(tp, o.shard_cap);
    if (o.attention) {
      const double keys = o.window > 0 ? detail::at_most(seq, o.window) : seq;
      const double pairs = local_tokens * keys * (l.flash_attention && o.window == 0 ? 0.5 : 1.0) * o.layer_share / shard;
      attn += o.flops * pairs / (peak_rate * detail::matmul_efficiency(s, o.k));
      if (!l.flash_attention) attn_ew += o.ew_per_pair * pairs * eb / bw;
      continue;
    }
    const double rows = local_tokens * o.m_scale * (o.expert ? l.ep.to_double() : 1.0);
    const double k = o.split == detail::tp_split::row ? o.k / shard : o.k;
    const double n = o.split == detail::tp_split::column ? o.n / shard : o.n;
    const double t = o.flops * local_tokens / shard / (peak_rate * detail::matmul_efficiency(s, detail::smallest(rows, k, n)));
    (o.in_block ? mm : head_mm) += t;
  }
  const double ew = (ew_tp_ / tp + ew_sp_ / (l.sequence_parallel ? tp : 1.0)) * local_tokens * eb / bw;
  head = 3 * head_mm + ew_head_ / tp * local_tokens / bw;

  const double tp_f = l.tp > 1 ? row_groups_ * detail::all_reduce_seconds(s, local_tokens * d * eb, tp,
                                                                          group_in(s, l.tp, 1).per_domain.to_double())
                               : 0.0;
  double ep_f = 0;
  if (l.ep > 1)
    ep_f = moe_share_ * 2 *
           detail::all_to_all_seconds(s, local_tokens * static_cast<double>(model_.moe.top_k) * d * eb, l.ep.to_double(),
                                      group_in(s, l.ep, l.tp * l.cp).per_domain.to_double());
  double cp_exposed = 0;
  if (l.cp > 1) {
    const double kv = static_cast<double>(model_.kv_heads()), hd = static_cast<double>(model_.head_dim());
    const double kv_bytes = 2 * local_tokens * kv * hd / detail::at_most(tp, kv) * eb;
    const double ring = (cp - 1) * detail::p2p_seconds(s, kv_bytes, l.tp * l.cp > s.gpus_per_domain);
    cp_exposed = 3 * detail::at_least_zero(ring - attn);  // forward once, backward twice
  }
  layer_times r;
  r.fwd = mm + attn + ew + attn_ew;
  r.bwd = 2 * r.fwd;
  r.tp = 2 * tp_f;
  r.ep = 2 * ep_f;
  r.cp = cp_exposed;
  r.comm = r.tp + r.ep + r.cp;
  if (l.recompute_mode == recompute::full) r.recompute = r.fwd + tp_f + ep_f;
  else if (l.recompute_mode == recompute::selective) r.recompute = attn + attn_ew;
  return r;
}

// Training state per GPU, largest stage: its share of the blocks, and the first or the last
// stage's extras (both when pp = 1, a tied table once).
constexpr bytes step_model::state_bytes(const training_layout& l) const {
  const count L = model_.n_layers, Ls = stage_layers(l);
  const count extras = l.pp == 1 ? first_stage_ + last_stage_
                                 : (first_stage_ > last_stage_ + tied_copy_ ? first_stage_ : last_stage_ + tied_copy_);
  const count n = ceil_div(block_dense_ * Ls, L * l.tp) + ceil_div(extras, l.tp) +
                  ceil_div(block_expert_ * Ls, L * l.tp * l.ep);
  constexpr sharding stages[] = {sharding::none, sharding::zero1, sharding::zero2, sharding::zero3};
  const sharding z = stages[l.zero < 4 ? l.zero : 3];
  return training_state_bytes(params(n), opt_.precision, z, l.dp).total();
}

// Exposed data-parallel time; `mb_time` is one micro-batch on the stage (what overlaps it).
constexpr double step_model::dp_time(const system_spec& s, const training_layout& l, double mb_time) const {
  if (l.dp == 1) return 0;
  const double Ls = stage_layers(l).to_double(), L = static_cast<double>(model_.n_layers), tp = l.tp.to_double();
  const double extras = (l.pp == 1 ? (first_stage_ + last_stage_) : first_stage_ + tied_copy_).to_double();
  const double dense = (block_dense_.to_double() * Ls / L + extras) / tp;
  const double expert = block_expert_.to_double() * Ls / L / (tp * l.ep.to_double());
  const double gb = bits_of(opt_.precision.gradients) / 8.0, wb = bits_of(opt_.precision.weights) / 8.0;
  const comm_group gd = group_in(s, l.dp, l.tp * l.cp), ge = group_in(s, l.dp / l.ep, l.tp * l.cp * l.ep);
  auto pass = [&](double b, const comm_group& g) {
    return detail::all_gather_seconds(s, b, g.size.to_double(), g.per_domain.to_double());
  };
  if (l.zero == 3) {  // per micro-batch: gather the weights forward and backward, scatter the gradients
    const double t = 2 * (pass(dense * wb, gd) + pass(expert * wb, ge)) + pass(dense * gb, gd) + pass(expert * gb, ge);
    const double m = (opt_.global_batch / (l.dp * l.micro_batch)).to_double();
    return m * (opt_.overlap_dp ? detail::at_least_zero(t - mb_time) : t);
  }
  auto exposed = [&](double t) { return opt_.overlap_dp ? detail::at_least_zero(t - mb_time) : t; };
  const double scatter = pass(dense * gb, gd) + pass(expert * gb, ge), gather = pass(dense * wb, gd) + pass(expert * wb, ge);
  if (l.zero == 2) {  // sharded gradients: reduce-scattered after every micro-batch's backward
    const double m = (opt_.global_batch / (l.dp * l.micro_batch)).to_double();
    return m * exposed(scatter) + exposed(gather);
  }
  // All-reduce (two passes); ZeRO 1: one reduce-scatter of the accumulated gradients and an
  // all-gather of the updated weights.
  return exposed(l.zero == 0 ? 2 * scatter : scatter + gather);
}

// Adam on this GPU's (ZeRO-sharded) parameters: every state byte read and written once,
// the gradient read, the working weights written.
constexpr double step_model::optimizer_time(const system_spec& s, const training_layout& l) const {
  const training_precision& p = opt_.precision;
  const double state = 4.0 * (p.master_weights ? 1 : 0) + 4.0 * (p.master_gradients ? 1 : 0) +
                       static_cast<double>(p.optimizer_states) * bits_of(p.optimizer_state) / 8.0;
  const double per_param = 2 * state + bits_of(p.gradients) / 8.0 + bits_of(p.weights) / 8.0;
  const count Ls = stage_layers(l);
  const double params_gpu = (block_dense_.to_double() * Ls.to_double() / static_cast<double>(model_.n_layers) +
                             (first_stage_ + last_stage_).to_double() / (l.pp == 1 ? 1.0 : 2.0)) /
                                l.tp.to_double() +
                            block_expert_.to_double() * Ls.to_double() / static_cast<double>(model_.n_layers) /
                                (l.tp * l.ep).to_double();
  const double shard = l.zero == 0 ? 1.0 : l.dp.to_double();
  return params_gpu / shard * per_param / (s.gpu.memory_bandwidth.value() * s.efficiency.memory_fraction);
}

constexpr step_estimate step_model::evaluate(const system_spec& s, const training_layout& l) const {
  check(l);
  double head = 0;
  const layer_times t = layer(s, l, head);
  return finish(s, l, t, head, activations_.peak(opt_.seq, l).kept.total());
}

// The step from one layer's times (what the search reuses across pp, interleave, dp, ZeRO).
constexpr step_estimate step_model::finish(const system_spec& s, const training_layout& l, const layer_times& t,
                                           double head, bytes activations) const {
  const double Ls = stage_layers(l).to_double(), v = l.interleave.to_double(), pp = l.pp.to_double();
  step_estimate e;
  e.micro_batches = opt_.global_batch / (l.dp * l.micro_batch);
  const double m = e.micro_batches.to_double();
  double p2p = 0;  // per micro-batch: a message forward and one backward per chunk boundary
  if (l.pp > 1) {
    const double msg = l.micro_batch.to_double() * (opt_.seq / l.cp).to_double() * static_cast<double>(model_.d_model) *
                       bits_of(opt_.compute) / 8.0 / l.tp.to_double();
    p2p = 2 * v * detail::p2p_seconds(s, msg, l.tp * l.cp * l.dp >= s.gpus_per_domain);
  }
  const double stage = Ls * (t.fwd + t.bwd + t.recompute + t.comm) + head + p2p;
  e.parts.compute = m * (Ls * (t.fwd + t.bwd) + head);
  e.parts.recompute = m * Ls * t.recompute;
  e.parts.comm = {.tp = m * Ls * t.tp, .ep = m * Ls * t.ep, .cp = m * Ls * t.cp, .pp = m * p2p,
                  .dp = dp_time(s, l, Ls * t.bwd)};
  e.parts.communication = e.parts.comm.total();
  e.parts.bubble = (pp - 1) / v * stage;
  e.parts.optimizer = optimizer_time(s, l);
  e.step_seconds = e.parts.total();

  e.state_per_gpu = state_bytes(l);
  e.activations_per_gpu = activations;
  e.memory_per_gpu = e.state_per_gpu + e.activations_per_gpu;
  const double gpu_seconds = e.step_seconds * l.devices().to_double() * peak(s.gpu, opt_.compute).value();
  e.mfu = model_flops_ / gpu_seconds;
  e.mfu_megatron = megatron_flops_ / gpu_seconds;
  e.tflops_per_gpu = model_flops_ / (e.step_seconds * l.devices().to_double()) / 1e12;
  return e;
}

}  // namespace txmath

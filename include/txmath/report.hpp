#pragma once
// The whole account of a model in one plain struct: parameters by component, FLOPs, memory,
// training time and cost, inference (fit, tensor-parallel degree, roofline times, tokens
// per second) and notes that say which conventions changed a figure. Front ends (the txmath
// tool, the web page, planners) only render it; every figure comes from the library:
// param_count, flops_per_step/run, the memory and KV-cache accounts, hardware, inference.
//
//   const txmath::model_report r = txmath::make_report(txmath::presets::llama_3_8b,
//                                                      {.seq_len = 4096, .batch = 8});
//   r.params.total, r.flops.per_step.training.total, r.memory.kv_cache, r.training.time,
//   r.inference.min_tp_that_fits, r.notes.has(note::flash_attention_assumed)
//   for (const std::string& line : txmath::note_texts(r)) ...   // the notes in words
//
// Notes are a short list of kinds (a constant expression, as the rest of the struct);
// note_text() words them at run time from the report's own figures.
//
// Defaults: 4096 tokens x 8 sequences, bf16 weights, KV cache and compute, 1024 H100 SXM at
// 40% MFU and $2 per GPU-hour, 20 training tokens per parameter, mixed-precision Adam
// (16 bytes per parameter), FlashAttention on (every current training stack uses it).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/activation_memory.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/format.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/inference.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/layout.hpp>
#include <txmath/memory.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>
#include <txmath/step_time.hpp>
#include <txmath/system.hpp>

TXMATH_DEFINE_ERROR(txmath_error_report_needs_an_accelerator, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_report_seq_len_and_batch_must_be_positive, invalid_argument)

namespace txmath {

struct report_options {
  std::uint64_t seq_len = 4096;  // tokens per sequence
  std::uint64_t batch = 8;       // sequences per step (training micro-batch, inference batch)
  count tokens = 0;              // training tokens of a run; 0: 20 per parameter (Chinchilla)
  dtype weights = dtype::bf16;   // inference weights
  dtype kv_cache = dtype::bf16;  // the KV cache
  dtype compute = dtype::bf16;   // the peak used for time
  const accelerator* gpu = &accelerators::h100_sxm;
  count gpus = 1024;             // GPUs of the training run
  double mfu = 0.4;
  double price_per_gpu_hour = 2.0;
  bool flash_attention = true;   // activations keep no seq x seq score tensor
  std::uint64_t max_context = 0;  // the model's context, for a note (0: unknown)
  training_precision precision = training_precisions::mixed_bf16_adam;
  // A parallel layout on a system (system.hpp): when `system` is set, the report adds the
  // step time, MFU and memory per GPU of `layout` (step_time.hpp) for a global batch of
  // `batch` sequences of seq_len (layout.flash_attention is taken from flash_attention).
  const system_spec* system = nullptr;
  training_layout layout{};
};

struct report_flops {
  flop_report per_step{};            // batch x seq_len tokens
  txmath::flops training_per_run{};  // `tokens` in sequences of seq_len
  txmath::flops six_n_d{};           // 6 x active parameters x tokens, for comparison
};

struct report_memory {
  txmath::bytes weights{};                       // in the weights dtype
  txmath::bytes training_state{};                // weights, gradients, Adam: unsharded
  txmath::bytes training_state_per_gpu_zero3{};  // sharded over `gpus`
  txmath::bytes activations{};                   // one micro-batch of `batch`, no recompute, one GPU
  txmath::bytes activations_full_recompute{};    // the same keeping each layer's input only
  txmath::bytes kv_cache{};                      // batch x seq_len, sliding windows applied
  txmath::bytes kv_cache_per_token{};            // one more token, every layer
  txmath::bytes kv_cache_without_windows{};      // as if every layer kept every token
};

struct report_training {
  flop_rate peak{};  // one GPU, compute dtype
  txmath::seconds time{};
  double gpu_hours = 0;
  double cost = 0;   // in the currency of price_per_gpu_hour
};

// One training layout on a system (report_options.system set): step_time.hpp's estimate.
struct report_layout {
  bool present = false;
  training_layout layout{};    // as evaluated
  count gpus = 0;              // tp x pp x cp x dp
  txmath::bytes gpu_memory{};  // one GPU's HBM on the system
  step_estimate estimate{};    // step_seconds, parts, memory_per_gpu, mfu, ...
};

// A convention or a condition that changed a figure of the report.
enum class note : std::uint8_t {
  flash_attention_assumed,     // activations keep no seq x seq scores
  flash_attention_off,         // activations include them
  default_training_tokens,     // 20 tokens per parameter
  seq_exceeds_context,         // seq_len > the model's max_context
  sliding_window_limits_kv,    // seq_len > the window: KV cache and attention FLOPs smaller
  inference_needs_tp,          // does not fit one GPU; min_tp_that_fits does
  inference_does_not_fit,      // no tensor-parallel degree up to 64 holds it
  inference_reads_all_experts, // MoE: every expert read each step (an upper bound)
  layout_exceeds_memory        // the layout's memory per GPU exceeds the system's HBM
};

// The notes of a report, in the order they were added (at most one of each kind).
class report_notes {
 public:
  static constexpr std::size_t capacity = 9;
  constexpr void add(note n) {
    if (!has(n) && size_ < capacity) items_[size_++] = n;
  }
  [[nodiscard]] constexpr bool has(note n) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (items_[i] == n) return true;
    return false;
  }
  [[nodiscard]] constexpr std::size_t size() const { return size_; }
  [[nodiscard]] constexpr const note* begin() const { return items_; }
  [[nodiscard]] constexpr const note* end() const { return items_ + size_; }

 private:
  note items_[capacity]{};
  std::size_t size_ = 0;
};

// The sliding window of the model, for the notes: `layers` of `n_layers` keep `window` tokens.
struct report_window {
  std::uint64_t window = 0;  // 0: none
  std::uint64_t layers = 0;
  std::uint64_t n_layers = 0;
};

struct model_report {
  report_options settings{};  // as used: tokens resolved
  param_report params{};
  report_flops flops{};
  report_memory memory{};
  report_training training{};
  inference_account inference{};
  report_layout layout{};  // present only with report_options.system
  report_window sliding{};
  report_notes notes{};
};

// Activation memory of one training micro-batch under layout `l`: the peak of the derived
// account (activation_memory.hpp: the tensors the lowered einsums keep for the backward pass,
// the embedding's token ids and the head's inputs and fp32 logits included). The report takes
// its figures from here and nowhere else. (Korthikanti et al.'s GPT closed form,
// activations.hpp, is a cross-check in the tests, not a figure of the report.)
[[nodiscard]] constexpr bytes report_activation_bytes(const activation_memory& account, count seq,
                                                      const training_layout& l) {
  return account.peak(seq, l).kept.total();
}
[[nodiscard]] constexpr bytes report_activation_bytes(const model_config& m, count seq, const training_layout& l) {
  return report_activation_bytes(activation_memory(m), seq, l);
}

// The step time and memory per GPU of o.layout on *o.system, one step of o.batch sequences.
[[nodiscard]] constexpr report_layout report_layout_of(const model_config& m, const report_options& o) {
  report_layout out;
  out.present = true;
  out.layout = o.layout;
  out.layout.flash_attention = o.flash_attention;
  out.gpus = out.layout.devices();
  out.gpu_memory = o.system->gpu.memory;
  const step_model model(m, {.seq = count(o.seq_len), .global_batch = count(o.batch), .compute = o.compute,
                             .precision = o.precision});
  out.estimate = model.evaluate(*o.system, out.layout);
  return out;
}

// The whole account of `m` under `o` (defaults above).
[[nodiscard]] constexpr model_report make_report(const model_config& m, const report_options& o = {}) {
  if (o.gpu == nullptr)
    TXMATH_FAIL(txmath_error_report_needs_an_accelerator, invalid_argument,
                "txmath: report_options.gpu is null; name an accelerator (txmath::accelerators)");
  if (o.seq_len == 0 || o.batch == 0)
    TXMATH_FAIL(txmath_error_report_seq_len_and_batch_must_be_positive, invalid_argument,
                "txmath: report_options: seq_len = " + std::to_string(o.seq_len) + " and batch = " +
                    std::to_string(o.batch) + " must both be at least 1");
  model_report r;
  r.settings = o;
  r.params = param_count(m);
  if (o.tokens == 0) r.settings.tokens = count(20) * r.params.total.value();
  const txmath::tokens run_tokens(r.settings.tokens);

  const flop_options fo{.seq_len = o.seq_len, .batch = o.batch};
  r.flops.per_step = flops_per_step(m, fo);
  r.flops.training_per_run = flops_per_run(m, run_tokens, fo).training.total;
  r.flops.six_n_d = six_n_d(r.params.active, run_tokens);

  const count seq(o.seq_len), batch(o.batch);
  training_layout layout;  // not const: GCC 12 rejects a const aggregate of counts in constant evaluation
  layout.micro_batch = batch;
  layout.flash_attention = o.flash_attention;
  training_layout full = layout;
  full.recompute_mode = recompute::full;
  r.memory.weights = weight_bytes(r.params.total, o.weights);
  r.memory.training_state = training_state_bytes(r.params.total, o.precision).total();
  r.memory.training_state_per_gpu_zero3 = training_state_bytes(r.params.total, o.precision, sharding::zero3, o.gpus).total();
  const activation_memory activations(m);  // lowered once for both figures
  r.memory.activations = report_activation_bytes(activations, seq, layout);
  r.memory.activations_full_recompute = report_activation_bytes(activations, seq, full);
  r.memory.kv_cache = kv_cache_bytes(m, seq, batch, o.kv_cache);
  r.memory.kv_cache_per_token = kv_cache_bytes_per_token(m, o.kv_cache);
  r.memory.kv_cache_without_windows = r.memory.kv_cache_per_token * seq * batch;

  r.training.peak = peak(*o.gpu, o.compute);
  r.training.time = training_time(r.flops.training_per_run, o.gpus, r.training.peak, o.mfu);
  r.training.gpu_hours = device_hours(r.training.time, o.gpus);
  r.training.cost = run_cost(r.training.time, o.gpus, o.price_per_gpu_hour);

  r.inference = inference(m, *o.gpu, {.context = o.seq_len, .batch = o.batch, .weights = o.weights,
                                      .kv_cache = o.kv_cache, .compute = o.compute});

  if (o.system != nullptr) r.layout = report_layout_of(m, o);

  r.sliding = {.window = m.attention.sliding_window, .layers = m.n_sliding_layers(), .n_layers = m.n_layers};
  r.notes.add(o.flash_attention ? note::flash_attention_assumed : note::flash_attention_off);
  if (o.tokens == 0) r.notes.add(note::default_training_tokens);
  if (o.max_context != 0 && o.seq_len > o.max_context) r.notes.add(note::seq_exceeds_context);
  if (r.sliding.layers != 0 && o.seq_len > r.sliding.window) r.notes.add(note::sliding_window_limits_kv);
  if (r.inference.min_tp_that_fits == 0) r.notes.add(note::inference_does_not_fit);
  else if (!r.inference.fits_one_gpu) r.notes.add(note::inference_needs_tp);
  if (m.is_moe()) r.notes.add(note::inference_reads_all_experts);
  if (r.layout.present && r.layout.estimate.memory_per_gpu > r.layout.gpu_memory) r.notes.add(note::layout_exceeds_memory);
  return r;
}

// ---- the notes in words (run time) ------------------------------------------------------------

namespace detail {
inline std::string bytes_text(bytes b) { return format_bytes(b).str(); }
}  // namespace detail

inline std::string note_text(const model_report& r, note n) {
  const auto& s = r.settings;
  const auto& a = r.inference;
  const std::string gpu(s.gpu->name), need = detail::bytes_text(a.weights + a.kv_cache);
  const std::string window = std::to_string(r.sliding.window);
  switch (n) {
    case note::flash_attention_assumed:
      return "FlashAttention assumed: activations keep no seq x seq attention scores";
    case note::flash_attention_off:
      return "FlashAttention off: activations include every layer's seq x seq attention probabilities "
             "(heads x seq^2 x batch x 2 bytes a layer)";
    case note::default_training_tokens:
      return "training tokens default to 20 per parameter (Chinchilla's rule of thumb)";
    case note::seq_exceeds_context:
      return "seq_len " + std::to_string(s.seq_len) + " exceeds the model's context of " +
             std::to_string(s.max_context) + " tokens";
    case note::sliding_window_limits_kv:
      return "sliding window: " + std::to_string(r.sliding.layers) + " of " + std::to_string(r.sliding.n_layers) +
             " layers attend to and cache only the last " + window + " tokens, so at " + std::to_string(s.seq_len) +
             " tokens the KV cache is " + detail::bytes_text(r.memory.kv_cache) + " (" +
             detail::bytes_text(r.memory.kv_cache_without_windows) +
             " if every layer kept every token) and attention FLOPs count at most " + window + " keys a query there";
    case note::inference_needs_tp:
      return "inference: weights and KV cache (" + need + ") exceed one " + gpu + " (" +
             detail::bytes_text(a.gpu_memory) + "); the smallest tensor-parallel degree that fits is " +
             a.min_tp_that_fits.to_string() + " (" + detail::bytes_text(a.memory_per_gpu) +
             " a GPU), and inference times are for that many GPUs";
    case note::inference_does_not_fit:
      return "inference: weights and KV cache (" + need + ") do not fit on " + gpu +
             " GPUs with tensor parallelism up to 64 (" + detail::bytes_text(a.gpu_memory) +
             " each); no inference times";
    case note::inference_reads_all_experts:
      return "inference reads every expert's weights each step (an upper bound at small batch)";
    case note::layout_exceeds_memory:
      return "layout: " + detail::bytes_text(r.layout.estimate.memory_per_gpu) + " per GPU (training state " +
             detail::bytes_text(r.layout.estimate.state_per_gpu) + " + activations " +
             detail::bytes_text(r.layout.estimate.activations_per_gpu) + ") exceeds one " + std::string(s.system->gpu.name) +
             "'s " + detail::bytes_text(r.layout.gpu_memory);
  }
  return "";
}

// Every note of `r`, worded.
inline std::vector<std::string> note_texts(const model_report& r) {
  std::vector<std::string> out;
  for (note n : r.notes) out.push_back(note_text(r, n));
  return out;
}

}  // namespace txmath

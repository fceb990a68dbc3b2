#pragma once
// Fine-tuning: LoRA adapters (Hu et al. 2021) counted as PEFT counts them, and the memory of
// LoRA, QLoRA (Dettmers et al. 2023) and full fine-tuning.
//
//   using namespace txmath;
//   constexpr lora_config lora{.rank = 8, .targets = lora_targets::q_proj | lora_targets::v_proj};
//   constexpr auto p = peft_parameter_count(presets::llama_2_7b, lora);
//   p.trainable  // 4,194,304;  p.total  // 6,742,609,920;  peft_summary(p) is PEFT's line
//   finetune_memory_of(presets::llama_2_7b, {.lora = lora, .base = weight_quantizations::nf4_double_quant})
//
// LoRA on a linear layer W (in -> out) adds A (in x r) and B (r x out): r (in + out)
// parameters, no bias. Targets are PEFT's module names, matched as PEFT matches them (by the
// module name's suffix in the Hugging Face model): q_proj, k_proj, v_proj, o_proj,
// gate_proj, up_proj, down_proj also hit the shared experts and the routed experts of models
// whose experts use those names (Qwen-MoE, DeepSeek); Mixtral names its experts w1 (gate),
// w2 (down), w3 (up). A routed expert layer of n experts gets n adapters. MLA: q_a_proj,
// q_b_proj, kv_a_proj_with_mqa, kv_b_proj.
//
// PEFT's print_trainable_parameters: "trainable params: T || all params: A || trainable%: P"
// with A the base model's parameters plus the adapters, and P = 100 T / A to 4 decimals.
//
// Memory (one GPU, no parallelism):
// - the frozen base in its storage (quantization.hpp): bf16, or NF4 with double quantization
//   for QLoRA (bitsandbytes quantizes the linear layers of the blocks; 4 + 8/64 + 32/(64 256)
//   = 4.127 bits per weight, the QLoRA paper's figure; embeddings, head and norms stay bf16);
// - the adapters' weights, gradients and Adam state: fp32 by default (PEFT keeps adapters in
//   fp32: autocast_adapter_dtype), 4 + 4 + 8 = 16 bytes per trainable parameter;
// - activations of one micro-batch from the lowered model (activation_memory.hpp: flash
//   attention, bf16; with gradient checkpointing only each layer's input, plus the token
//   ids, the head's inputs and the fp32 logits), plus the rank-r intermediate x A of every
//   adapter (16-bit) that LoRA's backward needs. The base's activations are counted as
//   training keeps them: an upper bound, since autograd need not keep the input of a frozen
//   linear that no adapter reads.
// Full fine-tuning for comparison: every parameter trained with mixed-precision Adam
// (memory.hpp's default, 16 bytes per parameter) and the same activations.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <txmath/activation_memory.hpp>
#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/format.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/layers.hpp>
#include <txmath/layout.hpp>
#include <txmath/memory.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>
#include <txmath/quantization.hpp>
#include <txmath/recompute.hpp>

TXMATH_DEFINE_ERROR(txmath_error_lora_rank_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_lora_targets_match_no_module, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_unknown_lora_target_module, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_finetune_seq_and_batch_must_be_positive, invalid_argument)

namespace txmath {

// A set of PEFT target module names, as bits.
struct lora_targets {
  std::uint32_t bits = 0;

  static const lora_targets q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, w1, w2, w3,
      q_a_proj, q_b_proj, kv_a_proj_with_mqa, kv_b_proj;
  friend constexpr lora_targets operator|(lora_targets a, lora_targets b) { return {a.bits | b.bits}; }
  [[nodiscard]] constexpr bool has(lora_targets t) const { return (bits & t.bits) != 0; }
  friend constexpr bool operator==(lora_targets, lora_targets) = default;
};
inline constexpr lora_targets lora_targets::q_proj{1u << 0}, lora_targets::k_proj{1u << 1},
    lora_targets::v_proj{1u << 2}, lora_targets::o_proj{1u << 3}, lora_targets::gate_proj{1u << 4},
    lora_targets::up_proj{1u << 5}, lora_targets::down_proj{1u << 6}, lora_targets::w1{1u << 7},
    lora_targets::w2{1u << 8}, lora_targets::w3{1u << 9}, lora_targets::q_a_proj{1u << 10},
    lora_targets::q_b_proj{1u << 11}, lora_targets::kv_a_proj_with_mqa{1u << 12}, lora_targets::kv_b_proj{1u << 13};

namespace detail {
struct lora_target_name {
  std::string_view name;
  lora_targets target;
};
inline constexpr lora_target_name lora_target_names[] = {
    {"q_proj", lora_targets::q_proj},       {"k_proj", lora_targets::k_proj},
    {"v_proj", lora_targets::v_proj},       {"o_proj", lora_targets::o_proj},
    {"gate_proj", lora_targets::gate_proj}, {"up_proj", lora_targets::up_proj},
    {"down_proj", lora_targets::down_proj}, {"w1", lora_targets::w1},
    {"w2", lora_targets::w2},               {"w3", lora_targets::w3},
    {"q_a_proj", lora_targets::q_a_proj},   {"q_b_proj", lora_targets::q_b_proj},
    {"kv_a_proj_with_mqa", lora_targets::kv_a_proj_with_mqa}, {"kv_b_proj", lora_targets::kv_b_proj}};
}  // namespace detail

// "q_proj,v_proj" -> the set; "all-linear" -> every linear of the blocks (PEFT's shorthand:
// all linear layers but the output head).
[[nodiscard]] constexpr lora_targets parse_lora_targets(std::string_view list) {
  if (list == "all-linear") {
    lora_targets all{};
    for (const auto& n : detail::lora_target_names) all = all | n.target;
    return all;
  }
  lora_targets out{};
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    bool known = false;
    for (const auto& n : detail::lora_target_names)
      if (n.name == item) {
        out = out | n.target;
        known = true;
      }
    if (!known)
      TXMATH_FAIL(txmath_error_unknown_lora_target_module, invalid_argument,
                  "txmath: unknown LoRA target module '" + std::string(item) +
                      "' (expected q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, w1, w2, "
                      "w3, q_a_proj, q_b_proj, kv_a_proj_with_mqa, kv_b_proj or all-linear)");
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

struct lora_config {
  count rank = 8;
  lora_targets targets = lora_targets::q_proj | lora_targets::v_proj;  // PEFT's default for Llama
};

namespace detail {
// Whether PEFT's target list hits this lowered op.
constexpr bool lora_hits(const layer_einsum& op, lora_targets t) {
  if (op.kind != op_kind::matmul || !op.in_block || op.part == component::router || op.weight < 0) return false;
  const std::string_view n = op.name;
  const bool routed = op.part == component::experts;
  if (n == "q_proj") return t.has(lora_targets::q_proj);
  if (n == "k_proj") return t.has(lora_targets::k_proj);
  if (n == "v_proj") return t.has(lora_targets::v_proj);
  if (n == "o_proj") return t.has(lora_targets::o_proj);
  if (n == "q_a_proj") return t.has(lora_targets::q_a_proj);
  if (n == "q_b_proj") return t.has(lora_targets::q_b_proj);
  if (n == "kv_a_proj") return t.has(lora_targets::kv_a_proj_with_mqa);
  if (n == "kv_b_proj") return t.has(lora_targets::kv_b_proj);
  if (n.ends_with("gate_proj")) return t.has(lora_targets::gate_proj) || (routed && t.has(lora_targets::w1));
  if (n.ends_with("up_proj")) return t.has(lora_targets::up_proj) || (routed && t.has(lora_targets::w3));
  if (n.ends_with("down_proj")) return t.has(lora_targets::down_proj) || (routed && t.has(lora_targets::w2));
  return false;
}
// in + out of op's weight: its summed indices (inputs) and its kept ones (outputs).
constexpr count in_plus_out(const layer_einsum& op) {
  const count in = weight_row(op);
  return in + exact_div(op.weight_elements, in);
}
}  // namespace detail

// Adapter parameters: r (in + out) for every targeted linear of every layer (every expert).
[[nodiscard]] constexpr count lora_parameters(const model_config& m, const lora_config& c) {
  if (c.rank == 0)
    TXMATH_FAIL(txmath_error_lora_rank_must_be_positive, invalid_argument,
                "txmath: LoRA rank r = 0: give r >= 1 (PEFT's default is 8)");
  count total = 0;
  for (const auto& op : lower(m))
    if (detail::lora_hits(op, c.targets)) total += c.rank * detail::in_plus_out(op) * count(op.layers) * count(op.copies);
  if (total == 0)
    TXMATH_FAIL(txmath_error_lora_targets_match_no_module, invalid_argument,
                "txmath: the LoRA target modules match no linear layer of this model (Mixtral's experts are "
                "w1, w2, w3; MLA's projections q_a_proj, q_b_proj, kv_a_proj_with_mqa, kv_b_proj)");
  return total;
}

// What PEFT's print_trainable_parameters prints.
struct peft_counts {
  txmath::params trainable{};
  txmath::params total{};  // the base model's parameters plus the adapters
  [[nodiscard]] constexpr double trainable_percent() const {
    return 100.0 * trainable.to_double() / total.to_double();
  }
};

[[nodiscard]] constexpr peft_counts peft_parameter_count(const model_config& m, const lora_config& c) {
  const count adapters = lora_parameters(m, c);
  return {params(adapters), param_count(m).total + params(adapters)};
}

// PEFT's line: "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622".
inline std::string peft_summary(const peft_counts& p) {
  const auto grouped = [](count c) { return format_grouped(c).str(); };
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.4f", p.trainable_percent());
  return "trainable params: " + grouped(p.trainable.value()) + " || all params: " + grouped(p.total.value()) +
         " || trainable%: " + pct;
}

// ---- memory ------------------------------------------------------------------------------

struct finetune_options {
  lora_config lora{};
  bool full = false;                                        // full fine-tuning instead of LoRA
  weight_quantization base = weight_quantizations::bf16;   // the frozen base's storage
  training_precision adapters = training_precisions::fp32_adam;  // LoRA's trainable state
  training_precision full_precision = training_precisions::mixed_bf16_adam;
  count seq = 2048;
  count batch = 1;  // sequences per micro-batch
  bool gradient_checkpointing = false;
};

struct finetune_memory {
  txmath::params trainable{};
  txmath::bytes base_weights{};   // frozen weights (full fine-tuning: the trained weights)
  txmath::bytes adapter_weights{};
  txmath::bytes gradients{};
  txmath::bytes optimizer{};      // Adam moments (and fp32 master weights when trained in bf16)
  txmath::bytes activations{};
  [[nodiscard]] constexpr txmath::bytes total() const {
    return base_weights + adapter_weights + gradients + optimizer + activations;
  }
};

// Activations of one micro-batch, plus the adapters' rank-r intermediates when `lora`.
[[nodiscard]] constexpr bytes finetune_activation_bytes(const model_config& m, const finetune_options& o) {
  if (o.seq == 0 || o.batch == 0)
    TXMATH_FAIL(txmath_error_finetune_seq_and_batch_must_be_positive, invalid_argument,
                "txmath: fine-tuning needs seq >= 1 and batch >= 1, got seq = " + o.seq.to_string() +
                    ", batch = " + o.batch.to_string());
  const training_layout l{.micro_batch = o.batch,
                          .recompute_mode = o.gradient_checkpointing ? recompute::full : recompute::none};
  bytes total = activation_bytes_per_gpu(m, o.seq, l);
  if (o.full || o.gradient_checkpointing) return total;
  for (const auto& op : lower(m))
    if (detail::lora_hits(op, o.lora.targets))
      total += bytes_of(o.seq * o.batch * o.lora.rank * count(op.layers) * count(op.active), dtype::bf16);
  return total;
}

[[nodiscard]] constexpr finetune_memory finetune_memory_of(const model_config& m, const finetune_options& o) {
  finetune_memory r;
  r.activations = finetune_activation_bytes(m, o);
  if (o.full) {
    r.trainable = param_count(m).total;
    const training_state s = training_state_bytes(r.trainable, o.full_precision);
    r.base_weights = s.weights;
    r.gradients = s.gradients + s.master_gradients;
    r.optimizer = s.optimizer + s.master_weights;
    return r;
  }
  r.trainable = params(lora_parameters(m, o.lora));
  r.base_weights = quantized_weight_bytes(m, o.base);
  const training_state s = training_state_bytes(r.trainable, o.adapters);
  r.adapter_weights = s.weights;
  r.gradients = s.gradients + s.master_gradients;
  r.optimizer = s.optimizer + s.master_weights;
  return r;
}

}  // namespace txmath

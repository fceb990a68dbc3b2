// Fine-tuning: LoRA counts against what PEFT's print_trainable_parameters printed for real
// models, QLoRA's bits per weight against the paper, memory by hand.
#include <doctest/doctest.h>

#include <string>

#include "support.hpp"

#include <txmath/finetune.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using txmath_test::runtime;

namespace {
constexpr lora_config qv8{.rank = 8, .targets = lora_targets::q_proj | lora_targets::v_proj};

// facebook/opt-6.7b (config.json): ReLU MLP of 16384, LayerNorm, biases everywhere, learned
// positions with OPT's 2 extra rows, tied head: 6,658,473,984 parameters.
constexpr model_config opt_6_7b{
    .vocab = 50272, .d_model = 4096, .n_layers = 32,
    .attention = {.n_heads = 32, .qkv_bias = true, .o_bias = true},
    .ffn = {.d_ff = 16384, .kind = ffn_kind::plain, .bias = true}, .norm = norm_kind::layernorm,
    .position = position_kind::learned, .max_positions = 2048, .position_offset = 2,
    .tied_embeddings = true};
}  // namespace

// The figure, PEFT on Llama-2-7B with r = 8 on q_proj and v_proj:
// 32 layers x 2 modules x 8 x (4096 + 4096) = 4,194,304; all = 6,738,415,616 + 4,194,304.
static_assert(peft_parameter_count(presets::llama_2_7b, qv8).trainable == params(4'194'304));
static_assert(peft_parameter_count(presets::llama_2_7b, qv8).total == params(6'742'609'920));
static_assert(param_count(opt_6_7b).total == params(6'658'473'984));

TEST_CASE("PEFT's printed line for real models") {
  // Llama-2-7B (the issue).
  CHECK(peft_summary(peft_parameter_count(runtime(presets::llama_2_7b), qv8)) ==
        "trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622");
  // PEFT's int8 training notebook, facebook/opt-6.7b with r = 16 on q_proj, v_proj (an older
  // PEFT printed the percentage unrounded): "trainable params: 8388608 || all params:
  // 6666862592 || trainable%: 0.12582542214183376".
  const peft_counts opt = peft_parameter_count(opt_6_7b, {.rank = 16, .targets = qv8.targets});
  CHECK(opt.trainable == params(8'388'608));
  CHECK(opt.total == params(6'666'862'592));
  CHECK(opt.trainable_percent() == doctest::Approx(0.12582542214183376).epsilon(1e-15));
  // Llama-3-8B, r = 8 on q_proj, v_proj (k and v are 1024 wide: 32 x 8 x (8192 + 5120)):
  // "trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424".
  CHECK(peft_summary(peft_parameter_count(presets::llama_3_8b, qv8)) ==
        "trainable params: 3,407,872 || all params: 8,033,669,120 || trainable%: 0.0424");
  // Llama-3-8B, r = 16 on all seven projections (target_modules="all-linear"):
  // 32 x 16 x (8192 + 5120 + 5120 + 8192 + 3 x (4096 + 14336)) = 41,943,040;
  // "trainable params: 41,943,040 || all params: 8,072,204,288 || trainable%: 0.5196".
  CHECK(peft_summary(peft_parameter_count(presets::llama_3_8b, {.rank = 16, .targets = parse_lora_targets("all-linear")})) ==
        "trainable params: 41,943,040 || all params: 8,072,204,288 || trainable%: 0.5196");
  // Llama-2-7B, r = 8 on the four attention projections (or r = 16 on q, v: the same count),
  // as PEFT prints it in many tutorials: 32 x 8 x 4 x 8192 = 8,388,608.
  CHECK(peft_summary(peft_parameter_count(presets::llama_2_7b, {.rank = 8, .targets = parse_lora_targets("q_proj,k_proj,v_proj,o_proj")})) ==
        "trainable params: 8,388,608 || all params: 6,746,804,224 || trainable%: 0.1243");
  CHECK(parse_lora_targets("q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj") ==
        (lora_targets::q_proj | lora_targets::k_proj | lora_targets::v_proj | lora_targets::o_proj |
         lora_targets::gate_proj | lora_targets::up_proj | lora_targets::down_proj));
}

TEST_CASE("LoRA on MoE experts and MLA") {
  // Mixtral-8x7B, r = 16 on attention and the experts (w1, w2, w3: 8 experts x 3 matrices of
  // 4096 x 14336 per layer): 32 x 16 x (8192 + 5120 + 5120 + 8192 + 8 x 3 x 18432) = 240,123,904.
  const auto mix = peft_parameter_count(presets::mixtral_8x7b, {.rank = 16, .targets = parse_lora_targets("q_proj,k_proj,v_proj,o_proj,w1,w2,w3")});
  CHECK(mix.trainable == params(240'123'904));
  // w1 targets routed experts only: nothing in a dense model.
  CHECK_THROWS_WITH_AS((void)lora_parameters(presets::llama_2_7b, {.rank = 8, .targets = lora_targets::w1}),
                       doctest::Contains("match no linear layer"), invalid_argument);
  // DeepSeek-V2-Lite: 27 layers; q_proj 2048 -> 16 x 192, kv_b_proj 512 -> 16 x 256: r = 8:
  // 27 x 8 x ((2048 + 3072) + (512 + 4096)) = 2,101,248.
  CHECK(lora_parameters(presets::deepseek_v2_lite, {.rank = 8, .targets = lora_targets::q_proj | lora_targets::kv_b_proj}) ==
        count(2'101'248));
}

// QLoRA (Dettmers et al. 2023, section 3): double quantization takes the constants from
// 32/64 = 0.5 to 8/64 + 32/(64 x 256) = 0.127 bits per parameter: 4.127 in all.
static_assert(bits_per_weight(weight_formats::nf4_double_quant) == 4.0 + 8.0 / 64 + 32.0 / (64 * 256));
// Llama-2-7B's frozen base in NF4 + double quantization, by hand: the 6,476,005,376 linear
// weights of the blocks at 4 bits = 3,238,002,688 B, their 101,187,584 absmax in 8 bits
// = 101,187,584 B, one fp32 per 256 of those = 1,581,056 B; embedding, head and norms in bf16:
// 262,410,240 x 2 = 524,820,480 B. Total 3,865,591,808 B.
static_assert(quantized_weight_bytes(presets::llama_2_7b, weight_quantizations::nf4_double_quant) ==
              bytes(3'865'591'808));

TEST_CASE("fine-tuning memory, by hand") {
  // LoRA r = 8 on q, v of Llama-2-7B, seq 512, batch 1, gradient checkpointing, bf16 base:
  // base 13,476,831,232; adapters 4,194,304 x (4 weights + 4 grads + 8 Adam) = 67,108,864;
  // activations: each layer's input, 2 B x 512 x 4096 x 32 layers = 134,217,728; the token
  // ids 512 x 8 B = 4,096; the final norm's and lm_head's inputs 2 x 512 x 4096 x 2 B
  // = 8,388,608 and the fp32 logits 512 x 32,000 x 4 B = 65,536,000: 208,146,432 in all.
  const finetune_options o{.lora = qv8, .seq = 512, .gradient_checkpointing = true};
  const finetune_memory m = finetune_memory_of(runtime(presets::llama_2_7b), o);
  CHECK(m.base_weights == bytes(13'476'831'232));
  CHECK(m.adapter_weights + m.gradients + m.optimizer == bytes(67'108'864));
  CHECK(m.activations == bytes(208'146'432));
  CHECK(m.total() == bytes(13'752'086'528));
  // QLoRA: the base shrinks to 3,865,591,808 B (above), nothing else changes.
  finetune_options q = o;
  q.base = weight_quantizations::nf4_double_quant;
  CHECK(finetune_memory_of(presets::llama_2_7b, q).total() == bytes(13'752'086'528 - 13'476'831'232 + 3'865'591'808));
  // Without checkpointing LoRA adds its rank-r intermediates: 512 x 8 x 2 B x 64 adapters.
  finetune_options nock = o;
  nock.gradient_checkpointing = false;
  const bytes base_act = activation_bytes_per_gpu(presets::llama_2_7b, 512, training_layout{});
  CHECK(finetune_memory_of(presets::llama_2_7b, nock).activations == base_act + bytes(512 * 8 * 2 * 64));
  // Full fine-tuning: 16 B per parameter (ZeRO's mixed-precision Adam), 6,738,415,616 x 16.
  finetune_options full = o;
  full.full = true;
  const finetune_memory f = finetune_memory_of(presets::llama_2_7b, full);
  CHECK(f.trainable == params(6'738'415'616));
  CHECK(f.total() == bytes(count(6'738'415'616) * 16 + 208'146'432));
}

TEST_CASE("bad LoRA options name the value") {
  CHECK_THROWS_WITH_AS((void)lora_parameters(presets::llama_2_7b, {.rank = runtime(count(0))}),
                       doctest::Contains("LoRA rank r = 0"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)parse_lora_targets(runtime(std::string_view("q_proj,qq_proj"))),
                       doctest::Contains("unknown LoRA target module 'qq_proj'"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)finetune_memory_of(presets::llama_2_7b, {.seq = runtime(count(0))}),
                       doctest::Contains("seq = 0"), invalid_argument);
}

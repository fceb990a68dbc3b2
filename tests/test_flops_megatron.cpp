// Megatron-LM compatibility (num_floating_point_operations, megatron/training/training.py).
//
// Two independent checks: (1) values worked out by hand from the formula text of
// training.py (evaluated in plain Python, shown below), and (2) identities between Megatron's
// formula and txmath's einsum-based count, which share no code: for a dense model without
// biases Megatron's figure is txmath's training FLOPs (matmuls only) with full causal counting
// when the halving is off and with half counting when it is on; for MoE models Megatron
// leaves out the router.
#include <doctest/doctest.h>

#include <txmath/flops.hpp>
#include <txmath/megatron.hpp>

using namespace txmath;

// Llama-3-8B, s = 8192, B = 1 (vocab 128256 is a multiple of 128), by hand:
//   q = 128 x 32 = 4096, k = v = 128 x 8 = 1024
//   attn = h (q + 2k) + q s (/2 x 2 with halving, x 2 without) + q h
//   total = B s (6 h (3 F L) + 6 attn L + 6 h V)
//   halving:    421,645,529,382,912
//   no halving: 474,422,087,516,160
static_assert(megatron_flops(presets::llama_3_8b, {.seq_len = 8192}).value() == 421'645'529'382'912);
static_assert(megatron_flops(presets::llama_3_8b, {.seq_len = 8192, .causal_halving = false}).value() ==
              474'422'087'516'160);

TEST_CASE("Megatron: hand-evaluated values") {
  volatile std::uint64_t s = 4096, b = 2;
  // DeepSeek-V2-Lite (MLA, q_lora_rank None; 1 dense + 26 MoE layers), s = 4096, B = 2:
  //   q_term = h n (qk + rope); attn = 6 (q_term + kv_lora (h + n (qk + v) + 1) + h rope
  //            + n v h + s n (qk + rope) / 2 + s n v / 2)
  //   mlp = 6 h (10944 x 3 x 1 + 1408 x 6 x 3 x 26 + 2816 x 3 x 26)
  //   total = B s (mlp + 27 attn + 6 h V) = 134,235,587,346,432
  CHECK(megatron_flops(presets::deepseek_v2_lite, {.seq_len = s, .batch = b}).value() == 134'235'587'346'432);
  // Llama-3-8B at run time.
  volatile std::uint64_t s2 = 8192;
  CHECK(megatron_flops(presets::llama_3_8b, {.seq_len = s2}).value() == 421'645'529'382'912);
}

TEST_CASE("Megatron = txmath training FLOPs for dense models without biases") {
  for (const model_config* m : {&presets::llama_2_7b, &presets::llama_3_8b, &presets::llama_2_70b,
                                &presets::gemma_7b, &presets::phi_3_mini, &presets::gpt2_xl_swiglu_untied}) {
    for (std::uint64_t s : {1024u, 4096u}) {
      const megatron_options mo{.seq_len = s, .batch = 3, .vocab_divisible_by = 1};
      auto no_halving = mo;
      no_halving.causal_halving = false;
      CHECK(megatron_flops(*m, no_halving) == training_flops(*m, {.seq_len = s, .batch = 3}));
      CHECK(megatron_flops(*m, mo) ==
            training_flops(*m, {.seq_len = s, .batch = 3, .causal = causal_counting::half}));
    }
  }
  // Biases are elementwise in txmath and absent from Megatron: Qwen2.5 agrees too.
  CHECK(megatron_flops(presets::qwen2_5_7b, {.seq_len = 2048, .vocab_divisible_by = 1}) ==
        training_flops(presets::qwen2_5_7b, {.seq_len = 2048, .causal = causal_counting::half}));
}

TEST_CASE("Megatron = txmath minus the router for MoE (and + MLA's norm terms)") {
  // Mixtral: Megatron counts experts and attention, not the router.
  const flop_options o{.seq_len = 4096, .causal = causal_counting::half};
  const auto mx = flops_per_step(presets::mixtral_8x7b, o).training;
  CHECK(megatron_flops(presets::mixtral_8x7b, {.seq_len = 4096, .vocab_divisible_by = 1}) ==
        mx.total - mx[component::router]);
  // DeepSeek-V2-Lite: also + 6 x kv_lora_rank per layer and token (its "+ 1" for the kv norm).
  const auto ds = flops_per_step(presets::deepseek_v2_lite, o).training;
  CHECK(megatron_flops(presets::deepseek_v2_lite, {.seq_len = 4096}) ==
        ds.total - ds[component::router] + flops(count(6) * 4096 * 27 * 512));
  // DeepSeek-V3 (q_lora_rank 1536): + 6 (q_lora + kv_lora) per layer and token.
  const auto v3 = flops_per_step(presets::deepseek_v3, o).training;
  CHECK(megatron_flops(presets::deepseek_v3, {.seq_len = 4096}) ==
        v3.total - v3[component::router] + flops(count(6) * 4096 * 61 * (1536 + 512)));
}

TEST_CASE("Megatron: vocab padding and MTP") {
  // GPT-2's 50257 pads to 50304 (a multiple of 128): 6 B s h x 47 more logit FLOPs.
  const auto padded = megatron_flops(presets::gpt2_small, {.seq_len = 1024});
  const auto unpadded = megatron_flops(presets::gpt2_small, {.seq_len = 1024, .vocab_divisible_by = 1});
  static_assert(megatron_padded_vocab(50257, 128) == 50304);
  CHECK(padded - unpadded == flops(count(6) * 1024 * 768 * 47));
  // One MTP module of DeepSeek-V3: one more MoE layer (the last layer is MoE), its norms and
  // projection (3 h + 2 h^2) and one more logit layer.
  const megatron_options base{.seq_len = 4096};
  auto with_mtp = base;
  with_mtp.mtp_num_layers = 1;
  const count h = 7168;
  auto one_more = presets::deepseek_v3;
  one_more.n_layers += 1;
  const count extra = megatron_flops(one_more, base).value() - megatron_flops(presets::deepseek_v3, base).value();
  CHECK(megatron_flops(presets::deepseek_v3, with_mtp).value() - megatron_flops(presets::deepseek_v3, base).value() ==
        extra + count(6) * 4096 * (3 * h + 2 * h * h + h * 129280));
}

// Activation memory: checked against Korthikanti et al. 2022 (Table 2 and the GPT-3 /
// MT-NLG savings quoted in section 4.3), the scaling book's block-remat figure (seed 003)
// and the einsum engine's output size for the attention scores.
#include <doctest/doctest.h>

#include "support.hpp"

#include <txmath/activations.hpp>
#include <txmath/einsum.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {
constexpr count s = 2048;
// GPT-3 175B: a = 96, h = 12288, so 5as/h = 80. MT-NLG 530B: a = 128, h = 20480: 5as/h = 64.
constexpr count gpt3_h = 12288, gpt3_a = 96;
constexpr count sbh = s * gpt3_h;  // micro-batch 1
constexpr activation_options tp8{.tensor_parallel = 8};
constexpr activation_options tp8_sp{.tensor_parallel = 8, .sequence_parallel = true};
}  // namespace

// Table 2, no recompute, no parallelism: sbh (34 + 5as/h) = 114 sbh for GPT-3.
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a) == bytes(sbh * 114));
// Tensor parallel t = 8: sbh (10 + 24/8 + 80/8) = 23 sbh.
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, tp8) == bytes(sbh * 23));
// Tensor + sequence parallel: 114 sbh / 8.
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, tp8_sp) * 8 == bytes(sbh * 114));
// Selective recompute with TP + SP: 34 sbh / 8; with TP only: sbh (10 + 24/8).
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a,
                                         {.tensor_parallel = 8, .sequence_parallel = true,
                                          .recompute_mode = recompute::selective}) * 8 == bytes(sbh * 34));
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a,
                                         {.tensor_parallel = 8, .recompute_mode = recompute::selective}) ==
              bytes(sbh * 13));
// Full recompute: 2sbh per layer (2sbh/t with SP).
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, {.recompute_mode = recompute::full}) ==
              bytes(sbh * 2));
static_assert(activation_bytes_per_layer(s, 4, gpt3_h, gpt3_a,
                                         {.tensor_parallel = 8, .sequence_parallel = true,
                                          .recompute_mode = recompute::full}) == bytes(sbh * 4 * 2 / 8));
// Flash attention drops exactly the 5as^2b term, as selective recompute does.
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, {.flash_attention = true}) ==
              activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, {.recompute_mode = recompute::selective}));
static_assert(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a) -
                  activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, {.flash_attention = true}) ==
              bytes(count(5) * gpt3_a * s * s));

TEST_CASE("selective recompute saves 70% on GPT-3 and 65% on MT-NLG (Korthikanti et al.)") {
  const auto saving = [](count h, count a) {
    const double none = activation_bytes_per_layer(s, 1, h, a).to_double();
    const double sel =
        activation_bytes_per_layer(s, 1, h, a, {.recompute_mode = runtime(recompute::selective)}).to_double();
    return 1.0 - sel / none;
  };
  CHECK(saving(runtime(gpt3_h), gpt3_a) == doctest::Approx(1.0 - 34.0 / 114.0));
  CHECK(saving(runtime(gpt3_h), gpt3_a) == doctest::Approx(0.70).epsilon(0.01));
  CHECK(saving(runtime(count(20480)), count(128)) == doctest::Approx(0.65).epsilon(0.01));
}

TEST_CASE("block remat keeps one checkpoint per layer (seed 003)") {
  // Seed 003, gradient checkpointing: B*T = 4M tokens, L = 64, D = 8192, bf16; saving only
  // each layer's input keeps 2 * 4M * 8192 * 64 bytes = 4.2 TB.
  const model_config m{.vocab = 32000, .d_model = 8192, .n_layers = 64,
                       .attention = {.n_heads = 64}, .ffn = {.d_ff = 32768}};
  const bytes remat = activation_bytes(runtime(m), count(4'000'000), count(1), {.recompute_mode = recompute::full});
  CHECK(remat == bytes(count(2) * count(4'000'000) * count(8192) * count(64)));
  CHECK(remat.to_double() / 1e12 == doctest::Approx(4.2).epsilon(0.01));
}

TEST_CASE("naive attention scores: the output of bqhd,bkhd->bhqk") {
  const count b = runtime(count(8)), h = 32, q = 4096, k = 4096;
  const einsum_cost c = cost(einsum<"bqhd,bkhd->bhqk">, {{'b', b}, {'q', q}, {'k', k}, {'h', h}, {'d', 128}});
  CHECK(attention_scores_bytes(b, h, q, k, dtype::bf16) == c.bytes_written);
  CHECK(attention_scores_bytes(b, h, q, k, dtype::fp32) == 16_GiB);  // 8*32*4096^2*4
  CHECK_THROWS_WITH_AS(activation_bytes_per_layer(s, 1, gpt3_h, gpt3_a, {.tensor_parallel = runtime(count(5))}),
                       doctest::Contains("must divide d_model"), invalid_argument);
}

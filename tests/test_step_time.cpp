// The step-time model's parts against independent accounts: with infinite memory and link
// bandwidth and matmuls at peak, a step is flops.hpp's training FLOPs over the peak (with
// each recompute policy and causal counting); the pipeline bubble over the busy time is
// Narayanan et al.'s (p - 1) / (v m) (parallel.hpp); the TP traffic is Megatron's four
// all-reduces per layer and micro-batch (parallel.hpp's bytes); bad layouts are named.
#include <doctest/doctest.h>

#include "support.hpp"

#include <txmath/flops.hpp>
#include <txmath/parallel.hpp>
#include <txmath/presets.hpp>
#include <txmath/step_time.hpp>

using namespace txmath;
using txmath_test::runtime;

namespace {
constexpr double rel(double a, double b) { return (a - b) / b < 0 ? (b - a) / b : (a - b) / b; }

// Matmuls at peak, memory and links (almost) free: only FLOPs take time.
constexpr system_spec ideal = [] {
  system_spec s = systems::dgx_a100;
  s.efficiency = {.matmul_peak_fraction = 1, .matmul_half_size = 0, .memory_fraction = 1, .link_fraction = 1};
  s.gpu.memory_bandwidth = byte_rate(1e30);
  s.intra_bandwidth = s.inter_bandwidth = 1e30;
  s.intra_latency = s.inter_latency = 0;
  return s;
}();
constexpr model_config gpt3_small = presets::gpt3_125m;
constexpr step_options opts{.seq = 2048, .global_batch = 8};
}  // namespace

// A single layout's step time and memory, at compile time: 125M params x 16 bytes (ZeRO 0).
static_assert(step_model(gpt3_small, opts).evaluate(systems::dgx_a100, {}).step_seconds > 0);
static_assert(step_model(gpt3_small, opts).evaluate(systems::dgx_a100, {}).state_per_gpu.value() ==
              param_count(gpt3_small).total.value() * 16);
// Activations: activation_memory.hpp's peak for the same layout.
static_assert(step_model(gpt3_small, opts).evaluate(systems::dgx_a100, {}).activations_per_gpu ==
              activation_bytes_per_gpu(gpt3_small, 2048, {}));

TEST_CASE("with free memory and links, a step is the training FLOPs at peak") {
  const double peak_rate = peak(ideal.gpu, dtype::bf16).value();
  const step_model m(gpt3_small, opts);
  for (recompute r : {recompute::none, recompute::selective, recompute::full}) {
    CAPTURE(static_cast<int>(r));
    const flop_options fo{.seq_len = 2048, .batch = 8, .causal = causal_counting::full, .remat = r};
    const double want = (flops_per_step(gpt3_small, fo).training.total.to_double()) / peak_rate;
    const auto e = m.evaluate(ideal, {.micro_batch = runtime(count(2)), .recompute_mode = r, .flash_attention = false});
    CHECK(rel(e.step_seconds, want) < 1e-9);
    CHECK(e.micro_batches == 4);
  }
  // FlashAttention's causal kernels skip the masked half: flops.hpp's causal_counting::half
  // (t^2 / 2 pairs) differs by the diagonal's t / 2, a part in 4,096 of the attention core.
  const flop_options half{.seq_len = 2048, .batch = 8, .causal = causal_counting::half};
  const double want = flops_per_step(gpt3_small, half).training.total.to_double() / peak_rate;
  CHECK(rel(m.evaluate(ideal, {.flash_attention = true}).step_seconds, want) < 1e-4);
}

TEST_CASE("the pipeline bubble is (p - 1) / (v m) of the busy time") {
  const step_model m(presets::gpt3_1_3b, {.seq = 2048, .global_batch = 64});
  for (std::uint64_t v : {1u, 2u, 3u}) {
    const training_layout l{.pp = 4, .dp = 2, .micro_batch = 2, .interleave = v};
    const auto e = m.evaluate(ideal, l);
    CHECK(e.micro_batches == 16);
    CHECK(rel(e.parts.bubble / e.parts.compute, pipeline_bubble_overhead(4, 16, v)) < 1e-9);
  }
}

TEST_CASE("TP traffic: four all-reduces of the activations per layer and micro-batch") {
  // Only the links cost: NVLink at 300 GB/s, no latency; tp = 8 in one node.
  system_spec s = ideal;
  s.intra_bandwidth = 300e9;
  const step_model m(presets::gpt3_1_3b, {.seq = 2048, .global_batch = 4});
  const auto e = m.evaluate(s, {.tp = 8, .micro_batch = 2});
  const double want = tensor_parallel_bytes(2048, 2, 2048, 24, 2, 8).to_double() / 300e9;
  CHECK(rel(e.parts.communication, want) < 1e-9);
  // Sequence parallelism's reduce-scatter + all-gather pairs take the same ring time.
  CHECK(rel(m.evaluate(s, {.tp = 8, .micro_batch = 2, .sequence_parallel = true}).parts.communication, want) < 1e-9);
}

namespace {
// Only the links cost: compute and HBM free, every link 100 GB/s with no latency.
constexpr system_spec links_only = [] {
  system_spec s = ideal;
  s.gpu.bf16 = flop_rate(1e30);
  s.intra_bandwidth = s.inter_bandwidth = 100e9;
  return s;
}();
}  // namespace

TEST_CASE("EP, CP, PP and DP traffic against parallel.hpp's bytes and hand derivations") {
  SUBCASE("EP: four all-to-alls per MoE layer of each token's top_k copies") {
    // Mixtral 8x7B, 4,096 tokens, ep = 8 in one node: 32 layers x 4 x 7/8 x 4096 x 2 x 4096 x
    // 2 bytes = expert_parallel_bytes, over 100 GB/s.
    const step_model m(presets::mixtral_8x7b, {.seq = 4096, .global_batch = 8});
    const auto e = m.evaluate(links_only, {.dp = 8, .ep = 8});
    CHECK(rel(e.parts.comm.ep, expert_parallel_bytes(4096, 2, 4096, 32, 8).to_double() / 100e9) < 1e-9);
    CHECK(e.parts.comm.tp == 0);
  }
  SUBCASE("CP: a ring pass of the local keys and values forward, two backward") {
    // Llama-3-8B, 8,192 tokens over cp = 4: each rank holds 2,048 tokens' keys and values,
    // 2 x 2048 x 8 heads x 128 x 2 bytes = 8,388,608 bytes, passed 3 times around the ring,
    // once forward and twice backward (keys and values, then their gradients), 32 layers.
    const step_model m(presets::llama_3_8b, {.seq = 8192, .global_batch = 1});
    const auto e = m.evaluate(links_only, {.cp = 4});
    CHECK(rel(e.parts.comm.cp, 3.0 * 3 * 8388608 / 100e9 * 32) < 1e-9);
  }
  SUBCASE("PP: each micro-batch's activations forward and gradients backward, per model chunk") {
    // GPT-3 1.3B over 4 stages, 2 chunks each, 8 micro-batches of 2 x 2048 tokens:
    // interleave x pipeline_parallel_bytes (2 x 2048 x 2048 x 2 bytes, twice per micro-batch).
    const step_model m(presets::gpt3_1_3b, {.seq = 2048, .global_batch = 16});
    const auto e = m.evaluate(links_only, {.pp = 4, .micro_batch = 2, .interleave = 2});
    CHECK(e.micro_batches == 8);
    CHECK(rel(e.parts.comm.pp, 2 * pipeline_parallel_bytes(2048, 2, 2048, 8).to_double() / 100e9) < 1e-9);
  }
  SUBCASE("DP: all-reduce, ZeRO-1 and ZeRO-3 traffic of the gradients and weights") {
    // Llama-3-8B on 8 data-parallel ranks, nothing overlapped: parallel.hpp's bytes per step
    // (ZeRO-3 gathers the weights every micro-batch: 2 micro-batches, twice its per-step bytes).
    const step_model m(presets::llama_3_8b, {.seq = 4096, .global_batch = 16, .overlap_dp = false});
    const params n = param_count(presets::llama_3_8b).total;
    CHECK(rel(m.evaluate(links_only, {.dp = 8}).parts.comm.dp, data_parallel_bytes(n, 8).to_double() / 100e9) < 1e-9);
    CHECK(rel(m.evaluate(links_only, {.dp = 8, .zero = 1}).parts.comm.dp,
              data_parallel_bytes(n, 8, {}, sharding::zero1).to_double() / 100e9) < 1e-9);
    CHECK(rel(m.evaluate(links_only, {.dp = 8, .zero = 3}).parts.comm.dp,
              2 * data_parallel_bytes(n, 8, {}, sharding::zero3).to_double() / 100e9) < 1e-9);
  }
}

TEST_CASE("memory per GPU: the training state of the largest stage, ZeRO over dp") {
  const step_model m(presets::llama_3_8b, {.seq = 8192, .global_batch = 64});
  const count n = param_count(presets::llama_3_8b).total.value();
  CHECK(m.state_bytes({}).value() == n * 16);
  // ZeRO-3 over 8 ranks: every part sharded, ceil(n / 8) x 16.
  CHECK(m.state_bytes({.dp = 8, .zero = 3}).value() == ceil_div(n, 8) * 16);
}

TEST_CASE("bad layouts are named") {
  const step_model m(presets::llama_3_8b, {.seq = 8192, .global_batch = 64});
  const auto& s = systems::dgx_h100;
  CHECK_THROWS_WITH_AS((void)m.evaluate(s, {.tp = 3}), "txmath: layout: tp = 3 must divide the 32 attention heads",
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)m.evaluate(s, {.pp = 33}), "txmath: layout: pp = 33 exceeds the 32 layers", invalid_argument);
  CHECK_THROWS_WITH_AS((void)m.evaluate(s, {.dp = 2, .ep = 2}), "txmath: layout: ep = 2 must divide the 1 experts",
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)m.evaluate(s, {.dp = 3}), doctest::Contains("not a multiple of dp x micro-batch = 3"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)m.evaluate(s, {.interleave = 2}), doctest::Contains("interleave = 2 needs pp > 1"),
                       invalid_argument);
  // 64 / (dp 16 x micro-batch 2) = 2 micro-batches cannot run interleaved over 4 stages.
  CHECK_THROWS_WITH_AS((void)m.evaluate(s, {.pp = 4, .dp = 16, .micro_batch = 2, .interleave = 2}),
                       "txmath: layout: interleave = 2 needs the micro-batches per step (2) to be a multiple of pp = 4",
                       invalid_argument);
  const step_model moe(presets::mixtral_8x7b, {.seq = 4096, .global_batch = 64});
  CHECK_THROWS_WITH_AS((void)moe.evaluate(s, {.dp = 6, .ep = 3}), "txmath: layout: ep = 3 must divide the 8 experts",
                       invalid_argument);
  CHECK(moe.evaluate(s, {.dp = 8, .ep = 8}).step_seconds > 0);
}

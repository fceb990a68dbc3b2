// Parallelism: checked against the ZeRO paper's communication volumes, the GPipe and
// Megatron (Narayanan et al. 2021) bubble formulas, Megatron's per-layer all-reduce count,
// and Mixtral's published parameter count.
#include <doctest/doctest.h>

#include "support.hpp"

#include <txmath/parallel.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

// Ring collectives: all-reduce = reduce-scatter + all-gather; each (n-1)/n of the buffer.
static_assert(all_reduce_bytes(bytes(1024), 8) == bytes(2 * 7 * 128));
static_assert(all_reduce_bytes(bytes(1024), 1) == bytes(0));
static_assert(all_to_all_bytes(bytes(1000), 4) == bytes(750));

// ZeRO paper, section 7: plain DP all-reduces 2 Psi per step, ZeRO-1/2 the same 2 Psi,
// ZeRO-3 3 Psi (1.5x). Psi = 7.5B bf16 over 64 ranks: (63/64) * 15 GB per collective.
constexpr params psi{7'500'000'000ULL};
static_assert(data_parallel_bytes(psi, 64) == bytes(2 * 63 * 234'375'000ULL));
static_assert(data_parallel_bytes(psi, 64, {}, sharding::zero2) == data_parallel_bytes(psi, 64));
static_assert(data_parallel_bytes(psi, 64, {}, sharding::zero3) * 2 == data_parallel_bytes(psi, 64) * 3);

// Pipeline bubble. GPipe: (p-1)/(m+p-1), negligible for m >= 4p; 4 stages, 16 micro-batches:
// 3/19. Megatron (Narayanan et al.): bubble/ideal = (p-1)/m = 3/16, and v-way interleaving
// divides it by v.
static_assert(pipeline_bubble_fraction(4, 16) == 3.0 / 19.0);
static_assert(pipeline_bubble_overhead(4, 16) == 3.0 / 16.0);
static_assert(pipeline_bubble_overhead(4, 16, 2) == 3.0 / 32.0);
static_assert(pipeline_bubble_fraction(1, 1) == 0.0);

// Mixtral 8x7B: 46,702,792,704 parameters (models.json), of which the experts are
// 32 layers * 8 experts * 3 * 4096 * 14336 = 45,097,156,608.
constexpr params mixtral_expert{32ULL * 8 * 3 * 4096 * 14336};
constexpr params mixtral_dense{46'702'792'704ULL - 32ULL * 8 * 3 * 4096 * 14336};
static_assert(params_per_device(mixtral_dense, mixtral_expert, {.dp = 8, .ep = 8}) ==
              mixtral_dense + params(32ULL * 3 * 4096 * 14336));
static_assert(params_per_device(mixtral_dense, mixtral_expert, {.tp = 2, .pp = 4}) * 8 ==
              mixtral_dense + mixtral_expert);
static_assert(parallelism{.dp = 4, .tp = 8, .pp = 2}.devices() == count(64));

TEST_CASE("per-layer tensor- and pipeline-parallel traffic") {
  // Megatron-LM (Shoeybi et al. 2019, figure 4): 2 all-reduces forward, 2 backward per
  // layer. GPT-3 layer, s = 2048, b = 1, h = 12288, bf16, t = 8: each all-reduce moves
  // 2 * 7/8 * 50,331,648 bytes from every rank.
  const bytes one_layer = tensor_parallel_bytes(2048, 1, 12288, 1, 1, runtime(count(8)));
  CHECK(one_layer == bytes(4ULL * 2 * 7 * (2048ULL * 12288 * 2 / 8)));
  CHECK(tensor_parallel_bytes(2048, 1, 12288, 96, 8, runtime(count(8))) == one_layer * (96 * 8));
  CHECK(tensor_parallel_bytes(2048, 1, 12288, 96, 8, runtime(count(1))) == bytes(0));
  // Pipeline: each micro-batch crosses a stage boundary forward and its gradient backward.
  CHECK(pipeline_parallel_bytes(2048, 1, 12288, runtime(count(16))) == bytes(2ULL * 16 * 2048 * 12288 * 2));
  // Expert parallel: 4 all-to-alls of tokens * top_k hidden states per MoE layer.
  CHECK(expert_parallel_bytes(4096, 2, 4096, 32, runtime(count(8))) ==
        bytes(4ULL * 32 * 7 * (4096ULL * 2 * 4096 * 2 / 8)));
  // Ideal FLOPs per device and ZeRO state per device.
  const parallelism p = runtime(parallelism{.dp = 64, .tp = 8, .pp = 4});
  CHECK(flops_per_device(1e24_flop, p).value() == doctest::Approx(1e24 / 2048));
  const training_state st = training_state_per_device(params(175'000'000'000ULL), params(0), p, {}, sharding::zero1);
  CHECK(st.weights == bytes(2ULL * 5'468'750'000));  // 175e9 / 32 per device, bf16
  CHECK_THROWS_WITH_AS(params_per_device(params(1), params(1), runtime(parallelism{.dp = 6, .ep = 4})),
                       doctest::Contains("must divide dp"), invalid_argument);
  CHECK_THROWS_AS(pipeline_bubble_fraction(4, runtime(count(0))), invalid_argument);
}

// Weights and training state: checked against published checkpoint sizes, the QLoRA paper,
// Megatron-LM's distributed-optimizer table and the ZeRO paper's Figure 1.
#include <doctest/doctest.h>

#include "support.hpp"

#include <txmath/memory.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {
// Exact parameter counts, tests/reference/models.json (torch sum(p.numel())).
constexpr params llama_3_8b{8'030'261'248ULL};
constexpr params llama_2_7b{6'738'415'616ULL};
constexpr params mixtral_8x7b{46'702'792'704ULL};
}  // namespace

// Weights by dtype. Independent source: the checkpoints' model.safetensors.index.json
// metadata.total_size (bf16/fp16), quoted in models.json.
static_assert(weight_bytes(llama_3_8b, dtype::bf16) == bytes(16'060'522'496ULL));
// Llama-2-7b's checkpoint also stores 32 layers x 64 fp32 rotary inv_freq buffers.
static_assert(weight_bytes(llama_2_7b, dtype::fp16) + weight_bytes(params(32 * 64), dtype::fp32) ==
              bytes(13'476'839'424ULL));
static_assert(weight_bytes(mixtral_8x7b, weight_formats::bf16) == bytes(93'405'585'408ULL));
// The same from the model configs (their exact counts come from the lowering in params.hpp).
static_assert(weight_bytes(presets::llama_3_8b, dtype::bf16) == bytes(16'060'522'496ULL));
static_assert(weight_bytes(presets::mixtral_8x7b, weight_formats::bf16) == bytes(93'405'585'408ULL));
// The dtype ladder: fp32 doubles bf16, fp8/int8 halve it, int4 halves again (rounded up).
static_assert(weight_bytes(llama_3_8b, dtype::fp32) == bytes(32'121'044'992ULL));
static_assert(weight_bytes(llama_3_8b, dtype::fp8) == bytes(8'030'261'248ULL));
static_assert(weight_bytes(params(7), dtype::int4) == bytes(4));

// Group quantization. QLoRA (Dettmers et al. 2023, section 3): NF4 with blocksize 64 and
// fp32 absmax costs 32/64 = 0.5 extra bits per parameter; double quantization (8-bit
// constants, one fp32 per 256 of them) costs 8/64 + 32/(64*256) = 0.127 bits.
static_assert(bits_per_weight(weight_formats::nf4) == 4.5);
static_assert(bits_per_weight(weight_formats::nf4_double_quant) - 4.0 > 0.1269 &&
              bits_per_weight(weight_formats::nf4_double_quant) - 4.0 < 0.1270);
// 2^20 weights: 512 KiB of 4-bit codes, 16384 one-byte constants, 64 fp32 second-level.
static_assert(weight_bytes(params(1 << 20), weight_formats::nf4_double_quant) ==
              bytes(524'288 + 16'384 + 256));
// A partial last group still has its scale: 129 weights in groups of 128 need 2 scales.
static_assert(weight_bytes(params(129), weight_formats::int4_g128) == bytes(65 + 2 * 2));
static_assert(bits_per_weight(weight_formats::gptq_int4_g128) == 4.15625);

// Bytes per parameter of mixed-precision Adam. ZeRO paper: 2 + 2 + 12 = 16. Megatron-LM
// distributed-optimizer docs: fp16/fp16 20, bf16/fp32-grads 18, fp32/fp32 16.
static_assert(bytes_per_param(training_precisions::mixed_bf16_adam) == byte_per_param(16));
static_assert(bytes_per_param(training_precisions::mixed_bf16_adam_fp32_grads) == byte_per_param(18));
static_assert(bytes_per_param(training_precisions::megatron_fp16_adam) == byte_per_param(20));
static_assert(bytes_per_param(training_precisions::fp32_adam) == byte_per_param(16));
// Typed: params times bytes per parameter is bytes.
static_assert(params(10) * bytes_per_param(training_precision{}) == bytes(160));
static_assert(training_state_bytes(params(1000)).total() == bytes(16'000));

// Megatron's distributed optimizer over d = 8 ranks: 4 + 16/d, 6 + 12/d, 8 + 8/d bytes/param.
constexpr params one_billion{1'000'000'000};
static_assert(training_state_bytes(one_billion, training_precisions::megatron_fp16_adam,
                                   sharding::distributed_optimizer, 8).total() == bytes(6'000'000'000ULL));
static_assert(training_state_bytes(one_billion, training_precisions::mixed_bf16_adam_fp32_grads,
                                   sharding::distributed_optimizer, 8).total() == bytes(7'500'000'000ULL));
static_assert(training_state_bytes(one_billion, training_precisions::fp32_adam,
                                   sharding::distributed_optimizer, 8).total() == bytes(9'000'000'000ULL));

// ZeRO paper (Rajbhandari et al. 2019), Figure 1: Psi = 7.5B, K = 12, N_d = 64:
// baseline 120 GB, P_os 31.4 GB, P_os+g 16.6 GB, P_os+g+p 1.9 GB.
constexpr params psi{7'500'000'000ULL};
static_assert(training_state_bytes(psi).total() == 120_GB);
static_assert(training_state_bytes(psi, {}, sharding::zero1, 64).total() == bytes(31'406'250'000ULL));
static_assert(training_state_bytes(psi, {}, sharding::zero2, 64).total() == bytes(16'640'625'000ULL));
static_assert(training_state_bytes(psi, {}, sharding::zero3, 64).total() == bytes(1'875'000'000ULL));

TEST_CASE("weights and training state at run time") {
  CHECK(weight_bytes(runtime(llama_3_8b), runtime(dtype::bf16)) == bytes(16'060'522'496ULL));
  CHECK(weight_bytes(runtime(presets::mixtral_8x7b), runtime(dtype::bf16)) == bytes(93'405'585'408ULL));
  const weight_format nf4 = runtime(weight_formats::nf4);
  // 8,030,261,248 weights: 4,015,130,624 bytes of codes + 125,472,832 fp32 absmax.
  CHECK(weight_bytes(llama_3_8b, nf4) == bytes(4'015'130'624ULL + 125'472'832ULL * 4));

  const training_state z1 = training_state_bytes(runtime(psi), {}, runtime(sharding::zero1), runtime(count(64)));
  CHECK(z1.weights == 15_GB);
  CHECK(z1.gradients == 15_GB);
  CHECK(z1.master_weights + z1.optimizer == bytes(1'406'250'000ULL));  // 12 Psi / 64
  CHECK(z1.total().to_double() / 1e9 == doctest::Approx(31.4).epsilon(0.001));

  // An uneven split: the largest shard, ceil(10 / 3) = 4 parameters.
  CHECK(training_state_bytes(params(10), {}, sharding::zero3, runtime(count(3))).total() == bytes(64));
  CHECK_THROWS_AS(training_state_bytes(params(10), {}, sharding::zero3, runtime(count(0))), invalid_argument);
  weight_format bad = runtime(weight_formats::bf16);
  bad.scale_group_size = 256;
  CHECK_THROWS_WITH_AS(weight_bytes(params(10), bad), doctest::Contains("group_size"), invalid_argument);
}

// Hardware, roofline, time and money: checked against the scaling book's answers (seed 003
// Q4, Q7, Q8), the LLaMA-7B examples of seed 004 and the matmul cost table of seed 003.
#include <doctest/doctest.h>

#include "support.hpp"

#include <limits>

#include <txmath/hardware.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {
constexpr double rel(double a, double b) { return (a - b) / b < 0 ? (b - a) / b : (a - b) / b; }
}  // namespace

// Dense peaks: the datasheet's sparse figure is twice these (H100: 1,979 bf16, 3,958 fp8).
static_assert(peak(accelerators::h100_sxm, dtype::bf16).value() == 989.4e12);
static_assert(rel(peak(accelerators::h100_sxm, dtype::fp8).value(), 2 * 989.4e12) < 1e-4);
static_assert(peak(accelerators::a100_sxm_80gb, dtype::bf16).value() == 312e12);
static_assert(accelerators::h100_sxm.memory == 80_GiB && accelerators::tpu_v5e.memory == 16_GiB);
static_assert(&find_accelerator("MI300X") == &accelerators::mi300x);
// Seed 004's GPU table: A100 312, H100 "990", H200 the same compute, RTX 4090 83 TFLOPS FP32
// and 330 FP16 *sparse* (165.2 dense with FP32 accumulate).
static_assert(peak(accelerators::h200_sxm, dtype::bf16) == peak(accelerators::h100_sxm, dtype::bf16));
static_assert(rel(peak(accelerators::rtx_4090, dtype::fp32).value(), 83e12) < 0.01);
static_assert(rel(2 * peak(accelerators::rtx_4090, dtype::fp16).value(), 330e12) < 0.01);

// Critical intensity. Seed 003 Q4: TPU v5e 1.97e14 / 8.2e11 ~ 240 FLOPs/byte (the Cloud
// documentation's 819 GB/s gives 240.5).
static_assert(rel(critical_intensity(accelerators::tpu_v5e, dtype::bf16).value(), 240) < 0.005);
// int8 compute doubles it (seed 003 Q8 notes 3.94e14 / 8.1e11 ~ 480).
static_assert(rel(critical_intensity(accelerators::tpu_v5e, dtype::int8).value(), 481.0) < 0.001);

// Seed 003 Q8 (scaling book answer): an MoE with int8 weights on TPU v5e, bf16 FLOPs, is
// compute-bound above 120 * E / k tokens; DeepSeek (E = 256, k = 8): 3840.
static_assert(rel(moe_compute_bound_tokens(256, 8, dtype::int8, accelerators::tpu_v5e, dtype::bf16).value(),
                  3840) < 0.005);
// Dense (E = k = 1) with bf16 weights: the book's "batch > 240 tokens" on TPU v5e.
static_assert(rel(moe_compute_bound_tokens(1, 1, dtype::bf16, accelerators::tpu_v5e, dtype::bf16).value(),
                  240) < 0.005);
// With the book's rounded bandwidth (8.2e11) the figure is 120.1 * 32.
constexpr accelerator v5e_book{.name = "v5e (book)", .bf16 = flop_rate(1.97e14),
                               .memory_bandwidth = byte_rate(8.2e11)};
static_assert(rel(moe_compute_bound_tokens(256, 8, dtype::int8, v5e_book, dtype::bf16).value(),
                  1.97e14 / 8.2e11 / 2 * 32) < 1e-12);

TEST_CASE("roofline of a matmul (seed 003: AB costs 2NPM FLOPs and moves NP + PM + NM)") {
  const accelerator& h100 = runtime(accelerators::h100_sxm);
  // Decoding one token through a 4096 x 14336 projection, bf16: intensity ~1, memory-bound.
  const count d = 4096, f = 14336;
  const einsum_cost dec = cost(einsum<"btd,df->btf">, {{'b', 1}, {'t', runtime(count(1))}, {'d', d}, {'f', f}});
  const roofline_bound r = roofline(dec, h100, dtype::bf16);
  CHECK(!r.compute_bound());
  CHECK(r.time().value() == doctest::Approx(2.0 * (d * f + d + f).to_double() / 3.35e12));
  CHECK(r.arithmetic_intensity.value() == doctest::Approx(1.0).epsilon(0.01));
  // Prefill of 4096 tokens: 2*4096*4096*14336 FLOPs over 2*(4096*4096 + 2*4096*14336)
  // bytes = 1,593 FLOPs/byte > 295: compute-bound, time = FLOPs / 989.4e12.
  const einsum_cost pre = cost(einsum<"btd,df->btf">, {{'b', 1}, {'t', runtime(count(4096))}, {'d', d}, {'f', f}});
  const roofline_bound p = roofline(pre, h100, dtype::bf16);
  CHECK(p.compute_bound());
  CHECK(p.time().value() == doctest::Approx(2.0 * 4096 * 4096 * 14336 / 989.4e12));
  CHECK(p.critical.value() == doctest::Approx(295.3).epsilon(0.001));
  CHECK_THROWS_WITH_AS(peak(runtime(accelerators::tpu_v5e), dtype::fp8), doctest::Contains("no fp8 peak"),
                       invalid_argument);
  CHECK_THROWS_AS(find_accelerator(runtime(std::string_view("H100"))), invalid_argument);
}

TEST_CASE("seed 003 Q7: DeepSeek-V3 utilization") {
  // 6 * 37e9 active parameters * 14.8e12 tokens; 2.79M H800 GPU-hours on 2048 GPUs.
  const flops useful = flops(6) * runtime(count(37'000'000'000ULL)) * count(14'800'000'000'000ULL);
  CHECK(useful.to_double() == doctest::Approx(3.2856e24));
  const seconds wall = seconds(2.79e6 * 3600 / 2048);
  // The book's answer uses the H800 PCIe sheet's 1.513e15 dense FP8: 3.3e24 / 1.52e25 = 21.7%
  // (21.6% with the unrounded 3.2856e24).
  const double pcie = model_flops_utilization(useful, wall, 2048, peak(accelerators::h800_pcie, dtype::fp8));
  CHECK(pcie == doctest::Approx(0.2162).epsilon(0.001));
  // DeepSeek trained on H800 SXM nodes (NVLink), whose dense FP8 peak is the H100 SXM's
  // 1978.9 TFLOP/s: the utilization was nearer 16.5%.
  const double sxm = model_flops_utilization(useful, wall, 2048, peak(accelerators::h800_sxm, dtype::fp8));
  CHECK(sxm == doctest::Approx(0.1653).epsilon(0.001));
  CHECK(device_hours(wall, 2048) == doctest::Approx(2.79e6));
}

TEST_CASE("seed 004: LLaMA-7B training time and cost, inference FLOPs") {
  // 6ND = 6 * 7e9 * 1e12 = 4.2e22 FLOPs.
  const flops c = flops(6) * runtime(count(7'000'000'000ULL)) * count(1'000'000'000'000ULL);
  CHECK(c == 4.2e22_flop);
  // 1000 A100s at 312 TFLOP/s, utilization 0.5 (the seed's 0.4-0.5 range):
  // 4.2e22 / (1000 * 312e12 * 0.5) = 269,231 s = 74.8 h = 3.1 days.
  const flop_rate a100 = peak(accelerators::a100_sxm_80gb, dtype::bf16);
  const seconds t50 = training_time(c, 1000, a100, runtime(0.5));
  CHECK(t50.value() == doctest::Approx(269'230.77));
  CHECK(t50.value() / 86400 == doctest::Approx(3.116).epsilon(0.001));
  // At $1.30 per GPU-hour: 74,786 GPU-hours = $97,222.
  CHECK(run_cost(t50, 1000, 1.30) == doctest::Approx(97'222.2).epsilon(1e-5));
  // At 0.4: 336,538 s = 3.9 days, $121,528.
  const seconds t40 = training_time(c, 1000, a100, 0.4);
  CHECK(t40.value() / 86400 == doctest::Approx(3.895).epsilon(0.001));
  CHECK(run_cost(t40, 1000, 1.30) == doctest::Approx(121'527.8).epsilon(1e-5));
  // MFU back from the step time it implies.
  CHECK(model_flops_utilization(c, t40, 1000, a100) == doctest::Approx(0.4));
  // Inference: 2N per token; 100 tokens = 1.4e12 FLOPs, "under 2 ms" on one H100 at peak.
  const flops gen = flops(2) * count(7'000'000'000ULL) * runtime(count(100));
  const seconds t = training_time(gen, 1, peak(accelerators::h100_sxm, dtype::bf16), 1.0);
  CHECK(t.value() == doctest::Approx(1.415e-3).epsilon(0.001));
  CHECK(t.value() < 2e-3);
  CHECK_THROWS_WITH_AS(training_time(c, 1000, a100, runtime(40.0)), doctest::Contains("0.4"), invalid_argument);
  CHECK_THROWS_AS(training_time(c, runtime(count(0)), a100, 0.5), invalid_argument);
}

// Time and money stay finite: the functions take the same figures in constant evaluation.
static_assert(run_cost(seconds(3600), 8, 2.0) == 16.0);  // 8 device-hours at $2
static_assert(run_cost(seconds(3600), 8, 0.0) == 0.0);   // free is fine
static_assert(device_hours(seconds(7200), 4) == 8.0);

TEST_CASE("time and money: NaN, negative and non-finite inputs or results are errors naming the value") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const flop_rate h100 = peak(runtime(accelerators::h100_sxm), dtype::bf16);
  const flops f = flops(runtime(count(2'126'523'008'876'544'000ULL)));
  // mfu 5e-324 passes the (0, 1] range but makes the time infinite: an error, not inf.
  CHECK_THROWS_WITH_AS(training_time(f, 1024, h100, runtime(5e-324)),
                       doctest::Contains("training time in seconds is inf"), invalid_argument);
  CHECK_THROWS_WITH_AS(training_time(f, 1024, h100, runtime(5e-324)), doctest::Contains("mfu 5e-324"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS(training_time(f, 1024, h100, runtime(nan)), doctest::Contains("got nan"), invalid_argument);
  CHECK_THROWS_WITH_AS(training_time(f, 1024, flop_rate(runtime(inf)), 0.4),
                       doctest::Contains("peak rate per device must be a positive, finite number"), invalid_argument);
  CHECK_THROWS_WITH_AS(training_time(f, 1024, flop_rate(runtime(-1.0)), 0.4), doctest::Contains("got -1"),
                       invalid_argument);
  // Prices: NaN, negative and infinite are refused by value; a finite price with an infinite
  // product (1e308 x 5,802 GPU-hours) too.
  const seconds hour(runtime(3600.0));
  CHECK_THROWS_WITH_AS(run_cost(hour, 1, runtime(nan)), doctest::Contains("got nan"), invalid_argument);
  CHECK_THROWS_WITH_AS(run_cost(hour, 1, runtime(-2.0)), doctest::Contains("0 or more, got -2"), invalid_argument);
  CHECK_THROWS_WITH_AS(run_cost(hour, 1, runtime(inf)), doctest::Contains("got inf"), invalid_argument);
  CHECK_THROWS_WITH_AS(run_cost(seconds(runtime(5802.0 * 3600)), 1, runtime(1e308)),
                       doctest::Contains("the run's cost is inf"), invalid_argument);
  CHECK(run_cost(hour, 1, runtime(1e308)) == 1e308);  // the largest finite products pass
  // Wall times and measured elapsed times.
  CHECK_THROWS_WITH_AS(device_hours(seconds(runtime(nan)), 1), doctest::Contains("got nan"), invalid_argument);
  CHECK_THROWS_WITH_AS(device_hours(seconds(runtime(-1.0)), 1), doctest::Contains("got -1"), invalid_argument);
  CHECK_THROWS_WITH_AS(model_flops_utilization(f, seconds(runtime(inf)), 1, h100), doctest::Contains("got inf"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS(model_flops_utilization(f, seconds(runtime(5e-324)), 1, h100),
                       doctest::Contains("the utilization is inf"), invalid_argument);
  // A made-up accelerator with no bandwidth has no memory time to give.
  const accelerator no_bw{.name = "no bandwidth", .bf16 = tflop_per_s(100)};
  CHECK_THROWS_WITH_AS(roofline(flops(100), bytes(100), runtime(no_bw), dtype::bf16),
                       doctest::Contains("memory bandwidth must be a positive, finite number"), invalid_argument);
}

#pragma once
// Accelerators, the roofline, and time and money.
//
//   using namespace txmath;
//   constexpr auto& gpu = accelerators::h100_sxm;
//   roofline(cost(einsum<"btd,df->btf">, sizes, types), gpu, dtype::bf16).time()
//   training_time(flops, 1000, peak(accelerators::a100_sxm_80gb, dtype::bf16), 0.5)
//
// Peaks are the vendors' DENSE figures (datasheets print 2:4-sparse figures, twice these,
// with an asterisk). Integers are in OP/s under the same field. fp64 is the matrix
// (tensor-core) figure where there is one; fp32 is plain FP32 (NVIDIA has no FP32 matrix
// path: tf32 is separate). 0 means "no figure": asking for it is an error.
//
// Memory sizes: vendors print "80 GB" but HBM and GDDR come in power-of-two dies, so the
// figure is GiB. Measured (nvidia-smi, driver 580): H100 SXM 80GB has 81559 MiB visible of
// 81920 MiB = 80 GiB (79.2 GiB left to CUDA); H200 has 143771 MiB = 140.4 GiB visible of
// the "141 GB" printed. The table holds the printed figure read as GiB.
// Bandwidths are decimal (TB/s = 1e12 bytes/s), as vendors mean them.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/core/real_text.hpp>
#include <txmath/einsum.hpp>

TXMATH_DEFINE_ERROR(txmath_error_accelerator_has_no_peak_for_this_dtype, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_unknown_accelerator_name, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_utilization_must_be_in_0_1, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_device_count_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_elapsed_time_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_moe_top_k_must_be_in_1_n_experts, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_rate_must_be_positive_and_finite, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_price_must_be_finite_and_not_negative, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_result_is_not_finite_check_the_inputs, invalid_argument)

namespace txmath {

// Rates in the units datasheets use.
constexpr flop_rate tflop_per_s(double v) { return flop_rate(v * 1e12); }
constexpr byte_rate gb_per_s(double v) { return byte_rate(v * 1e9); }

struct accelerator {
  std::string_view name;
  flop_rate fp64{}, fp32{}, tf32{}, bf16{}, fp16{}, fp8{}, int8{}, int4{};  // dense peaks
  byte_rate memory_bandwidth{};
  txmath::bytes memory{};
};

namespace detail {
constexpr bytes gib(std::uint64_t v) { return bytes(count(v) * count(std::uint64_t{1} << 30)); }
}  // namespace detail

namespace accelerators {
// NVIDIA A100 Tensor Core GPU datasheet (SXM4 80GB): 9.7/19.5 FP64, 19.5 FP32, 156 TF32,
// 312 BF16/FP16, 624 INT8 TOPS; INT4 1248 TOPS from the A100 (Ampere GA100) whitepaper;
// HBM2e 80 GB, 2,039 GB/s.
inline constexpr accelerator a100_sxm_80gb{
    .name = "A100 SXM 80GB", .fp64 = tflop_per_s(19.5), .fp32 = tflop_per_s(19.5),
    .tf32 = tflop_per_s(156), .bf16 = tflop_per_s(312), .fp16 = tflop_per_s(312),
    .int8 = tflop_per_s(624), .int4 = tflop_per_s(1248),
    .memory_bandwidth = gb_per_s(2039), .memory = detail::gib(80)};
// NVIDIA H100 Tensor Core GPU Architecture whitepaper, H100 SXM5 column: FP64 tensor 66.9,
// FP32 66.9, TF32 494.7, BF16/FP16 989.4, FP8 1978.9, INT8 1978.9 TOPS (the datasheet's
// 1,979 / 3,958 are these with sparsity); datasheet: HBM3 80 GB, 3.35 TB/s.
inline constexpr accelerator h100_sxm{
    .name = "H100 SXM", .fp64 = tflop_per_s(66.9), .fp32 = tflop_per_s(66.9),
    .tf32 = tflop_per_s(494.7), .bf16 = tflop_per_s(989.4), .fp16 = tflop_per_s(989.4),
    .fp8 = tflop_per_s(1978.9), .int8 = tflop_per_s(1978.9),
    .memory_bandwidth = gb_per_s(3350), .memory = detail::gib(80)};
// H800 SXM: the export H100 SXM, same tensor cores and HBM3, NVLink cut to 400 GB/s
// (DeepSeek-V3 trained on these; see DeepSeek's ISCA'25 "Insights into DeepSeek-V3").
inline constexpr accelerator h800_sxm{
    .name = "H800 SXM", .fp32 = tflop_per_s(66.9), .tf32 = tflop_per_s(494.7),
    .bf16 = tflop_per_s(989.4), .fp16 = tflop_per_s(989.4), .fp8 = tflop_per_s(1978.9),
    .int8 = tflop_per_s(1978.9), .memory_bandwidth = gb_per_s(3350), .memory = detail::gib(80)};
// H800 PCIe, Lenovo Press LP1814 spec sheet: FP8 3,026 and BF16/FP16 1,513 TFLOPS with
// sparsity (halved here), TF32 756 sparse; HBM2e 80 GB, 2 TB/s. The scaling book's seed
// answer to "DeepSeek-V3 utilization" uses this sheet's 1.513e15.
inline constexpr accelerator h800_pcie{
    .name = "H800 PCIe", .tf32 = tflop_per_s(378), .bf16 = tflop_per_s(756.5),
    .fp16 = tflop_per_s(756.5), .fp8 = tflop_per_s(1513), .int8 = tflop_per_s(1513),
    .memory_bandwidth = gb_per_s(2000), .memory = detail::gib(80)};
// NVIDIA H200 Tensor Core GPU datasheet (SXM): the H100 SXM's compute (whitepaper
// figures above) with HBM3e 141 GB at 4.8 TB/s.
inline constexpr accelerator h200_sxm{
    .name = "H200 SXM", .fp64 = tflop_per_s(66.9), .fp32 = tflop_per_s(66.9),
    .tf32 = tflop_per_s(494.7), .bf16 = tflop_per_s(989.4), .fp16 = tflop_per_s(989.4),
    .fp8 = tflop_per_s(1978.9), .int8 = tflop_per_s(1978.9),
    .memory_bandwidth = gb_per_s(4800), .memory = detail::gib(141)};
// NVIDIA HGX B200 datasheet, per GPU: FP64 37, FP32 75, TF32 2.2 PF, BF16/FP16 4.5 PF,
// FP8 9 PF, INT8 9 POPS (all but FP64/FP32 with sparsity: halved here); HBM3e 180 GB,
// 7.7 TB/s. (FP4, 9 PF dense, has no txmath dtype.)
inline constexpr accelerator b200{
    .name = "B200", .fp64 = tflop_per_s(37), .fp32 = tflop_per_s(75), .tf32 = tflop_per_s(1100),
    .bf16 = tflop_per_s(2250), .fp16 = tflop_per_s(2250), .fp8 = tflop_per_s(4500),
    .int8 = tflop_per_s(4500), .memory_bandwidth = gb_per_s(7700), .memory = detail::gib(180)};
// AMD Instinct MI300X data sheet: FP64 matrix 163.4, FP32 matrix 163.4, TF32 653.7,
// BF16/FP16 1307.4, FP8 2614.9, INT8 2614.9 TOPS (dense); HBM3 192 GB, 5.3 TB/s.
inline constexpr accelerator mi300x{
    .name = "MI300X", .fp64 = tflop_per_s(163.4), .fp32 = tflop_per_s(163.4),
    .tf32 = tflop_per_s(653.7), .bf16 = tflop_per_s(1307.4), .fp16 = tflop_per_s(1307.4),
    .fp8 = tflop_per_s(2614.9), .int8 = tflop_per_s(2614.9),
    .memory_bandwidth = gb_per_s(5300), .memory = detail::gib(192)};
// Google Cloud TPU v5e documentation: 197 TFLOPS bf16, 394 TOPS int8, HBM2 16 GB,
// 819 GB/s. (The scaling book rounds the bandwidth to 8.1e11 or 8.2e11.)
inline constexpr accelerator tpu_v5e{
    .name = "TPU v5e", .bf16 = tflop_per_s(197), .int8 = tflop_per_s(394),
    .memory_bandwidth = gb_per_s(819), .memory = detail::gib(16)};
// Google Cloud TPU v5p documentation: 459 TFLOPS bf16, 918 TOPS int8, HBM2e 95 GB,
// 2,765 GB/s.
inline constexpr accelerator tpu_v5p{
    .name = "TPU v5p", .bf16 = tflop_per_s(459), .int8 = tflop_per_s(918),
    .memory_bandwidth = gb_per_s(2765), .memory = detail::gib(95)};
// NVIDIA Ada Lovelace architecture whitepaper, GeForce RTX 4090 column: FP32 82.6, TF32
// 82.6, BF16/FP16 with FP32 accumulate 165.2 (fp16 accumulate: 330.3), FP8 with FP32
// accumulate 330.3, INT8 660.6, INT4 1321.2 (dense); FP64 1/64 of FP32; GDDR6X 24 GB,
// 1,008 GB/s. GeForce halves FP32-accumulate tensor rates, which training uses.
inline constexpr accelerator rtx_4090{
    .name = "RTX 4090", .fp64 = tflop_per_s(1.29), .fp32 = tflop_per_s(82.6),
    .tf32 = tflop_per_s(82.6), .bf16 = tflop_per_s(165.2), .fp16 = tflop_per_s(165.2),
    .fp8 = tflop_per_s(330.3), .int8 = tflop_per_s(660.6), .int4 = tflop_per_s(1321.2),
    .memory_bandwidth = gb_per_s(1008), .memory = detail::gib(24)};

inline constexpr const accelerator* all[] = {&a100_sxm_80gb, &h100_sxm, &h800_sxm, &h800_pcie,
                                             &h200_sxm, &b200, &mi300x, &tpu_v5e, &tpu_v5p,
                                             &rtx_4090};
}  // namespace accelerators

// The table entry named `name` ("H100 SXM").
constexpr const accelerator& find_accelerator(std::string_view name) {
  for (const accelerator* a : accelerators::all)
    if (a->name == name) return *a;
  TXMATH_FAIL(txmath_error_unknown_accelerator_name, invalid_argument,
              "txmath: unknown accelerator '" + std::string(name) +
                  "' (see txmath::accelerators::all for the names)");
}

// Dense peak of `hw` computing in `t`.
constexpr flop_rate peak(const accelerator& hw, dtype t) {
  flop_rate r{};
  switch (t) {
    case dtype::fp64: r = hw.fp64; break;
    case dtype::fp32: r = hw.fp32; break;
    case dtype::tf32: r = hw.tf32; break;
    case dtype::bf16: r = hw.bf16; break;
    case dtype::fp16: r = hw.fp16; break;
    case dtype::fp8: r = hw.fp8; break;
    case dtype::int8: r = hw.int8; break;
    case dtype::int4: r = hw.int4; break;
  }
  if (!(r.value() > 0))
    TXMATH_FAIL(txmath_error_accelerator_has_no_peak_for_this_dtype, invalid_argument,
                "txmath: " + std::string(hw.name) + " has no " + std::string(name_of(t)) +
                    " peak in the table; compute in another dtype");
  return r;
}

namespace detail {
// A rate (FLOP/s, byte/s) divides: it must be a positive, finite number.
constexpr void check_rate(double v, std::string_view what, std::string_view unit) {
  if (!(v > 0 && v <= std::numeric_limits<double>::max()))
    TXMATH_FAIL(txmath_error_rate_must_be_positive_and_finite, invalid_argument,
                "txmath: " + std::string(what) + " must be a positive, finite number of " + std::string(unit) +
                    ", got " + real_text(v));
}
// A figure about to be returned must be finite: an inf would reach a report as text no JSON
// reader accepts. These test before they compute (a constant expression may not overflow),
// for non-negative a and b; `what` says which figure, `inputs` the values it came from.
template <class Inputs>  // Inputs: () -> std::string, called only to build the message
[[noreturn]] constexpr void not_finite(std::string_view what, const Inputs& inputs) {
  TXMATH_FAIL(txmath_error_result_is_not_finite_check_the_inputs, invalid_argument,
              "txmath: " + std::string(what) + " is inf (beyond the range of a double) from " + inputs() +
                  "; check those inputs");
}
template <class Inputs>
constexpr double finite_product(double a, double b, std::string_view what, const Inputs& inputs) {
  if (b > 1 && a > std::numeric_limits<double>::max() / b) not_finite(what, inputs);
  return a * b;
}
template <class Inputs>
constexpr double finite_quotient(double a, double b, std::string_view what, const Inputs& inputs) {
  if (b < 1 && (b == 0 || a > std::numeric_limits<double>::max() * b)) not_finite(what, inputs);
  return a / b;
}
}  // namespace detail

// FLOPs per byte at which compute time equals memory time: above it a kernel is
// compute-bound. TPU v5e bf16: 197e12 / 819e9 = 240.5; H100 SXM bf16: 295.
constexpr intensity critical_intensity(const accelerator& hw, dtype compute) {
  return peak(hw, compute) / hw.memory_bandwidth;
}

// Lower bounds on the time of a kernel that does `f` FLOPs and moves `b` bytes.
struct roofline_bound {
  seconds compute_time{};
  seconds memory_time{};
  intensity arithmetic_intensity{};  // of the kernel
  intensity critical{};              // of the hardware
  constexpr seconds time() const { return compute_time > memory_time ? compute_time : memory_time; }
  constexpr bool compute_bound() const { return compute_time >= memory_time; }
};

constexpr roofline_bound roofline(flops f, bytes b, const accelerator& hw, dtype compute) {
  detail::check_rate(hw.memory_bandwidth.value(), "an accelerator's memory bandwidth", "byte/s");
  roofline_bound r;
  r.compute_time = f / peak(hw, compute);
  r.memory_time = b / hw.memory_bandwidth;
  r.arithmetic_intensity = f / b;
  r.critical = critical_intensity(hw, compute);
  return r;
}
// One einsum, each operand read once and the result written once.
constexpr roofline_bound roofline(const einsum_cost& c, const accelerator& hw, dtype compute) {
  return roofline(c.flops, c.bytes_moved(), hw, compute);
}

// Tokens per batch at which an MoE layer's expert matmuls become compute-bound in
// decoding. Each expert sees tokens * top_k / n_experts of them and a weight stored in
// `weights` (bits_of / 8 bytes) serves 2 FLOPs per token, so the batch must satisfy
//   2 * tokens * top_k / (n_experts * bytes_per_weight) >= critical intensity.
// n_experts = top_k = 1 gives the dense figure (240 tokens on TPU v5e, bf16 weights).
constexpr quantity<dims::token, double> moe_compute_bound_tokens(count n_experts, count top_k,
                                                                 dtype weights,
                                                                 const accelerator& hw,
                                                                 dtype compute) {
  if (top_k == 0 || top_k > n_experts)
    TXMATH_FAIL(txmath_error_moe_top_k_must_be_in_1_n_experts, invalid_argument,
                "txmath: top_k = " + top_k.to_string() + " must be in [1, n_experts = " +
                    n_experts.to_string() + "]");
  const double bytes_per_weight = bits_of(weights) / 8.0;
  return quantity<dims::token, double>(critical_intensity(hw, compute).value() * bytes_per_weight /
                                       2.0 * (n_experts.to_double() / top_k.to_double()));
}

// ---- time and money --------------------------------------------------------------------

namespace detail {
constexpr void check_devices(count n) {
  if (n == 0)
    TXMATH_FAIL(txmath_error_device_count_must_be_positive, invalid_argument,
                "txmath: the number of devices must be positive, got 0");
}
constexpr void check_utilization(double u) {
  if (!(u > 0.0 && u <= 1.0))
    TXMATH_FAIL(txmath_error_utilization_must_be_in_0_1, invalid_argument,
                "txmath: utilization must be in (0, 1], got " + real_text(u) +
                    " (write 40% as 0.4)");
}
}  // namespace detail

// Wall-clock time to do `total` FLOPs on n devices of peak `peak_per_device` at model-FLOPs
// utilization `mfu` (the fraction of peak spent on the model's own FLOPs). A time beyond a
// double's range (an mfu of 5e-324, say) is an error naming the inputs, never inf.
constexpr seconds training_time(flops total, count n_devices, flop_rate peak_per_device, double mfu) {
  detail::check_devices(n_devices);
  detail::check_utilization(mfu);
  detail::check_rate(peak_per_device.value(), "the peak rate per device", "FLOP/s");
  const double rate = peak_per_device.value() * (n_devices.to_double() * mfu);
  return seconds(detail::finite_quotient(total.to_double(), rate, "the training time in seconds", [&] {
    return total.value().to_string() + " FLOPs / (" + n_devices.to_string() + " devices x " +
           detail::real_text(peak_per_device.value()) + " FLOP/s x mfu " + detail::real_text(mfu) + ")";
  }));
}

// MFU from a measurement: `useful` FLOPs (6ND for a training step, say) took `elapsed` on
// n devices.
constexpr double model_flops_utilization(flops useful, seconds elapsed, count n_devices,
                                         flop_rate peak_per_device) {
  detail::check_devices(n_devices);
  if (!(elapsed.value() > 0 && elapsed.value() <= std::numeric_limits<double>::max()))
    TXMATH_FAIL(txmath_error_elapsed_time_must_be_positive, invalid_argument,
                "txmath: the elapsed time must be a positive, finite number of seconds, got " +
                    detail::real_text(elapsed.value()));
  detail::check_rate(peak_per_device.value(), "the peak rate per device", "FLOP/s");
  const auto inputs = [&] {
    return useful.value().to_string() + " FLOPs in " + detail::real_text(elapsed.value()) + " s on " +
           n_devices.to_string() + " devices of " + detail::real_text(peak_per_device.value()) + " FLOP/s";
  };
  const double peak_work = detail::finite_product(peak_per_device.value(), elapsed.value(), "peak FLOPs", inputs);
  return detail::finite_quotient(useful.to_double() / n_devices.to_double(), peak_work, "the utilization", inputs);
}

// Device-hours of a run: wall time x devices. The time must be finite and not negative.
constexpr double device_hours(seconds wall, count n_devices) {
  if (!(wall.value() >= 0 && wall.value() <= std::numeric_limits<double>::max()))
    TXMATH_FAIL(txmath_error_elapsed_time_must_be_positive, invalid_argument,
                "txmath: the wall-clock time must be a finite, non-negative number of seconds, got " +
                    detail::real_text(wall.value()));
  return detail::finite_product(wall.value() / 3600.0, n_devices.to_double(), "the device-hours", [&] {
    return detail::real_text(wall.value()) + " s x " + n_devices.to_string() + " devices";
  });
}
// Cost in the currency of `price_per_device_hour` (USD in the examples): a finite price,
// not negative (0 is free), and a finite product.
constexpr double run_cost(seconds wall, count n_devices, double price_per_device_hour) {
  if (!(price_per_device_hour >= 0 && price_per_device_hour <= std::numeric_limits<double>::max()))
    TXMATH_FAIL(txmath_error_price_must_be_finite_and_not_negative, invalid_argument,
                "txmath: the price per device-hour must be a finite number, 0 or more, got " +
                    detail::real_text(price_per_device_hour));
  const double hours = device_hours(wall, n_devices);
  return detail::finite_product(hours, price_per_device_hour, "the run's cost", [&] {
    return detail::real_text(hours) + " device-hours x price " + detail::real_text(price_per_device_hour) +
           " per device-hour";
  });
}

}  // namespace txmath

#pragma once
// A system: an accelerator (hardware.hpp's table) and its interconnect, for the step-time
// model (step_time.hpp) and the layout search (plan.hpp).
//
//   const txmath::system_spec& s = txmath::find_system("dgx-h100");
//   s.gpus_per_domain  // 8: GPUs joined by NVLink/NVSwitch (a TPU slice: by ICI)
//
// The interconnect has two levels: a fast domain (NVLink/NVSwitch, or a TPU slice's ICI) of
// `gpus_per_domain` devices and a scale-out network between domains (InfiniBand, DCN).
// Bandwidths are per device and per direction, in decimal bytes/s (vendors quote NVLink
// "900 GB/s" as the sum of both directions: 450 GB/s here). Latencies are one message's
// start-up cost (the alpha of the alpha-beta model, collectives.hpp).
//
// `efficiency` holds the few physical parameters the step-time model needs beyond the
// datasheet: the fraction of peak a large matmul reaches, the matmul size at which half of
// that is reached, the fraction of HBM bandwidth memory-bound kernels reach, and the fraction
// of link bandwidth collectives reach. For dgx-a100 the matmul pair was fitted once on stated
// measured runs (tests/test_step_time_validation.cpp says which and repeats the fit) and the
// two bandwidth fractions were set from published benchmarks (cited at a100_fit); the other
// systems use the same fractions until measured runs for them are added (stated per preset).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/hardware.hpp>
#include <txmath/json.hpp>

TXMATH_DEFINE_ERROR(txmath_error_unknown_system_name, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_system_field_out_of_range, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_system_name_too_long, invalid_argument)

namespace txmath {

// The step-time model's physical parameters for one system (see the header comment).
struct system_efficiency {
  double matmul_peak_fraction = 0.0;  // fraction of the dense peak a large matmul reaches
  double matmul_half_size = 0.0;      // smallest matmul dimension at which half of that is reached
  double memory_fraction = 0.0;       // fraction of HBM bandwidth memory-bound kernels reach
  double link_fraction = 0.0;         // fraction of link bandwidth a collective reaches
};

// A name held by value (a system read from a file owns its name; the struct stays a constant).
class system_name {
 public:
  static constexpr std::size_t capacity = 47;
  constexpr system_name() = default;
  template <std::size_t N>
  constexpr system_name(const char (&s)[N]) : system_name(std::string_view(s, N - 1)) {}  // NOLINT
  constexpr explicit system_name(std::string_view s) {
    if (s.size() > capacity)
      TXMATH_FAIL(txmath_error_system_name_too_long, invalid_argument,
                  "txmath: system name '" + std::string(s.substr(0, 60)) + "...' is longer than " +
                      std::to_string(capacity) + " characters");
    for (std::size_t i = 0; i < s.size(); ++i) text_[i] = s[i];
    n_ = s.size();
  }
  [[nodiscard]] constexpr std::string_view view() const { return std::string_view(text_, n_); }

 private:
  char text_[capacity + 1]{};
  std::size_t n_ = 0;
};

struct system_spec {
  system_name name;
  accelerator gpu{};
  count gpus_per_domain = 1;     // devices joined by the fast interconnect
  double intra_bandwidth = 0;    // bytes/s per device per direction inside a domain
  double inter_bandwidth = 0;    // bytes/s per device per direction across domains
  double intra_latency = 0;      // seconds per message inside a domain
  double inter_latency = 0;      // seconds per message across domains
  system_efficiency efficiency{};
};

namespace accelerators {
// NVIDIA GB200 NVL72 datasheet, per Blackwell GPU of the rack (72 GPUs): FP8 360 PF and
// FP16/BF16 180 PF per rack with sparsity, i.e. 2.5 PF dense BF16 and 5 PF dense FP8 per
// GPU; HBM3e 13.4 TB (186 GB) per GPU at 8 TB/s. TF32 90 PF per rack sparse: 0.625 PF dense.
inline constexpr accelerator gb200{
    .name = "GB200", .fp64 = tflop_per_s(40), .fp32 = tflop_per_s(80), .tf32 = tflop_per_s(625),
    .bf16 = tflop_per_s(2500), .fp16 = tflop_per_s(2500), .fp8 = tflop_per_s(5000),
    .int8 = tflop_per_s(5000), .memory_bandwidth = gb_per_s(8000), .memory = detail::gib(186)};
}  // namespace accelerators

namespace systems {
// dgx-a100's: memory_fraction and link_fraction are set, not fitted. Memory-bound kernels
// reach ~85% of the A100 SXM 80GB's 2,039 GB/s: RRZE-HPC/gpu-benches' gpu-stream on an A100
// 80GB (gpu-stream/a100_80.txt, 100% occupancy; the file does not say SXM or PCIe, and for a
// PCIe card's 1,935 GB/s the same runs are 0.90) streams 1,737 GB/s in its scale kernel (one
// load, one store: 0.85 of 2,039), 1,794 in triad (0.88). NCCL's collectives reach ~77% of
// NVLink's 300 GB/s per direction: 12 links of 25 GB/s carry ~20 GB/s each with the SMs'
// 128-byte payloads, and other bottlenecks limit an 8-GPU A100 all-reduce to ~230 GB/s bus
// bandwidth (NCCL's maintainer in NVIDIA/nccl-tests#149; an 8 x A100 node measured 232.5 GB/s
// in nccl-tests#175). The same fraction is assumed for InfiniBand, which is conservative:
// 8 A100s over 4 HDR NICs (100 GB/s) measured 84.8 GB/s average, 96 peak bus bandwidth
// (nccl-tests#119) and 86 GB/s (#175) across nodes. The matmul curve (peak fraction 0.86,
// half size 272) was fitted once, by the grid search that tests/test_step_time_validation.cpp
// repeats (0.50..1.00 by 0.01, 0..1000 by 4), on four of Korthikanti et al. 2022's Table 5
// runs (22B and 530B, full and selective recompute); the 175B and 1T runs are held out.
// Other systems reuse these fractions: an assumption until measured runs on them are added.
inline constexpr system_efficiency a100_fit{.matmul_peak_fraction = 0.86, .matmul_half_size = 272,
                                            .memory_fraction = 0.85, .link_fraction = 0.77};

// Selene's DGX A100 80GB nodes (Korthikanti et al. 2022 ran Table 5 there): 8 A100 SXM4 80GB
// on NVSwitch, NVLink 3 at 600 GB/s per GPU (both directions: 300 per direction); 8 HDR
// InfiniBand 200 Gb/s compute NICs per node, one per GPU: 25 GB/s per direction (DGX A100
// user guide; the Selene TOP500 entry). Latencies: ~3 us NVLink, ~5 us InfiniBand (NCCL's
// base latencies are of this order).
inline constexpr system_spec dgx_a100{.name = "dgx-a100", .gpu = accelerators::a100_sxm_80gb,
                                      .gpus_per_domain = 8, .intra_bandwidth = 300e9,
                                      .inter_bandwidth = 25e9, .intra_latency = 3e-6,
                                      .inter_latency = 5e-6, .efficiency = a100_fit};
// DGX H100: 8 H100 SXM5, NVLink 4 at 900 GB/s per GPU (450 per direction) through 4
// NVSwitches; 8 ConnectX-7 NDR 400 Gb/s NICs (50 GB/s per GPU per direction). DGX H100 user
// guide / datasheet.
inline constexpr system_spec dgx_h100{.name = "dgx-h100", .gpu = accelerators::h100_sxm,
                                      .gpus_per_domain = 8, .intra_bandwidth = 450e9,
                                      .inter_bandwidth = 50e9, .intra_latency = 3e-6,
                                      .inter_latency = 5e-6, .efficiency = a100_fit};
// HGX H200 8-GPU: NVLink 4 at 900 GB/s per GPU (NVIDIA H200 datasheet), and one 400 Gb/s
// NDR NIC per GPU in the reference design (50 GB/s per direction).
inline constexpr system_spec hgx_h200{.name = "hgx-h200", .gpu = accelerators::h200_sxm,
                                      .gpus_per_domain = 8, .intra_bandwidth = 450e9,
                                      .inter_bandwidth = 50e9, .intra_latency = 3e-6,
                                      .inter_latency = 5e-6, .efficiency = a100_fit};
// GB200 NVL72: 72 Blackwell GPUs in one NVLink 5 domain, 1.8 TB/s per GPU (900 GB/s per
// direction; GB200 NVL72 datasheet); scale-out one ConnectX-7 400 Gb/s per GPU (DGX GB200).
inline constexpr system_spec gb200_nvl72{.name = "gb200-nvl72", .gpu = accelerators::gb200,
                                         .gpus_per_domain = 72, .intra_bandwidth = 900e9,
                                         .inter_bandwidth = 50e9, .intra_latency = 3e-6,
                                         .inter_latency = 5e-6, .efficiency = a100_fit};
// TPU v5p (Cloud TPU v5p documentation): 1,200 GB/s bidirectional ICI per chip over the six
// links of a 3D torus, 200 GB/s per link. A ring along one torus axis uses two links: 200
// GB/s per direction. The largest slice joined by ICI is 6,144 chips; between slices the
// data-center network gives 50 Gb/s (6.25 GB/s) per chip. ICI hop latency ~1 us; DCN ~10 us.
inline constexpr system_spec tpu_v5p{.name = "tpu-v5p", .gpu = accelerators::tpu_v5p,
                                     .gpus_per_domain = 6144, .intra_bandwidth = 200e9,
                                     .inter_bandwidth = 6.25e9, .intra_latency = 1e-6,
                                     .inter_latency = 10e-6, .efficiency = a100_fit};

inline constexpr const system_spec* all[] = {&dgx_a100, &dgx_h100, &hgx_h200, &gb200_nvl72, &tpu_v5p};
}  // namespace systems

// The preset named `name` ("dgx-h100").
[[nodiscard]] constexpr const system_spec& find_system(std::string_view name) {
  for (const system_spec* s : systems::all)
    if (s->name.view() == name) return *s;
  std::string names;
  for (const system_spec* s : systems::all) names += (names.empty() ? "" : ", ") + std::string(s->name.view());
  TXMATH_FAIL(txmath_error_unknown_system_name, invalid_argument,
              "txmath: unknown system '" + std::string(name) + "' (systems: " + names +
                  "; or a system .json file)");
}

namespace detail {
inline double system_field(const ::txmath::json::value& j, std::string_view key, double lo, double hi,
                           double fallback, bool required) {
  const auto v = j.find(key);
  if (!v) {
    if (required)
      TXMATH_FAIL(txmath_error_system_field_out_of_range, invalid_argument,
                  "txmath: system file: missing field '" + std::string(key) + "'");
    return fallback;
  }
  const double x = v->as_double();
  if (!(x >= lo && x <= hi))
    TXMATH_FAIL(txmath_error_system_field_out_of_range, invalid_argument,
                "txmath: system file: " + std::string(key) + " = " + std::to_string(x) +
                    " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}
}  // namespace detail

// A system from JSON text (at most 64 KiB):
//   {"name": "my-cluster", "accelerator": "H100 SXM", "gpus_per_domain": 8,
//    "intra_domain_gb_per_s": 450, "inter_domain_gb_per_s": 50,
//    "intra_latency_us": 3, "inter_latency_us": 5,
//    "matmul_peak_fraction": 0.8, "matmul_half_size": 24, "memory_fraction": 0.75,
//    "link_fraction": 0.8}
// The efficiency fields are optional (default: the dgx-a100 fit).
[[nodiscard]] inline system_spec parse_system(std::string_view text, std::string_view source = "<system>") {
  constexpr std::size_t max_bytes = 64 * 1024;
  if (text.size() > max_bytes)
    TXMATH_FAIL(txmath_error_system_field_out_of_range, invalid_argument,
                "txmath: system file " + std::string(source) + " is " + std::to_string(text.size()) +
                    " bytes; the limit is " + std::to_string(max_bytes));
  const ::txmath::json::value j = ::txmath::json::parse(text, {.source = source, .max_depth = 4});
  system_spec s;
  s.name = system_name(j.at("name").as_string_view());
  s.gpu = find_accelerator(j.at("accelerator").as_string_view());
  s.gpus_per_domain = count(static_cast<std::uint64_t>(
      detail::system_field(j, "gpus_per_domain", 1, 1e6, 0, true)));
  s.intra_bandwidth = detail::system_field(j, "intra_domain_gb_per_s", 1e-3, 1e6, 0, true) * 1e9;
  s.inter_bandwidth = detail::system_field(j, "inter_domain_gb_per_s", 1e-3, 1e6, 0, true) * 1e9;
  s.intra_latency = detail::system_field(j, "intra_latency_us", 0, 1e6, 3, false) * 1e-6;
  s.inter_latency = detail::system_field(j, "inter_latency_us", 0, 1e6, 5, false) * 1e-6;
  const system_efficiency& d = systems::a100_fit;
  s.efficiency.matmul_peak_fraction =
      detail::system_field(j, "matmul_peak_fraction", 1e-3, 1, d.matmul_peak_fraction, false);
  s.efficiency.matmul_half_size = detail::system_field(j, "matmul_half_size", 0, 1e6, d.matmul_half_size, false);
  s.efficiency.memory_fraction = detail::system_field(j, "memory_fraction", 1e-3, 1, d.memory_fraction, false);
  s.efficiency.link_fraction = detail::system_field(j, "link_fraction", 1e-3, 1, d.link_fraction, false);
  return s;
}

}  // namespace txmath

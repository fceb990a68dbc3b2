// Systems and collective times: the presets' datasheet figures, the alpha-beta times worked
// by hand on a round-number system, the ring bandwidth term against parallel.hpp's byte
// counts, and a system read from JSON.
#include <doctest/doctest.h>

#include "support.hpp"

#include <string>

#include <txmath/collectives.hpp>
#include <txmath/parallel.hpp>
#include <txmath/system.hpp>

using namespace txmath;
using txmath_test::runtime;

namespace {
constexpr double rel(double a, double b) { return (a - b) / b < 0 ? (b - a) / b : (a - b) / b; }

// 4 devices per domain, 100 GB/s inside, 10 GB/s across, 1 us and 2 us latency, links at
// their full rate: every figure below is worked by hand from these.
constexpr system_spec toy{.name = "toy", .gpu = accelerators::a100_sxm_80gb, .gpus_per_domain = 4,
                          .intra_bandwidth = 100e9, .inter_bandwidth = 10e9, .intra_latency = 1e-6,
                          .inter_latency = 2e-6,
                          .efficiency = {.matmul_peak_fraction = 1, .matmul_half_size = 0,
                                         .memory_fraction = 1, .link_fraction = 1}};
constexpr bytes mb100(100'000'000);
}  // namespace

// Presets: the datasheet figures per direction (NVLink 3: 600 GB/s both ways; NVLink 4: 900;
// NVLink 5: 1.8 TB/s; HDR 200 Gb/s = 25 GB/s; NDR 400 Gb/s = 50 GB/s; v5p ICI 1200 GB/s
// bidirectional over 6 links, DCN 50 Gb/s).
static_assert(find_system("dgx-a100").intra_bandwidth * 2 == 600e9);
static_assert(find_system("dgx-a100").inter_bandwidth * 8 == 200e9);
static_assert(find_system("dgx-h100").intra_bandwidth * 2 == 900e9);
static_assert(find_system("dgx-h100").inter_bandwidth * 8 == 400e9);
static_assert(find_system("gb200-nvl72").gpus_per_domain == 72 && find_system("gb200-nvl72").intra_bandwidth * 2 == 1.8e12);
static_assert(find_system("tpu-v5p").intra_bandwidth == 1200e9 / 6);
static_assert(find_system("tpu-v5p").inter_bandwidth * 8 == 50e9);
static_assert(find_system("hgx-h200").gpu.memory == accelerators::h200_sxm.memory);
static_assert(find_system("dgx-a100").gpu.name == std::string_view("A100 SXM 80GB"));

// Placement: ranks tp fastest. A tp = 8 group (stride 1) fills a node; a dp group of stride 8
// has one rank per node; stride 2 over 8-GPU nodes puts 4 of its ranks in a node.
static_assert(group_in(find_system("dgx-a100"), 8, 1).per_domain == 8);
static_assert(group_in(find_system("dgx-a100"), 64, 8).per_domain == 1);
static_assert(group_in(find_system("dgx-a100"), 16, 2).per_domain == 4);
static_assert(group_in(find_system("dgx-a100"), 2, 1).per_domain == 2);

TEST_CASE("alpha-beta collective times, worked by hand") {
  // All-reduce of 100 MB over the 4 ranks of one domain: 2 x (3 x 1 us + 3/4 x 1e8 / 1e11)
  // = 2 x 753 us = 1.506 ms.
  static_assert(rel(all_reduce_time(toy, group_in(toy, 4, 1), mb100).value(), 1.506e-3) < 1e-12);
  CHECK(rel(all_reduce_time(toy, group_in(toy, runtime(count(4)), 1), mb100).value(), 1.506e-3) < 1e-12);
  // Over 16 ranks, 4 per domain: RS inside (753 us), AR of 25 MB over 4 domains at 10 GB/s
  // (2 x (3 x 2 us + 3/4 x 2.5e7 / 1e10) = 2 x 1.881 ms), AG inside (753 us): 5.268 ms.
  const double ar16 = all_reduce_time(toy, group_in(toy, 16, 1), mb100).value();
  CHECK(rel(ar16, 2 * (753e-6 + 1881e-6)) < 1e-12);
  // Reduce-scatter and all-gather are one of the two passes: 2.634 ms.
  CHECK(rel(reduce_scatter_time(toy, group_in(toy, 16, 1), mb100).value(), 2.634e-3) < 1e-12);
  CHECK(all_gather_time(toy, group_in(toy, 16, 1), mb100) == reduce_scatter_time(toy, group_in(toy, 16, 1), mb100));
  // 8 ranks 4 apart: one per domain, a flat ring over the network: 7 x 2 us + 7/8 x 1e8 / 1e10.
  CHECK(rel(all_gather_time(toy, group_in(toy, 8, 4), mb100).value(), 14e-6 + 8.75e-3) < 1e-12);
  // All-to-all over 16 (4 per domain): 3 x 1 us + 3/16 x 1e8 / 1e11 inside, 12 x 2 us + 12/16
  // x 1e8 / 1e10 across = 7.7145 ms.
  CHECK(rel(all_to_all_time(toy, group_in(toy, 16, 1), mb100).value(), 7.7145e-3) < 1e-12);
  // One MB point-to-point across domains: 2 us + 100 us.
  CHECK(rel(p2p_time(toy, bytes(1'000'000), true).value(), 102e-6) < 1e-12);
  CHECK(rel(p2p_time(toy, bytes(1'000'000), false).value(), 11e-6) < 1e-12);
  // A group of one moves nothing.
  CHECK(all_reduce_time(toy, group_in(toy, 1, 1), mb100).value() == 0.0);
}

TEST_CASE("the ring's bandwidth term is parallel.hpp's bytes over the link") {
  // parallel.hpp counts what one device sends: 2 (n-1) ceil(B/n) for an all-reduce. With no
  // latency, time x bandwidth is that count (B divisible by n here).
  system_spec s = toy;
  s.intra_latency = 0;
  s.gpus_per_domain = 8;
  for (std::uint64_t n : {2u, 4u, 8u}) {
    CAPTURE(n);
    const double t = all_reduce_time(s, group_in(s, n, 1), mb100).value();
    CHECK(rel(t * s.intra_bandwidth, all_reduce_bytes(mb100, n).to_double()) < 1e-12);
    const double g = all_gather_time(s, group_in(s, n, 1), mb100).value();
    CHECK(rel(g * s.intra_bandwidth, all_gather_bytes(mb100, n).to_double()) < 1e-12);
  }
}

TEST_CASE("a system from JSON") {
  const system_spec s = parse_system(R"({"name": "my-h100", "accelerator": "H100 SXM",
      "gpus_per_domain": 8, "intra_domain_gb_per_s": 450, "inter_domain_gb_per_s": 50,
      "intra_latency_us": 2, "link_fraction": 0.9})");
  CHECK(s.name.view() == "my-h100");
  CHECK(s.gpu.name == "H100 SXM");
  CHECK(s.gpus_per_domain == 8);
  CHECK(s.intra_bandwidth == 450e9);
  CHECK(rel(s.inter_latency, 5e-6) < 1e-12);  // the default
  CHECK(s.efficiency.link_fraction == 0.9);
  CHECK(s.efficiency.matmul_peak_fraction == systems::a100_fit.matmul_peak_fraction);
  // Bad input names the field and the limit.
  CHECK_THROWS_WITH_AS((void)parse_system(R"({"name": "x", "accelerator": "H100 SXM", "gpus_per_domain": 0,
      "intra_domain_gb_per_s": 1, "inter_domain_gb_per_s": 1})"),
                       doctest::Contains("gpus_per_domain = 0"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)parse_system(R"({"name": "x", "accelerator": "H100 SXM", "gpus_per_domain": 8,
      "intra_domain_gb_per_s": 1})"),
                       doctest::Contains("missing field 'inter_domain_gb_per_s'"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)parse_system(R"({"name": "x", "accelerator": "Z80"})"),
                       doctest::Contains("unknown accelerator 'Z80'"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)parse_system(std::string(70000, ' ')), doctest::Contains("limit is 65536"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)find_system("dgx-z"), doctest::Contains("unknown system 'dgx-z'"), invalid_argument);
}

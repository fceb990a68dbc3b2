// The layout search: its enumeration against a brute-force loop over every field (same
// count, same best layout), its figures against step_model::evaluate (the activations it
// scales by the micro-batch included), fixed dimensions, the memory budget, and the errors
// for layouts that cannot exist.
#include <doctest/doctest.h>

#include <vector>

#include <txmath/plan.hpp>
#include <txmath/presets.hpp>

using namespace txmath;

namespace {
// Every layout of `gpus` GPUs the search should cost, by brute force: all fields over wide
// ranges, kept when the step model accepts them and they follow the search's stated rules.
struct brute_result {
  std::uint64_t valid = 0;
  double best = 1e300;
};
brute_result brute_force(const step_model& m, const system_spec& s, count gpus, double reserve) {
  brute_result r;
  const double budget = static_cast<double>(static_cast<std::uint64_t>(s.gpu.memory.to_double() * (1 - reserve)));
  const std::uint64_t sizes[] = {1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64};
  for (auto tp : sizes)
    for (auto pp : sizes)
      for (auto cp : sizes)
        for (auto dp : sizes) {
          if (count(tp * pp * cp * dp) != gpus) continue;
          for (auto ep : sizes)
            for (auto mb : sizes)
              for (std::uint64_t v : interleave_choices)
                for (int rc = 0; rc < 3; ++rc)
                  for (int sp = 0; sp < 2; ++sp)
                    for (int z = 0; z < 4; ++z) {
                      const training_layout l{.tp = tp, .pp = pp, .dp = dp, .ep = ep, .cp = cp, .micro_batch = mb,
                                              .interleave = v, .recompute_mode = static_cast<recompute>(rc),
                                              .sequence_parallel = sp == 1, .zero = static_cast<std::uint8_t>(z)};
                      if (m.problem(l) != layout_problem::none) continue;
                      if ((sp == 1 && tp == 1) || (z > 0 && dp == 1)) continue;
                      ++r.valid;
                      const auto e = m.evaluate(s, l);
                      if (e.memory_per_gpu.to_double() <= budget && e.step_seconds < r.best) r.best = e.step_seconds;
                    }
        }
  return r;
}
}  // namespace

TEST_CASE("the search costs what a brute-force loop finds, and ranks the same best") {
  // GPT-3 1.3B (16 heads, 24 layers) on 16 A100s, 2048 tokens x 32 sequences; and an MoE
  // (Mixtral 8x7B: 8 experts, so ep is searched) on 16 H100s.
  struct scenario {
    model_config model;
    const system_spec* system;
    std::uint64_t seq, batch;
  };
  const scenario cases[] = {{presets::gpt3_1_3b, &systems::dgx_a100, 2048, 32},
                            {presets::mixtral_8x7b, &systems::dgx_h100, 4096, 32}};
  for (const auto& c : cases) {
    const step_model m(c.model, {.seq = c.seq, .global_batch = c.batch});
    const auto r = plan(m, *c.system, {.gpus = 16, .top = 10});
    const auto b = brute_force(m, *c.system, 16, 0.10);
    CHECK(r.evaluated == b.valid);
    REQUIRE(!r.layouts.empty());
    CHECK(r.layouts[0].estimate.step_seconds == b.best);
    CHECK(r.fitting <= r.evaluated);
    // Every kept layout: sorted, within the budget, and what evaluate() says (the scaled
    // activations included).
    for (std::size_t i = 0; i < r.layouts.size(); ++i) {
      const auto& e = r.layouts[i];
      const auto d = m.evaluate(*c.system, e.layout);
      CHECK(d.step_seconds == e.estimate.step_seconds);
      CHECK(d.activations_per_gpu == e.estimate.activations_per_gpu);
      CHECK(d.memory_per_gpu == e.estimate.memory_per_gpu);
      CHECK(e.estimate.memory_per_gpu <= r.memory_budget);
      CHECK(e.layout.devices() == 16);
      if (i > 0) CHECK(r.layouts[i - 1].estimate.step_seconds <= e.estimate.step_seconds);
    }
  }
}

TEST_CASE("fixed dimensions are kept; all fixed evaluates one layout") {
  const step_model m(presets::llama_3_8b, {.seq = 8192, .global_batch = 64});
  const auto r = plan(m, systems::dgx_h100, {.gpus = 64, .top = 50, .tp = 2, .recompute_mode = 1});
  REQUIRE(!r.layouts.empty());
  for (const auto& e : r.layouts) {
    CHECK(e.layout.tp == 2);
    CHECK(e.layout.recompute_mode == recompute::selective);
  }
  const auto one = plan(m, systems::dgx_h100,
                        {.gpus = 64, .tp = 2, .pp = 2, .dp = 16, .ep = 1, .cp = 1, .micro_batch = 1, .interleave = 2,
                         .recompute_mode = 0, .sequence_parallel = 1, .zero = 1});
  CHECK(one.evaluated == 1);
  REQUIRE(one.layouts.size() == 1);
  CHECK(one.layouts[0].estimate.step_seconds ==
        m.evaluate(systems::dgx_h100, one.layouts[0].layout).step_seconds);
  // Nothing fits a 1% budget... of an 8B model on one GPU.
  const auto none = plan(m, systems::dgx_h100, {.gpus = 1, .memory_reserve = 0.99});
  CHECK(none.layouts.empty());
  CHECK(none.evaluated > 0);
  CHECK(none.fitting == 0);
}

TEST_CASE("layouts that cannot exist are named") {
  const step_model m(presets::llama_3_8b, {.seq = 8192, .global_batch = 64});
  const auto& s = systems::dgx_h100;
  CHECK_THROWS_WITH_AS((void)plan(m, s, {.gpus = 64, .tp = 3}),
                       "txmath: plan: --gpus 64 does not factor as tp x pp x cp x dp with the given sizes (their product is 3)",
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)plan(m, s, {.gpus = 48, .tp = 3}), "txmath: layout: tp = 3 must divide the 32 attention heads",
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)plan(m, s, {.gpus = 64, .pp = 64}), "txmath: layout: pp = 64 exceeds the 32 layers",
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)plan(m, s, {.gpus = 64, .tp = 4, .pp = 4, .dp = 2, .cp = 1}),
                       doctest::Contains("does not factor"), invalid_argument);
  const step_model moe(presets::mixtral_8x7b, {.seq = 4096, .global_batch = 64});
  CHECK_THROWS_WITH_AS((void)plan(moe, s, {.gpus = 48, .ep = 3}), "txmath: layout: ep = 3 must divide the 8 experts",
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)plan(m, s, {.gpus = 0}), doctest::Contains("--gpus = 0"), invalid_argument);
}

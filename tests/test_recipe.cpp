// Training-recipe arithmetic: batches, steps, learning-rate scaling, warmup + cosine.
//
// Sources: Goyal et al. 2017 (arXiv 1706.02677) section 5.1 for the linear scaling rule;
// Touvron et al. 2023 (Llama 2, arXiv 2307.09288) section 2.2 for a 4M-token batch of
// 4096-token sequences; Brown et al. 2020 (GPT-3) table 2.1 for a 0.5M-token batch at
// n_ctx 2048; seed 002 for the formulas and its Python warmup + cosine function, whose
// CPython outputs are the reference values below.
#include <doctest/doctest.h>

#include "support.hpp"

#include <cmath>

#include <txmath/recipe.hpp>

using namespace txmath;
using txmath_test::runtime;

// Global batch = micro x accumulation x data parallel; tokens = sequences x seq_len.
static_assert(batch_config{.micro_batch = 4, .grad_accumulation = 8, .data_parallel = 32, .seq_len = 4096}
                  .global_batch() == count(1024));
static_assert(batch_config{.micro_batch = 4, .grad_accumulation = 8, .data_parallel = 32, .seq_len = 4096}
                  .tokens_per_step() == tokens(4'194'304));
static_assert(grad_accumulation_for(1024, 4, 32) == 8);

TEST_CASE("batch sizes of published recipes") {
  // Llama 2: 4M tokens per step at 4096 tokens per sequence = 1024 sequences.
  const batch_config llama2{.micro_batch = runtime<std::uint64_t>(1), .grad_accumulation = 1,
                            .data_parallel = 1024, .seq_len = 4096};
  CHECK(llama2.tokens_per_step() == tokens(4'194'304));  // "4M"
  // GPT-3 Small: 0.5M tokens at n_ctx 2048 = 256 sequences.
  const batch_config gpt3_small{.micro_batch = runtime<std::uint64_t>(8), .grad_accumulation = 4,
                                .data_parallel = 8, .seq_len = 2048};
  CHECK(gpt3_small.global_batch() == count(256));
  CHECK(gpt3_small.tokens_per_step() == tokens(524'288));  // "0.5M"
  CHECK(gpt3_small.tokens_per_micro_batch() == tokens(16'384));
  // Steps to see a token budget, rounded up: Llama 2's 2T tokens at 4M per step.
  CHECK(steps_for(runtime(tokens(2'000'000'000'000ULL)), llama2) == count(476'838));
  CHECK(steps_for(tokens(4'194'304ULL * 10), llama2) == count(10));
  CHECK(steps_for(tokens(4'194'304ULL * 10 + 1), llama2) == count(11));
  CHECK(steps_for(quantity<dims::token, double>(runtime(4'194'304.0 * 3)), llama2) == count(3));
}

TEST_CASE("gradient accumulation for a target global batch") {
  CHECK(grad_accumulation_for(runtime<std::uint64_t>(1536), 1, 96) == 16);
  // The same recipe built either way gives the same global batch.
  const std::uint64_t accumulation = grad_accumulation_for(runtime<std::uint64_t>(2048), 2, 64);
  CHECK(batch_config{.micro_batch = 2, .grad_accumulation = accumulation, .data_parallel = 64, .seq_len = 1}
            .global_batch() == count(2048));
  CHECK_THROWS_WITH_AS(grad_accumulation_for(runtime<std::uint64_t>(1000), 3, 8),
                       "txmath: recipe: global_batch = 1000 is not a multiple of micro_batch x data_parallel = 24; "
                       "change one of them",
                       invalid_argument);
  const batch_config empty{.micro_batch = runtime<std::uint64_t>(0), .seq_len = 8};
  CHECK_THROWS_WITH_AS(empty.global_batch(), "txmath: recipe: micro_batch = 0; it must be at least 1",
                       invalid_argument);
}

TEST_CASE("learning-rate scaling with the batch") {
  // Goyal et al. section 5.1: lr = 0.1 x kn / 256; the 8k minibatch (k = 256 workers of n = 32)
  // trains at 3.2.
  const batch_config base{.micro_batch = 32, .data_parallel = 8, .seq_len = 1};
  const batch_config large{.micro_batch = 32, .data_parallel = runtime<std::uint64_t>(256), .seq_len = 1};
  CHECK(base.global_batch() == count(256));
  CHECK(scale_lr(0.1, base.global_batch().to_u64(), large.global_batch().to_u64()) == doctest::Approx(3.2));
  // Square root: 4x the batch, 2x the rate.
  CHECK(scale_lr(runtime(3e-4), 512, 2048, lr_scaling::sqrt) == doctest::Approx(6e-4));
  static_assert(scale_lr(1e-4, 256, 1024) == 4e-4);
  CHECK_THROWS_AS(scale_lr(runtime(-1.0), 1, 2), invalid_argument);
}

TEST_CASE("warmup + cosine against seed 002's Python function") {
  // cosine_lr(step, warmup_steps=1000, total_steps=100000, max_lr=3e-4, min_lr=3e-5), CPython.
  const cosine_schedule s{.max_lr = 3e-4, .min_lr = 3e-5, .warmup_steps = 1000, .total_steps = 100000};
  struct ref {
    std::uint64_t step;
    double lr;
  };
  const ref python[] = {{0, 0.0},
                        {1, 3e-07},
                        {999, 0.00029969999999999997},
                        {1000, 0.0003},
                        {1001, 0.0002999999999320275},
                        {25000, 0.0002627040951441844},
                        {50500, 0.00016499999999999997},
                        {73123, 7.619624765396302e-05},
                        {99999, 3.0000000067972487e-05},
                        {100000, 3e-05}};
  for (const ref& r : python) {
    const double lr = lr_at(runtime(s), runtime(r.step));
    CHECK(lr == doctest::Approx(r.lr).epsilon(1e-12));
  }
  // Beyond total_steps the seed's code climbs back up the cosine; ours holds min_lr.
  CHECK(lr_at(s, runtime<std::uint64_t>(100001)) == 3e-5);
  CHECK(lr_at(s, runtime<std::uint64_t>(250000)) == 3e-5);
}

TEST_CASE("warmup + cosine: identities") {
  // Chinchilla's schedule shape: cosine decaying the rate 10x (Hoffmann et al. table 4 /
  // appendix B), max 1e-4, here without warmup.
  constexpr cosine_schedule chinchilla{.max_lr = 1e-4, .min_lr = 1e-5, .warmup_steps = 0, .total_steps = 1000};
  static_assert(lr_at(chinchilla, 0) == 1e-4);
  static_assert(lr_at(chinchilla, 1000) == 1e-5);
  // Half way through the decay the rate is the mean of max and min.
  static_assert(lr_at(chinchilla, 500) > 0.55e-4 - 1e-15 && lr_at(chinchilla, 500) < 0.55e-4 + 1e-15);
  // Kaplan et al. section 2.2: 3000-step linear warmup, cosine decay to zero.
  const cosine_schedule kaplan{.max_lr = 2.5e-4, .min_lr = 0, .warmup_steps = 3000, .total_steps = 250000};
  double previous = lr_at(kaplan, 3000);
  CHECK(previous == 2.5e-4);
  CHECK(lr_at(kaplan, 1500) == doctest::Approx(1.25e-4));
  for (std::uint64_t step = 3000; step <= 250000; step += 997) {
    const double lr = lr_at(kaplan, runtime(step));
    CHECK(lr <= previous);  // monotone decay
    // Symmetry of the half cosine: lr(t) + lr(mirror of t) = max + min.
    const std::uint64_t mirror = 250000 - (step - 3000);
    CHECK(lr + lr_at(kaplan, mirror) == doctest::Approx(2.5e-4).epsilon(1e-9));
    // The constexpr cosine agrees with std::cos.
    const double progress = static_cast<double>(step - 3000) / 247000.0;
    CHECK(lr == doctest::Approx(2.5e-4 * 0.5 * (1 + std::cos(3.141592653589793 * progress))).epsilon(1e-12));
    previous = lr;
  }
}

TEST_CASE("schedule validation names the field") {
  const cosine_schedule no_decay{.max_lr = 1e-3, .warmup_steps = 100, .total_steps = runtime<std::uint64_t>(100)};
  CHECK_THROWS_WITH_AS(lr_at(no_decay, 0), "txmath: recipe: total_steps = 100 must be greater than warmup_steps = 100",
                       invalid_argument);
  const cosine_schedule inverted{.max_lr = 1e-3, .min_lr = runtime(2e-3), .total_steps = 10};
  CHECK_THROWS_WITH_AS(lr_at(inverted, 0), "txmath: recipe: min_lr = 2.00e-3 must lie in [0, max_lr = 1.00e-3]",
                       invalid_argument);
  const cosine_schedule zero{.max_lr = runtime(0.0), .total_steps = 10};
  CHECK_THROWS_AS(lr_at(zero, 0), invalid_argument);
}

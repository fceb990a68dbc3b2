#pragma once
// Training-recipe arithmetic: batch sizes, steps, learning-rate scaling and the warmup +
// cosine schedule.
//
//   constexpr txmath::batch_config b{.micro_batch = 4, .grad_accumulation = 8,
//                                    .data_parallel = 32, .seq_len = 4096};
//   b.global_batch()     // 1024 sequences per optimizer step = micro x accumulation x DP
//   b.tokens_per_step()  // 4,194,304 tokens
//   txmath::lr_at({.max_lr = 3e-4, .min_lr = 3e-5, .warmup_steps = 2000, .total_steps = 500000}, step)
//
// Conventions: a batch is counted in sequences, its size in tokens is sequences x seq_len.
// The schedule warms up linearly from 0 (lr = max_lr * step / warmup_steps), then follows a
// half cosine from max_lr at step warmup_steps to min_lr at total_steps, and stays at min_lr
// after that.
#include <cstdint>
#include <string>
#include <type_traits>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/format.hpp>
#include <txmath/core/math.hpp>
#include <txmath/core/quantity.hpp>

TXMATH_DEFINE_ERROR(txmath_error_recipe_batch_dimension_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_recipe_global_batch_not_divisible_by_micro_batch_times_data_parallel,
                    invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_recipe_learning_rate_must_be_positive_and_finite, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_recipe_min_lr_must_be_between_zero_and_max_lr, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_recipe_total_steps_must_exceed_warmup_steps, invalid_argument)

namespace txmath {

namespace detail {
constexpr count recipe_positive(std::uint64_t v, const char* field) {
  if (v == 0)
    TXMATH_FAIL(txmath_error_recipe_batch_dimension_must_be_positive, invalid_argument,
                std::string("txmath: recipe: ") + field + " = 0; it must be at least 1");
  return count(v);
}
constexpr double recipe_lr(double v, const char* field) {
  if (!(v > 0) || !math::isfinite(v))
    TXMATH_FAIL(txmath_error_recipe_learning_rate_must_be_positive_and_finite, invalid_argument,
                std::string("txmath: recipe: ") + field + " = " + format_sci(v).str() +
                    "; pass a positive, finite learning rate");
  return v;
}
}  // namespace detail

// How one optimizer step's batch is built.
struct batch_config {
  std::uint64_t micro_batch = 1;        // sequences per device per forward/backward pass
  std::uint64_t grad_accumulation = 1;  // micro-batches accumulated per optimizer step
  std::uint64_t data_parallel = 1;      // model replicas (data-parallel ranks)
  std::uint64_t seq_len = 0;            // tokens per sequence

  // Sequences per optimizer step: micro_batch x grad_accumulation x data_parallel.
  constexpr count global_batch() const {
    return detail::recipe_positive(micro_batch, "micro_batch") *
           detail::recipe_positive(grad_accumulation, "grad_accumulation") *
           detail::recipe_positive(data_parallel, "data_parallel");
  }
  constexpr tokens tokens_per_step() const {
    return tokens(global_batch() * detail::recipe_positive(seq_len, "seq_len"));
  }
  // Tokens one device processes per forward/backward pass.
  constexpr tokens tokens_per_micro_batch() const {
    return tokens(detail::recipe_positive(micro_batch, "micro_batch") * detail::recipe_positive(seq_len, "seq_len"));
  }
};

// The accumulation that reaches global_batch sequences with the given micro-batch and
// data-parallel size; global_batch must be a multiple of micro_batch x data_parallel.
constexpr std::uint64_t grad_accumulation_for(std::uint64_t global_batch, std::uint64_t micro_batch,
                                              std::uint64_t data_parallel) {
  const count g = detail::recipe_positive(global_batch, "global_batch");
  const count per = detail::recipe_positive(micro_batch, "micro_batch") *
                    detail::recipe_positive(data_parallel, "data_parallel");
  if (g % per != count(0))
    TXMATH_FAIL(txmath_error_recipe_global_batch_not_divisible_by_micro_batch_times_data_parallel,
                invalid_argument,
                "txmath: recipe: global_batch = " + g.to_string() + " is not a multiple of micro_batch x data_parallel = " +
                    per.to_string() + "; change one of them");
  return (g / per).to_u64();
}

// Optimizer steps to see `total` tokens, rounded up (the last step may be partial).
template <class R>
constexpr count steps_for(quantity<dims::token, R> total, const batch_config& b) {
  const count per = b.tokens_per_step().value();
  if constexpr (std::is_same_v<R, count>) {
    return (total.value() + per - count(1)) / per;
  } else {
    const double s = math::ceil(total.value() / per.to_double());
    return count::from_floating(static_cast<long double>(s));
  }
}

// Scaling a tuned learning rate to a new batch size. Linear: Goyal et al. 2017 ("when the
// minibatch size is multiplied by k, multiply the learning rate by k"), the default. Square
// root: Krizhevsky 2014, often used with Adam.
enum class lr_scaling : std::uint8_t { linear, sqrt };

constexpr double scale_lr(double base_lr, std::uint64_t base_batch, std::uint64_t new_batch,
                          lr_scaling rule = lr_scaling::linear) {
  detail::recipe_lr(base_lr, "base_lr");
  const double k = detail::recipe_positive(new_batch, "new_batch").to_double() /
                   detail::recipe_positive(base_batch, "base_batch").to_double();
  return rule == lr_scaling::linear ? base_lr * k : base_lr * math::sqrt(k);
}

// Linear warmup, then cosine decay to min_lr.
struct cosine_schedule {
  double max_lr = 0;
  double min_lr = 0;
  std::uint64_t warmup_steps = 0;
  std::uint64_t total_steps = 0;  // the step at which the decay reaches min_lr
};

constexpr const cosine_schedule& validate(const cosine_schedule& s) {
  detail::recipe_lr(s.max_lr, "max_lr");
  if (!(s.min_lr >= 0 && s.min_lr <= s.max_lr))
    TXMATH_FAIL(txmath_error_recipe_min_lr_must_be_between_zero_and_max_lr, invalid_argument,
                "txmath: recipe: min_lr = " + format_sci(s.min_lr).str() + " must lie in [0, max_lr = " +
                    format_sci(s.max_lr).str() + "]");
  if (s.total_steps <= s.warmup_steps)
    TXMATH_FAIL(txmath_error_recipe_total_steps_must_exceed_warmup_steps, invalid_argument,
                "txmath: recipe: total_steps = " + std::to_string(s.total_steps) +
                    " must be greater than warmup_steps = " + std::to_string(s.warmup_steps));
  return s;
}

// The learning rate at `step` (0-based).
constexpr double lr_at(const cosine_schedule& s, std::uint64_t step) {
  validate(s);
  if (step < s.warmup_steps) return s.max_lr * static_cast<double>(step) / static_cast<double>(s.warmup_steps);
  if (step >= s.total_steps) return s.min_lr;
  const double progress = static_cast<double>(step - s.warmup_steps) /
                          static_cast<double>(s.total_steps - s.warmup_steps);
  constexpr double pi = 3.141592653589793238462643383279502884;
  return s.min_lr + (s.max_lr - s.min_lr) * 0.5 * (1.0 + math::cos(pi * progress));
}

}  // namespace txmath

#pragma once
// Speculative decoding (Leviathan, Kalman and Matias 2023, "Fast Inference from Transformers
// via Speculative Decoding"): a draft model proposes k tokens, the target verifies them in
// one pass and keeps the accepted prefix plus one token of its own. With each drafted token
// accepted independently with probability a (the paper's alpha) and a draft step costing c
// target steps:
//   expected tokens per verification step   (1 - a^(k+1)) / (1 - a)            (eq. 1)
//   expected walltime improvement factor    (1 - a^(k+1)) / ((1 - a)(k c + 1))  (Theorem 3.8)
// a = 1 gives the limits k + 1 and (k + 1) / (k c + 1). serve.hpp derives c from the two
// models' decode steps on the roofline.
#include <cstdint>
#include <string>

#include <txmath/core/error.hpp>

TXMATH_DEFINE_ERROR(txmath_error_speculative_acceptance_must_be_in_0_1, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_speculative_draft_len_must_be_in_1_1024, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_speculative_cost_ratio_must_be_finite_and_not_negative, invalid_argument)

namespace txmath {

namespace detail {
constexpr void check_speculation(double acceptance, std::uint64_t draft_len) {
  if (!(acceptance >= 0.0 && acceptance <= 1.0))
    TXMATH_FAIL(txmath_error_speculative_acceptance_must_be_in_0_1, invalid_argument,
                "txmath: speculative decoding: acceptance = " + std::to_string(acceptance) +
                    " must be in [0, 1] (the probability that a drafted token is accepted)");
  if (draft_len == 0 || draft_len > 1024)
    TXMATH_FAIL(txmath_error_speculative_draft_len_must_be_in_1_1024, invalid_argument,
                "txmath: speculative decoding: draft length = " + std::to_string(draft_len) +
                    " must be in [1, 1024]");
}
}  // namespace detail

// Expected tokens one verification step yields: 1 + a + a^2 + ... + a^k.
[[nodiscard]] constexpr double speculative_expected_tokens(double acceptance, std::uint64_t draft_len) {
  detail::check_speculation(acceptance, draft_len);
  double sum = 0.0, term = 1.0;  // the geometric sum itself: exact at a = 1, no 0/0
  for (std::uint64_t i = 0; i <= draft_len; ++i) {
    sum += term;
    term *= acceptance;
  }
  return sum;
}

// Expected walltime improvement over plain decoding for a draft step costing `cost_ratio`
// target steps.
[[nodiscard]] constexpr double speculative_speedup(double acceptance, std::uint64_t draft_len, double cost_ratio) {
  if (!(cost_ratio >= 0.0 && cost_ratio < 1e300))
    TXMATH_FAIL(txmath_error_speculative_cost_ratio_must_be_finite_and_not_negative, invalid_argument,
                "txmath: speculative decoding: cost ratio c = " + std::to_string(cost_ratio) +
                    " must be finite and >= 0 (a draft step's time over the target's)");
  return speculative_expected_tokens(acceptance, draft_len) /
         (static_cast<double>(draft_len) * cost_ratio + 1.0);
}

}  // namespace txmath

// expect: training time 33\.91 days > budget 30\.00 days \(by 3\.91 days\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<60>\{"training time 33\.91 days > budget 30\.00 days \(by 3\.91 days\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<28UL>\{"training time 33\.91 days > "\}, txmath_text<33UL>\{"budget 30\.00 days \(by 3\.91 days\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: training time 33\.91 days > budget 30\.00 days \(by 3\.91 days\)
// A budget in a function body. Narayanan et al. 2021 (§5.1): GPT-3 175B on 300B tokens, 1024
// A100s at 140 TFLOP/s each: 8TP / (nX) = 2,929,687.5 s = 33.91 days ("34 days"), not 30.
#include <txmath/budget.hpp>

using namespace txmath;

int main() {
  constexpr flops run = flops(count(8) * count(300'000'000'000) * count(175'000'000'000));
  constexpr flop_rate a100 = peak(accelerators::a100_sxm_80gb, dtype::bf16);
  TXMATH_BUDGET(budgets::training_time(run, 1024, a100, 140.0 / 312.0) <= seconds(30 * 86400.0));
}

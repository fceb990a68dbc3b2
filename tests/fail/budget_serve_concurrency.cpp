// expect: concurrent sequences 44 < minimum 64 \(by 20\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<[0-9]+>\{"concurrent sequences 44 < minimum 64 \(by 20\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<27UL>\{"concurrent sequences 44 < "\}, txmath_text<19UL>\{"minimum 64 \(by 20\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: concurrent sequences 44 < minimum 64 \(by 20\)
// Llama-3-70B on 8 H100s with a bf16 KV cache holds 44 sequences of 32k (vLLM's block rule,
// derived in tests/test_serve.cpp), not the 64 an fp8 cache serves.
#include <txmath/budget.hpp>
#include <txmath/budget_layout.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

TXMATH_BUDGET(budgets::serving_concurrency(presets::llama_3_70b, {.tp = 8}, 32768) >= 64);

// expect: 8k sequences that fit 65 < minimum 80 \(by 15\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<46>\{"8k sequences that fit 65 < minimum 80 \(by 15\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<28UL>\{"8k sequences that fit 65 < "\}, txmath_text<19UL>\{"minimum 80 \(by 15\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: 8k sequences that fit 65 < minimum 80 \(by 15\)
// A lower bound on a count: next to Llama-3-8B's bf16 weights (14.9575 GiB), an 80 GiB GPU
// holds (80 - 14.9575) / 1 GiB = 65.04 -> 65 KV caches of 8192 tokens, not 80.
#include <txmath/budget.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

constexpr bytes weights = weight_bytes(params(8'030'261'248), dtype::bf16);
constexpr count fit = (80_GiB - weights).value() / kv_cache_bytes(presets::llama_3_8b, 8192).value();
TXMATH_BUDGET(term("8k sequences that fit", fit) >= 80);

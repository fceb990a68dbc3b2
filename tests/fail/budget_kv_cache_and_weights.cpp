// expect: KV cache 8\.00 GiB \+ weights 14\.96 GiB = 22\.96 GiB > budget 16\.00 GiB \(by 6\.96 GiB\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<83>\{"KV cache 8\.00 GiB \+ weights 14\.96 GiB = 22\.96 GiB > budget 16\.00 GiB \(by 6\.96 GiB\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<21UL>\{"KV cache 8\.00 GiB \+ "\}, txmath_text<33UL>\{"weights 14\.96 GiB = 22\.96 GiB > "\}, txmath_text<31UL>\{"budget 16\.00 GiB \(by 6\.96 GiB\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: KV cache 8\.00 GiB \+ weights 14\.96 GiB = 22\.96 GiB > budget 16\.00 GiB \(by 6\.96 GiB\)
// The example: Llama-3-8B's bf16 weights (8,030,261,248 x 2 B = 14.9575 GiB) and the
// KV cache of 8 sequences of 8192 tokens (128 KiB per token: 8 GiB) do not fit 16 GiB.
#include <txmath/budget.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

constexpr bytes kv = kv_cache_bytes(presets::llama_3_8b, 8192, 8);
constexpr bytes weights = weight_bytes(params(8'030'261'248), dtype::bf16);
TXMATH_BUDGET(term("KV cache", kv) + term("weights", weights) <= 16_GiB);

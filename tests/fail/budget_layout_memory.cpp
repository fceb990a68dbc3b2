// expect: training state 119\.66 GiB \+ activations 152\.28 GiB = 271\.94 GiB > H100 SXM 80\.00 GiB \(by 191\.94 GiB\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<[0-9]+>\{"training state 119\.66 GiB \+ activations 152\.28 GiB = 271\.94 GiB > H100 SXM 80\.00 GiB \(by 191\.94 GiB\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<29UL>\{"training state 119\.66 GiB \+ "\}, txmath_text<26UL>\{"activations 152\.28 GiB = "\}, txmath_text<33UL>\{"271\.94 GiB > H100 SXM 80\.00 GiB "\}, txmath_text<16UL>\{"\(by 191\.94 GiB\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: training state 119\.66 GiB \+ activations 152\.28 GiB = 271\.94 GiB > H100 SXM 80\.00 GiB \(by 191\.94 GiB\)
// One H100 training Llama-3-8B on 8 x 4096 tokens in one micro-batch: 16 bytes a parameter
// (16 x 8,030,261,248 = 128,484,179,968 B) and the derived activations (163,511,009,280 B,
// tests/test_report.cpp) do not fit 80 GiB.
#include <txmath/budget.hpp>
#include <txmath/budget_layout.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

TXMATH_BUDGET(budgets::layout_memory(presets::llama_3_8b, {.seq = 4096, .global_batch = 8}, systems::dgx_h100,
                                     {.micro_batch = 8}) <= limit("H100 SXM", accelerators::h100_sxm.memory));

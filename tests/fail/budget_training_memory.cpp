// expect: weights 12\.55 GiB \+ gradients 12\.55 GiB \+ master weights 3\.14 GiB \+ optimizer states 6\.28 GiB \+ activations 16\.61 GiB = 51\.13 GiB > A100 40GB 40\.00 GiB \(by 11\.13 GiB\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<[0-9]+>\{"weights 12\.55 GiB \+ gradients 12\.55 GiB \+ master weights 3\.14 GiB \+ optimizer states 6\.28 GiB \+ activations 16\.61 GiB = 51\.13 GiB > A100 40GB 40\.00 GiB \(by 11\.13 GiB\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<21UL>\{"weights 12\.55 GiB \+ "\}, txmath_text<23UL>\{"gradients 12\.55 GiB \+ "\}, txmath_text<27UL>\{"master weights 3\.14 GiB \+ "\}, txmath_text<29UL>\{"optimizer states 6\.28 GiB \+ "\}, txmath_text<25UL>\{"activations 16\.61 GiB = "\}, txmath_text<33UL>\{"51\.13 GiB > A100 40GB 40\.00 GiB "\}, txmath_text<15UL>\{"\(by 11\.13 GiB\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: weights 12\.55 GiB \+ gradients 12\.55 GiB \+ master weights 3\.14 GiB \+ optimizer states 6\.28 GiB \+ activations 16\.61 GiB = 51\.13 GiB > A100 40GB 40\.00 GiB \(by 11\.13 GiB\)
// One training device: Llama-2-7B (6,738,415,616 parameters), mixed bf16 Adam, ZeRO-1 over 8
// ranks, selective recompute, 4096 tokens: 2 + 2 + (4 + 8) / 8 bytes per parameter and the
// derived activations, 16.61 GiB = 51.13 GiB (derived in tests/test_budget.cpp), over 40 GiB.
#include <txmath/budget.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

TXMATH_BUDGET(budgets::training_memory(presets::llama_2_7b, 4096, 1, {.dp = 8}, training_precisions::mixed_bf16_adam,
                                       sharding::zero1, {.recompute_mode = recompute::selective}) <=
              limit("A100 40GB", 40_GiB));

// expect: forward 0\.45e13 FLOP \+ backward 0\.90e13 FLOP = 1\.35e13 FLOP > budget 1\.00e13 FLOP \(by 3\.54e12 FLOP\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<[0-9]+>\{"forward 0\.45e13 FLOP \+ backward 0\.90e13 FLOP = 1\.35e13 FLOP > budget 1\.00e13 FLOP \(by 3\.54e12 FLOP\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<24UL>\{"forward 0\.45e13 FLOP \+ "\}, txmath_text<25UL>\{"backward 0\.90e13 FLOP = "\}, txmath_text<16UL>\{"1\.35e13 FLOP > "\}, txmath_text<21UL>\{"budget 1\.00e13 FLOP "\}, txmath_text<18UL>\{"\(by 3\.54e12 FLOP\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: forward 0\.45e13 FLOP \+ backward 0\.90e13 FLOP = 1\.35e13 FLOP > budget 1\.00e13 FLOP \(by 3\.54e12 FLOP\)
// Seed 001: 4,513,336,524,800 forward FLOPs for 1024 tokens; backward twice that; the step,
// 13,540,009,574,400, is over 1e13 by 3.54e12.
#include <txmath/budget.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;

TXMATH_BUDGET(budgets::step_flops(presets::gpt2_xl_swiglu_untied, {.seq_len = 1024}) <= 1e13_flop);

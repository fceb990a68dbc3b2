// expect: compute 11\.44 s \+ recompute 4\.37 s \+ communication 1\.43 s \+ bubble 0\.63 s \+ optimizer 0\.06 s = 17\.93 s > Table 5 selective 13\.75 s \(by 4\.18 s\)
// expect-gcc-c++20: txmath_budget_exceeded<txmath_text<[0-9]+>\{"compute 11\.44 s \+ recompute 4\.37 s \+ communication 1\.43 s \+ bubble 0\.63 s \+ optimizer 0\.06 s = 17\.93 s > Table 5 selective 13\.75 s \(by 4\.18 s\)"\}>
// expect-clang-c++20: txmath_budget_exceeded<txmath_text<19UL>\{"compute 11\.44 s \+ "\}, txmath_text<20UL>\{"recompute 4\.37 s \+ "\}, txmath_text<24UL>\{"communication 1\.43 s \+ "\}, txmath_text<17UL>\{"bubble 0\.63 s \+ "\}, txmath_text<30UL>\{"optimizer 0\.06 s = 17\.93 s > "\}, txmath_text<27UL>\{"Table 5 selective 13\.75 s "\}, txmath_text<12UL>\{"\(by 4\.18 s\)"\}>
// expect-clang-c++2c: static assertion failed due to requirement '.*': txmath: budget exceeded: compute 11\.44 s \+ recompute 4\.37 s \+ communication 1\.43 s \+ bubble 0\.63 s \+ optimizer 0\.06 s = 17\.93 s > Table 5 selective 13\.75 s \(by 4\.18 s\)
// GPT-3 175B on 64 A100s (Korthikanti et al. 2022 Table 5's layout, tp 8, pp 8, interleave 3)
// with full recompute: measured 18.13 s a step, slower than the 13.75 s of selective
// recompute with sequence parallelism; the step-time model says so too.
#include <txmath/budget.hpp>
#include <txmath/budget_layout.hpp>

using namespace txmath;

constexpr model_config gpt_175b{.vocab = 51200, .d_model = 12288, .n_layers = 96,
                                .attention = {.n_heads = 96, .qkv_bias = true, .o_bias = true},
                                .ffn = {.d_ff = 4 * 12288, .kind = ffn_kind::plain, .bias = true},
                                .norm = norm_kind::layernorm, .position = position_kind::learned,
                                .max_positions = 2048, .tied_embeddings = true};
constexpr step_options table5{.seq = 2048, .global_batch = 64, .compute = dtype::fp16,
                              .precision = training_precisions::megatron_fp16_adam};
constexpr training_layout full{.tp = 8, .pp = 8, .micro_batch = 1, .interleave = 3,
                               .recompute_mode = recompute::full, .flash_attention = false};
TXMATH_BUDGET(budgets::step_time(gpt_175b, table5, systems::dgx_a100, full) <= limit("Table 5 selective", seconds(13.75)));

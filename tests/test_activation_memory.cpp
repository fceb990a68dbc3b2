// Activation memory derived from the lowered model (activation_memory.hpp), checked against:
// - Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models"
//   (arXiv 2205.05198), Table 2 (bytes per layer, exact) and Figure 1 (GiB per GPU of the 22B,
//   175B, 530B and 1T runs: tests/reference/korthikanti_2022.json, figure1_gib_per_gpu,
//   with the layouts of its table5 rows);
// - Megatron-LM's megatron/training/theoretical_memory_usage.py (the interleaved-schedule
//   factor 1 + (p - 1)/(pv), the embedding and output-layer terms);
// - the closed form of activations.hpp (the named cross-check);
// - hand derivations written out below for GQA + SwiGLU (Llama-3-8B), MoE (Mixtral-8x7B),
//   MLA + shared experts (DeepSeek-V2-Lite) and sliding windows (Gemma-2-9B).
#include <doctest/doctest.h>

#include "support.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include <txmath/activation_memory.hpp>
#include <txmath/activations.hpp>
#include <txmath/presets.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {

// The GPT block of Korthikanti et al.: LayerNorm, MHA with biases, a 4h GELU MLP, learned
// positions, vocabulary 51200; dropout on, no FlashAttention.
constexpr model_config gpt(std::uint64_t h, std::uint64_t a, std::uint64_t layers) {
  return {.vocab = 51200, .d_model = h, .n_layers = layers,
          .attention = {.n_heads = a, .qkv_bias = true, .o_bias = true},
          .ffn = {.d_ff = 4 * h, .kind = ffn_kind::plain, .bias = true}, .norm = norm_kind::layernorm,
          .position = position_kind::learned, .max_positions = 2048};
}
constexpr model_config gpt_22b = gpt(6144, 64, 48);
constexpr model_config gpt_175b = gpt(12288, 96, 96);
constexpr model_config gpt_530b = gpt(20480, 128, 105);
constexpr model_config gpt_1t = gpt(25600, 160, 128);
constexpr activation_memory_options megatron_gpt{.dropout = true};

// Table 2 of the paper, bytes per layer (s sequence, b micro-batch, h hidden, a heads, t TP).
enum class table2 { none, tp, tp_sp, tp_selective, tp_sp_selective, full, full_sp };
constexpr count korthikanti(table2 row, count s, count b, count h, count a, count t) {
  const count sbh = s * b * h, scores = count(5) * a * s * s * b;
  switch (row) {
    case table2::none: return count(34) * sbh + scores;                                 // t = 1
    case table2::tp: return count(10) * sbh + count(24) * sbh / t + scores / t;         // sbh(10 + 24/t + 5as/ht)
    case table2::tp_sp: return (count(34) * sbh + scores) / t;                          // sbh(34 + 5as/h)/t
    case table2::tp_selective: return count(10) * sbh + count(24) * sbh / t;            // sbh(10 + 24/t)
    case table2::tp_sp_selective: return count(34) * sbh / t;                           // 34sbh/t
    case table2::full: return count(2) * sbh;                                           // 2sbh
    case table2::full_sp: return count(2) * sbh / t;                                    // 2sbh/t
  }
  return 0;
}
constexpr training_layout layout_of(table2 row, count b, count t) {
  training_layout l{.tp = row == table2::none ? count(1) : t, .micro_batch = b, .flash_attention = false};
  l.sequence_parallel = row == table2::tp_sp || row == table2::tp_sp_selective || row == table2::full_sp;
  l.recompute_mode = row == table2::full || row == table2::full_sp                ? recompute::full
                     : row == table2::tp_selective || row == table2::tp_sp_selective ? recompute::selective
                                                                                   : recompute::none;
  return l;
}
// Every row of Table 2 for one model, sequence, micro-batch and TP size.
constexpr bool reproduces_table2(const model_config& m, count s, count b, count t) {
  const activation_memory account(m, megatron_gpt);
  for (table2 row : {table2::none, table2::tp, table2::tp_sp, table2::tp_selective, table2::tp_sp_selective,
                     table2::full, table2::full_sp}) {
    const count want = korthikanti(row, s, b, m.d_model, m.attention.n_heads, row == table2::none ? count(1) : t);
    if (account.layer(s, layout_of(row, b, t)).total() != bytes(want)) return false;
  }
  return true;
}

}  // namespace

// ---- Korthikanti et al. Table 2, exactly, at compile time ----
static_assert(reproduces_table2(gpt_22b, 2048, 4, 8));
static_assert(reproduces_table2(gpt_175b, 2048, 1, 8));
static_assert(reproduces_table2(gpt_530b, 2048, 1, 8));
static_assert(reproduces_table2(gpt_1t, 2048, 1, 8));
static_assert(reproduces_table2(gpt_175b, 4096, 2, 4));
// GPT-3 175B, no parallelism: sbh(34 + 5as/h) = 114 sbh (5as/h = 5 * 96 * 2048 / 12288 = 80).
static_assert(activation_bytes_per_layer(gpt_175b, 2048, {.flash_attention = false}, 0, megatron_gpt) ==
              bytes(count(2048) * 12288 * 114));

TEST_CASE("Korthikanti et al. Table 2 at run time: four models, TP 1 to 8, every recompute row") {
  for (const model_config* m : {&gpt_22b, &gpt_175b, &gpt_530b, &gpt_1t})
    for (std::uint64_t t : {1u, 2u, 4u, 8u})
      for (std::uint64_t b : {1u, 4u}) CHECK(reproduces_table2(runtime(*m), runtime(count(2048)), b, t));
}

TEST_CASE("the closed form of activations.hpp is a cross-check the derivation equals for GPT blocks") {
  for (const model_config* m : {&gpt_22b, &gpt_175b, &gpt_530b, &gpt_1t}) {
    const activation_memory account(runtime(*m), megatron_gpt);
    for (count t : {1u, 2u, 8u})
      for (bool sp : {false, true})
        for (recompute r : {recompute::none, recompute::selective, recompute::full}) {
          const activation_options old{.tensor_parallel = t, .sequence_parallel = sp, .recompute_mode = r};
          const training_layout l{.tp = t, .micro_batch = 2, .recompute_mode = r, .sequence_parallel = sp,
                                  .flash_attention = false};
          CHECK(account.layer(2048, l).total() ==
                activation_bytes_per_layer(count(2048), count(2), count(m->d_model), count(m->attention.n_heads), old));
        }
  }
}

// ---- Figure 1: GiB per GPU of the four Table 5 runs (seq 2048, TP 8), no recompute (TP only)
// and selective recompute with sequence parallelism. The figure plots the transformer
// layers' activations of the first pipeline stage: our layers() part equals it exactly. ----
namespace {
struct figure1_run {
  const model_config* m;
  count pp, interleave, micro_batch, layer_passes;
  bytes none, seqsel;  // figure1_gib_per_gpu: activations_none, activations_seqsel
};
// Layer passes on stage 0 (Korthikanti §4.2.3, Megatron's interleaved penalty): 22B 48 layers,
// pp 1; 175B: 96 layers, p = 8, v = 3: 96 (1 + 7/24) = 124; 530B: 105 (1 + 34/105) = 139;
// 1T: plain 1F1B, p = 64 micro-batches of 2 layers = 128.
constexpr figure1_run figure1[] = {
    {&gpt_22b, 1, 1, 4, 48, 59.25_GiB, 9.5625_GiB},
    {&gpt_175b, 8, 3, 1, 124, 66.84375_GiB, 12.3515625_GiB},
    {&gpt_530b, 35, 3, 1, 139, 114.0234375_GiB, 23.076171875_GiB},
    {&gpt_1t, 64, 1, 1, 128, 131.25_GiB, 26.5625_GiB},
};
constexpr activation_peak figure1_peak(const figure1_run& r, bool seqsel) {
  training_layout l{.tp = 8, .pp = r.pp, .micro_batch = r.micro_batch, .interleave = r.interleave,
                          .recompute_mode = seqsel ? recompute::selective : recompute::none,
                          .sequence_parallel = seqsel, .flash_attention = false};
  return activation_peak_per_gpu(*r.m, 2048, l, megatron_gpt);
}
}  // namespace

static_assert(figure1_peak(figure1[1], false).kept.layers() == figure1[1].none);
static_assert(figure1_peak(figure1[1], false).layer_passes == 124);
static_assert(figure1_peak(figure1[3], true).kept.layers() == figure1[3].seqsel);

TEST_CASE("Korthikanti et al. Figure 1: the layers' activations per GPU, exactly") {
  for (const figure1_run& r : figure1) {
    for (bool seqsel : {false, true}) {
      const activation_peak p = figure1_peak(runtime(r), seqsel);
      CHECK(p.stage == 0);
      CHECK(p.layer_passes == r.layer_passes);
      CHECK(p.kept.layers() == (seqsel ? r.seqsel : r.none));
    }
  }
}

TEST_CASE("Figure 1 totals add the embedding and head tensors, as Megatron's theoretical memory") {
  // 22B, TP 8, pp 1, b = 4, s = 2048, selective + SP: everything is on the one stage.
  // Embedding: int64 token ids 8sb = 65,536 (on every TP rank) + dropout mask sbh/t
  // = 6,291,456. Head: final norm input 2sbh/t + lm_head input 2sbh/t + fp32 logits
  // 4sbv/t = 4sbh(1 + v/h)/t = 4 * 8192 * (6144 + 51200) / 8 = 234,881,024: Megatron's
  // output-layer term; its embedding term is (8sbp + sbhp)/t, which divides the ids by t too.
  const activation_peak p = figure1_peak(runtime(figure1[0]), true);
  CHECK(p.kept[activation_kind::embedding] == bytes(65'536 + 6'291'456));
  CHECK(p.kept[activation_kind::head] == bytes(234'881'024));
  CHECK(p.kept.total() == 9.5625_GiB + bytes(65'536 + 6'291'456 + 234'881'024));
  // 175B, p = 8, v = 3: the head is on the last stage (one micro-batch in flight), not the
  // peak. Stage 0 runs W = 2 * 7 + 2 * 8 = 30 warm-up forwards: chunk (k / 8) % 3 for k < 30,
  // so 14 passes of chunk 0 (which holds the embedding), 8 of chunk 1, 8 of chunk 2. Steady
  // step 0: forward 30 (chunk 0: 15), backward 0 (chunk 2: 7); step 1: forward 31 (chunk 0:
  // 16), backward 1 (chunk 2: 6); step 2 forwards chunk 1. Every state holds 31 passes of 4
  // layers (124), and the one with 16 passes of chunk 0 holds the most bytes: 16 embedding
  // passes of 8sb + sbh (SP off) = 16 * (16,384 + 25,165,824).
  const activation_peak q = figure1_peak(runtime(figure1[1]), false);
  CHECK(q.layer_passes == 124);
  CHECK(q.kept[activation_kind::head] == bytes(0));
  CHECK(q.kept[activation_kind::embedding] == bytes(16 * (16'384 + 25'165'824)));
}

// ---- Llama-3-8B (GQA 32/8 heads of 128, SwiGLU 14336, RMSNorm), s = 4096, b = 1, flash,
// no dropout, bf16. Per token, elements kept:
//   attention input (q/k/v_proj operand)       4096
//   q (QK^T)                                   4096 = 32 heads x 128
//   k (QK^T), v (AV)                           1024 + 1024 = 8 kv heads x 128
//   o_proj input (attention output)            4096
//   two RMSNorm inputs                         8192
//   FFN input (gate/up operand)                4096
//   gate and up outputs (SwiGLU input)         28672
//   down_proj input                            14336
//   = 69,632 elements x 2 bytes = 139,264 bytes, + logsumexp 32 heads x 4 bytes = 128
//   -> 139,392 bytes x 4096 tokens = 570,949,632 bytes per layer (544.5 MiB). ----
static_assert(activation_bytes_per_layer(presets::llama_3_8b, 4096, {}) == bytes(570'949'632));
// TP 8 with SP splits every tensor (heads, FFN width or sequence) by 8.
static_assert(activation_bytes_per_layer(presets::llama_3_8b, 4096, {.tp = 8, .sequence_parallel = true}) ==
              bytes(570'949'632 / 8));

TEST_CASE("Llama-3-8B: every saved tensor by kind (hand derivation above)") {
  const activation_breakdown b = activation_memory(runtime(presets::llama_3_8b)).layer(4096, {});
  constexpr count tokens = 4096;
  CHECK(b[activation_kind::matmul_input] == bytes(tokens * 2 * (4096 + 4096 + 4096 + 14336)));
  CHECK(b[activation_kind::attention_operand] == bytes(tokens * 2 * (4096 + 1024 + 1024)));
  CHECK(b[activation_kind::softmax_stats] == bytes(tokens * 32 * 4));
  CHECK(b[activation_kind::norm_input] == bytes(tokens * 2 * 8192));
  CHECK(b[activation_kind::activation_input] == bytes(tokens * 2 * 28672));
  CHECK(b[activation_kind::attention_probs] == bytes(0));
  CHECK(b[activation_kind::dropout_mask] == bytes(0));
  CHECK(b.total() == bytes(570'949'632));
  // Selective recompute drops only the logsumexp; full keeps the layer input 2sbh.
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {.recompute_mode = recompute::selective}) ==
        bytes(570'949'632 - 4096 * 128));
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {.recompute_mode = recompute::full}) ==
        bytes(4096 * 4096 * 2));
  // Unfused attention keeps the probabilities instead: 32 heads x 4096^2 x 2 bytes.
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {.flash_attention = false}) ==
        bytes(570'949'632 - 4096 * 128 + count(32) * 4096 * 4096 * 2));
  // fp32 activations double the 16-bit tensors; the logsumexp is fp32 already.
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {}, 0, {.activations = dtype::fp32}) ==
        bytes(2 * (570'949'632 - 4096 * 128) + 4096 * 128));
  // Context parallelism 2: each rank keeps half the tokens.
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {.cp = 2}) == bytes(570'949'632 / 2));
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {.cp = 2, .flash_attention = false}) * 2 ==
        activation_bytes_per_layer(presets::llama_3_8b, 4096, {.flash_attention = false}));
}

static_assert(activation_memory(presets::llama_3_8b).tensors(4096, {}).size() == 11);
static_assert(activation_memory(presets::llama_3_8b).tensors(4096, {})[3].size == bytes(4096 * 32 * 4));

TEST_CASE("Llama-3-8B tensor by tensor: the list a report prints") {
  const activation_tensor_list t = activation_memory(runtime(presets::llama_3_8b)).tensors(4096, {});
  struct row { std::string_view op, role; count size; };
  // s = 4096 tokens x elements x 2 bytes (the logsumexp: 32 heads x 4 bytes); k_proj, v_proj
  // and up_proj read tensors already kept by q_proj and gate_proj.
  const row want[] = {{"q_proj", "input", count(4096) * 4096 * 2},
                      {"scores", "q", count(4096) * 4096 * 2},
                      {"scores", "k", count(4096) * 1024 * 2},
                      {"scores", "logsumexp", count(4096) * 32 * 4},
                      {"values", "v", count(4096) * 1024 * 2},
                      {"o_proj", "input", count(4096) * 4096 * 2},
                      {"block_norms", "input", count(4096) * 8192 * 2},
                      {"gate_proj", "input", count(4096) * 4096 * 2},
                      {"gate_proj", "output (activation input)", count(4096) * 14336 * 2},
                      {"up_proj", "output (activation input)", count(4096) * 14336 * 2},
                      {"down_proj", "input", count(4096) * 14336 * 2}};
  REQUIRE(t.size() == std::size(want));
  bytes sum{};
  for (std::size_t i = 0; i < t.size(); ++i) {
    CHECK(t[i].op == want[i].op);
    CHECK(t[i].role == want[i].role);
    CHECK(t[i].size == bytes(want[i].size));
    sum += t[i].size;
  }
  CHECK(sum == bytes(570'949'632));
  // Full recompute: one tensor, the layer input.
  const activation_tensor_list full =
      activation_memory(presets::llama_3_8b).tensors(4096, {.recompute_mode = runtime(recompute::full)});
  REQUIRE(full.size() == 1);
  CHECK(full[0].kind == activation_kind::layer_input);
}

TEST_CASE("norm statistics, on request: fp32 rstd per row (RMSNorm), mean and rstd (LayerNorm)") {
  // Llama-3-8B: 2 RMSNorms x 1 x 4 bytes per token; Qwen3: also the per-head q and k norms'
  // rows, 32 + 4 heads: (2 + 36) x 4 = 152 bytes per token; GPT: 2 LayerNorms x 2 x 4.
  const activation_memory_options stats{.norm_statistics = true};
  CHECK(activation_bytes_per_layer(runtime(presets::llama_3_8b), 4096, {}, 0, stats) ==
        bytes(570'949'632 + 4096 * 8));
  CHECK(activation_bytes_per_layer(runtime(presets::qwen3_30b_a3b), 4096, {}, 0, stats) ==
        bytes(count(146'816 + 152) * 4096));
  CHECK(activation_bytes_per_layer(runtime(gpt_175b), 2048, {.flash_attention = false}, 0,
                                   {.dropout = true, .norm_statistics = true}) ==
        bytes(count(2048) * 12288 * 114 + 2048 * 16));
}

TEST_CASE("Llama-3-8B per GPU: 1F1B keeps p micro-batches on the first stage, the head on the last") {
  // pp = 2, 16 layers a stage, s = 4096, b = 1: stage 0 keeps 2 micro-batches of 16 layers plus
  // 2 x the token ids (8 x 4096); stage 1 one micro-batch and the head: final norm input and
  // lm_head input (2 x 4096 x 4096 x 2) + fp32 logits (4096 x 128256 x 4 = 2,101,346,304).
  const count layer = 570'949'632;
  const activation_peak p = activation_peak_per_gpu(runtime(presets::llama_3_8b), 4096, {.pp = 2});
  CHECK(p.stage == 0);
  CHECK(p.layer_passes == 32);
  CHECK(p.kept.total() == bytes(layer * 32 + 2 * 8 * 4096));
  // With 1 micro-batch per step only one is ever in flight: stage 1 (head) is the peak.
  const activation_peak q =
      activation_peak_per_gpu(runtime(presets::llama_3_8b), 4096, {.pp = 2}, {.micro_batches = 1});
  CHECK(q.stage == 1);
  CHECK(q.kept.total() == bytes(layer * 16 + 2 * 4096 * 4096 * 2 + 2'101'346'304));
  CHECK(activation_bytes_per_gpu(presets::llama_3_8b, 4096, {}) ==
        bytes(layer * 32 + 8 * 4096 + 2 * 4096 * 4096 * 2 + 2'101'346'304));
}

namespace {
// Megatron-LM's interleaved 1F1B, operation by operation (megatron/core/pipeline_parallel/
// schedules.py): on rank i, W = min(2(p - i - 1) + (v - 1)p, m v) forward chunk passes, then
// forward W + j and backward j in turn, then the remaining backwards; pass k runs model chunk
// (k mod pv) / p forward and v - 1 minus that backward. The bytes held peak after some
// forward. Chunk c of the model holds layers [cL/(pv), (c+1)L/(pv)), the first one the
// embedding's tensors, the last one the head's.
count simulated_peak(std::uint64_t layers, std::uint64_t p, std::uint64_t v, std::uint64_t m, count layer, count embedding,
                     count head) {
  count best = 0;
  for (std::uint64_t i = 0; i < p; ++i) {
    std::vector<count> chunk(v);
    for (std::uint64_t j = 0; j < v; ++j) {
      const std::uint64_t c = j * p + i;
      chunk[j] = layer * ((c + 1) * layers / (p * v) - c * layers / (p * v));
      if (c == 0) chunk[j] += embedding;
      if (c + 1 == p * v) chunk[j] += head;
    }
    const std::uint64_t total = m * v, warmup = std::min(2 * (p - i - 1) + (v - 1) * p, total);
    const auto fwd = [&](std::uint64_t k) { return k % (p * v) / p; };
    count held = 0;
    for (std::uint64_t k = 0; k < warmup; ++k) held += chunk[fwd(k)];
    best = std::max(best, held);
    for (std::uint64_t j = 0; warmup + j < total; ++j) {
      held += chunk[fwd(warmup + j)];
      best = std::max(best, held);
      held -= chunk[v - 1 - fwd(j)];
    }
  }
  return best;
}
}  // namespace

TEST_CASE("interleaved pipelines with unequal chunks: the peak matches Megatron's schedule op by op") {
  // A GPT of d 1024 (flash, no dropout): 11, 13 or 25 layers split unevenly over p v chunks.
  for (std::uint64_t layers : {11u, 13u, 25u}) {
    const model_config m = runtime(gpt(1024, 16, layers));
    const bytes layer = activation_bytes_per_layer(m, 2048, {});
    const activation_breakdown one = activation_peak_per_gpu(m, 2048, {}).kept;  // pp 1: both ends
    for (std::uint64_t p : {2u, 3u, 4u})
      for (std::uint64_t v : {2u, 3u}) {
        if (p * v > layers) continue;
        for (std::uint64_t groups : {1u, 2u, 3u}) {
          const count want = simulated_peak(layers, p, v, groups * p, layer.value(),
                                            one[activation_kind::embedding].value(), one[activation_kind::head].value());
          const training_layout l{.pp = p, .interleave = v};
          CHECK(activation_bytes_per_gpu(m, 2048, l, {.micro_batches = groups * p}) == bytes(want));
          if (groups == 3) CHECK(activation_bytes_per_gpu(m, 2048, l) == bytes(want));  // enough
        }
      }
  }
}

TEST_CASE("Llama-3-8B at 8 x 4096 on one GPU: 776 GiB by the GPT closed form, 152.3 GiB derived") {
  // Issue 17: the report printed 776 GiB, Korthikanti's GPT block (34sbh + 5as^2b, no flash)
  // applied to Llama-3-8B: 32 layers x (34 x 4096 x 8 x 4096 + 5 x 32 x 4096^2 x 8)
  // = 833,223,655,424 B = 776 GiB exactly.
  CHECK(activation_bytes(runtime(presets::llama_3_8b), 4096, 8) == 776_GiB);
  // Derived (flash, no dropout): 8 sequences x (32 x 570,949,632 per layer + token ids
  // 8 x 4096 + final norm and lm_head inputs 2 x 4096 x 4096 x 2 + fp32 logits
  // 4096 x 128256 x 4) = 8 x 20,438,876,160 = 163,511,009,280 B (152.28 GiB).
  CHECK(activation_bytes_per_gpu(runtime(presets::llama_3_8b), 4096, {.micro_batch = 8}) ==
        bytes(163'511'009'280));
}

TEST_CASE("Llama-3.1-405B, 126 layers on 16 stages: the even split puts 7 layers on stage 0") {
  // Chunk c holds layers [126c/16, 126(c+1)/16): stage 0 has 7, stage 1 has 8. In flight: 16
  // and 15 micro-batches: 112 and 120 layer passes, so stage 1 is the most loaded.
  const activation_peak p = activation_peak_per_gpu(runtime(presets::llama_3_1_405b), 8192,
                                                    {.tp = 8, .pp = 16, .sequence_parallel = true});
  CHECK(p.stage == 1);
  CHECK(p.layer_passes == 120);
  CHECK(p.kept.layers() ==
        activation_bytes_per_layer(presets::llama_3_1_405b, 8192, {.tp = 8, .pp = 16, .sequence_parallel = true}) * 120);
}

// ---- Mixtral-8x7B (8 experts, top-2, expert width 14336), s = 4096, b = 1, flash, bf16.
// Attention and norms as Llama-3-8B's: 14,336 elements + 8,192 norm elements -> 45,056 bytes
// + 128 (logsumexp). The MoE FFN, per token:
//   router / FFN input                        4096 el   ->   8,192 bytes
//   router probabilities                      8 el      ->      16
//   expert inputs, 2 routed copies            8192 el   ->  16,384
//   gate and up outputs, 2 copies             57344 el  -> 114,688
//   down_proj inputs, 2 copies                28672 el  ->  57,344
//   expert outputs read by the combine        8192 el   ->  16,384
//   -> 258,192 bytes per token x 4096 = 1,057,554,432 bytes per layer. ----
static_assert(activation_bytes_per_layer(presets::mixtral_8x7b, 4096, {}) == bytes(1'057'554'432));

TEST_CASE("Mixtral-8x7B: routed tensors scale by top_k; a capacity factor pads every expert") {
  const activation_breakdown b = activation_memory(runtime(presets::mixtral_8x7b)).layer(4096, {});
  CHECK(b[activation_kind::routing] == bytes(4096 * (16 + 16'384)));
  CHECK(b.total() == bytes(1'057'554'432));
  // Capacity factor 1.25: each of 8 experts holds ceil(4096 x 2 x 1.25 / 8) = 1280 tokens,
  // 10,240 rows instead of 8,192; a routed row keeps 4096 + 28672 + 14336 + 4096 elements
  // = 102,400 bytes.
  const bytes padded = activation_bytes_per_layer(runtime(presets::mixtral_8x7b), 4096, {}, 0,
                                                  {.moe_capacity_factor_percent = 125});
  CHECK(padded == bytes(1'057'554'432 + (10'240 - 8'192) * 102'400));
  // Expert inputs are gathered over TP ranks: SP does not split them, TP splits the widths.
  const bytes tp2 = activation_bytes_per_layer(runtime(presets::mixtral_8x7b), 4096,
                                               {.tp = 2, .sequence_parallel = true});
  // Halved: everything but the expert inputs and outputs (2 x 2 x 8192 el x 4096 tokens).
  const count routed_whole = count(2) * 2 * 8192 * 4096;
  CHECK(tp2 == bytes((1'057'554'432 - routed_whole) / 2 + routed_whole));
}

// ---- DeepSeek-V2-Lite (MLA: 16 heads, nope 128 + rope 64, v 128, kv_lora 512, no q_lora;
// layer 0 dense (d_ff 10944), layers 1.. MoE: 64 experts top-6 of 1408, 2 shared), s = 4096,
// b = 1, flash, bf16. Per token:
//   attention input (q_proj, kv_a_proj)   2048     kv_a_norm input 512, kv_b_proj input 512
//   q, k (16 x 192 each)                  6144     v 16 x 128 = 2048, o_proj input 2048
//   two block norm inputs                 4096     -> 17,408 el = 34,816 B + logsumexp 64 B
//   layer 0 FFN: input 2048 + gate, up, down inputs 3 x 10944 = 34,880 el = 69,760 B
//   -> layer 0: 104,640 B per token.
//   layer 1 MoE: router/shared input 2048, shared gate+up+down 3 x 2816 = 8448, router
//   probabilities 64, routed (x 6): input 2048, gate+up 2816, down input 1408, combine 2048
//   = 6 x 8320 = 49,920 -> 60,480 el = 120,960 B -> layer 1: 155,840 B per token. ----
static_assert(activation_bytes_per_layer(presets::deepseek_v2_lite, 4096, {}, 0) == bytes(count(104'640) * 4096));
static_assert(activation_bytes_per_layer(presets::deepseek_v2_lite, 4096, {}, 1) == bytes(count(155'840) * 4096));

TEST_CASE("DeepSeek-V2-Lite and V3 (MLA): latents are kept once, heads split over TP") {
  const activation_memory v2(runtime(presets::deepseek_v2_lite));
  CHECK(v2.layer(4096, {}, 26).total() == bytes(count(155'840) * 4096));
  // DeepSeek-V3 layer 0 (q_lora 1536, dense d_ff 18432, 128 heads): q_a_proj and kv_a_proj share
  // their input (7168); q_a_norm input 1536 and q_b_proj input 1536; kv_a_norm input 512 and
  // kv_b_proj input 512; q, k 2 x 128 x 192 = 49,152; v 16,384; o_proj input 16,384; norms
  // 14,336; FFN 7168 + 3 x 18432 = 62,464 -> 169,984 el = 339,968 B + logsumexp 512 B.
  CHECK(activation_bytes_per_layer(runtime(presets::deepseek_v3), 4096, {}, 0) == bytes(count(340'480) * 4096));
  // TP 8 (no SP) splits the 128 heads and the FFN width, not d_model-wide tensors or latents:
  // whole: 7168 + 1536 x 2 + 512 x 2 + 14336 + 7168 = 32,768 el; split: the rest, 137,216 el.
  CHECK(activation_bytes_per_layer(runtime(presets::deepseek_v3), 4096, {.tp = 8}, 0) ==
        bytes(count(4096) * (2 * (32'768 + 137'216 / 8) + 512 / 8)));
  // With SP too the whole ones split by sequence, except kv_b_proj's input (512), which
  // Megatron-Core gathers over the TP ranks first: 2 x (17,152 + 512 + 32,256 / 8) + 64.
  CHECK(activation_bytes_per_layer(runtime(presets::deepseek_v3), 4096, {.tp = 8, .sequence_parallel = true}, 0) ==
        bytes(count(4096) * (2 * (17'152 + 512 + 32'256 / 8) + 64)));
}

// ---- Gemma-2-9B (16 heads of 256, 8 kv heads, GeGLU 14336, 4 norms a layer, a 4096-token
// window on even layers), s = 8192, b = 1, bf16. With flash, a window changes nothing kept:
// per token attention input 3584, q 4096, k 2048, v 2048, o_proj input 4096, 4 norm inputs
// 14,336, FFN input 3584 + 3 x 14336 -> 76,800 el = 153,600 B + logsumexp 64 B = 153,664 B.
// Unfused (no dropout) a layer keeps its probabilities: 16 heads x 8192 queries x keys, the
// keys being 4096 on the windowed layers and 8192 on the global ones. ----
static_assert(activation_bytes_per_layer(presets::gemma_2_9b, 8192, {}, 0) == bytes(count(153'664) * 8192));
static_assert(activation_bytes_per_layer(presets::gemma_2_9b, 8192, {}, 1) == bytes(count(153'664) * 8192));

TEST_CASE("Gemma-2-9B: unfused sliding-window layers keep a band of the scores") {
  const activation_memory g(runtime(presets::gemma_2_9b));
  const training_layout unfused{.flash_attention = false};
  const count rest = count(153'600) * 8192;  // no logsumexp unfused
  CHECK(g.layer(8192, unfused, 0).total() == bytes(rest + count(16) * 8192 * 4096 * 2));
  CHECK(g.layer(8192, unfused, 1).total() == bytes(rest + count(16) * 8192 * 8192 * 2));
  // Shorter than the window, both layers are alike.
  CHECK(g.layer(2048, unfused, 0).total() == g.layer(2048, unfused, 1).total());
}

// ---- Falcon-7B: a parallel block (attention and MLP read one LayerNorm's output), MQA (71
// heads of 64, one kv head), GELU MLP 18176; s = 2048, flash, bf16. Per token: norm input
// 4544, the shared attention/MLP input 4544 (once), q 4544, k 64, v 64, o_proj input 4544,
// GELU input 18176, fc2 input 18176 = 54,656 el = 109,312 B, + logsumexp 71 x 4 = 284 B. ----
static_assert(activation_bytes_per_layer(presets::falcon_7b, 2048, {}) == bytes(count(109'596) * 2048));

// ---- Qwen3-30B-A3B: per-head qk RMSNorm, 128 experts top-8 of 768, 32 heads / 4 kv heads of
// 128, d 2048; s = 4096, flash, bf16. Per token: attention input 2048, q_norm input 4096 and
// k_norm input 512 (the projections' outputs), q 4096, k 512, v 512, o_proj input 4096, two
// block norm inputs 4096, router input 2048, router probabilities 128, routed x 8: input 2048
// + gate, up, down inputs 3 x 768 + combine 2048 = 8 x 6400 = 51,200 -> 73,344 el
// = 146,688 B, + logsumexp 32 x 4 = 128 B. ----
static_assert(activation_bytes_per_layer(presets::qwen3_30b_a3b, 4096, {}) == bytes(count(146'816) * 4096));

TEST_CASE("a shared expert behind a sigmoid gate (Qwen1.5-MoE-A2.7B) keeps the gate and its operand") {
  // d 2048, 16 heads (MHA), 60 experts top-4 of 1408, a shared MLP of 5632 with a d -> 1 gate.
  // Per token (flash, bf16): attention input, q, k, v, o_proj input 5 x 2048 = 10,240;
  // norms 4096; router / shared input 2048; router probabilities 60; shared gate, up, down
  // inputs 3 x 5632 = 16,896; gate value 1 and the shared output it scales 2048; routed x 4:
  // 2048 + 3 x 1408 + 2048 = 4 x 8320 = 33,280 -> 68,669 el = 137,338 B + logsumexp 64 B.
  const model_config m{.vocab = 151936, .d_model = 2048, .n_layers = 24,
                       .attention = {.n_heads = 16, .qkv_bias = true}, .ffn = {.d_ff = 5632},
                       .moe = {.n_experts = 60, .top_k = 4, .d_ff_expert = 1408, .d_ff_shared = 5632,
                               .shared_expert_gate = true}};
  CHECK(activation_bytes_per_layer(runtime(m), 4096, {}) == bytes(count(137'402) * 4096));
}

TEST_CASE("interleaved 1F1B with fewer micro-batches than its warm-up holds them all") {
  // GPT-3 175B, p = 8, v = 3, 8 micro-batches a step: all 8 x 3 chunk passes of stage 0 are in
  // flight before its first backward (Megatron's warm-up is capped by the passes there are):
  // 24 passes of 4 layers = 96 layer passes, not 124.
  const training_layout l{.tp = 8, .pp = 8, .interleave = 3, .flash_attention = false};
  const activation_peak p = activation_peak_per_gpu(runtime(gpt_175b), 2048, l, {.dropout = true, .micro_batches = 8});
  CHECK(p.layer_passes == 96);
  CHECK(p.kept.layers() == bytes(count(96) * 2048 * 12288 * 23));  // 23 sbh per layer at t = 8
  // 1F1B (v = 1) with 3 micro-batches on 4 stages: stage 0 holds 3.
  const activation_peak q = activation_peak_per_gpu(runtime(gpt_175b), 2048, {.pp = 4}, {.micro_batches = 3});
  CHECK(q.layer_passes == 3 * 24);
  // The count per call (a search over batch splits) gives the same.
  const activation_memory account(runtime(gpt_175b));
  CHECK(account.peak(2048, {.pp = 4}, 3).kept == q.kept);
  CHECK(account.peak(2048, {.pp = 4}, 0).layer_passes == 4 * 24);
}

TEST_CASE("GPT with flash attention: 34sbh, plus the logsumexp, without the 5as^2b term") {
  // Flash keeps no probabilities or their mask; dropout's hidden masks (2sbh of the 34) stay.
  const count s = 2048, h = 12288, a = 96;
  CHECK(activation_bytes_per_layer(runtime(gpt_175b), s, {}, 0, megatron_gpt) == bytes(34 * s * h + a * s * 4));
  CHECK(activation_bytes_per_layer(runtime(gpt_175b), s, {}) == bytes(32 * s * h + a * s * 4));
}

TEST_CASE("bad layouts get txmath: errors naming the value, the field and the limit") {
  const model_config m = runtime(presets::llama_3_8b);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4096, {.tp = 16}),
                       doctest::Contains("tp = 16 must divide attention.n_kv_heads = 8"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4096, {.tp = 16, .recompute_mode = recompute::full}),
                       doctest::Contains("tp = 16 must divide attention.n_kv_heads = 8"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4096, {.tp = 3}),
                       doctest::Contains("txmath: training layout: tp = 3"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4095, {.cp = 2}),
                       doctest::Contains("seq = 4095 must be divisible by cp = 2"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4100, {.tp = 8, .sequence_parallel = true}),
                       doctest::Contains("times tp = 8 (sequence parallel)"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_gpu(m, 4096, {.pp = 16, .interleave = 4}),
                       doctest::Contains("pp = 16 x interleave = 4 model chunks exceed n_layers = 32"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_gpu(m, 4096, {.pp = 2, .interleave = 2}, {.micro_batches = 3}),
                       doctest::Contains("micro_batches = 3 must be a multiple of pp = 2 for the interleaved schedule"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_gpu(gpt(1024, 16, 200), 2048, {.interleave = 65}),
                       doctest::Contains("interleave = 65 exceeds 64 model chunks per stage"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4096, {}, 32),
                       doctest::Contains("layer 32 is out of range: the model has n_layers = 32"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 0, {}), doctest::Contains("seq = 0: must be positive"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)activation_bytes_per_layer(m, 4096, {.micro_batch = 0}),
                       doctest::Contains("micro_batch = 0: must be positive"), invalid_argument);
}

// The report API (report.hpp) and the inference account (inference.hpp), checked against
// published parameter counts (tests/reference/models.json, Meta's 405,853,388,800), hand
// derivations written out here, Korthikanti et al.'s activation formula and identities.
#include <doctest/doctest.h>

#include "support.hpp"

#include <string>

#include <txmath/presets.hpp>
#include <txmath/activations.hpp>
#include <txmath/report.hpp>
#include <txmath/serve.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

namespace {
constexpr count llama3_8b_params = 8'030'261'248;     // meta-llama/Meta-Llama-3-8B
constexpr count llama3_8b_embedding = 128256 * 4096;  // 525,336,576: vocab x d_model
bool has_note(const model_report& r, std::string_view words) {
  for (const auto& n : note_texts(r))
    if (n.find(words) != std::string::npos) return true;
  return false;
}
}  // namespace

// ---- at compile time -------------------------------------------------------------------------
// The whole account is a constant expression: parameters, KV cache, the fit verdict.
static_assert(make_report(presets::llama_3_8b).params.total.value() == llama3_8b_params);
// KV cache, 8 x 4096 bf16: 2 (K, V) x 8 kv heads x 128 x 32 layers x 2 bytes x 32768 tokens = 4 GiB.
static_assert(make_report(presets::llama_3_8b).memory.kv_cache == 4_GiB);
// 15.0 GiB of weights + 4 GiB of cache on one 80 GiB H100.
static_assert(make_report(presets::llama_3_8b).inference.fits_one_gpu);
static_assert(make_report(presets::llama_3_8b).inference.min_tp_that_fits == 1);
// Activations, derived from the lowering (FlashAttention on, no dropout, bf16), one micro-batch
// of 8 x 4096 on one GPU. tests/test_activation_memory.cpp derives a Llama-3-8B layer by hand:
// 69,632 elements x 2 bytes + 32 heads x 4 bytes (logsumexp) = 139,392 bytes a token,
// 570,949,632 a sequence; and the ends: token ids 8 x 4096, the final norm's and lm_head's
// inputs 2 x 4096 x 4096 x 2, the fp32 logits 4096 x 128256 x 4. So 8 x (32 x 570,949,632 +
// 32,768 + 67,108,864 + 2,101,346,304) = 8 x 20,438,876,160 = 163,511,009,280 B (152.28 GiB),
// where Korthikanti's GPT closed form (34 sbh a layer, activations.hpp) said 136 GiB.
static_assert(make_report(presets::llama_3_8b).memory.activations == bytes(163'511'009'280));
static_assert(make_report(presets::llama_3_8b).notes.has(note::flash_attention_assumed));
static_assert(make_report(presets::llama_3_8b).notes.size() == 2);  // and the default tokens
// Mixtral-8x7B, bf16: 2 x 46,702,792,704 bytes = 87 GiB > 80 GiB: TP 2, and an MoE note.
static_assert(make_report(presets::mixtral_8x7b).notes.has(note::inference_needs_tp));
static_assert(make_report(presets::mixtral_8x7b).notes.has(note::inference_reads_all_experts));

TEST_CASE("make_report: the defaults and the figures of Llama-3-8B") {
  const model_report r = make_report(runtime(presets::llama_3_8b));
  CHECK(r.params.total.value() == llama3_8b_params);
  CHECK(r.settings.tokens == count(20) * llama3_8b_params);  // Chinchilla's 20 tokens per parameter
  CHECK(r.memory.weights == bytes(count(2) * llama3_8b_params));
  CHECK(r.memory.training_state == bytes(count(16) * llama3_8b_params));  // ZeRO paper's 16 B/param
  // ZeRO-3 over 1024 GPUs: 16 x ceil(8,030,261,248 / 1024) = 16 x 7,842,052 bytes.
  CHECK(r.memory.training_state_per_gpu_zero3 == bytes(count(16) * 7'842'052));
  CHECK(r.memory.kv_cache == 4_GiB);
  CHECK(r.memory.kv_cache_per_token == 128_KiB);  // 2 x 8 x 128 x 32 x 2
  CHECK(r.memory.kv_cache_without_windows == r.memory.kv_cache);  // no sliding window
  // Full recompute keeps only each layer's input: 2 sbh x 32 = 2 x 4096 x 8 x 4096 x 32 = 8 GiB;
  // the ends are not recomputed: 8 x (32,768 token ids + 67,108,864 norm and lm_head inputs +
  // 2,101,346,304 fp32 logits) = 17,347,903,488 B. Total 25,937,838,080 B (24.16 GiB).
  CHECK(r.memory.activations_full_recompute == 8_GiB + bytes(17'347'903'488));
  CHECK(r.memory.activations_full_recompute == bytes(25'937'838'080));
  // Time = FLOPs / (1024 x 989.4e12 x 0.4); cost = hours x 1024 x $2.
  CHECK(r.training.time.value() ==
        doctest::Approx(r.flops.training_per_run.to_double() / (1024 * 989.4e12 * 0.4)));
  CHECK(r.training.cost == doctest::Approx(r.training.time.value() / 3600 * 1024 * 2.0));
  CHECK(has_note(r, "FlashAttention assumed"));
  CHECK(has_note(r, "20 per parameter"));
  CHECK(!has_note(r, "sliding window"));
}

TEST_CASE("make_report: FlashAttention off keeps the s x s probabilities") {
  const model_report r = make_report(runtime(presets::llama_3_8b), {.flash_attention = false});
  // Unfused attention keeps the softmax output AV reads instead of the logsumexp
  // (test_activation_memory.cpp's derivation): a layer of one sequence keeps 570,949,632 -
  // 4096 x 128 + 32 heads x 4096^2 x 2 = 1,644,167,168 B; x 32 layers + the ends (32,768 +
  // 67,108,864 + 2,101,346,304) = 54,781,837,312 a sequence, x 8 = 438,254,698,496 B
  // (408.16 GiB). The 776 GiB came from Korthikanti's GPT block with 5as^2b (fp16
  // scores, probabilities, dropout copy and mask) applied to a model that has no dropout.
  CHECK(r.memory.activations == bytes(438'254'698'496));
  CHECK(activation_bytes(runtime(presets::llama_3_8b), 4096, 8, {.flash_attention = false}) == 776_GiB);
  CHECK(has_note(r, "FlashAttention off"));
  CHECK(!has_note(r, "FlashAttention assumed"));
  // The report's one activation function is the derived account's peak on one GPU.
  training_layout l;
  l.micro_batch = 8;
  l.flash_attention = false;
  CHECK(report_activation_bytes(runtime(presets::llama_3_8b), 4096, l) == bytes(438'254'698'496));
}

TEST_CASE("make_report: for a GPT block with dropout the derived account is Korthikanti's") {
  // Cross-check against the closed form (activations.hpp, Korthikanti et al. Table 2): GPT-3
  // 1.3B's layer keeps sbh(34 + 5as/h) bytes with dropout and no flash; the report's account
  // with dropout on (activation_memory_options) keeps exactly that a layer.
  const model_config m = runtime(presets::gpt3_1_3b);
  training_layout l;
  l.flash_attention = false;
  const count s = 2048, h = m.d_model, a = m.attention.n_heads;
  CHECK(activation_memory(m, {.dropout = true}).layer(s, l).total() == bytes(s * h * 34 + count(5) * a * s * s));
  CHECK(activation_bytes(m, s, 1, {.flash_attention = false}) ==
        bytes((s * h * 34 + count(5) * a * s * s) * m.n_layers));
}

TEST_CASE("make_report: weights, KV cache and compute dtypes are separate") {
  report_options o;
  o.weights = dtype::fp8;
  o.kv_cache = dtype::fp8;
  o.compute = dtype::fp8;
  const model_report r = make_report(runtime(presets::llama_3_8b), o);
  CHECK(r.memory.weights == bytes(llama3_8b_params));  // 1 byte a weight
  CHECK(r.memory.kv_cache == 2_GiB);                   // half of bf16's 4 GiB
  CHECK(r.training.peak.value() == doctest::Approx(1978.9e12));  // H100 SXM dense fp8
  // Training state stays mixed-precision Adam whatever the inference dtypes.
  CHECK(r.memory.training_state == bytes(count(16) * llama3_8b_params));
}

TEST_CASE("inference: Llama-3.1-405B in fp8 does not fit one H200; TP 4 does") {
  // Weights: 405,853,388,800 bytes = 378 GiB > 141 GiB. KV cache, fp8, 8 x 4096: 2 x 8 kv heads
  // x 128 x 126 layers x 1 byte x 32768 tokens = 8,455,716,864 bytes (7.875 GiB).
  // TP 2: 189 GiB of weights alone > 141. TP 4: 405,853,388,800 / 4 = 101,463,347,200 bytes
  // of weights + 8 kv heads / 4 ranks = a quarter of the cache, 2,113,929,216 -> 96.5 GiB.
  report_options o;
  o.weights = o.kv_cache = o.compute = dtype::fp8;
  o.gpu = &accelerators::h200_sxm;
  const model_report r = make_report(runtime(presets::llama_3_1_405b), o);
  const inference_account& a = r.inference;
  CHECK(a.weights == bytes(405'853'388'800));
  CHECK(a.kv_cache == bytes(8'455'716'864));
  CHECK(!a.fits_one_gpu);
  CHECK(a.min_tp_that_fits == 4);
  CHECK(a.memory_per_gpu == bytes(count(101'463'347'200) + 2'113'929'216));
  CHECK(has_note(r, "the smallest tensor-parallel degree that fits is 4"));
  // Times at TP 4: one rank does a quarter of the FLOPs.
  CHECK(a.prefill.roof.compute_time.value() ==
        doctest::Approx(a.prefill.flops.to_double() / 4 / 1978.9e12));
}

TEST_CASE("inference: Mixtral-8x7B in bf16 (87 GiB) needs two 80 GiB H100s") {
  const inference_account a = inference(runtime(presets::mixtral_8x7b), accelerators::h100_sxm,
                                        {.context = 4096, .batch = 8});
  CHECK(a.weights == bytes(count(2) * 46'702'792'704));  // models.json's exact count
  CHECK(!a.fits_one_gpu);
  CHECK(a.min_tp_that_fits == 2);
  // A model that fits nowhere up to max_tp: no degree, no times.
  const inference_account none = inference(presets::llama_3_1_405b, accelerators::rtx_4090, {.max_tp = 4});
  CHECK(none.min_tp_that_fits == 0);
  CHECK(none.decode.tokens_per_second == 0);
}

TEST_CASE("inference: decode reads only the gathered rows of an untied input embedding") {
  const lowered_model ops = lower(runtime(presets::llama_3_8b));
  // Batch 8: every weight but the 128256 x 4096 input table, plus 8 of its rows; bf16.
  CHECK(weight_bytes_read(ops, 8, dtype::bf16) ==
        bytes(count(2) * (llama3_8b_params - llama3_8b_embedding + count(8) * 4096)));
  // Tied (GPT-2): the head reads the whole matrix; the lookups gather 8 token rows and 8
  // learned-position rows. 124,439,808 - 38,597,376 (wte) - 786,432 (wpe) + 38,597,376
  // (head) + 8 x 768 + 8 x 768.
  CHECK(weight_bytes_read(lower(presets::gpt2_small), 8, dtype::fp32) ==
        bytes(count(4) * (count(124'439'808) - 786'432 + 16 * 768)));
  // A step with more tokens than rows reads the whole table once.
  CHECK(weight_bytes_read(ops, 1'000'000, dtype::bf16) == bytes(count(2) * llama3_8b_params));
  // The decode step: memory-bound, time = (weights read + the 4 GiB cache) / 3.35 TB/s, and
  // 8 tokens a step. The old account read the whole table: 5.5% slower.
  const inference_account a = inference(presets::llama_3_8b, accelerators::h100_sxm, {.context = 4096, .batch = 8});
  const double read = 2.0 * (llama3_8b_params - llama3_8b_embedding + count(8) * 4096).to_double() + 4.0 * (1 << 30);
  CHECK(!a.decode.roof.compute_bound());
  CHECK(a.decode.roof.time().value() == doctest::Approx(read / 3.35e12));
  CHECK(a.decode.tokens_per_second == doctest::Approx(8 / a.decode.roof.time().value()));
  const double whole = 2.0 * llama3_8b_params.to_double() + 4.0 * (1 << 30);
  CHECK(whole / read == doctest::Approx(1.055).epsilon(0.002));
  // Prefill: 8 x 4096 tokens in its time.
  CHECK(a.prefill.tokens_per_second == doctest::Approx(8 * 4096 / a.prefill.roof.time().value()));
}

TEST_CASE("make_report: Mistral-7B's sliding window is stated where it changes the KV cache") {
  // 32k context, batch 1: 128 KiB a token x the 4,096-token window = 512 MiB, where every
  // token kept would be 128 KiB x 32768 = 4 GiB.
  const model_report r = make_report(runtime(presets::mistral_7b), {.seq_len = 32768, .batch = 1});
  CHECK(r.memory.kv_cache == 512_MiB);
  CHECK(r.memory.kv_cache_without_windows == 4_GiB);
  CHECK(has_note(r, "32 of 32 layers attend to and cache only the last 4096 tokens"));
  CHECK(has_note(r, "512 MiB (4.00 GiB if every layer kept every token)"));
  // Within the window there is nothing to say.
  CHECK(!has_note(make_report(presets::mistral_7b, {.seq_len = 4096, .batch = 1}), "sliding window"));
}

TEST_CASE("make_report: bad options and non-finite results are errors naming the value") {
  auto message = [](const report_options& o) -> std::string {
    try {
      (void)make_report(presets::llama_3_8b, o);
    } catch (const txmath::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  CHECK(message({.seq_len = 0}).find("seq_len = 0") != std::string::npos);
  CHECK(message({.gpu = nullptr}).find("report_options.gpu is null") != std::string::npos);
  CHECK(message({.mfu = 5e-324}).find("training time in seconds is inf") != std::string::npos);
  CHECK(message({.mfu = 5e-324}).find("mfu 5e-324") != std::string::npos);
  CHECK(message({.price_per_gpu_hour = 1e308}).find("the run's cost is inf") != std::string::npos);
  CHECK(message({.price_per_gpu_hour = -1}).find("got -1") != std::string::npos);
  CHECK(message({.mfu = 1.5}).find("utilization must be in (0, 1], got 1.5") != std::string::npos);
}

// A layout on a system: step_time.hpp's estimate, in a constant expression too. One H100,
// 8 x 4096 in one micro-batch: the activations are the one-GPU account above.
static_assert(make_report(presets::llama_3_8b, {.system = &systems::dgx_h100, .layout = {.micro_batch = 8}})
                  .layout.estimate.activations_per_gpu == bytes(163'511'009'280));

TEST_CASE("make_report with a layout: memory per GPU and step time from step_time.hpp") {
  report_options o;
  o.system = &systems::dgx_h100;
  o.layout.micro_batch = 8;
  const model_report r = make_report(runtime(presets::llama_3_8b), o);
  REQUIRE(r.layout.present);
  CHECK(r.layout.gpus == 1);
  // 16 bytes a parameter (mixed-precision Adam, unsharded) + the activations above.
  CHECK(r.layout.estimate.state_per_gpu == bytes(count(16) * llama3_8b_params));
  CHECK(r.layout.estimate.memory_per_gpu == bytes(count(16) * llama3_8b_params + 163'511'009'280));
  CHECK(r.layout.gpu_memory == 80_GiB);
  CHECK(r.notes.has(note::layout_exceeds_memory));
  CHECK(has_note(r, "layout: 272 GiB per GPU (training state 120 GiB + activations 152 GiB) exceeds one H100 SXM's 80.0 GiB"));
  // MFU: the step's model FLOPs (the report's own per-step count) over one GPU's peak time.
  CHECK(r.layout.estimate.mfu ==
        doctest::Approx(r.flops.per_step.training.total.to_double() / (r.layout.estimate.step_seconds * 989.4e12)));
  // TP 8 over a DGX H100's NVLink: the activations shrink, no note; the layout's flash is the
  // report's.
  o.layout = {.tp = 8, .micro_batch = 1};
  o.flash_attention = false;
  const model_report t = make_report(runtime(presets::llama_3_8b), o);
  CHECK(t.layout.gpus == 8);
  CHECK(!t.layout.layout.flash_attention);
  CHECK(!t.notes.has(note::layout_exceeds_memory));
  CHECK(t.layout.estimate.micro_batches == 8);
  // Without a system there is no layout.
  CHECK(!make_report(runtime(presets::llama_3_8b)).layout.present);
}

TEST_CASE("inference.hpp and serve.hpp: where the two accounts agree and how they differ") {
  // (inference.hpp's header lists the differences.) Llama-3-8B in bf16 on one H100.
  const model_config m = runtime(presets::llama_3_8b);
  const inference_account a = inference(m, accelerators::h100_sxm, {.context = 4096, .batch = 8});
  const serve_report s = serve(m, {.system = systems::dgx_h100}, {.context = 4096, .concurrency = 8});
  // The same weights at tp 1: 2 x 8,030,261,248 bytes.
  CHECK(a.weights == bytes(count(2) * llama3_8b_params));
  CHECK(s.memory.weights == a.weights);
  // Both fit it on one GPU; serve.hpp's budget is vLLM's 0.9 of the HBM less its workspace.
  CHECK(a.min_tp_that_fits == 1);
  CHECK(s.min_tp_that_fits == 1);
  // Decode of 8 sequences at 4096: serve.hpp sums per-op rooflines (plus activation traffic)
  // where inference.hpp takes one roofline for the step, so its time is at least this one.
  CHECK(s.tpot.value() >= a.decode.roof.time().value());
  // Prefill of one 4096-token sequence: counting every (query, key) pair as inference.hpp
  // does, serve.hpp's time is at least inference.hpp's; with its default exact causal count
  // (the triangle only: about half the attention FLOPs) it is shorter here.
  const inference_account one = inference(m, accelerators::h100_sxm, {.context = 4096, .batch = 1});
  const serve_report full = serve(m, {.system = systems::dgx_h100, .causal = causal_counting::full},
                                  {.context = 4096, .concurrency = 1});
  CHECK(full.ttft.value() >= one.prefill.roof.time().value());
  const serve_report exact = serve(m, {.system = systems::dgx_h100}, {.context = 4096, .concurrency = 1});
  CHECK(exact.ttft.value() < one.prefill.roof.time().value());
  // Llama-3-70B at tp 8: serve.hpp keeps the norms whole on every rank (2,308,096 B more than
  // an eighth of the weights, tests/test_serve.cpp); inference.hpp splits all of them.
  const model_config big = runtime(presets::llama_3_70b);
  const inference_account a70 = inference(big, accelerators::h100_sxm, {.context = 32768, .batch = 1});
  const bytes eighth = bytes(ceil_div(a70.weights.value(), count(8)));
  CHECK(eighth == bytes(17'638'426'624));
  CHECK(serve_memory_per_gpu(big, {.tp = 8}).weights == eighth + bytes(2'308'096));
}

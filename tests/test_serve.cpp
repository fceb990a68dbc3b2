// Serving: quantized weight bytes against real GGUF file sizes, KV blocks against vLLM's
// formula worked by hand, latency against hand-derived rooflines, speculative decoding
// against Leviathan et al.'s closed forms, and the verdicts in static_assert.
#include <doctest/doctest.h>

#include <string>

#include "support.hpp"

#include <txmath/presets.hpp>
#include <txmath/serve.hpp>

using namespace txmath;
using namespace txmath::literals;
using txmath_test::runtime;

// ---- ggml blocks (ggml/src/ggml-common.h static_asserts: Q4_0 = fp16 d + 16 B of nibbles) --
static_assert(bits_per_weight(ggml_type::q4_0) == 4.5);
static_assert(bits_per_weight(ggml_type::q4_1) == 5.0);
static_assert(bits_per_weight(ggml_type::q5_0) == 5.5);
static_assert(bits_per_weight(ggml_type::q8_0) == 8.5);
static_assert(bits_per_weight(ggml_type::q2_k) == 2.625);   // "Effectively 2.625 bits per weight"
static_assert(bits_per_weight(ggml_type::q3_k) == 3.4375);  // "Effectively 3.4375 bits per weight"
static_assert(bits_per_weight(ggml_type::q4_k) == 4.5);
static_assert(bits_per_weight(ggml_type::q5_k) == 5.5);
static_assert(bits_per_weight(ggml_type::q6_k) == 6.5625);  // "Effectively 6.5625 bits per weight"
static_assert(ggml_bytes(count(4096) * 4096, 4096, ggml_type::q4_0) == bytes(4096 * 4096 / 32 * 18));

// llama.cpp's use_more_bits on 32 layers: layers 0-3, 28-31 and every third from 6: 16 of 32
// ("Q6_K for half of the attention.wv and feed_forward.w2 tensors", TheBloke's tables).
static_assert([] {
  int n = 0;
  for (std::uint64_t i = 0; i < 32; ++i) n += detail::use_more_bits(i, 32) ? 1 : 0;
  return n;
}() == 16);

namespace {
struct file_size {
  const char* ftype;
  double gb;  // as the model page prints it: decimal GB to 0.01
};

// The tensors are the file less its metadata (the 32,000-token vocabulary and the header,
// under 2 MB): the page's figure, rounded to 0.01 GB, must hold them.
void check_file_sizes(const model_config& m, std::initializer_list<file_size> sizes) {
  for (const auto& f : sizes) {
    CAPTURE(f.ftype);
    const double tensors = quantized_weight_bytes(m, weight_quantizations::gguf(parse_gguf_ftype(f.ftype))).to_double();
    CHECK(tensors <= f.gb * 1e9 + 0.005e9);
    CHECK(tensors + 2e6 >= f.gb * 1e9 - 0.005e9);
  }
}
}  // namespace

TEST_CASE("GGUF weight bytes: Llama-2 7B and 13B files as TheBloke's model pages list them") {
  // Llama-2-7B shape (vocab 32000): TheBloke/Wizard-Vicuna-7B-Uncensored-GGUF's table, Q8_0 from
  // TheBloke/Llama-2-7B-Chat-GGUF, Q2_K from second-state/Llava-v1.5-7B-GGUF (its LLM file).
  check_file_sizes(presets::llama_2_7b, {{"Q2_K", 2.53}, {"Q3_K_M", 3.30}, {"Q3_K_L", 3.60}, {"Q4_0", 3.83},
                                         {"Q4_K_S", 3.86}, {"Q4_K_M", 4.08}, {"Q5_0", 4.65}, {"Q5_K_S", 4.65},
                                         {"Q5_K_M", 4.78}, {"Q6_K", 5.53}, {"Q8_0", 7.16}});
  // Llama-2-13B shape: TheBloke/Llama-2-13B-Chat-GGUF (Q4_K_M 7.87, Q5_K_M 9.23, Q6_K 10.68,
  // Q8_0 13.83) and TheBloke/Noromaid-13B-v0.3-GGUF for the others.
  check_file_sizes(presets::llama_2_13b, {{"Q3_K_M", 6.34}, {"Q3_K_L", 6.93}, {"Q4_0", 7.37}, {"Q4_K_S", 7.42},
                                          {"Q4_K_M", 7.87}, {"Q5_0", 8.97}, {"Q5_K_M", 9.23}, {"Q6_K", 10.68},
                                          {"Q8_0", 13.83}});
}

// Q4_0 of Llama-2-7B by hand: output.weight (32000 x 4096 = 131,072,000) is Q6_K, the 65 norm
// vectors (266,240 values) stay F32, the other 6,607,077,376 weights are Q4_0:
//   6,607,077,376 x 18/32 + 131,072,000 x 210/256 + 266,240 x 4
//   = 3,716,481,024 + 107,520,000 + 1,064,960 = 3,825,065,984 bytes ("3.83 GB").
static_assert(quantized_weight_bytes(presets::llama_2_7b, weight_quantizations::gguf(gguf_ftype::q4_0)) ==
              bytes(3'825'065'984));
TEST_CASE("GGUF: the same at run time; Q4_K_M's per-tensor types") {
  const auto q = weight_quantizations::gguf(runtime(gguf_ftype::q4_0));
  CHECK(quantized_weight_bytes(runtime(presets::llama_2_7b), q) == bytes(3'825'065'984));
  // Q4_K_M: attn_v of layer 0 (more bits) is Q6_K, of layer 4 Q4_K; a 4544-wide row (Falcon)
  // is no multiple of 256: Q4_K falls back to Q5_0.
  const auto& m = presets::llama_2_7b;
  CHECK(gguf_type_of(gguf_ftype::q4_k_m, gguf_tensor::attn_v, m, 0, 4096) == ggml_type::q6_k);
  CHECK(gguf_type_of(gguf_ftype::q4_k_m, gguf_tensor::attn_v, m, 4, 4096) == ggml_type::q4_k);
  CHECK(gguf_type_of(gguf_ftype::q4_k_m, gguf_tensor::attn_q, m, 0, 4544) == ggml_type::q5_0);
  CHECK(gguf_type_of(gguf_ftype::q8_0, gguf_tensor::output, m, 0, 4096) == ggml_type::q8_0);
  CHECK(gguf_type_of(gguf_ftype::q4_0, gguf_tensor::kept, m, 0, 1) == ggml_type::f32);
  CHECK(parse_gguf_ftype("q4_k_m") == gguf_ftype::q4_k_m);
  CHECK_THROWS_WITH_AS((void)parse_gguf_ftype(runtime(std::string_view("Q4_K_X"))),
                       doctest::Contains("unknown GGUF file type 'Q4_K_X'"), invalid_argument);
}

// Group formats on the linear layers only (GPTQ, AWQ, bitsandbytes leave embeddings, head and
// norms in 16 bits). Llama-3-8B: 32 x (2 x 4096^2 + 2 x 4096 x 1024 + 3 x 4096 x 14336)
// = 6,979,321,856 linear weights; 2 x 525,336,576 embedding + head and 266,240 norm weights.
//   fp8: 6,979,321,856 + 2 x 1,050,939,392 = 9,081,200,640 bytes.
static_assert(quantized_weight_bytes(presets::llama_3_8b, weight_quantizations::fp8) == bytes(9'081'200'640));
// NF4 with double quantization (QLoRA): 4 + 8/64 + 32/(64 x 256) = 4.127 bits per weight.
static_assert(bits_per_weight(weight_formats::nf4_double_quant) > 4.1269 &&
              bits_per_weight(weight_formats::nf4_double_quant) < 4.1270);

// ---- KV blocks: vLLM's formula --------------------------------------------------------------
// Llama-3-8B, bf16, one H100 (80 GiB), gpu_memory_utilization 0.9, block_size 16:
//   block = 16 tokens x 8 KV heads x 128 x 2 (K, V) x 32 layers x 2 B = 2,097,152 B
//   budget = floor(85,899,345,920 x 0.9) = 77,309,411,328
//   peak = weights 16,060,522,496 + workspace 903,086,080 (below) = 16,963,608,576
//   blocks = floor((77,309,411,328 - 16,963,608,576) / 2,097,152) = floor(28,775.12) = 28,775
// Workspace for an 8192-token chunk: the gating product (two [8192, 14336] inputs and one
// output, bf16) 704,643,072 + the residual stream 8192 x 4096 x 2 = 67,108,864 + fp32 logits
// of 256 rows x 128,256 = 131,334,144.
// 8192-token sequences hold 512 blocks each: 28,775 / 512 = 56 of them.
constexpr serve_memory llama3_8b_h100 = serve_memory_per_gpu(presets::llama_3_8b, {});
static_assert(llama3_8b_h100.block == bytes(2'097'152));
static_assert(llama3_8b_h100.workspace == bytes(903'086'080));
static_assert(llama3_8b_h100.weights == bytes(16'060'522'496));
static_assert(llama3_8b_h100.blocks == count(28'775));
static_assert(max_concurrency(llama3_8b_h100, 8192, 16) == count(56));

TEST_CASE("KV blocks at run time, and per tensor-parallel rank") {
  const serve_memory m = serve_memory_per_gpu(runtime(presets::llama_3_8b), runtime(serve_options{}));
  CHECK(m.blocks == count(28'775));
  CHECK(m.kv_cache == bytes(count(28'775) * 2'097'152));
  // Llama-3-70B on 8 GPUs with an fp8 cache: one KV head per rank, 80 layers:
  // 16 x 1 x 128 x 2 x 80 x 1 B = 327,680 B a block (vLLM's get_cache_block_size with
  // num_kv_heads = 8 / 8). At tp = 16 the 8 KV heads are replicated: still one per rank.
  serve_options o{.tp = 8, .kv_cache = dtype::fp8};
  CHECK(serve_memory_per_gpu(presets::llama_3_70b, o).block == bytes(327'680));
  o.tp = 16;
  CHECK(serve_memory_per_gpu(presets::llama_3_70b, o).block == bytes(327'680));
  // Pipeline stages: 80 layers over 3 stages = 27, 27, 26; the block follows the stage with most.
  o.tp = 1;
  o.pp = 3;
  CHECK(serve_memory_per_gpu(presets::llama_3_70b, o).block == bytes(16 * 8 * 128 * 2 * 27));
}

// The example: Llama-3-70B with an fp8 KV cache serves 64 sequences of 32k on 8 H100s,
// and a bf16 cache does not. Per GPU: weights 70,553,706,496 x 2 / 8 = 17,638,426,624 B plus
// 2,308,096 B of replicated norms, workspace 419,069,952; a 32k sequence holds 2048 blocks.
//   fp8:  (77,309,411,328 - 17,640,734,720 - 419,069,952) / 327,680 = 180,815 blocks -> 88 seqs
//   bf16: the same / 655,360 = 90,407 blocks -> 44 seqs.
constexpr serve_options h100x8_fp8{.tp = 8, .kv_cache = dtype::fp8};
constexpr serve_report llama70b_fp8 = serve(presets::llama_3_70b, h100x8_fp8, {.context = 32768, .concurrency = 64});
static_assert(llama70b_fp8.fits);
static_assert(llama70b_fp8.memory.weights == bytes(17'640'734'720));
static_assert(llama70b_fp8.memory.blocks == count(180'815));
static_assert(llama70b_fp8.max_concurrency == count(88));
constexpr serve_memory llama70b_bf16 = serve_memory_per_gpu(presets::llama_3_70b, {.tp = 8});
static_assert(max_concurrency(llama70b_bf16, 32768, 16) == count(44));
static_assert(!serve_fits(llama70b_bf16, 32768, 64, 16));

TEST_CASE("smallest tensor-parallel size that fits") {
  // Llama-3-70B in bf16 (141.1 GB): one 77.3 GB budget cannot hold it; two GPUs hold 35.3 GB of
  // weights each and one 32k sequence (2048 blocks of 2,621,440 B = 5.4 GB).
  CHECK(min_tp_that_fits(presets::llama_3_70b, {}, 32768, 1) == count(2));
  // 64 sequences of 32k = 131,072 blocks. With a bf16 cache a rank keeps at least one of the 8
  // KV heads: 131,072 x 16 x 128 x 2 x 80 x 2 B = 85.9 GB per GPU at any tp >= 8: never.
  CHECK(min_tp_that_fits(presets::llama_3_70b, {}, 32768, 64) == count(0));
  // With fp8 the cache halves: tp = 4 keeps 2 heads, 131,072 x 655,360 = 85.9 GB: no; tp = 8
  // fits 88 (above).
  CHECK(min_tp_that_fits(presets::llama_3_70b, {.kv_cache = dtype::fp8}, 32768, 64) == count(8));
  // Invalid sizes are skipped: Llama-2-7B's 32 heads never split 3 ways.
  CHECK(!tp_is_valid(presets::llama_2_7b, 3));
  CHECK_THROWS_WITH_AS((void)serve_memory_per_gpu(presets::llama_2_7b, {.tp = runtime(count(3))}),
                       doctest::Contains("tensor-parallel size 3 does not divide attention.n_heads = 32"),
                       invalid_argument);
}

// ---- time: hand-derived rooflines ---------------------------------------------------------
TEST_CASE("decode of Llama-2-7B at batch 1 is memory-bound: weights and the cache once") {
  // Every op reads more bytes than 1/295 of its FLOPs (H100: 989.4 TFLOP/s over 3.35 TB/s),
  // so the step is the bytes over the bandwidth: every weight but the embedding table (a
  // lookup reads one row) 13,476,831,232 - 262,144,000 = 13,214,687,232 B, the cache of 4096
  // tokens x 524,288 B = 2,147,483,648 B, plus a few MB of activations:
  //   >= 15,362,170,880 / 3.35e12 = 4.5857 ms.
  const serve_report r = serve(runtime(presets::llama_2_7b), {}, {.context = 4096});
  const double hand = 15'362'170'880.0 / 3.35e12;
  CHECK(r.decode.compute < r.decode.memory);
  CHECK(r.tpot.value() >= hand);
  CHECK(r.tpot.value() <= hand * 1.002);
  CHECK(r.decode.communication.value() == 0.0);
  CHECK(r.tokens_per_second == doctest::Approx(1.0 / r.tpot.value()));
}

TEST_CASE("MoE decode reads the experts a batch touches") {
  // Mixtral-8x7B at batch 1 touches top_k = 2 of 8 experts per layer: 8 (1 - (1 - 2/8)^1) = 2.
  // Bytes: the active parameters but the embedding table, 12,879,925,248 - 131,072,000
  // = 12,748,853,248 x 2 B = 25,497,706,496 B, plus 4096 tokens x 131,072 B of cache
  // = 536,870,912 B: 26,034,577,408 B / 3.35e12 B/s = 7.7715 ms (memory-bound).
  const serve_report r = serve(runtime(presets::mixtral_8x7b), {}, {.context = 4096});
  const double hand = 26'034'577'408.0 / 3.35e12;
  CHECK(r.tpot.value() >= hand);
  CHECK(r.tpot.value() <= hand * 1.002);
  // 256 sequences touch all 8 experts (8 (1 - 0.75^256) = 8 - 1e-31): all 46.7B weights.
  CHECK(detail::experts_touched(8, 2, 256) == doctest::Approx(8.0));
  CHECK(detail::experts_touched(8, 2, 1) == doctest::Approx(2.0));
  CHECK(detail::experts_touched(1, 1, 1000) == 1.0);
}

TEST_CASE("prefill of Llama-2-7B: the matmuls are compute-bound") {
  // 4096 tokens: 2 x 6,607,077,376 matmul weights x 4096 = 54,125,177,864,192 FLOPs, plus
  // causal attention counted exactly: 4 x d x 4096 x 4097 / 2 pairs x 32 layers
  // = 4,399,120,252,928; together 58,524,298,117,120 FLOPs / 989.4e12 = 59.151 ms. The
  // elementwise einsums (norms, the gating product) add < 0.01 % of FLOPs and their bytes.
  const serve_report r = serve(presets::llama_2_7b, {}, {.context = 4096});
  const double hand = 58'524'298'117'120.0 / 989.4e12;
  CHECK(r.prefill.compute.value() >= hand);
  CHECK(r.prefill.compute.value() <= hand * 1.0001);
  CHECK(r.ttft.value() >= hand);
  CHECK(r.ttft == r.prefill.total());
}

TEST_CASE("tensor-parallel all-reduces: 2 per layer and 1 for the embedding") {
  // Llama-3-70B on a DGX H100 at tp = 8, batch 1: 161 all-reduces of 8192 x 2 B. Each is two
  // ring passes of 7 steps (collectives.hpp's alpha-beta): 2 x (7 alpha + 7/8 x 16,384 / beta)
  // with alpha = 3 us and beta the NVLink's 450 GB/s times the system's link fraction.
  const serve_report r = serve(presets::llama_3_70b, h100x8_fp8, {.context = 1024});
  const auto& s = systems::dgx_h100;
  const double one = 2 * (7 * s.intra_latency + 7.0 / 8.0 * 16384.0 / (s.intra_bandwidth * s.efficiency.link_fraction));
  CHECK(r.decode.communication.value() == doctest::Approx(161 * one).epsilon(1e-12));
}

TEST_CASE("decode turns compute-bound near the hardware's critical intensity") {
  // A [B, d] x [d, f] matmul in bf16 moves 2 d f + 2 B (d + f) bytes for 2 B d f FLOPs; it is
  // compute-bound once 2 B d f / (2 d f + 2 B (d + f)) >= 989.4e12 / 3.35e12 = 295.34, i.e.
  // B >= 295.34 / (1 - 295.34 (d + f) / (d f)). Llama-2-7B's matmuls: the head (4096 x 32000)
  // at B = 321.5, gate/up/down (4096 x 11008) at 327.8, q/k/v/o (4096 x 4096) at 345.1; their
  // sum crosses between the least and the largest.
  const count b = decode_compute_bound_batch(presets::llama_2_7b, lower(presets::llama_2_7b), {}, 1);
  CHECK(b >= count(322));
  CHECK(b <= count(346));
}

// ---- speculative decoding (Leviathan et al. 2023) ------------------------------------------
// Eq. (1) with a = 0.8, k = 5: (1 - 0.8^6) / 0.2 = (1 - 0.262144) / 0.2 = 3.68928; with a
// draft at c = 0.05, Theorem 3.8: 3.68928 / (5 x 0.05 + 1) = 2.951424.
static_assert(speculative_expected_tokens(0.8, 5) > 3.68927999 && speculative_expected_tokens(0.8, 5) < 3.68928001);
static_assert(speculative_speedup(0.8, 5, 0.05) > 2.95142399 && speculative_speedup(0.8, 5, 0.05) < 2.95142401);
TEST_CASE("speculative decoding: the paper's closed forms and limits") {
  // a = 0: only the target's own token; a = 1: all k + 1.
  CHECK(speculative_expected_tokens(runtime(0.0), 7) == 1.0);
  CHECK(speculative_expected_tokens(runtime(1.0), 7) == 8.0);
  CHECK(speculative_speedup(0.0, 4, 0.1) == doctest::Approx(1.0 / 1.4));
  // k = 1: (1 + a) / (1 + c) (the paper's Corollary 3.9 bound), > 1 exactly when a > c.
  for (double a : {0.1, 0.3, 0.6, 0.9})
    for (double c : {0.05, 0.2, 0.5}) {
      CHECK(speculative_speedup(a, 1, c) == doctest::Approx((1 + a) / (1 + c)));
      CHECK((speculative_speedup(a, 1, c) > 1.0) == (a > c));
    }
  CHECK_THROWS_WITH_AS((void)speculative_expected_tokens(runtime(1.5), 4), doctest::Contains("acceptance = 1.5"),
                       invalid_argument);
  CHECK_THROWS_WITH_AS((void)speculative_expected_tokens(0.5, runtime(std::uint64_t{0})),
                       doctest::Contains("draft length = 0"), invalid_argument);
}

TEST_CASE("speculative decoding with a draft model: c from the two decode steps") {
  // The target as its own draft costs c = 1: the speedup is E / (k + 1) < 1.
  const serve_request req{.context = 2048, .draft = &presets::llama_3_8b, .draft_len = 4, .acceptance = 0.7};
  const serve_report same = serve(presets::llama_3_8b, {}, req);
  CHECK(same.speculative.cost_ratio == doctest::Approx(1.0));
  CHECK(same.speculative.speedup == doctest::Approx(speculative_expected_tokens(0.7, 4) / 5));
  // Llama-3-70B on 8 GPUs drafted by Llama-3-8B: the draft reads ~1/4 of the bytes per GPU
  // and the same 161 all-reduces... c is the ratio of the two roofline steps.
  serve_request r = req;
  r.draft = &presets::llama_3_8b;
  const serve_report big = serve(presets::llama_3_70b, h100x8_fp8, r);
  CHECK(big.speculative_on);
  CHECK(big.speculative.cost_ratio > 0.0);
  CHECK(big.speculative.cost_ratio < 1.0);
  CHECK(big.speculative.speedup ==
        doctest::Approx(speculative_speedup(0.7, 4, big.speculative.cost_ratio)));
  CHECK(big.speculative.speedup_roofline > 1.0);
}

TEST_CASE("bad options name the field and the limit") {
  CHECK_THROWS_WITH_AS((void)serve_memory_per_gpu(presets::llama_2_7b, {.gpu_memory_utilization = runtime(1.5)}),
                       doctest::Contains("gpu_memory_utilization = 1.5"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)serve_memory_per_gpu(presets::llama_2_7b, {.block_size = runtime(count(0))}),
                       doctest::Contains("block_size = 0"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)serve_memory_per_gpu(presets::llama_2_7b, {.pp = runtime(count(33))}),
                       doctest::Contains("pp = 33 exceeds n_layers = 32"), invalid_argument);
  CHECK_THROWS_WITH_AS((void)serve(presets::llama_2_7b, {}, {.context = runtime(count(0))}),
                       doctest::Contains("context = 0"), invalid_argument);
}

TEST_CASE("the step-time model's efficiencies as an option") {
  // At batch 1 every matmul of Llama-2-7B stays memory-bound under step_time.hpp's curve (1
  // FLOP per byte against peak x matmul_efficiency(1) / bandwidth x memory_fraction), so the
  // decode step is the roofline's bytes over memory_fraction x bandwidth.
  const auto& s = systems::dgx_h100;
  const serve_report roof = serve(presets::llama_2_7b, {}, {.context = 4096});
  const serve_report eff = serve(presets::llama_2_7b, {.efficiency = serve_efficiency::step_time_model}, {.context = 4096});
  CHECK(eff.tpot.value() == doctest::Approx(roof.tpot.value() / s.efficiency.memory_fraction).epsilon(1e-3));
  // A 4096-token prefill: the matmuls run at matmul_efficiency(4096) of peak at best.
  CHECK(eff.ttft.value() > roof.ttft.value() / s.efficiency.matmul_peak_fraction);
  CHECK(eff.compute_bound_batch == roof.compute_bound_batch);
  // A system without fitted efficiencies (a bare accelerator) cannot use them.
  const serve_options bare{.system = {.name = "b200", .gpu = accelerators::b200},
                           .efficiency = serve_efficiency::step_time_model};
  CHECK_THROWS_WITH_AS((void)serve(presets::llama_2_7b, runtime(bare), {}), doctest::Contains("no fitted efficiencies"),
                       invalid_argument);
}

// Model configs: run-time validation messages, and the lowering's structure.
#include <doctest/doctest.h>

#include <iterator>
#include <string>

#include <txmath/flops.hpp>

#include "support.hpp"

using namespace txmath;
using txmath_test::runtime;

namespace {
std::string message_of(const model_config& m) {
  try {
    (void)validate(m);
  } catch (const txmath::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("invalid configs fail at run time with a message naming the value") {
  volatile std::uint64_t six = 6;  // not constants
  auto m = presets::llama_2_7b;
  m.attention.n_kv_heads = six;
  CHECK(message_of(m) == "txmath: model config: attention.n_kv_heads = 6: must divide n_heads = 32");

  m = presets::mixtral_8x7b;
  m.moe.top_k = 9;
  CHECK(message_of(m) == "txmath: model config: moe.top_k = 9: exceeds moe.n_experts = 8");

  m = presets::gpt2_small;
  m.vocab = 0;
  CHECK(message_of(m) == "txmath: model config: vocab = 0: must be positive");

  m = presets::gpt2_small;
  m.attention.n_heads = 7;
  CHECK(message_of(m).find("d_model = 768: is not divisible by n_heads = 7") != std::string::npos);

  m = presets::gpt2_small;
  m.max_positions = 0;
  CHECK(message_of(m).find("max_positions") != std::string::npos);

  m = presets::deepseek_v3;
  m.moe.first_k_dense = 62;
  CHECK(message_of(m).find("moe.first_k_dense = 62: exceeds n_layers = 61") != std::string::npos);

  // An MoE model whose every layer is MoE needs no dense d_ff; one with a dense layer does.
  m = presets::qwen3_30b_a3b;
  m.ffn.d_ff = 0;
  CHECK(message_of(m).empty());
  m.moe.every_n = 2;
  CHECK(message_of(m) == "txmath: model config: ffn.d_ff = 0: must be positive");

  // Lowering and counting validate too.
  m = presets::llama_2_7b;
  m.d_model = 0;
  CHECK_THROWS_AS(param_count(m), txmath::invalid_argument);
  CHECK_THROWS_AS(flops_per_step(m, {.seq_len = 8}), txmath::invalid_argument);
}

TEST_CASE("layer structure: MoE layer pattern, sliding layers, head_dim") {
  // DeepSeek-V3: layers 3..60 are MoE; every_n 2 after 1 dense layer: 1, 3, 5, ...
  static_assert(presets::deepseek_v3.n_moe_layers() == 58);
  auto m = presets::deepseek_v2_lite;
  m.moe.every_n = 2;
  std::uint64_t brute = 0;
  for (std::uint64_t i = 0; i < m.n_layers; ++i) brute += m.is_moe_layer(i) ? 1 : 0;
  CHECK(m.n_moe_layers() == brute);
  CHECK(brute == 13);  // layers 1, 3, ..., 25
  // Gemma-2-9B: the window on layers 0, 2, ..., 40.
  static_assert(presets::gemma_2_9b.n_sliding_layers() == 21);
  static_assert(presets::gemma_7b.head_dim() == 256);
  static_assert(presets::gpt2_xl.head_dim() == 64);
}

TEST_CASE("validate bounds every field: each message names the field, the value and the limit") {
  constexpr std::uint64_t huge = ~std::uint64_t{0};  // 2^64 - 1
  // Issue 14's cases, which once passed: a period of 2^64 - 1 after 2 dense layers (the
  // closed form wrapped to 0 MoE layers while layer 2 was MoE), a window period of 2^64 - 1,
  // and max_positions + position_offset wrapping.
  auto m = presets::deepseek_v3;
  m.moe.every_n = huge;
  m.moe.first_k_dense = 2;
  CHECK(message_of(m) ==
        "txmath: model config: moe.every_n = 18446744073709551615: exceeds txmath's limit of 65536");
  m = presets::gemma_2_9b;
  m.attention.sliding_window_every = huge;
  CHECK(message_of(m) == "txmath: model config: attention.sliding_window_every = 18446744073709551615: "
                         "exceeds txmath's limit of 65536");
  m = presets::gpt2_small;
  m.max_positions = huge;
  m.position_offset = 2;
  CHECK(message_of(m) == "txmath: model config: max_positions = 18446744073709551615: "
                         "exceeds txmath's limit of 4294967296");
  // Every bounded field, one past its limit.
  struct field_case {
    const char* name;
    std::uint64_t limit;
    void (*set)(model_config&, std::uint64_t);
  };
  const field_case fields[] = {
      {"vocab", 1u << 24, [](model_config& c, std::uint64_t v) { c.vocab = v; }},
      {"d_model", 1u << 20, [](model_config& c, std::uint64_t v) { c.d_model = v; }},
      {"n_layers", 1u << 16, [](model_config& c, std::uint64_t v) { c.n_layers = v; }},
      {"attention.n_heads", 1u << 16, [](model_config& c, std::uint64_t v) { c.attention.n_heads = v; }},
      {"attention.n_kv_heads", 1u << 16, [](model_config& c, std::uint64_t v) { c.attention.n_kv_heads = v; }},
      {"attention.head_dim", 1u << 16, [](model_config& c, std::uint64_t v) { c.attention.head_dim = v; }},
      {"attention.sliding_window", std::uint64_t{1} << 32, [](model_config& c, std::uint64_t v) { c.attention.sliding_window = v; }},
      {"attention.q_lora_rank", 1u << 20, [](model_config& c, std::uint64_t v) { c.attention.q_lora_rank = v; }},
      {"attention.kv_lora_rank", 1u << 20, [](model_config& c, std::uint64_t v) { c.attention.kv_lora_rank = v; }},
      {"attention.qk_nope_head_dim", 1u << 16, [](model_config& c, std::uint64_t v) { c.attention.qk_nope_head_dim = v; }},
      {"attention.qk_rope_head_dim", 1u << 16, [](model_config& c, std::uint64_t v) { c.attention.qk_rope_head_dim = v; }},
      {"attention.v_head_dim", 1u << 16, [](model_config& c, std::uint64_t v) { c.attention.v_head_dim = v; }},
      {"ffn.d_ff", 1u << 20, [](model_config& c, std::uint64_t v) { c.ffn.d_ff = v; }},
      {"moe.n_experts", 1u << 16, [](model_config& c, std::uint64_t v) { c.moe.n_experts = v; }},
      {"moe.top_k", 1u << 16, [](model_config& c, std::uint64_t v) { c.moe.top_k = v; }},
      {"moe.d_ff_expert", 1u << 20, [](model_config& c, std::uint64_t v) { c.moe.d_ff_expert = v; }},
      {"moe.n_shared_experts", 1u << 16, [](model_config& c, std::uint64_t v) { c.moe.n_shared_experts = v; }},
      {"moe.d_ff_shared", 1u << 20, [](model_config& c, std::uint64_t v) { c.moe.d_ff_shared = v; }},
      {"moe.first_k_dense", 1u << 16, [](model_config& c, std::uint64_t v) { c.moe.first_k_dense = v; }},
      {"norms_per_layer", 16, [](model_config& c, std::uint64_t v) { c.norms_per_layer = v; }},
      {"position_offset", std::uint64_t{1} << 32, [](model_config& c, std::uint64_t v) { c.position_offset = v; }},
  };
  for (const auto& f : fields) {
    CAPTURE(f.name);
    auto c = runtime(presets::mixtral_8x7b);
    f.set(c, f.limit + 1);
    CHECK(message_of(c) == std::string("txmath: model config: ") + f.name + " = " + std::to_string(f.limit + 1) +
                               ": exceeds txmath's limit of " + std::to_string(f.limit));
  }
  // At the limits every derived count stays exact: 2^16 layers, every 2^16-th MoE after 2.
  m = presets::mixtral_8x7b;
  m.n_layers = 1u << 16;
  m.moe.first_k_dense = 2;
  m.moe.every_n = 1u << 16;
  m.ffn.d_ff = 1024;
  CHECK(message_of(m).empty());
  CHECK(m.n_moe_layers() == 1);
  CHECK(m.is_moe_layer(2));
  // Enums outside their enumerators, and per-layer lists naming a layer past n_layers.
  m = presets::llama_2_7b;
  m.ffn.kind = static_cast<ffn_kind>(runtime(std::uint8_t{7}));
  CHECK(message_of(m) == "txmath: model config: ffn.kind = 7: is not one of its enumerators (0..1)");
  m = presets::llama_2_7b;
  m.attention.sliding_window = 4096;
  m.attention.full_layers = layer_set::of({3, 32});
  CHECK(message_of(m) == "txmath: model config: attention.full_layers lists layer 32: beyond n_layers = 32 "
                         "(layers are 0..31)");
  CHECK_THROWS_WITH_AS(layer_set{}.insert(runtime(std::uint64_t{256})),
                       "txmath: layer_set: layer 256 is beyond its capacity of 256 layers (0..255)",
                       txmath::invalid_argument);
}

// Gemma 3 27B's shape (62 layers, 5 local : 1 global over 1024 tokens), as a template
// argument: a config with per-layer lists is still a structural type.
constexpr model_config gemma3_like{
    .vocab = 262208, .d_model = 5376, .n_layers = 62,
    .attention = {.n_heads = 32, .n_kv_heads = 16, .head_dim = 128, .qk_norm = qk_norm_kind::per_head,
                  .sliding_window = 1024, .full_layers = layer_set::every(6, 5, 62)},
    .ffn = {.d_ff = 21504}, .norms_per_layer = 4, .tied_embeddings = true};
static_assert(lowered<gemma3_like>.find("scores.window")->layers == 52);
static_assert(lowered<gemma3_like>.find("scores")->layers == 10);
static_assert(gemma3_like.n_sliding_layers() == 52 && !gemma3_like.is_sliding_layer(5) && gemma3_like.is_sliding_layer(6));

TEST_CASE("per-layer patterns: the counts agree with the per-layer accessors") {
  // Brute force over rules and exception lists: n_moe_layers() and n_sliding_layers() are the
  // layers is_moe_layer() and is_sliding_layer() accept.
  for (std::uint64_t layers : {1u, 7u, 26u, 64u, 65u, 300u})
    for (std::uint64_t every : {1u, 2u, 3u, 6u})
      for (std::uint64_t first : {0u, 1u, 3u}) {
        CAPTURE(layers); CAPTURE(every); CAPTURE(first);
        model_config m = presets::mixtral_8x7b;
        m.n_layers = layers;
        m.moe.first_k_dense = first < layers ? first : 0;
        m.moe.every_n = every;
        m.moe.dense_layers = layer_set::of({0, 4, 6, 63, 64, 255});
        m.attention.sliding_window = 128;
        m.attention.sliding_window_every = every;
        m.attention.full_layers = layer_set::every(5, 4, layers);
        std::uint64_t moe = 0, sliding = 0;
        for (std::uint64_t i = 0; i < layers; ++i) {
          moe += m.is_moe_layer(i) ? 1 : 0;
          sliding += m.is_sliding_layer(i) ? 1 : 0;
        }
        CHECK(m.n_moe_layers() == moe);
        CHECK(m.n_sliding_layers() == sliding);
      }
  // The lowering splits attention by the pattern and the FFN by the MoE layers.
  model_config m = presets::mixtral_8x7b;
  m.moe.dense_layers = layer_set::of({1, 2});
  m.ffn.d_ff = 14336;
  const auto ops = lower(runtime(m));
  CHECK(ops.find("experts.down_proj")->layers == 30);
  CHECK(ops.find("down_proj")->layers == 2);
}

TEST_CASE("the lowering names its einsums; the largest config fits the list") {
  constexpr auto ops = lower(presets::deepseek_v3);
  static_assert(ops.find("q_a_proj") != nullptr && ops.find("kv_b_proj") != nullptr);
  static_assert(ops.find("q_proj") == nullptr);  // V3 compresses q
  // kv_b_proj: kv_lora_rank x heads x (nope + v) = 512 x 128 x 256 weights.
  static_assert(ops.find("kv_b_proj")->weight_elements == 512 * 128 * 256);
  static_assert(ops.find("experts.down_proj")->copies == 256 && ops.find("experts.down_proj")->active == 8);
  // Every option on at once.
  model_config all = presets::gpt2_small;
  all.attention.n_kv_heads = 4;
  all.attention.qk_norm = qk_norm_kind::full;
  all.attention.sliding_window = 128;
  all.attention.sliding_window_every = 2;
  all.ffn.kind = ffn_kind::gated;
  all.moe = {.n_experts = 8, .top_k = 2, .d_ff_expert = 256, .n_shared_experts = 1, .router_bias = true,
             .shared_expert_gate = true, .first_k_dense = 1};
  all.tied_embeddings = false;
  all.lm_head_bias = true;
  const auto big = lower(all);
  CHECK(big.size() <= lowered_model::capacity);
  CHECK(big.find("shared.gate") != nullptr);
  CHECK(big.find("scores.window") != nullptr);
  CHECK(big.find("scores.window")->layers == 6);
  CHECK(big.find("scores")->layers == 6);
  // Its parameters, counted by hand: shared-expert gate d, router bias n_experts, per layer.
  const auto p = param_count(all);
  CHECK(p[component::router].value() == 11 * count(768 * 8 + 8));
  CHECK(p[component::shared_experts].value() == 11 * count(3 * 768 * 256 + 768));
  CHECK(p[component::head].value() == count(768) * 50257 + 50257);
}

TEST_CASE("ops added by hand are costed like the lowering's, and checked") {
  // A projection costed at unit size: b = t = 1, so 2 d f FLOPs and d f weights.
  constexpr auto one = [] {
    lowered_model m;
    layer_einsum op;
    op.name = "proj";
    op.spec = &einsum<"btd,df->btf">;
    op.dims[0] = {'d', 4096};
    op.dims[1] = {'f', 1024};
    op.n_dims = 2;
    op.weight = 1;
    m.add(op);
    return m;
  }();
  static_assert(one.size() == 1 && one[0].unit.flops.value() == 2 * 4096 * 1024);
  static_assert(one[0].weight_elements == 4096 * 1024);
  // The same op through cost() at real sizes agrees with the unit cost times the tokens.
  const auto c = cost(einsum<"btd,df->btf">, one[0].sizes(2, 8));
  CHECK(c.flops.value() == one[0].unit.flops.value() * 16);
  CHECK(c.backward_flops.value() == one[0].unit.backward_flops.value() * 16);
  // Iteration visits what was added (a forward range).
  std::size_t n = 0;
  for (const auto& op : one) n += op.name == "proj";
  CHECK(n == 1);
  static_assert(std::forward_iterator<lowered_model::iterator>);
  CHECK(std::distance(one.begin(), one.end()) == 1);

  lowered_model m;
  layer_einsum op;
  op.name = "proj";
  op.spec = &einsum<"btd,df->btf">;
  op.dims[0] = {'d', 4096};
  op.n_dims = 1;  // no size for f
  try {
    m.add(op);
    FAIL("expected an error");
  } catch (const txmath::invalid_argument& e) {
    CHECK(std::string(e.what()) == "txmath: op 'proj' (btd,df->btf): no size given for index 'f'");
  }
  op.dims[1] = {'f', 8};
  op.n_dims = 2;
  op.weight = 2;  // the spec has operands 0 and 1
  CHECK_THROWS_WITH_AS(m.add(op), "txmath: op 'proj' (btd,df->btf) has no operand 2", txmath::invalid_argument);
  op.weight = 1;
  op.n_dims = 9;
  CHECK_THROWS_WITH_AS(m.add(op), "txmath: op 'proj' needs a spec and at most 8 dims, has n_dims = 9",
                       txmath::invalid_argument);
  op.n_dims = 2;
  for (std::size_t i = 0; i < lowered_model::capacity; ++i) m.add(op);
  CHECK(m.size() == lowered_model::capacity);
  CHECK_THROWS_WITH_AS(m.add(op), "txmath: a lowered model holds at most 64 einsums", txmath::invalid_argument);
}

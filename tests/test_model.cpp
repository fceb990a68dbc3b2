// Model configs: run-time validation messages, and the lowering's structure.
#include <doctest/doctest.h>

#include <iterator>
#include <string>

#include <txmath/flops.hpp>

using namespace txmath;

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

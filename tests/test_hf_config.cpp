// The Hugging Face config.json loader: real configs of every family load to the published
// exact parameter counts; transformers' defaults apply to absent fields; bad files fail with
// a message naming the file, the position and the field.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include <txmath/hf_config.hpp>
#include <txmath/json.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>

namespace {

std::string reference_file(std::string_view file) { return std::string(TXMATH_REFERENCE_DIR) + "/" + std::string(file); }
std::string shipped(std::string_view file) {
  return std::string(TXMATH_SOURCE_DIR) + "/examples/configs/" + std::string(file);
}

txmath::count total_of(const txmath::hf_config& c) { return txmath::param_count(c.model).total.value(); }

// The message of the error that loading `text` raises ("" when it loads).
std::string error_of(std::string_view text) {
  try {
    (void)txmath::parse_hf_config(text, "cfg.json");
  } catch (const txmath::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every model of models.json: config.json -> exact published parameter count") {
  // tests/reference/configs/<name>.json are written from models.json (make_configs.py), in
  // each family's own key names; the totals are the checkpoints' sum(p.numel()).
  const auto doc = txmath::json::parse_file(reference_file("models.json"));
  int n = 0;
  for (const auto& m : doc.at("models").elements()) {
    const std::string name = m.at("name").as_string();
    CAPTURE(name);
    const auto c = txmath::load_hf_config(reference_file("configs/" + name + ".json"));
    const auto& fields = m.at("config");
    CHECK(c.model.vocab == fields.at("vocab_size").as_uint64());
    CHECK(c.model.d_model == fields.at("hidden_size").as_uint64());
    CHECK(c.model.n_layers == fields.at("num_hidden_layers").as_uint64());
    CHECK(c.model.attention.n_heads == fields.at("num_attention_heads").as_uint64());
    CHECK(c.model.tied_embeddings == fields.at("tie_word_embeddings").as_bool());
    const auto p = txmath::param_count(c.model);
    CHECK(p.total.value() == m.at("exact_params").as_count());
    if (auto a = m.find("active_params")) {
      CHECK(p.active.value() == a->at("torch_active_incl_embeddings").as_count());
      CHECK(p.active_excluding_input_embedding().value() == a->at("torch_active_excl_input_embedding").as_count());
    }
    // The preset of the same name describes the same model, component by component.
    if (const auto* preset = txmath::find_preset(name)) {
      const auto q = txmath::param_count(*preset);
      for (std::size_t k = 0; k < txmath::n_components; ++k) CHECK(p.by_component[k] == q.by_component[k]);
    }
    ++n;
  }
  CHECK(n == 15);
}

TEST_CASE("shipped real config.json files of the other families") {
  // Published figures: exact where the model is in models.json, else the rounded numbers of
  // the model cards and reports (cited in examples/configs/README.md).
  CHECK(total_of(txmath::load_hf_config(shipped("llama-3-8b.json"))) == txmath::count(8'030'261'248));
  CHECK(total_of(txmath::load_hf_config(shipped("gpt2.json"))) == txmath::count(124'439'808));
  CHECK(total_of(txmath::load_hf_config(shipped("mixtral-8x7b.json"))) == txmath::count(46'702'792'704));
  CHECK(total_of(txmath::load_hf_config(shipped("qwen3-30b-a3b.json"))) == txmath::count(30'532'122'624));
  CHECK(total_of(txmath::load_hf_config(shipped("deepseek-v2-lite.json"))) == txmath::count(15'706'484'224));

  auto billions = [](txmath::params p) { return p.value().to_double() / 1e9; };
  {  // DeepSeek-V3 technical report: "671B total parameters with 37B activated for each token"
    const auto c = txmath::load_hf_config(shipped("deepseek-v3.json"));
    const auto p = txmath::param_count(c.model);
    CHECK(billions(p.total) == doctest::Approx(671).epsilon(0.0008));
    CHECK(billions(p.active_excluding_input_embedding()) == doctest::Approx(37).epsilon(0.014));
    CHECK(c.notes.size() >= 1);  // the MTP layer left out
  }
  // Qwen1.5-MoE-A2.7B model card: 14.3B parameters.
  CHECK(billions(txmath::param_count(txmath::load_hf_config(shipped("qwen1.5-moe-a2.7b.json")).model).total) ==
        doctest::Approx(14.3).epsilon(0.0035));
  {  // Qwen3-0.6B model card: 0.6B, 0.44B non-embedding (tied: the table counts once).
    const auto p = txmath::param_count(txmath::load_hf_config(shipped("qwen3-0.6b.json")).model);
    CHECK(billions(p.total) == doctest::Approx(0.6).epsilon(0.01));
    CHECK(billions(p.non_embedding()) == doctest::Approx(0.44).epsilon(0.011));
  }
  // Phi-3 report: phi-3-mini is "a 3.8 billion parameter language model".
  CHECK(billions(txmath::param_count(txmath::load_hf_config(shipped("phi-3-mini-4k-instruct.json")).model).total) ==
        doctest::Approx(3.8).epsilon(0.006));
  // Gemma 2 2B: "2.6B" (model card); OLMo-2-1124-7B: "7B"-class, 7.3B.
  CHECK(billions(txmath::param_count(txmath::load_hf_config(shipped("gemma-2-2b.json")).model).total) ==
        doctest::Approx(2.6).epsilon(0.006));
  {  // Falcon-7B: the module shapes transformers prints for FalconForCausalLM (word_embeddings
     // 65024 x 4544; per layer query_key_value 4544 -> 4672, dense 4544 -> 4544,
     // dense_h_to_4h 4544 -> 18176, dense_4h_to_h 18176 -> 4544, all without bias, one
     // LayerNorm(4544); ln_f; lm_head tied), summed here by hand.
    const txmath::count layer = txmath::count(4544) * 4672 + txmath::count(4544) * 4544 +
                                txmath::count(2) * 4544 * 18176 + txmath::count(2) * 4544;
    const txmath::count printed = txmath::count(65024) * 4544 + txmath::count(32) * layer + txmath::count(2) * 4544;
    CHECK(total_of(txmath::load_hf_config(shipped("falcon-7b.json"))) == printed);
    CHECK(printed == txmath::count(6'921'720'704));
  }
}

TEST_CASE("transformers' defaults for absent fields") {
  const std::string gpt2 =
      R"({"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12,"n_positions":1024)";
  const auto tied = txmath::parse_hf_config(gpt2 + "}");
  CHECK(tied.model.tied_embeddings);  // GPT2Config: tie_word_embeddings absent = true
  CHECK(tied.model.ffn.d_ff == 4 * 768);  // n_inner absent (or null) = 4 * n_embd
  CHECK(total_of(tied) == txmath::count(124'439'808));
  // Untied: the lm_head adds one more vocab x d matrix.
  const auto untied = txmath::parse_hf_config(gpt2 + R"(,"tie_word_embeddings":false})");
  CHECK(total_of(untied) == total_of(tied) + txmath::count(50257) * 768);
  // Aliases (attribute_map): hidden_size is n_embd.
  CHECK(total_of(txmath::parse_hf_config(
            R"({"model_type":"gpt2","vocab_size":50257,"hidden_size":768,"num_hidden_layers":12,)"
            R"("num_attention_heads":12,"max_position_embeddings":1024})")) == txmath::count(124'439'808));

  const std::string llama = R"({"model_type":"llama","vocab_size":32000,"hidden_size":4096,)"
                            R"("num_hidden_layers":32,"num_attention_heads":32,"intermediate_size":11008)";
  const auto l = txmath::parse_hf_config(llama + "}");
  CHECK_FALSE(l.model.tied_embeddings);  // LlamaConfig: false
  CHECK(l.model.kv_heads() == 32);       // num_key_value_heads null = num_attention_heads
  CHECK(total_of(l) == txmath::count(6'738'415'616));
  // attention_bias adds q, k, v and o biases: 4 * d per layer.
  CHECK(total_of(txmath::parse_hf_config(llama + R"(,"attention_bias":true})")) ==
        total_of(l) + txmath::count(32) * 4 * 4096);
  // null means "the default" too.
  CHECK(total_of(txmath::parse_hf_config(llama + R"(,"num_key_value_heads":null,"head_dim":null})")) == total_of(l));

  // Gemma: tie absent = true, head_dim absent = 256.
  const auto g = txmath::parse_hf_config(
      R"({"model_type":"gemma","vocab_size":256000,"hidden_size":3072,"num_hidden_layers":28,)"
      R"("num_attention_heads":16,"num_key_value_heads":16,"intermediate_size":24576})");
  CHECK(g.model.tied_embeddings);
  CHECK(g.model.head_dim() == 256);
  CHECK(total_of(g) == txmath::count(8'537'680'896));
  // Gemma-2: four norms per layer and a window on every other layer.
  const auto g2 = txmath::load_hf_config(shipped("gemma-2-2b.json"));
  CHECK(g2.model.norms_per_layer == 4);
  CHECK(g2.model.attention.sliding_window == 4096);
  CHECK(g2.model.n_sliding_layers() == 13);

  // Mistral: sliding_window absent = 4096 on every layer; Mixtral: none.
  CHECK(txmath::load_hf_config(reference_file("configs/mistral-7b-v0.1.json")).model.attention.sliding_window == 4096);
  CHECK(txmath::load_hf_config(reference_file("configs/mixtral-8x7b.json")).model.attention.sliding_window == 0);

  // Falcon: multi_query, parallel_attn and bias defaults (true, true, false); one kv head.
  const auto f = txmath::parse_hf_config(
      R"({"model_type":"falcon","vocab_size":65024,"hidden_size":4544,"num_hidden_layers":32,)"
      R"("num_attention_heads":71})");
  CHECK(f.model.kv_heads() == 1);
  CHECK(f.model.norms_per_layer == 1);
  CHECK(f.model.tied_embeddings);
  CHECK(total_of(f) == txmath::count(6'921'720'704));
  // The legacy RefinedWebModel spelling, with its n_head / n_layer keys.
  CHECK(total_of(txmath::parse_hf_config(
            R"({"model_type":"RefinedWebModel","vocab_size":65024,"hidden_size":4544,"n_layer":32,)"
            R"("n_head":71,"parallel_attn":true})")) == txmath::count(6'921'720'704));
  // Falcon-40B style: the new decoder architecture, 8 kv groups, two LayerNorms per layer.
  const auto f40 = txmath::parse_hf_config(
      R"({"model_type":"falcon","vocab_size":65024,"hidden_size":8192,"num_hidden_layers":60,)"
      R"("num_attention_heads":128,"num_kv_heads":8,"new_decoder_architecture":true})");
  CHECK(f40.model.kv_heads() == 8);
  CHECK(f40.model.norms_per_layer == 2);

  // No model_type: the architecture names the family.
  CHECK(txmath::parse_hf_config(R"({"architectures":["LlamaForCausalLM"],"vocab_size":32000,"hidden_size":4096,)"
                                R"("num_hidden_layers":32,"num_attention_heads":32,"intermediate_size":11008})")
            .model_type == "llama");

  // Qwen2-MoE's decoder_sparse_step 2: layers 1, 3, 5, ... are sparse.
  const auto q = txmath::parse_hf_config(
      R"({"model_type":"qwen2_moe","vocab_size":151936,"hidden_size":2048,"num_hidden_layers":24,)"
      R"("num_attention_heads":16,"num_key_value_heads":16,"intermediate_size":5632,"num_experts":60,)"
      R"("num_experts_per_tok":4,"moe_intermediate_size":1408,"shared_expert_intermediate_size":5632,)"
      R"("decoder_sparse_step":2})");
  CHECK_FALSE(q.model.is_moe_layer(0));
  CHECK(q.model.is_moe_layer(1));
  CHECK_FALSE(q.model.is_moe_layer(2));
  CHECK(q.model.n_moe_layers() == 12);
  // Qwen3-MoE's mlp_only_layers [0, 1]: the first two layers dense.
  const auto q3 = txmath::parse_hf_config(
      R"({"model_type":"qwen3_moe","vocab_size":151936,"hidden_size":2048,"num_hidden_layers":48,)"
      R"("num_attention_heads":32,"num_key_value_heads":4,"head_dim":128,"intermediate_size":6144,)"
      R"("num_experts":128,"num_experts_per_tok":8,"moe_intermediate_size":768,"mlp_only_layers":[1,0]})");
  CHECK(q3.model.n_moe_layers() == 46);
  // Any list of dense layers, not only a prefix: layers 1 and 3 of 4 dense.
  const auto q3b = txmath::parse_hf_config(
      R"({"model_type":"qwen3_moe","vocab_size":151936,"hidden_size":2048,"num_hidden_layers":4,)"
      R"("num_attention_heads":32,"num_key_value_heads":4,"intermediate_size":6144,"num_experts":128,)"
      R"("num_experts_per_tok":8,"moe_intermediate_size":768,"mlp_only_layers":[1,3]})");
  for (std::uint64_t i = 0; i < 4; ++i) CHECK(q3b.model.is_moe_layer(i) == (i % 2 == 0));
  CHECK(q3b.model.n_moe_layers() == 2);
  // Qwen's sliding window from max_window_layers on (transformers: layer i slides when
  // i >= max_window_layers): 28 layers, window from layer 21: 7 windowed layers.
  const auto qw = txmath::parse_hf_config(
      R"({"model_type":"qwen2","vocab_size":151936,"hidden_size":3584,"num_hidden_layers":28,)"
      R"("num_attention_heads":28,"num_key_value_heads":4,"intermediate_size":18944,)"
      R"("use_sliding_window":true,"sliding_window":4096,"max_window_layers":21})");
  CHECK(qw.model.n_sliding_layers() == 7);
  CHECK_FALSE(qw.model.is_sliding_layer(20));
  CHECK(qw.model.window_of(21) == 4096);
  // DeepSeek moe_layer_freq 2 after first_k_dense_replace 1: layers 2, 4, ... are MoE.
  const auto ds = txmath::parse_hf_config(
      R"({"model_type":"deepseek_v2","vocab_size":102400,"hidden_size":2048,"num_hidden_layers":8,)"
      R"("num_attention_heads":16,"intermediate_size":10944,"q_lora_rank":null,"kv_lora_rank":512,)"
      R"("qk_nope_head_dim":128,"qk_rope_head_dim":64,"v_head_dim":128,"n_routed_experts":64,)"
      R"("n_shared_experts":2,"num_experts_per_tok":6,"moe_intermediate_size":1408,)"
      R"("first_k_dense_replace":1,"moe_layer_freq":2})");
  for (std::uint64_t i = 0; i < 8; ++i) CHECK(ds.model.is_moe_layer(i) == (i >= 1 && i % 2 == 0));
}

TEST_CASE("bad config.json files: errors name the file, the position and the field") {
  struct bad {
    const char* text;
    const char* expected;  // a substring of the message
  };
  const std::string llama_head = R"({"model_type":"llama","vocab_size":32000,"hidden_size":4096,)"
                                 R"("num_hidden_layers":32,"intermediate_size":11008,)";
  const bad cases[] = {
      {R"({"model_type":"bert","vocab_size":30522})", "cfg.json:1:15: model_type: unsupported model type \"bert\""},
      {R"({"vocab_size":1})", "cfg.json:1:1: (top level): missing field \"model_type\""},
      {R"({"architectures":["BertModel"]})", "architectures[0]: unsupported architecture \"BertModel\""},
      {R"({"architectures":[]})", "architectures: expected a non-empty array"},
      {R"([1,2])", "expected a config.json object, found an array of 2 elements"},
      {R"({"model_type":7})", "model_type: expected a string, found the number 7"},
      {R"({"model_type":"llama","hidden_size":4096})", "missing field \"vocab_size\""},
      {R"({"model_type":"gpt2","vocab_size":50257,"n_layer":12,"n_head":12,"n_positions":1024})",
       "missing field \"n_embd\" or \"hidden_size\" (the model width d_model); a gpt2 config.json must give it"},
      {R"({"model_type":"llama","vocab_size":"32000"})", "vocab_size: expected a positive integer, found the string \"32000\""},
      {R"({"model_type":"llama","vocab_size":0})", "vocab_size: must be at least 1, found 0"},
      {R"({"model_type":"llama","vocab_size":-5})", "vocab_size: must be positive, found -5"},
      {R"({"model_type":"llama","vocab_size":1.5})", "vocab_size: expected a positive integer, found the number 1.5"},
      {R"({"model_type":"llama","vocab_size":1e30})", "vocab_size: must be at most 16777216"},
      {R"({"model_type":"llama","vocab_size":true})", "vocab_size: expected a positive integer, found the boolean true"},
      {R"({"model_type":"gpt2","vocab_size":50257,"n_embd":768,"hidden_size":1024})",
       "hidden_size: conflicts with n_embd = 768"},
      {R"({"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":7,"n_positions":1024})",
       "n_head: 7 does not divide n_embd = 768"},
      {R"({"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12,"n_positions":1024,)"
       R"("add_cross_attention":true})", "add_cross_attention: cross-attention"},
      {R"({"model_type":"gpt_neox","vocab_size":50304,"hidden_size":768,"num_hidden_layers":12,)"
       R"("num_attention_heads":12,"intermediate_size":3072,"rotary_pct":2})", "rotary_pct: must be between 0 and 1"},
      {R"({"model_type":"opt","vocab_size":50272,"hidden_size":1024,"num_hidden_layers":24,"num_attention_heads":16,)"
       R"("ffn_dim":4096,"max_position_embeddings":2048,"word_embed_proj_dim":512})",
       "word_embed_proj_dim: 512 differs from hidden_size = 1024"},
      {R"({"model_type":"falcon","vocab_size":65024,"hidden_size":8192,"num_hidden_layers":60,)"
       R"("num_attention_heads":128,"num_kv_heads":7,"new_decoder_architecture":true})",
       "num_kv_heads: 7 does not divide num_attention_heads = 128"},
      {R"({"model_type":"mixtral","vocab_size":32000,"hidden_size":4096,"num_hidden_layers":32,)"
       R"("num_attention_heads":32,"intermediate_size":14336,"num_local_experts":8,"num_experts_per_tok":9})",
       "num_experts_per_tok: 9 exceeds the number of experts, 8"},
      {R"({"model_type":"qwen3_moe","vocab_size":151936,"hidden_size":2048,"num_hidden_layers":300,)"
       R"("num_attention_heads":32,"num_key_value_heads":4,"intermediate_size":6144,"num_experts":128,)"
       R"("num_experts_per_tok":8,"moe_intermediate_size":768,"mlp_only_layers":[1,299]})",
       "mlp_only_layers[1]: txmath lists dense layers only below layer 256"},
      {R"({"model_type":"llama","vocab_size":32000,"hidden_size":1606938044258990275541962092341162602522202993782792835301376,)"
       R"("num_hidden_layers":32,"num_attention_heads":32,"intermediate_size":11008})",
       "hidden_size: out of range: must be at most 1048576 (txmath's limit for this field), found "
       "1606938044258990275541962092341162602522202993782792835301376"},
      {R"({"model_type":"gemma3","vocab_size":100})", "missing field \"text_config\""},
      {R"({"model_type":"gpt_oss","vocab_size":100,"hidden_size":64,"num_hidden_layers":3,"num_attention_heads":8,)"
       R"("intermediate_size":64,"num_local_experts":4,"num_experts_per_tok":2,)"
       R"("layer_types":["sliding_attention","full_attention"]})",
       "layer_types: has 2 entries; num_hidden_layers = 3"},
      {R"({"model_type":"gpt_oss","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,)"
       R"("intermediate_size":64,"num_local_experts":4,"num_experts_per_tok":2,)"
       R"("layer_types":["sliding_attention","local"]})",
       "layer_types[1]: unknown attention type \"local\""},
      {R"({"model_type":"llama4_text","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,)"
       R"("intermediate_size":64,"num_local_experts":4,"num_experts_per_tok":1,"no_rope_layers":[1,2]})",
       "no_rope_layers[1]: expected 0 (NoPE) or 1 (RoPE), found the number 2"},
      {R"({"model_type":"qwen3_moe","vocab_size":151936,"hidden_size":2048,"num_hidden_layers":4,)"
       R"("num_attention_heads":32,"num_key_value_heads":4,"intermediate_size":6144,"num_experts":128,)"
       R"("num_experts_per_tok":8,"moe_intermediate_size":768,"mlp_only_layers":[9]})",
       "mlp_only_layers[0]: layer index 9 is out of range: the model has 4 layers"},
      {R"({"model_type":"deepseek_v3","vocab_size":129280,"hidden_size":7168,"num_hidden_layers":61,)"
       R"("num_attention_heads":128,"kv_lora_rank":512})", "missing field \"q_lora_rank\""},
      {R"({"model_type":"deepseek_v3","vocab_size":129280,"hidden_size":7168,"num_hidden_layers":61,)"
       R"("num_attention_heads":128,"q_lora_rank":1536,"kv_lora_rank":512,"qk_nope_head_dim":128,)"
       R"("qk_rope_head_dim":64,"v_head_dim":128,"intermediate_size":18432,"n_routed_experts":256,)"
       R"("num_experts_per_tok":8,"moe_intermediate_size":2048,"n_shared_experts":1,"first_k_dense_replace":99})",
       "first_k_dense_replace: 99 exceeds num_hidden_layers = 61"},
      {R"({"model_type":"deepseek_v3","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,)"
       R"("num_attention_heads":4,"intermediate_size":256,"q_lora_rank":16,"kv_lora_rank":16,"qk_nope_head_dim":8,)"
       R"("qk_rope_head_dim":8,"v_head_dim":8,"n_routed_experts":8,"num_experts_per_tok":2,)"
       R"("moe_intermediate_size":32,"n_shared_experts":1})",
       "(top level): first_k_dense_replace (absent: the deepseek_v3 default): 3 exceeds num_hidden_layers = 2"},
  };
  for (const auto& c : cases) {
    const std::string text = c.text;
    const std::string msg = error_of(text);
    CAPTURE(text);
    CAPTURE(msg);
    CHECK(msg.rfind("txmath: cfg.json:", 0) == 0);
    CHECK(msg.find(c.expected) != std::string::npos);
  }
  // Field checks of the Llama family: heads that do not divide, kv heads that do not divide.
  CHECK(error_of(llama_head + R"("num_attention_heads":48})").find(
            "num_attention_heads: 48 does not divide hidden_size = 4096; give head_dim") != std::string::npos);
  CHECK(error_of(llama_head + R"("num_attention_heads":32,"num_key_value_heads":5})")
            .find("cfg.json:1:157: num_key_value_heads: 5 does not divide num_attention_heads = 32") !=
        std::string::npos);
  // A family default that does not fit the file (GemmaConfig's 16 kv heads, 8 heads here).
  CHECK(error_of(R"({"model_type":"gemma","vocab_size":256000,"hidden_size":2048,"num_hidden_layers":18,)"
                 R"("num_attention_heads":8,"intermediate_size":16384})")
            .find("(absent, so the family default 16 does not divide num_attention_heads = 8)") != std::string::npos);
  // JSON syntax errors and unreadable files come from the reader, with the same prefix.
  CHECK(error_of(R"({"model_type":"llama",})").rfind("txmath: cfg.json:1:23:", 0) == 0);
  CHECK_THROWS_WITH_AS(txmath::load_hf_config("/nonexistent/config.json"),
                       doctest::Contains("txmath: cannot open /nonexistent/config.json"), txmath::invalid_argument);
}

TEST_CASE("every supported model_type loads a minimal config") {
  // Each family's required fields, nothing else: the loader asks for exactly these.
  const char* minimal[] = {
      R"({"model_type":"gpt2","vocab_size":100,"n_embd":64,"n_layer":2,"n_head":4,"n_positions":32})",
      R"({"model_type":"gptj","vocab_size":100,"n_embd":64,"n_layer":2,"n_head":4})",
      R"({"model_type":"gpt_neox","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":256})",
      R"({"model_type":"opt","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"ffn_dim":256,"max_position_embeddings":32})",
      R"({"model_type":"llama","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":256})",
      R"({"model_type":"mistral","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,"intermediate_size":256})",
      R"({"model_type":"mixtral","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,"intermediate_size":256,"num_local_experts":4,"num_experts_per_tok":2})",
      R"({"model_type":"qwen2","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":32,"intermediate_size":256})",
      R"({"model_type":"qwen2_moe","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":16,"intermediate_size":256,"num_experts":4,"num_experts_per_tok":2,"moe_intermediate_size":32,"shared_expert_intermediate_size":0})",
      R"({"model_type":"qwen3","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":32,"intermediate_size":256})",
      R"({"model_type":"qwen3_moe","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"num_experts":4,"num_experts_per_tok":2,"moe_intermediate_size":32})",
      R"({"model_type":"gemma","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":16,"intermediate_size":256})",
      R"({"model_type":"gemma2","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,"intermediate_size":256})",
      R"({"model_type":"phi3","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":256})",
      R"({"model_type":"falcon","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4})",
      R"({"model_type":"olmo2","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":256})",
      R"({"model_type":"deepseek_v2","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":256,"q_lora_rank":null,"kv_lora_rank":16,"qk_nope_head_dim":8,"qk_rope_head_dim":8,"v_head_dim":8})",
      R"({"model_type":"deepseek_v3","vocab_size":100,"hidden_size":64,"num_hidden_layers":4,"num_attention_heads":4,"intermediate_size":256,"q_lora_rank":16,"kv_lora_rank":16,"qk_nope_head_dim":8,"qk_rope_head_dim":8,"v_head_dim":8,"n_routed_experts":8,"num_experts_per_tok":2,"moe_intermediate_size":32,"n_shared_experts":1})",
      R"({"model_type":"gemma3","text_config":{"hidden_size":64,"num_hidden_layers":2,"intermediate_size":256}})",
      R"({"model_type":"gemma3_text","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"intermediate_size":256})",
      R"({"model_type":"llama4","text_config":{"vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,"intermediate_size":32,"num_local_experts":4,"num_experts_per_tok":1}})",
      R"({"model_type":"llama4_text","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,"intermediate_size":32,"num_local_experts":4,"num_experts_per_tok":1})",
      R"({"model_type":"gpt_oss","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,"intermediate_size":64,"num_local_experts":4,"num_experts_per_tok":2})",
      R"({"model_type":"kimi_k2","vocab_size":100,"hidden_size":64,"num_hidden_layers":4,"num_attention_heads":4,"intermediate_size":256,"q_lora_rank":16,"kv_lora_rank":16,"qk_nope_head_dim":8,"qk_rope_head_dim":8,"v_head_dim":8,"n_routed_experts":8,"num_experts_per_tok":2,"moe_intermediate_size":32,"n_shared_experts":1})",
  };
  CHECK(std::size(minimal) == std::size(txmath::hf_model_types));
  for (std::size_t i = 0; i < std::size(minimal); ++i) {
    const std::string text = minimal[i];
    CAPTURE(text);
    const auto c = txmath::parse_hf_config(minimal[i]);
    CHECK(c.model_type == txmath::hf_model_types[i]);
    CHECK(txmath::param_count(c.model).total > txmath::params(0));
  }
}

#pragma once
// Hugging Face config.json -> txmath::model_config.
//
//   txmath::hf_config c = txmath::load_hf_config("Meta-Llama-3-8B/config.json");
//   c.model          // the model_config (validated)
//   c.model_type     // "llama"
//   c.max_context    // max_position_embeddings, 0 when the file does not say
//   c.notes          // conventions applied that a reader should know about
//
// Families (dispatched on `model_type`, or on `architectures[0]` when model_type is absent;
// one table, detail::hf::families, lists them): gpt2, gptj, gpt_neox, opt, llama, mistral,
// mixtral, qwen2, qwen2_moe, qwen3, qwen3_moe, gemma, gemma2, phi3, falcon (also the legacy
// RefinedWeb/RefinedWebModel), olmo2, deepseek_v2, deepseek_v3, gemma3 and gemma3_text,
// llama4 and llama4_text, gpt_oss, kimi_k2 (DeepSeek-V3's architecture). gemma3 and llama4
// are multimodal files: the language model under text_config is read, the vision tower is not
// counted. Per-layer lists (layer_types, no_rope_layers, moe_layers, mlp_only_layers) become
// the config's per-layer pattern (model.hpp).
//
// Which fields are required and which get defaults (the rule, stated once):
// - Required: the widths and counts every checkpoint states: vocab_size, the hidden size,
//   the layer count, the head count, the FFN width (where the family has no rule for it),
//   expert counts and widths, and DeepSeek's MLA ranks and head dims. transformers would
//   fill these from one particular checkpoint's shape, which would silently describe a
//   different model; txmath asks for them instead.
// - Defaulted exactly as transformers' configuration_<family>.py / modeling code does: kv
//   heads, head_dim, biases, tie_word_embeddings (true for gpt2, opt, gemma, gemma2,
//   falcon; false for the others), norm placement, GPT-2/GPT-J n_inner (null = 4 *
//   n_embd), Falcon ffn_hidden_size (null = 4 * hidden_size), sliding windows,
//   first_k_dense_replace, moe_layer_freq, decoder_sparse_step, mlp_only_layers.
// - A field given as null means "use the default" (as in transformers), except where null
//   has its own meaning (DeepSeek q_lora_rank: null = a plain q projection).
// Alias keys are accepted as transformers' attribute_map does (n_embd = hidden_size, ...);
// two aliases with different values are an error.
//
// Errors are txmath::invalid_argument naming the file, the line and column and the field:
//   txmath: config.json:5:28: num_key_value_heads: 5 does not divide num_attention_heads = 32
// Unknown model types, missing fields, wrong JSON types, zero or absurd sizes (beyond the
// limits below), fractions out of [0, 1], and shapes txmath cannot represent all fail; the
// loader never returns a config that model_config's validate() rejects.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <txmath/detail/hf_reader.hpp>
#include <txmath/json.hpp>
#include <txmath/model.hpp>

namespace txmath {

// What a config.json describes.
struct hf_config {
  model_config model{};
  std::string model_type;         // the family it was read as: "llama", "falcon", ...
  std::string name;               // "_name_or_path" when the file has one, else empty
  std::uint64_t max_context = 0;  // max_position_embeddings / n_positions; 0: not stated
  std::vector<std::string> notes; // conventions applied (MTP layers left out, ...)
};

// Limits on sizes read from a file: model_config's own bounds (model.hpp), so that a file
// never yields a config validate() rejects for its size.
namespace hf_limits {
inline constexpr std::uint64_t max_vocab = model_limits::max_vocab;
inline constexpr std::uint64_t max_width = model_limits::max_width;
inline constexpr std::uint64_t max_layers = model_limits::max_layers;
inline constexpr std::uint64_t max_heads = model_limits::max_heads;
inline constexpr std::uint64_t max_head_dim = model_limits::max_head_dim;
inline constexpr std::uint64_t max_experts = model_limits::max_experts;
inline constexpr std::uint64_t max_positions = model_limits::max_positions;
}  // namespace hf_limits

namespace detail::hf {

using ::txmath::json::value;

// A family whose text model sits under "text_config" (a multimodal checkpoint): the reader of
// that object. The vision tower and projector are not counted.
inline reader text_config_of(const reader& r, hf_config& out, std::string_view family) {
  auto t = r.find({"text_config"});
  if (!t) r.missing({"text_config"}, "the language model of a multimodal checkpoint");
  if (!t->is_object()) t->fail("expected an object, found " + t->describe());
  reader text(*t);
  text.set_family(std::string(family));
  out.notes.push_back("the language model under text_config only: the vision encoder and projector are not counted");
  return text;
}

// ---- one function per family ---------------------------------------------------------------

inline void load_gpt2(const reader& r, hf_config& out) {
  using namespace hf_limits;
  model_config& m = out.model;
  m.vocab = r.size({"vocab_size"}, "the vocabulary size", max_vocab);
  m.d_model = r.size({"n_embd", "hidden_size"}, "the model width d_model", max_width);
  m.n_layers = r.size({"n_layer", "num_hidden_layers"}, "the number of layers", max_layers);
  m.attention.n_heads = r.size({"n_head", "num_attention_heads"}, "the number of attention heads", max_heads);
  if (m.d_model % m.attention.n_heads != 0)
    r.fail({"n_head", "num_attention_heads"}, std::to_string(m.attention.n_heads) + " does not divide n_embd = " + std::to_string(m.d_model));
  m.max_positions = r.size({"n_positions", "max_position_embeddings"}, "the rows of the learned position table",
                           max_positions);
  out.max_context = m.max_positions;
  m.ffn.d_ff = r.size_or({"n_inner"}, 4 * m.d_model, max_width);  // null: 4 * n_embd
  if (r.flag({"add_cross_attention"}, false))
    r.fail({"add_cross_attention"}, "cross-attention (an encoder-decoder GPT-2) is not supported");
  m.attention.qkv_bias = m.attention.o_bias = true;  // Conv1D layers with biases
  m.ffn.kind = ffn_kind::plain;
  m.ffn.bias = true;
  m.norm = norm_kind::layernorm;
  m.position = position_kind::learned;
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, true);
}

inline void load_gptj(const reader& r, hf_config& out) {
  using namespace hf_limits;
  model_config& m = out.model;
  m.vocab = r.size({"vocab_size"}, "the vocabulary size", max_vocab);
  m.d_model = r.size({"n_embd", "hidden_size"}, "the model width d_model", max_width);
  m.n_layers = r.size({"n_layer", "num_hidden_layers"}, "the number of layers", max_layers);
  m.attention.n_heads = r.size({"n_head", "num_attention_heads"}, "the number of attention heads", max_heads);
  if (m.d_model % m.attention.n_heads != 0)
    r.fail({"n_head", "num_attention_heads"}, std::to_string(m.attention.n_heads) + " does not divide n_embd = " + std::to_string(m.d_model));
  out.max_context = read_context(r, {"n_positions", "max_position_embeddings"});
  if (auto rd = r.opt_size({"rotary_dim"}, max_head_dim, 0); rd && *rd > m.d_model / m.attention.n_heads)
    r.fail({"rotary_dim"}, "exceeds the head dimension " + std::to_string(m.d_model / m.attention.n_heads));
  m.ffn.d_ff = r.size_or({"n_inner"}, 4 * m.d_model, max_width);  // null: 4 * n_embd
  m.ffn.kind = ffn_kind::plain;
  m.ffn.bias = true;             // fc_in, fc_out have biases; q, k, v, out_proj do not
  m.norm = norm_kind::layernorm;
  m.norms_per_layer = 1;         // ln_1 feeds both attention and MLP
  m.parallel_block = true;
  m.lm_head_bias = true;
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);
}

inline void load_gpt_neox(const reader& r, hf_config& out) {
  const dims d = read_dims(r);
  model_config& m = out.model;
  m = llama_like(d, d.n_heads, read_head_dim(r, d, 0));
  m.attention.head_dim = 0;
  m.ffn.d_ff = read_d_ff(r, {"intermediate_size"});
  m.ffn.kind = ffn_kind::plain;
  m.ffn.bias = true;
  m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, true);
  m.norm = norm_kind::layernorm;  // input_layernorm and post_attention_layernorm, both kept
  m.parallel_block = r.flag({"use_parallel_residual"}, true);
  r.real_or("rotary_pct", 0.25, 0.0, 1.0);
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);
}

inline void load_opt(const reader& r, hf_config& out) {
  const dims d = read_dims(r);
  model_config& m = out.model;
  m = llama_like(d, d.n_heads, read_head_dim(r, d, 0));
  m.attention.head_dim = 0;
  m.ffn.d_ff = read_d_ff(r, {"ffn_dim"});
  m.ffn.kind = ffn_kind::plain;
  const bool bias = r.flag({"enable_bias"}, true);
  m.ffn.bias = m.attention.qkv_bias = m.attention.o_bias = bias;
  m.norm = norm_kind::layernorm;
  if (!r.flag({"layer_norm_elementwise_affine"}, true))
    r.fail({"layer_norm_elementwise_affine"}, "LayerNorms without weights are not supported");
  if (auto p = r.opt_size({"word_embed_proj_dim"}, hf_limits::max_width); p && *p != d.d_model)
    r.fail({"word_embed_proj_dim"}, std::to_string(*p) + " differs from hidden_size = " + std::to_string(d.d_model) +
              ": OPT's project_in/project_out layers (opt-350m) are not supported");
  // The final LayerNorm exists only in pre-norm OPT (do_layer_norm_before) and not when the
  // checkpoint removed it.
  m.final_norm = r.flag({"do_layer_norm_before"}, true) && !r.flag({"_remove_final_layer_norm"}, false);
  m.position = position_kind::learned;
  m.max_positions = r.size({"max_position_embeddings"}, "the rows of the learned position table",
                           hf_limits::max_positions);
  m.position_offset = 2;  // OPTLearnedPositionalEmbedding's fairseq padding offset
  out.max_context = m.max_positions;
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, true);
}

// kv_default: the family's num_key_value_heads when the file has none (0: the head count).
inline void load_llama(const reader& r, hf_config& out, bool biases, std::uint64_t kv_default = 0) {
  const dims d = read_dims(r);
  model_config& m = out.model;
  m = llama_like(d, read_kv_heads(r, {"num_key_value_heads"}, d.n_heads, kv_default ? kv_default : d.n_heads),
                 read_head_dim(r, d, 0));
  m.ffn.d_ff = read_d_ff(r, {"intermediate_size"});
  if (biases) {  // Llama's attention_bias covers q, k, v and o; mlp_bias gate, up and down
    m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, false);
    m.ffn.bias = r.flag({"mlp_bias"}, false);
  }
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);
}

inline void load_mistral(const reader& r, hf_config& out, bool mixtral) {
  load_llama(r, out, false, 8);  // MistralConfig and MixtralConfig: 8 kv heads
  model_config& m = out.model;
  read_window(r, m, mixtral ? 0 : 4096);  // MistralConfig's default window is 4096
  if (mixtral) {
    read_experts(r, m, {"num_local_experts", "num_experts"}, {"intermediate_size"});
    m.moe.n_shared_experts = 0;
  }
}

inline void load_qwen2(const reader& r, hf_config& out, bool moe) {
  load_llama(r, out, false, moe ? 16 : 32);  // Qwen2Config: 32 kv heads, Qwen2MoeConfig: 16
  model_config& m = out.model;
  m.attention.qkv_bias = moe ? r.flag({"qkv_bias"}, true) : true;  // q, k, v biases; none on o
  read_qwen_window(r, m);
  if (moe) {
    read_experts(r, m, {"num_experts", "num_local_experts"}, {"moe_intermediate_size"});
    const std::uint64_t shared = r.size({"shared_expert_intermediate_size"}, "the shared expert's width",
                                        hf_limits::max_width, 0);
    if (shared != 0) {
      m.moe.n_shared_experts = 1;
      m.moe.d_ff_shared = shared;
      m.moe.shared_expert_gate = true;  // sigmoid(Linear(d, 1)) scales the shared expert
    }
    read_qwen_sparsity(r, m);
  }
}

inline void load_qwen3(const reader& r, hf_config& out, bool moe) {
  const dims d = read_dims(r);
  model_config& m = out.model;
  // Qwen3Config: 32 kv heads, head_dim 128; Qwen3MoeConfig: 4 kv heads, no head_dim field
  // (the attention then uses d_model / n_heads).
  m = llama_like(d, read_kv_heads(r, {"num_key_value_heads"}, d.n_heads, moe ? 4 : 32),
                 read_head_dim(r, d, moe ? 0 : 128));
  if (!moe || r.find({"intermediate_size"})) m.ffn.d_ff = read_d_ff(r, {"intermediate_size"});
  m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, false);
  m.attention.qk_norm = qk_norm_kind::per_head;
  read_qwen_window(r, m);
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);
  if (moe) {
    read_experts(r, m, {"num_experts", "num_local_experts"}, {"moe_intermediate_size"});
    read_qwen_sparsity(r, m);
    if (m.moe.first_k_dense > 0 && m.ffn.d_ff == 0) read_d_ff(r, {"intermediate_size"});
  }
}

inline void load_gemma(const reader& r, hf_config& out, bool gemma2) {
  const dims d = read_dims(r);
  model_config& m = out.model;
  // GemmaConfig: 16 kv heads, head_dim 256; Gemma2Config: 4 kv heads, head_dim 256.
  m = llama_like(d, read_kv_heads(r, {"num_key_value_heads"}, d.n_heads, gemma2 ? 4 : 16), read_head_dim(r, d, 256));
  m.ffn.d_ff = read_d_ff(r, {"intermediate_size"});
  m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, false);
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, true);
  if (gemma2) {
    m.norms_per_layer = 4;  // input, post_attention, pre_feedforward, post_feedforward
    read_window(r, m, 4096, 2);  // the window is on every other layer (0, 2, 4, ...)
  }
}

inline void load_phi3(const reader& r, hf_config& out) {
  // qkv_proj and gate_up_proj are fused, which changes no count; no biases.
  load_llama(r, out, false);
  read_window(r, out.model, 0);
}

inline void load_olmo2(const reader& r, hf_config& out) {
  load_llama(r, out, true);
  out.model.ffn.bias = false;                       // Olmo2MLP has no biases
  out.model.attention.qk_norm = qk_norm_kind::full; // q_norm over n_heads*head_dim, k_norm over kv
  out.model.norms_per_layer = 2;                    // post_attention and post_feedforward norms
}

inline void load_falcon(const reader& r, hf_config& out) {
  using namespace hf_limits;
  model_config& m = out.model;
  m.vocab = r.size({"vocab_size"}, "the vocabulary size", max_vocab);
  m.d_model = r.size({"hidden_size", "n_embed"}, "the model width d_model", max_width);
  m.n_layers = r.size({"num_hidden_layers", "n_layer"}, "the number of layers", max_layers);
  const std::uint64_t heads = r.size({"num_attention_heads", "n_head"}, "the number of attention heads", max_heads);
  m.attention.n_heads = heads;
  if (m.d_model % heads != 0)
    r.fail({"num_attention_heads", "n_head"}, std::to_string(heads) + " does not divide hidden_size = " + std::to_string(m.d_model));
  const bool new_arch = r.flag({"new_decoder_architecture"}, false);
  const bool multi_query = r.flag({"multi_query"}, true);
  // kv heads: num_kv_heads (default n_heads) in the new architecture; 1 for multi-query.
  if (new_arch)
    m.attention.n_kv_heads = read_kv_heads(r, {"num_kv_heads", "n_head_kv"}, heads, heads);
  else
    m.attention.n_kv_heads = multi_query ? 1 : heads;
  const bool bias = r.flag({"bias"}, false);
  m.attention.qkv_bias = m.attention.o_bias = m.ffn.bias = bias;
  m.ffn.kind = ffn_kind::plain;
  m.ffn.d_ff = r.size_or({"ffn_hidden_size"}, 4 * m.d_model, max_width);
  m.norm = norm_kind::layernorm;
  const bool parallel = r.flag({"parallel_attn"}, true);
  m.parallel_block = parallel;
  // Norms: sequential blocks have input_layernorm and post_attention_layernorm; parallel
  // blocks have ln_attn and ln_mlp when num_ln_in_parallel_attn is 2 (the default of the new
  // architecture), else one input_layernorm.
  const std::uint64_t n_ln = r.size_or({"num_ln_in_parallel_attn"}, new_arch ? 2 : 1, 2);
  m.norms_per_layer = !parallel ? 2 : (new_arch && n_ln == 2 ? 2 : 1);
  m.position = position_kind::rotary;  // RoPE or ALiBi: no parameters either way
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, true);
}

inline void load_deepseek(const reader& r, hf_config& out, bool v3) {
  using namespace hf_limits;
  const dims d = read_dims(r);
  model_config& m = out.model;
  m = llama_like(d, d.n_heads, 0);
  m.attention.n_kv_heads = 0;
  auto& a = m.attention;
  a.kind = attention_kind::mla;
  // q_lora_rank: null means a plain q projection (DeepSeek-V2-Lite); it must be present.
  if (auto q = r.root().find("q_lora_rank"); !q)
    r.missing({"q_lora_rank"}, "the rank of the query compression; null for a plain q projection");
  a.q_lora_rank = r.opt_size({"q_lora_rank"}, max_width).value_or(0);
  a.kv_lora_rank = r.size({"kv_lora_rank"}, "the rank of the joint key-value compression", max_width);
  a.qk_nope_head_dim = r.size({"qk_nope_head_dim"}, "the non-rotary part of a query/key head", max_head_dim, 0);
  a.qk_rope_head_dim = r.size({"qk_rope_head_dim"}, "the rotary part of a query/key head", max_head_dim, 0);
  if (a.qk_nope_head_dim + a.qk_rope_head_dim == 0)
    r.fail({"qk_nope_head_dim"}, "qk_nope_head_dim + qk_rope_head_dim must be positive");
  a.v_head_dim = r.size({"v_head_dim"}, "the value head dimension", max_head_dim);
  if (r.flag({"attention_bias"}, false))
    r.fail({"attention_bias"}, "biases in MLA attention are not supported");
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);

  // Routed experts: null n_routed_experts means a dense model.
  const bool moe = r.find({"n_routed_experts"}).has_value();
  const std::uint64_t first_k = r.size_or({"first_k_dense_replace"}, v3 ? 3 : 0, max_layers, 0);
  if (!moe || first_k > 0) m.ffn.d_ff = read_d_ff(r, {"intermediate_size"});
  if (moe) {
    read_experts(r, m, {"n_routed_experts"}, {"moe_intermediate_size"});
    m.moe.n_shared_experts = r.size({"n_shared_experts"}, "the number of shared experts (0 for none)", max_experts, 0);
    if (first_k > m.n_layers)
      r.fail({"first_k_dense_replace"}, std::to_string(first_k) + " exceeds num_hidden_layers = " +
                                            std::to_string(m.n_layers));
    // Layer i is MoE when i >= first_k_dense_replace and i % moe_layer_freq == 0; txmath
    // counts from the first such layer, the first multiple of the frequency at or after k.
    const std::uint64_t freq = r.size_or({"moe_layer_freq"}, 1, max_layers);
    m.moe.first_k_dense = std::min<std::uint64_t>((first_k + freq - 1) / freq * freq, m.n_layers);
    m.moe.every_n = freq;
    if (m.moe.first_k_dense >= m.n_layers)
      r.root().fail("first_k_dense_replace and moe_layer_freq leave no MoE layer");
    // topk_method "noaux_tc" (DeepSeek-V3's default) adds e_score_correction_bias to the
    // router: a Parameter in DeepSeek's modeling_deepseek.py (a buffer in transformers' own
    // port); counted, as the preset does.
    const std::string method = r.string("topk_method").value_or(v3 ? "noaux_tc" : "greedy");
    m.moe.router_bias = method == "noaux_tc";
  }
  if (v3) {
    if (auto mtp = r.opt_size({"num_nextn_predict_layers"}, max_layers, 0); mtp && *mtp > 0)
      out.notes.push_back(std::to_string(*mtp) +
                          " multi-token-prediction layer(s) (num_nextn_predict_layers) left out, as transformers does");
  }
}

// ---- Gemma 3, Llama 4, gpt-oss ---------------------------------------------------------------

// Gemma 3 (gemma3_text; gemma3 nests it under text_config). Gemma3TextConfig's defaults apply
// to the fields the published multimodal files leave out (google/gemma-3-4b-it gives only
// hidden_size, intermediate_size, num_hidden_layers and sliding_window): vocab 262,208, 8 heads,
// 4 kv heads, head_dim 256, a 4,096-token window on 5 of every 6 layers, tied embeddings.
inline void load_gemma3_text(const reader& r, hf_config& out) {
  using namespace hf_limits;
  const dims d{r.size_or({"vocab_size"}, 262208, max_vocab), r.size({"hidden_size"}, "the model width d_model", max_width),
               r.size({"num_hidden_layers"}, "the number of layers", max_layers),
               r.size_or({"num_attention_heads"}, 8, max_heads)};
  model_config& m = out.model;
  m = llama_like(d, read_kv_heads(r, {"num_key_value_heads"}, d.n_heads, 4), read_head_dim(r, d, 256));
  m.ffn.d_ff = read_d_ff(r, {"intermediate_size"});
  m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, false);
  m.attention.qk_norm = qk_norm_kind::per_head;  // q_norm, k_norm over head_dim
  m.norms_per_layer = 4;  // input, post_attention, pre_feedforward, post_feedforward
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, true);
  m.attention.sliding_window = r.size_or({"sliding_window"}, 4096, max_positions);
  if (read_layer_types(r, m)) return;
  // Layer i is global when (i + 1) % sliding_window_pattern == 0 (transformers 4.50).
  const std::uint64_t pattern = r.size_or({"sliding_window_pattern", "_sliding_window_pattern"}, 6, max_layers);
  std::vector<bool> windowed(m.n_layers);
  for (std::uint64_t i = 0; i < m.n_layers; ++i) windowed[i] = (i + 1) % pattern != 0;
  set_window_layers(r.root(), m, windowed);
}
inline void load_gemma3(const reader& r, hf_config& out) { load_gemma3_text(text_config_of(r, out, "gemma3"), out); }

// Llama 4 (llama4_text; llama4 nests it under text_config): MoE layers every
// interleave_moe_layer_step (or the moe_layers list), each with one shared expert of the
// expert width; the other layers a dense FFN of intermediate_size_mlp. Chunked attention
// (attention_chunk_size) on the RoPE layers; the NoPE layers (no_rope_layers[i] = 0; by
// default every 4th) attend globally. The qk-norm is an L2 norm without weights.
inline void load_llama4_text(const reader& r, hf_config& out) {
  using namespace hf_limits;
  const dims d = read_dims(r);
  model_config& m = out.model;
  m = llama_like(d, read_kv_heads(r, {"num_key_value_heads"}, d.n_heads, 8), read_head_dim(r, d, 128));
  m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, false);
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);
  read_experts(r, m, {"num_local_experts"}, {"intermediate_size"});
  m.moe.n_shared_experts = 1;  // Llama4TextMoe's shared_expert: the expert width
  const std::uint64_t step = r.size_or({"interleave_moe_layer_step"}, 1, max_layers);
  if (auto list = r.find({"moe_layers"})) {
    set_moe_layers(*list, m);
  } else {
    m.moe.first_k_dense = std::min<std::uint64_t>(step - 1, m.n_layers);
    m.moe.every_n = step;
  }
  if (m.n_moe_layers() < m.n_layers) m.ffn.d_ff = read_d_ff(r, {"intermediate_size_mlp"});
  // Chunked attention on the RoPE layers.
  m.attention.sliding_window = r.size_or({"attention_chunk_size"}, 8192, max_positions);  // Llama4TextConfig's default
  m.attention.windowing = window_kind::chunked;
  if (m.attention.sliding_window == 0) return;
  std::vector<bool> rope(m.n_layers);
  for (std::uint64_t i = 0; i < m.n_layers; ++i) rope[i] = (i + 1) % 4 != 0;  // no_rope_layer_interval 4
  auto list = r.find({"no_rope_layers"});
  if (list && !list->is_array()) list->fail("expected an array of 0/1 per layer, found " + list->describe());
  if (list && list->size() != 0) {  // an empty list means the default
    if (list->size() != m.n_layers)
      list->fail("has " + std::to_string(list->size()) + " entries; num_hidden_layers = " + std::to_string(m.n_layers));
    std::size_t i = 0;
    for (const value& e : list->elements()) {
      if (!e.is_integer() || e.as_count() > count(1)) e.fail("expected 0 (NoPE) or 1 (RoPE), found " + e.describe());
      rope[i++] = e.as_count() == count(1);
    }
  }
  set_window_layers(list ? *list : r.root(), m, rope);
}
inline void load_llama4(const reader& r, hf_config& out) { load_llama4_text(text_config_of(r, out, "llama4"), out); }

// gpt-oss: every layer MoE with biased experts and router, biased attention with a learned
// sink per head, and a 128-token sliding window on every other layer (layer_types, by default
// even layers). Counts are parameters; the checkpoint stores the experts in MXFP4.
inline void load_gpt_oss(const reader& r, hf_config& out) {
  using namespace hf_limits;
  const dims d = read_dims(r);
  model_config& m = out.model;
  m = llama_like(d, read_kv_heads(r, {"num_key_value_heads"}, d.n_heads, 8), read_head_dim(r, d, 64));
  m.attention.qkv_bias = m.attention.o_bias = r.flag({"attention_bias"}, true);
  m.attention.sinks = true;
  out.max_context = read_context(r, {"max_position_embeddings"});
  m.tied_embeddings = r.flag({"tie_word_embeddings"}, false);
  read_experts(r, m, {"num_local_experts"}, {"intermediate_size"});
  if (auto alias = r.opt_size({"experts_per_token"}, max_experts); alias && *alias != m.moe.top_k)
    r.fail({"experts_per_token"}, std::to_string(*alias) + " differs from num_experts_per_tok = " + std::to_string(m.moe.top_k));
  m.moe.router_bias = m.moe.expert_bias = true;
  m.attention.sliding_window = r.size_or({"sliding_window"}, 128, max_positions);
  if (!read_layer_types(r, m)) m.attention.sliding_window_every = 2;  // layers 0, 2, 4, ...
}

// The families the loader reads: one row each, with the `architectures` names that identify a
// file without model_type.
struct family {
  std::string_view model_type;       // as config.json writes it
  std::string_view architectures[2]; // architectures[0] of such files ("" : none)
  void (*load)(const reader&, hf_config&);
};
inline void load_llama_family(const reader& r, hf_config& o) { load_llama(r, o, true); }
inline void load_mistral_family(const reader& r, hf_config& o) { load_mistral(r, o, false); }
inline void load_mixtral_family(const reader& r, hf_config& o) { load_mistral(r, o, true); }
inline void load_qwen2_family(const reader& r, hf_config& o) { load_qwen2(r, o, false); }
inline void load_qwen2_moe_family(const reader& r, hf_config& o) { load_qwen2(r, o, true); }
inline void load_qwen3_family(const reader& r, hf_config& o) { load_qwen3(r, o, false); }
inline void load_qwen3_moe_family(const reader& r, hf_config& o) { load_qwen3(r, o, true); }
inline void load_gemma_family(const reader& r, hf_config& o) { load_gemma(r, o, false); }
inline void load_gemma2_family(const reader& r, hf_config& o) { load_gemma(r, o, true); }
inline void load_deepseek_v2_family(const reader& r, hf_config& o) { load_deepseek(r, o, false); }
inline void load_deepseek_v3_family(const reader& r, hf_config& o) { load_deepseek(r, o, true); }

inline constexpr family families[] = {
    {"gpt2", {"GPT2LMHeadModel", "GPT2Model"}, load_gpt2},
    {"gptj", {"GPTJForCausalLM", ""}, load_gptj},
    {"gpt_neox", {"GPTNeoXForCausalLM", ""}, load_gpt_neox},
    {"opt", {"OPTForCausalLM", ""}, load_opt},
    {"llama", {"LlamaForCausalLM", ""}, load_llama_family},
    {"mistral", {"MistralForCausalLM", ""}, load_mistral_family},
    {"mixtral", {"MixtralForCausalLM", ""}, load_mixtral_family},
    {"qwen2", {"Qwen2ForCausalLM", ""}, load_qwen2_family},
    {"qwen2_moe", {"Qwen2MoeForCausalLM", ""}, load_qwen2_moe_family},
    {"qwen3", {"Qwen3ForCausalLM", ""}, load_qwen3_family},
    {"qwen3_moe", {"Qwen3MoeForCausalLM", ""}, load_qwen3_moe_family},
    {"gemma", {"GemmaForCausalLM", ""}, load_gemma_family},
    {"gemma2", {"Gemma2ForCausalLM", ""}, load_gemma2_family},
    {"phi3", {"Phi3ForCausalLM", ""}, load_phi3},
    {"falcon", {"FalconForCausalLM", "RWForCausalLM"}, load_falcon},
    {"olmo2", {"Olmo2ForCausalLM", ""}, load_olmo2},
    {"deepseek_v2", {"DeepseekV2ForCausalLM", ""}, load_deepseek_v2_family},
    {"deepseek_v3", {"DeepseekV3ForCausalLM", ""}, load_deepseek_v3_family},
    {"gemma3", {"Gemma3ForConditionalGeneration", ""}, load_gemma3},
    {"gemma3_text", {"Gemma3ForCausalLM", ""}, load_gemma3_text},
    {"llama4", {"Llama4ForConditionalGeneration", ""}, load_llama4},
    {"llama4_text", {"Llama4ForCausalLM", ""}, load_llama4_text},
    {"gpt_oss", {"GptOssForCausalLM", ""}, load_gpt_oss},
    {"kimi_k2", {"", ""}, load_deepseek_v3_family},  // Kimi K2: DeepSeek-V3's architecture
};

inline const family* find_family(std::string_view model_type) {
  if (model_type == "RefinedWeb" || model_type == "RefinedWebModel") model_type = "falcon";  // Falcon's legacy names
  for (const auto& f : families)
    if (f.model_type == model_type) return &f;
  return nullptr;
}
inline const family* family_of_architecture(std::string_view arch) {
  for (const auto& f : families)
    for (std::string_view a : f.architectures)
      if (!a.empty() && a == arch) return &f;
  return nullptr;
}

inline std::string supported_list() {
  std::string s;
  for (const auto& f : families) s += (s.empty() ? "" : ", ") + std::string(f.model_type);
  return s;
}

}  // namespace detail::hf

// The model_type values the loader reads: the family table's, in its order.
inline constexpr auto hf_model_types = [] {
  std::array<std::string_view, std::size(detail::hf::families)> types{};
  for (std::size_t i = 0; i < types.size(); ++i) types[i] = detail::hf::families[i].model_type;
  return types;
}();

// Reads a parsed config.json (the top-level object).
inline hf_config hf_config_from_json(const json::value& root) {
  namespace hf = detail::hf;
  if (!root.is_object()) root.fail("expected a config.json object, found " + root.describe());
  hf::reader r(root);
  hf_config out;

  const hf::family* fam = nullptr;
  if (auto t = r.find({"model_type"})) {
    fam = hf::find_family(t->as_string_view());
    if (fam == nullptr)
      t->fail("unsupported model type " + hf::quoted(t->as_string_view()) + "; txmath reads " + hf::supported_list());
  } else if (auto a = r.find({"architectures"})) {
    if (!a->is_array() || a->size() == 0) a->fail("expected a non-empty array of class names, found " + a->describe());
    const json::value first = a->at(0);
    fam = hf::family_of_architecture(first.as_string_view());
    if (fam == nullptr)
      first.fail("unsupported architecture " + hf::quoted(first.as_string_view()) +
                 " and no model_type; txmath reads " + hf::supported_list());
  } else {
    root.fail("missing field \"model_type\" (the model family, e.g. \"llama\"); txmath reads " + hf::supported_list());
  }
  out.model_type = std::string(fam->model_type);
  r.set_family(out.model_type);
  if (auto n = r.find({"_name_or_path"}); n && n->is_string()) out.name = n->as_string();
  fam->load(r, out);

  // A backstop: the checks above name the JSON fields; validate() must agree. (Without
  // exceptions its message goes to the error handler as is, without the file's name.)
#if defined(TXMATH_NO_EXCEPTIONS)
  validate(out.model);
#else
  try {
    (void)validate(out.model);
  } catch (const txmath::invalid_argument& e) {
    std::string_view what = e.what();
    if (what.substr(0, 8) == "txmath: ") what.remove_prefix(8);
    root.fail(what);
  }
#endif
  return out;
}

// Parses config.json text; `source` names it in messages.
inline hf_config parse_hf_config(std::string_view text, std::string_view source = "<config.json>") {
  json::parse_options o;
  o.source = source;
  return hf_config_from_json(json::parse(text, o));
}

// Reads and parses a config.json file.
inline hf_config load_hf_config(const std::string& path) { return hf_config_from_json(json::parse_file(path)); }

}  // namespace txmath

#pragma once
// The field reader of the Hugging Face config.json loader (hf_config.hpp): one config.json
// object's fields with aliases, ranges and defaults, the parts the Llama-like families share,
// and per-layer lists read as a model_config's per-layer pattern. Used only by hf_config.hpp.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <txmath/core/count.hpp>
#include <txmath/detail/json_text.hpp>
#include <txmath/json.hpp>
#include <txmath/model.hpp>

namespace txmath {

namespace detail::hf {

using ::txmath::json::value;

inline std::string quoted(std::string_view s) { return detail::json::quote(s); }

// Reads the fields of one config.json object, with aliases, ranges and defaults.
class reader {
 public:
  explicit reader(value root) : root_(std::move(root)) {}

  const value& root() const { return root_; }

  // The first of `names` present with a non-null value (and checks that aliases agree).
  std::optional<value> find(std::initializer_list<std::string_view> names) const {
    std::optional<value> found;
    std::string_view found_name;
    for (std::string_view n : names) {
      auto v = root_.find(n);
      if (!v || v->is_null()) continue;
      if (!found) {
        found = v;
        found_name = n;
      } else if (!same(*found, *v)) {
        v->fail("conflicts with " + std::string(found_name) + " = " + text_of(*found) +
                " (they are aliases; give one)");
      }
    }
    return found;
  }

  // A required positive integer in [lo, hi].
  std::uint64_t size(std::initializer_list<std::string_view> names, std::string_view what, std::uint64_t hi,
                     std::uint64_t lo = 1) const {
    auto v = find(names);
    if (!v) missing(names, what);
    return in_range(*v, lo, hi);
  }
  // An optional integer: nullopt when absent or null.
  std::optional<std::uint64_t> opt_size(std::initializer_list<std::string_view> names, std::uint64_t hi,
                                        std::uint64_t lo = 1) const {
    auto v = find(names);
    if (!v) return std::nullopt;
    return in_range(*v, lo, hi);
  }
  std::uint64_t size_or(std::initializer_list<std::string_view> names, std::uint64_t fallback, std::uint64_t hi,
                        std::uint64_t lo = 1) const {
    return opt_size(names, hi, lo).value_or(fallback);
  }
  bool flag(std::initializer_list<std::string_view> names, bool fallback) const {
    auto v = find(names);
    return v ? v->as_bool() : fallback;
  }
  // A fraction in [lo, hi].
  double real_or(std::string_view name, double fallback, double lo, double hi) const {
    auto v = find({name});
    if (!v) return fallback;
    const double d = v->as_double();
    if (!(d >= lo && d <= hi))
      v->fail("must be between " + number(lo) + " and " + number(hi) + ", found " + v->number_text());
    return d;
  }
  std::optional<std::string> string(std::string_view name) const {
    auto v = find({name});
    if (!v) return std::nullopt;
    return v->as_string();
  }
  // Fails naming the field: at its value when the file has it, else at the top-level object
  // (the value was the family's default).
  [[noreturn]] void fail(std::initializer_list<std::string_view> names, const std::string& what) const {
    if (auto v = find(names)) v->fail(what);
    root_.fail(std::string(*names.begin()) + " (absent: the " + family_ + " default): " + what);
  }

  [[noreturn]] void missing(std::initializer_list<std::string_view> names, std::string_view what) const {
    std::string list;
    for (std::string_view n : names) list += (list.empty() ? "" : " or ") + quoted(n);
    root_.fail("missing field " + list + " (" + std::string(what) + "); a " + family_ +
               " config.json must give it");
  }
  void set_family(std::string f) { family_ = std::move(f); }

 private:
  static std::string number(double d) {
    std::string s = std::to_string(d);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  static std::string text_of(const value& v) {
    if (v.is_number()) return v.number_text();
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    return v.describe();
  }
  static bool same(const value& a, const value& b) {
    if (a.type() != b.type()) return false;
    if (a.is_integer() && b.is_integer()) return a.as_count() == b.as_count() || a.number_text() == b.number_text();
    if (a.is_number()) return a.number_text() == b.number_text();
    if (a.is_bool()) return a.as_bool() == b.as_bool();
    if (a.is_string()) return a.as_string_view() == b.as_string_view();
    return false;
  }
  static std::uint64_t in_range(const value& v, std::uint64_t lo, std::uint64_t hi) {
    if (v.is_number() && v.number_text()[0] != '-' &&
        detail::json::to_exact_integer(v.number_text()).st == detail::json::exact_integer::too_large)
      v.fail("out of range: must be at most " + std::to_string(hi) + " (txmath's limit for this field), found " +
             v.number_text());
    if (!v.is_integer())
      v.fail("expected a positive integer, found " + v.describe());
    if (v.number_text()[0] == '-')
      v.fail(std::string(lo == 0 ? "must not be negative" : "must be positive") + ", found " + v.number_text());
    const count c = v.as_count();
    if (c < count(lo) || c > count(hi))
      v.fail(c < count(lo) ? "must be at least " + std::to_string(lo) + ", found " + v.number_text()
                           : "must be at most " + std::to_string(hi) + " (txmath's limit for this field), found " +
                                 v.number_text());
    return c.to_u64();
  }

  value root_;
  std::string family_ = "this";
};

// ---- the shared parts of the Llama-like families -----------------------------------------

struct dims {
  std::uint64_t vocab, d_model, n_layers, n_heads;
};

inline dims read_dims(const reader& r) {
  using namespace model_limits;
  return {r.size({"vocab_size"}, "the vocabulary size", max_vocab),
          r.size({"hidden_size"}, "the model width d_model", max_width),
          r.size({"num_hidden_layers"}, "the number of layers", max_layers),
          r.size({"num_attention_heads"}, "the number of attention heads", max_heads)};
}

// num_key_value_heads (null/absent: `fallback`), checked to divide the head count.
inline std::uint64_t read_kv_heads(const reader& r, std::initializer_list<std::string_view> names,
                                   std::uint64_t n_heads, std::uint64_t fallback) {
  auto kv = r.opt_size(names, model_limits::max_heads);
  const std::uint64_t k = kv.value_or(fallback);
  if (k > n_heads || n_heads % k != 0) {
    const std::string msg = std::to_string(k) + " does not divide num_attention_heads = " + std::to_string(n_heads);
    if (kv) r.fail(names, msg);
    r.root().fail(std::string(*names.begin()) + " (absent, so the family default " + msg +
                  "): give num_key_value_heads");
  }
  return k;
}

// head_dim (null/absent: `fallback`, 0 meaning d_model / n_heads, which must then divide).
inline std::uint64_t read_head_dim(const reader& r, const dims& d, std::uint64_t fallback) {
  if (auto h = r.opt_size({"head_dim"}, model_limits::max_head_dim)) return *h;
  if (fallback != 0) return fallback;
  if (d.d_model % d.n_heads != 0)
    r.fail({"num_attention_heads"}, std::to_string(d.n_heads) + " does not divide hidden_size = " + std::to_string(d.d_model) +
              "; give head_dim");
  return d.d_model / d.n_heads;
}

inline std::uint64_t read_context(const reader& r, std::initializer_list<std::string_view> names) {
  return r.opt_size(names, model_limits::max_positions).value_or(0);
}

// The skeleton of a pre-norm RMSNorm decoder with gated (SwiGLU/GeGLU) FFNs: Llama and kin.
inline model_config llama_like(const dims& d, std::uint64_t kv, std::uint64_t head_dim) {
  model_config m{};
  m.vocab = d.vocab;
  m.d_model = d.d_model;
  m.n_layers = d.n_layers;
  m.attention.n_heads = d.n_heads;
  m.attention.n_kv_heads = kv;
  m.attention.head_dim = head_dim;
  m.norm = norm_kind::rmsnorm;
  m.norms_per_layer = 2;
  m.final_norm = true;
  m.position = position_kind::rotary;
  m.ffn.kind = ffn_kind::gated;
  return m;
}

inline std::uint64_t read_d_ff(const reader& r, std::initializer_list<std::string_view> names) {
  return r.size(names, "the FFN width d_ff", model_limits::max_width);
}

// ---- per-layer patterns ---------------------------------------------------------------------

// A per-layer list of windowed layers (from layer_types or no_rope_layers) as the config's
// pattern: the window on every layer but a list of full ones (the lists below 256 layers),
// else "every n-th layer" when the list is that.
inline void set_window_layers(const value& where, model_config& m, const std::vector<bool>& windowed) {
  const std::uint64_t n = m.n_layers;
  if (std::find(windowed.begin(), windowed.end(), true) == windowed.end()) {
    m.attention.sliding_window = 0;  // no layer has the window
    return;
  }
  layer_set full;
  bool fits = true;
  for (std::uint64_t i = 0; i < n; ++i)
    if (!windowed[i]) {
      if (i >= layer_set::capacity) fits = false;
      else full.insert(i);
    }
  m.attention.sliding_window_every = 1;
  if (fits) {
    m.attention.full_layers = full;
    return;
  }
  for (std::uint64_t p = 2; p <= n && p <= model_limits::max_layers; ++p) {
    bool same = true;
    for (std::uint64_t i = 0; i < n && same; ++i) same = windowed[i] == (i % p == 0);
    if (same) {
      m.attention.sliding_window_every = p;
      return;
    }
  }
  where.fail("txmath represents a per-layer attention list of more than " + std::to_string(layer_set::capacity) +
             " layers only as a window on every n-th layer; this list is not one");
}

// transformers' layer_types: "sliding_attention", "chunked_attention" or "full_attention" per
// layer. Returns false when the file has no list.
inline bool read_layer_types(const reader& r, model_config& m) {
  auto list = r.find({"layer_types"});
  if (!list) return false;
  if (!list->is_array()) list->fail("expected an array of attention types, found " + list->describe());
  if (list->size() != m.n_layers)
    list->fail("has " + std::to_string(list->size()) + " entries; num_hidden_layers = " + std::to_string(m.n_layers));
  std::vector<bool> windowed;
  for (const value& e : list->elements()) {
    const std::string_view t = e.as_string_view();
    if (t != "sliding_attention" && t != "chunked_attention" && t != "full_attention")
      e.fail("unknown attention type " + quoted(t) +
             "; txmath reads \"sliding_attention\", \"chunked_attention\" and \"full_attention\"");
    if (t == "chunked_attention") m.attention.windowing = window_kind::chunked;
    windowed.push_back(t != "full_attention");
  }
  set_window_layers(*list, m, windowed);
  return true;
}

// A list of MoE layer indices (Llama 4's moe_layers) as the config's pattern.
inline void set_moe_layers(const value& list, model_config& m) {
  if (!list.is_array()) list.fail("expected an array of layer indices, found " + list.describe());
  std::vector<bool> moe(m.n_layers, false);
  for (const value& e : list.elements()) {
    if (!e.is_integer() || e.number_text()[0] == '-') e.fail("expected a layer index, found " + e.describe());
    if (e.as_count() >= count(m.n_layers))
      e.fail("layer index " + e.number_text() + " is out of range: the model has " + std::to_string(m.n_layers) + " layers");
    moe[e.as_count().to_u64()] = true;
  }
  m.moe.first_k_dense = 0;
  m.moe.every_n = 1;
  for (std::uint64_t i = 0; i < m.n_layers; ++i)
    if (!moe[i]) {
      if (i >= layer_set::capacity)
        list.fail("txmath lists dense layers only below layer " + std::to_string(layer_set::capacity));
      m.moe.dense_layers.insert(i);
    }
}

// A window on every layer, from `sliding_window` (null/absent: `fallback`, 0 = none).
inline void read_window(const reader& r, model_config& m, std::uint64_t fallback, std::uint64_t every = 1) {
  m.attention.sliding_window = r.size_or({"sliding_window"}, fallback, model_limits::max_positions);
  m.attention.sliding_window_every = every;
}

// Qwen's use_sliding_window/max_window_layers: windows only when switched on, then (as
// transformers does) on the layers from max_window_layers on, unless layer_types lists them.
inline void read_qwen_window(const reader& r, model_config& m) {
  if (!r.flag({"use_sliding_window"}, false)) return;
  m.attention.sliding_window = r.size_or({"sliding_window"}, 4096, model_limits::max_positions);
  if (read_layer_types(r, m)) return;
  const std::uint64_t lo = r.size_or({"max_window_layers"}, 28, model_limits::max_layers, 0);
  std::vector<bool> windowed(m.n_layers);
  for (std::uint64_t i = 0; i < m.n_layers; ++i) windowed[i] = i >= lo;
  set_window_layers(r.root(), m, windowed);
}

// Which layers are MoE: Qwen's decoder_sparse_step and mlp_only_layers. Layer i is sparse when
// i is not in mlp_only_layers and (i + 1) % step == 0: the rule "from layer step - 1, every
// step-th" with mlp_only_layers as its exceptions (listed below layer 256).
inline void read_qwen_sparsity(const reader& r, model_config& m) {
  const std::uint64_t step = r.size_or({"decoder_sparse_step"}, 1, model_limits::max_layers);
  if (step > m.n_layers)
    r.fail({"decoder_sparse_step"}, "exceeds num_hidden_layers = " + std::to_string(m.n_layers) + ": no layer would be sparse");
  m.moe.first_k_dense = step - 1;
  m.moe.every_n = step;
  if (auto only = r.find({"mlp_only_layers"})) {
    if (!only->is_array()) only->fail("expected an array of layer indices, found " + only->describe());
    for (const value& e : only->elements()) {
      if (!e.is_integer() || e.number_text()[0] == '-') e.fail("expected a layer index, found " + e.describe());
      const count c = e.as_count();
      if (c >= count(m.n_layers))
        e.fail("layer index " + c.to_string() + " is out of range: the model has " + std::to_string(m.n_layers) +
               " layers");
      if (c >= count(layer_set::capacity))
        e.fail("txmath lists dense layers only below layer " + std::to_string(layer_set::capacity));
      m.moe.dense_layers.insert(c.to_u64());
    }
  }
}

inline void read_experts(const reader& r, model_config& m, std::initializer_list<std::string_view> n_experts,
                         std::initializer_list<std::string_view> width) {
  using namespace model_limits;
  m.moe.n_experts = r.size(n_experts, "the number of routed experts", max_experts);
  m.moe.top_k = r.size({"num_experts_per_tok"}, "the experts each token is routed to", max_experts);
  if (m.moe.top_k > m.moe.n_experts)
    r.fail({"num_experts_per_tok"}, std::to_string(m.moe.top_k) + " exceeds the number of experts, " + std::to_string(m.moe.n_experts));
  m.moe.d_ff_expert = r.size(width, "the width of one expert's FFN", max_width);
}

}  // namespace detail::hf

}  // namespace txmath

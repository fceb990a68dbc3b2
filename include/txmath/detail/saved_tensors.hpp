#pragma once
// The tensors one transformer layer keeps from its forward pass for its backward pass,
// read off the lowered model (layers.hpp). Internal to activation_memory.hpp, which states
// the conventions; this header only builds the list.
//
// Each entry says how many elements it holds per token (or per (query, key) pair for
// scores-shaped tensors) and which index tensor parallelism splits, so one list serves every
// layout: activation_memory.hpp multiplies it out for a sequence length and a layout.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/layers.hpp>
#include <txmath/model.hpp>

TXMATH_DEFINE_ERROR(txmath_error_activation_layer_keeps_too_many_tensors, invalid_argument)

namespace txmath {

// What a kept tensor is, for reports (public: activation_memory.hpp's breakdown is by kind).
enum class activation_kind : std::uint8_t {
  matmul_input,       // the activation operand of each weight matmul (q/k/v, o, FFN, experts)
  attention_operand,  // q and k of QK^T, v of AV
  attention_probs,    // unfused attention: softmax output and the probabilities AV reads
  softmax_stats,      // fused (flash) attention: logsumexp per head per query, fp32
  dropout_mask,       // 1 byte per element
  norm_input,         // every norm keeps its input
  activation_input,   // GELU's input; a gated FFN's gate and up outputs
  routing,            // MoE: router probabilities, the expert outputs the combine reads
  layer_input,        // full recompute: the layer's input, all it keeps
  embedding,          // first model chunk: token ids (int64), embedding dropout mask
  head,               // last model chunk: final norm and lm_head inputs, fp32 loss logits
};
inline constexpr std::size_t n_activation_kinds = 11;

[[nodiscard]] constexpr std::string_view name_of(activation_kind k) {
  switch (k) {
    case activation_kind::matmul_input: return "matmul_input";
    case activation_kind::attention_operand: return "attention_operand";
    case activation_kind::attention_probs: return "attention_probs";
    case activation_kind::softmax_stats: return "softmax_stats";
    case activation_kind::dropout_mask: return "dropout_mask";
    case activation_kind::norm_input: return "norm_input";
    case activation_kind::activation_input: return "activation_input";
    case activation_kind::routing: return "routing";
    case activation_kind::layer_input: return "layer_input";
    case activation_kind::embedding: return "embedding";
    case activation_kind::head: return "head";
  }
  return "?";
}

namespace detail {

// Which tensor an einsum operand is: its term within a group of ops that read the same
// tensors ("btd" of q_proj, k_proj and v_proj is one tensor: the attention's input).
struct tensor_key {
  char text[12]{};  // group letter, then the term's labels; empty: a tensor of its own
  friend constexpr bool operator==(const tensor_key&, const tensor_key&) = default;
  [[nodiscard]] constexpr bool empty() const { return text[0] == 0; }
};

// Which attention implementation keeps a tensor.
enum class attention_impl : std::uint8_t { any, unfused, fused };

// One kept tensor of a layer (or of the embedding / head), before a layout is applied.
struct saved_tensor {
  std::string_view op{};          // the op it belongs to: "q_proj", "scores", "layer"
  std::string_view role{};        // what it is there: "input", "softmax output", ...
  activation_kind kind = activation_kind::matmul_input;
  tensor_key key{};               // entries with one non-empty key are one tensor
  count elements = 0;             // per token, or per (query, key) pair when `pair`
  char tp_label = 0;              // the index tensor parallelism splits (0: none)
  std::uint64_t tp_size = 0;      // its size, which the TP size must divide
  std::string_view tp_field{};    // the config field that size comes from, for errors
  bool sequence_sharded = true;   // no tp_label: split over TP ranks by sequence parallelism
  bool pair = false;              // scores-shaped: per (query, key) pair
  std::uint64_t window = 0;       // pair: keys per query at most (0: the whole sequence)
  unsigned bits = 0;              // bits per element; 0: the activation dtype
  bool core_attention = false;    // inside QK^T-softmax-AV: selective recompute drops it
  attention_impl only = attention_impl::any;  // kept by one attention implementation only
  bool full_recompute_keeps = false;  // the layer input: all full recompute keeps
  bool norm_statistics = false;   // counted only when the options ask
  bool routed = false;            // one copy per routed token (MoE experts)
  std::uint64_t copies = 1;       // per token (top_k for the routed experts)
};

// A fixed-capacity list (a constant in static_assert too); adding a keyed tensor twice
// keeps one.
class saved_list {
 public:
  static constexpr std::size_t capacity = 40;

  constexpr void add(const saved_tensor& t) {
    if (!t.key.empty())
      for (std::size_t i = 0; i < n_; ++i)
        if (items_[i].key == t.key) return;
    if (n_ == capacity)
      TXMATH_FAIL(txmath_error_activation_layer_keeps_too_many_tensors, invalid_argument,
                  "txmath: a layer keeps at most " + std::to_string(capacity) +
                      " tensors for the backward pass; " + std::string(t.op) + " " +
                      std::string(t.role) + " is one more");
    items_[n_++] = t;
  }
  [[nodiscard]] constexpr const saved_tensor* begin() const { return items_; }
  [[nodiscard]] constexpr const saved_tensor* end() const { return items_ + n_; }
  [[nodiscard]] constexpr std::size_t size() const { return n_; }

 private:
  saved_tensor items_[capacity]{};
  std::size_t n_ = 0;
};

// ---- reading the lowered ops ----

constexpr bool term_has(const einsum_spec& spec, const einsum_spec::term& t, char label) {
  for (std::uint8_t i = 0; i < t.rank; ++i)
    if (spec.labels[t.index[i]] == static_cast<char32_t>(label)) return true;
  return false;
}
// A scores-shaped term: queries (t) by keys (s).
constexpr bool is_pair(const einsum_spec& spec, const einsum_spec::term& t) {
  return term_has(spec, t, 't') && term_has(spec, t, 's');
}
// Elements of a term per token (per pair for scores-shaped terms): b, t, s are 1.
constexpr count unit_elements(const layer_einsum& op, const einsum_spec::term& t) {
  count n = 1;
  for (std::uint8_t i = 0; i < t.rank; ++i) {
    const char32_t c = op.spec->labels[t.index[i]];
    if (c == 'b' || c == 't' || c == 's') continue;
    n *= count(op.size_of(static_cast<char>(c)));
  }
  return n;
}

// Ops whose activations one tensor identity covers. A parallel block (GPT-J) feeds the
// attention and the FFN the same normed input.
constexpr char group_of(const model_config& m, component part) {
  switch (part) {
    case component::attention: return 'A';
    case component::ffn: return m.parallel_block ? 'A' : 'F';
    case component::experts: return 'E';
    case component::shared_experts:
    case component::router: return m.parallel_block ? 'A' : 'S';  // read the FFN's input
    default: return 'H';
  }
}
constexpr tensor_key key_of(char group, const einsum_spec& spec, const einsum_spec::term& t) {
  tensor_key k;
  k.text[0] = group;
  for (std::size_t i = 0; i < t.rank && i + 2 < sizeof k.text; ++i)
    k.text[i + 1] = static_cast<char>(spec.labels[t.index[i]]);
  return k;
}

// The index tensor parallelism splits in a term, Megatron's way: attention heads (kv
// groups 'k' of standard attention, MLA heads 'n'), the FFN width 'f', the vocabulary 'v'.
constexpr void set_tp_split(saved_tensor& x, const layer_einsum& op, const einsum_spec::term& t) {
  for (const char c : {'k', 'n', 'f', 'v'}) {
    if (!term_has(*op.spec, t, c)) continue;
    x.tp_label = c;
    x.tp_size = op.size_of(c).to_u64();
    x.tp_field = c == 'k'   ? "attention.n_kv_heads"
                 : c == 'n' ? "attention.n_heads"
                 : c == 'v' ? "vocab"
                 : op.part == component::experts        ? "moe.d_ff_expert"
                 : op.part == component::shared_experts ? "the shared-expert width (moe.d_ff_shared)"
                                                        : "ffn.d_ff";
    return;
  }
}

// A tensor that is operand or result `t` of op: sized, split and keyed from the op.
constexpr saved_tensor tensor_of(const model_config& m, const layer_einsum& op, const einsum_spec::term& t,
                                 std::string_view role, activation_kind kind, bool keyed) {
  saved_tensor x;
  x.op = op.name;
  x.role = role;
  x.kind = kind;
  if (keyed) x.key = key_of(group_of(m, op.part), *op.spec, t);
  x.pair = is_pair(*op.spec, t);
  x.elements = unit_elements(op, t);
  x.window = op.window;
  set_tp_split(x, op, t);
  // Routed experts run on tokens gathered over the TP ranks (Megatron's MoE dispatcher), so
  // their tensors are not split by sequence parallelism.
  x.routed = op.part == component::experts;
  x.sequence_sharded = !x.routed;
  x.copies = op.active;
  return x;
}

constexpr bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Whether a lowered op runs in block `layer` (per-layer properties through the config's
// accessors only).
constexpr bool in_layer(const model_config& m, const layer_einsum& op, std::uint64_t layer) {
  if (!op.in_block) return false;
  switch (op.part) {
    case component::ffn: return !m.is_moe_layer(layer);
    case component::experts:
    case component::shared_experts:
    case component::router: return m.is_moe_layer(layer);
    default: break;
  }
  if (op.kind == op_kind::attention) return (op.window != 0) == m.is_sliding_layer(layer);
  return true;
}

// A weight matmul keeps its activation operand (its weight gradient reads it). The FFN's
// first projections also hand their outputs to the activation function, which keeps its
// input (GELU's; a gated FFN's gate and up, silu(gate) being recomputed as in Megatron's
// fused SwiGLU); the router's softmax keeps its probabilities; the experts' weighted
// combine reads their outputs (for the routing weights' gradient), as does the shared
// expert's gate product.
constexpr void save_matmul(saved_list& out, const model_config& m, const layer_einsum& op) {
  const einsum_spec& spec = *op.spec;
  if (op.weight < 0 || spec.n_inputs != 2) return;
  const auto& input = spec.inputs[op.weight == 0 ? 1 : 0];
  saved_tensor x = tensor_of(m, op, input, "input", activation_kind::matmul_input, true);
  // MLA: Megatron-Core gathers the normed kv latent over the TP ranks before kv_b_proj
  // (multi_latent_attention.py), so sequence parallelism does not split that input.
  if (op.name == "kv_b_proj") x.sequence_sharded = false;
  out.add(x);
  if (ends_with(op.name, "up_proj") || ends_with(op.name, "gate_proj"))
    out.add(tensor_of(m, op, spec.output, "output (activation input)", activation_kind::activation_input, false));
  else if (op.part == component::experts && ends_with(op.name, "down_proj"))
    out.add(tensor_of(m, op, spec.output, "output (combine input)", activation_kind::routing, false));
  else if (op.part == component::router)
    out.add(tensor_of(m, op, spec.output, "probabilities", activation_kind::routing, false));
  else if (op.name == "shared.gate") {
    out.add(tensor_of(m, op, spec.output, "gate value", activation_kind::routing, false));
    out.add(tensor_of(m, op, input, "shared-expert output (gate product input)", activation_kind::routing, false));
  }
}

// QK^T keeps q and k; AV keeps v and, unfused, the probabilities it read. Unfused attention
// also keeps the softmax output, which with dropout differs from AV's input (the dropped-out
// probabilities) and comes with a 1-byte mask. Fused attention (FlashAttention) keeps only
// one logsumexp per head and query (fp32) and recomputes the rest; the output it also reads
// is o_proj's input.
constexpr void save_attention(saved_list& out, const model_config& m, const layer_einsum& op, bool dropout) {
  const einsum_spec& spec = *op.spec;
  if (spec.n_inputs != 2) return;
  if (is_pair(spec, spec.output)) {  // QK^T
    out.add(tensor_of(m, op, spec.inputs[0], "q", activation_kind::attention_operand, true));
    out.add(tensor_of(m, op, spec.inputs[1], "k", activation_kind::attention_operand, true));
    saved_tensor rows = tensor_of(m, op, spec.output, "softmax output", activation_kind::attention_probs, false);
    rows.core_attention = true;
    rows.only = attention_impl::unfused;
    if (dropout) {
      out.add(rows);
      rows.role = "dropout mask";
      rows.kind = activation_kind::dropout_mask;
      rows.bits = 8;
      out.add(rows);
    }
    rows.role = "logsumexp";
    rows.kind = activation_kind::softmax_stats;
    rows.only = attention_impl::fused;
    rows.pair = false;  // one per score row: per head per query
    rows.bits = 32;
    out.add(rows);
    return;
  }
  saved_tensor p = tensor_of(m, op, spec.inputs[0], "probabilities", activation_kind::attention_probs, true);
  p.core_attention = true;
  p.only = attention_impl::unfused;
  out.add(p);  // AV
  out.add(tensor_of(m, op, spec.inputs[1], "v", activation_kind::attention_operand, true));
}

// A norm keeps its input (its weight's einsum reads the normalised input; a LayerNorm's
// bias einsum adds nothing). Per-row statistics (mean, rstd) are not counted.
constexpr void save_norm(saved_list& out, const model_config& m, const layer_einsum& op, activation_kind kind) {
  if (!ends_with(op.name, "norm") && !ends_with(op.name, "norms")) return;  // biases keep nothing
  saved_tensor x = tensor_of(m, op, op.spec->inputs[0], "input", kind, false);
  out.add(x);
  // Optionally its per-row statistics in fp32: LayerNorm's mean and rstd, RMSNorm's rstd,
  // one row per normalised vector (per token, or per head for a per-head qk-norm).
  if (op.weight < 0) return;
  x.role = "statistics (fp32)";
  x.elements = x.elements / unit_elements(op, op.spec->inputs[op.weight]) * (m.norm == norm_kind::layernorm ? 2 : 1);
  x.bits = 32;
  x.norm_statistics = true;
  out.add(x);
}

// A tensor of d_model elements per token outside the tensor-parallel regions.
constexpr saved_tensor hidden_tensor(const model_config& m, std::string_view op, std::string_view role,
                                     activation_kind kind, unsigned bits = 0) {
  saved_tensor x;
  x.op = op;
  x.role = role;
  x.kind = kind;
  x.elements = m.d_model;
  x.bits = bits;
  return x;
}

// Everything block `layer` keeps, for every recompute policy and attention implementation
// (the layout picks).
constexpr saved_list layer_tensors(const model_config& m, const lowered_model& ops, std::uint64_t layer,
                                   bool dropout) {
  saved_list out;
  for (const layer_einsum& op : ops) {
    if (!in_layer(m, op, layer)) continue;
    switch (op.kind) {
      case op_kind::matmul: save_matmul(out, m, op); break;
      case op_kind::attention: save_attention(out, m, op, dropout); break;
      case op_kind::elementwise: save_norm(out, m, op, activation_kind::norm_input); break;
      case op_kind::lookup: break;
    }
  }
  // Dropout after the attention and after the FFN, before each residual add (which keeps
  // nothing).
  if (dropout) {
    out.add(hidden_tensor(m, "attention", "output dropout mask", activation_kind::dropout_mask, 8));
    out.add(hidden_tensor(m, "ffn", "output dropout mask", activation_kind::dropout_mask, 8));
  }
  saved_tensor input = hidden_tensor(m, "layer", "input (recompute checkpoint)", activation_kind::layer_input);
  input.full_recompute_keeps = true;
  out.add(input);
  return out;
}

// What the first model chunk keeps before its blocks: the token ids the embedding's backward
// scatters into (int64, on every TP rank) and the embedding dropout mask.
constexpr saved_list embedding_tensors(const model_config& m, bool dropout) {
  saved_list out;
  saved_tensor ids = hidden_tensor(m, "embed_tokens", "token ids", activation_kind::embedding, 64);
  ids.elements = 1;
  ids.sequence_sharded = false;
  out.add(ids);
  if (dropout) out.add(hidden_tensor(m, "embed_tokens", "dropout mask", activation_kind::embedding, 8));
  return out;
}

// What the last model chunk keeps after its blocks: the final norm's input, lm_head's input,
// and the logits the loss keeps (in fp32, split over the vocabulary by TP).
constexpr saved_list head_tensors(const model_config& m, const lowered_model& ops) {
  saved_list out;
  for (const layer_einsum& op : ops) {
    if (op.in_block) continue;
    if (op.kind == op_kind::elementwise) save_norm(out, m, op, activation_kind::head);
    if (op.kind != op_kind::matmul || op.part != component::head || op.weight < 0) continue;
    saved_tensor in = tensor_of(m, op, op.spec->inputs[op.weight == 0 ? 1 : 0], "input", activation_kind::head, true);
    out.add(in);
    saved_tensor logits = tensor_of(m, op, op.spec->output, "logits (loss, fp32)", activation_kind::head, false);
    logits.bits = 32;
    out.add(logits);
  }
  return out;
}

}  // namespace detail
}  // namespace txmath

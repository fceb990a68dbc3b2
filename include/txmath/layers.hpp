#pragma once
// A model config, lowered to named einsums. Every parameter and every FLOP txmath reports
// for a model is a sum over this list, so no cost formula is written twice: the parameters
// of a projection are the elements of its weight operand, its FLOPs are einsum's cost.
//
//   constexpr auto ops = txmath::lower(txmath::presets::llama_3_8b);
//   for (const auto& op : ops) ... op.name, op.part, op.spec->str(), op.layers, op.unit.flops
//
// Each einsum is costed once at unit size: per token (b = t = 1) for projections and
// elementwise ops, per (query, key) pair (b = t = s = 1) for the attention products. Every
// such op is linear in those sizes, so the cost of any batch and length is a product.
//
// Conventions:
// - Biases, norm weights and the gating product are elementwise einsums ("btd,d->btd",
//   "btf,btf->btf"): their weight operand holds the parameters; their FLOPs are counted only
//   when flop_options::count_elementwise asks (matmul FLOPs only by default, as in Kaplan,
//   Chinchilla, Megatron and the seeds). Activations, softmax, norm statistics and residual
//   adds are not einsums and are never counted.
// - Embedding and position tables are lookups: parameters, no FLOPs.
// - A tied head is a matmul with FLOPs whose weight is the embedding (no new parameters).
// - Routed experts: `copies` = n_experts hold parameters, `active` = top_k run per token.
// - Per-layer patterns (model.hpp): an op holds the count of layers it occurs in. Attention
//   products are split into the windowed layers ("scores.window", with `window` and `chunked`)
//   and the global ones ("scores"); the FFN into dense layers and MoE layers. k_proj and
//   v_proj (MLA: kv_a_proj) are marked kv_cached: the KV cache reads its widths from them.
#include <cstddef>
#include <cstdint>
#include <iterator>
// std::construct_at: libstdc++ has it in a small internal header; all of <memory> would
// double this header's compile time.
#if __has_include(<bits/stl_construct.h>)
#include <bits/stl_construct.h>
#else
#include <memory>
#endif
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include <txmath/core/count.hpp>
#include <txmath/einsum.hpp>
#include <txmath/model.hpp>

TXMATH_DEFINE_ERROR(txmath_error_lowered_model_is_full, invalid_argument)

namespace txmath {

// What a parameter or a FLOP belongs to.
enum class component : std::uint8_t {
  embedding,       // token embedding table (and a tied head's weight)
  position,        // learned position table
  attention,       // q, k, v, o projections, their biases and qk-norms, QK^T and AV, MLA
  ffn,             // dense FFN (every layer of a dense model, first_k_dense of an MoE)
  experts,         // routed experts
  shared_experts,  // always-on experts (and Qwen2-MoE's shared-expert gate)
  router,          // expert router (and its bias)
  norms,           // per-layer and final norms
  head,            // lm_head (untied) and its bias
};
inline constexpr std::size_t n_components = 9;

[[nodiscard]] constexpr std::string_view name_of(component c) {
  switch (c) {
    case component::embedding: return "embedding";
    case component::position: return "position";
    case component::attention: return "attention";
    case component::ffn: return "ffn";
    case component::experts: return "experts";
    case component::shared_experts: return "shared_experts";
    case component::router: return "router";
    case component::norms: return "norms";
    case component::head: return "head";
  }
  return "?";
}

enum class op_kind : std::uint8_t {
  matmul,       // a contraction with a weight: costed per token
  attention,    // QK^T or AV: costed per (query, key) pair, scaled by the causal counting
  elementwise,  // bias, norm weight, gating product: counted on request
  lookup,       // an embedding table: parameters, no FLOPs
};

// One named einsum of the lowered model.
struct layer_einsum {
  struct dim {
    char label = 0;
    std::uint64_t size = 0;
  };
  static constexpr std::size_t max_dims = 8;

  std::string_view name{};       // "q_proj", "scores", "experts.down"
  component part = component::attention;
  op_kind kind = op_kind::matmul;
  const einsum_spec* spec = nullptr;
  dim dims[max_dims]{};          // model sizes; b, t (and s) are 1 in `unit`
  std::size_t n_dims = 0;
  int weight = -1;               // operand holding parameters, -1: none
  bool shared_weight = false;    // a tied head: the weight is the embedding's
  std::uint64_t layers = 1;      // layers containing it (1 outside the blocks)
  std::uint64_t copies = 1;      // parameter copies per layer (n_experts, norms_per_layer)
  std::uint64_t active = 1;      // copies run per token (top_k)
  std::uint64_t window = 0;      // attention ops: the window of these layers (0: none)
  bool chunked = false;          // attention ops: the window is fixed chunks (Llama 4), not sliding
  bool kv_cached = false;        // its output is what the KV cache keeps (k, v, MLA's latent)
  bool in_block = true;          // inside a transformer block (recomputed by block remat)

  // Filled by lower(): einsum's FLOPs at unit size, and the weight's element count. (Bytes
  // moved depend on b and t through more than a factor: cost(*spec, sizes(b, t, s)) has them.)
  struct unit_cost {
    txmath::flops flops{};
    count macs{};
    txmath::flops backward_flops{};
  };
  unit_cost unit{};
  count weight_elements{};
  count output_elements{};  // of the output at unit size: per token for a projection

  // The sizes, with batch b, query length t and key length s bound as given.
  [[nodiscard]] constexpr index_sizes sizes(count b = 1, count t = 1, count s = 1) const {
    index_sizes z{{'b', b}, {'t', t}, {'s', s}};
    for (std::size_t i = 0; i < n_dims; ++i) z.set(static_cast<char32_t>(static_cast<unsigned char>(dims[i].label)), dims[i].size);
    return z;
  }
  [[nodiscard]] constexpr count size_of(char label) const {
    for (std::size_t i = 0; i < n_dims; ++i)
      if (dims[i].label == label) return dims[i].size;
    return 1;
  }
  // Parameters of this op in the whole model, and those used per token.
  [[nodiscard]] constexpr count params() const {
    return weight < 0 || shared_weight ? count{} : weight_elements * layers * copies;
  }
  [[nodiscard]] constexpr count active_params() const {
    return weight < 0 || shared_weight ? count{} : weight_elements * layers * active;
  }
  // Forward FLOPs per token (or per pair for attention ops), all layers and active copies.
  [[nodiscard]] constexpr count unit_flops() const { return unit.flops.value() * layers * active; }
  [[nodiscard]] constexpr count unit_backward_flops() const { return unit.backward_flops.value() * layers * active; }
};

namespace detail {
struct op_builder;
}

// The lowered model: a fixed-capacity list (a constant, so it works in static_assert).
class lowered_model {
  // Storage that is not zeroed up front (a slot holds an op once added): lowering at run
  // time then writes only the ops it makes. A union keeps it usable in constant evaluation.
  union slot {
    char none;  // active until an op is added (a constant needs an active member)
    layer_einsum op;
    constexpr slot() {
      if (std::is_constant_evaluated()) none = 0;
    }
  };

 public:
  static constexpr std::size_t capacity = 64;

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = layer_einsum;
    using difference_type = std::ptrdiff_t;
    using pointer = const layer_einsum*;
    using reference = const layer_einsum&;
    constexpr iterator() = default;
    constexpr const layer_einsum& operator*() const { return at_->op; }
    constexpr const layer_einsum* operator->() const { return &at_->op; }
    constexpr iterator& operator++() {
      ++at_;
      return *this;
    }
    constexpr iterator operator++(int) {
      iterator old = *this;
      ++at_;
      return old;
    }
    friend constexpr bool operator==(iterator, iterator) = default;

   private:
    friend class lowered_model;
    constexpr explicit iterator(const slot* at) : at_(at) {}
    const slot* at_ = nullptr;
  };

  constexpr lowered_model() = default;
  [[nodiscard]] constexpr iterator begin() const { return iterator(slots_); }
  [[nodiscard]] constexpr iterator end() const { return iterator(slots_ + n_); }
  [[nodiscard]] constexpr std::size_t size() const { return n_; }
  [[nodiscard]] constexpr const layer_einsum& operator[](std::size_t i) const { return slots_[i].op; }
  // The first op with this name, or nullptr.
  [[nodiscard]] constexpr const layer_einsum* find(std::string_view name) const {
    for (std::size_t i = 0; i < n_; ++i)
      if (slots_[i].op.name == name) return &slots_[i].op;
    return nullptr;
  }

  // Adds an op (skipped when it occurs in no layer), costs it at unit size.
  constexpr void add(const layer_einsum& op) {
    if (op.layers == 0 || op.copies == 0) return;
    emplace() = op;
    commit();
  }

 private:
  friend struct detail::op_builder;
  // Starts the op in the next slot; commit() costs it once filled and counts it in size().
  // The largest lowering fills about 45 of the 64 slots.
  constexpr layer_einsum& emplace() {
    if (n_ == capacity)
      TXMATH_FAIL(txmath_error_lowered_model_is_full, invalid_argument,
                  "txmath: a lowered model holds at most " + std::to_string(capacity) + " einsums");
    // (Default-initialised at run time: construct_at would value-initialise, a memset first.)
    if (std::is_constant_evaluated()) return *std::construct_at(&slots_[n_].op);
    return *::new (static_cast<void*>(&slots_[n_].op)) layer_einsum;
  }
  constexpr void commit() {
    cost_at_unit_size(slots_[n_].op);
    ++n_;
  }
  // Fills op.unit and op.weight_elements: b = t = s = 1, the model sizes from op.dims.
  static constexpr void cost_at_unit_size(layer_einsum& op) {
    if (op.spec == nullptr || op.n_dims > layer_einsum::max_dims)
      TXMATH_FAIL(txmath_error_einsum_missing_size_for_index, invalid_argument,
                  "txmath: op '" + std::string(op.name) + "' needs a spec and at most " +
                      std::to_string(layer_einsum::max_dims) + " dims, has n_dims = " +
                      std::to_string(op.n_dims));
    const einsum_spec& spec = *op.spec;
    // Every index needs a size: at most b, t, s and the op's dims.
    std::uint64_t size[layer_einsum::max_dims + 3];  // the first n_labels are set
    if (spec.n_labels > layer_einsum::max_dims + 3)
      TXMATH_FAIL(txmath_error_einsum_missing_size_for_index, invalid_argument,
                  "txmath: op '" + std::string(op.name) + "' (" + spec.str() + ") has " +
                      std::to_string(spec.n_labels) + " indices, more than b, t, s and its dims");
    for (std::uint8_t id = 0; id < spec.n_labels; ++id) {
      const char32_t c = spec.labels[id];
      size[id] = 1;
      if (c == 'b' || c == 't' || c == 's') continue;
      std::size_t i = 0;
      while (i < op.n_dims && static_cast<unsigned char>(op.dims[i].label) != c) ++i;
      if (i == op.n_dims)
        TXMATH_FAIL(txmath_error_einsum_missing_size_for_index, invalid_argument,
                    "txmath: op '" + std::string(op.name) + "' (" + spec.str() +
                        "): no size given for index '" + label_text(c) + "'");
      size[id] = op.dims[i].size;
    }
    const einsum_cost c = detail::cost_of_sizes</*with_bytes=*/false>(spec, size, {}, ~0u);
    op.unit = {c.flops, c.macs, c.backward_flops};
    if (op.weight >= 0) {
      if (static_cast<std::size_t>(op.weight) >= spec.n_inputs)
        TXMATH_FAIL(txmath_error_einsum_operand_index_out_of_range, invalid_argument,
                    "txmath: op '" + std::string(op.name) + "' (" + spec.str() + ") has no operand " +
                        std::to_string(op.weight));
      op.weight_elements = term_elements(spec.inputs[op.weight], size);
    }
    op.output_elements = term_elements(spec.output, size);
  }

  slot slots_[capacity];
  std::size_t n_ = 0;
};

namespace detail {
// Terse builders for the lowering below.
struct op_builder {
  lowered_model& out;
  component part;
  std::uint64_t layers;
  bool in_block;

  // Adds the op and returns it (nullptr when it is in no layer) for flags to be set.
  constexpr layer_einsum* add(std::string_view name, op_kind kind, const einsum_spec& spec, int weight,
                              std::initializer_list<layer_einsum::dim> dims, std::uint64_t copies = 1,
                              std::uint64_t active = 1, std::uint64_t window = 0, bool shared = false) const {
    if (layers == 0 || copies == 0) return nullptr;  // in no layer
    layer_einsum& op = out.emplace();  // written in place: no copy of a layer_einsum
    op.name = name;
    op.part = part;
    op.kind = kind;
    op.spec = &spec;
    for (const auto& d : dims) op.dims[op.n_dims++] = d;
    op.weight = weight;
    op.shared_weight = shared;
    op.layers = layers;
    op.copies = copies;
    op.active = active;
    op.window = window;
    op.in_block = in_block;
    out.commit();
    return &op;
  }
};

// Op names of an FFN, per component (string_views to literals, so they stay valid).
struct ffn_names {
  std::string_view gate, gate_bias, up, up_bias, mul, down, down_bias;
};
inline constexpr ffn_names dense_ffn{"gate_proj", "gate_bias", "up_proj", "up_bias",
                                     "gate_mul", "down_proj", "down_bias"};
inline constexpr ffn_names expert_ffn{"experts.gate_proj", "experts.gate_bias", "experts.up_proj",
                                      "experts.up_bias", "experts.gate_mul", "experts.down_proj",
                                      "experts.down_bias"};
inline constexpr ffn_names shared_ffn{"shared.gate_proj", "shared.gate_bias", "shared.up_proj",
                                      "shared.up_bias", "shared.gate_mul", "shared.down_proj",
                                      "shared.down_bias"};

// An FFN of width f: plain (up, down) or gated (gate, up, gate * up, down).
constexpr void lower_ffn(const op_builder& o, const ffn_names& nm, ffn_kind kind, std::uint64_t d,
                         std::uint64_t f, bool bias, std::uint64_t copies, std::uint64_t active) {
  const auto mm = op_kind::matmul, ew = op_kind::elementwise;
  if (kind == ffn_kind::gated) {
    o.add(nm.gate, mm, einsum<"btd,df->btf">, 1, {{'d', d}, {'f', f}}, copies, active);
    if (bias) o.add(nm.gate_bias, ew, einsum<"btf,f->btf">, 1, {{'f', f}}, copies, active);
  }
  o.add(nm.up, mm, einsum<"btd,df->btf">, 1, {{'d', d}, {'f', f}}, copies, active);
  if (bias) o.add(nm.up_bias, ew, einsum<"btf,f->btf">, 1, {{'f', f}}, copies, active);
  if (kind == ffn_kind::gated) o.add(nm.mul, ew, einsum<"btf,btf->btf">, -1, {{'f', f}}, copies, active);
  o.add(nm.down, mm, einsum<"btf,fd->btd">, 1, {{'f', f}, {'d', d}}, copies, active);
  if (bias) o.add(nm.down_bias, ew, einsum<"btd,d->btd">, 1, {{'d', d}}, copies, active);
}

// Flags for ops once added (add() returns nullptr for an op in no layer).
constexpr void mark_cached(layer_einsum* op) {
  if (op != nullptr) op->kv_cached = true;
}
constexpr void mark_chunked(layer_einsum* op, const attention_config& a) {
  if (op != nullptr && op->window != 0) op->chunked = a.windowing == window_kind::chunked;
}

constexpr void lower_norm(const op_builder& o, std::string_view w_name, std::string_view b_name,
                          norm_kind kind, char label, std::uint64_t size, std::uint64_t copies) {
  // The norm's scale (and LayerNorm's shift) as an elementwise einsum over one index.
  const einsum_spec* spec = label == 'd' ? &einsum<"btd,d->btd"> : (label == 'q' ? &einsum<"btq,q->btq"> : &einsum<"btr,r->btr">);
  o.add(w_name, op_kind::elementwise, *spec, 1, {{label, size}}, copies, copies);
  if (kind == norm_kind::layernorm)
    o.add(b_name, op_kind::elementwise, *spec, 1, {{label, size}}, copies, copies);
}
}  // namespace detail

// Lowers a (validated) config to its named einsums.
constexpr lowered_model lower(const model_config& cfg) {
  const model_config& m = validate(cfg);
  lowered_model out;
  const auto mm = op_kind::matmul, ew = op_kind::elementwise, at = op_kind::attention;
  const std::uint64_t d = m.d_model, L = m.n_layers;
  const auto& a = m.attention;

  // Embeddings (outside the blocks).
  {
    const detail::op_builder o{out, component::embedding, 1, false};
    o.add("embed_tokens", op_kind::lookup, einsum<"vd->vd">, 0, {{'v', m.vocab}, {'d', d}});
  }
  if (m.position == position_kind::learned) {
    const detail::op_builder o{out, component::position, 1, false};
    o.add("embed_positions", op_kind::lookup, einsum<"pd->pd">, 0,
          {{'p', m.max_positions + m.position_offset}, {'d', d}});
    o.add("position_add", ew, einsum<"btd,td->btd">, -1, {{'d', d}});
  }

  // Attention, in every layer.
  {
    const detail::op_builder o{out, component::attention, L, true};
    // Sliding-window layers and full layers differ only in the keys a query sees.
    const std::uint64_t sliding = m.n_sliding_layers();
    const detail::op_builder win{out, component::attention, sliding, true};
    const detail::op_builder full{out, component::attention, L - sliding, true};

    if (a.kind == attention_kind::standard) {
      const std::uint64_t k = m.kv_heads(), g = a.n_heads / k, e = m.head_dim();
      o.add("q_proj", mm, einsum<"btd,dkge->btkge">, 1, {{'d', d}, {'k', k}, {'g', g}, {'e', e}});
      if (a.qkv_bias) o.add("q_bias", ew, einsum<"btkge,kge->btkge">, 1, {{'k', k}, {'g', g}, {'e', e}});
      detail::mark_cached(o.add("k_proj", mm, einsum<"btd,dke->btke">, 1, {{'d', d}, {'k', k}, {'e', e}}));
      if (a.qkv_bias) o.add("k_bias", ew, einsum<"btke,ke->btke">, 1, {{'k', k}, {'e', e}});
      detail::mark_cached(o.add("v_proj", mm, einsum<"btd,dkw->btkw">, 1, {{'d', d}, {'k', k}, {'w', e}}));
      if (a.qkv_bias) o.add("v_bias", ew, einsum<"btkw,kw->btkw">, 1, {{'k', k}, {'w', e}});
      if (a.qk_norm == qk_norm_kind::per_head) {
        o.add("q_norm", ew, einsum<"btkge,e->btkge">, 1, {{'k', k}, {'g', g}, {'e', e}});
        o.add("k_norm", ew, einsum<"btke,e->btke">, 1, {{'k', k}, {'e', e}});
      } else if (a.qk_norm == qk_norm_kind::full) {
        o.add("q_norm", ew, einsum<"btkge,kge->btkge">, 1, {{'k', k}, {'g', g}, {'e', e}});
        o.add("k_norm", ew, einsum<"btke,ke->btke">, 1, {{'k', k}, {'e', e}});
      }
      for (const auto* b : {&win, &full}) {
        const std::uint64_t w = b == &win ? a.sliding_window : 0;
        detail::mark_chunked(b->add(w ? "scores.window" : "scores", at, einsum<"btkge,bske->bkgts">, -1,
                                    {{'k', k}, {'g', g}, {'e', e}}, 1, 1, w), a);
        detail::mark_chunked(b->add(w ? "values.window" : "values", at, einsum<"bkgts,bskw->btkgw">, -1,
                                    {{'k', k}, {'g', g}, {'w', e}}, 1, 1, w), a);
      }
      // gpt-oss: one learned logit per head joins each softmax's normaliser.
      if (a.sinks) o.add("sinks", ew, einsum<"btkg,kg->btkg">, 1, {{'k', k}, {'g', g}});
      o.add("o_proj", mm, einsum<"btkgw,kgwd->btd">, 1, {{'k', k}, {'g', g}, {'w', e}, {'d', d}});
    } else {
      // DeepSeek MLA: q (optionally through a rank-q_lora bottleneck with a norm), a joint
      // kv compression to kv_lora_rank (+ the shared rope key), its norm, and the expansion
      // to per-head nope keys and values.
      const std::uint64_t n = a.n_heads, e = a.qk_nope_head_dim + a.qk_rope_head_dim;
      if (a.q_lora_rank == 0) {
        o.add("q_proj", mm, einsum<"btd,dne->btne">, 1, {{'d', d}, {'n', n}, {'e', e}});
      } else {
        o.add("q_a_proj", mm, einsum<"btd,dq->btq">, 1, {{'d', d}, {'q', a.q_lora_rank}});
        detail::lower_norm(o, "q_a_norm", "q_a_norm.bias", m.norm, 'q', a.q_lora_rank, 1);
        o.add("q_b_proj", mm, einsum<"btq,qne->btne">, 1, {{'q', a.q_lora_rank}, {'n', n}, {'e', e}});
      }
      // The latent (and the shared rope key) is what MLA caches (DeepSeek-V2, Table 1).
      detail::mark_cached(
          o.add("kv_a_proj", mm, einsum<"btd,dc->btc">, 1, {{'d', d}, {'c', a.kv_lora_rank + a.qk_rope_head_dim}}));
      detail::lower_norm(o, "kv_a_norm", "kv_a_norm.bias", m.norm, 'r', a.kv_lora_rank, 1);
      o.add("kv_b_proj", mm, einsum<"btr,rnz->btnz">, 1,
            {{'r', a.kv_lora_rank}, {'n', n}, {'z', a.qk_nope_head_dim + a.v_head_dim}});
      for (const auto* b : {&win, &full}) {
        const std::uint64_t w = b == &win ? a.sliding_window : 0;
        detail::mark_chunked(b->add(w ? "scores.window" : "scores", at, einsum<"btne,bsne->bnts">, -1,
                                    {{'n', n}, {'e', e}}, 1, 1, w), a);
        detail::mark_chunked(b->add(w ? "values.window" : "values", at, einsum<"bnts,bsnw->btnw">, -1,
                                    {{'n', n}, {'w', a.v_head_dim}}, 1, 1, w), a);
      }
      if (a.sinks) o.add("sinks", ew, einsum<"btn,n->btn">, 1, {{'n', n}});
      o.add("o_proj", mm, einsum<"btnw,nwd->btd">, 1, {{'n', n}, {'w', a.v_head_dim}, {'d', d}});
    }
    if (a.o_bias) o.add("o_bias", ew, einsum<"btd,d->btd">, 1, {{'d', d}});
  }

  // Norms in the blocks.
  detail::lower_norm({out, component::norms, L, true}, "block_norms", "block_norms.bias", m.norm, 'd', d,
                     m.norms_per_layer);

  // FFN: dense layers, then MoE layers (routed experts, shared experts, router).
  const std::uint64_t moe_layers = m.n_moe_layers();
  detail::lower_ffn({out, component::ffn, L - moe_layers, true}, detail::dense_ffn, m.ffn.kind, d, m.ffn.d_ff,
                    m.ffn.bias, 1, 1);
  if (moe_layers != 0) {
    const auto& e = m.moe;
    detail::lower_ffn({out, component::experts, moe_layers, true}, detail::expert_ffn, m.ffn.kind, d,
                      e.d_ff_expert, e.expert_bias, e.n_experts, e.top_k);
    if (m.shared_width() != 0) {
      const detail::op_builder s{out, component::shared_experts, moe_layers, true};
      detail::lower_ffn(s, detail::shared_ffn, m.ffn.kind, d, m.shared_width(), false, 1, 1);
      if (e.shared_expert_gate) s.add("shared.gate", mm, einsum<"btd,d->bt">, 1, {{'d', d}});
    }
    const detail::op_builder r{out, component::router, moe_layers, true};
    r.add("router", mm, einsum<"btd,dx->btx">, 1, {{'d', d}, {'x', e.n_experts}});
    if (e.router_bias) r.add("router_bias", ew, einsum<"btx,x->btx">, 1, {{'x', e.n_experts}});
  }

  // Final norm and head.
  if (m.final_norm)
    detail::lower_norm({out, component::norms, 1, false}, "final_norm", "final_norm.bias", m.norm, 'd', d, 1);
  {
    const detail::op_builder o{out, component::head, 1, false};
    o.add("lm_head", mm, einsum<"btd,dv->btv">, 1, {{'d', d}, {'v', m.vocab}}, 1, 1, 0, m.tied_embeddings);
    if (m.lm_head_bias) o.add("lm_head_bias", ew, einsum<"btv,v->btv">, 1, {{'v', m.vocab}});
  }
  return out;
}

// The lowering of a config known at compile time, as a constant (a preset): accounting for
// it at run time then only sums (flops_per_step(lowered<presets::llama_3_8b>, ...)).
template <model_config M>
inline constexpr lowered_model lowered = lower(M);

}  // namespace txmath

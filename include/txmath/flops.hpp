#pragma once
// FLOPs of a model: forward, backward and training, per component, per token, sequence, step
// and run; inference prefill and decode; context-length scaling and crossover lengths. The
// main entry point for model accounting: it brings params.hpp, presets.hpp and model.hpp.
//
//   using namespace txmath;
//   constexpr auto r = flops_per_step(presets::llama_3_8b, {.seq_len = 8192, .batch = 4});
//   r.forward.total, r.training.total, r.training[component::attention], r.per_token()
//   decode_step_flops(presets::llama_3_8b, 4096).total
//
// Every figure is a sum over the lowered einsums (layers.hpp), costed by einsum.hpp.
//
// Conventions (each an option):
// - Causal attention: counted in FULL by default: every query against every key the einsum
//   would contract (t x s pairs; with a sliding window t x min(s, window); with chunked
//   attention, Llama 4, each query against its whole chunk), as in seed 001,
//   Kaplan et al., Chinchilla and PaLM's MFU. `half` counts the masked square as a continuous
//   triangle, t^2 / 2 for t = s (Megatron-LM, FlashAttention's reported FLOPs); `exact`
//   counts the (query, key) pairs the mask keeps, t (t + 1) / 2 for t = s.
// - Only matmul FLOPs by default (projections, QK^T, AV, router, head); biases, norm weights
//   and the gating product are elementwise einsums counted with count_elementwise. Softmax,
//   activations, norm statistics and residual adds are never counted. Embedding lookups
//   cost nothing.
// - Backward: einsum's gradient cost of every operand (2 x forward for a matmul), so training
//   is 3 x forward for matmuls. Recomputation adds forward FLOPs again: `block` (only each
//   block's input is kept: the whole block forward once more; the head is not recomputed, as in
//   Narayanan et al. 2021), `selective` (Korthikanti et al. 2022: QK^T and AV once more).
#include <cstddef>
#include <cstdint>
#include <string>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/einsum.hpp>
#include <txmath/layers.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>
#include <txmath/recompute.hpp>

TXMATH_DEFINE_ERROR(txmath_error_flops_seq_len_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_flops_batch_must_be_positive, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_flops_more_queries_than_keys, invalid_argument)

namespace txmath {

enum class causal_counting : std::uint8_t { full, half, exact };

struct flop_options {
  std::uint64_t seq_len = 0;  // tokens per sequence
  std::uint64_t batch = 1;    // sequences per step
  causal_counting causal = causal_counting::full;
  recompute remat = recompute::none;
  bool count_elementwise = false;
};

// FLOPs by component. attention_core is the part of `attention` spent in QK^T and AV (the
// part that grows with the context); the rest of `attention` is the projections.
struct flop_breakdown {
  txmath::flops by_component[n_components]{};
  txmath::flops attention_core{};
  txmath::flops total{};

  [[nodiscard]] constexpr txmath::flops operator[](component c) const { return by_component[static_cast<std::size_t>(c)]; }
  [[nodiscard]] constexpr txmath::flops attention_projections() const { return (*this)[component::attention] - attention_core; }
  // The FFN in the broad sense: dense FFN, routed and shared experts, router.
  [[nodiscard]] constexpr txmath::flops ffn_all() const {
    return (*this)[component::ffn] + (*this)[component::experts] + (*this)[component::shared_experts] +
           (*this)[component::router];
  }
  // Share of the total (0 when the total is 0).
  [[nodiscard]] constexpr double share(component c) const {
    return total.value() == 0 ? 0.0 : (*this)[c].to_double() / total.to_double();
  }
  [[nodiscard]] constexpr double share_of(txmath::flops part) const {
    return total.value() == 0 ? 0.0 : part.to_double() / total.to_double();
  }

  constexpr void add(component c, txmath::flops f, bool core) {
    by_component[static_cast<std::size_t>(c)] += f;
    if (core) attention_core += f;
    total += f;
  }
  constexpr flop_breakdown& operator+=(const flop_breakdown& o) {
    for (std::size_t c = 0; c < n_components; ++c) by_component[c] += o.by_component[c];
    attention_core += o.attention_core;
    total += o.total;
    return *this;
  }
  [[nodiscard]] constexpr flop_breakdown scaled(count k) const {
    flop_breakdown r;
    for (std::size_t c = 0; c < n_components; ++c) r.by_component[c] = by_component[c] * k;
    r.attention_core = attention_core * k;
    r.total = total * k;
    return r;
  }
};

struct flop_report {
  txmath::tokens tokens{};  // tokens processed (queries): batch x seq_len for a step
  flop_breakdown forward{}, backward{}, recompute{}, training{};

  // Training (or forward) FLOPs per token, as a double: exact figures are per sequence/step/run.
  [[nodiscard]] constexpr quantity<dims::flop, double> per_token() const {
    return quantity<dims::flop, double>(training.total.to_double() / tokens.to_double());
  }
  [[nodiscard]] constexpr quantity<dims::flop, double> forward_per_token() const {
    return quantity<dims::flop, double>(forward.total.to_double() / tokens.to_double());
  }
  constexpr flop_report& operator+=(const flop_report& o) {
    tokens += o.tokens;
    forward += o.forward;
    backward += o.backward;
    recompute += o.recompute;
    training += o.training;
    return *this;
  }
  [[nodiscard]] constexpr flop_report scaled(count k) const {
    return {tokens * k, forward.scaled(k), backward.scaled(k), recompute.scaled(k), training.scaled(k)};
  }
};

// Twice the number of (query, key) pairs attention contracts, for t queries that are the
// last t of s keys (t = s: a training sequence or a prefill; t = 1: a decode step), with a
// sliding window of `window` keys (0: none). Twice, so that `half` stays an integer.
constexpr count attention_pairs_x2(count t, count s, std::uint64_t window, causal_counting c) {
  if (t > s)
    TXMATH_FAIL(txmath_error_flops_more_queries_than_keys, invalid_argument,
                "txmath: attention with " + t.to_string() + " queries but only " + s.to_string() +
                    " keys: the queries are the last tokens of the keys, so give s >= t");
  const count w = window == 0 ? s : count(window);
  if (c == causal_counting::full) return 2 * t * (s < w ? s : w);
  // Query j (0-based) sees keys 1..s-t+j+1 of which at most w: the sum of min(k, w) for
  // k = s-t+1 .. s.
  const count lo = s - t + 1, hi = s < w ? s : w;
  count pairs_x2 = 0;
  if (lo <= hi) pairs_x2 = (lo + hi) * (hi - lo + 1) + 2 * (s - hi) * w;
  else pairs_x2 = 2 * t * w;
  return c == causal_counting::exact ? pairs_x2 : pairs_x2 - t;  // half: the diagonal counts 1/2
}

// The same for chunked attention (Llama 4's attention_chunk_size): the tokens fall into
// chunks of `chunk` (0: none) and key p (0-based) is seen only by the queries of its chunk.
// `exact` counts query p's keys, (p mod chunk) + 1; `full` counts the whole chunk (as far as
// the s keys go) for every query, the square blocks a block-diagonal kernel contracts.
constexpr count chunked_attention_pairs_x2(count t, count s, std::uint64_t chunk, causal_counting c) {
  if (chunk == 0 || t > s) return attention_pairs_x2(t, s, 0, c);  // no chunks (or the error)
  const count n = chunk;
  if (c == causal_counting::full) {
    const count last = s / n * n;  // first key of the last, partial chunk (s when none)
    const count in_last = s - (s - t > last ? s - t : last);  // queries in that chunk
    return 2 * (n * (t - in_last) + (s - last) * in_last);
  }
  // Twice the keys seen by queries 0..k-1: whole chunks give n (n + 1), the rest r (r + 1).
  auto seen_x2 = [n](count k) { return k / n * n * (n + 1) + k % n * (k % n + 1); };
  const count pairs_x2 = seen_x2(s) - seen_x2(s - t);
  return c == causal_counting::exact ? pairs_x2 : pairs_x2 - t;
}

namespace detail {
constexpr void check_positive_sizes(count t, count batch) {
  if (t == 0)
    TXMATH_FAIL(txmath_error_flops_seq_len_must_be_positive, invalid_argument,
                "txmath: flop_options.seq_len = 0: give the tokens per sequence (e.g. .seq_len = 2048)");
  if (batch == 0)
    TXMATH_FAIL(txmath_error_flops_batch_must_be_positive, invalid_argument,
                "txmath: flop_options.batch = 0: give the sequences per step (at least 1)");
}

// Forward and backward FLOPs of one op for `batch` sequences of t queries over s keys.
struct op_flops {
  count forward, backward;
};
constexpr op_flops flops_of(const layer_einsum& op, count batch, count t, count s, const flop_options& o) {
  switch (op.kind) {
    case op_kind::lookup: return {0, 0};
    case op_kind::elementwise:
      if (!o.count_elementwise) return {0, 0};
      [[fallthrough]];
    case op_kind::matmul: {
      const count tokens = batch * t;
      return {op.unit_flops() * tokens, op.unit_backward_flops() * tokens};
    }
    case op_kind::attention: {
      const count p2 = batch * (op.chunked ? chunked_attention_pairs_x2(t, s, op.window, o.causal)
                                           : attention_pairs_x2(t, s, op.window, o.causal));
      return {exact_div(op.unit_flops() * p2, count(2)), exact_div(op.unit_backward_flops() * p2, count(2))};
    }
  }
  return {0, 0};
}
}  // namespace detail

// The FLOPs of `batch` sequences of t new tokens attending to s keys (t = s for training).
constexpr flop_report flops_for(const lowered_model& ops, count batch, count t, count s, const flop_options& o) {
  detail::check_positive_sizes(t, batch);
  flop_report r;
  r.tokens = txmath::tokens(batch * t);
  for (const auto& op : ops) {
    const auto f = detail::flops_of(op, batch, t, s, o);
    const bool core = op.kind == op_kind::attention;
    r.forward.add(op.part, txmath::flops(f.forward), core);
    r.backward.add(op.part, txmath::flops(f.backward), core);
    const bool again = (o.remat == recompute::block && op.in_block) || (o.remat == recompute::selective && core);
    if (again) r.recompute.add(op.part, txmath::flops(f.forward), core);
  }
  r.training = r.forward;
  r.training += r.backward;
  r.training += r.recompute;
  return r;
}

// ---- training ----
// One step: batch sequences of seq_len tokens.
constexpr flop_report flops_per_step(const lowered_model& ops, const flop_options& o) {
  return flops_for(ops, o.batch, o.seq_len, o.seq_len, o);
}
constexpr flop_report flops_per_step(const model_config& m, const flop_options& o) {
  return flops_per_step(lower(m), o);
}
// One sequence of seq_len tokens (batch ignored).
constexpr flop_report flops_per_sequence(const model_config& m, flop_options o) {
  o.batch = 1;
  return flops_per_step(m, o);
}
constexpr txmath::flops forward_flops(const model_config& m, const flop_options& o) {
  return flops_per_step(m, o).forward.total;
}
constexpr txmath::flops backward_flops(const model_config& m, const flop_options& o) {
  return flops_per_step(m, o).backward.total;
}
constexpr txmath::flops training_flops(const model_config& m, const flop_options& o) {
  return flops_per_step(m, o).training.total;
}
// Training FLOPs per token (a double: causal counts make it fractional).
constexpr quantity<dims::flop, double> flops_per_token(const model_config& m, const flop_options& o) {
  return flops_per_sequence(m, o).per_token();
}

// A run over a token budget, in sequences of seq_len (a last partial sequence is a shorter
// sequence). Exact: budget / seq_len whole sequences plus the remainder.
constexpr flop_report flops_per_run(const model_config& m, txmath::tokens budget, flop_options o) {
  const lowered_model ops = lower(m);
  detail::check_positive_sizes(o.seq_len, 1);
  const count n = budget.value() / o.seq_len, rest = budget.value() % o.seq_len;
  flop_report r = flops_for(ops, 1, o.seq_len, o.seq_len, o).scaled(n);
  if (rest != 0) r += flops_for(ops, 1, rest, rest, o);
  return r;
}

// The 6 N D approximation (Kaplan et al.; Chinchilla), with N the active parameters by
// default; compare with flops_per_run(...).training.total.
constexpr txmath::flops six_n_d(txmath::params n, txmath::tokens d) {
  return txmath::flops(count(6) * n.value() * d.value());
}
constexpr txmath::flops six_n_d(const model_config& m, txmath::tokens d) {
  return six_n_d(param_count(m).active, d);
}

// ---- inference ----
// Prefill: a prompt of prompt_len tokens (forward only; training fields hold the forward).
constexpr flop_report prefill_flops(const model_config& m, std::uint64_t prompt_len, std::uint64_t batch = 1,
                                    flop_options o = {}) {
  o.remat = recompute::none;
  auto r = flops_for(lower(m), batch, prompt_len, prompt_len, o);
  r.backward = r.recompute = {};
  r.training = r.forward;
  return r;
}
// One decode step: one new token per sequence attending to kv_len keys (the cache and itself).
constexpr flop_report decode_step_flops(const model_config& m, std::uint64_t kv_len, std::uint64_t batch = 1,
                                        flop_options o = {}) {
  o.remat = recompute::none;
  auto r = flops_for(lower(m), batch, 1, kv_len, o);
  r.backward = r.recompute = {};
  r.training = r.forward;
  return r;
}

// ---- matmul list (seed 001 (b)) ----
struct matmul_entry {
  layer_einsum op{};
  count batch = 1, t = 1, s = 1;  // the sizes bound for this entry
  txmath::flops each{};           // forward FLOPs of one instance (one layer, one expert)
  txmath::flops total{};          // forward FLOPs of all layers and active copies

  // "btd,df->btf: [1024, 1600] x [1600, 6400] -> [1024, 6400]" (size-1 batch omitted).
  std::string str() const {
    const einsum_spec& sp = *op.spec;
    const index_sizes z = op.sizes(batch, t, s);
    auto shape = [&](const einsum_spec::term& term) {
      std::string r = "[";
      bool first = true;
      for (std::uint8_t i = 0; i < term.rank; ++i) {
        const char32_t l = sp.labels[term.index[i]];
        const count n = z[z.find(l)].size;
        if (l == U'b' && n == 1) continue;
        r += (first ? "" : ", ") + n.to_string();
        first = false;
      }
      return r + "]";
    };
    std::string r = sp.str() + ": ";
    for (std::uint8_t k = 0; k < sp.n_inputs; ++k) r += (k ? " x " : "") + shape(sp.inputs[k]);
    return r + " -> " + shape(sp.output);
  }
};
struct matmul_list {
  matmul_entry entries[lowered_model::capacity]{};
  std::size_t n = 0;
  constexpr const matmul_entry* begin() const { return entries; }
  constexpr const matmul_entry* end() const { return entries + n; }
  constexpr std::size_t size() const { return n; }
  constexpr const matmul_entry* find(std::string_view name) const {
    for (std::size_t i = 0; i < n; ++i)
      if (entries[i].op.name == name) return &entries[i];
    return nullptr;
  }
};
// The matmuls (and attention products) of one forward step, with their shapes and FLOPs.
constexpr matmul_list matmuls(const model_config& m, const flop_options& o) {
  detail::check_positive_sizes(o.seq_len, o.batch);
  matmul_list r;
  for (const auto& op : lower(m)) {
    if (op.kind != op_kind::matmul && op.kind != op_kind::attention) continue;
    matmul_entry e;
    e.op = op;
    e.batch = o.batch;
    e.t = o.seq_len;
    e.s = op.kind == op_kind::attention ? o.seq_len : count(1);
    e.total = txmath::flops(detail::flops_of(op, o.batch, o.seq_len, o.seq_len, o).forward);
    e.each = txmath::flops(exact_div(e.total.value(), count(op.layers) * op.active));
    r.entries[r.n++] = e;
  }
  return r;
}

// ---- context length ----
// Training FLOPs of a fixed token budget at context new_len over those at old_len (seed 000:
// L -> 4L): the ratio of FLOPs per token.
constexpr double context_scaling(const model_config& m, std::uint64_t old_len, std::uint64_t new_len,
                                 flop_options o = {}) {
  o.seq_len = old_len;
  const double before = flops_per_sequence(m, o).per_token().value();
  o.seq_len = new_len;
  return flops_per_sequence(m, o).per_token().value() / before;
}

enum class crossover_against : std::uint8_t {
  ffn,           // dense FFN, experts, shared experts and router
  qkvo,          // the attention projections (seed 003 Q5)
  block_matmuls  // every other matmul of the blocks (projections and FFN; seed 003's T = 8D)
};
// The shortest sequence length whose attention core (QK^T and AV) forward FLOPs reach those
// of `against`, or 0 when none up to 2^40 tokens does (e.g. with a short sliding window).
constexpr std::uint64_t crossover_length(const model_config& m, crossover_against against,
                                         causal_counting causal = causal_counting::full) {
  const lowered_model ops = lower(m);
  const flop_options o{.seq_len = 1, .causal = causal};
  auto reached = [&](std::uint64_t t) {
    const auto f = flops_for(ops, 1, t, t, o).forward;
    const txmath::flops other = against == crossover_against::ffn    ? f.ffn_all()
                                : against == crossover_against::qkvo ? f.attention_projections()
                                                                     : f.attention_projections() + f.ffn_all();
    return f.attention_core >= other;
  };
  std::uint64_t lo = 1, hi = std::uint64_t{1} << 40;
  if (!reached(hi)) return 0;
  while (lo < hi) {  // attention per token grows with t, the rest does not: monotone
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (reached(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

}  // namespace txmath

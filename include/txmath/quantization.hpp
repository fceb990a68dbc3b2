#pragma once
// How a model's weights are stored for inference or a frozen fine-tuning base: which tensors
// are quantized, in which format, and the exact bytes that follow.
//
//   using namespace txmath;
//   quantized_weight_bytes(presets::llama_2_7b, weight_quantizations::gguf(gguf_ftype::q4_k_m))
//       // 4,080,263,168 B: TheBloke's llama-2-7b Q4_K_M file is "4.08 GB"
//   quantized_weight_bytes(presets::llama_3_8b, weight_quantizations::fp8)
//
// Two kinds of scheme:
// - A weight_format (memory.hpp: fp8, int8, int4 with group scales, NF4, NF4 with double
//   quantization) for the linear layers inside the blocks, and another (bf16 by default) for
//   the rest: embeddings, head, norms, biases and the MoE router. This is what GPTQ, AWQ,
//   bitsandbytes and vLLM's fp8 do: they quantize nn.Linear layers of the blocks only.
// - A llama.cpp GGUF file type (Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0, ...): llama.cpp picks a
//   ggml type per tensor (src/llama-quant.cpp, llama_tensor_get_type_impl, llama.cpp commit
//   007dbbf). The "_M" mixes give attn_v and ffn_down Q6_K in the layers where
//   use_more_bits(i, n) = i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2 holds; the output
//   matrix (and a tied token_embd) gets Q6_K unless the file type is Q8_0; 1-D tensors (norms,
//   biases) and the router stay F32. Implemented here: the rules of the file types below for
//   dense and MoE models (Llama-2-70B's attn_v upgrade, the 8-expert Q8_0 attn_k/attn_v),
//   and the fallback of a row length not divisible by a K-quant's 256. MLA's tensors have no
//   special rule here (llama.cpp treats attn_kv_b like attn_v).
//
// ggml block layouts (ggml/src/ggml-common.h, llama.cpp commit 01243c5): a block of
// `weights` values takes `bytes` bytes:
//   Q4_0 32/18 (fp16 scale + 16 B of nibbles: 4.5 bits)  Q4_1 32/20 (5.0)  Q5_0 32/22 (5.5)
//   Q5_1 32/24 (6.0)  Q8_0 32/34 (8.5)  Q2_K 256/84 (2.625)  Q3_K 256/110 (3.4375)
//   Q4_K 256/144 (4.5)  Q5_K 256/176 (5.5)  Q6_K 256/210 (6.5625)  F16, BF16 1/2  F32 1/4.
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/layers.hpp>
#include <txmath/memory.hpp>
#include <txmath/model.hpp>

TXMATH_DEFINE_ERROR(txmath_error_ggml_row_not_divisible_by_block, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_unknown_gguf_file_type, invalid_argument)

namespace txmath {

// ---- ggml tensor types ------------------------------------------------------------------

enum class ggml_type : std::uint8_t { f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k, q5_k, q6_k };

struct ggml_block {
  std::string_view name;
  std::uint64_t weights = 1;  // values per block
  std::uint64_t bytes = 1;    // bytes per block
};

[[nodiscard]] constexpr ggml_block block_of(ggml_type t) {
  switch (t) {
    case ggml_type::f32: return {"F32", 1, 4};
    case ggml_type::f16: return {"F16", 1, 2};
    case ggml_type::bf16: return {"BF16", 1, 2};
    case ggml_type::q4_0: return {"Q4_0", 32, 18};
    case ggml_type::q4_1: return {"Q4_1", 32, 20};
    case ggml_type::q5_0: return {"Q5_0", 32, 22};
    case ggml_type::q5_1: return {"Q5_1", 32, 24};
    case ggml_type::q8_0: return {"Q8_0", 32, 34};
    case ggml_type::q2_k: return {"Q2_K", 256, 84};
    case ggml_type::q3_k: return {"Q3_K", 256, 110};
    case ggml_type::q4_k: return {"Q4_K", 256, 144};
    case ggml_type::q5_k: return {"Q5_K", 256, 176};
    case ggml_type::q6_k: return {"Q6_K", 256, 210};
  }
  return {};
}

// Storage bits per weight of a ggml type: 4.5 for Q4_0, 6.5625 for Q6_K.
[[nodiscard]] constexpr double bits_per_weight(ggml_type t) {
  const ggml_block b = block_of(t);
  return 8.0 * static_cast<double>(b.bytes) / static_cast<double>(b.weights);
}

// Bytes of a tensor of `elements` values in rows of `row` values (ggml quantizes each row in
// whole blocks, so the row length must be a multiple of the block).
[[nodiscard]] constexpr bytes ggml_bytes(count elements, count row, ggml_type t) {
  const ggml_block b = block_of(t);
  if (row == 0 || row % b.weights != 0 || elements % row != 0)
    TXMATH_FAIL(txmath_error_ggml_row_not_divisible_by_block, invalid_argument,
                "txmath: a ggml " + std::string(b.name) + " tensor needs rows of a multiple of " +
                    std::to_string(b.weights) + " values; row = " + row.to_string() +
                    ", elements = " + elements.to_string());
  return bytes(elements / b.weights * b.bytes);
}

// ---- GGUF file types (llama-quantize's presets) -----------------------------------------

enum class gguf_ftype : std::uint8_t {
  none,  // not a GGUF scheme
  f16, bf16, q8_0, q6_k, q5_k_m, q5_k_s, q5_1, q5_0, q4_k_m, q4_k_s, q4_1, q4_0, q3_k_l, q3_k_m, q3_k_s, q2_k
};

namespace detail {
struct gguf_ftype_entry {
  std::string_view name;
  gguf_ftype ftype;
  ggml_type base;  // the type of every tensor no rule changes
};
inline constexpr gguf_ftype_entry gguf_ftypes[] = {
    {"F16", gguf_ftype::f16, ggml_type::f16},        {"BF16", gguf_ftype::bf16, ggml_type::bf16},
    {"Q8_0", gguf_ftype::q8_0, ggml_type::q8_0},     {"Q6_K", gguf_ftype::q6_k, ggml_type::q6_k},
    {"Q5_K_M", gguf_ftype::q5_k_m, ggml_type::q5_k}, {"Q5_K_S", gguf_ftype::q5_k_s, ggml_type::q5_k},
    {"Q5_1", gguf_ftype::q5_1, ggml_type::q5_1},     {"Q5_0", gguf_ftype::q5_0, ggml_type::q5_0},
    {"Q4_K_M", gguf_ftype::q4_k_m, ggml_type::q4_k}, {"Q4_K_S", gguf_ftype::q4_k_s, ggml_type::q4_k},
    {"Q4_1", gguf_ftype::q4_1, ggml_type::q4_1},     {"Q4_0", gguf_ftype::q4_0, ggml_type::q4_0},
    {"Q3_K_L", gguf_ftype::q3_k_l, ggml_type::q3_k}, {"Q3_K_M", gguf_ftype::q3_k_m, ggml_type::q3_k},
    {"Q3_K_S", gguf_ftype::q3_k_s, ggml_type::q3_k}, {"Q2_K", gguf_ftype::q2_k, ggml_type::q2_k}};

constexpr const gguf_ftype_entry& entry_of(gguf_ftype f) {
  for (const auto& e : gguf_ftypes)
    if (e.ftype == f) return e;
  TXMATH_FAIL(txmath_error_unknown_gguf_file_type, invalid_argument,
              "txmath: gguf_ftype::none is not a GGUF file type");
}
constexpr bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'a' && a[i] <= 'z' ? static_cast<char>(a[i] - 'a' + 'A') : a[i];
    const char y = b[i] >= 'a' && b[i] <= 'z' ? static_cast<char>(b[i] - 'a' + 'A') : b[i];
    if (x != y) return false;
  }
  return true;
}
}  // namespace detail

[[nodiscard]] constexpr std::string_view name_of(gguf_ftype f) {
  return f == gguf_ftype::none ? std::string_view("none") : detail::entry_of(f).name;
}

// "Q4_K_M", "q4_k_m", ... (case-insensitive).
[[nodiscard]] constexpr gguf_ftype parse_gguf_ftype(std::string_view s) {
  for (const auto& e : detail::gguf_ftypes)
    if (detail::iequal(e.name, s)) return e.ftype;
  TXMATH_FAIL(txmath_error_unknown_gguf_file_type, invalid_argument,
              "txmath: unknown GGUF file type '" + std::string(s) +
                  "' (expected F16, BF16, Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q5_1, Q5_0, Q4_K_M, Q4_K_S, "
                  "Q4_1, Q4_0, Q3_K_L, Q3_K_M, Q3_K_S or Q2_K)");
}

// What llama.cpp calls a tensor of the lowered model.
enum class gguf_tensor : std::uint8_t {
  token_embd, output, attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down,
  matrix,  // another 2-D weight that is quantized with the base type (MLA projections)
  kept,    // not quantized: 1-D tensors (norms, biases) and the router, stored as F32
};

// The llama.cpp category of a lowered op's weight (tied: the model shares embedding and head).
[[nodiscard]] constexpr gguf_tensor gguf_tensor_of(const layer_einsum& op, bool tied) {
  const std::string_view n = op.name;
  if (n == "embed_tokens") return tied ? gguf_tensor::output : gguf_tensor::token_embd;
  if (n == "lm_head") return gguf_tensor::output;
  if (op.weight < 0) return gguf_tensor::kept;
  const bool matrix = op.spec->inputs[op.weight].rank >= 2;  // ggml quantizes 2-D and 3-D only
  if (op.kind != op_kind::matmul || op.part == component::router || !matrix) return gguf_tensor::kept;
  if (n == "q_proj") return gguf_tensor::attn_q;
  if (n == "k_proj") return gguf_tensor::attn_k;
  if (n == "v_proj") return gguf_tensor::attn_v;
  if (n == "o_proj") return gguf_tensor::attn_output;
  if (n.ends_with("gate_proj")) return gguf_tensor::ffn_gate;
  if (n.ends_with("up_proj")) return gguf_tensor::ffn_up;
  if (n.ends_with("down_proj")) return gguf_tensor::ffn_down;
  return gguf_tensor::matrix;
}

namespace detail {
constexpr bool use_more_bits(std::uint64_t i, std::uint64_t n) {
  return i < n / 8 || i >= 7 * n / 8 || (i >= n / 8 && (i - n / 8) % 3 == 2);
}
// A K-quant needs rows of 256; llama.cpp falls back to a 32-block type otherwise.
constexpr ggml_type fallback(ggml_type t, count row) {
  if (row % block_of(t).weights == 0) return t;
  switch (t) {
    case ggml_type::q2_k: case ggml_type::q3_k: t = ggml_type::q4_0; break;
    case ggml_type::q4_k: t = ggml_type::q5_0; break;
    case ggml_type::q5_k: t = ggml_type::q5_1; break;
    case ggml_type::q6_k: t = ggml_type::q8_0; break;
    default: break;
  }
  return row % block_of(t).weights == 0 ? t : ggml_type::f16;
}
// attn_v of layer i (llama_tensor_get_type_impl's category_is_attn_v branch).
constexpr ggml_type gguf_attn_v(gguf_ftype f, ggml_type t, const model_config& m, std::uint64_t i) {
  const std::uint64_t n = m.n_layers;
  const bool gqa4 = m.kv_heads() != 0 && m.attention.n_heads / m.kv_heads() >= 4;
  if (f == gguf_ftype::q2_k) t = gqa4 ? ggml_type::q4_k : ggml_type::q3_k;
  else if (f == gguf_ftype::q3_k_m) t = i < 2 ? ggml_type::q5_k : ggml_type::q4_k;
  else if (f == gguf_ftype::q3_k_l) t = ggml_type::q5_k;
  else if ((f == gguf_ftype::q4_k_m || f == gguf_ftype::q5_k_m) && use_more_bits(i, n)) t = ggml_type::q6_k;
  else if (f == gguf_ftype::q4_k_s && i < 4) t = ggml_type::q5_k;
  // llama.cpp's LLM_TYPE_70B (80 layers in the Llama family): attn_v is 8x smaller there.
  if (n == 80 && (t == ggml_type::q3_k || t == ggml_type::q4_k)) t = ggml_type::q5_k;
  if (m.moe.n_experts == 8) t = ggml_type::q8_0;
  return t;
}
constexpr ggml_type gguf_ffn_down(gguf_ftype f, ggml_type t, std::uint64_t i, std::uint64_t n) {
  if (f == gguf_ftype::q2_k) return ggml_type::q3_k;
  if (f == gguf_ftype::q3_k_m) return i < n / 16 ? ggml_type::q5_k : ggml_type::q4_k;
  if (f == gguf_ftype::q3_k_l) return ggml_type::q5_k;
  if ((f == gguf_ftype::q4_k_m || f == gguf_ftype::q5_k_m) && use_more_bits(i, n)) return ggml_type::q6_k;
  if (f == gguf_ftype::q4_k_s && i < n / 8) return ggml_type::q5_k;
  return t;
}
constexpr ggml_type gguf_attn_output(gguf_ftype f, ggml_type t, const model_config& m) {
  if (m.moe.n_experts == 8) {
    const bool up = f == gguf_ftype::q2_k || f == gguf_ftype::q3_k_s || f == gguf_ftype::q3_k_m ||
                    f == gguf_ftype::q4_k_s || f == gguf_ftype::q4_k_m;
    return up ? ggml_type::q5_k : t;
  }
  if (f == gguf_ftype::q2_k) return ggml_type::q3_k;
  if (f == gguf_ftype::q3_k_m) return ggml_type::q4_k;
  if (f == gguf_ftype::q3_k_l) return ggml_type::q5_k;
  return t;
}
}  // namespace detail

// The ggml type llama-quantize gives tensor `which` of layer `layer` (rows of `row` values)
// in a file of type f.
[[nodiscard]] constexpr ggml_type gguf_type_of(gguf_ftype f, gguf_tensor which, const model_config& m,
                                               std::uint64_t layer, count row) {
  if (which == gguf_tensor::kept) return ggml_type::f32;
  const ggml_type base = detail::entry_of(f).base;
  if (base == ggml_type::f16 || base == ggml_type::bf16) return base;
  ggml_type t = base;
  switch (which) {
    case gguf_tensor::output:
      if (row % block_of(base).weights != 0) t = ggml_type::q8_0;
      else if (base != ggml_type::q8_0) t = ggml_type::q6_k;
      break;
    case gguf_tensor::attn_v: t = detail::gguf_attn_v(f, base, m, layer); break;
    case gguf_tensor::attn_k: if (m.moe.n_experts == 8) t = ggml_type::q8_0; break;
    case gguf_tensor::ffn_down: t = detail::gguf_ffn_down(f, base, layer, m.n_layers); break;
    case gguf_tensor::attn_output: t = detail::gguf_attn_output(f, base, m); break;
    default: break;
  }
  return detail::fallback(t, row);
}

// ---- a storage scheme --------------------------------------------------------------------

struct weight_quantization {
  weight_format linear = weight_formats::bf16;  // matmul weights inside the blocks (not the router)
  weight_format other = weight_formats::bf16;   // embeddings, head, norms, biases, router
  gguf_ftype gguf = gguf_ftype::none;           // when set: llama.cpp's per-tensor types instead
};

namespace weight_quantizations {
inline constexpr weight_quantization bf16{};
inline constexpr weight_quantization fp16{.linear = weight_formats::fp16, .other = weight_formats::fp16};
inline constexpr weight_quantization fp32{.linear = weight_formats::fp32, .other = weight_formats::fp32};
inline constexpr weight_quantization fp8{.linear = weight_formats::fp8};    // vLLM / FBGEMM fp8 checkpoints
inline constexpr weight_quantization int8{.linear = weight_formats::int8};  // W8A16, per-channel scales ignored
inline constexpr weight_quantization int4_g128{.linear = weight_formats::int4_g128};          // AWQ without zeros
inline constexpr weight_quantization gptq_int4_g128{.linear = weight_formats::gptq_int4_g128};  // GPTQ / AWQ
inline constexpr weight_quantization nf4{.linear = weight_formats::nf4};  // bitsandbytes 4-bit
inline constexpr weight_quantization nf4_double_quant{.linear = weight_formats::nf4_double_quant};  // QLoRA
constexpr weight_quantization gguf(gguf_ftype f) { return {.gguf = f}; }
}  // namespace weight_quantizations

namespace detail {
// Values per row of an op's weight, ggml's ne[0]: the input features (the summed indices of
// the weight operand); a lookup table's row is its last index (d_model).
constexpr count weight_row(const layer_einsum& op) {
  const einsum_spec& s = *op.spec;
  const auto& w = s.inputs[op.weight];
  count row = 1;
  if (op.kind == op_kind::lookup) return op.size_of(static_cast<char>(s.labels[w.index[w.rank - 1]]));
  for (std::uint8_t i = 0; i < w.rank; ++i) {
    bool in_output = false;
    for (std::uint8_t j = 0; j < s.output.rank; ++j) in_output = in_output || s.output.index[j] == w.index[i];
    if (!in_output) row *= op.size_of(static_cast<char>(s.labels[w.index[i]]));
  }
  return row;
}
constexpr bool is_linear(const layer_einsum& op) {
  return op.kind == op_kind::matmul && op.in_block && op.part != component::router;
}
}  // namespace detail

// Whether layer i (0-based) of m contains op (its `layers` count says how many do).
[[nodiscard]] constexpr bool op_in_layer(const model_config& m, const layer_einsum& op, std::uint64_t i) {
  if (!op.in_block) return i == 0;  // outside the blocks: counted once
  switch (op.part) {
    case component::experts: case component::shared_experts: case component::router: return m.is_moe_layer(i);
    case component::ffn: return !m.is_moe_layer(i);
    default: return true;
  }
}

// Bytes of one copy of op's weight in layer `layer`, the copy holding `elements` values
// (a whole matrix, or one tensor-parallel rank's share of it).
[[nodiscard]] constexpr bytes op_weight_bytes(const model_config& m, const layer_einsum& op,
                                              const weight_quantization& q, count elements,
                                              std::uint64_t layer) {
  if (q.gguf != gguf_ftype::none) {
    // ggml quantizes whole rows: a rank's share is that fraction of the whole tensor's bytes.
    const count row = detail::weight_row(op);
    const ggml_type t = gguf_type_of(q.gguf, gguf_tensor_of(op, m.tied_embeddings), m, layer, row);
    const bytes whole = ggml_bytes(op.weight_elements, row, t);
    if (elements == op.weight_elements) return whole;
    return bytes(ceil_div(whole.value() * elements, op.weight_elements));
  }
  return weight_bytes(params(elements), detail::is_linear(op) ? q.linear : q.other);
}

// Bytes of every weight of m stored under q (whole model, one copy).
[[nodiscard]] constexpr bytes quantized_weight_bytes(const model_config& m, const weight_quantization& q) {
  const lowered_model ops = lower(m);
  bytes total{};
  for (const auto& op : ops) {
    if (op.params() == 0) continue;
    if (q.gguf == gguf_ftype::none) {
      total += op_weight_bytes(m, op, q, op.weight_elements, 0) * (count(op.layers) * count(op.copies));
      continue;
    }
    for (std::uint64_t i = 0; i < (op.in_block ? m.n_layers : 1); ++i)
      if (op_in_layer(m, op, i)) total += op_weight_bytes(m, op, q, op.weight_elements, i) * count(op.copies);
  }
  return total;
}

}  // namespace txmath

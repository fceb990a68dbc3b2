#pragma once
// Element types and their storage size. Sizes are in bits so that int4 (half a byte) is
// exact; a tensor's bytes round up to whole bytes.
#include <string_view>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>

TXMATH_DEFINE_ERROR(txmath_error_unknown_dtype_name, invalid_argument)

namespace txmath {

enum class dtype { fp64, fp32, tf32, bf16, fp16, fp8, int8, int4 };

// Bits one element occupies in memory (tf32 is stored as fp32).
constexpr unsigned bits_of(dtype t) {
  switch (t) {
    case dtype::fp64: return 64;
    case dtype::fp32: return 32;
    case dtype::tf32: return 32;
    case dtype::bf16: return 16;
    case dtype::fp16: return 16;
    case dtype::fp8: return 8;
    case dtype::int8: return 8;
    case dtype::int4: return 4;
  }
  return 0;
}

constexpr std::string_view name_of(dtype t) {
  switch (t) {
    case dtype::fp64: return "fp64";
    case dtype::fp32: return "fp32";
    case dtype::tf32: return "tf32";
    case dtype::bf16: return "bf16";
    case dtype::fp16: return "fp16";
    case dtype::fp8: return "fp8";
    case dtype::int8: return "int8";
    case dtype::int4: return "int4";
  }
  return "?";
}

// "bf16", "fp32", ... (also "float32", "bfloat16", "float16" as Hugging Face writes them).
constexpr dtype parse_dtype(std::string_view s) {
  constexpr struct { std::string_view name; dtype t; } names[] = {
      {"fp64", dtype::fp64}, {"float64", dtype::fp64}, {"fp32", dtype::fp32},
      {"float32", dtype::fp32}, {"tf32", dtype::tf32}, {"bf16", dtype::bf16},
      {"bfloat16", dtype::bf16}, {"fp16", dtype::fp16}, {"float16", dtype::fp16},
      {"fp8", dtype::fp8}, {"float8", dtype::fp8}, {"int8", dtype::int8}, {"int4", dtype::int4}};
  for (const auto& n : names)
    if (n.name == s) return n.t;
  TXMATH_FAIL(txmath_error_unknown_dtype_name, invalid_argument,
              "txmath: unknown dtype '" + std::string(s) +
                  "' (expected fp64, fp32, tf32, bf16, fp16, fp8, int8 or int4)");
}

// Bytes of `elements` values of type t, rounded up to whole bytes.
constexpr bytes bytes_of(count elements, dtype t) {
  return bytes(ceil_div(elements * count(bits_of(t)), count(8)));
}

}  // namespace txmath

// The README's quick start: figures as compile-time constants, checked by static_assert.
#include <cstdio>

#include <txmath/txmath.hpp>

using namespace txmath;
using namespace txmath::literals;

int main() {
  // One SwiGLU FFN up-projection of Llama-3-8B on a batch of 8 x 1024 tokens.
  constexpr auto up = cost(einsum<"btd,df->btf">, {{'b', 8}, {'t', 1024}, {'d', 4096}, {'f', 14336}});
  static_assert(up.flops == flops(count(2) * 8 * 1024 * 4096 * 14336));
  static_assert(up.backward_flops == up.flops * 2);

  std::printf("btd,df->btf  FLOPs %s  bytes %s  intensity %.0f FLOP/byte\n",
              format_sci(up.flops.to_double()).str().c_str(),
              format_bytes(up.bytes_moved()).str().c_str(), up.arithmetic_intensity().value());
  std::printf("80 GiB = %s bytes, 15_T tokens = %s\n", (80_GiB).value().to_string(true).c_str(),
              format_count(15_T).str().c_str());
  return 0;
}

// libFuzzer target for the einsum spec parser and the contraction-path search (both cost
// types, sizes 0 to 2^55; input format in einsum_check.hpp). Build with -DTXMATH_FUZZ=ON
// (needs clang), then e.g.
//   build/tests/fuzz/fuzz_einsum -max_total_time=300 -dict=tests/fuzz/einsum.dict \
//       /tmp/einsum-corpus tests/fuzz/corpus/einsum
// (new inputs go to the first directory; keep the committed seed corpus small).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "einsum_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  txmath_fuzz::check_einsum(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

// libFuzzer target for the config.json loader (txmath/hf_config.hpp). Build with
// -DTXMATH_FUZZ=ON (needs clang), then e.g.
//   build/tests/fuzz/fuzz_hf_config -max_total_time=300 -dict=tests/fuzz/hf_config.dict \
//       /tmp/hf-corpus tests/fuzz/corpus/hf_config
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hf_config_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  txmath_fuzz::check_hf_config(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

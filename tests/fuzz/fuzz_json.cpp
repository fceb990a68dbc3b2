// libFuzzer target for txmath::json. Build with -DTXMATH_FUZZ=ON (needs clang), then e.g.
//   build/tests/fuzz/fuzz_json -max_total_time=300 -dict=tests/fuzz/json.dict \
//       /tmp/json-corpus tests/fuzz/corpus/json
// (new inputs go to the first directory; keep the committed seed corpus small).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  txmath_fuzz::check_json(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

#pragma once
// txmath::json::parse_options: how txmath::json::parse reads a document (the source name in
// messages, Python's NaN/Infinity, the nesting limit). Part of <txmath/json.hpp>.
#include <cstdint>
#include <string_view>

namespace txmath::json {

struct parse_options {
  // Names the input in messages: usually the file path.
  std::string_view source = "<json>";
  // Accept NaN, Infinity and -Infinity as numbers (Python's json.dump writes them).
  bool allow_nan_and_infinity = false;
  // Most arrays/objects open at once; deeper nesting is an error.
  std::uint32_t max_depth = 512;
};

}  // namespace txmath::json

#pragma once
// txmath::json::kind: what a JSON value is (null, boolean, number, string, array, object),
// and its name for messages. Part of the JSON reader, <txmath/json.hpp>.
#include <string_view>

namespace txmath::json {

enum class kind : unsigned char { null, boolean, number, string, array, object };

// "null", "boolean", "number", "string", "array", "object".
constexpr std::string_view kind_name(kind k) {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "boolean";
    case kind::number: return "number";
    case kind::string: return "string";
    case kind::array: return "array";
    case kind::object: return "object";
  }
  return "?";
}

}  // namespace txmath::json

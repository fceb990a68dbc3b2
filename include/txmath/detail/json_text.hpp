#pragma once
// Text helpers of the JSON reader (<txmath/json.hpp>): quoting for messages, UTF-8 validation
// and encoding, JSON-path identifiers. Internal; hf_config's reader also quotes with them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <txmath/core/utf8.hpp>

namespace txmath::detail::json {

inline bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

// JSON string literal of `s`, cut to about `limit` bytes (at a UTF-8 boundary) with "...".
inline std::string quote(std::string_view s, std::size_t limit = 48) {
  std::string out = "\"";
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    if (out.size() >= limit) {
      while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) out += s[i++];
      break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (i < s.size()) out += "...";
  out += '"';
  return out;
}

inline std::string hex_byte(unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("0x") + hex[c >> 4] + hex[c & 15];
}


}  // namespace txmath::detail::json

#pragma once
// The parsed form of a JSON document, internal to the JSON reader (<txmath/json.hpp>): one
// flat vector of nodes, the decoded strings and number texts in one pool, and each
// container's children contiguous. json::value is a handle on it; detail/json_parser.hpp
// fills it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/json/kind.hpp>

namespace txmath::detail::json {

using txmath::json::kind;
inline constexpr std::uint32_t npos = 0xffffffffu;

struct node {
  kind type = kind::null;
  bool flag = false;                // the boolean's value
  std::uint32_t parent = npos;      // index of the containing array/object, npos for the root
  std::uint32_t a = 0, b = 0;       // string/number: pool offset and length;
                                    // array/object: first slot in `children` and count
  std::uint32_t key_off = 0;        // in an object: the key's pool offset; in an array: index
  std::uint32_t key_len = 0;
  std::uint32_t line = 0, column = 0;          // where the value starts
  std::uint32_t key_line = 0, key_column = 0;  // where its key starts (objects)
};

struct document {
  std::string source;
  std::string pool;                     // decoded strings, keys and number texts
  std::vector<node> nodes;              // nodes[0] is the root
  std::vector<std::uint32_t> children;  // each container's children, contiguous

  std::string_view text(std::uint32_t off, std::uint32_t len) const {
    return std::string_view(pool).substr(off, len);
  }
  std::string_view key(const node& n) const { return text(n.key_off, n.key_len); }
};

}  // namespace txmath::detail::json

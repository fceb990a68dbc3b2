#pragma once
// A small, strict JSON reader (RFC 8259) for Hugging Face config.json files and txmath's
// reference data, with no dependencies beyond the standard library. This is the header to
// include: txmath::json::parse, parse_file and read_file are here; the values they return
// (json::value, member, the ranges) in json/value.hpp, json::kind in json/kind.hpp and
// json::parse_options in json/parse_options.hpp; the parser and the document's layout are
// internals (detail/json_*.hpp).
//
//   auto cfg = txmath::json::parse_file("config.json");
//   txmath::count heads = cfg.at("text_config").at("num_attention_heads").as_count();
//   if (auto r = cfg.find("rope_scaling"); r && !r->is_null()) ...
//
// Strictness and choices, all deliberate:
// - Exactly one JSON value, surrounded by optional whitespace (space, tab, CR, LF). A single
//   leading UTF-8 byte order mark is skipped. No comments, no trailing commas, no single
//   quotes, no leading zeros, no '+' signs, no hex numbers.
// - `NaN`, `Infinity` and `-Infinity` (which Python's json.dump writes) are errors unless
//   parse_options::allow_nan_and_infinity is set; then they are numbers.
// - Duplicate keys in an object are an error naming the key. Objects keep insertion order.
// - Strings must be valid UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing
//   above U+10FFFF); invalid bytes are rejected, never passed through. Raw control
//   characters (below U+0020) must be escaped. \u escapes decode to UTF-8; a surrogate
//   pair decodes to one code point; a lone surrogate is an error. \u0000 gives a NUL byte.
// - Numbers keep their exact text. as_double() rounds it to the nearest double, ties to even,
//   in portable code (txmath::decimal_to_double, core/decimal.hpp: no floating
//   std::from_chars, which libc++ lacks, and no locale); past the range of double is an error, below half the
//   smallest subnormal gives a signed zero. The exact integer accessors accept any
//   number whose exact decimal value is an integer: `128`, `128.0`, `1.28e2` and `1e3` all
//   read as integers (Python writes 1e3 or 128.0 for values that are integers), `1.5` or
//   `1e-3` do not. Out of range is an error; nothing is rounded.
// - Nesting deeper than parse_options::max_depth (512) arrays/objects is an error; the
//   parser does not recurse, so no input can exhaust the stack. Inputs of 4 GiB or more are
//   rejected.
// - Positions are 1-based: line = count of LF before it + 1; column counts Unicode code
//   points (a tab counts 1) from the start of the line.
//
// Errors are txmath::invalid_argument. A syntax error reads
//   txmath: config.json:3:17: expected ',' or '}' after an object member, found '"'
// and an accessor on a value reads
//   txmath: config.json:5:30: text_config.num_attention_heads: expected an integer, found
//   the string "32"
// so that a caller's own checks (value::fail) read the same way. Without exceptions they go
// to txmath's error handler (core/error.hpp) with the same text.
//
// A json::value is a cheap handle (a shared pointer to the parsed document and an index):
// copies are cheap, and any handle keeps the whole document alive, so values never dangle.
// Views returned by as_string_view() and member keys live as long as some handle does.
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <txmath/core/error.hpp>
#include <txmath/detail/json_document.hpp>
#include <txmath/detail/json_parser.hpp>
#include <txmath/json/kind.hpp>
#include <txmath/json/parse_options.hpp>
#include <txmath/json/value.hpp>

namespace txmath::json {

// Parses one JSON document. Errors: txmath::invalid_argument, "txmath: <source>:<line>:
// <column>: <what>".
inline value parse(std::string_view text, const parse_options& options) {
  auto doc = std::make_shared<detail::json::document>();
  doc->source = std::string(options.source);
  detail::json::parser(text, options, *doc).run();
  return value(std::shared_ptr<const detail::json::document>(std::move(doc)), 0);
}

// The whole file as bytes; an error naming the path and the reason if it cannot be read.
inline std::string read_file(const std::string& path) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    txmath::detail::raise<txmath::invalid_argument>("txmath: cannot open " + path + ": " +
                                   std::generic_category().message(errno ? errno : ENOENT));
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.append(buf, n);
    if (n < sizeof buf) break;
  }
  const bool bad = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (bad)
    txmath::detail::raise<txmath::invalid_argument>("txmath: cannot read " + path + ": " +
                                   std::generic_category().message(err ? err : EIO));
  return out;
}

// read_file + parse; the source name in messages is `path` unless options name one.
inline value parse_file(const std::string& path, parse_options options = {}) {
  const std::string text = read_file(path);
  if (options.source == parse_options{}.source) options.source = path;
  return parse(text, options);
}

}  // namespace txmath::json

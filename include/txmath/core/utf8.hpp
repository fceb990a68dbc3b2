#pragma once
// Strict UTF-8 (RFC 3629) for index letters, JSON strings and messages: one decoder, one
// encoder, and the message helpers that never split a character. "Strict" rejects stray
// continuation bytes, lead bytes cut short, overlong forms (C0 AF for '/'), surrogates
// (U+D800..U+DFFF) and code points above U+10FFFF.
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace txmath {

// Decodes one code point at s[pos] and moves pos past it; returns 0 (pos unchanged) for NUL or
// bytes that are not strict UTF-8.
[[nodiscard]] constexpr char32_t decode_utf8(std::string_view s, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    if (b0 != 0) ++pos;
    return b0;
  }
  std::size_t extra = 0;
  char32_t least = 0;  // the smallest code point of that length (shorter is overlong)
  if (b0 >= 0xC2 && b0 <= 0xDF) extra = 1, least = 0x80;
  else if (b0 >= 0xE0 && b0 <= 0xEF) extra = 2, least = 0x800;
  else if (b0 >= 0xF0 && b0 <= 0xF4) extra = 3, least = 0x10000;
  else return 0;
  if (s.size() - pos <= extra) return 0;
  char32_t c = b0 & (0x3Fu >> extra);
  for (std::size_t i = 1; i <= extra; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    c = (c << 6) | (b & 0x3Fu);
  }
  if (c < least || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  pos += extra + 1;
  return c;
}

// The length in bytes of the strict UTF-8 sequence at s[i] (NUL is one byte), or 0 when the
// bytes there are not one.
[[nodiscard]] constexpr std::size_t utf8_length(std::string_view s, std::size_t i) {
  if (s[i] == '\0') return 1;
  std::size_t end = i;
  return decode_utf8(s, end) == 0 ? 0 : end - i;
}

// Appends a code point (at most U+10FFFF, not a surrogate) as UTF-8.
inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
    return;
  }
  if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  }
  out += static_cast<char>(0x80 | (c & 0x3F));
}

// A code point (an index letter) as UTF-8 text; one that UTF-8 cannot hold (a surrogate, above
// U+10FFFF) as "U+XXXX".
[[nodiscard]] inline std::string label_text(char32_t c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
    return buf;
  }
  std::string s;
  append_utf8(s, c);
  return s;
}

// Text for a message: valid UTF-8 as is, every other byte (and ASCII control) as \xNN, so that
// a message is valid UTF-8 and never splits a character.
[[nodiscard]] inline std::string printable(std::string_view s) {
  std::string r;
  for (std::size_t pos = 0; pos < s.size();) {
    const std::size_t at = pos;
    const char32_t c = decode_utf8(s, pos);
    if (c >= 0x20 && c != 0x7F) {
      r.append(s.substr(at, pos - at));
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(s[at])));
    r += buf;
    pos = at + 1;
  }
  return r;
}

// The character at s[pos] for a message: the whole code point, or its first byte as \xNN.
[[nodiscard]] inline std::string printable_char_at(std::string_view s, std::size_t pos) {
  std::size_t end = pos;
  if (decode_utf8(s, end) == 0) end = pos + 1;
  return printable(s.substr(pos, end - pos));
}

// At most `n` bytes of UTF-8 text, cut before a character rather than inside one.
[[nodiscard]] inline std::string utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

}  // namespace txmath

#pragma once
// The JSON parser, internal to <txmath/json.hpp> (txmath::json::parse is its entry point): it
// reads RFC 8259 text into a detail::json::document without recursion, with the positions
// and messages that header describes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <txmath/core/error.hpp>
#include <txmath/detail/json_document.hpp>
#include <txmath/detail/json_text.hpp>
#include <txmath/json/kind.hpp>
#include <txmath/json/parse_options.hpp>

namespace txmath::detail::json {

class parser {
 public:
  parser(std::string_view in, const txmath::json::parse_options& opt, document& doc)
      : in_(in), opt_(opt), doc_(doc) {}

  void run() {
    if (in_.size() >= 0xffffffffu) fail_at(0, "the input is 4 GiB or larger, which is not supported");
    if (in_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = cache_pos_ = 3;
    doc_.pool.reserve(in_.size() / 2);
    doc_.nodes.reserve(in_.size() / 8 + 1);
    parse_document();
  }

 private:
  struct frame {
    std::uint32_t node;
    std::uint32_t scratch_start;
    std::unique_ptr<std::unordered_map<std::string, std::uint32_t>> keys;  // big objects
  };

  // ---- positions and errors -----------------------------------------------------------
  std::uint32_t column_at(std::size_t p) {
    if (cache_pos_ < line_start_ || cache_pos_ > p) {
      cache_pos_ = line_start_;
      cache_col_ = 1;
    }
    for (; cache_pos_ < p; ++cache_pos_)
      if ((static_cast<unsigned char>(in_[cache_pos_]) & 0xC0) != 0x80) ++cache_col_;
    return cache_col_;
  }
  // Positions in messages are always on the current line (no token spans a newline).
  [[noreturn]] void fail_at(std::size_t p, const std::string& what) {
    const std::uint32_t col = p < line_start_ ? 1 : column_at(p);
    txmath::detail::raise<txmath::invalid_argument>("txmath: " + std::string(opt_.source) + ":" + std::to_string(line_) + ":" +
                                   std::to_string(col) + ": " + what);
  }
  [[noreturn]] void fail(const std::string& what) { fail_at(pos_, what); }

  std::string found(std::size_t p) const {
    if (p >= in_.size()) return "end of input";
    const unsigned char c = static_cast<unsigned char>(in_[p]);
    if (c == '\n') return "a newline";
    if (c == '\r') return "a carriage return";
    if (c == '\t') return "a tab";
    if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
    if (c >= 0x80) {
      if (const std::size_t n = utf8_length(in_, p)) return "'" + std::string(in_.substr(p, n)) + "'";
      return "the byte " + hex_byte(c) + ", which is not valid UTF-8";
    }
    return "the control byte " + hex_byte(c);
  }
  std::string found() const { return found(pos_); }

  void skip_ws() {
    while (pos_ < in_.size()) {
      const char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else {
        break;
      }
    }
  }
  bool at(char c) const { return pos_ < in_.size() && in_[pos_] == c; }

  // ---- nodes --------------------------------------------------------------------------
  std::uint32_t new_node(kind k) {
    node n;
    n.type = k;
    n.line = line_;
    n.column = column_at(pos_);
    if (!stack_.empty()) {
      const frame& f = stack_.back();
      n.parent = f.node;
      if (doc_.nodes[f.node].type == kind::object) {
        n.key_off = pending_key_off_;
        n.key_len = pending_key_len_;
        n.key_line = pending_key_line_;
        n.key_column = pending_key_column_;
      } else {
        n.key_off = static_cast<std::uint32_t>(scratch_.size() - f.scratch_start);
      }
      scratch_.push_back(static_cast<std::uint32_t>(doc_.nodes.size()));
    }
    doc_.nodes.push_back(n);
    return static_cast<std::uint32_t>(doc_.nodes.size() - 1);
  }

  // ---- the grammar, without recursion -------------------------------------------------
  void parse_document() {
    skip_ws();
    for (;;) {
      // A value starts here.
      skip_ws();
      const bool opened = parse_value_start();
      if (opened) {
        // Just opened a container: is it empty?
        skip_ws();
        const bool object = doc_.nodes[stack_.back().node].type == kind::object;
        if (at(object ? '}' : ']')) {
          ++pos_;
          close_container();
        } else {
          if (object) parse_key(false);
          continue;
        }
      }
      // A value ended: continue in its container, or finish.
      for (;;) {
        if (stack_.empty()) {
          skip_ws();
          if (pos_ < in_.size())
            fail("expected the end of input after the top-level value, found " + found());
          return;
        }
        skip_ws();
        const bool object = doc_.nodes[stack_.back().node].type == kind::object;
        if (at(',')) {
          ++pos_;
          skip_ws();
          if (object) {
            parse_key(true);
          } else if (at(']')) {
            fail("expected a value after ',', found ']' (JSON does not allow a trailing comma)");
          }
          break;  // parse the next value
        }
        if (at(object ? '}' : ']')) {
          ++pos_;
          close_container();
          continue;
        }
        fail(std::string("expected ',' or '") + (object ? "}' after an object member" : "]' after an array element") +
             ", found " + found());
      }
    }
  }

  // Parses a scalar (returns false) or opens a container (returns true).
  bool parse_value_start() {
    if (pos_ >= in_.size()) fail("expected a value, found end of input");
    const char c = in_[pos_];
    switch (c) {
      case '{':
      case '[': {
        if (stack_.size() >= opt_.max_depth)
          fail("nesting deeper than " + std::to_string(opt_.max_depth) + " arrays and objects");
        const std::uint32_t id = new_node(c == '{' ? kind::object : kind::array);
        stack_.push_back(frame{id, static_cast<std::uint32_t>(scratch_.size()), nullptr});
        ++pos_;
        return true;
      }
      case '"': {
        const std::uint32_t id = new_node(kind::string);
        const auto [off, len] = parse_string("a string");
        doc_.nodes[id].a = off;
        doc_.nodes[id].b = len;
        return false;
      }
      case 't': literal("true", kind::boolean, true); return false;
      case 'f': literal("false", kind::boolean, false); return false;
      case 'n': literal("null", kind::null, false); return false;
      default:
        if (c == '-' || (c >= '0' && c <= '9') || c == 'N' || c == 'I') {
          parse_number();
          return false;
        }
        fail_expected_value();
    }
  }
  [[noreturn]] void fail_expected_value() {
    fail("expected a value (object, array, string, number, true, false or null), found " + quote_word(pos_));
  }

  void literal(std::string_view word, kind k, bool flag) {
    if (in_.substr(pos_, word.size()) != word || word_continues(pos_ + word.size()))
      fail_at(pos_, "expected a value, found " + quote_word(pos_) + " (did you mean " + std::string(word) + "?)");
    const std::uint32_t id = new_node(k);
    doc_.nodes[id].flag = flag;
    pos_ += word.size();
  }
  bool word_continues(std::size_t p) const {
    if (p >= in_.size()) return false;
    const char c = in_[p];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
  std::string quote_word(std::size_t p) const {
    std::size_t e = p;
    while (e < in_.size() && e - p < 32 && word_continues(e)) ++e;
    if (e == p) return found(p);
    std::string w(1, '\'');  // piecewise: GCC 12 -O3 warns -Wrestrict on "'" + std::string
    w += in_.substr(p, e - p);
    w += '\'';
    return w;
  }

  void parse_number() {
    const std::size_t start = pos_;
    const auto digit = [&] { return pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9'; };
    if (at('-')) ++pos_;
    // NaN, Infinity, -Infinity: Python's extension.
    for (std::string_view w : {std::string_view("NaN"), std::string_view("Infinity")}) {
      if (in_.substr(pos_, w.size()) == w && !word_continues(pos_ + w.size()) && !(w == "NaN" && pos_ != start)) {
        if (!opt_.allow_nan_and_infinity)
          fail_at(start, std::string(in_.substr(start, pos_ + w.size() - start)) +
                             " is not valid JSON (Python's json.dump writes it; set "
                             "parse_options::allow_nan_and_infinity to accept it)");
        pos_ += w.size();
        return store_number(start);
      }
    }
    if (!digit()) {
      if (pos_ == start) fail_expected_value();
      fail("expected a digit after '-', found " + found());
    }
    if (in_[pos_] == '0') {
      ++pos_;
      if (digit()) fail_at(start, "a number cannot have leading zeros");
    } else {
      while (digit()) ++pos_;
    }
    if (at('.')) {
      ++pos_;
      if (!digit()) fail("expected a digit after the decimal point, found " + found());
      while (digit()) ++pos_;
    }
    if (at('e') || at('E')) {
      ++pos_;
      if (at('+') || at('-')) ++pos_;
      if (!digit()) fail("expected a digit in the exponent, found " + found());
      while (digit()) ++pos_;
    }
    store_number(start);
  }
  void store_number(std::size_t start) {
    const std::size_t end = pos_;
    pos_ = start;  // the node's column is the number's start
    const std::uint32_t id = new_node(kind::number);
    pos_ = end;
    doc_.nodes[id].a = static_cast<std::uint32_t>(doc_.pool.size());
    doc_.nodes[id].b = static_cast<std::uint32_t>(end - start);
    doc_.pool.append(in_.substr(start, end - start));
  }

  // Decodes the string at pos_ (on '"') into the pool; returns its offset and length.
  std::pair<std::uint32_t, std::uint32_t> parse_string(const char* what) {
    const std::size_t start = pos_;
    std::string& out = doc_.pool;
    const auto off = static_cast<std::uint32_t>(out.size());
    ++pos_;
    for (;;) {
      const std::size_t run = pos_;
      while (pos_ < in_.size()) {
        const unsigned char c = static_cast<unsigned char>(in_[pos_]);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
        ++pos_;
      }
      out.append(in_.data() + run, pos_ - run);
      if (pos_ >= in_.size())
        fail("unterminated string: end of input before the closing '\"' of " + std::string(what) +
             " that starts at column " + std::to_string(column_at(start)));
      const unsigned char c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        ++pos_;
        return {off, static_cast<std::uint32_t>(out.size() - off)};
      }
      if (c == '\\') {
        parse_escape(out);
      } else if (c >= 0x80) {
        const std::size_t n = utf8_length(in_, pos_);
        if (n == 0) fail("invalid UTF-8 in a string: the byte " + hex_byte(c) + " cannot start or end here");
        out.append(in_.data() + pos_, n);
        pos_ += n;
      } else if (c == '\n') {
        fail("a newline inside a string: the string that starts at column " + std::to_string(column_at(start)) +
             " is unterminated (a newline in a string must be written \\n)");
      } else {
        const char* named = c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : nullptr;
        fail("a raw control character (" + hex_byte(c) + ") inside a string: write it as " +
             (named ? std::string(named) : "\\u00" + hex_byte(c).substr(2)));
      }
    }
  }

  void parse_escape(std::string& out) {
    const std::size_t start = pos_;  // on the backslash
    ++pos_;
    if (pos_ >= in_.size()) fail_at(start, "unterminated string: end of input after '\\'");
    const char e = in_[pos_];
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        ++pos_;
        std::uint32_t cp = hex4(start);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
          fail_at(start, "a lone low surrogate \\u" + std::string(in_.substr(start + 2, 4)) +
                             " in a string (it must follow a high surrogate \\uD800-\\uDBFF)");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          const std::size_t second = pos_;
          if (in_.substr(pos_, 2) != "\\u")
            fail_at(start, "a lone high surrogate \\u" + std::string(in_.substr(start + 2, 4)) +
                               " in a string (it must be followed by a low surrogate \\uDC00-\\uDFFF)");
          pos_ += 2;
          const std::uint32_t lo = hex4(second);
          if (lo < 0xDC00 || lo > 0xDFFF)
            fail_at(start, "a lone high surrogate \\u" + std::string(in_.substr(start + 2, 4)) +
                               " in a string (it must be followed by a low surrogate \\uDC00-\\uDFFF, not \\u" +
                               std::string(in_.substr(second + 2, 4)) + ")");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(out, cp);
        return;  // hex4 moved pos_ past the digits
      }
      default:
        fail_at(start, "invalid escape '\\" + (static_cast<unsigned char>(e) >= 0x20 && static_cast<unsigned char>(e) < 0x7f ? std::string(1, e) : hex_byte(static_cast<unsigned char>(e))) +
                           "' in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
    ++pos_;
  }
  // Four hex digits at pos_; `start` is the escape's backslash, for messages.
  std::uint32_t hex4(std::size_t start) {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      if (pos_ >= in_.size()) fail_at(start, "unterminated string: end of input inside a \\u escape");
      const char c = in_[pos_];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) fail("expected 4 hex digits after \\u, found " + found());
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  // At a key (pos_ after whitespace); `after_comma` only changes the message.
  void parse_key(bool after_comma) {
    if (!at('"')) {
      if (after_comma && at('}'))
        fail("expected a string key after ',', found '}' (JSON does not allow a trailing comma)");
      fail(std::string("expected a string key") + (after_comma ? " after ','" : " or '}'") + ", found " + found());
    }
    pending_key_line_ = line_;
    pending_key_column_ = column_at(pos_);
    const std::size_t key_pos = pos_;
    const auto [off, len] = parse_string("a key");
    pending_key_off_ = off;
    pending_key_len_ = len;
    check_duplicate(key_pos);
    skip_ws();
    if (!at(':')) fail("expected ':' after the key " + quote(doc_.text(off, len)) + ", found " + found());
    ++pos_;
  }

  void check_duplicate(std::size_t key_pos) {
    frame& f = stack_.back();
    const std::string_view k = doc_.text(pending_key_off_, pending_key_len_);
    const std::size_t n = scratch_.size() - f.scratch_start;
    const node* first = nullptr;
    constexpr std::size_t small = 16;
    if (n < small) {
      for (std::size_t i = f.scratch_start; i < scratch_.size() && !first; ++i)
        if (doc_.key(doc_.nodes[scratch_[i]]) == k) first = &doc_.nodes[scratch_[i]];
    } else {
      if (!f.keys) {
        f.keys = std::make_unique<std::unordered_map<std::string, std::uint32_t>>();
        for (std::size_t i = f.scratch_start; i < scratch_.size(); ++i)
          f.keys->emplace(std::string(doc_.key(doc_.nodes[scratch_[i]])), scratch_[i]);
      }
      // The value node of this key will be nodes.size(), created next.
      const auto [it, inserted] = f.keys->emplace(std::string(k), static_cast<std::uint32_t>(doc_.nodes.size()));
      if (!inserted) first = &doc_.nodes[it->second];
    }
    if (first)
      fail_at(key_pos, "duplicate key " + quote(k) + " (first at line " + std::to_string(first->key_line) +
                           ", column " + std::to_string(first->key_column) + ")");
  }

  void close_container() {
    frame& f = stack_.back();
    node& n = doc_.nodes[f.node];
    n.a = static_cast<std::uint32_t>(doc_.children.size());
    n.b = static_cast<std::uint32_t>(scratch_.size() - f.scratch_start);
    doc_.children.insert(doc_.children.end(), scratch_.begin() + f.scratch_start, scratch_.end());
    scratch_.resize(f.scratch_start);
    stack_.pop_back();
  }

  std::string_view in_;
  const txmath::json::parse_options& opt_;
  document& doc_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1;
  std::size_t line_start_ = 0;
  std::size_t cache_pos_ = 0;  // column_at's memo: the column of cache_pos_ is cache_col_
  std::uint32_t cache_col_ = 1;
  std::vector<frame> stack_;
  std::vector<std::uint32_t> scratch_;
  std::uint32_t pending_key_off_ = 0, pending_key_len_ = 0;
  std::uint32_t pending_key_line_ = 0, pending_key_column_ = 0;
};

}  // namespace txmath::detail::json

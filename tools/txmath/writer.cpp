// JSON and CSV writers of the txmath tool (see writer.hpp).
#include "writer.hpp"

#include <cstdio>
#include <limits>

#include <txmath/core/error.hpp>
#include <txmath/core/real_text.hpp>
#include <txmath/core/utf8.hpp>

namespace txmath::cli {

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += s[i];
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out + "\"";
}

std::string shortest_decimal(double v, std::string_view key) {
  if (!(v >= -std::numeric_limits<double>::max() && v <= std::numeric_limits<double>::max()))
    txmath::detail::raise<txmath::invalid_argument>("txmath: " + std::string(key) +
                                                    " is not a finite number; nothing written");
  return txmath::detail::real_text(v);
}

std::string csv_field(std::string_view s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// ---- building ------------------------------------------------------------------------------

record& record::child(std::string_view key) {
  for (auto& c : children_)
    if (c.key_ == key) return c;
  children_.emplace_back();
  children_.back().key_ = std::string(key);
  return children_.back();
}

record& record::at(std::string_view path) {
  record* n = this;
  for (std::size_t dot; (dot = path.find('.')) != std::string_view::npos; path.remove_prefix(dot + 1))
    n = &n->child(path.substr(0, dot));
  record& leaf = n->child(path);
  leaf.children_.clear();
  return leaf;
}

record& record::set(std::string_view path, std::string_view s) {
  record& n = at(path);
  n.kind_ = kind::string;
  n.text_ = std::string(s);
  return *this;
}
record& record::set(std::string_view path, txmath::count c) {
  record& n = at(path);
  n.kind_ = kind::integer;
  n.text_ = c.to_string();
  n.beyond_2_53_ = c > txmath::count(std::uint64_t{1} << 53);
  return *this;
}
record& record::set(std::string_view path, double v) {
  record& n = at(path);
  n.kind_ = kind::real;
  n.text_ = shortest_decimal(v, path);
  return *this;
}
record& record::set(std::string_view path, bool b) {
  record& n = at(path);
  n.kind_ = kind::boolean;
  n.text_ = b ? "true" : "false";
  return *this;
}
record& record::set_null(std::string_view path) {
  at(path).kind_ = kind::null;
  return *this;
}
record& record::set(std::string_view path, const std::vector<std::string>& strings) {
  record& n = at(path);
  n.kind_ = kind::array;
  for (const auto& s : strings) {
    n.children_.emplace_back();
    n.children_.back().kind_ = kind::string;
    n.children_.back().text_ = s;
  }
  return *this;
}
record& record::append(std::string_view path) {
  record* n = this;
  for (std::size_t dot; (dot = path.find('.')) != std::string_view::npos; path.remove_prefix(dot + 1))
    n = &n->child(path.substr(0, dot));
  record& arr = n->child(path);
  arr.kind_ = kind::array;
  arr.children_.emplace_back();
  return arr.children_.back();
}

// ---- writing -------------------------------------------------------------------------------

void record::write_json(std::string& out, int indent) const {
  switch (kind_) {
    case kind::string: out += json_quote(text_); return;
    case kind::integer:
    case kind::real:
    case kind::boolean: out += text_; return;
    case kind::null: out += "null"; return;
    case kind::object:
    case kind::array: break;
  }
  const char open = kind_ == kind::object ? '{' : '[', close = kind_ == kind::object ? '}' : ']';
  if (children_.empty()) {
    out += open;
    out += close;
    return;
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  out += open;
  out += '\n';
  for (std::size_t i = 0; i < children_.size(); ++i) {
    const record& c = children_[i];
    out += pad;
    if (kind_ == kind::object) out += json_quote(c.key_) + ": ";
    c.write_json(out, indent + 2);
    if (kind_ == kind::object && c.kind_ == kind::integer && c.beyond_2_53_)
      out += ",\n" + pad + json_quote(c.key_ + "_exact") + ": " + json_quote(c.text_);
    out += i + 1 < children_.size() ? ",\n" : "\n";
  }
  out += std::string(static_cast<std::size_t>(indent), ' ');
  out += close;
}

std::string record::json() const {
  std::string out;
  write_json(out, 0);
  return out + "\n";
}

void record::write_csv(std::string& out, const std::string& prefix) const {
  for (std::size_t i = 0; i < children_.size(); ++i) {
    const record& c = children_[i];
    const std::string name = kind_ == kind::array ? std::to_string(i) : c.key_;
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    switch (c.kind_) {
      case kind::object:
      case kind::array: c.write_csv(out, path); break;
      case kind::string: out += csv_field(path) + "," + csv_field(c.text_) + "\n"; break;
      case kind::null: out += csv_field(path) + ",\n"; break;
      default: out += csv_field(path) + "," + c.text_ + "\n"; break;
    }
  }
}

std::string record::csv() const {
  std::string out = "key,value\n";
  write_csv(out, "");
  return out;
}

}  // namespace txmath::cli

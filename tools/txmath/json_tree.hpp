#pragma once
// An ordered tree of named values, written as JSON: `serve` and `finetune` fill one with
// dotted paths ("memory.weights_bytes") and print it with --json.
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <txmath/core/count.hpp>

namespace txmath::cli {

class json_tree {
 public:
  // Sets the value at a dotted path (creating its objects), given as JSON text.
  void set(std::string_view path, std::string json) {
    node* n = &root_;
    for (std::size_t dot; (dot = path.find('.')) != std::string_view::npos; path.remove_prefix(dot + 1))
      n = &n->child(path.substr(0, dot));
    n->child(path).json = std::move(json);
  }
  void set(std::string_view path, txmath::count v) { set(path, v.to_string()); }
  void set(std::string_view path, double v) { set(path, number(v)); }
  void set(std::string_view path, bool v) { set(path, std::string(v ? "true" : "false")); }
  void set_string(std::string_view path, std::string_view v) { set(path, quoted(v)); }

  [[nodiscard]] std::string str() const {
    std::string out;
    write(root_, out, 0);
    return out + "\n";
  }

  static std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }
  static std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += ch;
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += ch;
      }
    }
    return out + "\"";
  }

 private:
  struct node {
    std::string key;
    std::string json;  // the value as JSON text; empty for an object
    std::vector<node> children;
    node& child(std::string_view k) {
      for (auto& c : children)
        if (c.key == k) return c;
      children.push_back({std::string(k), "", {}});
      return children.back();
    }
  };
  static void write(const node& n, std::string& out, int indent) {
    if (n.children.empty()) {
      out += n.json.empty() ? "{}" : n.json;
      return;
    }
    out += "{\n";
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      out += std::string(static_cast<std::size_t>(indent + 2), ' ') + quoted(n.children[i].key) + ": ";
      write(n.children[i], out, indent + 2);
      out += i + 1 < n.children.size() ? ",\n" : "\n";
    }
    out += std::string(static_cast<std::size_t>(indent), ' ') + "}";
  }
  node root_;
};

}  // namespace txmath::cli

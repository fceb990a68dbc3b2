#pragma once
// Machine-readable output shared by every txmath subcommand: a tree of named values written
// as JSON or as CSV `key,value` rows.
//
// - JSON strings are escaped ("\"", "\\", control characters as \uXXXX; bytes that are not
//   UTF-8 become U+FFFD), so any model name or path gives valid JSON.
// - Doubles are the shortest decimal that reads back as the same double (0.4, not
//   0.40000000000000002). An infinity or a NaN is an error naming the key, never output.
// - Integers are exact JSON numbers; one beyond 2^53 (where JSON readers that use doubles
//   round) is also written as a string under "<key>_exact" beside it.
// - CSV follows RFC 4180: a field with a comma, a quote, a line break or edge spaces is
//   quoted with its quotes doubled; keys are dotted paths (array elements by index); null is
//   an empty field; no "_exact" rows (CSV is text, the number itself is exact).
#include <string>
#include <string_view>
#include <vector>

#include <txmath/core/count.hpp>

namespace txmath::cli {

// "a\"b" with JSON escapes, quotes included.
std::string json_quote(std::string_view s);
// The shortest round-trip decimal of a finite double; throws naming `key` otherwise.
std::string shortest_decimal(double v, std::string_view key);
// A CSV field: as is, or quoted when RFC 4180 requires it.
std::string csv_field(std::string_view s);

class record {
 public:
  enum class kind { object, array, string, integer, real, boolean, null };

  // Values at a dotted path ("inference.prefill.seconds"); objects on the way are created.
  record& set(std::string_view path, std::string_view s);
  record& set(std::string_view path, const char* s) { return set(path, std::string_view(s)); }
  record& set(std::string_view path, const std::string& s) { return set(path, std::string_view(s)); }
  record& set(std::string_view path, txmath::count c);
  record& set(std::string_view path, double v);
  record& set(std::string_view path, bool b);
  record& set_null(std::string_view path);
  record& set(std::string_view path, const std::vector<std::string>& strings);  // an array of strings
  // An array at `path` gets a new object element, returned for filling.
  record& append(std::string_view path);

  [[nodiscard]] std::string json() const;  // ends with a newline
  [[nodiscard]] std::string csv() const;   // "key,value" header first

 private:
  record& at(std::string_view path);  // the node at a dotted path, created as an object
  record& child(std::string_view key);
  void write_json(std::string& out, int indent) const;
  void write_csv(std::string& out, const std::string& prefix) const;

  std::string key_;
  kind kind_ = kind::object;
  std::string text_;  // a string's content, or a number's / boolean's JSON text
  bool beyond_2_53_ = false;
  std::vector<record> children_;
};

}  // namespace txmath::cli

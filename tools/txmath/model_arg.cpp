// Shared by `txmath report` and `txmath plot`: the model argument and option values.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <txmath/detail/decimal_to_double.hpp>
#include <txmath/hf_config.hpp>
#include <txmath/presets.hpp>

#include "commands.hpp"

namespace txmath::cli {

namespace {
[[noreturn]] void bad_value(std::string_view what, std::string_view text, std::string_view expected) {
  throw txmath::invalid_argument("txmath: " + std::string(what) + ": expected " + std::string(expected) +
                                 ", found '" + std::string(text) + "'");
}
bool looks_like_path(std::string_view s) {
  return s.find('/') != std::string_view::npos || (s.size() > 5 && s.substr(s.size() - 5) == ".json");
}
}  // namespace

model_arg load_model_arg(std::string_view arg) {
  model_arg out;
  if (!looks_like_path(arg)) {
    if (const txmath::model_config* m = txmath::find_preset(arg)) {
      out.model = *m;
      out.name = std::string(arg);
      out.source = "preset";
      if (m->position == txmath::position_kind::learned) out.max_context = m->max_positions;
      return out;
    }
    if (!std::filesystem::exists(std::string(arg))) {
      std::string names;
      for (const auto& e : txmath::preset_list()) names += (names.empty() ? "" : ", ") + std::string(e.name);
      throw txmath::invalid_argument("txmath: '" + std::string(arg) +
                                     "' is neither a preset nor a config.json file; presets: " + names);
    }
  }
  const txmath::hf_config c = txmath::load_hf_config(std::string(arg));
  out.model = c.model;
  out.source = std::string(arg);
  out.model_type = c.model_type;
  out.max_context = c.max_context;
  out.notes = c.notes;
  out.name = !c.name.empty() ? c.name : std::filesystem::path(std::string(arg)).stem().string();
  if (out.name == "config") out.name = std::filesystem::path(std::string(arg)).parent_path().filename().string();
  return out;
}

std::uint64_t parse_size(std::string_view text, std::string_view what) {
  std::string_view digits = text;
  std::uint64_t scale = 1;
  if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'K')) {
    scale = 1024;
    digits.remove_suffix(1);
  }
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || ec != std::errc{} || p != digits.data() + digits.size() || v == 0 ||
      v > (std::uint64_t{1} << 40) / scale)
    bad_value(what, text, "a positive integer up to 2^40 (e.g. 4096 or 8k)");
  return v * scale;
}

txmath::count parse_amount(std::string_view text, std::string_view what) {
  // Exact: digits, an optional fraction, an optional e<exponent>, an optional suffix; the
  // value must be a whole number (1.5T is fine, 1.5 is not).
  auto fail = [&] {
    bad_value(what, text, "a positive whole number, with K, M, B, T or P for 1e3 ... 1e15 (e.g. 15T, 1.5e12)");
  };
  std::string_view s = text;
  int exp10 = 0;
  if (!s.empty()) {
    switch (s.back()) {
      case 'K': case 'k': exp10 = 3; break;
      case 'M': case 'm': exp10 = 6; break;
      case 'B': case 'b': case 'G': case 'g': exp10 = 9; break;
      case 'T': case 't': exp10 = 12; break;
      case 'P': case 'p': exp10 = 15; break;
      default: break;
    }
    if (exp10 != 0) s.remove_suffix(1);
  }
  std::string digits;
  std::size_t i = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) digits += s[i];
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, --exp10) digits += s[i];
  }
  if (digits.empty()) fail();
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    int e = 0;
    const auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + s.size(), e);
    if (ec != std::errc{} || p != s.data() + s.size() || e > 40 || e < -40) fail();
    exp10 += e;
    i = s.size();
  }
  if (i != s.size()) fail();
  while (exp10 < 0 && !digits.empty() && digits.back() == '0') {  // 1.50T: drop zeros
    digits.pop_back();
    ++exp10;
  }
  if (exp10 < 0 || digits.size() + static_cast<std::size_t>(exp10) > 30) fail();
  txmath::count v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  for (int k = 0; k < exp10; ++k) v = v * 10;
  if (v == 0) fail();
  return v;
}

double parse_real(std::string_view text, std::string_view what) {
  // The library's exact reader, not the floating std::from_chars that libc++ 19 lacks; a
  // leading '.' (".5") is read as "0.5".
  const std::string t = !text.empty() && text[0] == '.' ? "0" + std::string(text) : std::string(text);
  const auto r = txmath::detail::decimal_to_double(t);
  if (r.status != txmath::detail::decimal_to_double_result::ok) bad_value(what, text, "a number");
  return r.value;
}

std::string grouped(txmath::count c) {
  const std::string d = c.to_string();
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i != 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}

}  // namespace txmath::cli

// Shared by `txmath report` and `txmath plot`: the model argument and option values.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <string>

#include <txmath/core/decimal.hpp>
#include <txmath/core/format.hpp>
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

std::string read_config_text(const std::string& path, std::size_t limit) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw txmath::invalid_argument("txmath: cannot open " + path + ": " +
                                   std::generic_category().message(errno ? errno : ENOENT));
  std::string out;
  char buf[1 << 16];
  bool too_big = false;
  for (;;) {  // reads at most limit + 1 bytes: /dev/zero and huge files stop here
    const std::size_t want = std::min(sizeof buf, limit + 1 - out.size());
    const std::size_t n = std::fread(buf, 1, want, f);
    out.append(buf, n);
    if (out.size() > limit) {
      too_big = true;
      break;
    }
    if (n < want) break;
  }
  const bool bad = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (too_big)
    throw txmath::invalid_argument("txmath: " + path + ": larger than " + std::to_string(limit >> 20) +
                                   " MiB, txmath's limit for a config.json (real ones are a few KiB)");
  if (bad)
    throw txmath::invalid_argument("txmath: cannot read " + path + ": " +
                                   std::generic_category().message(err ? err : EIO));
  return out;
}

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
  const txmath::hf_config c = txmath::parse_hf_config(read_config_text(std::string(arg)), arg);
  out.model = c.model;
  out.source = std::string(arg);
  out.model_type = c.model_type;
  out.max_context = c.max_context;
  out.notes = c.notes;
  out.name = !c.name.empty() ? c.name : std::filesystem::path(std::string(arg)).stem().string();
  if (out.name == "config") out.name = std::filesystem::path(std::string(arg)).parent_path().filename().string();
  return out;
}

std::uint64_t parse_size(std::string_view text, std::string_view what, std::uint64_t limit) {
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
  if (v * scale > limit)
    throw txmath::invalid_argument("txmath: " + std::string(what) + ": " + std::string(text) + " exceeds the limit of " +
                                   std::to_string(limit));
  return v * scale;
}

txmath::count parse_amount(std::string_view text, std::string_view what) {
  // Exact: digits, an optional fraction, an optional e<exponent>, an optional suffix; the
  // value must be a whole number (1.5T is fine, 1.5 is not).
  auto fail = [&] {
    bad_value(what, text,
              "a positive whole number up to 1e30, with K, M, B, T or P for 1e3 ... 1e15 (e.g. 15T, 1.5e12)");
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
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));  // 0015T: 15T
  // At most 1e30 (31 digits), far beyond any run, and exact in 128 bits.
  if (exp10 < 0 || digits.empty() || digits.size() + static_cast<std::size_t>(exp10) > 31) fail();
  txmath::count v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  for (int k = 0; k < exp10; ++k) v = v * 10;
  if (v > txmath::pow(txmath::count(10), 30)) fail();
  return v;
}

double parse_real(std::string_view text, std::string_view what) {
  // The library's exact reader, not the floating std::from_chars that libc++ 19 lacks; a
  // leading '.' (".5") is read as "0.5".
  const std::string t = !text.empty() && text[0] == '.' ? "0" + std::string(text) : std::string(text);
  const auto r = txmath::decimal_to_double(t);
  if (r.status != txmath::decimal_to_double_result::ok || !std::isfinite(r.value))
    bad_value(what, text, "a finite number (e.g. 0.4 or 2.5)");
  return r.value;
}

std::string grouped(txmath::count c) { return txmath::format_grouped(c).str(); }

}  // namespace txmath::cli

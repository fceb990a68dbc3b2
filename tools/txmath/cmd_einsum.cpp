// txmath einsum / txmath path: the cost of one einsum and the contraction order of many.
//   txmath einsum "btd,df->btf" b=8 t=1024 d=4096 f=14336 [--dtype bf16] [--json]
//   txmath path "ij,jk,kl->il" i=10 j=20 k=30 l=40 [--optimize dp|greedy|optimal|auto] [--json]
//   txmath path ... --optimize random-greedy [--trials N] [--seed S]   (greedy's cost shown beside)
//   txmath path ... --optimize dp --dp-pairs N   (dp's work budget, 2^30 pairs by default)
// Figures are exact integers. One beyond 2^128 - 1 (the naive cost of a large network) is
// shown as a power of two from a log2_cost replay of the same path, and said so; a ratio with
// a zero denominator (and intensity at 0 FLOPs) is shown as undefined: no NaN or infinity is
// ever printed.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/einsum.hpp>
#include <txmath/einsum_path.hpp>

#include "commands.hpp"
#include "writer.hpp"

namespace txmath::cli {
namespace {
// `s` padded with spaces to `width` characters (code points: printf's %-30s counts bytes, so
// non-ASCII index letters shifted the column).
std::string padded(std::string s, std::size_t width) {
  std::size_t chars = 0;
  for (char c : s) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars < width) s.append(width - chars, ' ');
  return s;
}

// A ratio for people: four significant digits (2294, 20.00, 0.1250).
std::string four_digits(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

struct args {
  std::string spec;
  std::vector<std::pair<char32_t, count>> sizes;
  path_optimizer optimize = path_optimizer::auto_;
  random_greedy_options random{};
  bool random_flags = false;  // --trials or --seed given
  search_budget budget{};     // dp's (--dp-pairs)
  bool budget_flag = false;
  dtype type = dtype::bf16;
  bool json = false;
};

[[noreturn]] void fail(const std::string& what) { throw txmath::invalid_argument("txmath: " + what); }

// A size: decimal digits, at most the largest count (2^128 - 1).
count parse_size(std::string_view label, const std::string& value) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
    fail("size of '" + printable(label) + "' must be a non-negative integer, got '" + printable(value) + "'");
  detail::u128 v = 0;
  for (char c : value)
    if (__builtin_mul_overflow(v, detail::u128{10}, &v) ||
        __builtin_add_overflow(v, static_cast<detail::u128>(c - '0'), &v))
      fail("size of '" + printable(label) + "' is " + value + ", more than the largest size, " +
           count::from_rep(count::max_rep).to_string() + " (2^128 - 1)");
  return count::from_rep(v);
}

// --dp-pairs at most 2^40: about 20 minutes of dp's scan (the 8 x 8 lattice takes 2^32.4 pairs
// in about 5 s; the memory budget, 1 GiB, holds as well).
constexpr std::uint64_t max_dp_pairs = std::uint64_t{1} << 40;

// A decimal integer flag value in [lo, hi].
std::uint64_t parse_flag_number(const char* flag, std::string_view v, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t x = 0;
  bool ok = !v.empty() && v.size() <= 20 && v.find_first_not_of("0123456789") == std::string_view::npos;
  for (char c : v)
    ok = ok && !__builtin_mul_overflow(x, 10u, &x) && !__builtin_add_overflow(x, static_cast<unsigned>(c - '0'), &x);
  if (!ok || x < lo || x > hi)
    fail(std::string(flag) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", got '" +
         printable(v) + "'");
  return x;
}

void add_size(args& a, std::string_view s) {
  const auto eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0) fail("expected index=size, got '" + printable(s) + "'");
  std::size_t pos = 0;
  const std::string_view label = s.substr(0, eq);
  const char32_t c = decode_utf8(label, pos);
  if (c == 0 || pos != label.size()) fail("'" + printable(label) + "' is not one index letter");
  const count size = parse_size(label, std::string(s.substr(eq + 1)));
  for (const auto& [l, v] : a.sizes)
    if (l == c && v != size)
      fail("index '" + label_text(c) + "' is given two sizes, " + v.to_string() + " and " + size.to_string() +
           ": give each index one size");
  a.sizes.emplace_back(c, size);
}

args parse_args(int argc, char** argv, bool path_command) {
  args a;
  for (int i = 0; i < argc; ++i) {
    const std::string_view s = argv[i];
    if (s == "--json") {
      a.json = true;
    } else if (s == "--optimize" && path_command) {
      if (++i >= argc) fail("--optimize needs a value: dp, greedy, random-greedy, optimal or auto");
      const std::string_view o = argv[i];
      if (o == "dp") a.optimize = path_optimizer::dp;
      else if (o == "greedy") a.optimize = path_optimizer::greedy;
      else if (o == "random-greedy") a.optimize = path_optimizer::random_greedy;
      else if (o == "optimal") a.optimize = path_optimizer::optimal;
      else if (o == "auto") a.optimize = path_optimizer::auto_;
      else fail("unknown optimizer '" + printable(o) + "' (use dp, greedy, random-greedy, optimal or auto)");
    } else if ((s == "--trials" || s == "--seed") && path_command) {
      if (++i >= argc) fail(std::string(s) + " needs a value");
      a.random_flags = true;
      if (s == "--trials") a.random.trials = static_cast<std::uint32_t>(parse_flag_number("--trials", argv[i], 1, random_greedy_options::max_trials));
      else a.random.seed = parse_flag_number("--seed", argv[i], 0, ~std::uint64_t{0});
    } else if (s == "--dp-pairs" && path_command) {
      if (++i >= argc) fail("--dp-pairs needs a value, e.g. 8589934592 (2^33)");
      a.budget_flag = true;
      a.budget.pairs = parse_flag_number("--dp-pairs", argv[i], 1, max_dp_pairs);
    } else if (s == "--dtype") {
      if (++i >= argc) fail("--dtype needs a value, e.g. bf16");
      a.type = parse_dtype(argv[i]);
    } else if (a.spec.empty() && s.find('=') == std::string_view::npos) {
      a.spec = s;
    } else {
      add_size(a, s);
    }
  }
  if (a.spec.empty()) fail("missing the einsum spec, e.g. \"ij,jk->ik\"");
  if (a.random_flags && a.optimize != path_optimizer::random_greedy)
    fail("--trials and --seed are options of --optimize random-greedy");
  if (a.budget_flag && a.optimize != path_optimizer::dp && a.optimize != path_optimizer::auto_)
    fail("--dp-pairs is an option of --optimize dp and auto");
  return a;
}

std::string path_json(const linear_path& p) {
  std::string s = "[";
  for (std::size_t k = 0; k < p.size(); ++k) {
    s += k ? ", [" : "[";
    for (std::size_t i = 0; i < p[k].size(); ++i) s += (i ? ", " : "") + std::to_string(p[k][i]);
    s += "]";
  }
  return s + "]";
}

// The library's advice in command-line words (the message names C++ options).
std::string in_cli_words(std::string m) {
  const std::pair<std::string_view, std::string_view> words[] = {
      {"path_optimizer::random_greedy", "--optimize random-greedy"}, {"random_greedy: trials", "--trials"},
      {"path_optimizer::greedy", "--optimize greedy"}, {"path_optimizer::auto_", "--optimize auto"},
      {"path_optimizer::dp", "--optimize dp"}, {", path_options::budget)", "; --dp-pairs N raises the pairs)"}};
  for (const auto& [from, to] : words)
    for (std::size_t at; (at = m.find(from)) != std::string::npos;) m.replace(at, from.size(), to);
  return m;
}

// One figure of the report: exact, or (beyond a count) log2 of it.
struct figure {
  count exact{};
  bool over = false;
  double log2 = 0;

  std::string text() const {
    if (!over) return exact.to_string(true);
    char buf[48];
    std::snprintf(buf, sizeof buf, "2^%.3f (beyond 2^128)", log2);
    return buf;
  }
  std::string json() const { return over ? "null" : exact.to_string(); }
  double log2_value() const { return over ? log2 : std::log2(exact.to_double()); }
  bool zero() const { return !over && exact == 0; }
};

// a / b for people, or why it has no value.
std::string ratio_text(const figure& a, const figure& b, const char* zero_why) {
  if (b.zero()) return std::string("undefined (") + zero_why + ")";
  if (a.zero()) return "0";
  const double l = a.log2_value() - b.log2_value();
  if (l > 1000 || l < -1000) return "2^" + four_digits(l);
  return four_digits(std::exp2(l));
}
std::string ratio_json(const figure& a, const figure& b) {
  if (b.zero()) return "null";
  if (a.zero()) return "0";
  const double l = a.log2_value() - b.log2_value();
  if (l > 1000 || l < -1000) return "null";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.17g", std::exp2(l));
  return buf;
}

// The bytes every input read once and the output written once, in `type`.
figure bytes_moved(const einsum_network& net, dtype type) {
  try {
    count in_elems = 0;
    for (const auto& t : net.inputs) in_elems += net.elements(t);
    return {bytes_of(in_elems, type).value() + bytes_of(net.elements(net.output), type).value()};
  } catch (const overflow_error&) {
    log2_cost total{};
    auto add = [&](const std::vector<std::uint32_t>& t) {
      log2_cost e(1u);
      for (auto d : t) e = e * log2_cost(net.sizes[d]);
      total = total + e;
    };
    for (const auto& t : net.inputs) add(t);
    add(net.output);
    return {count::from_rep(count::max_rep), true, total.log2() + std::log2(bits_of(type) / 8.0)};
  }
}

// Multiply-adds and backward FLOPs along the path (each step costed as any einsum), unless
// some step overflows a count.
struct along_path {
  bool ok = false;
  einsum_cost sum{};
};
along_path cost_along(const einsum_network& net, const path_info<count>& info, dtype type) {
  along_path r;
  try {
    for (std::size_t k = 0; k < info.steps.size(); ++k) {
      const einsum_cost c = step_cost(net, info, k, type);
      r.sum.flops += c.flops;
      r.sum.macs += c.macs;
      r.sum.backward_flops += c.backward_flops;
    }
    r.ok = true;
  } catch (const overflow_error&) {
  }
  return r;
}

struct report {
  figure flops, naive, opt, largest, bytes;
  std::optional<figure> greedy;  // random greedy: greedy's optimized FLOPs, side by side
  std::vector<figure> step_flops;
  along_path along;
  bool overflowed = false;
};

// `info` is the path found; `whole` the einsum in one step (costed as cost() does: for `einsum`).
report make_report(const einsum_network& net, const path_info<count>& info, const path_info<count>& whole,
                   dtype type, bool path_command) {
  report r;
  auto wide_of = [&](const path_info<count>& p) {  // the same path replayed in log2_cost
    return p.overflowed.any() ? contract_path<log2_cost>(net, p.path) : path_info<log2_cost>{};
  };
  const path_info<log2_cost> wide = wide_of(info);
  auto fig = [&](const count& c, bool over, const log2_cost& l) { return figure{c, over, over ? l.log2() : 0.0}; };
  r.overflowed = info.overflowed.any();
  r.naive = fig(info.naive_flops, info.overflowed.naive_flops, wide.naive_flops);
  r.opt = fig(info.opt_flops, info.overflowed.opt_flops, wide.opt_flops);
  r.largest = fig(info.largest_intermediate, info.overflowed.largest_intermediate, wide.largest_intermediate);
  for (std::size_t k = 0; k < info.steps.size(); ++k)
    r.step_flops.push_back(fig(info.steps[k].flops, info.steps[k].overflowed, r.overflowed ? wide.steps[k].flops : log2_cost{}));
  if (path_command) {
    r.flops = r.opt;
  } else {
    const auto w = wide_of(whole);
    r.flops = fig(whole.steps[0].flops, whole.steps[0].overflowed, whole.overflowed.any() ? w.steps[0].flops : log2_cost{});
  }
  r.bytes = bytes_moved(net, type);
  r.along = cost_along(net, path_command ? info : whole, type);
  return r;
}

// greedy's optimized FLOPs on the same network (exact, or log2 beyond a count).
figure greedy_figure(const einsum_network& net) {
  const path_info<count> g = contract_path<count>(net, {.optimize = path_optimizer::greedy});
  if (!g.overflowed.opt_flops) return {g.opt_flops};
  return {g.opt_flops, true, contract_path<log2_cost>(net, g.path).opt_flops.log2()};
}

void print_json(const einsum_network& net, const path_info<count>& info, const report& r) {
  const einsum_cost* w = r.along.ok ? &r.along.sum : nullptr;
  std::string overflowed;
  auto note = [&](const char* name, bool over) {
    if (over) overflowed += std::string(overflowed.empty() ? "" : ", ") + "\"" + name + "\"";
  };
  note("flops", r.flops.over);
  note("naive_flops", r.naive.over);
  note("opt_flops", r.opt.over);
  note("largest_intermediate", r.largest.over);
  if (r.greedy) note("greedy_opt_flops", r.greedy->over);
  note("bytes", r.bytes.over);
  std::string log2s;  // log2 of each figure that overflowed (exact figures are given exactly)
  for (const auto& [name, f] : {std::pair<const char*, const figure*>{"flops", &r.flops}, {"naive_flops", &r.naive},
                                {"opt_flops", &r.opt}, {"largest_intermediate", &r.largest}, {"bytes", &r.bytes},
                                {"greedy_opt_flops", r.greedy ? &*r.greedy : nullptr}})
    if (f && f->over) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%.6f", f->log2);
      log2s += std::string(log2s.empty() ? "" : ", ") + "\"" + name + "\": " + buf;
    }
  const std::string greedy = r.greedy ? ", \"greedy_opt_flops\": " + r.greedy->json() : "";
  std::printf("{\"spec\": %s, \"flops\": %s, \"naive_flops\": %s, \"opt_flops\": %s%s, "
              "\"largest_intermediate\": %s, \"path\": %s, \"bytes\": %s, \"intensity\": %s, "
              "\"backward_flops\": %s, \"overflowed\": [%s], \"log2\": {%s}}\n",
              json_quote(net.str()).c_str(), r.flops.json().c_str(), r.naive.json().c_str(), r.opt.json().c_str(),
              greedy.c_str(),
              r.largest.json().c_str(), path_json(info.path).c_str(), r.bytes.json().c_str(),
              r.flops.zero() ? "null" : ratio_json(r.flops, r.bytes).c_str(), w ? w->backward_flops.value().to_string().c_str() : "null",
              overflowed.c_str(), log2s.c_str());
}

void print_text(const einsum_network& net, const path_info<count>& info, const report& r, dtype type,
                bool path_command) {
  auto row = [](const char* name, const std::string& v) { std::printf("  %-22s %s\n", name, v.c_str()); };
  std::printf("%s\n", net.str().c_str());
  row("FLOPs", r.flops.text());
  if (r.along.ok) {
    row("multiply-adds", r.along.sum.macs.to_string(true));
    row("backward FLOPs", r.along.sum.backward_flops.value().to_string(true));
  }
  row(("bytes moved (" + std::string(name_of(type)) + ")").c_str(), r.bytes.text());
  // (0 FLOPs has no intensity: nothing is computed, whatever is moved.)
  row("intensity (FLOP/byte)", r.flops.zero() ? "undefined (0 FLOPs)" : ratio_text(r.flops, r.bytes, "0 bytes moved"));
  row("naive FLOPs", r.naive.text());
  row("optimized FLOPs", r.opt.text());
  if (r.greedy) {
    row("greedy FLOPs", r.greedy->text());
    row("gain over greedy", ratio_text(*r.greedy, r.opt, "0 optimized FLOPs") + (r.opt.zero() ? "" : "x"));
  }
  row("speedup", ratio_text(r.naive, r.opt, "0 optimized FLOPs") + (r.opt.zero() ? "" : "x"));
  row("largest intermediate", r.largest.text() + " elements");
  row("path", path_json(info.path));
  if (path_command) {
    std::printf("  %-4s %-30s %22s\n", "step", "contraction", "FLOPs");
    for (std::size_t i = 0; i < info.steps.size(); ++i)
      std::printf("  %-4zu %s %22s\n", i, padded(info.step_spec(i), 30).c_str(), r.step_flops[i].text().c_str());
  }
  if (r.overflowed || r.bytes.over)
    std::printf("note: figures beyond 2^128 - 1 are shown as powers of two (log2_cost); the rest are exact\n");
}

int run(int argc, char** argv, bool path_command) {
  const args a = parse_args(argc, argv, path_command);
  einsum_network net = parse_network(a.spec);
  for (const auto& [label, size] : a.sizes) net.set_size(label, size);
  net.check_sizes();
  path_options opt;
  opt.optimize = a.optimize;
  opt.random = a.random;
  opt.budget = a.budget;
  // `einsum` costs the einsum in one step; `path` along the contraction order it finds.
  path_info<count> info, whole;
  try {
    info = contract_path<count>(net, opt);
  } catch (const invalid_argument& e) {
    throw invalid_argument(in_cli_words(e.what()));
  }
  if (!path_command) {
    linear_path one;
    for (std::size_t i = 0; i < net.operands(); ++i) one.add(i);
    one.close();
    whole = contract_path<count>(net, one);
  }
  report r = make_report(net, info, whole, a.type, path_command);
  if (a.optimize == path_optimizer::random_greedy) r.greedy = greedy_figure(net);
  if (a.json) print_json(net, info, r);
  else print_text(net, info, r, a.type, path_command);
  return 0;
}

}  // namespace

int run_einsum(int argc, char** argv) { return run(argc, argv, false); }
int run_path(int argc, char** argv) { return run(argc, argv, true); }

}  // namespace txmath::cli

// The web page's engine: txmath's own headers, compiled to WebAssembly (tools/web/build.sh:
// clang++-19 --target=wasm32-wasi -fno-exceptions). The page writes a JSON request into the
// module's memory and calls txmath_call(); the answer is JSON text.
//
//   {"op": "lists"}                       preset, GPU and dtype names
//   {"op": "report", "model": "llama-3-8b" | "config": "<config.json text>", "config_name":
//    "file.json", "seq": 4096, "batch": 8, "tokens": "15T", "dtype": "bf16", "gpu": "h100",
//    "weights_dtype", "kv_dtype", "compute_dtype": dtypes overriding "dtype", "flash": "on"|"off",
//    "gpus": 1024, "mfu": 0.4, "price": 2.0}
//       -> {"report": <the keys of `txmath report --json`>, "tables": [...], "context": [...]}
//   {"op": "einsum", "spec": "ij,jk,kl->il", "sizes": "i=10 j=20 ...", "optimize": "dp"}
//
// The report is txmath::make_report (report.hpp), rendered by the CLI's own JSON renderer
// (tools/txmath/report_json.cpp, compiled in below); the tables mirror the CLI's, cell by
// cell (a browser test checks both against the CLI).
//
// Errors: without exceptions, txmath calls the error handler; the handler installed here
// hands the "txmath: ..." message to the page (import txmath.error), then txmath aborts,
// which traps. The page shows the message and instantiates a fresh module for the next call.
// Built natively (g++/clang++ with exceptions) the same file is a filter: request on stdin,
// answer on stdout, for debugging without a browser.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/core/format.hpp>
#include <txmath/einsum.hpp>
#include <txmath/einsum_path.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/hf_config.hpp>
#include <txmath/json.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>
#include <txmath/report.hpp>

// The CLI's JSON writer and report renderer, compiled into this one translation unit, so the
// page's keys and values are those of `txmath report --json` by construction.
#include "../txmath/report_json.cpp"
#include "../txmath/writer.cpp"
#include "../txmath/gpus.hpp"

namespace web {

using txmath::count;

[[noreturn]] void fail(const std::string& what) {
  txmath::detail::raise<txmath::invalid_argument>("txmath: " + what);
}

// ---- JSON output: a tree of named values, written as `txmath report --json` writes it ------

std::string quote(std::string_view s) { return txmath::cli::json_quote(s); }
// The shortest round-trip decimal, as the CLI writes doubles; an undefined figure (a ratio
// over 0 FLOPs) is null, as in `txmath path --json`, never NaN.
std::string number(double v) { return std::isfinite(v) ? txmath::cli::shortest_decimal(v, "value") : "null"; }
std::string number(count c) { return c.to_string(); }
std::string array(const std::vector<std::string>& items) {
  std::string s = "[";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + "]";
}

// ---- the request -----------------------------------------------------------------------------

class request {
 public:
  explicit request(const txmath::json::value& v) : v_(v) {}
  [[nodiscard]] std::string text(std::string_view key, std::string_view fallback) const {
    const auto f = v_.find(key);
    return f && !f->is_null() ? std::string(f->as_string_view()) : std::string(fallback);
  }
  // A positive integer up to 2^40, as the CLI's sizes; `fallback` when absent or null.
  [[nodiscard]] std::uint64_t size(std::string_view key, std::uint64_t fallback) const {
    const auto f = v_.find(key);
    if (!f || f->is_null()) return fallback;
    const std::uint64_t n = f->as_uint64();
    if (n == 0 || n > (std::uint64_t{1} << 40))
      fail(std::string(key) + ": expected a positive integer up to 2^40, found " + std::to_string(n));
    return n;
  }
  [[nodiscard]] double real(std::string_view key, double fallback) const {
    const auto f = v_.find(key);
    return f && !f->is_null() ? f->as_double() : fallback;
  }
  [[nodiscard]] bool has(std::string_view key) const {
    const auto f = v_.find(key);
    return f && !f->is_null();
  }

 private:
  txmath::json::value v_;
};

// ---- names: GPUs, models -----------------------------------------------------------------------

constexpr const char* dtype_names[] = {"fp32", "bf16", "fp16", "fp8", "int8", "int4"};

const txmath::accelerator& find_gpu(std::string_view name) {
  if (const txmath::cli::gpu_entry* g = txmath::cli::find_gpu_entry(name)) return *g->gpu;
  fail("gpu: unknown accelerator '" + std::string(name) + "'; known: " + txmath::cli::gpu_keys());
}

txmath::dtype find_dtype(std::string_view name) {
  for (const char* d : dtype_names)
    if (name == d) return txmath::parse_dtype(name);
  fail("dtype: unknown dtype '" + std::string(name) + "'; use fp32, bf16, fp16, fp8, int8 or int4");
}

// A model from a preset name or a config.json's text, as the CLI's model_arg.
using txmath::cli::model_arg;

model_arg load_model(const request& r) {
  model_arg out;
  if (r.has("config")) {
    const std::string file = r.text("config_name", "config.json");
    const txmath::hf_config c = txmath::parse_hf_config(r.text("config", ""), file);
    out = {c.model, c.name, file, c.model_type, c.max_context, c.notes};
    if (out.name.empty()) out.name = file.size() > 5 && file.ends_with(".json") ? file.substr(0, file.size() - 5) : file;
    return out;
  }
  const std::string name = r.text("model", "llama-3-8b");
  const txmath::model_config* m = txmath::find_preset(name);
  if (!m) {
    std::string names;
    for (const auto& e : txmath::preset_list()) names += (names.empty() ? "" : ", ") + std::string(e.name);
    fail("'" + name + "' is not a preset; presets: " + names);
  }
  out.model = *m;
  out.name = name;
  out.source = "preset";
  if (m->position == txmath::position_kind::learned) out.max_context = m->max_positions;
  return out;
}

// "15T", "300B", "1.5e12", "1000000": a positive whole token count, exactly (as the CLI).
count parse_amount(std::string_view text) {
  auto bad = [&]() {
    fail("tokens: expected a positive whole number, with K, M, B, T or P for 1e3 ... 1e15 (e.g. 15T, 1.5e12), found '" +
         std::string(text) + "'");
  };
  std::string_view s = text;
  int exp10 = 0;
  const std::string_view suffixes = "KMBTP";
  if (!s.empty()) {
    const auto k = suffixes.find(static_cast<char>(s.back() & ~0x20));
    if (k != std::string_view::npos) {
      exp10 = 3 * (static_cast<int>(k) + 1);
      s.remove_suffix(1);
    }
  }
  // The JSON reader's exact integer rule: 1.5e3 is an integer, 1.5 is not.
  txmath::json::parse_options o;
  o.source = "tokens";
  std::string t(s);
  if (t.empty() || t.find_first_not_of("0123456789.eE+-") != std::string::npos) bad();
  t += "e" + std::to_string(exp10);
  if (t.find('e') != t.rfind('e')) bad();  // "1e3T": one exponent only
  const auto v = txmath::json::parse(t, o);
  const count c = v.as_count();
  if (c == 0) bad();
  return c;
}

}  // namespace web

namespace web {

// ---- the report: txmath::make_report, rendered as `txmath report` renders it ----------------

txmath::dtype dtype_or(const request& r, std::string_view key, txmath::dtype fallback) {
  return r.has(key) ? find_dtype(r.text(key, "")) : fallback;
}

// The request's settings as report_options, with the CLI's defaults and limits.
txmath::report_options read_options(const request& r, const model_arg& ma) {
  txmath::report_options o;
  o.batch = r.size("batch", 8);
  o.gpus = count(r.size("gpus", 1024));
  const txmath::dtype all = find_dtype(r.text("dtype", "bf16"));
  o.weights = dtype_or(r, "weights_dtype", all);
  o.kv_cache = dtype_or(r, "kv_dtype", all);
  o.compute = dtype_or(r, "compute_dtype", all);
  o.gpu = &find_gpu(r.text("gpu", "h100"));
  o.mfu = r.real("mfu", 0.4);
  if (!(o.mfu > 0 && o.mfu <= 1)) fail("mfu: must be in (0, 1] (write 40% as 0.4), found " + number(o.mfu));
  o.price_per_gpu_hour = r.real("price", 2.0);
  if (!(o.price_per_gpu_hour >= 0)) fail("price: must not be negative, found " + number(o.price_per_gpu_hour));
  const std::string flash = r.text("flash", "on");
  if (flash != "on" && flash != "off") fail("flash: expected on or off, found '" + flash + "'");
  o.flash_attention = flash == "on";
  o.seq_len = r.size("seq", 0);
  if (o.seq_len == 0) o.seq_len = ma.max_context != 0 && ma.max_context < 4096 ? ma.max_context : 4096;
  o.max_context = ma.max_context;
  const std::string tokens = r.text("tokens", "");
  if (!tokens.empty()) o.tokens = parse_amount(tokens);
  return o;
}

// ---- the tables of `txmath report`, as rows of formatted cells ---------------------------------

std::string grouped(count c) { return txmath::format_grouped(c).str(); }  // as the CLI
std::string sci(double v) { return txmath::format_sci(v).str(); }
std::string pct(double share) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * share);
  return buf;
}
// 11604.3 -> "11,604"; beyond 1e15, scientific.
std::string whole(double v) {
  if (!(v < 1e15)) return sci(v);
  return grouped(count(static_cast<unsigned long long>(v + 0.5)));
}
std::string fb(txmath::bytes b) { return txmath::format_bytes(b).str(); }
std::string fs(txmath::seconds t) { return txmath::format_seconds(t).str(); }
std::string u(std::uint64_t v) { return std::to_string(v); }

class table {
 public:
  table(std::string title, std::vector<std::string> columns) : title_(std::move(title)), columns_(std::move(columns)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void note(std::string text) { notes_.push_back(quote(text)); }
  [[nodiscard]] std::string json() const {
    std::vector<std::string> cols, rows;
    for (const auto& c : columns_) cols.push_back(quote(c));
    for (const auto& r : rows_) {
      std::vector<std::string> cells;
      for (const auto& c : r) cells.push_back(quote(c));
      rows.push_back(array(cells));
    }
    return "{\"title\": " + quote(title_) + ", \"columns\": " + array(cols) + ", \"rows\": " + array(rows) +
           ", \"notes\": " + array(notes_) + "}";
  }

 private:
  std::string title_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::string> notes_;
};

table params_table(const model_arg& ma, const txmath::param_report& p) {
  table t("Parameters", {"", "total", "active", "share"});
  for (std::size_t c = 0; c < txmath::n_components; ++c) {
    if (p.by_component[c].value() == 0) continue;
    t.row({std::string(txmath::name_of(static_cast<txmath::component>(c))), grouped(p.by_component[c].value()),
           grouped(p.active_by_component[c].value()), pct(p.by_component[c].to_double() / p.total.to_double())});
  }
  t.row({"total", grouped(p.total.value()), grouped(p.active.value()), ""});
  t.note(txmath::format_count(p.total.value()).str() + " total, " + txmath::format_count(p.active.value()).str() +
         " active; tied embeddings: " + (ma.model.tied_embeddings ? "yes" : "no"));
  return t;
}

table flops_table(const txmath::model_report& rep) {
  const auto& step = rep.flops.per_step;
  table t("FLOPs per token (seq " + u(rep.settings.seq_len) + ")", {"", "forward", "training", "share"});
  const double toks = step.tokens.to_double();
  const auto row = [&](const char* name, txmath::flops fwd, txmath::flops train) {
    if (fwd.value() == 0 && train.value() == 0) return;
    t.row({name, sci(fwd.to_double() / toks), sci(train.to_double() / toks), pct(step.forward.share_of(fwd))});
  };
  using txmath::component;
  const auto& f = step.forward;
  const auto& b = step.training;
  row("attention projections", f.attention_projections(), b.attention_projections());
  row("attention QK^T, AV", f.attention_core, b.attention_core);
  row("ffn", f[component::ffn], b[component::ffn]);
  row("experts", f[component::experts], b[component::experts]);
  row("shared experts", f[component::shared_experts], b[component::shared_experts]);
  row("router", f[component::router], b[component::router]);
  row("lm head", f[component::head] + f[component::embedding], b[component::head] + b[component::embedding]);
  row("total", f.total, b.total);
  t.note("per step (" + u(rep.settings.batch) + " x " + u(rep.settings.seq_len) + " tokens): forward " +
         sci(f.total.to_double()) + ", training " + sci(b.total.to_double()));
  t.note("per run (" + txmath::format_count(rep.settings.tokens).str() + " tokens): training " +
         sci(rep.flops.training_per_run.to_double()) + " (6ND with active N: " + sci(rep.flops.six_n_d.to_double()) + ")");
  return t;
}

table memory_table(const txmath::model_config& m, const txmath::model_report& rep) {
  const auto& s = rep.settings;
  const auto& mem = rep.memory;
  const std::string shape = u(s.batch) + " x " + u(s.seq_len);
  table t("Memory", {"", "size", ""});
  t.row({"weights (" + std::string(txmath::name_of(s.weights)) + ")", fb(mem.weights), ""});
  t.row({"training state (Adam, 16 B/param)", fb(mem.training_state),
         fb(mem.training_state_per_gpu_zero3) + " per GPU, ZeRO-3 over " + s.gpus.to_string()});
  t.row({"activations (" + shape + ", flash " + (s.flash_attention ? "on" : "off") + ")", fb(mem.activations),
         "full recompute: " + fb(mem.activations_full_recompute)});
  std::string kv = fb(mem.kv_cache_per_token) + " per token";
  if (mem.kv_cache != mem.kv_cache_without_windows)
    kv += "; sliding window " + u(m.attention.sliding_window) + " on " + u(m.n_sliding_layers()) + " of " +
          u(m.n_layers) + " layers, " + fb(mem.kv_cache_without_windows) + " without";
  t.row({"KV cache (" + shape + ", " + std::string(txmath::name_of(s.kv_cache)) + ")", fb(mem.kv_cache), kv});
  return t;
}

table time_table(const txmath::model_report& rep) {
  const auto& s = rep.settings;
  const std::string mfu = txmath::cli::shortest_decimal(s.mfu, "mfu");
  const std::string price = txmath::cli::shortest_decimal(s.price_per_gpu_hour, "price");
  table t("Training time and cost (" + s.gpus.to_string() + " x " + std::string(s.gpu->name) + ", " +
              std::string(txmath::name_of(s.compute)) + " peak " + sci(rep.training.peak.value()) + " FLOP/s, MFU " +
              mfu + ")",
          {"", "time", ""});
  t.row({"training run", fs(rep.training.time),
         whole(rep.training.gpu_hours) + " GPU-hours, $" + whole(rep.training.cost) + " at $" + price + "/GPU-hour"});
  return t;
}

table inference_table(const txmath::model_report& rep) {
  const auto& s = rep.settings;
  const auto& a = rep.inference;
  table t("Inference (" + u(s.batch) + " x " + u(s.seq_len) + ", weights " + std::string(txmath::name_of(s.weights)) +
              ", KV cache " + std::string(txmath::name_of(s.kv_cache)) + ", on " + std::string(s.gpu->name) + " with " +
              fb(a.gpu_memory) + ")",
          {"", "", ""});
  std::string verdict = a.fits_one_gpu ? "fits one GPU" : "does not fit one GPU";
  if (!a.fits_one_gpu && a.min_tp_that_fits != 0)
    verdict += "; fits with tensor parallelism " + a.min_tp_that_fits.to_string() + ", " + fb(a.memory_per_gpu) + " a GPU";
  if (a.min_tp_that_fits == 0) verdict += ", nor 64 with tensor parallelism";
  t.row({"weights + KV cache", fb(a.weights + a.kv_cache), verdict});
  if (a.min_tp_that_fits == 0) return t;
  const std::string tp = a.min_tp_that_fits.to_string();
  const std::string where = a.min_tp_that_fits == 1 ? "one GPU" : "TP " + tp + " (" + tp + " GPUs)";
  const auto row = [&](const std::string& what, const txmath::inference_step& st) {
    t.row({what, fs(st.roof.time()),
           std::string(st.roof.compute_bound() ? "compute" : "memory") + "-bound, " + where + "; " +
               whole(st.tokens_per_second) + " tokens/s"});
  };
  row("prefill (" + u(s.batch) + " x " + u(s.seq_len) + ")", a.prefill);
  row("decode step (" + u(s.batch) + " at " + u(s.seq_len) + ")", a.decode);
  return t;
}

std::string summary(const model_arg& ma) {
  const txmath::model_config& m = ma.model;
  const bool mla = m.attention.kind == txmath::attention_kind::mla;
  std::string s = ma.name + " (" + ma.model_type + (ma.model_type.empty() ? "" : ", ") + ma.source + "): d_model " +
                  u(m.d_model) + ", " + u(m.n_layers) + " layers, " + u(m.attention.n_heads) + " heads";
  if (mla)
    s += " (MLA: q/k head " + u(m.attention.qk_nope_head_dim + m.attention.qk_rope_head_dim) + ", v head " +
         u(m.attention.v_head_dim) + ", kv_lora_rank " + u(m.attention.kv_lora_rank) + ")";
  else
    s += " (" + u(m.kv_heads()) + " kv, head_dim " + u(m.head_dim()) + ")";
  s += ", d_ff " + u(m.ffn.d_ff) + ", vocab " + u(m.vocab);
  if (m.is_moe())
    s += ", " + u(m.moe.n_experts) + " experts (top " + u(m.moe.top_k) + ", d_ff " + u(m.moe.d_ff_expert) + ")";
  if (m.n_sliding_layers() != 0)
    s += ", sliding window " + u(m.attention.sliding_window) + " on " + u(m.n_sliding_layers()) + " layers";
  if (ma.max_context) s += ", context " + u(ma.max_context);
  return s;
}

// The context-scaling chart: shares of one sequence's forward FLOPs, as `txmath plot context`.
std::string context_rows(const txmath::model_config& m) {
  std::vector<std::string> rows;
  for (std::uint64_t seq = 256; seq <= 131072; seq *= 2) {
    const auto r = txmath::flops_per_sequence(m, {.seq_len = seq}).forward;
    const double head = (r[txmath::component::head] + r[txmath::component::embedding]).to_double();
    rows.push_back("{\"seq\": " + std::to_string(seq) + ", \"forward_flops\": " + number(r.total.to_double()) +
                   ", \"attention_core\": " + number(r.share_of(r.attention_core)) +
                   ", \"attention_projections\": " + number(r.share_of(r.attention_projections())) +
                   ", \"ffn\": " + number(r.share_of(r.ffn_all())) +
                   ", \"head\": " + number(r.total.value() == 0 ? 0.0 : head / r.total.to_double()) + "}");
  }
  return array(rows);
}

// {"report": the keys of `txmath report --json` (the same renderer), "summary", "tables",
// "context"}.
std::string report(const request& r) {
  const model_arg ma = load_model(r);
  const txmath::model_report rep = txmath::make_report(ma.model, read_options(r, ma));
  std::vector<std::string> notes = ma.notes;  // the config reader's, then the report's
  for (const std::string& n : txmath::note_texts(rep)) notes.push_back(n);
  std::string json = txmath::cli::report_machine_readable(ma, rep, notes, false);
  while (!json.empty() && json.back() == '\n') json.pop_back();
  std::string out = "{\"report\": " + json;
  out += ",\n\"summary\": " + quote(summary(ma));
  out += ",\n\"tables\": " + array({params_table(ma, rep.params).json(), flops_table(rep).json(),
                                    memory_table(ma.model, rep).json(), time_table(rep).json(),
                                    inference_table(rep).json()});
  return out + ",\n\"context\": " + context_rows(ma.model) + "}\n";
}

// ---- the einsum box: cost and contraction path, as `txmath path --json` -----------------------

txmath::einsum_network parse_sized_network(const request& r) {
  txmath::einsum_network net = txmath::parse_network(r.text("spec", ""));
  const std::string sizes = r.text("sizes", "");
  std::size_t i = 0;
  while (i < sizes.size()) {
    if (sizes[i] == ' ' || sizes[i] == ',' || sizes[i] == '\n' || sizes[i] == '\t') {
      ++i;
      continue;
    }
    const std::size_t end = std::min(sizes.find_first_of(" ,\n\t", i), sizes.size());
    const std::string item = sizes.substr(i, end - i);
    i = end;
    const std::size_t eq = item.find('=');
    std::size_t pos = 0;
    const std::string label = item.substr(0, eq == std::string::npos ? 0 : eq);
    const char32_t c = label.empty() ? 0 : txmath::decode_utf8(label, pos);
    if (c == 0 || pos != label.size()) fail("einsum sizes: expected index=size, found '" + item + "'");
    const std::string value = item.substr(eq + 1);
    if (value.empty() || value.size() > 19 || value.find_first_not_of("0123456789") != std::string::npos)
      fail("einsum sizes: the size of '" + label + "' must be a non-negative integer below 10^19, found '" + value + "'");
    net.set_size(c, count(std::stoull(value)));
  }
  net.check_sizes();
  return net;
}

txmath::path_optimizer find_optimizer(std::string_view name) {
  if (name == "dp") return txmath::path_optimizer::dp;
  if (name == "greedy") return txmath::path_optimizer::greedy;
  if (name == "optimal") return txmath::path_optimizer::optimal;
  if (name == "random-greedy") return txmath::path_optimizer::random_greedy;
  if (name == "auto") return txmath::path_optimizer::auto_;
  fail("optimize: unknown optimizer '" + std::string(name) + "' (use dp, greedy, random-greedy, optimal or auto)");
}

std::string einsum(const request& r) {
  const txmath::einsum_network net = parse_sized_network(r);
  txmath::path_options opt;
  opt.optimize = find_optimizer(r.text("optimize", "auto"));
  const auto info = txmath::contract_path<count>(net, opt);
  const txmath::dtype type = find_dtype(r.text("dtype", "bf16"));
  count in_elems = 0;
  for (const auto& t : net.inputs) in_elems += net.elements(t);
  const txmath::bytes moved = txmath::bytes_of(in_elems, type) + txmath::bytes_of(net.elements(net.output), type);
  std::vector<std::string> path, steps;
  for (std::size_t k = 0; k < info.path.size(); ++k) {
    std::vector<std::string> pair;
    for (std::size_t i = 0; i < info.path[k].size(); ++i) pair.push_back(std::to_string(info.path[k][i]));
    path.push_back(array(pair));
  }
  for (std::size_t i = 0; i < info.steps.size(); ++i)
    steps.push_back("{\"spec\": " + quote(info.step_spec(i)) + ", \"flops\": " + info.steps[i].flops.to_string() + "}");
  return "{\"spec\": " + quote(net.str()) + ", \"flops\": " + info.opt_flops.to_string() +
         ", \"naive_flops\": " + info.naive_flops.to_string() + ", \"opt_flops\": " + info.opt_flops.to_string() +
         ", \"speedup\": " + number(info.naive_flops.to_double() / info.opt_flops.to_double()) +
         ", \"largest_intermediate\": " + info.largest_intermediate.to_string() + ", \"path\": " + array(path) +
         ", \"bytes\": " + moved.value().to_string() +
         ", \"intensity\": " + number(info.opt_flops.to_double() / moved.value().to_double()) +
         ", \"steps\": " + array(steps) + "}\n";
}

std::string lists() {
  std::vector<std::string> presets, gpus, dtypes;
  for (const auto& e : txmath::preset_list()) presets.push_back(quote(e.name));
  for (const auto& g : txmath::cli::gpu_table)
    gpus.push_back("{\"key\": " + quote(g.key) + ", \"name\": " + quote(g.gpu->name) + "}");
  for (const char* d : dtype_names) dtypes.push_back(quote(d));
  return "{\"presets\": " + array(presets) + ", \"gpus\": " + array(gpus) + ", \"dtypes\": " + array(dtypes) + "}\n";
}

std::string call(std::string_view text) {
  txmath::json::parse_options o;
  o.source = "request";
  const request r(txmath::json::parse(text, o));
  const std::string op = r.text("op", "");
  if (op == "report") return report(r);
  if (op == "einsum") return einsum(r);
  if (op == "lists") return lists();
  fail("request: unknown op '" + op + "' (report, einsum or lists)");
}

}  // namespace web

// ---- the module's interface ---------------------------------------------------------------------

namespace {
std::string input, output;
}

#if defined(__wasm__)
// Debian's libclang_rt.builtins-wasm32 was built with a stack protector: its 128-bit modulo
// (__umodti3, which count's % needs at run time) refers to these, which wasi-libc lacks.
extern "C" {
std::uintptr_t __stack_chk_guard = 0x595e9fbdu;
[[noreturn]] void __stack_chk_fail() { __builtin_trap(); }
}

#define TXMATH_EXPORT(name) extern "C" __attribute__((export_name(#name)))
// The page's side of the error handler: it keeps the message, then the module traps.
extern "C" __attribute__((import_module("txmath"), import_name("error"))) void host_error(int kind, const char* message,
                                                                                       std::size_t size);

// The buffer the page writes a request of `size` bytes into.
TXMATH_EXPORT(txmath_input) char* txmath_input(std::size_t size) {
  input.assign(size, '\0');
  return input.data();
}
// Runs the request in the input buffer; returns the answer (NUL-terminated, txmath_output_size
// bytes), valid until the next call.
TXMATH_EXPORT(txmath_call) const char* txmath_call() {
  txmath::set_error_handler([](txmath::error_kind kind, const char* message) {
    host_error(static_cast<int>(kind), message, std::strlen(message));
  });
  output = web::call(input);
  return output.c_str();
}
TXMATH_EXPORT(txmath_output_size) std::size_t txmath_output_size() { return output.size(); }
#else
int main() {
  for (int c; (c = std::getchar()) != EOF;) input += static_cast<char>(c);
  try {
    output = web::call(input);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  std::fputs(output.c_str(), stdout);
  return 0;
}
#endif

// The web page's engine: txmath's own headers, compiled to WebAssembly (tools/web/build.sh:
// clang++-19 --target=wasm32-wasi -fno-exceptions). The page writes a JSON request into the
// module's memory and calls txmath_call(); the answer is JSON text.
//
//   {"op": "lists"}                       preset, GPU and dtype names
//   {"op": "report", "model": "llama-3-8b" | "config": "<config.json text>", "config_name":
//    "file.json", "seq": 4096, "batch": 8, "tokens": "15T", "dtype": "bf16", "gpu": "h100",
//    "gpus": 1024, "mfu": 0.4, "price": 2.0}
//       -> {"report": <the keys of `txmath report --json`>, "tables": [...], "context": [...]}
//   {"op": "einsum", "spec": "ij,jk,kl->il", "sizes": "i=10 j=20 ...", "optimize": "dp"}
//
// The report's keys, defaults and conventions are those of tools/txmath/cmd_report.cpp (a
// browser test checks them equal to the CLI's): when include/txmath/report.hpp lands, both
// render its struct and report() below shrinks to a call.
//
// Errors: without exceptions, txmath calls the error handler; the handler installed here
// hands the "txmath: ..." message to the page (import txmath.error), then txmath aborts,
// which traps. The page shows the message and instantiates a fresh module for the next call.
// Built natively (g++/clang++ with exceptions) the same file is a filter: request on stdin,
// answer on stdout, for debugging without a browser.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/activations.hpp>
#include <txmath/core/format.hpp>
#include <txmath/detail/json.hpp>
#include <txmath/einsum.hpp>
#include <txmath/einsum_path.hpp>
#include <txmath/flops.hpp>
#include <txmath/hardware.hpp>
#include <txmath/hf_config.hpp>
#include <txmath/kv_cache.hpp>
#include <txmath/memory.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>

namespace web {

using txmath::count;

[[noreturn]] void fail(const std::string& what) {
  txmath::detail::raise<txmath::invalid_argument>("txmath: " + what);
}

// ---- JSON output: a tree of named values, written as `txmath report --json` writes it ------

std::string quote(std::string_view s) {
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
std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string number(count c) { return c.to_string(); }
std::string array(const std::vector<std::string>& items) {
  std::string s = "[";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + items[i];
  return s + "]";
}

class tree {
 public:
  void set(std::string_view path, std::string value) {
    tree* n = this;
    for (std::size_t dot; (dot = path.find('.')) != std::string_view::npos; path.remove_prefix(dot + 1))
      n = &n->child(path.substr(0, dot));
    n->child(path).json_ = std::move(value);
  }
  void write(std::string& out, int indent = 0) const {
    if (children_.empty()) {
      out += json_.empty() ? "{}" : json_;
      return;
    }
    out += "{\n";
    for (std::size_t i = 0; i < children_.size(); ++i) {
      out += std::string(static_cast<std::size_t>(indent + 2), ' ') + quote(children_[i].key_) + ": ";
      children_[i].write(out, indent + 2);
      out += i + 1 < children_.size() ? ",\n" : "\n";
    }
    out += std::string(static_cast<std::size_t>(indent), ' ') + "}";
  }

 private:
  tree& child(std::string_view k) {
    for (auto& c : children_)
      if (c.key_ == k) return c;
    children_.push_back(tree{});
    children_.back().key_ = std::string(k);
    return children_.back();
  }
  std::string key_, json_;
  std::vector<tree> children_;
};

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

struct accelerator_name {
  const char* key;
  const txmath::accelerator* hw;
};
constexpr accelerator_name gpu_names[] = {
    {"a100", &txmath::accelerators::a100_sxm_80gb}, {"h100", &txmath::accelerators::h100_sxm},
    {"h800", &txmath::accelerators::h800_sxm},      {"h800-pcie", &txmath::accelerators::h800_pcie},
    {"h200", &txmath::accelerators::h200_sxm},      {"b200", &txmath::accelerators::b200},
    {"mi300x", &txmath::accelerators::mi300x},      {"tpu-v5e", &txmath::accelerators::tpu_v5e},
    {"tpu-v5p", &txmath::accelerators::tpu_v5p},    {"rtx4090", &txmath::accelerators::rtx_4090}};
constexpr const char* dtype_names[] = {"fp32", "bf16", "fp16", "fp8", "int8", "int4"};

const txmath::accelerator& find_gpu(std::string_view name) {
  for (const auto& g : gpu_names)
    if (name == g.key || name == g.hw->name) return *g.hw;
  std::string list;
  for (const auto& g : gpu_names) list += (list.empty() ? "" : ", ") + std::string(g.key);
  fail("gpu: unknown accelerator '" + std::string(name) + "'; known: " + list);
}

txmath::dtype find_dtype(std::string_view name) {
  for (const char* d : dtype_names)
    if (name == d) return txmath::parse_dtype(name);
  fail("dtype: unknown dtype '" + std::string(name) + "'; use fp32, bf16, fp16, fp8, int8 or int4");
}

// A model from a preset name or a config.json's text, as the CLI's model_arg.
struct model_arg {
  txmath::model_config model{};
  std::string name, source, model_type;
  std::uint64_t max_context = 0;
  std::vector<std::string> notes;
};

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

// ---- the report: the figures of `txmath report`, with its defaults ----------------------------

struct settings {
  std::uint64_t seq = 0, batch = 8, gpus = 1024;
  count tokens = 0;
  bool tokens_default = true;
  txmath::dtype dtype = txmath::dtype::bf16;
  const txmath::accelerator* gpu = &txmath::accelerators::h100_sxm;
  double mfu = 0.4, price = 2.0;
};

settings read_settings(const request& r, model_arg& ma, const txmath::param_report& p) {
  settings s;
  s.batch = r.size("batch", 8);
  s.gpus = r.size("gpus", 1024);
  s.dtype = find_dtype(r.text("dtype", "bf16"));
  s.gpu = &find_gpu(r.text("gpu", "h100"));
  s.mfu = r.real("mfu", 0.4);
  if (!(s.mfu > 0 && s.mfu <= 1)) fail("mfu: must be in (0, 1] (write 40% as 0.4), found " + number(s.mfu));
  s.price = r.real("price", 2.0);
  if (!(s.price >= 0)) fail("price: must not be negative, found " + number(s.price));
  s.seq = r.size("seq", 0);
  if (s.seq == 0) s.seq = ma.max_context != 0 && ma.max_context < 4096 ? ma.max_context : 4096;
  if (ma.max_context != 0 && s.seq > ma.max_context)
    ma.notes.push_back("--seq " + std::to_string(s.seq) + " exceeds the model's context of " +
                       std::to_string(ma.max_context) + " tokens");
  const std::string tokens = r.text("tokens", "");
  s.tokens_default = tokens.empty();
  s.tokens = s.tokens_default ? count(20) * p.total.value() : parse_amount(tokens);
  if (s.tokens_default) ma.notes.push_back("--tokens defaults to 20 tokens per parameter (Chinchilla's rule of thumb)");
  return s;
}

// Every figure of the report, computed once; the JSON and the tables render it.
struct account {
  model_arg ma;
  settings s;
  txmath::param_report p;
  txmath::flop_breakdown step_fwd, step_train;
  count step_tokens = 0, run_training = 0, six_nd = 0;
  txmath::bytes weights{}, state{}, state_sharded{}, act_none{}, act_full{}, kv{}, kv_token{};
  txmath::flop_rate peak{};
  txmath::seconds train_time{};
  double gpu_hours = 0, cost = 0;
  txmath::roofline_bound prefill{}, decode{};
  std::uint64_t head_dim = 0;
  bool mla = false;
};

account compute(const request& r) {
  account a;
  a.ma = load_model(r);
  const txmath::model_config& m = a.ma.model;
  a.p = txmath::param_count(m);
  a.s = read_settings(r, a.ma, a.p);
  const txmath::flop_options fo{.seq_len = a.s.seq, .batch = a.s.batch};
  const auto step = txmath::flops_per_step(m, fo);
  a.step_fwd = step.forward;
  a.step_train = step.training;
  a.step_tokens = step.tokens.value();
  a.run_training = txmath::flops_per_run(m, txmath::tokens(a.s.tokens), fo).training.total.value();
  a.six_nd = txmath::six_n_d(a.p.active, txmath::tokens(a.s.tokens)).value();
  a.weights = txmath::weight_bytes(a.p.total, a.s.dtype);
  const auto adam = txmath::training_precisions::mixed_bf16_adam;
  a.state = txmath::training_state_bytes(a.p.total, adam).total();
  a.state_sharded = txmath::training_state_bytes(a.p.total, adam, txmath::sharding::zero3, count(a.s.gpus)).total();
  a.act_none = txmath::activation_bytes(m, count(a.s.seq), count(a.s.batch), {});
  a.act_full = txmath::activation_bytes(m, count(a.s.seq), count(a.s.batch), {.recompute_mode = txmath::recompute::full});
  a.kv = txmath::kv_cache_bytes(m, count(a.s.seq), count(a.s.batch), a.s.dtype);
  a.kv_token = txmath::kv_cache_bytes_per_token(m, a.s.dtype);
  a.peak = txmath::peak(*a.s.gpu, a.s.dtype);
  a.train_time = txmath::training_time(txmath::flops(a.run_training), count(a.s.gpus), a.peak, a.s.mfu);
  a.gpu_hours = txmath::device_hours(a.train_time, count(a.s.gpus));
  a.cost = txmath::run_cost(a.train_time, count(a.s.gpus), a.s.price);
  a.prefill = txmath::roofline(txmath::prefill_flops(m, a.s.seq, a.s.batch).forward.total, a.weights + a.kv,
                               *a.s.gpu, a.s.dtype);
  a.decode = txmath::roofline(txmath::decode_step_flops(m, a.s.seq, a.s.batch).forward.total, a.weights + a.kv,
                              *a.s.gpu, a.s.dtype);
  a.mla = m.attention.kind == txmath::attention_kind::mla;
  a.head_dim = a.mla ? m.attention.qk_nope_head_dim + m.attention.qk_rope_head_dim : m.head_dim();
  return a;
}

// A per-token figure: exact when it divides, else a double (as the CLI).
std::string per_token(count total, count tokens) {
  if (total % tokens == 0) return (total / tokens).to_string();
  return number(total.to_double() / tokens.to_double());
}

void set_model_and_settings(tree& root, const account& a) {
  const txmath::model_config& m = a.ma.model;
  root.set("model.name", quote(a.ma.name));
  root.set("model.source", quote(a.ma.source));
  root.set("model.model_type", quote(a.ma.model_type));
  root.set("model.d_model", number(count(m.d_model)));
  root.set("model.n_layers", number(count(m.n_layers)));
  root.set("model.n_heads", number(count(m.attention.n_heads)));
  root.set("model.n_kv_heads", number(count(m.kv_heads())));
  root.set("model.head_dim", number(count(a.head_dim)));
  root.set("model.attention", quote(a.mla ? "mla" : "standard"));
  root.set("model.d_ff", number(count(m.ffn.d_ff)));
  root.set("model.vocab", number(count(m.vocab)));
  root.set("model.n_experts", number(count(m.moe.n_experts)));
  root.set("model.top_k", number(count(m.moe.top_k)));
  root.set("model.tied_embeddings", m.tied_embeddings ? "true" : "false");
  root.set("model.max_context", number(count(a.ma.max_context)));
  root.set("settings.seq", number(count(a.s.seq)));
  root.set("settings.batch", number(count(a.s.batch)));
  root.set("settings.tokens", number(a.s.tokens));
  root.set("settings.dtype", quote(txmath::name_of(a.s.dtype)));
  root.set("settings.gpu", quote(a.s.gpu->name));
  root.set("settings.gpus", number(count(a.s.gpus)));
  root.set("settings.mfu", number(a.s.mfu));
  root.set("settings.price_per_gpu_hour", number(a.s.price));
}

void set_figures(tree& root, const account& a) {
  const auto component_name = [](std::size_t c) { return std::string(txmath::name_of(static_cast<txmath::component>(c))); };
  root.set("params.total", number(a.p.total.value()));
  root.set("params.active", number(a.p.active.value()));
  root.set("params.non_embedding", number(a.p.non_embedding().value()));
  root.set("params.active_excluding_input_embedding", number(a.p.active_excluding_input_embedding().value()));
  for (std::size_t c = 0; c < txmath::n_components; ++c)
    root.set("params.by_component." + component_name(c), number(a.p.by_component[c].value()));
  for (std::size_t c = 0; c < txmath::n_components; ++c)
    root.set("params.active_by_component." + component_name(c), number(a.p.active_by_component[c].value()));
  root.set("flops.forward_per_token", per_token(a.step_fwd.total.value(), a.step_tokens));
  root.set("flops.training_per_token", per_token(a.step_train.total.value(), a.step_tokens));
  root.set("flops.forward_per_step", number(a.step_fwd.total.value()));
  root.set("flops.training_per_step", number(a.step_train.total.value()));
  root.set("flops.training_per_run", number(a.run_training));
  root.set("flops.six_n_d", number(a.six_nd));
  for (std::size_t c = 0; c < txmath::n_components; ++c)
    root.set("flops.forward_per_step_by_component." + component_name(c), number(a.step_fwd.by_component[c].value()));
  root.set("flops.forward_per_step_attention_core", number(a.step_fwd.attention_core.value()));
  root.set("memory.weights_bytes", number(a.weights.value()));
  root.set("memory.training_state_bytes", number(a.state.value()));
  root.set("memory.training_state_bytes_per_gpu_zero3", number(a.state_sharded.value()));
  root.set("memory.activations_bytes", number(a.act_none.value()));
  root.set("memory.activations_full_recompute_bytes", number(a.act_full.value()));
  root.set("memory.kv_cache_bytes", number(a.kv.value()));
  root.set("memory.kv_cache_bytes_per_token", number(a.kv_token.value()));
  root.set("time.peak_flop_per_s", number(a.peak.value()));
  root.set("time.training_seconds", number(a.train_time.value()));
  root.set("time.gpu_hours", number(a.gpu_hours));
  root.set("time.cost_usd", number(a.cost));
  root.set("time.prefill_seconds", number(a.prefill.time().value()));
  root.set("time.prefill_bound", quote(a.prefill.compute_bound() ? "compute" : "memory"));
  root.set("time.decode_step_seconds", number(a.decode.time().value()));
  root.set("time.decode_bound", quote(a.decode.compute_bound() ? "compute" : "memory"));
  std::vector<std::string> notes;
  for (const auto& n : a.ma.notes) notes.push_back(quote(n));
  root.set("notes", array(notes));
}

// ---- the tables of `txmath report`, as rows of formatted cells ---------------------------------

std::string grouped(count c) {
  const std::string d = c.to_string();
  std::string out;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i != 0 && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return out;
}
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

table params_table(const account& a) {
  table t("Parameters", {"", "total", "active", "share"});
  for (std::size_t c = 0; c < txmath::n_components; ++c) {
    if (a.p.by_component[c].value() == 0) continue;
    t.row({std::string(txmath::name_of(static_cast<txmath::component>(c))), grouped(a.p.by_component[c].value()),
           grouped(a.p.active_by_component[c].value()), pct(a.p.by_component[c].to_double() / a.p.total.to_double())});
  }
  t.row({"total", grouped(a.p.total.value()), grouped(a.p.active.value()), ""});
  t.note(txmath::format_count(a.p.total.value()).str() + " total, " + txmath::format_count(a.p.active.value()).str() +
         " active; tied embeddings: " + (a.ma.model.tied_embeddings ? "yes" : "no"));
  return t;
}

table flops_table(const account& a) {
  table t("FLOPs per token (seq " + std::to_string(a.s.seq) + ")", {"", "forward", "training", "share"});
  const double toks = a.step_tokens.to_double();
  const auto row = [&](const char* name, txmath::flops fwd, txmath::flops train) {
    if (fwd.value() == 0 && train.value() == 0) return;
    t.row({name, sci(fwd.to_double() / toks), sci(train.to_double() / toks), pct(a.step_fwd.share_of(fwd))});
  };
  using txmath::component;
  const auto& f = a.step_fwd;
  const auto& b = a.step_train;
  row("attention projections", f.attention_projections(), b.attention_projections());
  row("attention QK^T, AV", f.attention_core, b.attention_core);
  row("ffn", f[component::ffn], b[component::ffn]);
  row("experts", f[component::experts], b[component::experts]);
  row("shared experts", f[component::shared_experts], b[component::shared_experts]);
  row("router", f[component::router], b[component::router]);
  row("lm head", f[component::head] + f[component::embedding], b[component::head] + b[component::embedding]);
  row("total", f.total, b.total);
  t.note("per step (" + std::to_string(a.s.batch) + " x " + std::to_string(a.s.seq) + " tokens): forward " +
         sci(f.total.to_double()) + ", training " + sci(b.total.to_double()));
  t.note("per run (" + txmath::format_count(a.s.tokens).str() + " tokens): training " + sci(a.run_training.to_double()) +
         " (6ND with active N: " + sci(a.six_nd.to_double()) + ")");
  return t;
}

table memory_table(const account& a) {
  const std::string dt(txmath::name_of(a.s.dtype));
  const std::string shape = std::to_string(a.s.batch) + " x " + std::to_string(a.s.seq);
  const auto fb = [](txmath::bytes b) { return txmath::format_bytes(b).str(); };
  table t("Memory", {"", "size", ""});
  t.row({"weights (" + dt + ")", fb(a.weights), ""});
  t.row({"training state (Adam, 16 B/param)", fb(a.state),
         fb(a.state_sharded) + " per GPU, ZeRO-3 over " + std::to_string(a.s.gpus)});
  t.row({"activations (" + shape + ")", fb(a.act_none), "full recompute: " + fb(a.act_full)});
  t.row({"KV cache (" + shape + ", " + dt + ")", fb(a.kv), fb(a.kv_token) + " per token"});
  return t;
}

table time_table(const account& a) {
  char mfu[16], price[16];
  std::snprintf(mfu, sizeof mfu, "%.2f", a.s.mfu);
  std::snprintf(price, sizeof price, "%.2f", a.s.price);
  const std::string dt(txmath::name_of(a.s.dtype));
  table t("Time and cost (" + std::to_string(a.s.gpus) + " x " + std::string(a.s.gpu->name) + ", " + dt + " peak " +
              sci(a.peak.value()) + " FLOP/s, MFU " + mfu + ")",
          {"", "time", ""});
  const auto fs = [](txmath::seconds s) { return txmath::format_seconds(s).str(); };
  const auto bound = [](const txmath::roofline_bound& r) {
    return std::string(r.compute_bound() ? "compute" : "memory") + "-bound, one GPU";
  };
  t.row({"training run", fs(a.train_time),
         whole(a.gpu_hours) + " GPU-hours, $" + whole(a.cost) + " at $" + price + "/GPU-hour"});
  t.row({"prefill (" + std::to_string(a.s.batch) + " x " + std::to_string(a.s.seq) + ")", fs(a.prefill.time()),
         bound(a.prefill)});
  t.row({"decode step (" + std::to_string(a.s.batch) + " at " + std::to_string(a.s.seq) + ")", fs(a.decode.time()),
         bound(a.decode)});
  return t;
}

std::string summary(const account& a) {
  const txmath::model_config& m = a.ma.model;
  std::string s = a.ma.name + " (" + a.ma.model_type + (a.ma.model_type.empty() ? "" : ", ") + a.ma.source + "): d_model " +
                  std::to_string(m.d_model) + ", " + std::to_string(m.n_layers) + " layers, " +
                  std::to_string(m.attention.n_heads) + " heads";
  if (a.mla)
    s += " (MLA: q/k head " + std::to_string(a.head_dim) + ", v head " + std::to_string(m.attention.v_head_dim) +
         ", kv_lora_rank " + std::to_string(m.attention.kv_lora_rank) + ")";
  else
    s += " (" + std::to_string(m.kv_heads()) + " kv, head_dim " + std::to_string(a.head_dim) + ")";
  s += ", d_ff " + std::to_string(m.ffn.d_ff) + ", vocab " + std::to_string(m.vocab);
  if (m.is_moe())
    s += ", " + std::to_string(m.moe.n_experts) + " experts (top " + std::to_string(m.moe.top_k) + ", d_ff " +
         std::to_string(m.moe.d_ff_expert) + ")";
  if (a.ma.max_context) s += ", context " + std::to_string(a.ma.max_context);
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

std::string report(const request& r) {
  const account a = compute(r);
  tree root;
  set_model_and_settings(root, a);
  set_figures(root, a);
  std::string out = "{\"report\": ";
  root.write(out);
  out += ",\n\"summary\": " + quote(summary(a));
  out += ",\n\"tables\": " + array({params_table(a).json(), flops_table(a).json(), memory_table(a).json(),
                                    time_table(a).json()});
  return out + ",\n\"context\": " + context_rows(a.ma.model) + "}\n";
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
    const char32_t c = label.empty() ? 0 : txmath::detail::decode_utf8(label, pos);
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
  if (name == "auto") return txmath::path_optimizer::auto_;
  fail("optimize: unknown optimizer '" + std::string(name) + "' (use dp, greedy, optimal or auto)");
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
  for (const auto& g : gpu_names) gpus.push_back("{\"key\": " + quote(g.key) + ", \"name\": " + quote(g.hw->name) + "}");
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

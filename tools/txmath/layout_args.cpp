// The layout flags of txmath plan and txmath report (commands.hpp): one parser, so the two
// front ends accept and refuse the same values with the same messages.
#include <fstream>
#include <string>
#include <string_view>

#include <txmath/layout.hpp>
#include <txmath/plan.hpp>
#include <txmath/system.hpp>

#include "commands.hpp"

namespace txmath::cli {

namespace {

bool on_off(std::string_view v, std::string_view flag) {
  if (v == "on") return true;
  if (v == "off") return false;
  throw invalid_argument("txmath: " + std::string(flag) + ": expected on or off, found '" + std::string(v) + "'");
}

int recompute_of(std::string_view v) {
  if (v == "none") return static_cast<int>(recompute::none);
  if (v == "selective") return static_cast<int>(recompute::selective);
  if (v == "full") return static_cast<int>(recompute::full);
  throw invalid_argument("txmath: --recompute: expected none, selective or full, found '" + std::string(v) + "'");
}

int zero_of(std::string_view v) {
  if (v.size() != 1 || v[0] < '0' || v[0] > '3')
    throw invalid_argument("txmath: --zero: expected 0, 1, 2 or 3, found '" + std::string(v) + "'");
  return v[0] - '0';
}

// The sizes, by flag.
count plan_options::*size_field(std::string_view flag) {
  if (flag == "--tp") return &plan_options::tp;
  if (flag == "--pp") return &plan_options::pp;
  if (flag == "--dp") return &plan_options::dp;
  if (flag == "--ep") return &plan_options::ep;
  if (flag == "--cp") return &plan_options::cp;
  if (flag == "--micro-batch") return &plan_options::micro_batch;
  if (flag == "--interleave") return &plan_options::interleave;
  return nullptr;
}

}  // namespace

bool is_layout_flag(std::string_view flag) {
  return size_field(flag) != nullptr || flag == "--recompute" || flag == "--sequence-parallel" || flag == "--zero" ||
         flag == "--flash";
}

bool parse_layout_flag(std::string_view flag, std::string_view value, plan_options& p) {
  if (count plan_options::*field = size_field(flag)) p.*field = count(parse_size(value, flag));
  else if (flag == "--recompute") p.recompute_mode = recompute_of(value);
  else if (flag == "--sequence-parallel") p.sequence_parallel = on_off(value, flag) ? 1 : 0;
  else if (flag == "--zero") p.zero = zero_of(value);
  else if (flag == "--flash") p.flash_attention = on_off(value, flag);
  else return false;
  return true;
}

bool any_layout_fixed(const plan_options& p) {
  return p.tp != 0 || p.pp != 0 || p.dp != 0 || p.ep != 0 || p.cp != 0 || p.micro_batch != 0 || p.interleave != 0 ||
         p.recompute_mode >= 0 || p.sequence_parallel >= 0 || p.zero >= 0;
}

training_layout fixed_layout(const plan_options& p) {
  auto or_one = [](count c) { return c == 0 ? count(1) : c; };
  training_layout l;
  l.tp = or_one(p.tp), l.pp = or_one(p.pp), l.dp = or_one(p.dp), l.ep = or_one(p.ep), l.cp = or_one(p.cp);
  l.micro_batch = or_one(p.micro_batch), l.interleave = or_one(p.interleave);
  l.recompute_mode = p.recompute_mode < 0 ? recompute::none : static_cast<recompute>(p.recompute_mode);
  l.sequence_parallel = p.sequence_parallel == 1;
  l.zero = static_cast<std::uint8_t>(p.zero < 0 ? 0 : p.zero);
  l.flash_attention = p.flash_attention;
  return l;
}

system_spec load_system(const std::string& name) {
  if (name.size() < 5 || name.substr(name.size() - 5) != ".json") return find_system(name);
  std::ifstream f(name, std::ios::binary);
  if (!f) throw invalid_argument("txmath: --system: cannot read '" + name + "'");
  std::string text(64 * 1024 + 1, '\0');
  f.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(f.gcount()));
  return parse_system(text, name);
}

const char* recompute_name(recompute r) {
  return r == recompute::none ? "none" : r == recompute::selective ? "selective" : "full";
}

}  // namespace txmath::cli

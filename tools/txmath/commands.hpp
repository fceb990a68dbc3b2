#pragma once
// The subcommands of the txmath tool. Each takes the arguments after its own name and
// returns the process exit code; errors go to stderr as "txmath: ...".
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/core/count.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/model.hpp>

namespace txmath {  // (declared here, defined in layout.hpp, plan.hpp, system.hpp, recompute.hpp)
struct training_layout;
struct plan_options;
struct system_spec;
enum class recompute : std::uint8_t;
}  // namespace txmath

namespace txmath::cli {
int run_einsum(int argc, char** argv);  // txmath einsum "btd,df->btf" b=8 t=1024 ...
int run_path(int argc, char** argv);    // txmath path "ij,jk,kl->il" i=10 ... --optimize dp
int run_report(int argc, char** argv);  // txmath report <preset | config.json> [options]
int run_plot(int argc, char** argv);    // txmath plot context --model X [--out file.svg]
int run_plan(int argc, char** argv);    // txmath plan <preset | config.json> --system NAME --gpus N ...
int run_serve(int argc, char** argv);     // txmath serve <preset | config.json> --gpu NAME [options]
int run_finetune(int argc, char** argv);  // txmath finetune <preset | config.json> [options]

// The start every subcommand shares: --help or -h anywhere prints `usage` on stdout (exit 0);
// no argument at all prints it on stderr (exit 2); otherwise nullopt, and the command goes on.
inline std::optional<int> answer_help(int argc, char** argv, const char* usage) {
  for (int i = 0; i < argc; ++i)
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") return std::fputs(usage, stdout), 0;
  if (argc == 0) return std::fputs(usage, stderr), 2;
  return std::nullopt;
}

// ---- shared by report and plot (model_arg.cpp) -------------------------------------------
// A model named on the command line: a preset name or a path to a config.json.
struct model_arg {
  txmath::model_config model{};
  std::string name;                 // "llama-3-8b", or the file's _name_or_path / stem
  std::string source;               // "preset" or the file's path
  std::string model_type;           // the config.json family ("" for a preset)
  std::uint64_t max_context = 0;    // from the file; 0 when unknown
  std::vector<std::string> notes;
};
model_arg load_model_arg(std::string_view arg);
// A config.json's bytes: at most `limit` (16 MiB by default; real ones are a few KiB), so
// /dev/zero or a huge file is an error naming the limit, never an exhausted memory.
inline constexpr std::size_t config_size_limit = std::size_t{16} << 20;
std::string read_config_text(const std::string& path, std::size_t limit = config_size_limit);
// "4096", "8k" (x1024), "128K": a positive integer up to 2^40, and at most `limit` where a
// flag has a smaller one ("exceeds the limit of ..."); `what` names the option in errors.
std::uint64_t parse_size(std::string_view text, std::string_view what, std::uint64_t limit = std::uint64_t{1} << 40);
// "15T", "300B", "2.5M", "1e12", "1000000": a positive token count (decimal suffixes), at
// most 1e30.
txmath::count parse_amount(std::string_view text, std::string_view what);
double parse_real(std::string_view text, std::string_view what);
// 124439808 -> "124,439,808".
std::string grouped(txmath::count c);

// ---- the layout flags, shared by plan and report (layout_args.cpp) ---------------------------
// --tp --pp --dp --ep --cp --micro-batch --interleave --recompute none|selective|full
// --sequence-parallel on|off --zero 0|1|2|3 --flash on|off. parse_layout_flag sets `flag`'s
// value in `p` (plan's convention: a size given is fixed, 0 / -1 left to search) and returns
// true, or returns false when `flag` is not a layout flag; a bad value is an error naming it.
bool is_layout_flag(std::string_view flag);
bool parse_layout_flag(std::string_view flag, std::string_view value, txmath::plan_options& p);
// True when any layout flag but --flash was given (fixed in `p`).
bool any_layout_fixed(const txmath::plan_options& p);
// The one layout `p` fixes, every size not given at its default: 1, recompute none, sequence
// parallelism off, ZeRO 0.
txmath::training_layout fixed_layout(const txmath::plan_options& p);
// --system NAME: a preset (txmath plan --systems) or a system .json file (at most 64 KiB).
txmath::system_spec load_system(const std::string& name);
const char* recompute_name(txmath::recompute r);

}  // namespace txmath::cli

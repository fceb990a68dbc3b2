// txmath: the command-line face of the library.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include <txmath/version.hpp>

#include "commands.hpp"

namespace {
void usage(std::FILE* out) {
  std::fputs(
      "usage: txmath <command> [arguments]\n"
      "  einsum SPEC idx=size...        cost of one einsum (FLOPs, bytes, intensity, backward)\n"
      "  path SPEC idx=size... [--optimize dp|greedy|random-greedy|optimal|auto]\n"
      "                                 contraction order of a many-operand einsum\n"
      "  report <preset | config.json> [--seq N --batch N --tokens 15T --dtype bf16\n"
      "         --weights-dtype T --kv-dtype T --compute-dtype T --flash on|off\n"
      "         --gpu h100 --gpus N --mfu 0.4 --price X] [--json | --csv]\n"
      "                                 params, FLOPs, memory, time and cost of a model\n"
      "  plot context --model X [--out context.svg] [--json | --csv]\n"
      "                                 SVG of FLOP shares against the context length\n"
      "  serve <preset | config.json> --gpu NAME [--gpus N --weights-dtype D --kv-dtype D\n"
      "         --context C --prompt P --concurrency K --draft MODEL] [--json]\n"
      "                                 fit, concurrency, latency and throughput of serving\n"
      "  finetune <preset | config.json> [--lora-rank R --lora-targets q_proj,v_proj\n"
      "         --base-dtype bf16|nf4 --seq S --batch B] [--json]\n"
      "                                 LoRA / QLoRA parameters and memory\n"
      "  plan <preset | config.json> --system NAME --gpus N --seq S --global-batch B [--tp T ...]\n"
      "                                 fastest training layouts that fit, step time, MFU\n"
      "Run 'txmath <command> --help' for a command's options and defaults;\n"
      "'txmath --version' for the version.\n"
      "Add --json to any command for machine-readable output.\n",
      out);
}
// Help for the commands whose own parser has none (einsum and path); the others answer
// --help themselves.
constexpr const char* einsum_help =
    "usage: txmath einsum SPEC idx=size... [--dtype T] [--json]\n"
    "  The cost of one einsum: FLOPs (a multiply-add is 2), bytes moved (each operand read\n"
    "  once, the result written once), arithmetic intensity and the backward pass.\n"
    "  SPEC     e.g. \"btd,df->btf\"; every index letter needs a size: b=8 t=1024 ...\n"
    "  --dtype  element type of the operands: fp32, bf16, fp16, fp8, int8, int4 [bf16]\n"
    "  --json   machine-readable output\n";
constexpr const char* path_help =
    "usage: txmath path SPEC idx=size... [--optimize auto|dp|greedy|random-greedy|optimal]\n"
    "                   [--trials N] [--seed S] [--dp-pairs N] [--dtype T] [--json]\n"
    "  The contraction order of a many-operand einsum and its cost, as opt_einsum's\n"
    "  contract_path reports it.\n"
    "  --optimize  auto (the default: optimal up to 10 operands, dp up to 20, greedy beyond),\n"
    "              dp (opt_einsum's dynamic programming), greedy, optimal (exact search),\n"
    "              random-greedy (cotengra's random greedy: the cheapest of N greedy passes,\n"
    "              the first plain greedy, whose cost is shown beside it)\n"
    "  --trials    random-greedy's passes, 1 to 65536 [32, opt_einsum's RandomGreedy default]\n"
    "  --seed      random-greedy's seed, 0 to 2^64 - 1 [0]; the same seed, the same path\n"
    "  --dp-pairs  dp's work budget: the pairs of subsets it may examine before it refuses\n"
    "              (auto: hands over to greedy), 1 to 2^40 [2^30 = 1073741824; the 8 x 8\n"
    "              lattice of bond 2 takes about 2^32.4, some 5 s]\n"
    "  --dtype     element type for the bytes: fp32, bf16, fp16, fp8, int8, int4 [bf16]\n"
    "  --json      machine-readable output\n";
struct command_help {
  const char* name;
  const char* text;
};
constexpr command_help helps[] = {{"einsum", einsum_help}, {"path", path_help}};

// True (and the help printed) when argv asks a command without its own help for it.
bool printed_help(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") != 0 && std::strcmp(argv[i], "-h") != 0) continue;
    for (const auto& h : helps)
      if (std::strcmp(argv[1], h.name) == 0) {
        std::fputs(h.text, stdout);
        return true;
      }
  }
  return false;
}
// The library's messages name C++ spellings where a user of the tool typed a flag: say the
// flag. (path_optimizer::dp -> --optimize dp.)
std::string in_cli_words(std::string message) {
  static constexpr std::string_view cxx = "path_optimizer::";
  for (std::size_t at; (at = message.find(cxx)) != std::string::npos;) message.replace(at, cxx.size(), "--optimize ");
  return message;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-V") == 0) {
    std::printf("txmath %s\n", TXMATH_VERSION_STRING);
    return 0;
  }
  if (printed_help(argc, argv)) return 0;
  struct command {
    const char* name;
    int (*run)(int, char**);
  };
  const command commands[] = {{"einsum", txmath::cli::run_einsum}, {"path", txmath::cli::run_path},
                              {"report", txmath::cli::run_report}, {"plot", txmath::cli::run_plot},
                              {"plan", txmath::cli::run_plan},
                              {"serve", txmath::cli::run_serve}, {"finetune", txmath::cli::run_finetune}};
  for (const auto& c : commands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(argc - 2, argv + 2);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", in_cli_words(e.what()).c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "txmath: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}

// txmath: the command-line face of the library.
#include <cstdio>
#include <cstring>
#include <exception>

#include "commands.hpp"

namespace {
void usage(std::FILE* out) {
  std::fputs(
      "usage: txmath <command> [arguments]\n"
      "  einsum SPEC idx=size...        cost of one einsum (FLOPs, bytes, intensity, backward)\n"
      "  path SPEC idx=size... [--optimize dp|greedy]\n"
      "                                 contraction order of a many-operand einsum\n"
      "  report <preset | config.json> [--seq N --batch N --tokens 15T --dtype bf16\n"
      "         --gpu h100 --gpus N --mfu 0.4 --price X] [--json | --csv]\n"
      "                                 params, FLOPs, memory, time and cost of a model\n"
      "  plot context --model X [--out context.svg]\n"
      "                                 SVG of FLOP shares against the context length\n"
      "  serve <preset | config.json> --gpu NAME [--gpus N --weights-dtype D --kv-dtype D\n"
      "         --context C --prompt P --concurrency K --draft MODEL] [--json]\n"
      "                                 fit, concurrency, latency and throughput of serving\n"
      "  finetune <preset | config.json> [--lora-rank R --lora-targets q_proj,v_proj\n"
      "         --base-dtype bf16|nf4 --seq S --batch B] [--json]\n"
      "                                 LoRA / QLoRA parameters and memory\n"
      "  plan <preset | config.json> --system NAME --gpus N --seq S --global-batch B [--tp T ...]\n"
      "                                 fastest training layouts that fit, step time, MFU\n"
      "Run 'txmath <command> --help' for a command's options and defaults.\n"
      "Add --json to any command for machine-readable output.\n",
      out);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
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
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "txmath: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}

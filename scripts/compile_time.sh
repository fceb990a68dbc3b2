#!/bin/sh
# Measures what including each public header costs: the median time of 5 syntax-only
# compilations of a file that includes just that header, minus the same for an empty file.
# Usage: scripts/compile_time.sh [compiler]   (default g++-12)
#
# With --budgets, measures instead what 100 budgets cost over 12 presets (serving memory,
# parameters, step FLOPs, KV cache): the same 100 figures checked by plain static_asserts
# (static assertion failed, no numbers) and by TXMATH_BUDGET (the numbers in the message),
# each minus a file that only includes the headers (the least of 5 runs of each). Every
# compiler and standard given runs.
# Usage: scripts/compile_time.sh --budgets ["compiler std" ...]
#        (default: "g++-12 c++20" "clang++-19 c++20" "clang++-19 c++2c")
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The compiler's CPU time (user + system) where /usr/bin/time exists: on a shared machine it
# varies far less than the wall time, which is the fallback.
cpu_ms() {  # cpu_ms <compiler> <std> <file.cpp>: one time per line, 5 lines
  for _ in 1 2 3 4 5; do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f '%U %S' -o "$tmp/cpu" $1 -std=$2 -fsyntax-only -Iinclude "$3"
      awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/cpu"
    else
      start=$(date +%s%N)
      $1 -std=$2 -fsyntax-only -Iinclude "$3"
      echo $(( ($(date +%s%N) - start) / 1000000 ))
    fi
  done
}
median_ms() { cpu_ms "$@" | sort -n | sed -n 3p; }
# The least of 5: a busy machine only ever adds time.
least_ms() { cpu_ms "$@" | sort -n | sed -n 1p; }

# ---- 100 budgets ----------------------------------------------------------------------------
presets="gpt2_small gpt2_xl gpt3_175b pythia_6_9b llama_2_7b llama_3_8b llama_3_70b mistral_7b
mixtral_8x7b qwen2_5_7b gemma_7b deepseek_v2_lite"
# budget_file <plain|budget>: 100 checks, 25 of each kind, every one distinct (its batch or
# its limit differs) so that no template instantiation is shared between two of them.
budget_file() {
  printf '#include <txmath/budget.hpp>\n#include <txmath/presets.hpp>\n'
  printf 'using namespace txmath;\nusing namespace txmath::literals;\n'
  [ "$1" = includes ] && return
  i=0
  while [ $i -lt 100 ]; do
    p=$(echo $presets | tr ' ' '\n' | sed -n "$(( i % 12 + 1 ))p")
    m="presets::$p"
    case "$1.$(( i % 4 ))" in
      plain.0) echo "static_assert(weight_bytes(param_count($m).total, dtype::bf16) + kv_cache_bytes($m, 4096, $((i + 1))) <= 16_TiB);" ;;
      budget.0) echo "TXMATH_BUDGET(budgets::serving_memory($m, 4096, $((i + 1))) <= 16_TiB);" ;;
      plain.1) echo "static_assert(param_count($m).total <= params($((i + 1))'000'000'000'000));" ;;
      budget.1) echo "TXMATH_BUDGET(term(\"params\", param_count($m).total) <= params($((i + 1))'000'000'000'000));" ;;
      plain.2) echo "static_assert(flops_per_step($m, {.seq_len = 2048, .batch = $((i + 1))}).training.total <= 1e24_flop);" ;;
      budget.2) echo "TXMATH_BUDGET(budgets::step_flops($m, {.seq_len = 2048, .batch = $((i + 1))}) <= 1e24_flop);" ;;
      plain.3) echo "static_assert(kv_cache_bytes($m, 8192, $((i + 1))) <= 64_TiB);" ;;
      budget.3) echo "TXMATH_BUDGET(term(\"KV cache\", kv_cache_bytes($m, 8192, $((i + 1)))) <= 64_TiB);" ;;
    esac
    i=$((i + 1))
  done
}
if [ "${1:-}" = --budgets ]; then
  shift
  [ $# -eq 0 ] && set -- "g++-12 c++20" "clang++-19 c++20" "clang++-19 c++2c"
  for v in includes plain budget; do budget_file $v > "$tmp/$v.cpp"; done
  printf '%-20s %10s %14s %16s\n' "compiler" "includes" "+100 plain" "+100 TXMATH_BUDGET"
  for config in "$@"; do
    set -- $config
    base=$(least_ms "$1" "$2" "$tmp/includes.cpp")
    plain=$(least_ms "$1" "$2" "$tmp/plain.cpp")
    budget=$(least_ms "$1" "$2" "$tmp/budget.cpp")
    printf '%-20s %8d ms %11d ms %15d ms\n' "$1 $2" "$base" $((plain - base)) $((budget - base))
  done
  exit 0
fi

# ---- each header ----------------------------------------------------------------------------
cxx=${1:-g++-12}
: > "$tmp/empty.cpp"
base=$(median_ms "$cxx" c++20 "$tmp/empty.cpp")
printf '%-34s %8s\n' "header ($cxx)" "ms"
for h in $(cd include && find txmath -name '*.hpp' ! -path '*/detail/*' | sort); do
  [ "$h" = txmath/boost.hpp ] && continue  # opt-in; its cost is Boost's
  echo "#include <$h>" > "$tmp/t.cpp"
  printf '%-34s %8d\n' "$h" $(( $(median_ms "$cxx" c++20 "$tmp/t.cpp") - base ))
done

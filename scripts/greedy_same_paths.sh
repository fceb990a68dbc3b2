#!/bin/sh
# Checks that greedy finds the same paths as at another revision (a refactor must not change
# them): builds one program against that revision's headers and against the working tree's,
# runs greedy in count and in log2_cost on 2,579 networks (random networks of 3-120 tensors,
# regularity 2-5, 0-3 open indices, 4 seeds; lattices; MPS ladders; specs with Hadamard
# products and indices on every tensor), and compares a hash of every path found.
#   scripts/greedy_same_paths.sh [REV]    (default: HEAD; compiler: $CXX or g++-12)
# With RANDOM_GREEDY=1, random greedy instead (6 trials, the network's operand count as seed):
# its passes rank pairs through greedy_search too, and must draw the same random numbers.
set -eu
rev=${1:-HEAD}
cxx=${CXX:-g++-12}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$root" archive "$rev" include | tar -x -C "$tmp"
cat > "$tmp/paths.cpp" <<'EOF'
#include <txmath/einsum_path.hpp>
#include <txmath/einsum_random.hpp>
#include <cstdio>
using namespace txmath;
std::uint64_t h = 1469598103934665603ull;  // FNV-1a over every step of every path
void mix(std::uint64_t v) { h = (h ^ v) * 1099511628211ull; }
void run(const einsum_network& net) {
  for (int c = 0; c < 2; ++c) {
    linear_path p;
    path_options o{.optimize = path_optimizer::greedy};
#ifdef RANDOM_GREEDY
    o.optimize = path_optimizer::random_greedy;
    o.random.trials = 6;
    o.random.seed = net.operands();
#endif
    try {
      p = c == 0 ? contract_path<count>(net, o).path : contract_path<log2_cost>(net, o).path;
    } catch (const std::exception&) {
      mix(7);
      continue;
    }
    for (auto s : p) {
      mix(1000);
      for (auto i : s) mix(i);
    }
  }
}
int main() {
  int n_cases = 0;
  for (std::uint32_t n = 3; n <= 120; n += 3)
    for (std::uint32_t reg = 2; reg <= 5; ++reg)
      for (std::uint32_t out = 0; out <= 3; ++out)
        for (std::uint64_t seed = 1; seed <= 4; ++seed) {
          if (n * reg / 2 + out > 1000) continue;
          run(random_network(n, reg, out, seed * 1000 + n));
          ++n_cases;
        }
  for (std::uint32_t r = 2; r <= 8; ++r) {
    run(lattice_network(r, r + 1, 2));
    run(mps_overlap(r * 3, 2, 8));
    n_cases += 2;
  }
  for (const char* s : {"ab,ab,bc,bc,cd->ad", "abz,abz,bcz,cdz,dez->aez", "ab,ab,ab,ba,bc->c", "ij,jk,ki,ij,jk,ki->",
                        "a,a,a,b,b->ab"}) {
    einsum_network net = parse_network(s);
    for (std::size_t d = 0; d < net.n_labels(); ++d) net.set_size(net.labels[d], count(2 + d % 5));
    run(net);
    ++n_cases;
  }
  std::printf("%d networks, paths hash %016llx\n", n_cases, static_cast<unsigned long long>(h));
}
EOF
flags=""
[ "${RANDOM_GREEDY:-0}" = 1 ] && flags="-DRANDOM_GREEDY"
"$cxx" -std=c++20 -O2 $flags -I"$tmp/include" "$tmp/paths.cpp" -o "$tmp/old"
"$cxx" -std=c++20 -O2 $flags -I"$root/include" "$tmp/paths.cpp" -o "$tmp/new"
old=$("$tmp/old")
new=$("$tmp/new")
echo "$rev:         $old"
echo "working tree: $new"
[ "$old" = "$new" ] && echo "same paths" || { echo "paths differ"; exit 1; }

// txmath einsum / txmath path (to be written with the einsum engine).
#include <cstdio>

#include "commands.hpp"

namespace txmath::cli {
int run_einsum(int, char**) {
  std::fputs("txmath: 'einsum' is not implemented yet\n", stderr);
  return 1;
}
int run_path(int, char**) {
  std::fputs("txmath: 'path' is not implemented yet\n", stderr);
  return 1;
}
}  // namespace txmath::cli

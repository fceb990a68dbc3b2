// expect: (no match for .*operator\+|invalid operands to binary expression)
// FLOPs and bytes cannot be added.
#include <txmath/core/quantity.hpp>
using namespace txmath::literals;
auto nonsense = 1e12_flop + 80_GiB;
int main() { return 0; }

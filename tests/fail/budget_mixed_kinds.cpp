// expect: operator<=|invalid operands
// expect-gcc-c++20: no match for .*operator<=.* \(operand types are .*budget_term<txmath::quantity<txmath::dim<0, 1, 0, 0, 0> > >.* and .*const txmath::flops
// expect-clang-c++20: invalid operands to binary expression \('budget_term<quantity<dim<0, 1, 0, 0, 0>, basic_count<unsigned __int128>>>' and 'const flops'
// expect-clang-c++2c: invalid operands to binary expression \('budget_term<quantity<dim<0, 1, 0, 0, 0>, basic_count<unsigned __int128>>>' and 'const flops'
// A budget compares figures of one kind: bytes against FLOPs does not compile.
#include <txmath/budget.hpp>

using namespace txmath;
using namespace txmath::literals;

constexpr flops limit_in_flops = 1e12_flop;
TXMATH_BUDGET(term("KV cache", 1_GiB) <= limit_in_flops);

// expect: txmath_error_einsum_spec_has_no_operands
#include <txmath/einsum.hpp>
constexpr auto e = txmath::einsum<"->">;
int main() { return e.operands(); }

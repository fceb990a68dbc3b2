// expect: txmath_error_einsum_invalid_character_in_spec
#include <txmath/einsum.hpp>
constexpr auto e = txmath::einsum<"i1,jk->ik">;
int main() { return e.operands(); }

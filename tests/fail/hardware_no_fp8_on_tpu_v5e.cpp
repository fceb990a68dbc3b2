// expect: txmath_error_accelerator_has_no_peak_for_this_dtype
#include <txmath/hardware.hpp>
constexpr auto p = txmath::peak(txmath::accelerators::tpu_v5e, txmath::dtype::fp8);
int main() { return 0; }

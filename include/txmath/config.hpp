#pragma once
// Compiler workarounds live here and only here.
#include <txmath/version.hpp>

#if !defined(__GNUC__) && !defined(__clang__)
#error "txmath: needs GCC >= 12 or Clang >= 14 (unsigned __int128 and __builtin_*_overflow)"
#endif

namespace txmath::detail {
// `__extension__` keeps -Wpedantic quiet about the 128-bit types.
__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;
}  // namespace txmath::detail

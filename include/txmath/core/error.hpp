#pragma once
// Errors. At run time txmath throws an exception whose text names the offending value. In
// constant evaluation a `throw` loses its text, so txmath instead calls a function that is
// not constexpr and whose name is the message: the compile error then shows that name.
#include <stdexcept>
#include <string>
#include <type_traits>

namespace txmath {

// Base of everything txmath throws; what() starts with "txmath:".
struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An exact count left its range (overflow, or a negative result of unsigned arithmetic).
struct overflow_error : error {
  using error::error;
};
// The input is wrong: an einsum spec, a model config, a size, a config.json field.
struct invalid_argument : error {
  using error::error;
};

}  // namespace txmath

// Declares the compile-time face of an error: reaching `name()` in constant evaluation is a
// compile error that shows `name`. Pick names that say how to fix the input.
#define TXMATH_DEFINE_ERROR(name, type)                                   \
  namespace txmath::detail {                                              \
  [[noreturn]] inline void name() { throw ::txmath::type("txmath: " #name); } \
  }

namespace txmath::detail {
// Builds the message and throws, out of line: the hot paths that can fail (every checked
// multiply) then carry one call instead of the string building, and stay small and fast.
template <class E, class Message>
[[noreturn, gnu::cold, gnu::noinline]] void throw_error(const Message& message) {
  throw E(message());
}
}  // namespace txmath::detail

// Fails with `name` at compile time, or throws `type(message)` at run time. `message` is
// evaluated only at run time, so it may use std::string freely.
#define TXMATH_FAIL(name, type, message)                                          \
  do {                                                                            \
    if (std::is_constant_evaluated()) ::txmath::detail::name();                   \
    ::txmath::detail::throw_error<::txmath::type>([&]() -> std::string { return message; }); \
  } while (false)

#pragma once
// Errors. At run time txmath throws an exception whose text names the offending value. In
// constant evaluation a `throw` loses its text, so txmath instead calls a function that is
// not constexpr and whose name is the message: the compile error then shows that name.
//
// Without exceptions (-fno-exceptions, detected from the compiler's __cpp_exceptions and
// __EXCEPTIONS, or forced by defining TXMATH_NO_EXCEPTIONS) a failure calls the error
// handler instead, with the same kind and message the exception would carry. The default
// handler prints the message and a newline to stderr and aborts; txmath::set_error_handler
// installs another (one that records the message and longjmps, or that hands it to a host
// such as a browser). A handler that returns is followed by std::abort(): txmath never
// continues past a failure. Constant evaluation fails at compile time in both modes.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <type_traits>

#if !defined(TXMATH_NO_EXCEPTIONS) && !defined(__cpp_exceptions) && !defined(__EXCEPTIONS)
#define TXMATH_NO_EXCEPTIONS 1
#endif

namespace txmath {

// What went wrong, for a handler: the class that would have been thrown.
enum class error_kind : unsigned char {
  overflow,          // txmath::overflow_error
  invalid_argument,  // txmath::invalid_argument
};

// Base of everything txmath throws; what() starts with "txmath:".
struct error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An exact count left its range (overflow, or a negative result of unsigned arithmetic).
struct overflow_error : error {
  using error::error;
  static constexpr error_kind kind = error_kind::overflow;
};
// The input is wrong: an einsum spec, a model config, a size, a config.json field.
struct invalid_argument : error {
  using error::error;
  static constexpr error_kind kind = error_kind::invalid_argument;
};

// Called on a run-time failure when exceptions are off. `message` starts with "txmath:" and
// lives until the handler returns (or longjmps away: then it is leaked, not freed).
using error_handler = void (*)(error_kind kind, const char* message);

namespace detail {
inline void default_error_handler(error_kind, const char* message) {
  std::fputs(message, stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}
inline std::atomic<error_handler>& error_handler_slot() {
  static std::atomic<error_handler> slot{&default_error_handler};
  return slot;
}
}  // namespace detail

// Installs `handler` (nullptr: the default) for failures without exceptions, and returns the
// previous one. With exceptions on, failures throw and no handler is called.
inline error_handler set_error_handler(error_handler handler) noexcept {
  return detail::error_handler_slot().exchange(handler ? handler : &detail::default_error_handler);
}
[[nodiscard]] inline error_handler get_error_handler() noexcept { return detail::error_handler_slot().load(); }

namespace detail {
// The one place where txmath fails at run time: throws E(message), or without exceptions
// hands the message to the handler and aborts if it returns.
template <class E>
[[noreturn, gnu::cold, gnu::noinline]] void raise(const std::string& message) {
#if defined(TXMATH_NO_EXCEPTIONS)
  get_error_handler()(E::kind, message.c_str());
  std::abort();
#else
  throw E(message);
#endif
}

// Builds the message and fails, out of line: the hot paths that can fail (every checked
// multiply) then carry one call instead of the string building, and stay small and fast.
template <class E, class Message>
[[noreturn, gnu::cold, gnu::noinline]] void throw_error(const Message& message) {
  raise<E>(message());
}
}  // namespace detail

}  // namespace txmath

// Declares the compile-time face of an error: reaching `name()` in constant evaluation is a
// compile error that shows `name`. Pick names that say how to fix the input.
#define TXMATH_DEFINE_ERROR(name, type)                                                   \
  namespace txmath::detail {                                                              \
  [[noreturn]] inline void name() { ::txmath::detail::raise<::txmath::type>("txmath: " #name); } \
  }

// Fails with `name` at compile time, or throws `type(message)` at run time (without
// exceptions: calls the error handler). `message` is evaluated only at run time, so it may
// use std::string freely.
#define TXMATH_FAIL(name, type, message)                                          \
  do {                                                                            \
    if (std::is_constant_evaluated()) ::txmath::detail::name();                   \
    ::txmath::detail::throw_error<::txmath::type>([&]() -> std::string { return message; }); \
  } while (false)

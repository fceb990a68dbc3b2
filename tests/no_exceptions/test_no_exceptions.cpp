// txmath without exceptions (core/error.hpp): built with -fno-exceptions, and once more with
// exceptions on but TXMATH_NO_EXCEPTIONS defined (tests/CMakeLists.txt). Not a doctest
// program: doctest itself wants exceptions.
//
// Each failure runs in a child process (fork), so that the handler may end it as a real
// handler would (exit, or abort) without longjmp across C++ frames. The expected messages
// are the ones the exception-mode tests check against what() (test_count, test_einsum,
// test_model, test_json, test_hf_config): the same text in both modes.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <txmath/core/count.hpp>
#include <txmath/einsum.hpp>
#include <txmath/hf_config.hpp>
#include <txmath/model.hpp>
#include <txmath/params.hpp>
#include <txmath/presets.hpp>

#if !defined(TXMATH_NO_EXCEPTIONS)
#error "this test must be built without exceptions, or with TXMATH_NO_EXCEPTIONS defined"
#endif

namespace {

constexpr int handler_exit_code = 42;

// A handler that records: writes "<kind>|<message>" to stderr, then ends the process.
void record_and_exit(txmath::error_kind kind, const char* message) {
  std::fprintf(stderr, "%s|%s", kind == txmath::error_kind::overflow ? "overflow" : "invalid_argument", message);
  std::fflush(stderr);
  _exit(handler_exit_code);
}
// A handler that returns: txmath must still not continue (it aborts).
void record_and_return(txmath::error_kind, const char* message) {
  std::fprintf(stderr, "returned|%s", message);
  std::fflush(stderr);
}

struct outcome {
  int exit_code = -1;  // when the child exited
  int signal = 0;      // when a signal ended it
  std::string text;    // what it wrote to stderr
};

// Runs `f` in a child with `handler` installed (nullptr: the default one).
template <class F>
outcome in_child(txmath::error_handler handler, F f) {
  int fds[2];
  if (pipe(fds) != 0) std::abort();
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    if (handler) txmath::set_error_handler(handler);
    f();
    _exit(0);  // no failure
  }
  close(fds[1]);
  outcome o;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) o.text.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  return o;
}

int failures = 0;
void check(bool ok, const std::string& what, const outcome& o) {
  std::printf("%s: %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) {
    std::printf("      exit %d, signal %d, stderr: %s\n", o.exit_code, o.signal, o.text.c_str());
    ++failures;
  }
}
// The handler ran with this kind and this exact message.
template <class F>
void expect_failure(const char* what, const std::string& expected, F f) {
  const outcome o = in_child(&record_and_exit, f);
  check(o.exit_code == handler_exit_code && o.text == expected, what, o);
}

volatile std::uint64_t runtime_value = 1;  // keeps the failures out of constant evaluation

}  // namespace

int main() {
  using txmath::count;
  // Compile-time evaluation works as in the exception mode.
  static_assert(txmath::pow(count(2), 100) == count::from_rep(txmath::detail::u128{1} << 100));
  static_assert(txmath::find_preset("llama-3-8b") != nullptr);

  expect_failure("count subtraction below zero", "overflow|txmath: overflow in 3 - 4 (an unsigned count cannot go below zero)",
                 [] { (void)(count(3 * runtime_value) - 4); });
  expect_failure("a negative count", "overflow|txmath: a count cannot be negative, got -1",
                 [] { (void)count(-static_cast<long long>(runtime_value)); });
  expect_failure("einsum spec", "invalid_argument|txmath: einsum spec '->' at position 0: no operands before '->' (write at least one input)",
                 [] { (void)txmath::parse_einsum(std::string(runtime_value, '-') + ">"); });
  expect_failure("model config", "invalid_argument|txmath: model config: attention.n_kv_heads = 6: must divide n_heads = 32", [] {
    auto m = txmath::presets::llama_2_7b;
    m.attention.n_kv_heads = 6 * runtime_value;
    (void)txmath::validate(m);
  });
  expect_failure("json syntax", "invalid_argument|txmath: t.json:1:7: expected ',' or '}' after an object member, found end of input",
                 [] { (void)txmath::json::parse("{\"a\":1", {.source = "t.json"}); });
  expect_failure("json accessor", "invalid_argument|txmath: (no document): expected a boolean, found null",
                 [] { (void)txmath::json::value{}.as_bool(); });
  expect_failure("json number out of the range of a double",
                 "invalid_argument|txmath: t.json:1:2: [0]: the number 1e400 is out of the range of a double",
                 [] { (void)txmath::json::parse("[1e400]", {.source = "t.json"})[0].as_double(); });
  expect_failure("config.json field",
                 "invalid_argument|txmath: cfg.json:1:1: (top level): missing field \"vocab_size\" (the vocabulary size); a llama config.json must give it",
                 [] { (void)txmath::parse_hf_config(R"({"model_type":"llama"})", "cfg.json"); });
  expect_failure("unreadable file", "invalid_argument|txmath: cannot open /nonexistent/config.json: No such file or directory",
                 [] { (void)txmath::load_hf_config("/nonexistent/config.json"); });

  // No failure: the handler is not called, and results are right.
  {
    const outcome o = in_child(&record_and_exit, [] {
      const auto c = txmath::parse_hf_config(R"({"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12,"n_positions":1024})");
      if (txmath::param_count(c.model).total.value() != count(124439808)) _exit(1);  // GPT-2 small, HF's count
    });
    check(o.exit_code == 0 && o.text.empty(), "no failure, no handler call (GPT-2: 124,439,808 parameters)", o);
  }
  // The default handler prints the message and a newline to stderr, then aborts.
  {
    const outcome o = in_child(nullptr, [] { (void)(count(3 * runtime_value) - 4); });
    check(o.signal == SIGABRT && o.text == "txmath: overflow in 3 - 4 (an unsigned count cannot go below zero)\n",
          "default handler: message on stderr, then abort", o);
  }
  // A handler that returns is followed by abort: txmath never continues past a failure.
  {
    const outcome o = in_child(&record_and_return, [] {
      (void)(count(3 * runtime_value) - 4);
      std::fputs("continued", stderr);
    });
    check(o.signal == SIGABRT && o.text == "returned|txmath: overflow in 3 - 4 (an unsigned count cannot go below zero)",
          "a handler that returns: abort", o);
  }
  // set_error_handler returns the previous handler; nullptr restores the default.
  {
    const auto first = txmath::set_error_handler(&record_and_exit);
    const bool ok = first == &txmath::detail::default_error_handler &&
                    txmath::set_error_handler(nullptr) == &record_and_exit &&
                    txmath::get_error_handler() == &txmath::detail::default_error_handler;
    check(ok, "set_error_handler returns the previous handler; nullptr restores the default", {});
  }
  std::printf("%s\n", failures == 0 ? "txmath no-exceptions: all checks passed" : "txmath no-exceptions: FAILED");
  return failures == 0 ? 0 : 1;
}

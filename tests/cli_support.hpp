#pragma once
// Running the txmath tool from a test as a user runs it (tests/test_cli*.cpp, which CMake
// builds with TXMATH_TOOL naming the tool): stdout and stderr together, the exit code, and a
// time limit, so that a hang fails the test instead of stalling it.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <string_view>

#include <txmath/json.hpp>

namespace txmath_cli_test {

struct result {
  int status = -1;  // the exit code; -1 when the tool did not exit normally (a crash)
  std::string out;  // stdout and stderr together
};

// A shell word: s in single quotes, its own quotes escaped.
inline std::string quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// `txmath <args>`, killed after 120 s (timeout's exit code 124 then fails the test).
inline result run(const std::string& args) {
  result r;
  const std::string cmd = "timeout 120 " + quote(TXMATH_TOOL) + " " + args + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// `txmath <args> --json`, which must succeed; its output parsed.
inline txmath::json::value run_json_of(const std::string& args) {
  const result r = run(args + " --json");
  CAPTURE(args);
  CAPTURE(r.out);
  REQUIRE(r.status == 0);
  return txmath::json::parse(r.out);
}

}  // namespace txmath_cli_test

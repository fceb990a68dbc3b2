// txmath::json: the strict JSON reader for config.json files and the reference data.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <txmath/json.hpp>

namespace json = txmath::json;
using txmath::count;

namespace {

// The message of the txmath::invalid_argument that `f` throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const txmath::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string parse_error(std::string_view text, json::parse_options o = {.source = "t.json"}) {
  return error_of([&] { (void)json::parse(text, o); });
}

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

}  // namespace

TEST_CASE("json: scalars at the top level") {
  CHECK(json::parse("null").is_null());
  CHECK(json::parse(" true ").as_bool());
  CHECK_FALSE(json::parse("false").as_bool());
  CHECK(json::parse("42").as_count() == 42);
  CHECK(json::parse("\"hi\"").as_string() == "hi");
  CHECK(json::parse("\n\t\r -1.5e2 \n").as_double() == -150.0);
  CHECK(json::parse("\xEF\xBB\xBF{}").is_object());  // a leading BOM is skipped
  CHECK(json::parse("[]").size() == 0);
  CHECK(json::parse("{}").size() == 0);
  CHECK(json::value{}.is_null());
  CHECK(json::kind_name(json::parse("[1]").type()) == "array");
}

TEST_CASE("json: arrays and objects") {
  const auto v = json::parse(R"({"z": 1, "a": [true, null, "s", 2.5, {"k": []}], "m": {"x": {"y": 3}}})");
  REQUIRE(v.is_object());
  CHECK(v.size() == 3);
  std::vector<std::string> keys;
  for (const auto& [k, x] : v.members()) keys.emplace_back(k);
  CHECK(keys == std::vector<std::string>{"z", "a", "m"});  // insertion order
  const auto a = v.at("a");
  CHECK(a.size() == 5);
  CHECK(a[0].as_bool());
  CHECK(a[1].is_null());
  CHECK(a.at(2).as_string() == "s");
  CHECK(a[3].as_double() == 2.5);
  CHECK(a[4]["k"].is_array());
  int n = 0;
  for (json::value e : a.elements()) n += e.is_null() ? 0 : 1;
  CHECK(n == 4);
  CHECK(v["m"]["x"]["y"].as_int64() == 3);
  CHECK(v.contains("z"));
  CHECK_FALSE(v.contains("q"));
  CHECK_FALSE(v.find("q").has_value());
  CHECK(v.find("z")->as_count() == 1);
  // Paths and positions
  CHECK(v["m"]["x"]["y"].path() == "m.x.y");
  CHECK(a[4]["k"].path() == "a[4].k");
  CHECK(v.path() == "(top level)");
  CHECK(v["a"].line() == 1);
  CHECK(v["a"].column() == 15);
  CHECK(v["z"].where() == "<json>:1:7: z");
  // A handle keeps the document alive.
  json::value kept = json::parse(R"({"a": {"b": "kept"}})")["a"]["b"];
  CHECK(kept.as_string() == "kept");
}

TEST_CASE("json: paths quote keys that are not identifiers") {
  const auto v = json::parse(R"({"size_dict": {"᭘": 10, "a b": 1, "q\"x": 2, "_ok9": 3}})");
  CHECK(v["size_dict"]["᭘"].as_count() == 10);
  CHECK(v["size_dict"]["᭘"].path() == "size_dict[\"᭘\"]");
  CHECK(v["size_dict"]["a b"].path() == "size_dict[\"a b\"]");
  CHECK(v["size_dict"]["q\"x"].path() == "size_dict[\"q\\\"x\"]");
  CHECK(v["size_dict"]["_ok9"].path() == "size_dict._ok9");
}

TEST_CASE("json: strings, escapes and UTF-8") {
  CHECK(json::parse(R"("\"\\\/\b\f\n\r\t")").as_string() == "\"\\/\b\f\n\r\t");
  CHECK(json::parse(R"("caf\u00e9 \u00E9")").as_string() == "caf\xC3\xA9 \xC3\xA9");
  CHECK(json::parse(R"("\u1b58")").as_string() == "᭘");
  CHECK(json::parse("\"᭘᭙ raw\"").as_string() == "᭘᭙ raw");
  CHECK(json::parse(R"("\ud83d\ude00")").as_string() == "\xF0\x9F\x98\x80");  // surrogate pair
  CHECK(json::parse(R"("\uDBFF\uDFFF")").as_string() == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  CHECK(json::parse(R"("a\u0000b")").as_string() == std::string("a\0b", 3));
  CHECK(json::parse("\"\xF4\x8F\xBF\xBF\"").as_string().size() == 4);
  CHECK(json::parse(R"("\u007f")").as_string() == "\x7f");
}

TEST_CASE("json: numbers keep their text; exact integer reading") {
  const auto v = json::parse("[128, 128.0, 1.28e2, 1e3, 1E+3, -0, 0e99, 0.0, 1.5, 1e-3, 12e-1, -7, 120e-1]");
  CHECK(v[1].number_text() == "128.0");
  CHECK(v[0].as_count() == 128);
  CHECK(v[1].as_count() == 128);
  CHECK(v[2].as_count() == 128);
  CHECK(v[3].as_count() == 1000);
  CHECK(v[4].as_count() == 1000);
  CHECK(v[5].as_count() == 0);
  CHECK(v[6].as_count() == 0);
  CHECK(v[7].as_int64() == 0);
  CHECK_FALSE(v[8].is_integer());
  CHECK(error_of([&] { (void)v[8].as_count(); }) ==
        "txmath: <json>:1:48: [8]: expected a non-negative integer, found the number 1.5");
  CHECK_FALSE(v[9].is_integer());
  CHECK(error_of([&] { (void)v[10].as_int64(); }).find("expected an integer, found the number 12e-1") != std::string::npos);
  CHECK(v[11].as_int64() == -7);
  CHECK(error_of([&] { (void)v[11].as_count(); }).find("expected a non-negative integer, found the number -7") != std::string::npos);
  CHECK(v[12].as_count() == 12);
  CHECK(v[3].as_double() == 1000.0);
  CHECK(v[8].as_double() == 1.5);

  const auto big = json::parse(
      "[9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615, "
      "18446744073709551616, 340282366920938463463374607431768211455, 340282366920938463463374607431768211456, "
      "3.4e38, 3.5e38, 1e400, 1e-400, -1e-400, 2.5e-324]");
  CHECK(big[0].as_int64() == INT64_MAX);
  CHECK(big[1].as_int64() == INT64_MIN);
  CHECK(error_of([&] { (void)big[2].as_int64(); }).find("fits 64 bits") != std::string::npos);
  CHECK(big[3].as_uint64() == UINT64_MAX);
  CHECK(error_of([&] { (void)big[4].as_uint64(); }).find("fits 64 bits") != std::string::npos);
  CHECK(big[4].as_count() == count(UINT64_MAX) + 1);
  CHECK(big[5].as_count() == count::from_rep(~txmath::detail::u128{0}));
  CHECK(error_of([&] { (void)big[6].as_count(); }).find("below 2^128") != std::string::npos);
  CHECK(big[7].as_count() == count(34) * txmath::pow(count(10), 37));
  CHECK(error_of([&] { (void)big[8].as_count(); }).find("below 2^128") != std::string::npos);
  CHECK(error_of([&] { (void)big[9].as_double(); }).find("out of the range of a double") != std::string::npos);
  CHECK(big[10].as_double() == 0.0);
  CHECK(std::signbit(big[11].as_double()));
  CHECK(big[12].as_double() >= 0.0);
}

TEST_CASE("json: NaN and Infinity only when asked") {
  const std::string text = R"({"a": NaN, "b": Infinity, "c": -Infinity})";
  CHECK(parse_error(text) ==
        "txmath: t.json:1:7: NaN is not valid JSON (Python's json.dump writes it; set "
        "parse_options::allow_nan_and_infinity to accept it)");
  CHECK(starts_with(parse_error("[-Infinity]"), "txmath: t.json:1:2: -Infinity is not valid JSON"));
  const auto v = json::parse(text, {.allow_nan_and_infinity = true});
  CHECK(std::isnan(v["a"].as_double()));
  CHECK(v["b"].as_double() == INFINITY);
  CHECK(v["c"].as_double() == -INFINITY);
  CHECK(v["a"].number_text() == "NaN");
  CHECK_FALSE(v["b"].is_integer());
  CHECK(error_of([&] { (void)v["b"].as_count(); }) ==
        "txmath: <json>:1:17: b: expected a non-negative integer, found the number Infinity");
  // Still strict about near misses.
  CHECK(!parse_error("[-NaN]", {.source = "t.json", .allow_nan_and_infinity = true}).empty());
  CHECK(!parse_error("[nan]", {.source = "t.json", .allow_nan_and_infinity = true}).empty());
  CHECK(!parse_error("[Infinityx]", {.source = "t.json", .allow_nan_and_infinity = true}).empty());
}

TEST_CASE("json: the reference files parse and read back") {
  const auto models = json::parse_file(TXMATH_REFERENCE_DIR "/models.json");
  CHECK(models.source() == TXMATH_REFERENCE_DIR "/models.json");
  const auto list = models.at("models");
  REQUIRE(list.size() == 15);
  CHECK(list[0]["name"].as_string() == "gpt2");
  CHECK(list[0]["exact_params"].as_count() == 124439808);
  CHECK(list[0]["config"]["hidden_size"].as_count() == 768);
  bool found_mixtral = false;
  for (const auto& m : list.elements()) {
    if (m["name"].as_string() != "mixtral-8x7b") continue;
    found_mixtral = true;
    CHECK(m["config"]["rope_theta"].as_count() == 1000000);  // written 1000000.0
    CHECK(m["config"]["sliding_window"].is_null());
    CHECK(m["config"]["num_local_experts"].as_count() == 8);
  }
  CHECK(found_mixtral);
  const std::string err = error_of([&] { (void)list[0]["config"]["norm"].as_count(); });
  CHECK(starts_with(err, "txmath: " TXMATH_REFERENCE_DIR "/models.json:"));
  CHECK(err.find(": models[0].config.norm: expected a non-negative integer, found the string \"LayerNorm(weight+bias)\"") !=
        std::string::npos);

  const auto cases = json::parse_file(TXMATH_REFERENCE_DIR "/einsum_cases.json");
  CHECK(cases["cases"].size() == 186);
  CHECK(cases["default_dim_dict_used_by_build_shapes"]["᭘"].as_count() == 10);
  CHECK(cases["default_dim_dict_used_by_build_shapes"]["᭞"].as_count() == 6);
  CHECK(cases["counts"]["not_verified"].size() == 0);
  const auto c0 = cases["cases"][0];
  CHECK(c0["expr"].as_string() == "eb,cb,fb->cef");
  CHECK(c0["observed"]["opt_cost"].as_count() == 324);
  CHECK(c0["memory_limit"].is_null());
  CHECK(c0["shapes"][2][1].as_count() == 3);
}

TEST_CASE("json: parsing the 214 KB einsum_cases.json is fast") {
  const std::string text = json::read_file(TXMATH_REFERENCE_DIR "/einsum_cases.json");
  double best = 1e9;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto v = json::parse(text);
    const auto t1 = std::chrono::steady_clock::now();
    CHECK(v.is_object());
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  MESSAGE("einsum_cases.json (", text.size(), " bytes): best of 5 parses ", best, " ms");
  CHECK(best < 250.0);  // generous: debug and sanitizer builds; ~1.5 ms at -O2

  // No quadratic behavior on wide objects or long lines.
  std::string wide = "{";
  for (int i = 0; i < 50000; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  wide += "}";
  const auto t0 = std::chrono::steady_clock::now();
  const auto w = json::parse(wide);
  const auto t1 = std::chrono::steady_clock::now();
  CHECK(w.size() == 50000);
  CHECK(w["k49999"].as_count() == 49999);
  CHECK(std::chrono::duration<double>(t1 - t0).count() < 5.0);
  CHECK(parse_error(wide.substr(0, wide.size() - 1) + ",\"k7\":1}") ==
        "txmath: t.json:1:" + std::to_string(wide.size() + 1) + ": duplicate key \"k7\" (first at line 1, column 51)");
}

TEST_CASE("json: syntax errors name the position and what was expected") {
  struct bad {
    std::string_view text;
    std::string_view message;  // after "txmath: t.json:"
  };
  const bad table[] = {
      {"", "1:1: expected a value, found end of input"},
      {"   \n  ", "2:3: expected a value, found end of input"},
      {"{\"a\": 1,}", "1:9: expected a string key after ',', found '}' (JSON does not allow a trailing comma)"},
      {"[1, 2,]", "1:7: expected a value after ',', found ']' (JSON does not allow a trailing comma)"},
      {"[1,,2]", "1:4: expected a value (object, array, string, number, true, false or null), found ','"},
      {"\"abc", "1:5: unterminated string: end of input before the closing '\"' of a string that starts at column 1"},
      {"{\"a\": \"abc\n}", "1:11: a newline inside a string: the string that starts at column 7 is unterminated (a newline in a string must be written \\n)"},
      {"[\"a\tb\"]", "1:4: a raw control character (0x09) inside a string: write it as \\t"},
      {"[\"\\x\"]", "1:3: invalid escape '\\x' in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"},
      {"[\"\\u12G4\"]", "1:7: expected 4 hex digits after \\u, found 'G'"},
      {"[\"\\u12", "1:3: unterminated string: end of input inside a \\u escape"},
      {"[\"\\", "1:3: unterminated string: end of input after '\\'"},
      {"[\"\\ud800\"]", "1:3: a lone high surrogate \\ud800 in a string (it must be followed by a low surrogate \\uDC00-\\uDFFF)"},
      {"[\"\\ud800\\u0041\"]", "1:3: a lone high surrogate \\ud800 in a string (it must be followed by a low surrogate \\uDC00-\\uDFFF, not \\u0041)"},
      {"[\"\\uDC00\"]", "1:3: a lone low surrogate \\uDC00 in a string (it must follow a high surrogate \\uD800-\\uDBFF)"},
      {"[\"\xC0\xAF\"]", "1:3: invalid UTF-8 in a string: the byte 0xc0 cannot start or end here"},
      {"[\"\xED\xA0\x80\"]", "1:3: invalid UTF-8 in a string: the byte 0xed cannot start or end here"},
      {"[\"\xF4\x90\x80\x80\"]", "1:3: invalid UTF-8 in a string: the byte 0xf4 cannot start or end here"},
      {"[\"᭘\xE1\xAD\"]", "1:4: invalid UTF-8 in a string: the byte 0xe1 cannot start or end here"},
      {"[\xFF]", "1:2: expected a value (object, array, string, number, true, false or null), found the byte 0xff, which is not valid UTF-8"},
      {"{᭘: 1}", "1:2: expected a string key or '}', found '᭘'"},
      {"[01]", "1:2: a number cannot have leading zeros"},
      {"[-01]", "1:2: a number cannot have leading zeros"},
      {"[-]", "1:3: expected a digit after '-', found ']'"},
      {"[1.]", "1:4: expected a digit after the decimal point, found ']'"},
      {"[.5]", "1:2: expected a value (object, array, string, number, true, false or null), found '.'"},
      {"[+1]", "1:2: expected a value (object, array, string, number, true, false or null), found '+'"},
      {"[1e]", "1:4: expected a digit in the exponent, found ']'"},
      {"[1e+]", "1:5: expected a digit in the exponent, found ']'"},
      {"[0x10]", "1:3: expected ',' or ']' after an array element, found 'x'"},
      {"[1 2]", "1:4: expected ',' or ']' after an array element, found '2'"},
      {"{\"a\" 1}", "1:6: expected ':' after the key \"a\", found '1'"},
      {"{\"a\": 1 \"b\": 2}", "1:9: expected ',' or '}' after an object member, found '\"'"},
      {"{'a': 1}", "1:2: expected a string key or '}', found '''"},
      {"{\"a\": 1, 2}", "1:10: expected a string key after ',', found '2'"},
      {"{\"a\": 1, \"a\": 2}", "1:10: duplicate key \"a\" (first at line 1, column 2)"},
      {"{\n \"x\": {\"b\": 1,\n  \"b\": 2}}", "3:3: duplicate key \"b\" (first at line 2, column 8)"},
      {"tru", "1:1: expected a value, found 'tru' (did you mean true?)"},
      {"[nul]", "1:2: expected a value, found 'nul' (did you mean null?)"},
      {"[falsey]", "1:2: expected a value, found 'falsey' (did you mean false?)"},
      {"[True]", "1:2: expected a value (object, array, string, number, true, false or null), found 'True'"},
      {"[None]", "1:2: expected a value (object, array, string, number, true, false or null), found 'None'"},
      {"{} {}", "1:4: expected the end of input after the top-level value, found '{'"},
      {"1 2", "1:3: expected the end of input after the top-level value, found '2'"},
      {"[1] // comment", "1:5: expected the end of input after the top-level value, found '/'"},
      {"{\"a\":1", "1:7: expected ',' or '}' after an object member, found end of input"},
      {"[", "1:2: expected a value, found end of input"},
      {"{", "1:2: expected a string key or '}', found end of input"},
      {"{\"a\"", "1:5: expected ':' after the key \"a\", found end of input"},
      {"{\"a\":", "1:6: expected a value, found end of input"},
      {"[\"᭘᭙\", x]", "1:8: expected a value (object, array, string, number, true, false or null), found 'x'"},  // columns count code points
      {"\xEF\xBB\xBF\xEF\xBB\xBF{}", "1:1: expected a value (object, array, string, number, true, false or null), found '\xEF\xBB\xBF'"},
  };
  for (const auto& b : table) {
    INFO("input: ", std::string(b.text));
    CHECK(parse_error(b.text) == "txmath: t.json:" + std::string(b.message));
  }
  // An embedded NUL byte (the table's literal stops at it).
  CHECK(parse_error(std::string_view("[1]\0", 4)) ==
        "txmath: t.json:1:4: expected the end of input after the top-level value, found the control byte 0x00");
  CHECK(parse_error(std::string_view("[\"a\0\"]", 6)) ==
        "txmath: t.json:1:4: a raw control character (0x00) inside a string: write it as \\u0000");
}

TEST_CASE("json: nesting depth is bounded, without recursion") {
  const auto nest = [](int n) { return std::string(static_cast<std::size_t>(n), '[') + std::string(static_cast<std::size_t>(n), ']'); };
  CHECK(json::parse(nest(512)).is_array());
  CHECK(parse_error(nest(513)) == "txmath: t.json:1:513: nesting deeper than 512 arrays and objects");
  CHECK(parse_error(std::string(1000000, '[')) == "txmath: t.json:1:513: nesting deeper than 512 arrays and objects");
  std::string objs;
  for (int i = 0; i < 600; ++i) objs += "{\"a\":";
  CHECK(parse_error(objs).find("nesting deeper than 512") != std::string::npos);
  CHECK(json::parse(nest(2000), {.max_depth = 5000}).is_array());
  CHECK(!parse_error("[[1]]", {.source = "t.json", .max_depth = 1}).empty());
  CHECK(json::parse("1", {.max_depth = 0}).as_count() == 1);
  // A deep document's values still know their paths.
  const auto deep = json::parse(nest(100));
  json::value v = deep;
  for (int i = 0; i < 99; ++i) v = v[0];
  CHECK(v.path().size() == 99 * 3);
}

TEST_CASE("json: every truncation of a document is an error, never a crash") {
  const std::string doc =
      "{\"name\": \"llama\", \"text_config\": {\"hidden_size\": 4096, \"heads\": [32, 8]},\n"
      " \"e\": \"caf\\u00e9 \\ud83d\\ude00 ᭘\", \"x\": -1.5e-3, \"ok\": true, \"n\": null}";
  REQUIRE(json::parse(doc).size() == 6);
  for (std::size_t n = 0; n < doc.size(); ++n) {
    const std::string prefix = doc.substr(0, n);  // own buffer: ASan sees reads past the end
    INFO("prefix length ", n);
    const std::string err = parse_error(prefix);
    CHECK(starts_with(err, "txmath: t.json:"));
  }
}

TEST_CASE("json: accessor errors name the path and the expected and actual types") {
  const auto cfg = json::parse(
      "{\n"
      "  \"model_type\": \"llava\",\n"
      "  \"text_config\": {\"num_attention_heads\": \"32\", \"layers\": [1, 2]},\n"
      "  \"flag\": null\n"
      "}",
      {.source = "config.json"});
  const auto tc = cfg["text_config"];
  CHECK(error_of([&] { (void)tc["num_attention_heads"].as_count(); }) ==
        "txmath: config.json:3:42: text_config.num_attention_heads: expected a non-negative integer, found the string \"32\"");
  CHECK(error_of([&] { (void)tc["hidden_size"]; }) ==
        "txmath: config.json:3:18: text_config: missing field \"hidden_size\" in this object");
  CHECK(error_of([&] { (void)cfg["hidden_size"]; }) ==
        "txmath: config.json:1:1: (top level): missing field \"hidden_size\" in the top-level object");
  CHECK(error_of([&] { (void)tc["layers"][2]; }) ==
        "txmath: config.json:3:58: text_config.layers: index 2 is out of range: the array has 2 elements");
  CHECK(error_of([&] { (void)tc["layers"].find("x"); }) ==
        "txmath: config.json:3:58: text_config.layers: expected an object, found an array of 2 elements");
  CHECK(error_of([&] { (void)cfg["model_type"].elements(); }) ==
        "txmath: config.json:2:17: model_type: expected an array, found the string \"llava\"");
  CHECK(error_of([&] { (void)cfg["model_type"].size(); }) ==
        "txmath: config.json:2:17: model_type: expected an array or an object, found the string \"llava\"");
  CHECK(error_of([&] { (void)cfg["flag"].as_bool(); }) ==
        "txmath: config.json:4:11: flag: expected a boolean, found null");
  CHECK(error_of([&] { (void)cfg.as_string(); }) ==
        "txmath: config.json:1:1: (top level): expected a string, found an object of 3 members");
  CHECK(error_of([&] { (void)tc["layers"][0].as_string(); }) ==
        "txmath: config.json:3:59: text_config.layers[0]: expected a string, found the number 1");
  // The caller's own checks read the same way.
  CHECK(error_of([&] { tc["layers"][1].fail("must be even"); }) ==
        "txmath: config.json:3:62: text_config.layers[1]: must be even");
  // Long strings are cut in messages.
  const auto longs = json::parse("[\"" + std::string(200, 'x') + "\"]");
  const std::string e = error_of([&] { (void)longs[0].as_count(); });
  CHECK(e.size() < 150);
  CHECK(e.find("xxx...\"") != std::string::npos);
  // A default-constructed value is a null from no document.
  CHECK(error_of([] { (void)json::value{}.as_bool(); }) == "txmath: (no document): expected a boolean, found null");
}

TEST_CASE("json: files") {
  CHECK(error_of([] { (void)json::read_file("/nonexistent/config.json"); }) ==
        "txmath: cannot open /nonexistent/config.json: No such file or directory");
  CHECK(starts_with(error_of([] { (void)json::read_file(TXMATH_REFERENCE_DIR); }), "txmath: cannot read " TXMATH_REFERENCE_DIR ": "));
  const auto v = json::parse_file(TXMATH_REFERENCE_DIR "/models.json", {.source = "models"});
  CHECK(v.source() == "models");
}

TEST_CASE("json: iterators and members keep the document alive") {
  auto it = json::parse("[1, 2, 3]").elements().begin();  // the range and the document are temporaries
  CHECK((*it).as_count() == 1);
  ++it;
  CHECK((*it).as_count() == 2);
  json::member m = *json::parse(R"({"key": "v"})").members().begin();
  CHECK(m.key == "key");
  CHECK(m.val.as_string() == "v");
  std::vector<json::value> copies;
  {
    const auto arr = json::parse(R"([{"a": 1}, {"a": 2}])");
    for (const auto& e : arr.elements()) copies.push_back(e);
  }
  CHECK(copies[1]["a"].as_count() == 2);
  CHECK(copies[1].path() == "[1]");
}

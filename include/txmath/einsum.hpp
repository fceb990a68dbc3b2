#pragma once
// The einsum costing engine: every cost in a transformer is an einsum.
//
//   constexpr auto mm = txmath::einsum<"btd,df->btf">;          // checked at compile time
//   auto rt = txmath::parse_einsum("bqhd,bkhd->bhqk");          // checked at run time
//   constexpr auto c = txmath::cost(mm, {{'b', 8}, {'t', 1024}, {'d', 4096}, {'f', 14336}});
//   c.flops, c.macs, c.bytes_read, c.bytes_written, c.arithmetic_intensity(), c.backward_flops
//
// FLOP convention (opt_einsum's flop_count and the scaling book's): a contraction costs
// product(all distinct index sizes) x (max(1, operands - 1) + (1 if an index is summed away)).
// So a matmul is 2 FLOPs per multiply-add, and a pairwise product with nothing summed away
// (an elementwise or outer product) is 1 FLOP per output element.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <txmath/core/count.hpp>
#include <txmath/core/dtype.hpp>
#include <txmath/core/error.hpp>
#include <txmath/core/quantity.hpp>
#include <txmath/core/utf8.hpp>

TXMATH_DEFINE_ERROR(txmath_error_einsum_spec_has_no_operands, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_invalid_character_in_spec, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_ellipsis_broadcasting_is_not_supported, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_spec_has_more_than_one_arrow, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_output_index_not_in_any_input, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_index_repeated_in_output, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_operands, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_distinct_indices, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_operand_rank_too_large, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_missing_size_for_index, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_too_many_sizes, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_operand_index_out_of_range, invalid_argument)
TXMATH_DEFINE_ERROR(txmath_error_einsum_index_given_two_different_sizes, invalid_argument)

namespace txmath {

// A string usable as a template argument: einsum<"ij,jk->ik">.
template <std::size_t N>
struct fixed_string {
  char data[N]{};
  constexpr fixed_string(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  constexpr std::string_view view() const { return {data, N - 1}; }
};

namespace detail {
inline std::string einsum_where(std::string_view spec, std::size_t pos) {
  return "txmath: einsum spec '" + printable(spec) + "' at position " + std::to_string(pos) + ": ";
}
constexpr bool is_label(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
}  // namespace detail

// A parsed einsum spec: each index letter gets a small id; operands are lists of ids.
// Fixed capacity so that a spec is a constant (and a template argument).
struct einsum_spec {
  static constexpr std::size_t max_operands = 16;
  static constexpr std::size_t max_rank = 16;
  static constexpr std::size_t max_indices = 64;

  // Only the first `rank` indices are meaningful; the parser leaves the rest unwritten at run
  // time (zero in constant evaluation). They are bytes, which may be copied unwritten.
  struct term {
    std::uint8_t index[max_rank];  // ids into `labels`
    std::uint8_t rank = 0;
  };

  char32_t labels[max_indices]{};  // the letter of each id, in order of first appearance
  std::uint8_t n_labels = 0;
  term inputs[max_operands]{};
  std::uint8_t n_inputs = 0;
  term output{};
  bool explicit_output = false;

  constexpr std::size_t operands() const { return n_inputs; }
  // Whether index `id` appears in term t.
  static constexpr bool has(const term& t, std::uint8_t id) {
    for (std::uint8_t i = 0; i < t.rank; ++i)
      if (t.index[i] == id) return true;
    return false;
  }
  // The id of a letter, or -1.
  constexpr int id_of(char32_t label) const {
    for (std::uint8_t i = 0; i < n_labels; ++i)
      if (labels[i] == label) return i;
    return -1;
  }
  // Indices summed away: in some input, not in the output.
  constexpr bool sums_an_index() const {
    for (std::uint8_t id = 0; id < n_labels; ++id)
      if (!has(output, id)) return true;
    return false;
  }
  // Canonical text "ij,jk->ik".
  std::string str() const {
    std::string s;
    auto put = [&](const term& t) {
      for (std::uint8_t i = 0; i < t.rank; ++i) s += label_text(labels[t.index[i]]);
    };
    for (std::uint8_t k = 0; k < n_inputs; ++k) {
      if (k) s += ',';
      put(inputs[k]);
    }
    s += "->";
    put(output);
    return s;
  }
};

namespace detail {
// Builds an einsum_spec, enforcing its fixed capacity.
struct fixed_spec_builder {
  einsum_spec& r;
  std::uint8_t occ[einsum_spec::max_indices]{};

  static constexpr bool empty_spec_is_one_scalar() { return false; }
  constexpr int find(char32_t c) const { return r.id_of(c); }
  constexpr std::uint32_t add_label(char32_t c, std::string_view spec, std::size_t at) {
    if (r.n_labels == einsum_spec::max_indices)
      TXMATH_FAIL(txmath_error_einsum_too_many_distinct_indices, invalid_argument,
                  einsum_where(spec, at) + "more than " + std::to_string(einsum_spec::max_indices) +
                      " distinct indices (use einsum_network for large networks)");
    r.labels[r.n_labels] = c;
    return r.n_labels++;
  }
  constexpr void add_input(std::string_view spec, std::size_t at) {
    if (r.n_inputs == einsum_spec::max_operands)
      TXMATH_FAIL(txmath_error_einsum_too_many_operands, invalid_argument,
                  einsum_where(spec, at) + "more than " + std::to_string(einsum_spec::max_operands) +
                      " operands (use einsum_network for large networks)");
    ++r.n_inputs;
  }
  constexpr void push(einsum_spec::term& t, std::uint32_t id, std::string_view spec, std::size_t at) {
    if (t.rank == einsum_spec::max_rank)
      TXMATH_FAIL(txmath_error_einsum_operand_rank_too_large, invalid_argument,
                  einsum_where(spec, at) + "a term has more than " +
                      std::to_string(einsum_spec::max_rank) + " indices");
    t.index[t.rank++] = static_cast<std::uint8_t>(id);
  }
  constexpr void push_input(std::uint32_t id, std::string_view spec, std::size_t at) {
    push(r.inputs[r.n_inputs - 1], id, spec, at);
    ++occ[id];
  }
  constexpr void push_output(std::uint32_t id, std::string_view spec, std::size_t at) {
    push(r.output, id, spec, at);
  }
  constexpr bool output_has(std::uint32_t id) const {
    return einsum_spec::has(r.output, static_cast<std::uint8_t>(id));
  }
  constexpr char32_t label(std::uint32_t id) const { return r.labels[id]; }
  constexpr std::uint32_t n_labels() const { return r.n_labels; }
  constexpr std::uint32_t occurrences(std::uint32_t id) const { return occ[id]; }
  constexpr void set_explicit_output() { r.explicit_output = true; }
  constexpr void insert_output_sorted(std::uint32_t id, std::string_view spec) {
    if (r.output.rank == einsum_spec::max_rank)
      TXMATH_FAIL(txmath_error_einsum_operand_rank_too_large, invalid_argument,
                  einsum_where(spec, spec.size()) + "the implicit output (the indices seen once) has more than " +
                      std::to_string(einsum_spec::max_rank) + " indices (use einsum_network for large networks)");
    std::uint8_t at = r.output.rank++;
    while (at > 0 && r.labels[r.output.index[at - 1]] > r.labels[id]) {
      r.output.index[at] = r.output.index[at - 1];
      --at;
    }
    r.output.index[at] = static_cast<std::uint8_t>(id);
  }
};
}  // namespace detail

namespace detail {
// The one einsum parser. `B` builds the result: the fixed-capacity einsum_spec below, or the
// run-time einsum_network of <txmath/einsum_path.hpp>. B provides
//   find(c) -> int, add_label(c, spec, at) -> id, add_input(spec, at),
//   push_input(id, spec, at), push_output(id, spec, at), output_has(id), label(id),
//   n_labels(), occurrences(id), set_explicit_output(), insert_output_sorted(id, spec)
// and enforces its own capacity.
template <class B>
constexpr void parse_einsum_into(std::string_view spec, B& r) {
  std::size_t pos = 0;
  // The arrow, and the '->' after it or the '...' that are errors, in one pass (a spec is
  // short: three searches cost more than the rest of the parse).
  std::size_t arrow = std::string_view::npos, second_arrow = arrow, ellipsis = arrow;
  for (std::size_t i = 0; i + 1 < spec.size(); ++i) {
    if (spec[i] == '-' && spec[i + 1] == '>') {
      if (arrow != std::string_view::npos) {
        second_arrow = i;
        break;
      }
      arrow = i++;
    } else if (spec[i] == '.' && spec[i + 1] == '.' && i + 2 < spec.size() && spec[i + 2] == '.' &&
               ellipsis == std::string_view::npos) {
      ellipsis = i;
    }
  }
  const std::size_t inputs_end = arrow == std::string_view::npos ? spec.size() : arrow;
  if (second_arrow != std::string_view::npos)
    TXMATH_FAIL(txmath_error_einsum_spec_has_more_than_one_arrow, invalid_argument,
                einsum_where(spec, second_arrow) + "more than one '->'");
  if (ellipsis != std::string_view::npos)
    TXMATH_FAIL(txmath_error_einsum_ellipsis_broadcasting_is_not_supported, invalid_argument,
                einsum_where(spec, ellipsis) + "'...' broadcasting is not supported; name every index");
  if (inputs_end == 0 && !(r.empty_spec_is_one_scalar() && arrow != std::string_view::npos))
    TXMATH_FAIL(txmath_error_einsum_spec_has_no_operands, invalid_argument,
                einsum_where(spec, 0) + "no operands before '->' (write at least one input)");

  // Reads one label at pos and returns its id (adding it when new).
  auto read_label = [&](std::size_t end) -> std::uint32_t {
    const std::size_t at = pos;
    const auto byte = static_cast<unsigned char>(spec[pos]);
    if ((byte | 0x20) >= 'a' && (byte | 0x20) <= 'z') {  // an ASCII letter: the common case
      ++pos;
      const int id = r.find(byte);
      return id >= 0 ? static_cast<std::uint32_t>(id) : r.add_label(byte, spec, at);
    }
    const char32_t c = decode_utf8(spec, pos);
    if (c == 0 || pos > end || !is_label(c))
      TXMATH_FAIL(txmath_error_einsum_invalid_character_in_spec, invalid_argument,
                  einsum_where(spec, at) + "'" + printable_char_at(spec, at) +
                      "' is not an index letter (use a-z, A-Z or non-ASCII letters)");
    const int id = r.find(c);
    if (id >= 0) return static_cast<std::uint32_t>(id);
    return r.add_label(c, spec, at);
  };

  // Inputs, separated by commas (an empty term is a scalar operand).
  while (true) {
    r.add_input(spec, pos);
    while (pos < inputs_end && spec[pos] != ',') {
      const std::size_t at = pos;
      r.push_input(read_label(inputs_end), spec, at);
    }
    if (pos >= inputs_end) break;
    ++pos;  // ','
  }

  if (arrow != std::string_view::npos) {
    r.set_explicit_output();
    pos = arrow + 2;
    const std::size_t known = r.n_labels();
    while (pos < spec.size()) {
      const std::size_t at = pos;
      const std::uint32_t id = read_label(spec.size());
      if (id >= known)
        TXMATH_FAIL(txmath_error_einsum_output_index_not_in_any_input, invalid_argument,
                    einsum_where(spec, at) + "output index '" + label_text(r.label(id)) +
                        "' appears in no input (every output index must be an input index)");
      if (r.output_has(id))
        TXMATH_FAIL(txmath_error_einsum_index_repeated_in_output, invalid_argument,
                    einsum_where(spec, at) + "index '" + label_text(r.label(id)) +
                        "' is repeated in the output (write each output index once)");
      r.push_output(id, spec, at);
    }
  } else {
    // Implicit output: indices seen exactly once, sorted by code point (numpy, opt_einsum).
    for (std::uint32_t id = 0; id < r.n_labels(); ++id)
      if (r.occurrences(id) == 1) r.insert_output_sorted(id, spec);
  }
}
}  // namespace detail

// Parses "ab,bc->ac" (explicit output) or "ab,bc" (implicit output: the indices that appear
// exactly once, in order of code point, as numpy and opt_einsum do). Letters are a-z, A-Z or
// any non-ASCII code point (opt_einsum uses those for large networks). No "..." broadcasting.
// "->" alone is an error here (no operands); einsum_network reads it as one scalar operand.
constexpr einsum_spec parse_einsum(std::string_view spec) {
  einsum_spec r;
  if (std::is_constant_evaluated()) {  // a constant must be fully initialised
    for (auto& t : r.inputs)
      for (auto& i : t.index) i = 0;
    for (auto& i : r.output.index) i = 0;
  }
  detail::fixed_spec_builder b{r};
  detail::parse_einsum_into(spec, b);
  return r;
}

// The spec checked at compile time: a bad spec is a compile error naming the problem.
template <fixed_string S>
inline constexpr einsum_spec einsum = parse_einsum(S.view());

// Sizes bound by index letter: {{'b', 8}, {'t', 1024}}.
class index_sizes {
 public:
  static constexpr std::size_t capacity = einsum_spec::max_indices;
  struct entry {
    char32_t label;
    count size;
  };

  // (Only the first size() entries are ever read, so at run time the rest stay unwritten;
  // in constant evaluation everything is initialised, as a constant must be.)
  constexpr index_sizes() {
    if (std::is_constant_evaluated())
      for (std::size_t i = 0; i < capacity; ++i) label_[i] = 0, size_[i] = 0;
  }
  // A letter listed twice must have the same size both times ({{'i', 2}, {'i', 7}} is an
  // error: one of them is a typo, and silently keeping either would hide it).
  constexpr index_sizes(std::initializer_list<entry> entries) : index_sizes() {
    for (const auto& e : entries) {
      if (const std::size_t at = find(e.label); at != npos && size_[at] != e.size.rep_value())
        TXMATH_FAIL(txmath_error_einsum_index_given_two_different_sizes, invalid_argument,
                    "txmath: index '" + label_text(e.label) + "' is given two sizes, " +
                        count::from_rep(size_[at]).to_string() + " and " + e.size.to_string() +
                        ": give each index one size");
      set(e.label, e.size);
    }
  }
  // Copies only the entries in use (the rest are never written at run time).
  constexpr index_sizes(const index_sizes& o) : index_sizes() { *this = o; }
  constexpr index_sizes& operator=(const index_sizes& o) {
    n_ = o.n_;
    for (std::size_t i = 0; i < n_; ++i) label_[i] = o.label_[i], size_[i] = o.size_[i];
    return *this;
  }
  // Binds (or rebinds) a letter.
  constexpr index_sizes& set(char32_t label, count size) {
    for (std::size_t i = 0; i < n_; ++i)
      if (label_[i] == label) {
        size_[i] = size.rep_value();
        return *this;
      }
    if (n_ == capacity)
      TXMATH_FAIL(txmath_error_einsum_too_many_sizes, invalid_argument,
                  "txmath: more than " + std::to_string(capacity) + " index sizes");
    label_[n_] = label;
    size_[n_++] = size.rep_value();
    return *this;
  }
  // Position of a letter's entry, or npos. (An index, not a pointer: GCC 12 cannot compare
  // pointers into temporaries in constant evaluation.)
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  constexpr std::size_t find(char32_t label) const {
    for (std::size_t i = 0; i < n_; ++i)
      if (label_[i] == label) return i;
    return npos;
  }
  constexpr bool contains(char32_t label) const { return find(label) != npos; }
  constexpr std::size_t size() const { return n_; }
  constexpr entry operator[](std::size_t i) const { return {label_[i], count::from_rep(size_[i])}; }

 private:
  char32_t label_[capacity];
  detail::u128 size_[capacity];
  std::size_t n_ = 0;
};

// The size of every index id of a spec, looked up once (bind_sizes below). Like index_sizes,
// only the ids in use are written at run time (all in constant evaluation) and copied.
class bound_sizes {
 public:
  constexpr bound_sizes() {
    if (std::is_constant_evaluated())
      for (auto& v : size_) v = 0;
  }
  constexpr bound_sizes(const bound_sizes& o) : bound_sizes() { *this = o; }
  constexpr bound_sizes& operator=(const bound_sizes& o) {
    n_ = o.n_;
    for (std::size_t id = 0; id < n_; ++id) size_[id] = o.size_[id];
    return *this;
  }
  constexpr count operator[](std::size_t id) const { return count::from_rep(size_[id]); }
  constexpr void push(count size) { size_[n_++] = size.rep_value(); }  // the next id's size

 private:
  detail::u128 size_[einsum_spec::max_indices];
  std::size_t n_ = 0;
};
constexpr bound_sizes bind_sizes(const einsum_spec& spec, const index_sizes& sizes) {
  bound_sizes b;
  for (std::uint8_t id = 0; id < spec.n_labels; ++id) {
    const std::size_t at = sizes.find(spec.labels[id]);
    if (at == index_sizes::npos)
      TXMATH_FAIL(txmath_error_einsum_missing_size_for_index, invalid_argument,
                  "txmath: einsum '" + spec.str() + "': no size given for index '" +
                      label_text(spec.labels[id]) + "'");
    b.push(sizes[at].size);
  }
  return b;
}

// Sizes from operand shapes (one list of extents per input); a letter bound twice to
// different extents is an error naming both.
constexpr index_sizes sizes_from_shapes(const einsum_spec& spec,
                                        std::initializer_list<std::initializer_list<count>> shapes) {
  index_sizes s;
  if (shapes.size() != spec.n_inputs)
    TXMATH_FAIL(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument,
                "txmath: einsum '" + spec.str() + "' has " + std::to_string(spec.n_inputs) +
                    " operands but " + std::to_string(shapes.size()) + " shapes were given");
  std::size_t k = 0;
  for (const auto& shape : shapes) {
    const auto& t = spec.inputs[k];
    if (shape.size() != t.rank)
      TXMATH_FAIL(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument,
                  "txmath: einsum '" + spec.str() + "': operand " + std::to_string(k) + " has " +
                      std::to_string(t.rank) + " indices but its shape has " +
                      std::to_string(shape.size()) + " extents");
    std::size_t d = 0;
    for (count extent : shape) {
      const char32_t label = spec.labels[t.index[d++]];
      if (const std::size_t at = s.find(label); at != index_sizes::npos && s[at].size != extent)
        TXMATH_FAIL(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument,
                    "txmath: einsum '" + spec.str() + "': index '" + label_text(label) +
                        "' has size " + s[at].size.to_string() + " and " + extent.to_string());
      s.set(label, extent);
    }
    ++k;
  }
  return s;
}

// Number of elements of a term: product of its extents (a repeated index counts repeatedly,
// as opt_einsum's size_by_dict does). `size[id]` is the size of index id (bound_sizes, or an
// array of integers).
template <class Sizes>
constexpr count term_elements(const einsum_spec::term& t, const Sizes& size) {
  count n = 1;
  for (std::uint8_t i = 0; i < t.rank; ++i) n *= count(size[t.index[i]]);
  return n;
}
constexpr count operand_elements(const einsum_spec& spec, std::size_t operand, const index_sizes& sizes) {
  if (operand >= spec.n_inputs)
    TXMATH_FAIL(txmath_error_einsum_operand_index_out_of_range, invalid_argument,
                "txmath: einsum '" + spec.str() + "' has no operand " + std::to_string(operand));
  return term_elements(spec.inputs[operand], bind_sizes(spec, sizes));
}
constexpr count output_elements(const einsum_spec& spec, const index_sizes& sizes) {
  return term_elements(spec.output, bind_sizes(spec, sizes));
}

// Element types of the operands and the result (bf16 everywhere by default).
struct einsum_dtypes {
  dtype inputs[einsum_spec::max_operands] = {
      dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16,
      dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16,
      dtype::bf16, dtype::bf16, dtype::bf16, dtype::bf16};
  dtype output = dtype::bf16;

  static constexpr einsum_dtypes uniform(dtype t) {
    einsum_dtypes d;
    for (auto& i : d.inputs) i = t;
    d.output = t;
    return d;
  }
};

struct einsum_cost {
  // (Types are qualified: a member may not change what `flops` means inside the class.)
  txmath::flops flops{};           // opt_einsum convention, see the top of this header
  count macs{};                    // multiply-adds (0 when nothing is summed away)
  txmath::bytes bytes_read{};      // every input read once
  txmath::bytes bytes_written{};   // the output written once
  txmath::flops backward_flops{};  // the gradient einsums of every input, costed the same way

  constexpr txmath::bytes bytes_moved() const { return bytes_read + bytes_written; }
  // FLOPs per byte moved: compare with the hardware's FLOP/s over bytes/s.
  constexpr intensity arithmetic_intensity() const { return flops / bytes_moved(); }
};

namespace detail {
// THE cost formula (opt_einsum's helpers.flop_count), written once for every cost type:
// `product` is the product of the sizes of all distinct indices of the step, `n_terms` the
// number of operands it reads, `inner` whether some index is summed away.
template <class Cost>
constexpr Cost flop_count(const Cost& product, std::size_t n_terms, bool inner) {
  const std::size_t op_factor = (n_terms > 1 ? n_terms - 1 : 1) + (inner ? 1 : 0);
  return product * Cost(static_cast<unsigned>(op_factor));
}

// The multiply-adds of a step read as flop_count's arguments: one a summed product per
// operand beyond the first (none when nothing is summed away or with one operand).
template <class Cost>
constexpr Cost mac_count(const Cost& product, std::size_t n_terms, bool inner) {
  if (!inner || n_terms < 2) return Cost(0u);
  return product * Cost(static_cast<unsigned>(n_terms - 1));
}

// Whether index set a holds an index that b lacks (for the 64-bit masks below; index sets of
// other kinds provide their own).
constexpr bool has_outside(std::uint64_t a, std::uint64_t b) { return (a & ~b) != 0; }

// THE backward rule (see cost_of_sizes below), for any kind of index set: in[k] is input k's
// set, out the output's, product(set) the product of the set's sizes. The gradient of input k
// is the einsum of d(output) and the other inputs whose result is input k. Bit k of
// needs_grad says whether input k needs its gradient (inputs past the 32nd always do).
template <class Set, class Product>
constexpr count backward_flop_count(std::span<const Set> in, const Set& out, std::uint32_t needs_grad,
                                    Product product) {
  count total = 0;
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (k < 32 && ((needs_grad >> k) & 1u) == 0) continue;
    Set used = out;  // the indices of d(output) and of the other inputs
    for (std::size_t j = 0; j < in.size(); ++j)
      if (j != k) used = used | in[j];
    total += flop_count(product(used), in.size(), has_outside(used, in[k]));
  }
  return total;
}

// Index sets as bit masks (an einsum_spec has at most 64 index ids).
static_assert(einsum_spec::max_indices <= 64);
constexpr std::uint64_t mask_of(const einsum_spec::term& t) {
  std::uint64_t m = 0;
  for (std::uint8_t i = 0; i < t.rank; ++i) m |= std::uint64_t{1} << t.index[i];
  return m;
}
// Product of the sizes of the index ids in `used`, in id order.
template <class Sizes>
constexpr count product_of(const Sizes& size, std::uint64_t used) {
  count prod = 1;
  for (; used != 0; used &= used - 1) prod *= count(size[static_cast<std::size_t>(std::countr_zero(used))]);
  return prod;
}

// The cost with each index id's size in `size[id]` (see cost() below); `Sizes` is
// bound_sizes or an array of integers.
//
// Backward: d(input k) is computed from d(output) and the other inputs, by the einsum whose
// operands are those and whose result is input k, costed like any einsum. An index of input
// k found in none of those operands (e.g. `i` of "ij,jk->k", or the indices of a reduction
// "ij->") is a broadcast of the gradient: a copy, 0 FLOPs, and it does not enlarge the
// contraction. (Without this rule "ij,jk->k" would charge 2ijk for a gradient that needs
// 2jk then a copy.)
template <bool with_bytes = true, class Sizes>
constexpr einsum_cost cost_of_sizes(const einsum_spec& spec, const Sizes& size, const einsum_dtypes& types,
                                    std::uint32_t needs_grad) {
  std::uint64_t in[einsum_spec::max_operands];  // the first n_inputs are set (no memset)
  std::uint64_t all = 0;
  for (std::uint8_t k = 0; k < spec.n_inputs; ++k) all |= in[k] = mask_of(spec.inputs[k]);
  const std::uint64_t out = mask_of(spec.output);
  const bool inner = (all & ~out) != 0;  // an index is summed away
  const count prod = product_of(size, all);

  einsum_cost c;
  c.flops = txmath::flops(flop_count(prod, spec.n_inputs, inner));
  c.macs = mac_count(prod, spec.n_inputs, inner);
  if constexpr (with_bytes) {
    for (std::uint8_t k = 0; k < spec.n_inputs; ++k)
      c.bytes_read += bytes_of(term_elements(spec.inputs[k], size), types.inputs[k]);
    c.bytes_written = bytes_of(term_elements(spec.output, size), types.output);
  }
  c.backward_flops = txmath::flops(backward_flop_count(std::span<const std::uint64_t>(in, spec.n_inputs), out,
                                                       needs_grad, [&](std::uint64_t used) { return product_of(size, used); }));
  return c;
}
}  // namespace detail

// The cost of evaluating the einsum in one go (for two operands, the pairwise contraction;
// for more, one n-ary step: see <txmath/einsum_path.hpp> for contraction orders). Bit k of
// `needs_grad` says whether operand k's gradient is counted in backward_flops (all by
// default): a model's first-layer input needs none, frozen weights none at all.
constexpr einsum_cost cost(const einsum_spec& spec, const index_sizes& sizes,
                           const einsum_dtypes& types = {}, std::uint32_t needs_grad = ~0u) {
  return detail::cost_of_sizes(spec, bind_sizes(spec, sizes), types, needs_grad);
}

}  // namespace txmath

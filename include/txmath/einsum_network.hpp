#pragma once
// The run-time form of an einsum, for contraction-order search over networks larger than
// the fixed-capacity einsum_spec (hundreds of operands and labels). It is read by the same
// parser as einsum_spec (detail::parse_einsum_into) and works in constant evaluation too,
// so small networks can be searched at compile time. Its lists hold a network of up to 8
// operands of 8 indices and 16 letters in place (detail::small_vector) and spill to the heap
// beyond that: parsing a transformer's einsum allocates nothing.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <span>
#include <utility>
#include <vector>

#include <txmath/core/count.hpp>
#include <txmath/core/error.hpp>
#include <txmath/detail/small_vector.hpp>
#include <txmath/einsum.hpp>

TXMATH_DEFINE_ERROR(txmath_error_einsum_size_given_for_unknown_index, invalid_argument)

namespace txmath {

// An einsum with any number of operands and labels; sizes bound per label id.
struct einsum_network {
  // The ids of one term (an operand or the result): a vector-like list, comparable with and
  // convertible to std::vector<std::uint32_t>, readable as std::span<const std::uint32_t>.
  using term = detail::small_vector<std::uint32_t, 8>;
  detail::small_vector<char32_t, 16> labels;     // the letter of each id, by first appearance
  detail::small_vector<count, 16> sizes;         // the size of each id
  detail::small_vector<unsigned char, 16> bound; // whether sizes[id] was given
  detail::small_vector<term, 8> inputs;          // ids of each operand (repeats kept)
  term output;                                   // ids of the result
  bool explicit_output = false;

  constexpr std::size_t operands() const { return inputs.size(); }
  constexpr std::size_t n_labels() const { return labels.size(); }

  // The id of a letter, or -1.
  constexpr int id_of(char32_t c) const {
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (labels[i] == c) return static_cast<int>(i);
    return -1;
  }
  // Adds a label (no check that it is new); returns its id. For building networks in code.
  constexpr std::uint32_t add_label(char32_t c, count size) {
    labels.push_back(c);
    sizes.push_back(size);
    bound.push_back(1);
    return static_cast<std::uint32_t>(labels.size() - 1);
  }
  // Binds the size of a letter. A letter the network does not use is an error when
  // `strict`, ignored otherwise (size dictionaries often hold more letters than one spec).
  constexpr einsum_network& set_size(char32_t c, count size, bool strict = true) {
    const int id = id_of(c);
    if (id < 0) {
      if (!strict) return *this;
      TXMATH_FAIL(txmath_error_einsum_size_given_for_unknown_index, invalid_argument,
                  "txmath: einsum '" + str() + "': a size was given for '" + label_text(c) +
                      "', which is not one of its indices");
    }
    sizes[static_cast<std::size_t>(id)] = size;
    bound[static_cast<std::size_t>(id)] = 1;
    return *this;
  }
  constexpr einsum_network& set_sizes(const index_sizes& s, bool strict = false) {
    for (std::size_t i = 0; i < s.size(); ++i) set_size(s[i].label, s[i].size, strict);
    return *this;
  }
  // Sizes from operand shapes (one list of extents per input, as opt_einsum's shapes=True);
  // an index bound twice to different extents is an error naming both.
  constexpr einsum_network& set_shapes(const std::vector<std::vector<count>>& shapes) {
    if (shapes.size() != inputs.size())
      TXMATH_FAIL(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument,
                  "txmath: einsum '" + str() + "' has " + std::to_string(inputs.size()) +
                      " operands but " + std::to_string(shapes.size()) + " shapes were given");
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (shapes[k].size() != inputs[k].size())
        TXMATH_FAIL(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument,
                    "txmath: einsum '" + str() + "': operand " + std::to_string(k) + " has " +
                        std::to_string(inputs[k].size()) + " indices but its shape has " +
                        std::to_string(shapes[k].size()) + " extents");
      // (Through local pointers: a store to `bound` may alias any member, which the compiler
      // would then reload at each index.)
      const std::uint32_t* const ids = inputs[k].data();
      const count* const extents = shapes[k].data();
      count* const size = sizes.data();
      unsigned char* const is_bound = bound.data();
      for (std::size_t i = 0, rank = inputs[k].size(); i < rank; ++i) {
        const auto id = ids[i];
        if (is_bound[id] && size[id] != extents[i])
          TXMATH_FAIL(txmath_error_einsum_mismatched_sizes_for_index, invalid_argument,
                      "txmath: einsum '" + str() + "': index '" + label_text(labels[id]) +
                          "' has size " + size[id].to_string() + " and " + extents[i].to_string());
        size[id] = extents[i];
        is_bound[id] = 1;
      }
    }
    return *this;
  }
  // Every index must have a size before costing.
  constexpr void check_sizes() const {
    for (std::size_t id = 0; id < labels.size(); ++id)
      if (!bound[id])
        TXMATH_FAIL(txmath_error_einsum_missing_size_for_index, invalid_argument,
                    "txmath: einsum '" + str() + "': no size given for index '" +
                        label_text(labels[id]) + "'");
  }

  // Elements of a term: product of its extents, a repeated index counting repeatedly (as
  // opt_einsum's size_by_dict on a term).
  constexpr count elements(std::span<const std::uint32_t> t) const {
    count e = 1;
    for (auto id : t) e *= sizes[id];
    return e;
  }

  std::string term_str(std::span<const std::uint32_t> t) const {
    std::string s;
    for (auto id : t) s += label_text(labels[id]);
    return s;
  }
  // Canonical text "ij,jk->ik".
  std::string str() const {
    std::string s;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (k) s += ',';
      s += term_str(inputs[k]);
    }
    return s + "->" + term_str(output);
  }
};

namespace detail {
// Builds an einsum_network for parse_einsum_into. Finds an ASCII letter in a table indexed by
// the letter, any other through a hash table (made at the first non-ASCII letter), so that
// networks with hundreds of labels parse in linear time and small ones touch no heap.
struct network_builder {
  einsum_network& r;
  static constexpr std::uint32_t empty = ~std::uint32_t{0};
  std::uint64_t ascii_seen = 0;  // bit c - 'A': the letter c has an id, in ascii[c - 'A']
  std::uint32_t ascii[58];       // (only the entries of ascii_seen are written and read)
  // Other letters -> id by open addressing: a table of at least twice the letters of the text,
  // so a probe ends at an empty slot within a few steps.
  std::vector<std::pair<char32_t, std::uint32_t>> by_label{};
  small_vector<std::uint32_t, 16> occ{};
  einsum_network::term* input = nullptr;  // the input being read (not found again at each index)

  constexpr explicit network_builder(einsum_network& net) : r(net) {}
  static constexpr bool empty_spec_is_one_scalar() { return true; }
  static constexpr bool is_ascii(char32_t c) { return c >= 'A' && c <= 'z'; }  // (letters only reach here)
  constexpr std::size_t slot(char32_t c) const {
    const std::size_t mask = by_label.size() - 1;
    std::size_t i = static_cast<std::size_t>((std::uint64_t{c} * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    while (by_label[i].second != empty && by_label[i].first != c) i = (i + 1) & mask;
    return i;
  }
  constexpr int find(char32_t c) const {
    if (is_ascii(c)) return (ascii_seen >> (c - 'A')) & 1 ? static_cast<int>(ascii[c - 'A']) : -1;
    if (by_label.empty()) return -1;
    const auto& e = by_label[slot(c)];
    return e.second != empty ? static_cast<int>(e.second) : -1;
  }
  constexpr std::uint32_t add_label(char32_t c, std::string_view spec, std::size_t) {
    const auto id = static_cast<std::uint32_t>(r.labels.size());
    r.labels.push_back(c);
    r.sizes.push_back(count{});
    r.bound.push_back(0);
    occ.push_back(0);
    if (is_ascii(c)) {
      ascii_seen |= std::uint64_t{1} << (c - 'A');
      ascii[c - 'A'] = id;
    } else {
      if (by_label.empty()) by_label.assign(slots_for(spec), {char32_t{0}, empty});
      by_label[slot(c)] = {c, id};
    }
    return id;
  }
  // Room for every letter of the text (an upper bound: its bytes that may start one).
  static constexpr std::size_t slots_for(std::string_view spec) {
    std::size_t letters = 0, slots = 16;
    for (char c : spec) letters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 && c != ',' && c != '-' && c != '>';
    while (slots < 2 * letters) slots *= 2;
    return slots;
  }
  constexpr void add_input(std::string_view, std::size_t) { input = &r.inputs.emplace_back(); }
  constexpr void push_input(std::uint32_t id, std::string_view, std::size_t) {
    input->push_back(id);
    ++occ[id];
  }
  constexpr void push_output(std::uint32_t id, std::string_view, std::size_t) { r.output.push_back(id); }
  constexpr bool output_has(std::uint32_t id) const {
    return std::find(r.output.begin(), r.output.end(), id) != r.output.end();
  }
  constexpr char32_t label(std::uint32_t id) const { return r.labels[id]; }
  constexpr std::uint32_t n_labels() const { return static_cast<std::uint32_t>(r.labels.size()); }
  constexpr std::uint32_t occurrences(std::uint32_t id) const { return occ[id]; }
  constexpr void set_explicit_output() { r.explicit_output = true; }
  constexpr void insert_output_sorted(std::uint32_t id, std::string_view) {
    auto it = r.output.begin();
    while (it != r.output.end() && r.labels[*it] < r.labels[id]) ++it;
    r.output.insert(it, id);
  }
};
}  // namespace detail

// Parses a spec of any size (same grammar and errors as parse_einsum; "->" alone is one
// scalar operand, as in opt_einsum). Sizes are bound afterwards with set_size/set_sizes.
constexpr einsum_network parse_network(std::string_view spec) {
  einsum_network r;
  detail::network_builder b{r};
  if (spec.size() > 64) {  // room for every operand and label the text can hold: nothing grows
    std::size_t letters = 0, operands = 1;
    for (char c : spec) {
      letters += (static_cast<unsigned char>(c) & 0xC0) != 0x80 && c != ',' && c != '-' && c != '>';
      operands += c == ',';
    }
    r.inputs.reserve(operands);
    r.labels.reserve(letters);
    r.sizes.reserve(letters);
    r.bound.reserve(letters);
    b.occ.reserve(letters);
  }
  detail::parse_einsum_into(spec, b);
  return r;
}
constexpr einsum_network parse_network(std::string_view spec, const index_sizes& sizes) {
  einsum_network r = parse_network(spec);
  r.set_sizes(sizes, true);
  r.check_sizes();
  return r;
}

// The network of a fixed spec with its sizes.
constexpr einsum_network to_network(const einsum_spec& s, const index_sizes& sizes) {
  const bound_sizes b = bind_sizes(s, sizes);
  einsum_network r;
  for (std::uint8_t id = 0; id < s.n_labels; ++id) r.add_label(s.labels[id], b[id]);
  for (std::uint8_t k = 0; k < s.n_inputs; ++k)
    r.inputs.emplace_back(s.inputs[k].index, s.inputs[k].index + s.inputs[k].rank);
  r.output.assign(s.output.index, s.output.index + s.output.rank);
  r.explicit_output = s.explicit_output;
  return r;
}

namespace detail {
// A set of label ids in W 64-bit words.
template <std::size_t W>
struct label_set {
  std::uint64_t w[W]{};

  constexpr void set(std::uint32_t id) { w[id >> 6] |= std::uint64_t{1} << (id & 63); }
  constexpr bool test(std::uint32_t id) const { return (w[id >> 6] >> (id & 63)) & 1u; }
  constexpr bool any() const {
    for (std::size_t i = 0; i < W; ++i)
      if (w[i]) return true;
    return false;
  }
  constexpr std::size_t size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < W; ++i) n += static_cast<std::size_t>(std::popcount(w[i]));
    return n;
  }
  constexpr bool subset_of(const label_set& o) const {
    for (std::size_t i = 0; i < W; ++i)
      if (w[i] & ~o.w[i]) return false;
    return true;
  }
  constexpr bool intersects(const label_set& o) const {
    for (std::size_t i = 0; i < W; ++i)
      if (w[i] & o.w[i]) return true;
    return false;
  }
  template <class F>
  constexpr void for_each(F&& f) const {
    for (std::size_t i = 0; i < W; ++i)
      for (std::uint64_t x = w[i]; x; x &= x - 1)
        f(static_cast<std::uint32_t>(i * 64 + static_cast<std::size_t>(std::countr_zero(x))));
  }
  constexpr std::uint64_t hash() const {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (std::size_t i = 0; i < W; ++i) h = (h ^ w[i]) * 0xBF58476D1CE4E5B9ull, h ^= h >> 31;
    return h;
  }
  friend constexpr label_set operator|(label_set a, const label_set& b) {
    for (std::size_t i = 0; i < W; ++i) a.w[i] |= b.w[i];
    return a;
  }
  friend constexpr label_set operator&(label_set a, const label_set& b) {
    for (std::size_t i = 0; i < W; ++i) a.w[i] &= b.w[i];
    return a;
  }
  friend constexpr label_set operator-(label_set a, const label_set& b) {
    for (std::size_t i = 0; i < W; ++i) a.w[i] &= ~b.w[i];
    return a;
  }
  friend constexpr bool operator==(const label_set& a, const label_set& b) {
    for (std::size_t i = 0; i < W; ++i)
      if (a.w[i] != b.w[i]) return false;
    return true;
  }
};
}  // namespace detail

}  // namespace txmath

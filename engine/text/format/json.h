// A tiny JSON writer for the views the page reads (views.cpp, catalogue.cpp).
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace mm {

// ---- a tiny JSON writer ------------------------------------------------------------
// Compact output; a comma goes before anything that follows a complete
// value, which is exactly when the text so far does not end in { [ or :.
class Json {
 public:
  Json& open(char c) {
    sep();
    s_ += c;
    return *this;
  }
  Json& close(char c) {
    s_ += c;
    return *this;
  }
  Json& key(std::string_view k) {
    sep();
    quoted(k);
    s_ += ':';
    return *this;
  }
  template <std::integral T>
  requires(!std::same_as<T, bool>) Json& num(T v) {
    sep();
    s_ += std::to_string(v);
    return *this;
  }
  Json& boolean(bool v) {
    sep();
    s_ += v ? "true" : "false";
    return *this;
  }
  Json& str(std::string_view v) {
    sep();
    quoted(v);
    return *this;
  }
  // key + value in one call, for the many flat fields.
  template <std::integral T>
  requires(!std::same_as<T, bool>) Json& field(std::string_view k, T v) { return key(k).num(v); }
  Json& field(std::string_view k, bool v) { return key(k).boolean(v); }
  Json& field(std::string_view k, std::string_view v) { return key(k).str(v); }
  Json& field(std::string_view k, const char* v) { return key(k).str(v); }
  std::string take() { return std::move(s_); }

 private:
  void sep() {
    if (!s_.empty() && s_.back() != '{' && s_.back() != '[' && s_.back() != ':') s_ += ',';
  }
  void quoted(std::string_view v);
  std::string s_;
};

// Length of the well-formed UTF-8 sequence at v[i], or 0 when it is not one
// (names are bytes: a task's comm may hold anything, JSON must be UTF-8).
inline size_t utf8_len(std::string_view v, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(v[k]); };
  const unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > v.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xc0) != 0x80) return 0;
  if (n == 2 && c < 0xc2) return 0;                       // overlong
  if (n == 3 && c == 0xe0 && b(i + 1) < 0xa0) return 0;   // overlong
  if (n == 3 && c == 0xed && b(i + 1) >= 0xa0) return 0;  // surrogates
  if (n == 4 && (c > 0xf4 || (c == 0xf0 && b(i + 1) < 0x90) || (c == 0xf4 && b(i + 1) >= 0x90))) return 0;
  return n;
}

inline void Json::quoted(std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  s_ += '"';
  for (size_t i = 0; i < v.size();) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    const size_t n = utf8_len(v, i);
    if (n == 0) {
      s_ += "\\ufffd";  // a stray byte becomes U+FFFD, as a UTF-8 decoder would show it
      ++i;
      continue;
    }
    if (c == '"' || c == '\\') {
      s_ += '\\';
      s_ += static_cast<char>(c);
    } else if (c == '\n') {
      s_ += "\\n";
    } else if (c == '\t') {
      s_ += "\\t";
    } else if (c == '\r') {
      s_ += "\\r";
    } else if (c < 0x20) {
      s_ += "\\u00";
      s_ += kHex[c >> 4];
      s_ += kHex[c & 0xf];
    } else {
      s_.append(v.substr(i, n));
    }
    i += n;
  }
  s_ += '"';
}

}  // namespace mm

// Diagnostics: an expected failure (bad input, no memory) is a value, never
// an exception or an abort. A Diagnostic knows where in a text input the
// problem is, so the CLI prints the compiler-style FILE:LINE:COL form.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace mm {

struct Diagnostic {
  std::string file;  // may be empty
  int line = 0;      // 1-based; 0 when not tied to a line
  int col = 0;       // 1-based; 0 when not tied to a column
  std::string message;

  // "file:line:col: error: message" (parts that are unknown are left out).
  std::string str() const {
    std::string s;
    if (!file.empty()) s += file + ":";
    if (line > 0) {
      s += std::to_string(line) + ":";
      if (col > 0) s += std::to_string(col) + ":";
    }
    if (!s.empty()) s += " ";
    return s + "error: " + message;
  }
};

// Status: empty on success.
class Status {
 public:
  Status() = default;
  Status(Diagnostic d) : d_(std::move(d)) {}  // NOLINT: implicit on purpose
  static Status ok() { return {}; }
  explicit operator bool() const { return !d_.has_value(); }
  bool ok_() const { return !d_.has_value(); }
  const Diagnostic& diag() const { return *d_; }
  std::string str() const { return d_ ? d_->str() : std::string("ok"); }

 private:
  std::optional<Diagnostic> d_;
};

template <class T>
class Expected {
 public:
  Expected(T v) : v_(std::move(v)) {}           // NOLINT
  Expected(Diagnostic d) : v_(std::move(d)) {}  // NOLINT
  explicit operator bool() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Diagnostic& diag() const { return std::get<1>(v_); }

 private:
  std::variant<T, Diagnostic> v_;
};

}  // namespace mm

// Reading the files mmsim is given (scenarios, lessons, kernel logs, and
// the logs a scenario's `dmesg` names): whole, and never more than
// kMaxInputBytes, so that /dev/zero or a runaway log is an error rather
// than a hang or an exhausted memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace mmcli {

// 128 MiB: far above any kernel log (log_buf_len is at most 32 MiB) or a
// scenario a person writes.
inline constexpr std::size_t kMaxInputBytes = std::size_t{128} << 20;

struct InputFile {
  std::optional<std::string> text;  // the contents, when read
  std::string error;                // else why not: "cannot read the file", "larger than ..."
};

InputFile read_input(const std::string& path);

// For loaders that only need the text (a scenario's `dmesg PATH`): nullopt
// on any failure.
inline std::optional<std::string> read_input_text(const std::string& path) { return read_input(path).text; }

}  // namespace mmcli

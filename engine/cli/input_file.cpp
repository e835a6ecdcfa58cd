#include "cli/input_file.h"

#include <fstream>

namespace mmcli {

InputFile read_input(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {std::nullopt, "cannot read the file"};
  std::string text;
  char buf[1 << 16];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(f.gcount()));
    if (text.size() > kMaxInputBytes)
      return {std::nullopt, "larger than " + std::to_string(kMaxInputBytes >> 20) +
                                " MiB, the limit for an input file (a kernel log is at most 32 MiB)"};
  }
  if (f.bad()) return {std::nullopt, "cannot read the file"};
  return {std::move(text), {}};
}

}  // namespace mmcli

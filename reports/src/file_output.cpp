// Writing a report to a file, with errors that name the file.
#include "file_output.hpp"

#include <fstream>
#include <stdexcept>

namespace pop3::reports::detail {

void write_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot open " + path.string() + " for writing");
  write(out);
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace pop3::reports::detail

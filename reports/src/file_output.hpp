#pragma once
// Private: the one way every writer's file variant opens, writes and checks a file.
#include <filesystem>
#include <functional>
#include <ostream>

namespace pop3::reports::detail {

/// Runs `write` on a stream to `path` (truncated); throws std::runtime_error naming the path
/// if the file cannot be opened or a write fails (disk full, permissions).
void write_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

}  // namespace pop3::reports::detail

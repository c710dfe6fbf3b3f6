// All-or-nothing removal through a staging directory, crash recovery, and the seen flag
// (see maildir_changes.hpp for the flow).
#include "maildir_changes.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "maildir_io.hpp"

namespace pop3::refd::detail {

namespace {

namespace fs = std::filesystem;

constexpr const char* trash_dir_name = "pop3refd-trash";
constexpr const char* commit_marker_name = "committed";
constexpr const char* subdirs[] = {"new", "cur"};

fs::path trash_of(const fs::path& maildir) { return maildir / trash_dir_name; }

// The regular files of dir; a listing error is reported through err.
std::vector<std::string> file_names(const fs::path& dir, store_errc& err) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) names.push_back(it->path().filename().string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) err = classify_errno(ec.value());
  return names;
}

// fsync of new/, cur/ and both staging folders: renames between them are durable afterwards.
// A staging folder that does not exist holds nothing to sync.
store_errc sync_all(const fs::path& maildir) {
  store_errc result = store_errc::ok;
  for (const char* sub : subdirs) {
    for (const auto& dir : {maildir / sub, trash_of(maildir) / sub}) {
      std::error_code ec;
      if (dir != maildir / sub && !fs::exists(dir, ec)) continue;
      if (const auto e = sync_directory(dir); e != store_errc::ok && result == store_errc::ok) result = e;
    }
  }
  return result;
}

struct staged_file {
  fs::path from, to;
};

// Renames the staged files back (latest first). Failures leave files staged without a marker,
// which the next recovery puts back.
void unstage(const std::vector<staged_file>& staged) {
  for (auto it = staged.rbegin(); it != staged.rend(); ++it) (void)::rename(it->to.c_str(), it->from.c_str());
}

// Stages one message; ok if it is already gone (someone else removed it, which is what was asked).
store_errc stage(const fs::path& maildir, const message_entry& entry, std::vector<staged_file>& staged) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    // The snapshot's path first; if the message moved (new/ -> cur/, new flags), where it is now.
    const auto from =
        attempt == 0 ? std::optional<fs::path>(entry.path) : locate_message(maildir, entry.file_key);
    if (!from) return store_errc::ok;
    const auto to = trash_of(maildir) / from->parent_path().filename() / from->filename();
    if (::rename(from->c_str(), to.c_str()) == 0) {
      staged.push_back({*from, to});
      return store_errc::ok;
    }
    if (errno != ENOENT) return classify_errno(errno);
  }
  return store_errc::ok;
}

}  // namespace

store_errc recover_interrupted_removal(const fs::path& maildir) {
  const auto trash = trash_of(maildir);
  std::error_code ec;
  if (!fs::is_directory(trash, ec)) return store_errc::ok;  // nothing was ever staged here
  const auto marker = trash / commit_marker_name;
  const bool committed = fs::exists(marker, ec);
  store_errc result = store_errc::ok;
  for (const char* sub : subdirs) {
    for (const auto& name : file_names(trash / sub, result)) {
      const auto staged = trash / sub / name;
      // Past the commit point the removal goes ahead; before it, the message goes back.
      const auto target = maildir / sub / name;
      const int rc = committed ? ::unlink(staged.c_str()) : ::rename(staged.c_str(), target.c_str());
      if (rc != 0 && errno != ENOENT) result = classify_errno(errno);
    }
  }
  if (const auto e = sync_all(maildir); e != store_errc::ok && result == store_errc::ok) result = e;
  // The marker goes last, and only once the staging folders are empty: until then a later
  // recovery must still know which way to go.
  if (result != store_errc::ok) return result;
  auto stale_tmp = marker;
  stale_tmp += ".tmp";
  (void)::unlink(stale_tmp.c_str());  // a marker write that a crash cut short is no marker
  if (committed && ::unlink(marker.c_str()) != 0 && errno != ENOENT) return classify_errno(errno);
  return sync_directory(trash);
}

store_errc remove_all_or_nothing(const fs::path& maildir, const std::vector<message_entry>& entries) {
  if (const auto e = recover_interrupted_removal(maildir); e != store_errc::ok) return e;
  for (const char* sub : subdirs) {
    if (const auto e = ensure_directory(trash_of(maildir) / sub); e != store_errc::ok) return e;
  }
  std::vector<staged_file> staged;
  store_errc failure = store_errc::ok;
  for (const auto& entry : entries) {
    if (failure = stage(maildir, entry, staged); failure != store_errc::ok) break;
  }
  // The renames are on disk before the marker says they count.
  if (failure == store_errc::ok) failure = sync_all(maildir);
  const auto marker = trash_of(maildir) / commit_marker_name;
  if (failure == store_errc::ok) failure = write_file_atomically(marker, "");
  if (failure != store_errc::ok) {
    // The marker may exist if only its directory sync failed: it must not outlive the rollback.
    (void)::unlink(marker.c_str());
    unstage(staged);
    (void)sync_all(maildir);
    return failure;
  }
  // Committed. What is left is clean-up, which the next recovery finishes if it fails here.
  (void)recover_interrupted_removal(maildir);
  return store_errc::ok;
}

bool has_seen_flag(std::string_view file_name) noexcept {
  const auto colon = file_name.find(':');
  if (colon == std::string_view::npos) return false;
  const auto info = file_name.substr(colon + 1);
  return info.starts_with("2,") && info.find('S', 2) != std::string_view::npos;
}

store_errc mark_seen(const fs::path& maildir, const std::vector<message_entry>& entries) {
  store_errc result = store_errc::ok;
  for (const auto& entry : entries) {
    std::error_code ec;
    const auto from = fs::exists(entry.path, ec) ? std::optional<fs::path>(entry.path)
                                                 : locate_message(maildir, entry.file_key);
    if (!from) continue;  // gone meanwhile: nothing to flag
    const std::string name = from->filename().string();
    const auto colon = name.find(':');
    std::string flags = colon == std::string::npos ? std::string() : name.substr(colon + 1);
    if (colon != std::string::npos && !flags.starts_with("2,")) continue;  // an info format we do not know
    flags = flags.empty() ? std::string() : flags.substr(2);
    if (flags.find('S') == std::string::npos) {
      flags.insert(std::ranges::upper_bound(flags, 'S'), 'S');
    }
    const auto to = maildir / "cur" / (entry.file_key + ":2," + flags);
    if (to == *from) continue;
    if (::rename(from->c_str(), to.c_str()) != 0) result = classify_errno(errno);
  }
  for (const char* sub : subdirs) {
    if (const auto e = sync_directory(maildir / sub); e != store_errc::ok) result = e;
  }
  return result;
}

}  // namespace pop3::refd::detail

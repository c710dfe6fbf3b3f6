#pragma once
// Broken Maildir stores for the upstream pop3refd (pop3::refd::server takes any maildir_store):
// for the rules about the maildrop lock, which a proxy cannot break from outside.
#include <chrono>
#include <filesystem>
#include <memory>

#include "pop3/refd/maildir_store.hpp"

namespace pop3::mutation {

/// A store whose try_lock() always succeeds without locking: sessions share a maildrop.
[[nodiscard]] std::shared_ptr<refd::maildir_store> make_lockless_store(const std::filesystem::path& root);
/// A store whose locks are released `linger` after the session lets go of them.
[[nodiscard]] std::shared_ptr<refd::maildir_store> make_lingering_lock_store(const std::filesystem::path& root,
                                                                             std::chrono::milliseconds linger);

/// How a broken store names messages instead of its persistent unique-ids.
enum class uid_scheme {
  by_position,  ///< "n1", "n2", ... by place in the maildrop: reused once a message is gone
  by_content,   ///< a hash of the content: byte-identical messages share one
};
/// A store that assigns unique-ids by `scheme` (the rest is the real store).
[[nodiscard]] std::shared_ptr<refd::maildir_store> make_uid_store(const std::filesystem::path& root, uid_scheme scheme);

}  // namespace pop3::mutation

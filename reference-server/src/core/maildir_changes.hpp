#pragma once
// Internal: the maildrop changes that the extensions need beyond RFC 1939's UPDATE.
//   - An all-or-nothing removal (DELI, SLEE, CORE: "-ERR leaves the mailbox unchanged"), which
//     also survives a crash as all or nothing.
//   - The Maildir "S" (seen) flag, which carries LAST's "highest number accessed" across sessions.
//
// Flow of a removal: recover any earlier interrupted one -> rename every file into
// <maildir>/pop3refd-trash/{new,cur}/ (same name) -> fsync the four directories -> write the
// marker pop3refd-trash/committed (the commit point) -> unlink the staged files and the marker.
// A failure before the commit point renames every staged file back. After a crash,
// recover_interrupted_removal() (run under the lock by scan() and by the next removal) does the
// same: no marker, everything goes back; marker, everything staged is unlinked.
#include <filesystem>
#include <string_view>
#include <vector>

#include "pop3/refd/maildir_store.hpp"

namespace pop3::refd::detail {

/// Finishes or undoes a removal that a crash interrupted (see the flow above). Call it under the lock.
[[nodiscard]] store_errc recover_interrupted_removal(const std::filesystem::path& maildir);

/// Removes every entry or none (see the flow above). Messages already gone count as removed.
[[nodiscard]] store_errc remove_all_or_nothing(const std::filesystem::path& maildir,
                                               const std::vector<message_entry>& entries);

/// Adds "S" to each message's Maildir flags (in ASCII order, as Maildir wants), moving it to cur/.
/// Names whose info part is not "2,<flags>" are left alone. Returns the last failure.
[[nodiscard]] store_errc mark_seen(const std::filesystem::path& maildir,
                                   const std::vector<message_entry>& entries);

/// True if a Maildir file name carries the "S" flag (":2,...S...").
[[nodiscard]] bool has_seen_flag(std::string_view file_name) noexcept;

}  // namespace pop3::refd::detail

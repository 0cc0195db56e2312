// Key files: created 0600 with O_EXCL and fsync'd before rename, so a crash never
// leaves a half-written key; refused on load when group or others can read them.
#pragma once

#include <filesystem>

#include "crypto/bytes.hpp"

namespace signalnode::crypto {

// Throws if the file exists already or cannot be written.
void write_secret_file(const std::filesystem::path& path, ByteView content);
// Throws when missing, readable by group/others, or (if expected_size != 0) of
// another size. The message names the file, never its content.
SecretBytes read_secret_file(const std::filesystem::path& path, std::size_t expected_size = 0);

// Non-secret files written atomically (temp file, fsync, rename).
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write |
                                                         std::filesystem::perms::group_read |
                                                         std::filesystem::perms::others_read);

}  // namespace signalnode::crypto

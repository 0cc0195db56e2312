// The backup archive (format version 1, docs/backup.md): what `signalnode
// backup` writes and `restore` reads. A restore reads an archive as untrusted
// input: every count, name and size is bounded, and every entry's SHA-256 is
// checked before anything is written.
//
//   "SNBACKUP" | u32 BE version (1) | u32 BE header length | header (JSON)
//   | the plain entries' bytes, in header order | the sealed keys part
//
// The keys part (only with --with-keys) is XChaCha20-Poly1305 under a key
// argon2id derives from the passphrase; its plaintext is
//   "SNKEYS01" | u32 BE header length | header (JSON) | the entries' bytes.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.hpp"
#include "crypto/password.hpp"
#include "crypto/sha256.hpp"

namespace signalnode::node::backup {

inline constexpr std::string_view kMagic = "SNBACKUP";
inline constexpr std::string_view kKeysMagic = "SNKEYS01";
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::string_view kDatabaseEntry = "signalnode.db";

// What a reader accepts; anything beyond is refused before it is read.
struct Limits {
  std::uint32_t max_header_bytes = 1u << 20;
  std::size_t max_entries = 4096;
  std::size_t max_key_entries = 256;
  std::size_t max_path_bytes = 255;
  std::size_t max_path_depth = 8;
  std::uint64_t max_file_bytes = 64ull << 20;        // every entry but the database
  std::uint64_t max_database_bytes = 1ull << 40;      // 1 TiB
  std::uint64_t max_keys_part_bytes = 16ull << 20;
  std::uint64_t min_opslimit = 1, max_opslimit = 16;
  std::uint64_t min_memlimit = 8ull << 20, max_memlimit = 1ull << 30;
};

struct ArchiveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The passphrase does not open the keys part (or the part was altered).
struct WrongPassphrase : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Entry {
  std::string path;  // relative, '/'-separated, checked by valid_entry_path
  std::uint64_t size = 0;
  crypto::Digest256 sha256{};
  std::uint64_t offset = 0;  // in the archive file (plain entries) or the keys plaintext
};

struct KeysPart {
  crypto::PassphraseCost cost{};
  crypto::Bytes salt;
  std::uint64_t size = 0;  // sealed bytes
  crypto::Digest256 sha256{};
  std::uint64_t offset = 0;
};

struct Header {
  std::uint32_t version = kFormatVersion;
  std::int64_t created_at_ms = 0;
  std::string org;
  std::string node_version;
  std::int64_t schema_version = 0;
  bool with_keys = false;
  std::vector<Entry> entries;
  std::optional<KeysPart> keys;
};

// Whether a name may be an entry: relative, components of [A-Za-z0-9._@+-],
// none "." or "..", no empty component, within the limits, and not a SQLite
// side file (-wal, -shm, -journal), which would damage the restored database.
bool valid_entry_path(std::string_view path, const Limits& limits = {});

// The associated data that binds the keys part to the plain entries: with
// keys, a passphrase also proves that no plain entry was swapped.
crypto::Bytes keys_binding(const Header& header);

// The header as it is written (entries' offsets are implied by their order).
std::string header_json(const Header& header);
// The whole prefix: magic, version, header length and header.
std::string encode_prefix(const Header& header);

// Reads and checks the prefix of an archive of file_size bytes: sizes add up
// to exactly file_size, names are valid and distinct, no entry lies inside
// another. Sets each entry's offset. Throws ArchiveError.
Header read_header(std::istream& in, std::uint64_t file_size, const Limits& limits = {});
// Reads every plain entry and the sealed keys part and checks their SHA-256.
// Throws ArchiveError naming the first entry that does not match.
void verify_entries(std::istream& in, const Header& header);

struct SecretEntry {
  std::string path;
  crypto::SecretBytes content;
};
// The keys part's plaintext from entries, and back (bounded, hashes checked).
crypto::SecretBytes encode_keys_plaintext(const std::vector<SecretEntry>& entries);
std::vector<SecretEntry> decode_keys_plaintext(crypto::ByteView plaintext, const Limits& limits = {});
// Reads the keys part, derives the key from the passphrase and opens it.
// Throws WrongPassphrase when it does not open, ArchiveError when malformed.
std::vector<SecretEntry> open_keys(std::istream& in, const Header& header, crypto::ByteView passphrase,
                                   const Limits& limits = {});

}  // namespace signalnode::node::backup

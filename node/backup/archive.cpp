#include "node/backup/archive.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include "crypto/aead.hpp"

namespace signalnode::node::backup {
namespace json = boost::json;

namespace {

constexpr std::string_view kKeysAdPrefix = "signalnode-backup-v1 keys ";
constexpr std::string_view kKdf = "argon2id13";
constexpr std::string_view kAead = "xchacha20poly1305-ietf";

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

[[noreturn]] void bad(const std::string& why) { throw ArchiveError("not a valid signalnode backup: " + why); }

void read_exact(std::istream& in, std::uint8_t* out, std::size_t n, const char* what) {
  in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
  if (static_cast<std::size_t>(in.gcount()) != n) bad(std::string("it ends inside ") + what);
}

const json::value* member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

std::uint64_t get_uint(const json::object& o, std::string_view key, std::uint64_t max) {
  const auto* v = member(o, key);
  std::uint64_t out = 0;
  if (v && v->is_uint64()) {
    out = v->get_uint64();
  } else if (v && v->is_int64() && v->get_int64() >= 0) {
    out = static_cast<std::uint64_t>(v->get_int64());
  } else {
    bad(std::string("\"") + std::string(key) + "\" is not a whole number");
  }
  if (out > max) bad(std::string("\"") + std::string(key) + "\" is too large");
  return out;
}

std::string get_string(const json::object& o, std::string_view key, std::size_t max) {
  const auto* v = member(o, key);
  if (!v || !v->is_string()) bad(std::string("\"") + std::string(key) + "\" is not a string");
  if (v->get_string().size() > max) bad(std::string("\"") + std::string(key) + "\" is too long");
  return std::string(v->get_string());
}

crypto::Digest256 get_digest(const json::object& o) {
  auto hex = get_string(o, "sha256", 64);
  auto bytes = crypto::from_hex(hex);
  if (!bytes || bytes->size() != 32) bad("an entry's sha256 is not 64 hex digits");
  crypto::Digest256 d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

json::array entries_json(const std::vector<Entry>& entries) {
  json::array out;
  for (const auto& e : entries) {
    out.push_back(json::object{{"path", e.path}, {"size", e.size}, {"sha256", crypto::to_hex(e.sha256)}});
  }
  return out;
}

// Entries from the header's "entries": valid, distinct names, none inside
// another (a file "a" and a file "a/b" cannot both be written).
std::vector<Entry> parse_entries(const json::object& o, std::size_t max_entries, const Limits& limits,
                                 bool outer) {
  const auto* v = member(o, "entries");
  if (!v || !v->is_array()) bad("\"entries\" is not a list");
  const auto& arr = v->get_array();
  if (arr.size() > max_entries) bad("too many entries");
  std::vector<Entry> out;
  out.reserve(arr.size());
  std::set<std::string> names, folders;
  for (const auto& item : arr) {
    if (!item.is_object()) bad("an entry is not an object");
    const auto& e = item.get_object();
    Entry entry;
    entry.path = get_string(e, "path", limits.max_path_bytes);
    if (!valid_entry_path(entry.path, limits)) bad("an entry has a name that may not be written: " + entry.path);
    const bool database = outer && entry.path == kDatabaseEntry;
    entry.size = get_uint(e, "size", database ? limits.max_database_bytes : limits.max_file_bytes);
    entry.sha256 = get_digest(e);
    if (!names.insert(entry.path).second) bad("an entry appears twice: " + entry.path);
    for (auto slash = entry.path.find('/'); slash != std::string::npos; slash = entry.path.find('/', slash + 1)) {
      folders.insert(entry.path.substr(0, slash));
    }
    out.push_back(std::move(entry));
  }
  for (const auto& f : folders) {
    if (names.count(f)) bad("an entry is both a file and a folder: " + f);
  }
  return out;
}

json::object parse_object(std::string_view text) {
  json::error_code ec;
  json::parse_options opt;
  opt.max_depth = 8;
  auto v = json::parse(text, ec, {}, opt);
  if (ec || !v.is_object()) bad("its header is not a JSON object");
  return std::move(v.get_object());
}

}  // namespace

bool valid_entry_path(std::string_view path, const Limits& limits) {
  if (path.empty() || path.size() > limits.max_path_bytes) return false;
  std::size_t depth = 0;
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    auto part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                c == '-' || c == '@' || c == '+';
      if (!ok) return false;
    }
    if (++depth > limits.max_path_depth) return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (std::string_view side : {"-wal", "-shm", "-journal"}) {
    if (path.ends_with(side)) return false;
  }
  return true;
}

crypto::Bytes keys_binding(const Header& header) {
  crypto::Sha256 h;
  std::string head = std::to_string(header.version) + "\n" + std::to_string(header.created_at_ms) + "\n" +
                     header.org + "\n";
  h.update(crypto::as_bytes(head));
  for (const auto& e : header.entries) {
    std::string line = e.path + "\n" + std::to_string(e.size) + "\n" + crypto::to_hex(e.sha256) + "\n";
    h.update(crypto::as_bytes(line));
  }
  auto digest = h.finish();
  std::string ad = std::string(kKeysAdPrefix) + crypto::to_hex(digest);
  return crypto::Bytes(ad.begin(), ad.end());
}

std::string header_json(const Header& header) {
  json::object o{{"format", "signalnode-backup"},
                 {"version", header.version},
                 {"createdAtMs", header.created_at_ms},
                 {"org", header.org},
                 {"nodeVersion", header.node_version},
                 {"schemaVersion", header.schema_version},
                 {"withKeys", header.with_keys},
                 {"entries", entries_json(header.entries)}};
  if (header.keys) {
    const auto& k = *header.keys;
    o["keys"] = json::object{{"kdf", kKdf},
                             {"opslimit", k.cost.opslimit},
                             {"memlimit", static_cast<std::uint64_t>(k.cost.memlimit)},
                             {"salt", crypto::to_hex(k.salt)},
                             {"aead", kAead},
                             {"size", k.size},
                             {"sha256", crypto::to_hex(k.sha256)}};
  } else {
    o["secrets"] =
        "none: keys/, private keys and password files are not in this archive; put keys/ back from its own backup";
  }
  return json::serialize(o);
}

std::string encode_prefix(const Header& header) {
  std::string body = header_json(header);
  std::string out(kMagic);
  put_u32(out, header.version);
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  return out + body;
}

Header read_header(std::istream& in, std::uint64_t file_size, const Limits& limits) {
  std::array<std::uint8_t, 16> fixed{};
  if (file_size < fixed.size()) bad("it is too short");
  read_exact(in, fixed.data(), fixed.size(), "its first 16 bytes");
  if (std::memcmp(fixed.data(), kMagic.data(), kMagic.size()) != 0) bad("it does not start with SNBACKUP");
  Header h;
  h.version = get_u32(fixed.data() + 8);
  if (h.version != kFormatVersion) {
    throw ArchiveError("backup format version " + std::to_string(h.version) +
                       " is not one this signalnode reads (it reads version 1)");
  }
  const std::uint32_t header_len = get_u32(fixed.data() + 12);
  if (header_len == 0 || header_len > limits.max_header_bytes || header_len > file_size - fixed.size()) {
    bad("its header length is out of bounds");
  }
  std::string text(header_len, '\0');
  read_exact(in, reinterpret_cast<std::uint8_t*>(text.data()), text.size(), "its header");
  auto o = parse_object(text);
  if (get_string(o, "format", 64) != "signalnode-backup") bad("\"format\" is not signalnode-backup");
  if (get_uint(o, "version", 1000) != h.version) bad("the header's version differs from the file's");
  h.created_at_ms = static_cast<std::int64_t>(get_uint(o, "createdAtMs", 1ull << 52));
  h.org = get_string(o, "org", 64);
  h.node_version = get_string(o, "nodeVersion", 64);
  h.schema_version = static_cast<std::int64_t>(get_uint(o, "schemaVersion", 100000));
  const auto* wk = member(o, "withKeys");
  if (!wk || !wk->is_bool()) bad("\"withKeys\" is not true or false");
  h.with_keys = wk->get_bool();
  h.entries = parse_entries(o, limits.max_entries, limits, true);

  std::uint64_t offset = fixed.size() + header_len;
  for (auto& e : h.entries) {
    e.offset = offset;
    if (e.size > file_size - offset) bad("its entries are larger than the file (" + e.path + ")");
    offset += e.size;
  }
  const auto* keys = member(o, "keys");
  if (h.with_keys != (keys != nullptr)) bad("\"withKeys\" and \"keys\" disagree");
  if (keys) {
    if (!keys->is_object()) bad("\"keys\" is not an object");
    const auto& k = keys->get_object();
    if (get_string(k, "kdf", 32) != kKdf) bad("the keys part names an unknown key derivation");
    if (get_string(k, "aead", 32) != kAead) bad("the keys part names an unknown cipher");
    KeysPart part;
    part.cost.opslimit = get_uint(k, "opslimit", limits.max_opslimit);
    part.cost.memlimit = static_cast<std::size_t>(get_uint(k, "memlimit", limits.max_memlimit));
    if (part.cost.opslimit < limits.min_opslimit || part.cost.memlimit < limits.min_memlimit) {
      bad("the keys part's argon2id parameters are too small");
    }
    auto salt = crypto::from_hex(get_string(k, "salt", 64));
    if (!salt || salt->size() != crypto::kPassphraseSaltBytes) bad("the keys part's salt is not 16 bytes");
    part.salt = std::move(*salt);
    part.size = get_uint(k, "size", limits.max_keys_part_bytes);
    part.sha256 = get_digest(k);
    part.offset = offset;
    if (part.size > file_size - offset) bad("its keys part is larger than the file");
    offset += part.size;
    h.keys = std::move(part);
  }
  if (offset != file_size) bad("its size differs from what its header lists (truncated or appended to)");
  return h;
}

namespace {
crypto::Digest256 hash_range(std::istream& in, std::uint64_t offset, std::uint64_t size, const std::string& what) {
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in) bad("cannot read " + what);
  crypto::Sha256 h;
  std::vector<std::uint8_t> buf(1 << 16);
  while (size > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, buf.size()));
    read_exact(in, buf.data(), n, what.c_str());
    h.update({buf.data(), n});
    size -= n;
  }
  return h.finish();
}
}  // namespace

void verify_entries(std::istream& in, const Header& header) {
  for (const auto& e : header.entries) {
    if (hash_range(in, e.offset, e.size, e.path) != e.sha256) {
      throw ArchiveError("the backup is damaged or altered: " + e.path + " does not match its SHA-256");
    }
  }
  if (header.keys && hash_range(in, header.keys->offset, header.keys->size, "the keys part") != header.keys->sha256) {
    throw ArchiveError("the backup is damaged or altered: the keys part does not match its SHA-256");
  }
}

crypto::SecretBytes encode_keys_plaintext(const std::vector<SecretEntry>& entries) {
  std::vector<Entry> list;
  std::size_t total = 0;
  for (const auto& s : entries) {
    Entry e;
    e.path = s.path;
    e.size = s.content.size();
    e.sha256 = crypto::sha256(s.content.view());
    list.push_back(std::move(e));
    total += s.content.size();
  }
  std::string head = json::serialize(json::object{{"entries", entries_json(list)}});
  crypto::Bytes out;
  out.reserve(kKeysMagic.size() + 4 + head.size() + total);
  out.insert(out.end(), kKeysMagic.begin(), kKeysMagic.end());
  std::string len;
  put_u32(len, static_cast<std::uint32_t>(head.size()));
  out.insert(out.end(), len.begin(), len.end());
  out.insert(out.end(), head.begin(), head.end());
  for (const auto& s : entries) out.insert(out.end(), s.content.data(), s.content.data() + s.content.size());
  return crypto::SecretBytes(std::move(out));
}

std::vector<SecretEntry> decode_keys_plaintext(crypto::ByteView plaintext, const Limits& limits) {
  const std::size_t fixed = kKeysMagic.size() + 4;
  if (plaintext.size() < fixed || std::memcmp(plaintext.data(), kKeysMagic.data(), kKeysMagic.size()) != 0) {
    bad("its keys part does not start with SNKEYS01");
  }
  const std::uint32_t len = get_u32(plaintext.data() + kKeysMagic.size());
  if (len == 0 || len > limits.max_header_bytes || len > plaintext.size() - fixed) bad("its keys header is out of bounds");
  auto o = parse_object(crypto::as_chars(plaintext.subspan(fixed, len)));
  auto entries = parse_entries(o, limits.max_key_entries, limits, false);
  std::uint64_t offset = fixed + len;
  std::vector<SecretEntry> out;
  for (const auto& e : entries) {
    if (e.size > plaintext.size() - offset) bad("its keys part lists more bytes than it holds");
    auto bytes = plaintext.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(e.size));
    if (crypto::sha256(bytes) != e.sha256) bad(e.path + " in the keys part does not match its SHA-256");
    out.push_back({e.path, crypto::SecretBytes(crypto::Bytes(bytes.begin(), bytes.end()))});
    offset += e.size;
  }
  if (offset != plaintext.size()) bad("its keys part holds bytes no entry lists");
  return out;
}

std::vector<SecretEntry> open_keys(std::istream& in, const Header& header, crypto::ByteView passphrase,
                                   const Limits& limits) {
  if (!header.keys) throw ArchiveError("this backup holds no keys");
  const auto& part = *header.keys;
  crypto::Bytes sealed(static_cast<std::size_t>(part.size));
  in.clear();
  in.seekg(static_cast<std::streamoff>(part.offset));
  read_exact(in, sealed.data(), sealed.size(), "the keys part");
  if (crypto::sha256(sealed) != part.sha256) {
    throw ArchiveError("the backup is damaged or altered: the keys part does not match its SHA-256");
  }
  auto key = crypto::key_from_passphrase(passphrase, part.salt, part.cost);
  auto plain = crypto::open(key, sealed, keys_binding(header));
  if (!plain) {
    throw WrongPassphrase(
        "the passphrase does not open this backup's keys (wrong passphrase, or the archive was altered); nothing was "
        "written");
  }
  return decode_keys_plaintext(plain->view(), limits);
}

}  // namespace signalnode::node::backup

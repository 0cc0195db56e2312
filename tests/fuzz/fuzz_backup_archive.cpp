// The backup archive reader (node/backup/archive.hpp): `signalnode restore`
// reads a file that may come from anywhere. Neither the header reader, the
// entry check nor the keys part's decoder may crash, hang or read past the
// bounds, whatever the bytes; anything accepted must satisfy its invariants.
#include <cstdint>
#include <sstream>
#include <string>

#include "node/backup/archive.hpp"

namespace b = signalnode::node::backup;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    std::istringstream in{std::string(body)};
    try {
      auto header = b::read_header(in, body.size());
      std::uint64_t total = 0;
      for (const auto& e : header.entries) {
        if (!b::valid_entry_path(e.path) || e.offset + e.size > body.size()) __builtin_trap();
        total += e.size;
      }
      if (total > body.size()) __builtin_trap();
      b::verify_entries(in, header);
    } catch (const b::ArchiveError&) {
    }
  } else {
    try {
      auto entries = b::decode_keys_plaintext(
          {reinterpret_cast<const std::uint8_t*>(body.data()), body.size()});
      for (const auto& e : entries) {
        if (!b::valid_entry_path(e.path)) __builtin_trap();
      }
    } catch (const b::ArchiveError&) {
    }
  }
  return 0;
}

#include "protocol/json_keys.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <cstdint>
#include <limits>
#include <set>
#include <vector>

namespace signalnode::protocol {

namespace {

namespace json = boost::json;
using ec_t = boost::system::error_code;

struct KeyHandler {
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  // One entry per open object; arrays need none.
  std::vector<std::set<std::string>> objects;
  std::string key;
  std::optional<std::string> duplicate;

  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t, ec_t&) { return true; }
  bool on_object_begin(ec_t&) {
    objects.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, ec_t&) {
    objects.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, ec_t&) { return true; }
  bool on_string(json::string_view, std::size_t, ec_t&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, ec_t&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, ec_t& ec) {
    key.append(s.data(), s.size());
    bool fresh = objects.back().insert(key).second;
    if (!fresh) {
      duplicate = std::move(key);
      ec = json::error::extra_data;  // any error: stop here
      return false;
    }
    key.clear();
    return true;
  }
  bool on_number_part(json::string_view, ec_t&) { return true; }
  bool on_int64(std::int64_t, json::string_view, ec_t&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, ec_t&) { return true; }
  bool on_double(double, json::string_view, ec_t&) { return true; }
  bool on_bool(bool, ec_t&) { return true; }
  bool on_null(ec_t&) { return true; }
  bool on_comment_part(json::string_view, ec_t&) { return true; }
  bool on_comment(json::string_view, ec_t&) { return true; }
};

}  // namespace

std::optional<std::string> first_duplicate_key(std::string_view json_text) {
  json::parse_options options;
  options.max_depth = 4096;  // the caller's parser enforces its own, smaller limit
  json::basic_parser<KeyHandler> parser(options);
  ec_t ec;
  parser.write_some(false, json_text.data(), json_text.size(), ec);
  auto duplicate = std::move(parser.handler().duplicate);
  if (!duplicate) return duplicate;
  // The key goes back to the client and onto a page: printable ASCII and
  // short, whatever a client put there (the fields we know are all that).
  if (duplicate->size() > 64) duplicate->resize(64);
  for (char& c : *duplicate) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return duplicate;
}

}  // namespace signalnode::protocol

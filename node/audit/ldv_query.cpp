#include "node/audit/ldv_query.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "node/audit/ldv.hpp"
#include "node/audit/processing_register.hpp"
#include "protocol/json_keys.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::audit {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxKeys = 8;
constexpr std::size_t kMaxValueBytes = 256;
// Milliseconds since 1970 up to the year 9999.
constexpr std::int64_t kMaxTimeMs = 253'402'300'799'999;

bool all_of(std::string_view s, std::string_view chars) {
  return !s.empty() && s.find_first_not_of(chars) == std::string_view::npos;
}

constexpr std::string_view kLowerHex = "0123456789abcdef";
constexpr std::string_view kAnyHex = "0123456789abcdefABCDEF";

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// W3C trace-id (32 hex, not all zeros) or the read extension's UUID form.
std::optional<std::string> trace_id_of(std::string_view v) {
  std::string hex;
  if (v.size() == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-') {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i != 8 && i != 13 && i != 18 && i != 23) hex.push_back(v[i]);
    }
  } else {
    hex = std::string(v);
  }
  if (hex.size() != 32 || !all_of(hex, kAnyHex)) return std::nullopt;
  hex = lower(hex);
  if (hex.find_first_not_of('0') == std::string::npos) return std::nullopt;
  return hex;
}

}  // namespace

bool looks_like_plain_identifier(std::string_view v) {
  std::string compact;
  for (char c : v) {
    if (c != ' ' && c != '.' && c != '-') compact.push_back(c);
  }
  if (compact.empty()) return false;
  if (all_of(compact, "0123456789+")) return true;  // BSN, KvK, phone
  if (v.find('@') != std::string_view::npos) return true;  // e-mail
  const std::string up = [&] {
    std::string u;
    for (char c : compact) u.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return u;
  }();
  // IBAN: two letters, two digits, then letters and digits.
  if (up.size() >= 15 && up.size() <= 34 && std::isalpha(static_cast<unsigned char>(up[0])) &&
      std::isalpha(static_cast<unsigned char>(up[1])) && std::isdigit(static_cast<unsigned char>(up[2])) &&
      std::isdigit(static_cast<unsigned char>(up[3])) && all_of(up, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
    return true;
  }
  // Dutch postcode, alone or with a house number.
  if (up.size() >= 6 && all_of(up.substr(0, 4), "0123456789") &&
      all_of(up.substr(4, 2), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
    return true;
  }
  return false;
}

std::vector<std::string> LdvQuery::selectors() const {
  std::vector<std::string> out;
  if (trace_id) out.emplace_back("traceId");
  if (activity_uri) out.emplace_back("processingActivityId");
  if (data_subject) out.emplace_back("dataSubjectId");
  if (start_ms) out.emplace_back("startTime");
  if (end_ms) out.emplace_back("endTime");
  return out;
}

std::variant<LdvQuery, std::vector<protocol::FieldError>> parse_ldv_query(std::string_view body) {
  using Errors = std::vector<protocol::FieldError>;
  if (body.size() > kMaxLdvQueryBytes) {
    return Errors{{"body", "must be at most " + std::to_string(kMaxLdvQueryBytes) + " bytes"}};
  }
  if (!protocol::is_valid_utf8(body)) return Errors{{"body", "is not valid UTF-8"}};
  json::parse_options options;
  options.max_depth = 2;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, json::storage_ptr(), options);
  if (ec || !v.is_object()) return Errors{{"body", "must be a JSON object"}};
  if (auto dup = protocol::first_duplicate_key(body)) {
    return Errors{{dup->substr(0, 64), "appears more than once in one object (duplicate JSON key)"}};
  }
  const json::object& o = v.get_object();
  if (o.size() > kMaxKeys) return Errors{{"body", "must hold at most " + std::to_string(kMaxKeys) + " fields"}};

  LdvQuery q;
  Errors errors;
  auto text = [&](const json::value& value, std::string_view field) -> std::optional<std::string_view> {
    if (!value.is_string()) {
      errors.push_back({std::string(field), "must be a string"});
      return std::nullopt;
    }
    std::string_view s = value.get_string();
    if (s.size() > kMaxValueBytes) {
      errors.push_back({std::string(field), "must be at most " + std::to_string(kMaxValueBytes) + " bytes"});
      return std::nullopt;
    }
    return s;
  };
  auto time = [&](const json::value& value, std::string_view field) -> std::optional<std::int64_t> {
    if (!value.is_int64() && !value.is_uint64()) {
      errors.push_back({std::string(field), "must be milliseconds since 1970"});
      return std::nullopt;
    }
    if (value.is_uint64() || value.get_int64() < 0 || value.get_int64() > kMaxTimeMs) {
      errors.push_back({std::string(field), "must be milliseconds since 1970"});
      return std::nullopt;
    }
    return value.get_int64();
  };
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    const json::value& value = kv.value();
    if (key == "traceId") {
      if (auto s = text(value, key)) {
        q.trace_id = trace_id_of(*s);
        if (!q.trace_id) errors.push_back({"traceId", "must be a W3C trace id: 32 hexadecimal characters (or a UUID)"});
      }
    } else if (key == "processingActivityId" || key == ldv::kProcessingActivityId) {
      if (auto s = text(value, key)) {
        auto id = activity_id_of(*s);
        if (!id) id = activity_id_of(std::string(kActivityUriPrefix) + std::string(*s));
        if (!id) {
          errors.push_back({std::string(key), "must be an identifier or URI of this node's register of processing "
                                              "activities (GET /api/v1/processing-register)"});
        } else {
          q.activity_uri = activity_uri(*id);
        }
      }
    } else if (key == "dataSubjectId" || key == ldv::kDataSubjectId) {
      if (auto s = text(value, key)) {
        if (s->size() == 128 && all_of(*s, kLowerHex)) {
          q.data_subject = std::string(*s);
        } else if (looks_like_plain_identifier(*s)) {
          errors.push_back({std::string(key), "is a plain identifier; give the subject's pseudonym in this node's "
                                              "domain (POST /api/v1/audit/subject-access computes it)"});
        } else {
          errors.push_back({std::string(key), "must be a pseudonym: 128 lowercase hexadecimal characters"});
        }
      }
    } else if (key == ldv::kDataSubjectIdType) {
      if (auto s = text(value, key); s && *s != ldv::kPseudonymType) {
        errors.push_back({std::string(key), "must be urn:signalnode:pseudonym: this log names subjects by pseudonym only"});
      }
    } else if (key == "startTime") {
      q.start_ms = time(value, key);
    } else if (key == "endTime") {
      q.end_ms = time(value, key);
    } else {
      errors.push_back({std::string(key).substr(0, 64), "is not a known field"});
    }
  }
  if (errors.empty() && !q.trace_id && !q.activity_uri && !q.data_subject) {
    const std::string why = "one of traceId, processingActivityId or dataSubjectId is required";
    errors = {{"traceId", why}, {"processingActivityId", why}, {"dataSubjectId", why}};
  }
  if (!errors.empty()) return errors;
  return q;
}

}  // namespace signalnode::node::audit

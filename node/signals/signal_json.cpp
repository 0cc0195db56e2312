#include "node/signals/signal_json.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <set>

#include "protocol/json_keys.hpp"
#include "protocol/utf8.hpp"

namespace signalnode::node::signals {
namespace json = boost::json;
using protocol::FieldError;
using protocol::IdKind;
using protocol::Result;

namespace {

constexpr std::array<std::string_view, 7> kSignalFields = {"category", "observedOn", "municipality", "severity",
                                                           "persons",  "summary",    "subjects"};
constexpr std::array<std::string_view, 17> kSubjectFields = {
    "kind",     "role",         "name",     "bsn",          "kvk",          "iban",
    "postcode", "houseNumber",  "houseLetter", "addition",  "birthDate",    "documentNumber",
    "documentCountry", "plate", "plateCountry", "phone", "email"};

bool contains(const auto& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

bool is_role_char(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

bool is_municipality_code(std::string_view s) {
  return s.size() == 6 && s.starts_with("GM") &&
         std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads one optional string field; errors name the field's full path.
class FieldReader {
 public:
  FieldReader(const json::object& o, std::string prefix, std::size_t max_bytes)
      : o_(o), prefix_(std::move(prefix)), max_bytes_(max_bytes) {}

  std::string path(std::string_view key) const { return prefix_ + std::string(key); }

  // nullopt when absent; sets error_ when present but not a short string.
  std::optional<std::string> string(std::string_view key, std::size_t max_bytes = 0) {
    const json::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) return fail(key, "must be a string");
    const auto& s = v->get_string();
    if (s.size() > (max_bytes ? max_bytes : max_bytes_)) {
      return fail(key, "must be at most " + std::to_string(max_bytes ? max_bytes : max_bytes_) + " bytes");
    }
    return std::string(s);
  }

  std::optional<std::string> string_or_integer(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v && v->is_int64()) return std::to_string(v->get_int64());
    if (v && v->is_uint64()) return std::to_string(v->get_uint64());
    return string(key);
  }

  std::optional<std::string> fail(std::string_view key, std::string reason) {
    errors_.push_back(FieldError{path(key), std::move(reason)});
    return std::nullopt;
  }

  bool failed() const { return !errors_.empty(); }
  // Every field that was present but not a short string, in reading order.
  void move_errors_to(std::vector<FieldError>& out) {
    for (auto& e : errors_) out.push_back(std::move(e));
    errors_.clear();
  }

 private:
  const json::object& o_;
  std::string prefix_;
  std::size_t max_bytes_;
  std::vector<FieldError> errors_;
};

FieldError prefixed(const std::string& prefix, const FieldError& e) { return {prefix + e.field, e.reason}; }

// Every error of one subject goes to `errors` (each field once); the subject
// is usable only when none was added.
Subject parse_subject(const json::value& value, const std::string& prefix, const policies::Taxonomy& taxonomy,
                      std::chrono::sys_days today, const SignalLimits& limits, std::vector<FieldError>& errors) {
  Subject s;
  if (!value.is_object()) {
    errors.push_back(FieldError{prefix.substr(0, prefix.size() - 1), "must be an object"});
    return s;
  }
  const std::size_t errors_before = errors.size();
  auto fail = [&](std::string field, std::string reason) { errors.push_back(FieldError{prefix + field, std::move(reason)}); };
  const json::object& o = value.get_object();
  for (const auto& kv : o) {
    if (!contains(kSubjectFields, kv.key())) {
      fail(std::string(kv.key().substr(0, 64)), "is not a known field");
      return s;
    }
  }
  FieldReader r(o, prefix, limits.max_field_bytes);
  auto kind = r.string("kind", 32);
  if (r.failed()) {
    r.move_errors_to(errors);
    return s;
  }
  if (!kind) {
    fail("kind", "is required");
    return s;
  }
  if (!taxonomy.is_subject_kind(*kind)) {
    fail("kind", "is not a subject kind of the taxonomy");
    return s;
  }
  s.kind = *kind;
  if (auto role = r.string("role", 40)) {
    if (role->empty() || !std::all_of(role->begin(), role->end(), is_role_char)) {
      fail("role", "must be lower-case letters and underscores");
    }
    s.role = *role;
  }

  auto text = [&](std::string_view key) { return r.string(key); };
  auto name = text("name");
  auto bsn = text("bsn");
  auto kvk = text("kvk");
  auto iban = text("iban");
  auto postcode = text("postcode");
  auto house_number = r.string_or_integer("houseNumber");
  auto house_letter = text("houseLetter");
  auto addition = text("addition");
  auto birth_date = text("birthDate");
  auto document_number = text("documentNumber");
  auto document_country = text("documentCountry");
  auto plate = text("plate");
  auto plate_country = text("plateCountry");
  auto phone = text("phone");
  auto email = text("email");
  r.move_errors_to(errors);

  auto add = [&](IdKind kind_, const Result<std::string>& result) {
    if (!result) {
      errors.push_back(prefixed(prefix, result.error()));
      return;
    }
    s.identifiers.push_back({kind_, result.value()});
  };
  auto keep = [&](std::string_view key, const std::optional<std::string>& v) {
    if (v) s.fields.emplace_back(std::string(key), *v);
  };

  if (s.kind == "area") {
    for (const auto& kv : o) {
      if (kv.key() != "kind" && kv.key() != "role") fail(std::string(kv.key()), "an area subject carries no personal data");
    }
    return s;
  }
  if (bsn) {
    add(IdKind::bsn, protocol::canonical_bsn(*bsn));
  }
  if (kvk) {
    add(IdKind::kvk, protocol::canonical_kvk(*kvk));
  }
  if (iban) {
    add(IdKind::iban, protocol::canonical_iban(*iban));
  }
  if (postcode || house_number || house_letter || addition) {
    if (!postcode) fail("postcode", "is required with an address");
    if (!house_number) fail("houseNumber", "is required with an address");
    if (postcode && house_number) {
      add(IdKind::address, protocol::canonical_address(*postcode, *house_number, house_letter.value_or(""),
                                                       addition.value_or("")));
    }
  }
  if (birth_date) {
    if (!name) {
      fail("name", "is required with birthDate");
    } else {
      add(IdKind::person, protocol::canonical_person(*name, *birth_date, today));
    }
  } else if (name && !protocol::is_valid_utf8(*name)) {
    fail("name", "must be valid UTF-8");
  }
  if (document_number || document_country) {
    if (!document_number) fail("documentNumber", "is required with documentCountry");
    if (!document_country) fail("documentCountry", "is required with documentNumber");
    if (document_number && document_country) {
      add(IdKind::document, protocol::canonical_document(*document_country, *document_number));
    }
  }
  if (plate) {
    add(IdKind::plate, protocol::canonical_plate(plate_country.value_or(""), *plate));
  } else if (plate_country) {
    fail("plate", "is required with plateCountry");
  }
  if (phone) {
    add(IdKind::phone, protocol::canonical_phone(*phone));
  }
  if (email) {
    add(IdKind::email, protocol::canonical_email(*email));
  }
  if (s.identifiers.empty() && !name && errors.size() == errors_before) {
    errors.push_back(FieldError{prefix.substr(0, prefix.size() - 1), "carries no identifier and no name"});
  }
  for (std::string_view key : kSubjectFields) {
    if (key == "kind" || key == "role") continue;
    if (key == "houseNumber") {
      keep(key, house_number);
    } else if (const json::value* v = o.if_contains(key); v && v->is_string()) {
      keep(key, std::string(v->get_string()));
    }
  }
  return s;
}

std::string today_string(std::chrono::sys_days d) {
  std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

json::object subject_to_json(const Subject& s) {
  json::object o;
  o["kind"] = s.kind;
  if (!s.role.empty()) o["role"] = s.role;
  for (const auto& [k, v] : s.fields) o[k] = v;
  json::array ids;
  for (const auto& id : s.identifiers) {
    ids.push_back(json::object{{"idKind", protocol::to_string(id.kind)}, {"canonical", id.canonical}});
  }
  o["identifiers"] = std::move(ids);
  return o;
}

SignalParse parse_signal_all(std::string_view body, const policies::Taxonomy& taxonomy, std::chrono::sys_days today,
                             const SignalLimits& limits) {
  SignalParse out;
  auto& errors = out.errors;
  auto fail = [&](std::string field, std::string reason) { errors.push_back(FieldError{std::move(field), std::move(reason)}); };
  // What makes the body unreadable as a whole ends the reading at once.
  if (!protocol::is_valid_utf8(body)) {
    fail("body", "is not valid UTF-8");
    return out;
  }
  json::parse_options options;
  options.max_depth = limits.max_depth;
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, json::storage_ptr(), options);
  if (ec == json::error::too_deep) {
    fail("body", "is nested deeper than " + std::to_string(limits.max_depth) + " levels");
    return out;
  }
  if (ec) {
    fail("body", "is not valid JSON (" + ec.message() + ")");
    return out;
  }
  if (!root.is_object()) {
    fail("body", "must be a JSON object");
    return out;
  }
  if (auto dup = protocol::first_duplicate_key(body)) {
    fail(*dup, "appears more than once in one object (duplicate JSON key)");
    return out;
  }
  const json::object& o = root.get_object();
  for (const auto& kv : o) {
    if (!contains(kSignalFields, kv.key())) {
      fail(std::string(kv.key().substr(0, 64)), "is not a known field");
      return out;  // one is enough: the body is not a signal of this API
    }
  }

  // From here on every field is checked, so a form shows all its errors at once.
  FieldReader r(o, "", limits.max_field_bytes);
  Signal s;
  auto category = r.string("category", 100);
  auto observed = r.string("observedOn", 10);
  auto municipality = r.string("municipality", 6);
  auto severity = r.string("severity", 6);
  auto summary = r.string("summary", limits.max_summary_bytes);
  // Absent (or null), as opposed to present but no short string (which the
  // reader reported already).
  auto absent = [&](std::string_view key) {
    const json::value* v = o.if_contains(key);
    return !v || v->is_null();
  };
  r.move_errors_to(errors);

  if (!category) {
    if (absent("category")) fail("category", "is required");
  } else if (!taxonomy.find(*category)) {
    fail("category", "is not a category of the taxonomy");
  } else {
    s.category = *category;
  }

  if (!observed) {
    if (absent("observedOn")) fail("observedOn", "is required");
  } else if (auto date = protocol::parse_date(*observed); !date) {
    fail("observedOn", "must be a real calendar date written YYYY-MM-DD");
  } else if (*date > today) {
    fail("observedOn", "must not be after today (" + today_string(today) + ")");
  } else if (*date < std::chrono::sys_days{std::chrono::year{2000} / 1 / 1}) {
    fail("observedOn", "must not be before 2000-01-01");
  } else {
    s.observed_on = *observed;
  }

  if (municipality) {
    if (!is_municipality_code(*municipality)) {
      fail("municipality", "must be a CBS municipality code: GM and 4 digits");
    } else {
      s.municipality = municipality;
    }
  }
  if (severity) {
    if (*severity != "low" && *severity != "medium" && *severity != "high") {
      fail("severity", "must be low, medium or high");
    } else {
      s.severity = *severity;
    }
  }
  if (const json::value* p = o.if_contains("persons"); p && !p->is_null()) {
    if (!p->is_int64() && !p->is_uint64()) {
      fail("persons", "must be a whole number");
    } else if (p->is_uint64() || p->get_int64() < 0 || p->get_int64() > 100000) {
      fail("persons", "must be from 0 to 100000");
    } else {
      s.persons = p->get_int64();
    }
  }
  if (summary) s.summary = *summary;

  if (const json::value* subjects = o.if_contains("subjects"); subjects && !subjects->is_null()) {
    if (!subjects->is_array()) {
      fail("subjects", "must be an array");
    } else if (subjects->get_array().size() > limits.max_subjects) {
      fail("subjects", "must hold at most " + std::to_string(limits.max_subjects) + " subjects");
    } else {
      const json::array& list = subjects->get_array();
      for (std::size_t i = 0; i < list.size(); ++i) {
        s.subjects.push_back(parse_subject(list[i], "subjects[" + std::to_string(i) + "].", taxonomy, today, limits, errors));
      }
    }
  }
  if (errors.empty()) out.signal = std::move(s);
  return out;
}

Result<Signal> parse_signal(std::string_view body, const policies::Taxonomy& taxonomy, std::chrono::sys_days today,
                            const SignalLimits& limits) {
  auto parsed = parse_signal_all(body, taxonomy, today, limits);
  if (!parsed.errors.empty()) return parsed.errors.front();
  return std::move(*parsed.signal);
}

std::string iso8601_utc(std::int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string iso_date(std::chrono::sys_days day) {
  std::chrono::year_month_day ymd{day};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

boost::json::object summary_to_json(const SignalSummary& s) {
  json::object o;
  o["id"] = s.id;
  o["category"] = s.category;
  o["observedOn"] = s.observed_on;
  if (s.municipality) o["municipality"] = *s.municipality;
  o["severity"] = s.severity;
  if (s.persons) o["persons"] = *s.persons;
  o["status"] = to_sql(s.status);
  o["createdAt"] = iso8601_utc(s.created_at_ms);
  json::array kinds;
  for (const auto& k : s.subject_kinds) kinds.push_back(json::value(k));
  o["subjectKinds"] = std::move(kinds);
  return o;
}

boost::json::object signal_to_json(const Signal& s) {
  json::object o;
  o["id"] = s.id;
  o["category"] = s.category;
  o["observedOn"] = s.observed_on;
  if (s.municipality) o["municipality"] = *s.municipality;
  o["severity"] = s.severity;
  if (s.persons) o["persons"] = *s.persons;
  o["summary"] = s.summary;
  json::array subjects;
  for (const auto& subject : s.subjects) subjects.push_back(subject_to_json(subject));
  o["subjects"] = std::move(subjects);
  o["status"] = to_sql(s.status);
  o["createdAt"] = iso8601_utc(s.created_at_ms);
  o["submittedBy"] = s.submitted_by;
  // Filled by the federation layer once partners exist.
  o["sharing"] = json::array();
  o["feedback"] = json::array();
  return o;
}

std::string sealed_payload(const Signal& s) {
  json::array subjects;
  for (const auto& subject : s.subjects) subjects.push_back(subject_to_json(subject));
  return json::serialize(json::object{{"summary", s.summary}, {"subjects", std::move(subjects)}});
}

bool open_payload(std::string_view payload, Signal& into) {
  boost::system::error_code ec;
  json::value v = json::parse(payload, ec);
  if (ec || !v.is_object()) return false;
  const json::object& o = v.get_object();
  const json::value* summary = o.if_contains("summary");
  const json::value* subjects = o.if_contains("subjects");
  if (!summary || !summary->is_string() || !subjects || !subjects->is_array()) return false;
  into.summary = std::string(summary->get_string());
  into.subjects.clear();
  for (const json::value& sv : subjects->get_array()) {
    if (!sv.is_object()) return false;
    Subject subject;
    for (const auto& kv : sv.get_object()) {
      if (kv.key() == "kind" && kv.value().is_string()) {
        subject.kind = std::string(kv.value().get_string());
      } else if (kv.key() == "role" && kv.value().is_string()) {
        subject.role = std::string(kv.value().get_string());
      } else if (kv.key() == "identifiers" && kv.value().is_array()) {
        for (const json::value& idv : kv.value().get_array()) {
          const json::object* ido = idv.if_object();
          if (!ido) return false;
          auto kind = protocol::id_kind_from_string(ido->at("idKind").as_string());
          if (!kind) return false;
          subject.identifiers.push_back({*kind, std::string(ido->at("canonical").as_string())});
        }
      } else if (kv.value().is_string()) {
        subject.fields.emplace_back(std::string(kv.key()), std::string(kv.value().get_string()));
      }
    }
    into.subjects.push_back(std::move(subject));
  }
  return true;
}

}  // namespace signalnode::node::signals

#include "node/api/idempotency.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "crypto/bytes.hpp"
#include "crypto/sha256.hpp"
#include "node/http/problem.hpp"
#include "node/log/log.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Method, path (with its query) and body: what "the same request" means.
std::string fingerprint_of(const http::HttpRequest& request) {
  crypto::Sha256 h;
  auto field = [&h](std::string_view s) {
    std::string len = std::to_string(s.size()) + ":";
    h.update(crypto::as_bytes(len));
    h.update(crypto::as_bytes(s));
  };
  field(request.method);
  field(request.path);
  field(request.query);
  field(request.body);
  auto digest = h.finish();
  return crypto::to_hex(digest);
}

// The headers a retry needs to see again; never cookies.
bool kept_header(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "location" || lower == "content-location" || lower == "etag";
}

bool kept_status(int status) { return status >= 200 && status < 500 && status != 408 && status != 429; }

http::HttpResponse replay(const storage::IdempotencyRecord& r) {
  if (!r.body_kept) {
    http::HttpResponse p = http::problem(
        409, "idempotency-answer-not-kept", "Al uitgevoerd / Already done",
        "De aanvraag met deze Idempotency-Key is al uitgevoerd (status " + std::to_string(r.status) +
            "), maar het antwoord was te groot om te bewaren; lees het resultaat op / the request with this "
            "Idempotency-Key was done (status " + std::to_string(r.status) +
            "); its answer was too large to keep; read the result instead");
    p.headers.emplace_back("Idempotent-Replayed", "true");
    return p;
  }
  http::HttpResponse out;
  out.status = r.status;
  out.content_type = r.content_type;
  out.body = r.body;
  try {
    auto v = json::parse(r.headers_json);
    for (const auto& [k, val] : v.as_object()) {
      if (val.is_string()) out.headers.emplace_back(std::string(k), std::string(val.as_string()));
    }
  } catch (const std::exception&) {
    // Written by us; a damaged row still replays status and body.
  }
  out.headers.emplace_back("Idempotent-Replayed", "true");
  return out;
}

http::HttpResponse key_reused() {
  return http::problem(422, "idempotency-key-reused", "Idempotency-Key al gebruikt / Idempotency-Key reused",
                       "Deze Idempotency-Key hoort bij een andere aanvraag (methode, pad of inhoud) / header "
                       "Idempotency-Key was sent before with another request (method, path or body); use a new key");
}

http::HttpResponse key_in_flight() {
  http::HttpResponse r = http::problem(
      409, "idempotency-key-in-flight", "Nog bezig / Still in progress",
      "De aanvraag met deze Idempotency-Key wordt nog behandeld; probeer het zo opnieuw / the request with this "
      "Idempotency-Key is still being handled; retry in a moment to get its answer");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

storage::IdempotencyRecord record_of(const storage::IdempotencyRecord& claim, const http::HttpResponse& answer) {
  storage::IdempotencyRecord r = claim;
  r.status = answer.status;
  r.content_type = answer.content_type;
  json::object headers;
  for (const auto& [k, v] : answer.headers) {
    if (kept_header(k)) headers[k] = v;
  }
  r.headers_json = json::serialize(headers);
  r.body_kept = answer.body.size() <= Idempotency::kMaxKeptBody;
  if (r.body_kept) r.body = answer.body;
  return r;
}

}  // namespace

Idempotency::Idempotency(storage::Store& store, std::function<std::int64_t()> now_ms)
    : store_(store), now_ms_(std::move(now_ms)) {}

Idempotency::Begin Idempotency::begin(const http::HttpRequest& request, const std::string& principal) {
  bool sent = false;
  std::string_view key;
  for (const auto& [k, v] : request.headers) {
    if (k != "idempotency-key") continue;
    if (sent) {
      return {http::invalid_field({"Idempotency-Key", "may be sent once"}), nullptr};
    }
    sent = true;
    key = v;
  }
  if (!sent) return {std::nullopt, nullptr};
  if (!valid_key(key)) {
    return {http::invalid_field({"Idempotency-Key", "must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -"}), nullptr};
  }
  std::string fingerprint = fingerprint_of(request);
  std::string map_key = principal + '\n' + std::string(key);
  std::int64_t now = now_ms_();

  // Under the lock from the look in memory through the look in the database
  // to the claim: an answer leaves memory only after its row is committed,
  // so no retry can slip between the two.
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(map_key); it != entries_.end()) {
    if (it->second->fingerprint != fingerprint) return {key_reused(), nullptr};
    if (it->second->done) return {replay(*it->second->done), nullptr};
    return {key_in_flight(), nullptr};
  }
  auto stored = store_.read([&](storage::Database& db) {
    return storage::IdempotencyKeys::find(db, principal, std::string(key), now - storage::IdempotencyKeys::kKeepMs);
  });
  if (stored) {
    if (stored->fingerprint != fingerprint) return {key_reused(), nullptr};
    return {replay(*stored), nullptr};
  }
  auto entry = std::make_shared<Entry>();
  entry->fingerprint = fingerprint;
  entries_.emplace(map_key, entry);
  storage::IdempotencyRecord record;
  record.principal = principal;
  record.key = std::string(key);
  record.fingerprint = std::move(fingerprint);
  record.created_at_ms = now;
  return {std::nullopt, std::make_shared<IdempotencyClaim>(*this, std::move(map_key), std::move(entry), std::move(record))};
}

void Idempotency::release(const std::string& map_key, const std::shared_ptr<Entry>& entry) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(map_key);
  if (it != entries_.end() && it->second == entry) entries_.erase(it);
}

std::int64_t Idempotency::forget_expired() {
  std::int64_t removed = 0;
  std::int64_t cutoff = now_ms_() - storage::IdempotencyKeys::kKeepMs;
  store_.write([&](storage::Database& db) { removed = storage::IdempotencyKeys::forget_before(db, cutoff); });
  return removed;
}

std::size_t Idempotency::in_flight() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

IdempotencyClaim::IdempotencyClaim(Idempotency& owner, std::string map_key, std::shared_ptr<Idempotency::Entry> entry,
                                   storage::IdempotencyRecord record)
    : owner_(owner), map_key_(std::move(map_key)), entry_(std::move(entry)), record_(std::move(record)) {}

IdempotencyClaim::~IdempotencyClaim() {
  if (!finished_.exchange(true)) owner_.release(map_key_, entry_);
}

void IdempotencyClaim::record_in(storage::Database& db, const http::HttpResponse& answer) {
  storage::IdempotencyKeys::put(db, record_of(record_, answer));
  recorded_ = true;
}

void IdempotencyClaim::finish(const http::HttpResponse& answer) {
  if (finished_.exchange(true)) return;
  // Recorded in the route's own transaction, which committed before this
  // answer was made; or an answer a retry should not get again.
  if (recorded_.load() || !kept_status(answer.status)) return owner_.release(map_key_, entry_);
  auto record = record_of(record_, answer);
  {
    // Until its row is committed, retries are answered from memory.
    std::lock_guard lock(owner_.mutex_);
    entry_->done = record;
  }
  try {
    owner_.store_.write_async(
        [record](storage::Database& db) { storage::IdempotencyKeys::put(db, record); },
        [&owner = owner_, map_key = map_key_, entry = entry_](std::exception_ptr error) {
          if (error) log::warn("idempotency.not_kept", {{"reason", "the write failed"}});
          owner.release(map_key, entry);
        });
  } catch (const std::exception& e) {
    log::warn("idempotency.not_kept", {{"reason", e.what()}});
    owner_.release(map_key_, entry_);
  }
}

}  // namespace signalnode::node::api

#include "node/pseudonyms/pa_service.hpp"

#include <boost/json.hpp>

#include <cstring>

#include "crypto/threshold.hpp"
#include "protocol/json_keys.hpp"

namespace signalnode::node::pseudonyms {
namespace json = boost::json;
namespace oprf = crypto::oprf;

namespace {

constexpr std::size_t kHexElement = oprf::kElementBytes * 2;

PaRefusal bad(std::string field, std::string reason) {
  return PaRefusal{PaRefusal::Kind::invalid, {std::move(field), std::move(reason)}, 0};
}

bool decode_element(std::string_view hex, oprf::Element& out) {
  if (hex.size() != kHexElement) return false;
  auto bytes = crypto::from_hex(hex);
  if (!bytes) return false;
  std::memcpy(out.data(), bytes->data(), out.size());
  return true;
}

}  // namespace

PaService::PaService(OprfKeyring keys, PaLimits limits, PaObserver observer, PaAlarmObserver alarms,
                     PaWallClock wall)
    : keys_(std::move(keys)),
      limits_(limits),
      rate_(limits.elements_per_second, limits.burst),
      budget_(limits.budget, limits.partner_budgets),
      observer_(std::move(observer)),
      alarms_(std::move(alarms)),
      wall_(wall ? std::move(wall) : PaWallClock([] { return std::chrono::system_clock::now(); })) {}

PaResult PaService::evaluate(const std::string& caller, std::span<const oprf::Element> blinded,
                             limits::RateLimiter::Clock::time_point now) {
  if (blinded.empty() || blinded.size() > limits_.max_batch) {
    return bad("blindedElements", "must hold 1 to " + std::to_string(limits_.max_batch) + " elements");
  }
  // Charged before validation: invalid batches cost the caller too.
  double wait = rate_.try_take(caller, static_cast<double>(blinded.size()), now);
  if (wait != 0) {
    return PaRefusal{PaRefusal::Kind::rate_limited,
                     {"blindedElements", wait < 0 ? "batch exceeds this partner's burst allowance"
                                                  : "this partner is over its evaluation rate; retry later"},
                     wait < 0 ? 60.0 : wait};
  }
  if (budget_.enabled()) {
    auto decision = budget_.charge(caller, static_cast<std::int64_t>(blinded.size()), wall_());
    if (decision.alarm && alarms_) alarms_(caller, decision.alarm->kind, decision.alarm->used, decision.alarm->budget);
    if (!decision.allowed) {
      return PaRefusal{PaRefusal::Kind::over_budget, {"blindedElements", std::move(decision.reason)},
                       decision.retry_after_seconds};
    }
  }
  PaAnswer answer;
  answer.key_epoch = keys_.current_epoch();
  // Every answer carries a proof over the whole batch (BRIEF 3.8): a share
  // holder proves against its public share, a whole-key PA as share 0
  // against the group key.
  auto eval = crypto::voprf::blind_evaluate(keys_.current(), blinded);
  std::optional<std::size_t> invalid = eval.invalid_index;
  answer.evaluated = std::move(eval.evaluated);
  answer.share_index = share_index();
  answer.proof = eval.proof;
  if (invalid) {
    return bad("blindedElements[" + std::to_string(*invalid) + "]",
               "is not a valid ristretto255 element (non-canonical or identity)");
  }
  if (observer_) observer_(caller, blinded.size(), answer.key_epoch);
  return answer;
}

std::uint16_t PaService::share_index() const {
  return keys_.current_share_index().value_or(crypto::threshold::kWholeKeyIndex);
}

PaResult PaService::evaluate_json(const std::string& caller, std::string_view body,
                                  limits::RateLimiter::Clock::time_point now) {
  // 1000 elements of 64 hex plus quotes and commas fit in 70 KB; refuse more
  // before the parser allocates anything.
  const std::size_t max_body = limits_.max_batch * (kHexElement + 4) + 256;
  if (body.size() > max_body) return bad("body", "is larger than a maximal batch");
  json::parse_options options;
  options.max_depth = 3;
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, json::storage_ptr(), options);
  if (ec || !root.is_object()) return bad("body", "must be a JSON object");
  if (auto dup = protocol::first_duplicate_key(body)) return bad(*dup, "appears more than once in one object (duplicate JSON key)");
  const json::object& o = root.get_object();
  for (const auto& kv : o) {
    if (kv.key() != "blindedElements") return bad(std::string(kv.key()), "is not a known field");
  }
  const json::value* list = o.if_contains("blindedElements");
  if (!list || !list->is_array()) return bad("blindedElements", "must be an array of hex strings");
  const json::array& items = list->get_array();
  if (items.empty() || items.size() > limits_.max_batch) {
    return bad("blindedElements", "must hold 1 to " + std::to_string(limits_.max_batch) + " elements");
  }
  std::vector<oprf::Element> elements(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string() || !decode_element(items[i].get_string(), elements[i])) {
      return bad("blindedElements[" + std::to_string(i) + "]", "must be 64 hex characters (32 bytes)");
    }
  }
  return evaluate(caller, elements, now);
}

std::string pa_answer_json(const PaAnswer& answer) {
  json::array evaluated;
  evaluated.reserve(answer.evaluated.size());
  for (const auto& e : answer.evaluated) evaluated.push_back(json::value(crypto::to_hex(e)));
  json::object o{{"evaluatedElements", std::move(evaluated)}, {"suite", "ristretto255-SHA512"}, {"keyEpoch", answer.key_epoch}};
  if (answer.proof && answer.share_index) {  // always, since BRIEF 3.8
    o["mode"] = "voprf";
    o["proof"] = json::object{{"c", crypto::to_hex(answer.proof->c)}, {"s", crypto::to_hex(answer.proof->s)}};
    o["shareIndex"] = *answer.share_index;
  }
  return json::serialize(o);
}

std::string pa_request_json(std::span<const oprf::Element> blinded) {
  json::array items;
  items.reserve(blinded.size());
  for (const auto& e : blinded) items.push_back(json::value(crypto::to_hex(e)));
  return json::serialize(json::object{{"blindedElements", std::move(items)}});
}

std::optional<PaAnswer> parse_pa_answer(std::string_view body, std::size_t expected) {
  if (body.size() > expected * (kHexElement + 4) + 512) return std::nullopt;
  json::parse_options options;
  options.max_depth = 3;
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, json::storage_ptr(), options);
  if (ec || !root.is_object()) return std::nullopt;
  const json::object& o = root.get_object();
  const json::value* list = o.if_contains("evaluatedElements");
  const json::value* suite = o.if_contains("suite");
  const json::value* epoch = o.if_contains("keyEpoch");
  if (!list || !list->is_array() || list->get_array().size() != expected || !suite || !suite->is_string() ||
      suite->get_string() != "ristretto255-SHA512" || !epoch || !epoch->is_int64() || epoch->get_int64() < 1 ||
      epoch->get_int64() > 1'000'000) {
    return std::nullopt;
  }
  PaAnswer answer;
  answer.key_epoch = static_cast<int>(epoch->get_int64());
  if (const json::value* mode = o.if_contains("mode")) {
    // A share holder's answer: its proof and index, both required and well-formed.
    const json::value* proof = o.if_contains("proof");
    const json::value* index = o.if_contains("shareIndex");
    if (!mode->is_string() || mode->get_string() != "voprf" || !proof || !proof->is_object() || !index ||
        !index->is_int64() || index->get_int64() < 0 || index->get_int64() > 255) {
      return std::nullopt;
    }
    const json::value* c = proof->get_object().if_contains("c");
    const json::value* s = proof->get_object().if_contains("s");
    if (!c || !s || !c->is_string() || !s->is_string() || c->get_string().size() != 64 || s->get_string().size() != 64) {
      return std::nullopt;
    }
    auto c_bytes = crypto::from_hex(c->get_string());
    auto s_bytes = crypto::from_hex(s->get_string());
    if (!c_bytes || !s_bytes) return std::nullopt;
    crypto::Bytes both(c_bytes->begin(), c_bytes->end());
    both.insert(both.end(), s_bytes->begin(), s_bytes->end());
    answer.proof = crypto::voprf::parse_proof(both);
    if (!answer.proof) return std::nullopt;
    answer.share_index = static_cast<std::uint16_t>(index->get_int64());
  }
  answer.evaluated.resize(expected);
  for (std::size_t i = 0; i < expected; ++i) {
    const json::value& item = list->get_array()[i];
    if (!item.is_string() || !decode_element(item.get_string(), answer.evaluated[i]) ||
        !oprf::is_valid_element(answer.evaluated[i])) {
      return std::nullopt;
    }
  }
  return answer;
}

}  // namespace signalnode::node::pseudonyms

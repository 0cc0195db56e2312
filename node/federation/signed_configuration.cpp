#include "node/federation/signed_configuration.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include "policies/taxonomy.hpp"
#include "protocol/jcs.hpp"

namespace signalnode::node::federation {

namespace json = boost::json;
using Kind = ConfigurationRefusal::Kind;

namespace {

constexpr std::string_view kType = "signalnode-federation-configuration";
constexpr std::string_view kSigningContext = "signalnode-federation-configuration-v1\n";

[[noreturn]] void refuse(Kind kind, std::string field, std::string nl, std::string en) {
  throw ConfigurationError(ConfigurationRefusal{kind, std::move(field), std::move(nl), std::move(en)});
}

[[noreturn]] void malformed(const std::string& field, const std::string& nl, const std::string& en) {
  refuse(Kind::malformed, field, field + ": " + nl, field + ": " + en);
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_hex(const json::value* v, const std::string& field) {
  std::array<std::uint8_t, N> out{};
  const json::string* s = v ? v->if_string() : nullptr;
  auto bytes = s && s->size() == 2 * N ? crypto::from_hex(std::string_view(*s)) : std::nullopt;
  if (!bytes || bytes->size() != N) {
    malformed(field, "moet " + std::to_string(2 * N) + " hexadecimale tekens zijn",
              "must be " + std::to_string(2 * N) + " hex characters");
  }
  std::memcpy(out.data(), bytes->data(), N);
  return out;
}

const json::object& object_at(const json::value* v, const std::string& field) {
  if (!v || !v->is_object()) malformed(field, "moet een object zijn", "must be an object");
  return v->get_object();
}

std::string text_at(const json::object& o, std::string_view key, const std::string& field, std::size_t max) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) malformed(field, "ontbreekt of is geen tekst", "is missing or not a string");
  const json::string& s = v->get_string();
  if (s.size() > max) malformed(field, "is te lang", "is too long");
  return std::string(s);
}

std::int64_t whole_at(const json::object& o, std::string_view key, const std::string& field, std::int64_t lo,
                      std::int64_t hi) {
  const json::value* v = o.if_contains(key);
  std::optional<std::int64_t> n;
  if (v && v->is_int64()) n = v->get_int64();
  if (v && v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(hi)) n = static_cast<std::int64_t>(v->get_uint64());
  if (!n || *n < lo || *n > hi) {
    malformed(field, "moet een geheel getal van " + std::to_string(lo) + " tot " + std::to_string(hi) + " zijn",
              "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return *n;
}

void only(const json::object& o, std::initializer_list<std::string_view> keys, const std::string& prefix) {
  for (const auto& kv : o) {
    if (std::find(keys.begin(), keys.end(), std::string_view(kv.key())) == keys.end()) {
      std::string k(kv.key().substr(0, 40));
      malformed(prefix + k, "is geen veld van dit document", "is not a field of this document");
    }
  }
}

bool valid_signer_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

json::object body_object(const SignedConfiguration& d) {
  json::array keys;
  for (const auto& s : d.signers) {
    keys.push_back(json::object{{"name", s.name}, {"publicKey", crypto::to_hex(s.public_key)}});
  }
  json::object o{{"type", kType},
                 {"formatVersion", 1},
                 {"version", d.version},
                 {"effectiveFrom", d.effective_from},
                 {"manifest", d.manifest},
                 {"covenant", d.covenant},
                 {"signers", json::object{{"threshold", d.threshold}, {"keys", std::move(keys)}}}};
  if (d.previous_sha256) {
    o["previousSha256"] = crypto::to_hex(*d.previous_sha256);
  } else {
    o["previousSha256"] = nullptr;
  }
  return o;
}

const ConfigurationSigner* find_signer(const std::vector<ConfigurationSigner>& set, const crypto::PublicKey& key) {
  for (const auto& s : set) {
    if (s.public_key == key) return &s;
  }
  return nullptr;
}

// days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::string_view refusal_code(Kind kind) {
  switch (kind) {
    case Kind::malformed: return "malformed";
    case Kind::invalid_content: return "invalid_content";
    case Kind::bad_signature: return "bad_signature";
    case Kind::unknown_signer: return "unknown_signer";
    case Kind::too_few_signatures: return "too_few_signatures";
    case Kind::not_old_quorum: return "not_old_quorum";
    case Kind::not_newer: return "not_newer";
    case Kind::does_not_chain: return "does_not_chain";
    case Kind::not_this_node: return "not_this_node";
  }
  return "malformed";
}

std::optional<std::int64_t> parse_utc_timestamp(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SSZ, nothing else
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') {
    return std::nullopt;
  }
  auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *y < 2000 || *mo < 1 || *mo > 12 || *d < 1 || *h > 23 || *mi > 59 ||
      *s > 59) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  int month_days = kDays[*mo - 1] + (*mo == 2 && leap ? 1 : 0);
  if (*d > month_days) return std::nullopt;
  std::int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  return ((days * 24 + *h) * 60 + *mi) * 60'000 + static_cast<std::int64_t>(*s) * 1000;
}

std::string format_utc_timestamp(std::int64_t epoch_ms) {
  std::int64_t secs = epoch_ms / 1000 - (epoch_ms % 1000 < 0 ? 1 : 0);
  std::int64_t days = secs / 86400 - (secs % 86400 < 0 ? 1 : 0);
  std::int64_t rem = secs - days * 86400;
  // civil_from_days
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  const auto hms = static_cast<unsigned>(rem);  // 0 .. 86399
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(y), m, d, hms / 3600 % 24,
                hms / 60 % 60, hms % 60);
  return buf;
}

std::string SignedConfiguration::canonical_body() const { return protocol::jcs(body_object(*this)); }

std::string SignedConfiguration::signing_message() const { return std::string(kSigningContext) + canonical_body(); }

crypto::Digest256 SignedConfiguration::sha256() const { return crypto::sha256(crypto::as_bytes(canonical_body())); }

std::string SignedConfiguration::to_json() const {
  json::object o = body_object(*this);
  json::array sigs;
  for (const auto& s : signatures) {
    sigs.push_back(json::object{{"publicKey", crypto::to_hex(s.public_key)}, {"signature", crypto::to_hex(s.signature)}});
  }
  o["signatures"] = std::move(sigs);
  return protocol::jcs(o);
}

bool SignedConfiguration::same_signer_set(const SignedConfiguration& other) const {
  auto keys = [](const SignedConfiguration& d) {
    std::set<crypto::PublicKey> out;
    for (const auto& s : d.signers) out.insert(s.public_key);
    return out;
  };
  return threshold == other.threshold && keys(*this) == keys(other);
}

SignedConfiguration parse_configuration(std::string_view text) {
  if (text.size() > kMaxConfigurationBytes) {
    malformed("document", "is groter dan 4 MiB", "is larger than 4 MiB");
  }
  json::parse_options options;
  options.max_depth = 8;
  std::error_code ec;
  json::value root = json::parse(text, ec, {}, options);
  if (ec) malformed("document", "is geen geldige JSON", "is not valid JSON");
  const json::object& o = object_at(&root, "document");
  only(o, {"type", "formatVersion", "version", "effectiveFrom", "previousSha256", "manifest", "covenant", "signers",
           "signatures"},
       "");
  SignedConfiguration d;
  if (text_at(o, "type", "type", 64) != kType) {
    malformed("type", "moet \"" + std::string(kType) + "\" zijn", "must be \"" + std::string(kType) + "\"");
  }
  whole_at(o, "formatVersion", "formatVersion", 1, 1);
  d.version = whole_at(o, "version", "version", 1, 1'000'000'000);
  d.effective_from = text_at(o, "effectiveFrom", "effectiveFrom", 32);
  auto at = parse_utc_timestamp(d.effective_from);
  if (!at) {
    malformed("effectiveFrom", "moet een tijdstip in UTC zijn, zoals 2026-12-04T00:00:00Z",
              "must be a UTC time such as 2026-12-04T00:00:00Z");
  }
  d.effective_from_ms = *at;
  const json::value* prev = o.if_contains("previousSha256");
  if (!prev) malformed("previousSha256", "ontbreekt (null in een eerste versie)", "is missing (null in a first version)");
  if (!prev->is_null()) d.previous_sha256 = fixed_hex<32>(prev, "previousSha256");
  d.manifest = text_at(o, "manifest", "manifest", kMaxConfigurationBytes);
  d.covenant = text_at(o, "covenant", "covenant", kMaxConfigurationBytes);

  const json::object& signers = object_at(o.if_contains("signers"), "signers");
  only(signers, {"threshold", "keys"}, "signers.");
  const json::value* keys = signers.if_contains("keys");
  if (!keys || !keys->is_array() || keys->get_array().empty() || keys->get_array().size() > kMaxSigners) {
    malformed("signers.keys", "moet 1 tot 64 ondertekenaars noemen", "must name 1 to 64 signers");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < keys->get_array().size(); ++i) {
    std::string field = "signers.keys[" + std::to_string(i) + "]";
    const json::object& k = object_at(&keys->get_array()[i], field);
    only(k, {"name", "publicKey"}, field + ".");
    ConfigurationSigner s;
    s.name = text_at(k, "name", field + ".name", 64);
    if (!valid_signer_name(s.name)) {
      malformed(field + ".name", "moet 1-64 tekens a-z, 0-9 en - zijn", "must be 1-64 of a-z, 0-9 and -");
    }
    s.public_key = fixed_hex<32>(k.if_contains("publicKey"), field + ".publicKey");
    if (!names.insert(s.name).second) malformed(field + ".name", "komt twee keer voor", "appears twice");
    if (find_signer(d.signers, s.public_key)) malformed(field + ".publicKey", "komt twee keer voor", "appears twice");
    d.signers.push_back(std::move(s));
  }
  d.threshold = static_cast<std::size_t>(
      whole_at(signers, "threshold", "signers.threshold", 1, static_cast<std::int64_t>(d.signers.size())));

  const json::value* sigs = o.if_contains("signatures");
  if (sigs) {
    if (!sigs->is_array() || sigs->get_array().size() > 2 * kMaxSigners) {
      malformed("signatures", "moet een lijst van hoogstens 128 handtekeningen zijn", "must be a list of at most 128 signatures");
    }
    for (std::size_t i = 0; i < sigs->get_array().size(); ++i) {
      std::string field = "signatures[" + std::to_string(i) + "]";
      const json::object& s = object_at(&sigs->get_array()[i], field);
      only(s, {"publicKey", "signature"}, field + ".");
      ConfigurationSignature sig;
      sig.public_key = fixed_hex<32>(s.if_contains("publicKey"), field + ".publicKey");
      sig.signature = fixed_hex<64>(s.if_contains("signature"), field + ".signature");
      for (const auto& other : d.signatures) {
        if (other.public_key == sig.public_key) malformed(field + ".publicKey", "tekende al eerder", "signed already");
      }
      d.signatures.push_back(sig);
    }
  }
  return d;
}

void sign_configuration(SignedConfiguration& doc, const crypto::SigningKey& key, const SignedConfiguration* previous) {
  const auto& pk = key.public_key();
  if (!find_signer(doc.signers, pk) && !(previous && find_signer(previous->signers, pk))) {
    refuse(Kind::unknown_signer, "signers",
           "deze sleutel staat niet in de lijst van ondertekenaars van dit document of van de vorige versie",
           "this key is not among the signers of this document or of the previous version");
  }
  std::string message = doc.signing_message();
  ConfigurationSignature sig{pk, key.sign(crypto::as_bytes(message))};
  auto it = std::find_if(doc.signatures.begin(), doc.signatures.end(),
                         [&](const ConfigurationSignature& s) { return s.public_key == pk; });
  if (it != doc.signatures.end()) {
    *it = sig;
  } else {
    doc.signatures.push_back(sig);
  }
}

VerifiedConfiguration verify_configuration(const SignedConfiguration& doc, const SignedConfiguration* previous,
                                           std::string_view self_org) {
  // Order: what needs no cryptography first, then signatures, then content.
  if (previous) {
    if (doc.version <= previous->version) {
      refuse(Kind::not_newer, "version",
             "versie " + std::to_string(doc.version) + " is niet nieuwer dan versie " +
                 std::to_string(previous->version) + " die al geldt: een oudere configuratie wordt niet teruggezet",
             "version " + std::to_string(doc.version) + " is not newer than version " +
                 std::to_string(previous->version) + " already accepted: an older configuration is never put back");
    }
    if (!doc.previous_sha256 || *doc.previous_sha256 != previous->sha256()) {
      refuse(Kind::does_not_chain, "previousSha256",
             "deze versie bouwt niet voort op versie " + std::to_string(previous->version) +
                 " die deze node kent (de verwijzing naar de vorige versie klopt niet)",
             "this version does not follow version " + std::to_string(previous->version) +
                 " that this node holds (previousSha256 does not match)");
    }
    if (doc.effective_from_ms < previous->effective_from_ms) {
      refuse(Kind::malformed, "effectiveFrom", "effectiveFrom: ligt vóór de ingangsdatum van de vorige versie",
             "effectiveFrom: is earlier than the previous version's");
    }
  }
  const std::string message = doc.signing_message();
  std::size_t own = 0, old = 0;
  for (std::size_t i = 0; i < doc.signatures.size(); ++i) {
    const auto& sig = doc.signatures[i];
    std::string field = "signatures[" + std::to_string(i) + "]";
    bool in_own = find_signer(doc.signers, sig.public_key) != nullptr;
    bool in_old = previous && find_signer(previous->signers, sig.public_key) != nullptr;
    if (!in_own && !in_old) {
      refuse(Kind::unknown_signer, field,
             field + ": ondertekend door een sleutel die geen aangewezen ondertekenaar is",
             field + ": signed by a key that is not a designated signer");
    }
    if (!crypto::verify(sig.public_key, crypto::as_bytes(message), sig.signature)) {
      refuse(Kind::bad_signature, field, field + ": de handtekening klopt niet bij dit document",
             field + ": the signature does not fit this document");
    }
    own += in_own;
    old += in_old;
  }
  if (own < doc.threshold) {
    refuse(Kind::too_few_signatures, "signatures",
           "te weinig handtekeningen: " + std::to_string(own) + " van de " + std::to_string(doc.threshold) +
               " die nodig zijn",
           "too few signatures: " + std::to_string(own) + " of the " + std::to_string(doc.threshold) + " required");
  }
  if (previous && old < previous->threshold) {
    refuse(Kind::not_old_quorum, "signatures",
           "niet ondertekend door genoeg ondertekenaars van de geldende versie: " + std::to_string(old) + " van de " +
               std::to_string(previous->threshold) + (doc.same_signer_set(*previous) ? "" : " (de lijst van ondertekenaars wijzigt)"),
           "not signed by enough signers of the version in force: " + std::to_string(old) + " of the " +
               std::to_string(previous->threshold) + (doc.same_signer_set(*previous) ? "" : " (the signer set changes)"));
  }
  try {
    Manifest manifest = parse_manifest(doc.manifest, "manifest");
    if (!self_org.empty() && !manifest.find(self_org)) {
      refuse(Kind::not_this_node, "manifest", "manifest: deze node staat er niet in",
             "manifest: does not list this node (" + std::string(self_org) + ")");
    }
    std::vector<policies::Party> parties;
    for (const auto& p : manifest.partners) parties.push_back(party_of(p));
    policies::Policy covenant = policies::Policy::parse(doc.covenant, "covenant", policies::Taxonomy::builtin(), parties);
    return {std::move(manifest), std::move(covenant)};
  } catch (const ConfigurationError&) {
    throw;
  } catch (const std::exception& e) {
    // The validators name line, column and field; their words are English.
    std::string what = e.what();
    if (what.size() > 400) what = what.substr(0, 400);
    refuse(Kind::invalid_content, what.rfind("manifest", 0) == 0 ? "manifest" : "covenant",
           "het manifest of het convenant in het document is ongeldig: " + what,
           "the manifest or covenant inside is invalid: " + what);
  }
}

}  // namespace signalnode::node::federation

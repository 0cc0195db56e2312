#include "node/config/node_config.hpp"

#include "policies/policy.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace signalnode::node::config {
namespace json = boost::json;

bool is_valid_org(std::string_view org) {
  return org.size() >= 2 && org.size() <= 64 && std::all_of(org.begin(), org.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

bool is_valid_node_role(std::string_view role) {
  return policies::is_partner_role(role) || role == "pseudonymisation_authority";
}

bool is_valid_oin(std::string_view oin) {
  return oin.size() == 20 && std::all_of(oin.begin(), oin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

namespace {

[[noreturn]] void bad(const NodePaths& paths, const std::string& field, const std::string& why) {
  throw std::runtime_error(paths.config().string() + ": " + field + " " + why);
}

std::string need_string(const json::object& o, std::string_view key, const NodePaths& paths,
                        const std::string& prefix = "") {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) bad(paths, prefix + std::string(key), "must be a string");
  return std::string(v->get_string());
}

ContactConfig load_contact(const json::value& v, const NodePaths& paths) {
  if (!v.is_object()) bad(paths, "contact", "must be an object {name, email, url}");
  const json::object& o = v.get_object();
  for (const auto& [key, _] : o) {
    if (key != "name" && key != "email" && key != "url") bad(paths, "contact." + std::string(key), "is not a known field");
  }
  ContactConfig c{need_string(o, "name", paths, "contact."), need_string(o, "email", paths, "contact."),
                  need_string(o, "url", paths, "contact.")};
  const auto printable = [](const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char ch) { return ch >= 0x20 && ch != 0x7f; });
  };
  if (c.name.empty() || c.name.size() > 200 || !printable(c.name)) bad(paths, "contact.name", "must be 1 to 200 characters");
  const auto at = c.email.find('@');
  if (c.email.size() > 254 || at == std::string::npos || at == 0 || at + 1 == c.email.size() ||
      c.email.find('@', at + 1) != std::string::npos || c.email.find_first_of(" \t\r\n<>\"") != std::string::npos) {
    bad(paths, "contact.email", "must be an e-mail address");
  }
  if (!c.url.starts_with("https://") || c.url.size() <= 8 || c.url.size() > 200 || !printable(c.url) ||
      c.url.find(' ') != std::string::npos) {
    bad(paths, "contact.url", "must be an https:// address of at most 200 characters");
  }
  return c;
}

std::int64_t optional_int(const json::object& o, std::string_view key, std::int64_t fallback, std::int64_t lo,
                          std::int64_t hi, const NodePaths& paths, const std::string& prefix) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_int64() || v->get_int64() < lo || v->get_int64() > hi) {
    bad(paths, prefix + std::string(key), "must be a whole number from " + std::to_string(lo) + " to " +
                                              std::to_string(hi));
  }
  return v->get_int64();
}

bool optional_bool(const json::object& o, std::string_view key, bool fallback, const NodePaths& paths,
                   const std::string& prefix) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_bool()) bad(paths, prefix + std::string(key), "must be true or false");
  return v->get_bool();
}

// Text that ends up in a mail header or a URL: printable ASCII, no spaces.
bool plain_ascii(std::string_view s, std::size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
}

// A team inside the organisation: 2..64 of [a-z0-9-] (it becomes org/team).
bool valid_team_name(std::string_view t) {
  return t.size() >= 2 && t.size() <= 64 &&
         std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::vector<std::string> string_list(const json::object& o, std::string_view key, std::vector<std::string> fallback,
                                     std::size_t max_items, const NodePaths& paths, const std::string& prefix) {
  const json::value* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_array() || v->get_array().empty() || v->get_array().size() > max_items) {
    bad(paths, prefix + std::string(key), "must be a list of 1 to " + std::to_string(max_items) + " texts");
  }
  std::vector<std::string> out;
  for (const auto& item : v->get_array()) {
    if (!item.is_string() || !plain_ascii(item.get_string(), 200)) {
      bad(paths, prefix + std::string(key), "must hold texts of printable characters without spaces");
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

// Issue 21: sign-in through the organisation's identity provider.
void load_oidc(const json::value& v, OidcConfig& c, const NodePaths& paths) {
  const std::string p = "auth.oidc.";
  if (!v.is_object()) bad(paths, "auth.oidc", "must be an object");
  const json::object& o = v.get_object();
  static constexpr std::string_view kKnown[] = {"issuer", "clientId", "clientSecretFile", "redirectUri",
                                                "postLogoutRedirectUri", "scopes", "groupsClaim", "mappings",
                                                "algorithms", "caFile", "connectTimeoutSeconds", "timeoutSeconds"};
  for (const auto& kv : o) {
    if (std::find(std::begin(kKnown), std::end(kKnown), std::string_view(kv.key())) == std::end(kKnown)) {
      bad(paths, p + std::string(kv.key()), "is not a known setting");
    }
  }
  c.issuer = need_string(o, "issuer", paths, p);
  if (!plain_ascii(c.issuer, 300) || !c.issuer.starts_with("https://")) {
    bad(paths, p + "issuer", "must be the provider's https:// address, exactly as it names itself");
  }
  c.client_id = need_string(o, "clientId", paths, p);
  if (!plain_ascii(c.client_id, 200)) bad(paths, p + "clientId", "must be 1 to 200 printable characters");
  c.client_secret_file = need_string(o, "clientSecretFile", paths, p);
  c.redirect_uri = need_string(o, "redirectUri", paths, p);
  if (!plain_ascii(c.redirect_uri, 300) || !c.redirect_uri.starts_with("https://") ||
      !c.redirect_uri.ends_with("/api/v1/session/oidc/callback")) {
    bad(paths, p + "redirectUri", "must be https://<this node>/api/v1/session/oidc/callback");
  }
  if (o.contains("postLogoutRedirectUri")) {
    c.post_logout_redirect_uri = need_string(o, "postLogoutRedirectUri", paths, p);
    if (!plain_ascii(c.post_logout_redirect_uri, 300) || !c.post_logout_redirect_uri.starts_with("https://")) {
      bad(paths, p + "postLogoutRedirectUri", "must be an https:// address");
    }
  }
  c.scopes = string_list(o, "scopes", c.scopes, 16, paths, p);
  if (std::find(c.scopes.begin(), c.scopes.end(), "openid") == c.scopes.end()) bad(paths, p + "scopes", "must include openid");
  if (o.contains("groupsClaim")) {
    c.groups_claim = need_string(o, "groupsClaim", paths, p);
    if (!plain_ascii(c.groups_claim, 100)) bad(paths, p + "groupsClaim", "must be a claim name");
  }
  c.algorithms = string_list(o, "algorithms", c.algorithms, 3, paths, p);
  for (const auto& a : c.algorithms) {
    if (a != "RS256" && a != "PS256" && a != "ES256") {
      bad(paths, p + "algorithms", "may hold only RS256, PS256 and ES256 (never none or HS256: see docs/authentication.md)");
    }
  }
  if (o.contains("caFile")) c.ca_file = need_string(o, "caFile", paths, p);
  c.connect_timeout_seconds = static_cast<int>(optional_int(o, "connectTimeoutSeconds", c.connect_timeout_seconds, 1, 30, paths, p));
  c.timeout_seconds = static_cast<int>(optional_int(o, "timeoutSeconds", c.timeout_seconds, 1, 60, paths, p));
  const json::value* m = o.if_contains("mappings");
  if (!m || !m->is_array() || m->get_array().empty() || m->get_array().size() > 64) {
    bad(paths, p + "mappings", "must be a list of 1 to 64 lines {\"group\" (or \"claim\" and \"value\"), \"role\", \"team\"}");
  }
  for (const auto& line : m->get_array()) {
    if (!line.is_object()) bad(paths, p + "mappings", "must hold objects");
    const json::object& lo = line.get_object();
    OidcMappingConfig mc;
    if (lo.contains("group")) {
      mc.claim = c.groups_claim;
      mc.value = need_string(lo, "group", paths, p + "mappings[].");
    } else {
      mc.claim = need_string(lo, "claim", paths, p + "mappings[].");
      mc.value = need_string(lo, "value", paths, p + "mappings[].");
    }
    if (mc.value.empty() || mc.value.size() > 200) bad(paths, p + "mappings[].group", "must be 1 to 200 characters");
    mc.role = need_string(lo, "role", paths, p + "mappings[].");
    if (mc.role != "officer" && mc.role != "analyst" && mc.role != "privacy_officer" && mc.role != "admin") {
      bad(paths, p + "mappings[].role", "must be officer, analyst, privacy_officer or admin");
    }
    if (lo.contains("team")) {
      mc.team = need_string(lo, "team", paths, p + "mappings[].");
      if (!valid_team_name(mc.team)) bad(paths, p + "mappings[].team", "must be 2 to 64 characters of a-z, 0-9 and -");
    }
    c.mappings.push_back(std::move(mc));
  }
}

// Issue 21: second factors and step-up.
void load_auth(const json::value& v, AuthConfig& a, const NodePaths& paths) {
  if (!v.is_object()) bad(paths, "auth", "must be an object");
  const json::object& o = v.get_object();
  const std::string p = "auth.";
  a.second_factor_for_all = optional_bool(o, "secondFactorForAll", a.second_factor_for_all, paths, p);
  a.step_up_seconds = static_cast<int>(optional_int(o, "stepUpSeconds", a.step_up_seconds, 10, 3600, paths, p));
  if (const json::value* oidc = o.if_contains("oidc")) {
    a.oidc.emplace();
    load_oidc(*oidc, *a.oidc, paths);
  }
  if (const json::value* w = o.if_contains("webauthn")) {
    if (!w->is_object()) bad(paths, p + "webauthn", "must be an object");
    const json::object& wo = w->get_object();
    if (wo.contains("rpId")) {
      a.webauthn_rp_id = need_string(wo, "rpId", paths, p + "webauthn.");
      const bool ok = plain_ascii(a.webauthn_rp_id, 253) &&
                      a.webauthn_rp_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") == std::string::npos &&
                      a.webauthn_rp_id.find_first_not_of("0123456789.") != std::string::npos;
      if (!ok) bad(paths, p + "webauthn.rpId", "must be a lower-case domain name (not an IP address or URL)");
    }
    if (const json::value* origins = wo.if_contains("origins")) {
      if (!origins->is_array() || origins->get_array().size() > 16) bad(paths, p + "webauthn.origins", "must be a list of at most 16 https:// origins");
      a.webauthn_origins.clear();
      for (const auto& origin : origins->get_array()) {
        if (!origin.is_string() || !plain_ascii(origin.get_string(), 300) || !origin.get_string().starts_with("https://") ||
            origin.get_string().ends_with("/")) {
          bad(paths, p + "webauthn.origins", "must hold https:// origins without a path, e.g. https://signalnode.example.nl");
        }
        a.webauthn_origins.emplace_back(origin.get_string());
      }
    }
  }
}

void load_notifications(const json::value& v, NotificationsConfig& n, const NodePaths& paths) {
  if (!v.is_object()) bad(paths, "notifications", "must be an object");
  const json::object& o = v.get_object();
  const std::string p = "notifications.";
  if (o.contains("link")) {
    n.link = need_string(o, "link", paths, p);
    if (!plain_ascii(n.link, 300) || !(n.link.starts_with("https://") || n.link.starts_with("http://"))) {
      bad(paths, p + "link", "must be an https:// address of at most 300 characters");
    }
  }
  if (o.contains("defaultMode")) {
    n.default_mode = need_string(o, "defaultMode", paths, p);
    if (n.default_mode != "immediate" && n.default_mode != "digest" && n.default_mode != "off") {
      bad(paths, p + "defaultMode", "must be immediate, digest or off");
    }
  }
  n.digest_hour = static_cast<int>(optional_int(o, "digestHour", n.digest_hour, 0, 23, paths, p));
  n.gather_seconds = static_cast<int>(optional_int(o, "gatherSeconds", n.gather_seconds, 0, 3600, paths, p));
  n.outbox_backlog_minutes =
      static_cast<int>(optional_int(o, "outboxBacklogMinutes", n.outbox_backlog_minutes, 1, 100000, paths, p));
  if (const json::value* s = o.if_contains("smtp")) {
    if (!s->is_object()) bad(paths, p + "smtp", "must be an object");
    const json::object& so = s->get_object();
    const std::string sp = p + "smtp.";
    SmtpConfig smtp;
    smtp.host = need_string(so, "host", paths, sp);
    if (!plain_ascii(smtp.host, 253)) bad(paths, sp + "host", "must be a host name or address");
    smtp.port = static_cast<std::uint16_t>(optional_int(so, "port", smtp.port, 1, 65535, paths, sp));
    smtp.starttls = optional_bool(so, "starttls", true, paths, sp);
    if (so.contains("username")) smtp.username = need_string(so, "username", paths, sp);
    if (so.contains("passwordFile")) smtp.password_file = need_string(so, "passwordFile", paths, sp);
    if (!smtp.username.empty() && smtp.password_file.empty()) bad(paths, sp + "passwordFile", "is needed with a username");
    smtp.from = need_string(so, "from", paths, sp);
    if (!plain_ascii(smtp.from, 254) || smtp.from.find('@') == std::string::npos) {
      bad(paths, sp + "from", "must be one e-mail address");
    }
    if (so.contains("caFile")) smtp.ca_file = need_string(so, "caFile", paths, sp);
    n.smtp = std::move(smtp);
  }
  if (const json::value* hooks = o.if_contains("webhooks")) {
    if (!hooks->is_array() || hooks->get_array().size() > 16) bad(paths, p + "webhooks", "must be a list of at most 16");
    for (const auto& h : hooks->get_array()) {
      const std::string hp = p + "webhooks[" + std::to_string(n.webhooks.size()) + "].";
      if (!h.is_object()) bad(paths, hp, "must be an object");
      const json::object& ho = h.get_object();
      WebhookConfig w;
      w.name = need_string(ho, "name", paths, hp);
      if (!is_valid_org(w.name)) bad(paths, hp + "name", "must be 2-64 of a-z, 0-9 and -");
      for (const auto& other : n.webhooks) {
        if (other.name == w.name) bad(paths, hp + "name", "'" + w.name + "' is the name of another webhook");
      }
      w.url = need_string(ho, "url", paths, hp);
      if (!plain_ascii(w.url, 500) || !(w.url.starts_with("https://") || w.url.starts_with("http://"))) {
        bad(paths, hp + "url", "must be an https:// address");
      }
      w.secret_file = need_string(ho, "secretFile", paths, hp);
      if (ho.contains("caFile")) w.ca_file = need_string(ho, "caFile", paths, hp);
      if (const json::value* t = ho.if_contains("topics")) {
        if (!t->is_array()) bad(paths, hp + "topics", "must be a list of topics");
        for (const auto& x : t->get_array()) {
          if (!x.is_string()) bad(paths, hp + "topics", "must be a list of topics");
          w.topics.emplace_back(x.get_string());
        }
      }
      n.webhooks.push_back(std::move(w));
    }
  }
}

}  // namespace

NodeConfig load_config(const NodePaths& paths) {
  std::ifstream in(paths.config());
  if (!in) throw std::runtime_error("cannot read " + paths.config().string() + " (is this a node folder? see `signalnode init`)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  json::value root = json::parse(buffer.str(), ec);
  if (ec || !root.is_object()) bad(paths, "file", "is not a JSON object (" + ec.message() + ")");
  const json::object& o = root.get_object();

  NodeConfig c;
  c.org = need_string(o, "org", paths);
  if (!is_valid_org(c.org)) bad(paths, "org", "must be 2-64 of a-z, 0-9 and -");
  c.role = need_string(o, "role", paths);
  if (!is_valid_node_role(c.role)) bad(paths, "role", kNodeRoleHint);
  c.oin = need_string(o, "oin", paths);
  if (!is_valid_oin(c.oin)) bad(paths, "oin", "must be 20 digits");
  if (const json::value* m = o.if_contains("municipality"); m && !m->is_null()) {
    const json::string* code = m->if_string();
    const bool valid = code && code->size() == 6 && code->starts_with("GM") &&
                       std::all_of(code->begin() + 2, code->end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!valid) bad(paths, "municipality", "must be a CBS municipality code: GM and 4 digits");
    c.municipality = std::string(*code);
  }

  if (const json::value* pa = o.if_contains("pseudonymisationAuthority")) {
    if (!pa->is_bool()) bad(paths, "pseudonymisationAuthority", "must be true or false");
    c.pseudonymisation_authority = pa->get_bool();
  }
  // A PA node only evaluates: it has the role that no covenant rule may name.
  if (c.pseudonymisation_authority != (c.role == "pseudonymisation_authority")) {
    bad(paths, "pseudonymisationAuthority",
        "must be true exactly when role is pseudonymisation_authority (a PA receives no records)");
  }
  if (const json::value* pa = o.if_contains("pa")) {
    if (!pa->is_object()) bad(paths, "pa", "must be an object");
    const json::object& p = pa->get_object();
    c.pa.elements_per_second = static_cast<double>(optional_int(p, "ratePerSecond", 5000, 1, 10'000'000, paths, "pa."));
    c.pa.burst = static_cast<double>(optional_int(p, "burst", 20000, 1000, 100'000'000, paths, "pa."));
    // At least one batch of the wire's largest size (1,000 elements) must fit either budget.
    c.pa.elements_per_minute =
        optional_int(p, "elementsPerMinute", c.pa.elements_per_minute, 1000, 100'000'000, paths, "pa.");
    c.pa.elements_per_day =
        optional_int(p, "elementsPerDay", c.pa.elements_per_day, 1000, 100'000'000'000, paths, "pa.");
    if (c.pa.elements_per_day < c.pa.elements_per_minute) {
      bad(paths, "pa.elementsPerDay", "must be at least pa.elementsPerMinute (" +
                                          std::to_string(c.pa.elements_per_minute) + ")");
    }
    if (const json::value* partners = p.if_contains("partners")) {
      if (!partners->is_object() || partners->get_object().size() > 1000) {
        bad(paths, "pa.partners", "must be an object of at most 1000 partners");
      }
      for (const auto& entry : partners->get_object()) {
        const std::string org(entry.key());
        const std::string prefix = "pa.partners." + org + ".";
        if (!is_valid_org(org)) bad(paths, "pa.partners", "'" + org + "' is not an organisation id (2-64 of a-z, 0-9 and -)");
        if (!entry.value().is_object()) bad(paths, prefix.substr(0, prefix.size() - 1), "must be an object");
        const json::object& b = entry.value().get_object();
        PaConfig::PartnerBudget own;
        own.elements_per_minute = optional_int(b, "elementsPerMinute", c.pa.elements_per_minute, 1000, 100'000'000, paths, prefix);
        own.elements_per_day = optional_int(b, "elementsPerDay", c.pa.elements_per_day, 1000, 100'000'000'000, paths, prefix);
        if (own.elements_per_day < own.elements_per_minute) bad(paths, prefix + "elementsPerDay", "must be at least its elementsPerMinute");
        c.pa.partners[org] = {own.elements_per_minute, own.elements_per_day};
      }
    }
  }
  if (const json::value* fed = o.if_contains("federation")) {
    if (!fed->is_object()) bad(paths, "federation", "must be an object");
    const json::object& f = fed->get_object();
    c.federation.enabled = true;
    if (f.contains("listen")) c.federation.listen = need_string(f, "listen", paths, "federation.");
    c.federation.port = static_cast<std::uint16_t>(optional_int(f, "port", c.federation.port, 0, 65535, paths, "federation."));
    if (f.contains("tlsCert")) c.federation.tls_cert = need_string(f, "tlsCert", paths, "federation.");
    if (f.contains("tlsKey")) c.federation.tls_key = need_string(f, "tlsKey", paths, "federation.");
    if (f.contains("caCert")) c.federation.ca_cert = need_string(f, "caCert", paths, "federation.");
    if (f.contains("manifest")) c.federation.manifest = need_string(f, "manifest", paths, "federation.");
    if (f.contains("policy")) c.federation.policy = need_string(f, "policy", paths, "federation.");
    c.federation.request_timeout_seconds = static_cast<int>(
        optional_int(f, "requestTimeoutSeconds", c.federation.request_timeout_seconds, 1, 600, paths, "federation."));
    c.federation.max_connections = static_cast<std::size_t>(optional_int(
        f, "maxConnections", static_cast<std::int64_t>(c.federation.max_connections), 1, 100000, paths, "federation."));
    c.federation.max_connections_per_address = static_cast<std::size_t>(
        optional_int(f, "maxConnectionsPerAddress", static_cast<std::int64_t>(c.federation.max_connections_per_address),
                     1, 100000, paths, "federation."));
    c.federation.receive_bytes_per_minute = optional_int(f, "receiveBytesPerMinute", c.federation.receive_bytes_per_minute,
                                                         1024, 1LL << 40, paths, "federation.");
    c.federation.receive_batches_per_minute = optional_int(
        f, "receiveBatchesPerMinute", c.federation.receive_batches_per_minute, 1, 1'000'000, paths, "federation.");
    // At least one batch of the wire's largest size (1,000 records) must fit.
    c.federation.receive_records_per_minute = optional_int(
        f, "receiveRecordsPerMinute", c.federation.receive_records_per_minute, 1000, 100'000'000, paths, "federation.");
    c.federation.max_unauthenticated_connections = static_cast<std::size_t>(
        optional_int(f, "maxUnauthenticatedConnections",
                     static_cast<std::int64_t>(c.federation.max_unauthenticated_connections), 1, 100000, paths,
                     "federation."));
  }
  if (const json::value* audit = o.if_contains("audit")) {
    if (!audit->is_object()) bad(paths, "audit", "must be an object");
    c.audit_retention_days = static_cast<int>(
        optional_int(audit->get_object(), "retentionDays", c.audit_retention_days, 1, 36500, paths, "audit."));
  }
  if (const json::value* signals = o.if_contains("signals")) {
    if (!signals->is_object()) bad(paths, "signals", "must be an object");
    c.signal_retention_days = static_cast<int>(
        optional_int(signals->get_object(), "retentionDays", c.signal_retention_days, 1, 36500, paths, "signals."));
  }
  if (const json::value* alerts = o.if_contains("alerts")) {
    if (!alerts->is_object()) bad(paths, "alerts", "must be an object");
    c.alert_min_organisations = static_cast<int>(
        optional_int(alerts->get_object(), "minOrganisations", c.alert_min_organisations, 2, 100, paths, "alerts."));
    c.alert_window_days = static_cast<int>(
        optional_int(alerts->get_object(), "windowDays", c.alert_window_days, 1, 3650, paths, "alerts."));
  }
  if (const json::value* lookups = o.if_contains("lookups")) {
    if (!lookups->is_object()) bad(paths, "lookups", "must be an object");
    c.lookups_per_user_per_day = static_cast<int>(
        optional_int(lookups->get_object(), "perUserPerDay", c.lookups_per_user_per_day, 0, 10000, paths, "lookups."));
  }
  if (const json::value* n = o.if_contains("contact")) c.contact = load_contact(*n, paths);
  if (const json::value* n = o.if_contains("notifications")) load_notifications(*n, c.notifications, paths);
  if (const json::value* a = o.if_contains("auth")) load_auth(*a, c.auth, paths);
  if (const json::value* api = o.if_contains("api")) {
    if (!api->is_object()) bad(paths, "api", "must be an object");
    const json::object& a = api->get_object();
    if (a.contains("listen")) c.api.listen = need_string(a, "listen", paths, "api.");
    c.api.port = static_cast<std::uint16_t>(optional_int(a, "port", c.api.port, 0, 65535, paths, "api."));
    c.api.threads = static_cast<int>(optional_int(a, "threads", c.api.threads, 1, 64, paths, "api."));
    c.api.max_connections = static_cast<std::size_t>(
        optional_int(a, "maxConnections", static_cast<std::int64_t>(c.api.max_connections), 1, 100000, paths, "api."));
    c.api.max_connections_per_address = static_cast<std::size_t>(
        optional_int(a, "maxConnectionsPerAddress", static_cast<std::int64_t>(c.api.max_connections_per_address), 1,
                     100000, paths, "api."));
    c.api.header_timeout_seconds =
        static_cast<int>(optional_int(a, "headerTimeoutSeconds", c.api.header_timeout_seconds, 1, 300, paths, "api."));
    c.api.idle_timeout_seconds =
        static_cast<int>(optional_int(a, "idleTimeoutSeconds", c.api.idle_timeout_seconds, 1, 3600, paths, "api."));
    c.api.shutdown_grace_seconds = static_cast<int>(
        optional_int(a, "shutdownGraceSeconds", c.api.shutdown_grace_seconds, 0, 300, paths, "api."));
    c.api.login_attempts_per_minute = static_cast<int>(
        optional_int(a, "loginAttemptsPerMinute", c.api.login_attempts_per_minute, 1, 100000, paths, "api."));
    c.api.login_failures_per_address = static_cast<int>(
        optional_int(a, "loginFailuresPerAddress", c.api.login_failures_per_address, 0, 100000, paths, "api."));
  }
  return c;
}

std::string config_to_json(const NodeConfig& c) {
  json::object api{{"listen", c.api.listen},
                   {"port", c.api.port},
                   {"threads", c.api.threads},
                   {"maxConnections", c.api.max_connections},
                   {"maxConnectionsPerAddress", c.api.max_connections_per_address},
                   {"headerTimeoutSeconds", c.api.header_timeout_seconds},
                   {"idleTimeoutSeconds", c.api.idle_timeout_seconds},
                   {"shutdownGraceSeconds", c.api.shutdown_grace_seconds},
                   {"loginAttemptsPerMinute", c.api.login_attempts_per_minute},
                   {"loginFailuresPerAddress", c.api.login_failures_per_address}};
  json::object root{{"org", c.org},
                    {"role", c.role},
                    {"oin", c.oin},
                    {"pseudonymisationAuthority", c.pseudonymisation_authority},
                    {"api", std::move(api)},
                    {"audit", json::object{{"retentionDays", c.audit_retention_days}}},
                    {"signals", json::object{{"retentionDays", c.signal_retention_days}}},
                    {"alerts", json::object{{"minOrganisations", c.alert_min_organisations},
                                            {"windowDays", c.alert_window_days}}},
                    {"lookups", json::object{{"perUserPerDay", c.lookups_per_user_per_day}}}};
  if (c.municipality) root["municipality"] = *c.municipality;
  if (c.contact) root["contact"] = json::object{{"name", c.contact->name}, {"email", c.contact->email}, {"url", c.contact->url}};
  {
    json::array origins;
    for (const auto& origin : c.auth.webauthn_origins) origins.emplace_back(origin);
    json::object webauthn{{"rpId", c.auth.webauthn_rp_id}};
    if (!origins.empty()) webauthn["origins"] = std::move(origins);
    root["auth"] = json::object{{"secondFactorForAll", c.auth.second_factor_for_all},
                                {"stepUpSeconds", c.auth.step_up_seconds},
                                {"webauthn", std::move(webauthn)}};
    if (const auto& oidc = c.auth.oidc) {
      auto list = [](const std::vector<std::string>& items) {
        json::array a;
        for (const auto& i : items) a.emplace_back(i);
        return a;
      };
      json::array mappings;
      for (const auto& m : oidc->mappings) {
        json::object line{{"claim", m.claim}, {"value", m.value}, {"role", m.role}};
        if (!m.team.empty()) line["team"] = m.team;
        mappings.emplace_back(std::move(line));
      }
      json::object o{{"issuer", oidc->issuer},
                     {"clientId", oidc->client_id},
                     {"clientSecretFile", oidc->client_secret_file},
                     {"redirectUri", oidc->redirect_uri},
                     {"scopes", list(oidc->scopes)},
                     {"groupsClaim", oidc->groups_claim},
                     {"mappings", std::move(mappings)},
                     {"algorithms", list(oidc->algorithms)},
                     {"connectTimeoutSeconds", oidc->connect_timeout_seconds},
                     {"timeoutSeconds", oidc->timeout_seconds}};
      if (!oidc->post_logout_redirect_uri.empty()) o["postLogoutRedirectUri"] = oidc->post_logout_redirect_uri;
      if (!oidc->ca_file.empty()) o["caFile"] = oidc->ca_file;
      root["auth"].as_object()["oidc"] = std::move(o);
    }
  }
  if (c.federation.enabled) {
    root["federation"] = json::object{{"listen", c.federation.listen},
                                      {"port", c.federation.port},
                                      {"tlsCert", c.federation.tls_cert},
                                      {"tlsKey", c.federation.tls_key},
                                      {"caCert", c.federation.ca_cert},
                                      {"manifest", c.federation.manifest},
                                      {"policy", c.federation.policy},
                                      {"requestTimeoutSeconds", c.federation.request_timeout_seconds},
                                      {"maxConnections", c.federation.max_connections},
                                      {"maxConnectionsPerAddress", c.federation.max_connections_per_address},
                                      {"maxUnauthenticatedConnections", c.federation.max_unauthenticated_connections},
                                      {"receiveBytesPerMinute", c.federation.receive_bytes_per_minute},
                                      {"receiveBatchesPerMinute", c.federation.receive_batches_per_minute},
                                      {"receiveRecordsPerMinute", c.federation.receive_records_per_minute}};
  }
  {
    const auto& n = c.notifications;
    json::object notifications{{"defaultMode", n.default_mode},
                               {"digestHour", n.digest_hour},
                               {"gatherSeconds", n.gather_seconds},
                               {"outboxBacklogMinutes", n.outbox_backlog_minutes}};
    if (!n.link.empty()) notifications["link"] = n.link;
    if (n.smtp) {
      json::object smtp{{"host", n.smtp->host}, {"port", n.smtp->port}, {"starttls", n.smtp->starttls}, {"from", n.smtp->from}};
      if (!n.smtp->username.empty()) smtp["username"] = n.smtp->username;
      if (!n.smtp->password_file.empty()) smtp["passwordFile"] = n.smtp->password_file;
      if (!n.smtp->ca_file.empty()) smtp["caFile"] = n.smtp->ca_file;
      notifications["smtp"] = std::move(smtp);
    }
    if (!n.webhooks.empty()) {
      json::array hooks;
      for (const auto& w : n.webhooks) {
        json::object h{{"name", w.name}, {"url", w.url}, {"secretFile", w.secret_file}};
        if (!w.ca_file.empty()) h["caFile"] = w.ca_file;
        if (!w.topics.empty()) {
          json::array t;
          for (const auto& x : w.topics) t.emplace_back(x);
          h["topics"] = std::move(t);
        }
        hooks.push_back(std::move(h));
      }
      notifications["webhooks"] = std::move(hooks);
    }
    root["notifications"] = std::move(notifications);
  }
  if (c.pseudonymisation_authority) {
    root["pa"] = json::object{{"ratePerSecond", static_cast<std::int64_t>(c.pa.elements_per_second)},
                              {"burst", static_cast<std::int64_t>(c.pa.burst)},
                              {"elementsPerMinute", c.pa.elements_per_minute},
                              {"elementsPerDay", c.pa.elements_per_day}};
    if (!c.pa.partners.empty()) {
      json::object partners;
      for (const auto& [org, b] : c.pa.partners) {
        partners[org] = json::object{{"elementsPerMinute", b.elements_per_minute}, {"elementsPerDay", b.elements_per_day}};
      }
      root["pa"].as_object()["partners"] = std::move(partners);
    }
  }
  return json::serialize(root) + "\n";
}

}  // namespace signalnode::node::config

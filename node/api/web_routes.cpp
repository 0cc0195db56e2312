// The web interface (issue 8): its static files, compiled into the binary,
// and the few routes only it needs: the officer's preview of what each
// partner would receive and the check of one subject as it is typed (the
// server's own canonical rules), the log's verification status, statistics
// for the charts, the CSV report and the policy in readable form.
#include <boost/json.hpp>

#include <sstream>

#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/audit_reader.hpp"
#include "node/audit/audit_report.hpp"
#include "node/federation/manifest.hpp"
#include "node/sharing/explain.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/json_keys.hpp"

namespace signalnode::embedded {
std::string_view web_index_html();
std::string_view web_app_js();
std::string_view web_app_css();
}

namespace signalnode::node::api {
namespace json = boost::json;

namespace {

void add_static(Router& router, const std::string& path, std::string_view (*content)(), const char* type) {
  router.add("GET", path, Access::open(), [content, type](RouteContext, Respond respond) {
    HttpResponse r{200, type, std::string(content()), {}};
    r.headers.emplace_back("Cache-Control", "no-cache");
    respond(std::move(r));
  });
}

// POST /api/v1/signals/preview: the signal as it would be submitted.
void preview(ApiServices& s, RouteContext ctx, Respond respond) {
  auto parsed = signals::parse_signal_all(ctx.request.body, s.taxonomy, local_today(s.clock()));
  if (!parsed.signal) return respond(invalid_fields(parsed.errors));
  auto policy = s.policy ? s.policy() : nullptr;
  auto manifest = s.manifest ? s.manifest() : nullptr;
  if (!policy || !manifest) return respond(problem(409, "no-federation", "No federation", "this node shares with no partner"));
  if (!parsed.signal->municipality && s.municipality) parsed.signal->municipality = *s.municipality;  // as submit does
  const federation::Partner* me = manifest->find(s.org);
  auto out = sharing::explain(*parsed.signal, *policy, *manifest,
                              me ? federation::party_of(*me) : policies::Party{s.org, s.role}, local_today(s.clock()));
  respond(json_response(200, json::serialize(out)));
}

// POST /api/v1/subjects/check: one subject, validated and canonicalised as a
// submission would be; identifiers travel in the body, never the URL.
void check_subject(ApiServices& s, RouteContext ctx, Respond respond) {
  boost::system::error_code ec;
  json::value subject = json::parse(ctx.request.body, ec);
  if (ec || !subject.is_object()) return respond(invalid_field({"body", "must be a JSON object (one subject)"}));
  if (auto dup = protocol::first_duplicate_key(ctx.request.body)) return respond(invalid_field({*dup, "appears more than once in one object (duplicate JSON key)"}));
  json::object wrapper{{"category", "general.external_report"},
                       {"observedOn", signals::iso_date(local_today(s.clock()))},
                       {"subjects", json::array{subject}}};
  auto parsed = signals::parse_signal_all(json::serialize(wrapper), s.taxonomy, local_today(s.clock()));
  if (!parsed.signal) {
    for (auto& e : parsed.errors) {
      for (std::string_view prefix : {"subjects[0].", "subjects/0/"}) {
        if (e.field.starts_with(prefix)) e.field = e.field.substr(prefix.size());
      }
    }
    return respond(invalid_fields(parsed.errors));
  }
  json::object out = signals::subject_to_json(parsed.signal->subjects.at(0));
  respond(json_response(200, json::serialize(json::object{{"identifiers", out.at("identifiers")}})));
}

void verification(ApiServices& s, Respond respond) {
  if (!s.verify_audit) return respond(problem(409, "no-audit", "No audit log", "this node has no audit log"));
  // Reading and hashing the whole log takes seconds at a million events: on
  // the slow lane, not on an I/O thread.
  run_slow(s, [&s](const Respond& answer) {
    audit::VerifyResult v = s.verify_audit();
    json::object o{{"verified", v.ok},
                   {"events", v.events},
                   {"treeHeads", v.tree_heads},
                   {"verifiedUpTo", v.events - v.uncovered},
                   {"uncovered", v.uncovered},
                   {"message", v.message}};
    if (v.first_bad_index) o["firstBadIndex"] = *v.first_bad_index;
    answer(json_response(200, json::serialize(o)));
  }, std::move(respond));
}

// For the charts: exchanges per partner and month, signals per category.
void stats(ApiServices& s, Respond respond) {
  json::array exchanges, categories;
  for (const auto& x : audit::AuditReader(s.store).exchanges_per_partner_month()) {
    exchanges.push_back(json::object{{"partner", x.partner}, {"month", x.month}, {"sent", x.sent},
                                     {"received", x.received}});
  }
  for (const auto& c : s.signals.count_by_category()) {
    categories.push_back(json::object{{"category", c.category}, {"count", c.count}});
  }
  json::object out{{"exchangesPerPartnerMonth", std::move(exchanges)}, {"signalsPerCategory", std::move(categories)}};
  respond(json_response(200, json::serialize(out)));
}

// GET /api/v1/audit/report.csv?lang=nl|en: Dutch spreadsheets by default
// (issue 20), the international form (comma, UTC, English) on request.
void report(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  bool dutch = true;
  for (const auto& [key, value] : *query) {
    if (key != "lang") return respond(invalid_field({key, "is not a known query parameter"}));
    if (value != "nl" && value != "en") return respond(invalid_field({"lang", "must be nl or en"}));
    dutch = value == "nl";
  }
  std::ostringstream csv;
  if (dutch) {
    // Names as of now: a rule renamed since shows its current title.
    auto policy = s.policy ? s.policy() : nullptr;
    auto manifest = s.manifest ? s.manifest() : nullptr;
    audit::DutchNames names;
    names.category = [&s](std::string_view id) {
      const auto* c = s.taxonomy.find(id);
      return c ? c->nl : std::string(id);
    };
    names.rule = [&policy](std::string_view id) {
      const policies::Rule* r = policy ? policy->find(id) : nullptr;
      return r && !r->title.empty() ? r->title : std::string(id);
    };
    names.partner = [&manifest](std::string_view org) {
      const federation::Partner* p = manifest ? manifest->find(org) : nullptr;
      return p && !p->name.empty() ? p->name : std::string(org);
    };
    s.store.read([&](storage::Database& db) {
      audit::write_dutch_report_csv(db, csv, names);
      return 0;
    });
  } else {
    audit::AuditReader(s.store).write_report_csv(csv);
  }
  HttpResponse r{200, "text/csv; charset=utf-8", csv.str(), {}};
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + s.org +
                                                    (dutch ? "-verwerkingsregister.csv\"" : "-processing-record.csv\""));
  respond(std::move(r));
}

void policy_view(ApiServices& s, Respond respond) {
  auto policy = s.policy ? s.policy() : nullptr;
  if (!policy) return respond(problem(409, "no-federation", "No federation", "this node runs no sharing policy"));
  auto list = [](const auto& values) {
    json::array a;
    for (const auto& v : values) a.push_back(json::value(v));
    return a;
  };
  json::array rules;
  for (const auto& r : policy->rules()) {
    json::object en;
    for (const auto& [key, text] : {std::pair{"title", &r.en.title}, std::pair{"description", &r.en.description},
                                    std::pair{"legalBasis", &r.en.legal_basis}, std::pair{"purpose", &r.en.purpose}}) {
      if (!text->empty()) en[key] = *text;
    }
    json::object o{{"id", r.id},
                   {"title", r.title.empty() ? r.id : r.title},
                   {"description", r.description},
                   {"en", std::move(en)},
                   {"from", list(r.from)},
                   {"to", list(r.to)},
                   {"categories", list(r.categories)},
                   {"pseudonyms", list(r.pseudonyms)},
                   {"fields", list(r.fields)},
                   {"legalBasis", r.legal_basis},
                   {"legalReference", r.legal_reference},
                   {"purpose", r.purpose},
                   {"retentionDays", r.retention_days},
                   {"feedbackNote", r.feedback_note},
                   {"bundleNotices", list(r.bundle_notices)},
                   {"disclosure", list(r.disclosure)},
                   {"disclosureDecidedBy", r.disclosure_decided_by},
                   {"status", r.active ? "active" : "suspended"},
                   {"validFrom", signals::iso_date(r.valid_from)}};
    if (r.valid_until) o["validUntil"] = signals::iso_date(*r.valid_until);
    if (r.feedback_period_days) o["feedbackPeriodDays"] = *r.feedback_period_days;
    rules.push_back(std::move(o));
  }
  respond(json_response(200, json::serialize(json::object{
                                 {"name", policy->name()}, {"sha256", policy->sha256_hex()}, {"rules", std::move(rules)}})));
}

}  // namespace

void add_web_routes(Router& router, ApiServices& s) {
  using auth::Role;
  add_static(router, "/", embedded::web_index_html, "text/html; charset=utf-8");
  add_static(router, "/ui/app.js", embedded::web_app_js, "text/javascript; charset=utf-8");
  add_static(router, "/ui/app.css", embedded::web_app_css, "text/css; charset=utf-8");
  router.add("POST", "/api/v1/signals/preview", Access::only({Role::officer}),
             [&s](RouteContext ctx, Respond respond) { preview(s, ctx, std::move(respond)); });
  router.add("POST", "/api/v1/subjects/check", Access::only({Role::officer}),
             [&s](RouteContext ctx, Respond respond) { check_subject(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/audit/verification", Access::only({Role::privacy_officer}),
             [&s](RouteContext, Respond respond) { verification(s, std::move(respond)); });
  router.add("GET", "/api/v1/audit/stats", Access::only({Role::privacy_officer}),
             [&s](RouteContext, Respond respond) { stats(s, std::move(respond)); });
  router.add("GET", "/api/v1/audit/report.csv", Access::only({Role::privacy_officer}),
             [&s](RouteContext ctx, Respond respond) { report(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/policy", Access::authenticated(),
             [&s](RouteContext, Respond respond) { policy_view(s, std::move(respond)); });
}

}  // namespace signalnode::node::api

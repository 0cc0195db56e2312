#include "policies/policy.hpp"

#include "policies/toml_reader.hpp"

#include <algorithm>
#include <sstream>

#include "crypto/bytes.hpp"
#include "crypto/sha256.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::policies {

namespace {

constexpr std::string_view kRuleKeys[] = {"id",          "title",           "title_en", "description_en",
                                          "legal_basis_en", "purpose_en",
                                          "description",     "from",    "to",
                                          "categories",  "pseudonyms",      "fields",  "legal_basis",
                                          "legal_reference", "purpose",     "retention_days", "status",
                                          "valid_from",  "valid_until", "feedback_note", "bundle_notices",
                                          "disclosure",  "disclosure_decided_by", "feedback_period_days",
                                          "route_by_area"};
constexpr std::size_t kMaxRuleTitleBytes = 120;  // a heading, not a text

using Reader = TomlReader<PolicyError>;

std::optional<std::chrono::sys_days> date(std::string_view s) { return protocol::parse_date(s); }

bool is_role(std::string_view r) { return is_partner_role(r); }

// The categories a rule's entry covers (wildcards never cover special categories).
std::set<std::string> expand(const std::vector<std::string>& entries, const Taxonomy& taxonomy) {
  std::set<std::string> out;
  for (const auto& e : entries) {
    if (e.size() > 2 && e.ends_with(".*")) {
      std::string stage = e.substr(0, e.size() - 2);
      for (const auto& c : taxonomy.categories()) {
        if (c.stage == stage && c.special.empty()) out.insert(c.id);
      }
    } else {
      out.insert(e);
    }
  }
  return out;
}

// The parties a from/to list covers, given the federation's partners.
std::set<std::string> parties(const std::vector<std::string>& entries, const std::vector<Party>& partners) {
  std::set<std::string> out;
  for (const auto& entry : entries) {
    const std::string e = split_team(entry).first;
    if (partners.empty()) {
      out.insert(e);
      continue;
    }
    for (const auto& p : partners) {
      if (e == p.org || e == "role:" + p.role) out.insert(p.org);
    }
  }
  return out;
}

bool intersects(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& x) { return b.contains(x); });
}

}  // namespace

Policy Policy::parse(std::string_view text, const std::string& source_name, const Taxonomy& taxonomy,
                     const std::vector<Party>& partners) {
  Reader r(source_name);
  toml::table root = r.parse(text);
  Policy policy;
  policy.taxonomy_ = &taxonomy;
  policy.sha256_ = crypto::sha256(crypto::as_bytes(text));
  r.only(root, std::array<std::string_view, 3>{"version", "name", "rules"}, "");
  if (root.get("version") == nullptr || root.get("version")->value<std::int64_t>() != 1) {
    r.fail(r.where(root, "version"), "version", "must be 1");
  }
  policy.name_ = r.text(root, "name", "");
  const toml::array* rules = root.get_as<toml::array>("rules");
  if (!rules) r.fail(root.source(), "rules", "needs [[rules]] entries");

  for (std::size_t i = 0; i < rules->size(); ++i) {
    const toml::table* t = (*rules)[i].as_table();
    std::string path = "rules[" + std::to_string(i) + "].";
    if (!t) r.fail((*rules)[i].source(), path, "must be a table");
    r.only(*t, kRuleKeys, path);
    Rule rule;
    rule.line = static_cast<int>(t->source().begin.line);
    rule.id = r.text(*t, "id", path);
    path = "rules[" + rule.id + "].";
    if (policy.find(rule.id)) r.fail(r.where(*t, "id"), path + "id", "appears twice");
    rule.title = r.text(*t, "title", path, false);
    if (rule.title.size() > kMaxRuleTitleBytes) {
      r.fail(r.where(*t, "title"), path + "title", "must be at most " + std::to_string(kMaxRuleTitleBytes) + " bytes");
    }
    rule.description = r.text(*t, "description", path, false);
    rule.en = {r.text(*t, "title_en", path, false), r.text(*t, "description_en", path, false),
               r.text(*t, "legal_basis_en", path, false), r.text(*t, "purpose_en", path, false)};
    if (rule.en.title.size() > kMaxRuleTitleBytes) {
      r.fail(r.where(*t, "title_en"), path + "title_en", "must be at most " + std::to_string(kMaxRuleTitleBytes) + " bytes");
    }
    for (const char* side : {"from", "to"}) {
      auto entries = r.list(*t, side, path);
      for (const auto& entry : entries) {
        // A team is addressed (to), never a sender: partners send as organisations.
        const auto parts = split_team(entry);
        const std::string& e = parts.first;
        const std::string& team = parts.second;
        if (entry.find('/') != std::string::npos) {
          if (std::string(side) == "from" || e.starts_with("role:") || !is_team_name(team)) {
            r.fail(r.where(*t, side), path + side,
                   "'" + entry + "': a team is named only in `to`, as <organisation>/<team> with a team of 2 to 64 "
                   "characters a-z, 0-9 and '-'");
          }
        }
        // The PA evaluates pseudonyms for everyone; were it to receive records
        // it could recompute any guessed identifier next to its inbox.
        const bool pa = e == "role:pseudonymisation_authority" ||
                        std::any_of(partners.begin(), partners.end(), [&](const Party& p) {
                          return p.org == e && p.role == "pseudonymisation_authority";
                        });
        if (pa) {
          r.fail(r.where(*t, side), path + side,
                 "'" + e + "' is a pseudonymisation authority, which neither sends nor receives records");
        }
        bool ok = e.starts_with("role:") ? is_role(e.substr(5))
                                         : (partners.empty() || std::any_of(partners.begin(), partners.end(),
                                                                            [&](const Party& p) { return p.org == e; }));
        if (!ok) r.fail(r.where(*t, side), path + side, "'" + e + "' is neither role:<role> nor an organisation in the manifest");
      }
      if (std::string(side) == "to") {
        for (const auto& p : partners) {
          if (p.send_only && std::any_of(entries.begin(), entries.end(),
                                         [&p](const std::string& x) { return split_team(x).first == p.org; })) {
            r.fail(r.where(*t, side), path + side, "'" + p.org + "' only sends (sendOnly in the manifest) and never receives");
          }
        }
      }
      (std::string(side) == "from" ? rule.from : rule.to) = entries;
    }
    rule.categories = r.list(*t, "categories", path);
    for (const auto& c : rule.categories) {
      bool ok = false;
      if (c.size() > 2 && c.ends_with(".*")) {
        std::string stage = c.substr(0, c.size() - 2);
        ok = std::any_of(taxonomy.stages().begin(), taxonomy.stages().end(), [&](const Stage& s) { return s.id == stage; });
      } else {
        ok = taxonomy.find(c) != nullptr;
      }
      if (!ok) r.fail(r.where(*t, "categories"), path + "categories", "'" + c + "' is not a category or stage of the taxonomy");
    }
    for (const auto& k : r.list(*t, "pseudonyms", path, true)) {
      if (!protocol::id_kind_from_string(k)) r.fail(r.where(*t, "pseudonyms"), path + "pseudonyms", "'" + k + "' is not an idKind");
      rule.pseudonyms.insert(k);
    }
    for (const auto& f : r.list(*t, "fields", path, true)) {
      if (std::find(kShareableFields.begin(), kShareableFields.end(), f) == kShareableFields.end()) {
        r.fail(r.where(*t, "fields"), path + "fields", "'" + f + "' is not shareable (week, municipality, severity, persons)");
      }
      rule.fields.insert(f);
    }
    if (const toml::node* note = t->get("feedback_note")) {
      auto allowed = note->value<bool>();
      if (!note->is_boolean() || !allowed) r.fail(r.where(*t, "feedback_note"), path + "feedback_note", "must be true or false");
      rule.feedback_note = *allowed;
    }
    for (const auto& f : t->get("bundle_notices") ? r.list(*t, "bundle_notices", path, true) : std::vector<std::string>{}) {
      if (std::find(kNoticeFields.begin(), kNoticeFields.end(), f) == kNoticeFields.end()) {
        r.fail(r.where(*t, "bundle_notices"), path + "bundle_notices", "'" + f + "' is not a notice field (organisations, categories)");
      }
      rule.bundle_notices.insert(f);
    }
    // Disclosure on request: only kinds that travel under the rule as
    // pseudonyms can be asked for (the requester holds nothing else to ask about).
    for (const auto& k : t->get("disclosure") ? r.list(*t, "disclosure", path, true) : std::vector<std::string>{}) {
      if (!rule.pseudonyms.contains(k)) {
        r.fail(r.where(*t, "disclosure"), path + "disclosure", "'" + k + "' is not one of this rule's pseudonyms");
      }
      rule.disclosure.insert(k);
    }
    if (t->get("disclosure_decided_by")) {
      std::string by = r.text(*t, "disclosure_decided_by", path);
      if (std::find(kDeciderRoles.begin(), kDeciderRoles.end(), by) == kDeciderRoles.end()) {
        r.fail(r.where(*t, "disclosure_decided_by"), path + "disclosure_decided_by",
               "must be officer, analyst or privacy_officer");
      }
      rule.disclosure_decided_by = by;
    }
    if (const toml::node* by_area = t->get("route_by_area")) {
      if (!by_area->is_boolean()) r.fail(by_area->source(), path + "route_by_area", "must be true or false");
      rule.route_by_area = by_area->value<bool>().value_or(false);
      if (rule.route_by_area && !rule.fields.contains("municipality")) {
        r.fail(by_area->source(), path + "route_by_area",
               "a rule that routes by area must share the municipality (fields), so that the receiver can check it");
      }
    }
    rule.legal_basis = r.text(*t, "legal_basis", path);
    rule.legal_reference = r.text(*t, "legal_reference", path, false);
    rule.purpose = r.text(*t, "purpose", path);
    if (rule.legal_basis.empty()) r.fail(r.where(*t, "legal_basis"), path + "legal_basis", "must not be empty");
    if (rule.purpose.empty()) r.fail(r.where(*t, "purpose"), path + "purpose", "must not be empty");
    // How long the recipient has to answer (feedback other than `received`)
    // before the record shows as overdue to it and as "no answer yet" to the
    // source; absent: no period (docs/policies.md).
    if (const toml::node* period = t->get("feedback_period_days")) {
      auto days = period->is_integer() ? period->value<std::int64_t>() : std::nullopt;
      if (!days || *days < 1 || *days > kMaxFeedbackPeriodDays) {
        r.fail(r.where(*t, "feedback_period_days"), path + "feedback_period_days",
               "must be a whole number of days from 1 to 365");
      }
      rule.feedback_period_days = static_cast<int>(*days);
    }
    const toml::node* retention = t->get("retention_days");
    auto days = retention ? retention->value<std::int64_t>() : std::nullopt;
    if (!days || *days < 1 || *days > 3650) {
      r.fail(r.where(*t, "retention_days"), path + "retention_days", "must be a whole number of days from 1 to 3650");
    }
    rule.retention_days = static_cast<int>(*days);
    std::string status = r.text(*t, "status", path);
    if (status != "active" && status != "suspended") r.fail(r.where(*t, "status"), path + "status", "must be active or suspended");
    rule.active = status == "active";
    auto from = date(r.text(*t, "valid_from", path));
    if (!from) r.fail(r.where(*t, "valid_from"), path + "valid_from", "must be a date YYYY-MM-DD");
    rule.valid_from = *from;
    if (t->get("valid_until")) {
      auto until = date(r.text(*t, "valid_until", path));
      if (!until || *until < *from) {
        r.fail(r.where(*t, "valid_until"), path + "valid_until", "must be a date YYYY-MM-DD not before valid_from");
      }
      rule.valid_until = *until;
    }
    policy.rules_.push_back(std::move(rule));
  }

  // Two rules that could both apply to one flow must grant the same thing;
  // otherwise which one wins would be an accident of order.
  for (std::size_t i = 0; i < policy.rules_.size(); ++i) {
    for (std::size_t j = i + 1; j < policy.rules_.size(); ++j) {
      const Rule& a = policy.rules_[i];
      const Rule& b = policy.rules_[j];
      if (!intersects(parties(a.from, partners), parties(b.from, partners)) ||
          !intersects(parties(a.to, partners), parties(b.to, partners)) ||
          !intersects(expand(a.categories, taxonomy), expand(b.categories, taxonomy))) {
        continue;
      }
      if (a.pseudonyms != b.pseudonyms || a.fields != b.fields || a.retention_days != b.retention_days ||
          a.active != b.active || a.feedback_note != b.feedback_note || a.bundle_notices != b.bundle_notices ||
          a.disclosure != b.disclosure || a.disclosure_decided_by != b.disclosure_decided_by ||
          a.feedback_period_days != b.feedback_period_days) {
        std::ostringstream msg;
        msg << source_name << ":" << b.line << ":1: rules[" << b.id << "]: overlaps rules[" << a.id << "] (line "
            << a.line << ") on the same senders, recipients and categories but grants something else";
        throw PolicyError(msg.str());
      }
    }
  }
  return policy;
}

std::string Policy::sha256_hex() const { return crypto::to_hex(sha256_); }

const Rule* Policy::find(std::string_view id) const {
  for (const auto& r : rules_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool Policy::matches_party(const std::vector<std::string>& list, const Party& p) const {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& e) { return split_team(e).first == p.org || e == "role:" + p.role; });
}

std::pair<std::string, std::string> split_team(std::string_view entry) {
  const auto slash = entry.find('/');
  if (slash == std::string_view::npos) return {std::string(entry), {}};
  return {std::string(entry.substr(0, slash)), std::string(entry.substr(slash + 1))};
}

bool is_team_name(std::string_view team) {
  return team.size() >= 2 && team.size() <= 64 && std::all_of(team.begin(), team.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::set<std::string> teams_addressed(const Rule& rule, const Party& self) {
  std::set<std::string> teams;
  for (const auto& e : rule.to) {
    if (e == self.org || e == "role:" + self.role) return {};
    auto [org, team] = split_team(e);
    if (org == self.org && !team.empty()) teams.insert(std::move(team));
  }
  return teams;
}

bool Policy::matches_category(const Rule& rule, std::string_view category) const {
  const Category* c = taxonomy_->find(category);
  if (!c) return false;
  for (const auto& e : rule.categories) {
    if (e == category) return true;
    // A wildcard never matches a special category (health): those need a rule
    // that names them.
    if (e.ends_with(".*") && c->special.empty() && e.substr(0, e.size() - 2) == c->stage) return true;
  }
  return false;
}

bool is_partner_role(std::string_view role) {
  return std::find(kPartnerRoles.begin(), kPartnerRoles.end(), role) != kPartnerRoles.end();
}

Decision Policy::decide(const Party& from, const Party& to, std::string_view category, std::chrono::sys_days day,
                        std::string_view municipality) const {
  if (to.send_only) return {std::nullopt, to.org + " only sends and never receives", {}};
  std::string why = "no rule shares " + std::string(category) + " from " + from.org + " to " + to.org;
  std::string area;
  for (const auto& rule : rules_) {
    if (!matches_party(rule.from, from) || !matches_party(rule.to, to) || !matches_category(rule, category)) continue;
    if (!rule.active) {
      why = "rule " + rule.id + " applies but is suspended";
      continue;
    }
    if (day < rule.valid_from || (rule.valid_until && day > *rule.valid_until)) {
      why = "rule " + rule.id + " applies but is not valid on this date";
      continue;
    }
    if (rule.route_by_area && !to.areas.empty()) {
      if (municipality.empty()) {
        why = "rule " + rule.id + " routes by area and the signal names no municipality";
        area = "no-municipality";
        continue;
      }
      if (std::find(to.areas.begin(), to.areas.end(), municipality) == to.areas.end()) {
        why = "rule " + rule.id + " routes by area and " + std::string(municipality) + " is outside the area of " + to.org;
        area = "outside-area";
        continue;
      }
      return {Grant{&rule}, "rule " + rule.id, "in-area"};
    }
    return {Grant{&rule}, "rule " + rule.id, rule.route_by_area ? "national" : ""};
  }
  return {std::nullopt, why, area};
}

}  // namespace signalnode::policies

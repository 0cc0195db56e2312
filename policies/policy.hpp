// The sharing policy (the covenant): which partner may receive what of which
// signal, on which legal basis and for which purpose. Default deny: what no
// active, valid rule grants is not shared. The same document is evaluated by
// the sender (to build records) and by the receiver (to check them).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "policies/taxonomy.hpp"

namespace signalnode::policies {

// Coarse fields a rule may let travel besides category and pseudonyms.
// Free text and names are never shareable: there is no field for them.
inline constexpr std::array<std::string_view, 4> kShareableFields = {"week", "municipality", "severity", "persons"};
// What a bundle notice back to a record's source may say: how many
// organisations reported the subject, and in which categories.
inline constexpr std::array<std::string_view, 2> kNoticeFields = {"organisations", "categories"};

// Who at the source decides on a request for details under a rule.
// A rule's feedback period: 1 .. 365 days.
inline constexpr std::int64_t kMaxFeedbackPeriodDays = 365;

inline constexpr std::array<std::string_view, 3> kDeciderRoles = {"officer", "analyst", "privacy_officer"};

// The roles a partner may have (BRIEF 3.11). The pseudonymisation authority
// is no partner: it neither sends nor receives records.
inline constexpr std::array<std::string_view, 9> kPartnerRoles = {
    "municipality", "labour_inspectorate", "housing_certifier", "riec", "police",
    "tax_authority", "chamber_of_commerce", "zvh", "trafficking_table"};
bool is_partner_role(std::string_view role);

struct Party {
  std::string org;
  std::string role;
  // The CBS municipality codes it serves (policies/areas.hpp); empty: the
  // whole country.
  std::vector<std::string> areas{};
  // A participant that may send but never receives (a private party).
  bool send_only = false;
};

struct Rule {
  std::string id;
  // What people read: the covenant's own texts are Dutch (its language), a
  // short title in place of the id; the English versions are optional.
  std::string title;  // empty: people see the id
  std::string description;
  struct English {
    std::string title, description, legal_basis, purpose;
  } en;
  std::vector<std::string> from;        // org ids or "role:<role>"
  // Also "<org>/<team>" (issue 21): a team inside that organisation, so that
  // only that team's people see what the rule brings there.
  std::vector<std::string> to;
  std::vector<std::string> categories;  // ids or "<stage>.*"
  std::set<std::string> pseudonyms;     // idKinds that travel as pseudonyms
  std::set<std::string> fields;         // of kShareableFields
  std::string legal_basis;
  std::string legal_reference;
  std::string purpose;
  int retention_days = 0;
  // Back from the recipient to the source: feedback status and coded reason
  // always travel ("the reporter is always told"); a free-text note only
  // where the rule says so, and bundle notices only with the fields named.
  bool feedback_note = false;
  std::set<std::string> bundle_notices;  // of kNoticeFields; empty: no notices
  // The identifier kinds (of `pseudonyms`) a recipient may ask the source to
  // disclose for one record, with a purpose; empty: none. The source's
  // `disclosure_decided_by` role decides each request (docs/cases.md).
  std::set<std::string> disclosure;
  std::string disclosure_decided_by = "officer";
  // Days the recipient has to answer a record (feedback other than
  // `received`: an acknowledgement is no answer; `withheld` is one), counted
  // from its own receipt of the record; the source counts from the receipt
  // that acknowledged the delivery. Absent: no period. Every partner runs the
  // same covenant and every record names its rule, so both sides compute the
  // same due date without anything on the wire.
  std::optional<int> feedback_period_days;
  // Only to the recipients whose area holds the signal's municipality (and to
  // recipients without an area, which serve the whole country). Such a rule
  // shares the municipality, so that the receiver can check it is meant.
  bool route_by_area = false;
  bool active = true;  // "suspended" rules share nothing
  std::chrono::sys_days valid_from{};
  std::optional<std::chrono::sys_days> valid_until;
  int line = 0;  // where the rule starts in the file
};

// "<org>/<team>": the organisation and the team; an entry without a team
// gives the entry itself and an empty team.
std::pair<std::string, std::string> split_team(std::string_view entry);
// A team name: 2 to 64 of a-z, 0-9 and '-'.
bool is_team_name(std::string_view team);
// Who inside `self` may see what `rule` brought there (issue 21): an empty
// set when the rule addresses the whole organisation (its id or its role),
// else the teams it names at `self`.
std::set<std::string> teams_addressed(const Rule& rule, const Party& self);

// What one rule grants for one signal to one recipient.
struct Grant {
  const Rule* rule;
};

struct Decision {
  std::optional<Grant> grant;
  std::string reason;  // why nothing is shared, or which rule applies
  // How the area decided, for a rule that routes by area: "in-area" (the
  // signal's municipality is in the recipient's area), "national" (the
  // recipient serves the whole country), "outside-area", "no-municipality";
  // empty when no rule routing by area applied.
  std::string area;
};

class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Policy {
 public:
  // Validates everything; throws PolicyError "FILE:LINE:COLUMN: field: what".
  // `partners`: the federation's parties (from the manifest), so rules naming
  // unknown organisations are refused; empty to skip that check.
  static Policy parse(std::string_view text, const std::string& source_name, const Taxonomy& taxonomy,
                      const std::vector<Party>& partners = {});

  // `municipality`: the signal's (a CBS code), for rules that route by area.
  Decision decide(const Party& from, const Party& to, std::string_view category, std::chrono::sys_days day,
                  std::string_view municipality = {}) const;

  const std::string& name() const { return name_; }
  const std::array<std::uint8_t, 32>& sha256() const { return sha256_; }
  std::string sha256_hex() const;
  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* find(std::string_view id) const;

 private:
  bool matches_party(const std::vector<std::string>& list, const Party& p) const;
  bool matches_category(const Rule& rule, std::string_view category) const;

  std::string name_;
  std::array<std::uint8_t, 32> sha256_{};
  std::vector<Rule> rules_;
  const Taxonomy* taxonomy_ = nullptr;
};

}  // namespace signalnode::policies

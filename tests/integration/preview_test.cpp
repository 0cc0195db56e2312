// The officer's preview is what is queued. For every rule of the default
// covenant, the demo federation in-process: a sender the rule names previews
// (POST /api/v1/signals/preview, explain()) and submits a signal in a
// category the rule covers, carrying an identifier of every idKind; once
// share_ready has decided, each partner's preview is compared field by field
// with the record queued for it in the sender's outbox, and that record must
// be accepted by its receiver. A rule the test could not exercise fails it,
// by name.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "crypto/oprf.hpp"
#include "node/pseudonyms/oprf_keyring.hpp"
#include "tests/support/whole_key.hpp"
#include "node/storage/sqlite.hpp"
#include "sharing_fixture.hpp"
#include "tests/support/test_federation.hpp"

namespace c = signalnode::crypto;
namespace w = signalnode::protocol::wire;
namespace pol = signalnode::policies;
namespace json = boost::json;
using namespace std::chrono;
using signalnode::testing::wait_until;

namespace {
constexpr std::int64_t kDayMs = 86'400'000;

// Every identifier of the signal below, with the subject it belongs to and
// its OPRF input (docs/protocol.md), so that a pseudonym in a record says
// whose it is.
struct Identifier {
  std::size_t subject;
  std::string kind, id_kind, oprf_input;
};
const std::vector<Identifier> kIdentifiers = {
    {0, "person", "bsn", "bsn:123456782"},
    {1, "person", "person", "person:łukasz nowak|1990-02-01"},
    {1, "person", "document", "document:PL|AB1234567"},
    {1, "person", "phone", "phone:+48601234567"},
    {1, "person", "email", "email:l.nowak@example.org"},
    {2, "organisation", "kvk", "kvk:12345678"},
    {3, "address", "address", "address:1431AB|12|A|2"},
    {4, "vehicle", "plate", "plate:NL|AB123C"},
    {5, "account", "iban", "iban:NL91ABNA0417164300"},
};

std::string signal_body(const std::string& category) {
  return R"({"category":")" + category + R"(","observedOn":"2026-11-20","municipality":"GM0358",
    "severity":"high","persons":14,"summary":"free text that stays on this node",
    "subjects":[{"kind":"person","role":"worker","bsn":"123456782"},
     {"kind":"person","role":"worker","name":"Łukasz Nowak","birthDate":"1990-02-01","documentNumber":"AB 1234567",
      "documentCountry":"PL","phone":"+48 601 234 567","email":"L.Nowak@Example.org"},
     {"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"},
     {"kind":"address","postcode":"1431 AB","houseNumber":12,"houseLetter":"A","addition":"2"},
     {"kind":"vehicle","plate":"AB-123-C"},
     {"kind":"account","iban":"NL91 ABNA 0417 1643 00"}]})";
}

bool names(const std::vector<std::string>& list, const signalnode::node::app::DemoNode& n) {
  return std::find(list.begin(), list.end(), n.org) != list.end() ||
         std::find(list.begin(), list.end(), "role:" + n.role) != list.end();
}

using SubjectIdKind = std::pair<std::size_t, std::string>;  // (subject index, idKind)

std::string text(const json::value& v) { return std::string(v.as_string()); }

// A shared record in the sender's outbox, as share_ready queued it.
struct Queued {
  std::string recipient, rule_id;
  std::int64_t created_at_ms = 0;
  w::Record record;
};
}  // namespace

class CovenantPreviewTest : public signalnode::testing::SharingFixture {
 protected:
  // The first node the list names, other than `except`.
  std::optional<std::size_t> first_named(const std::vector<std::string>& list,
                                         std::optional<std::size_t> except = std::nullopt) {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (i != except && names(list, nodes_[i])) return i;
    }
    return std::nullopt;
  }

  // A category for which the covenant applies `rule` from `from` to `to`
  // (for a suspended rule: names it as the rule that would apply).
  std::string category_for(const pol::Policy& policy, const pol::Rule& rule, std::size_t from, std::size_t to) {
    const auto today = floor<days>(system_clock::now());
    for (const auto& category : pol::Taxonomy::builtin().categories()) {
      pol::Party sender{nodes_[from].org, nodes_[from].role}, recipient{nodes_[to].org, nodes_[to].role};
      auto d = policy.decide(sender, recipient, category.id, today);
      if (d.grant ? d.grant->rule == &rule : d.reason == "rule " + rule.id + " applies but is suspended") {
        return category.id;
      }
    }
    return {};
  }

  // Each pseudonym the PA computes for the signal's identifiers in the
  // domain of the partner with OIN `domain`, and whose it is (the whole key
  // put together from two share files, as the test's own check).
  std::map<c::oprf::Output, SubjectIdKind> expected_pseudonyms(const std::string& domain) {
    std::vector<std::filesystem::path> shares;
    for (const auto& n : nodes_) {
      if (n.pseudonymisation_authority && shares.size() < 2) shares.push_back(signalnode::testing::share_file_of(n.dir));
    }
    auto key = signalnode::testing::whole_key_from(shares);
    std::map<c::oprf::Output, SubjectIdKind> out;
    for (const auto& id : kIdentifiers) out[signalnode::testing::voprf_output(key, domain + ":" + id.oprf_input)] = {id.subject, id.id_kind};
    return out;
  }

  json::object preview(std::size_t node, const std::string& body) {
    auto r = api(node, "POST", "/api/v1/signals/preview", "officer", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }

  // The sender's view of a signal per partner, once every partner is decided
  // and every record settled (delivered or rejected); should that not happen
  // in time, the caller's comparisons say what is missing.
  std::map<std::string, std::string> settled_states(std::size_t node, const std::string& id) {
    std::map<std::string, std::string> out;
    wait_until([&] {
      out.clear();
      auto doc = json::parse(api(node, "GET", "/api/v1/signals/" + id, "officer").body);
      for (const auto& p : doc.at("sharing").as_array()) out[text(p.at("partner"))] = text(p.at("state"));
      // Every partner but the sender; never a PA share holder.
      if (out.size() + 1 + signalnode::node::app::demo_share_holders().size() < nodes_.size()) return false;
      return std::all_of(out.begin(), out.end(), [](const auto& s) {
        return s.second == "delivered" || s.second == "rejected" || s.second == "not_shared";
      });
    }, 20000);
    return out;
  }

  std::vector<Queued> queued_records(std::size_t node, const std::string& signal_id) {
    signalnode::node::storage::Database db(nodes_[node].dir / "signalnode.db",
                                           signalnode::node::storage::Database::Mode::read_only);
    auto st = db.cached(
        "SELECT recipient, rule_id, created_at_ms, record FROM outbox WHERE signal_id = ? AND kind = 'shared_signal'");
    st.bind(1, std::string_view(signal_id));
    std::vector<Queued> out;
    while (st.step()) {
      std::string error;
      auto blob = st.blob(3);
      auto single = w::decode_batch(blob, error);  // detail::enqueue stores a one-record batch
      EXPECT_TRUE(single && single->records.size() == 1) << error;
      if (!single || single->records.size() != 1) continue;
      out.push_back({st.text(0), st.text(1), st.int64(2), std::move(single->records[0])});
    }
    st.reset();
    return out;
  }
};

namespace {
// One partner's preview against the record queued for it.
void expect_queued_as_previewed(const json::object& policy, const json::object& partner, const Queued& q,
                                const std::map<c::oprf::Output, SubjectIdKind>& whose) {
  const w::Record& r = q.record;
  EXPECT_EQ(r.kind, w::RecordKind::shared_signal);
  EXPECT_EQ(r.refers_to, "");
  EXPECT_EQ(q.rule_id, text(partner.at("rule")));
  EXPECT_EQ(r.rule_id, text(partner.at("rule")));
  EXPECT_EQ(c::to_hex(r.policy_hash), text(policy.at("sha256")));

  const json::object& fields = partner.at("fields").as_object();
  for (const auto& [key, value] : fields) {
    EXPECT_TRUE(key == "category" || key == "week" || key == "municipality" || key == "severity" || key == "persons")
        << "the preview shows " << std::string(key) << ", which no record carries";
  }
  EXPECT_EQ(r.category, text(fields.at("category")));
  auto shown = [&](const char* key) { return fields.contains(key) ? text(fields.at(key)) : std::string(); };
  EXPECT_EQ(r.observed_week, shown("week"));
  EXPECT_EQ(r.municipality, shown("municipality"));
  EXPECT_EQ(r.severity, shown("severity"));
  EXPECT_EQ(r.persons, fields.contains("persons") ? fields.at("persons").as_int64() : -1);
  EXPECT_EQ(r.expires_at_ms - q.created_at_ms, partner.at("retentionDays").as_int64() * kDayMs);

  std::vector<SubjectIdKind> previewed, withheld, sent;
  for (const auto& s : partner.at("pseudonyms").as_array()) {
    previewed.push_back({static_cast<std::size_t>(s.at("subject").as_int64()), text(s.at("idKind"))});
  }
  for (const auto& s : partner.at("withheld").as_array()) {
    withheld.push_back({static_cast<std::size_t>(s.at("subject").as_int64()), text(s.at("idKind"))});
  }
  for (const auto& s : r.subjects) {
    auto it = whose.find(s.pseudonym);
    ASSERT_NE(it, whose.end()) << s.id_kind << ": a pseudonym of none of the signal's identifiers";
    EXPECT_EQ(s.id_kind, it->second.second) << "the record's idKind is its pseudonym's";
    const Identifier& id = *std::find_if(kIdentifiers.begin(), kIdentifiers.end(), [&](const Identifier& i) {
      return i.subject == it->second.first && i.id_kind == it->second.second;
    });
    EXPECT_EQ(s.kind, id.kind);
    sent.push_back(it->second);
  }
  std::sort(previewed.begin(), previewed.end());
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(sent, previewed) << "the pseudonyms queued are those previewed";
  for (const auto& [subject, withheld_kind] : withheld) {
    const std::string& id_kind = withheld_kind;  // clang 14 cannot capture a structured binding
    auto carries = [&](const w::SharedSubject& s) { return s.id_kind == id_kind; };
    EXPECT_TRUE(std::none_of(r.subjects.begin(), r.subjects.end(), carries))
        << "withheld " << id_kind << " (subject " << subject << ") is in the record";
  }
  EXPECT_EQ(previewed.size() + withheld.size(), kIdentifiers.size()) << "every identifier is either sent or withheld";
}
}  // namespace

namespace {
const std::set<std::string> kNotInTheDemo = {"kvk-deregistrations", "exploitation-to-police", "care-to-zvh",
                                             "exploitation-to-trafficking-table"};
}  // namespace

TEST_F(CovenantPreviewTest, ThePreviewIsWhatIsQueuedForEveryRuleOfTheDefaultCovenant) {
  auto policy = apps_[0]->federation()->policy();
  ASSERT_TRUE(policy);
  ASSERT_FALSE(policy->rules().empty());
  std::set<std::string> exercised;
  for (const pol::Rule& rule : policy->rules()) {
    SCOPED_TRACE("rule " + rule.id);
    auto sender = first_named(rule.from);
    auto recipient = sender ? first_named(rule.to, sender) : std::nullopt;
    if (!sender || !recipient) {
      // The Roemer channels name roles the demo has no node of (police, the
      // tax authority, ...): PolicyReceivedCheck covers them without nodes.
      kNotInTheDemo.contains(rule.id) ? void() : ADD_FAILURE() << "no node of the demo federation sends or receives under the rule";
      continue;
    }
    std::string category = category_for(*policy, rule, *sender, *recipient);
    ASSERT_FALSE(category.empty()) << "no category for which the rule applies";
    SCOPED_TRACE(nodes_[*sender].org + " sends " + category);

    std::string body = signal_body(category);
    json::object shown = preview(*sender, body);
    std::string id = submit(*sender, body);
    auto states = settled_states(*sender, id);
    auto queued = queued_records(*sender, id);

    const json::array& partners = shown.at("partners").as_array();
    EXPECT_EQ(partners.size() + 1 + signalnode::node::app::demo_share_holders().size(), nodes_.size())
        << "every partner but itself, and never a PA";
    for (const auto& pv : partners) {
      const json::object& p = pv.as_object();
      const std::string org = text(p.at("org"));
      SCOPED_TRACE("to " + org);
      std::vector<const Queued*> mine;
      for (const auto& q : queued) {
        if (q.recipient == org) mine.push_back(&q);
      }
      if (!p.at("shared").as_bool()) {
        EXPECT_TRUE(mine.empty()) << "previewed as not shared (" << text(p.at("reason")) << ") but queued";
        EXPECT_EQ(states[org], "not_shared");
        // A suspended rule is exercised by sharing nothing, as previewed.
        if (text(p.at("reason")) == "rule " + rule.id + " applies but is suspended" && mine.empty()) {
          exercised.insert(rule.id);
        }
        continue;
      }
      ASSERT_EQ(mine.size(), 1u) << "previewed under rule " << text(p.at("rule")) << ", queued " << mine.size();
      const auto& recipient_node = *std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& n) { return n.org == org; });
      expect_queued_as_previewed(shown.at("policy").as_object(), p, *mine[0], expected_pseudonyms(recipient_node.oin));
      EXPECT_EQ(states[org], "delivered") << "the receiver refused what the preview showed";
      exercised.insert(text(p.at("rule")));
    }
  }
  std::string missing;
  for (const pol::Rule& rule : policy->rules()) {
    if (!exercised.contains(rule.id) && !kNotInTheDemo.contains(rule.id)) missing += " " + rule.id;
  }
  EXPECT_TRUE(missing.empty()) << "rules whose preview was not compared with what was queued:" << missing;
}

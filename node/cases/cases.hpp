// Cases (issue 16, docs/cases.md): from a match to action. An analyst opens a
// case from an alert; the alerts and records that share records or subjects
// with it (component.hpp, bounded) join the same case, and the case grows as
// new records connect. A case has a human reference (ZAAK-<year>-<nnnn>), a
// status, an assignee (an analyst of this node) and a due date, and notes that
// are sealed at rest under the data key and never leave the node. Every change
// is audited in its own transaction: case.opened, case.updated,
// case.note_added (never a note's text).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/sql_enum.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::cases {

enum class CaseStatus { open, in_progress, closed };

inline constexpr std::size_t kMaxNoteBytes = 4000;
inline constexpr std::int64_t kMaxNotesPerCase = 1000;  // what one case page can carry (4 MB of text at most)

// Why a case operation was refused, in the user's words: Dutch first, English
// second. `field` names the input (empty: the case itself, e.g. not found).
// `kind` says what went wrong in the domain's terms; the API maps it to HTTP.
struct Refusal {
  enum class Kind {
    invalid,    // the input is not acceptable
    not_found,  // the case or alert it names does not exist
    conflict,   // acceptable input the case's state cannot take (e.g. full)
  };
  Kind kind = Kind::invalid;
  std::string field;
  std::string nl;
  std::string en;
};

struct OpenResult {
  std::optional<Refusal> refused;
  std::string id;
  std::string reference;
  bool existing = false;              // the alert's component already had a case
  std::vector<std::string> added;     // alerts that joined the case now
};

// What PATCH may change; absent fields stay. An empty assignee or due date clears it.
struct CaseChanges {
  std::optional<std::string> status;
  std::optional<std::string> assignee;
  std::optional<std::string> due_date;  // YYYY-MM-DD
};

struct CaseSummary {
  std::string id;
  std::string reference;
  std::string status;
  std::string assignee;  // empty: none
  std::string due_date;  // empty: none
  std::string opened_by;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t alerts = 0;
  std::int64_t records = 0;  // distinct records its alerts name
};

struct UpdateResult {
  std::optional<Refusal> refused;
  std::optional<CaseSummary> updated;
};

struct NoteResult {
  std::optional<Refusal> refused;
  std::int64_t position = 0;
  std::int64_t created_at_ms = 0;
};

struct ListQuery {
  std::int64_t limit = 100;
  std::optional<std::string> status;
};

class Cases {
 public:
  using NowMs = std::function<std::int64_t()>;
  // The requests made for a case (sharing::Requests::of_case), shown with it.
  using RequestsOfCase = std::function<std::vector<boost::json::object>(const std::string& case_id)>;

  Cases(storage::Store& store, const pseudonyms::Pseudonymiser& pseudonymiser, NowMs now_ms, std::string self_org,
        RequestsOfCase requests = {})
      : store_(store),
        pseudonymiser_(pseudonymiser),
        now_ms_(std::move(now_ms)),
        self_org_(std::move(self_org)),
        requests_(std::move(requests)) {}

  // Blocks until committed (Store::write): not for an API I/O thread.
  [[nodiscard]] OpenResult open(const std::string& alert_id, const std::string& by);
  // The case as the analyst sees it (JSON, docs/cases.md), nullopt when unknown.
  // Alerts newly connected to its component and in no case yet join it
  // (audited case.updated): may write, so not for an API I/O thread.
  [[nodiscard]] std::optional<boost::json::object> get(const std::string& id, const std::string& by);
  [[nodiscard]] std::vector<CaseSummary> list(const ListQuery& query) const;
  [[nodiscard]] UpdateResult update(const std::string& id, const CaseChanges& changes, const std::string& by);
  [[nodiscard]] NoteResult add_note(const std::string& id, const std::string& text, const std::string& by);

  static bool is_status(std::string_view s);

 private:
  storage::Store& store_;
  const pseudonyms::Pseudonymiser& pseudonymiser_;
  NowMs now_ms_;
  std::string self_org_;
  RequestsOfCase requests_;
};

// The local calendar year and date (YYYY-MM-DD) of a time in ms.
int local_year(std::int64_t epoch_ms);
std::string local_date(std::int64_t epoch_ms);

}  // namespace signalnode::node::cases

namespace signalnode::node::storage {

template <>
struct SqlValues<cases::CaseStatus> {
  using E = cases::CaseStatus;
  static constexpr std::string_view column = "cases.status";
  static constexpr E all[] = {E::open, E::in_progress, E::closed};
  static constexpr std::string_view name(E e) {
    switch (e) {
      case E::open: return "open";
      case E::in_progress: return "in_progress";
      case E::closed: return "closed";
    }
    return {};
  }
};
static_assert(sql_values_are_complete<cases::CaseStatus>());

}  // namespace signalnode::node::storage

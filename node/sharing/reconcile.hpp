// After a restore (issue 18, docs/backup.md): each partner is asked which
// of this node's records it holds; a record the restored node has no trace
// of was sent after the snapshot, from a signal the restore lost, so nobody
// could withdraw or correct it any more. It is withdrawn at that partner
// (the officers report again what still matters), and the count is logged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/federation/manifest.hpp"
#include "node/sharing/context.hpp"

namespace signalnode::node::net {
class HttpsClient;
}

namespace signalnode::node::sharing {

struct HeldRecord {
  std::string record_id;
  std::string category;
  std::int64_t received_at_ms = 0;
};

struct HeldPage {
  std::vector<HeldRecord> records;
  std::string next;  // the last id of a full page; empty on the last page
};

class Reconcile {
 public:
  explicit Reconcile(Context& ctx) : ctx_(ctx) {}

  static constexpr std::size_t kPage = 1000;

  // The receiver's side: the records from `sender` it holds, in record id
  // order after `after`, kPage at most.
  [[nodiscard]] HeldPage held_from(const std::string& sender, const std::string& after) const;
  static std::string page_to_json(const HeldPage& page);
  // Throws std::runtime_error on anything but a well-formed page (ids and
  // categories checked by content, at most kPage).
  static HeldPage page_from_json(std::string_view body);

  // In the restore's transaction: every partner of the manifest in force at
  // the next start is to be asked ("*"), about records received since
  // `snapshot_at_ms` (a day earlier, for the clocks).
  static void schedule_after_restore(storage::Database& db, std::int64_t snapshot_at_ms, std::int64_t restored_at_ms);
  // At start: "*" becomes one row per partner that receives records.
  void expand(const federation::Manifest& manifest, const std::string& self_org);
  [[nodiscard]] bool pending_for(const std::string& partner) const;
  // One page with `partner` over its client: orphans get a withdrawal each.
  // A signal pending at the snapshot and shared after it gets, when decided
  // again, the record id it had (Outbox's derived ids): the partner's copy is
  // the restored node's own then, not an orphan. So nothing is asked while a
  // signal from before the restore still waits to be decided (`waiting`).
  // Throws on a transport or page error (the delivery thread retries later).
  enum class Step { done, more, waiting };
  Step step(const federation::Partner& partner, net::HttpsClient& client);

 private:
  Context& ctx_;
};

}  // namespace signalnode::node::sharing

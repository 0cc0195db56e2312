// The node's local API (BRIEF 3.4): which routes exist and who may call them.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <memory>
#include <string>

#include "node/http/metrics.hpp"
#include "node/api/router.hpp"
#include "node/pseudonyms/pseudonymiser.hpp"
#include "node/storage/store.hpp"

namespace signalnode::node::sharing {
class Sharing;
}
namespace signalnode::node::audit {
class AuditLog;
struct VerifyResult;
}
namespace signalnode::node::auth {
class UserStore;
class SecondFactors;
class OidcLogin;
}
namespace signalnode::node::federation {
struct Manifest;
}
namespace signalnode::node::notify {
class Notifier;
}
#include "node/signals/signal_repository.hpp"
#include "policies/policy.hpp"
#include "policies/taxonomy.hpp"

namespace signalnode::node::api {
class SlowLane;

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct ApiServices {
  const policies::Taxonomy& taxonomy;
  signals::SignalRepository& signals;
  storage::Store& store;
  Metrics& metrics;
  pseudonyms::Pseudonymiser& pseudonymiser;
  sharing::Sharing* sharing;  // per-partner delivery state and the inbox
  Clock clock;
  std::string org;
  std::string role;
  std::function<void()> on_signal_stored;  // wakes the pseudonym worker
  audit::AuditLog* audit = nullptr;
  std::function<pseudonyms::OprfTransport*()> pa_transport;  // how to reach the PA now, or nullptr
  // The covenant in force, or nullptr without federation.
  std::function<std::shared_ptr<const policies::Policy>()> policy;
  std::function<std::shared_ptr<const federation::Manifest>()> manifest;  // nullptr without federation
  auth::UserStore* users = nullptr;                                        // web interface accounts
  std::function<audit::VerifyResult()> verify_audit;                       // the whole log, now
  int login_attempts_per_minute = 10;                                      // per client address
  SlowLane* slow_lane = nullptr;  // argon2id and PA calls; without one they run on the calling thread
  // Requests whose domain operation waits for its commit (withdraw, feedback,
  // notices, log-out, account removal): the I/O threads never wait on fsync.
  SlowLane* store_lane = nullptr;
  // Subject-access round trips to the PA: a lane of their own, so that a
  // stalled PA holds up no log-in (the slow lane) and no withdrawal.
  SlowLane* pa_lane = nullptr;
  // Lookups of a known identifier per user per local day (docs/cases.md).
  int lookups_per_user_per_day = 20;
  // Mail and webhook notifications, preferences and the start page.
  notify::Notifier* notifier = nullptr;
  // The CBS code of the municipality the node serves, if it is one's (the
  // report form's default; GET /api/v1/about).
  std::optional<std::string> municipality = std::nullopt;
  // Second factors of web accounts (issue 21); nullptr: password only.
  auth::SecondFactors* factors = nullptr;
  // GET /openapi.json with the operator's contact (node.json `contact`) in
  // info.contact, made once at start; empty: the document as built.
  std::string openapi_document = {};
  // Calls to the organisation's identity provider (OIDC discovery, keys,
  // token exchange, up to 10 s each): a lane of their own, so that a slow
  // provider holds up no password log-in on the slow lane.
  SlowLane* provider_lane = nullptr;
  // Sign-in through the organisation's identity provider; nullptr: local accounts only.
  auth::OidcLogin* oidc = nullptr;
};

// The built-in OpenAPI document with info.contact replaced.
std::string openapi_with_contact(const std::string& name, const std::string& email, const std::string& url);

void add_signal_routes(Router& router, ApiServices& services);
void add_system_routes(Router& router, ApiServices& services);
void add_notify_routes(Router& router, ApiServices& services);
void add_inbox_routes(Router& router, ApiServices& services);
void add_alert_routes(Router& router, ApiServices& services);
void add_request_routes(Router& router, ApiServices& services);  // BRIEF 3.9 requests and one's contact details
void add_case_routes(Router& router, ApiServices& services);  // cases and lookups (docs/cases.md)
void add_audit_routes(Router& router, ApiServices& services);
// Logboek Dataverwerkingen: the read API and the register of processing activities.
void add_ldv_routes(Router& router, ApiServices& services);
void add_session_routes(Router& router, ApiServices& services);
void add_oidc_routes(Router& router, ApiServices& services);  // sign-in through the provider (issue 21)
void add_web_routes(Router& router, ApiServices& services);  // the web interface and what only it needs

// The node's local calendar date (observation dates are local dates).
std::chrono::sys_days local_today(std::chrono::system_clock::time_point now);
std::int64_t epoch_ms(std::chrono::system_clock::time_point t);
// Runs `job` on the slow lane, handing it the respond to answer through:
// that passes on one answer only, a job that throws before answering is
// answered 500 (the exception logged, never sent), and a full lane is answered
// 503 with Retry-After at once. See post_answering in slow_lane.hpp.
void run_slow(ApiServices& s, std::function<void(const Respond&)> job, Respond respond);
// The same on the store lane: for a domain operation that blocks until its
// write is committed (Store::write), so that no I/O thread waits on fsync.
void run_after_commit(ApiServices& s, std::function<void(const Respond&)> job, Respond respond);
// The same on the PA lane: for a request that waits on the PA.
void run_with_pa(ApiServices& s, std::function<void(const Respond&)> job, Respond respond);
// The same on the identity-provider lane (the slow lane when there is none).
void run_with_provider(ApiServices& s, std::function<void(const Respond&)> job, Respond respond);
// The completion of a Store::write_async for a route: `done` answers through
// the respond it is given, once; if it throws, the request is answered 500
// (the exception logged, never sent) instead of never. The store runs
// completions on its writer thread and swallows what they throw.
storage::Store::Done answer_after_commit(Respond respond,
                                         std::function<void(std::exception_ptr, const Respond&)> done);

}  // namespace signalnode::node::api

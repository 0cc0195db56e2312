// The federation listener's routes. The listener (node/federation) admits
// only manifest partners, by their certificate, before any byte is read; these
// routes are the adapters from its HTTP requests to the domain: receiving a
// partner's batch (node/sharing) and evaluating blinded elements on the PA
// (node/pseudonyms).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "node/api/router.hpp"
#include "node/api/slow_lane.hpp"
#include "node/federation/configuration_sync.hpp"
#include "node/federation/manifest.hpp"
#include "node/limits/rate_limiter.hpp"
#include "node/pseudonyms/pa_service.hpp"
#include "node/sharing/types.hpp"

namespace signalnode::node::api {

struct FederationRouteServices {
  std::string org;
  std::function<std::shared_ptr<const federation::Manifest>()> manifest;
  // POST /federation/v1/batches from the authenticated partner request.peer_org.
  std::function<sharing::ReceiveOutcome(const HttpRequest&)> receive_batch;
  pseudonyms::PaService* pa = nullptr;  // only on the pseudonymisation authority
  // Where receive_batch runs (it waits for its commit); nullptr: in place.
  SlowLane* lane = nullptr;
  // Where the PA's evaluations run (audited before answered): a lane of their
  // own, so that one partner's queued batches never hold up anyone's
  // pseudonymisation. nullptr: in place.
  SlowLane* evaluate_lane = nullptr;
  // Per-partner budgets for batches (one token each) and their bytes; over
  // budget a batch is answered 429 with Retry-After and not looked at.
  limits::RateLimiter* batch_budget = nullptr;
  limits::RateLimiter* byte_budget = nullptr;
  // GET /federation/v1/held: the records from the asking partner this node
  // holds, one page after `after`, as JSON (sharing::Reconcile). A read.
  std::function<std::string(const std::string& sender, const std::string& after)> held_records;
  // GET /federation/v1/configuration[?after=N]: the signed federation
  // configuration this node accepted (the newest, or the oldest newer than
  // N); nullopt: none. (federation::ConfigurationSync::serve)
  std::function<std::optional<std::string>(std::optional<std::int64_t> after)> configuration;
};

void add_federation_routes(Router& router, FederationRouteServices services);

// On the API listener, for admins: GET /api/v1/federation/configuration, the
// signed federation configuration in force, pending and last refused.
void add_federation_admin_routes(Router& router, std::function<federation::ConfigurationStatus()> status);

}  // namespace signalnode::node::api

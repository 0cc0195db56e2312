#include "node/app/node_app.hpp"

#include "node/auth/login_throttle.hpp"
#include "node/auth/oidc_login.hpp"
#include "node/auth/users.hpp"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "crypto/aead.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secret_file.hpp"
#include "node/api/federation_routes.hpp"
#include "node/api/idempotency.hpp"
#include "node/api/slow_lane.hpp"
#include "node/app/periodic_worker.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/processing_register.hpp"
#include "node/federation/configuration_sync.hpp"
#include "node/federation/federation.hpp"
#include "node/log/log.hpp"
#include "node/net/https_server.hpp"
#include "node/notify/notices.hpp"
#include "node/notify/notifier.hpp"
#include "crypto/x509.hpp"
#include "node/sharing/sharing.hpp"
#include "node/storage/schema.hpp"

namespace signalnode::node::app {

namespace {
std::unique_ptr<pseudonyms::PaService> make_pa(const config::NodeConfig& cfg, const config::NodePaths& paths,
                                               pseudonyms::PaObserver observer, pseudonyms::PaAlarmObserver alarms) {
  if (!cfg.pseudonymisation_authority) return nullptr;
  pseudonyms::PaLimits limits;
  limits.elements_per_second = cfg.pa.elements_per_second;
  limits.burst = cfg.pa.burst;
  limits.budget.elements_per_minute = cfg.pa.elements_per_minute;
  limits.budget.elements_per_day = cfg.pa.elements_per_day;
  for (const auto& [org, b] : cfg.pa.partners) limits.partner_budgets[org] = {b.elements_per_minute, b.elements_per_day};
  return std::make_unique<pseudonyms::PaService>(pseudonyms::OprfKeyring::load(paths.oprf_keys()), limits,
                                                 std::move(observer), std::move(alarms));
}
}  // namespace

namespace {
// Issue 21: who needs a second factor, how long a proof lasts, where passkeys work.
auth::FactorSettings factor_settings(const config::NodeConfig& cfg) {
  auth::FactorSettings s;
  s.for_all = cfg.auth.second_factor_for_all;
  s.step_up_ms = std::int64_t{cfg.auth.step_up_seconds} * 1000;
  s.rp.id = cfg.auth.webauthn_rp_id;
  s.rp.origins = cfg.auth.webauthn_origins;
  s.issuer = cfg.org;
  return s;
}
}  // namespace

struct NodeApp::Impl {
  explicit Impl(NodeOptions o)
      : options(std::move(o)),
        paths{options.dir},
        cfg(config::load_config(paths)),
        data_key(crypto::aead_key_from(crypto::read_secret_file(paths.data_key(), crypto::kAeadKeyBytes).view())),
        signing_key(crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view())),
        store(std::make_unique<storage::Store>(paths.database(), storage::node_migrations())),
        signals(*store, data_key),
        tokens(*store),
        users(*store, cfg.api.login_failures_per_address > 0
                          ? std::optional(auth::ThrottleRule{cfg.api.login_failures_per_address, auth::kAddressRule.first_delay_ms,
                                                             auth::kAddressRule.max_delay_ms, auth::kAddressRule.memory_ms})
                          : std::nullopt),
        factors(*store, data_key, factor_settings(cfg)),
        pseudonymiser(*store, data_key, [this] { return api::epoch_ms(options.clock()); }, cfg.oin),
        sharing(*store, pseudonymiser, [this] { return api::epoch_ms(options.clock()); },
                {cfg.alert_min_organisations, cfg.alert_window_days}, cfg.org),
        audit(*store, signing_key, [this] { return api::epoch_ms(options.clock()); }),
        pa(make_pa(
            cfg, paths,
            [this](const std::string& caller, std::size_t count, int epoch) { record_pa_batch(caller, count, epoch); },
            [this](const std::string& partner, pseudonyms::PaAlarm kind, std::int64_t used, std::int64_t budget) {
              record_pa_alarm(partner, kind, used, budget);
            })),
        router(metrics, [this](std::string_view token) {
          return tokens.authenticate(token, api::epoch_ms(options.clock()));
        }),
        services{policies::Taxonomy::builtin(), signals, *store, metrics, pseudonymiser, &sharing, options.clock,
                 cfg.org,   cfg.role,          [this] { wake_worker(); }, &audit, [this] { return transport(); },
                 [this] { return federation ? federation->policy() : nullptr; },
                 [this] { return federation ? federation->manifest() : nullptr; },
                 &users,
                 [this] {
                   return store->read([this](storage::Database& db) {
                     return audit::AuditLog::verify(db, signing_key.public_key(),
                                                    audit::AuditLog::read_head_copy(paths.audit_head()));
                   });
                 },
                 cfg.api.login_attempts_per_minute,
                 &slow_lane,
                 &store_lane,
                 &pa_lane,
                 cfg.lookups_per_user_per_day,
                 nullptr} {
    services.municipality = cfg.municipality;
    if (cfg.contact) services.openapi_document = api::openapi_with_contact(cfg.contact->name, cfg.contact->email, cfg.contact->url);
    users.use_second_factors(&factors);
    services.factors = &factors;
    if (cfg.auth.oidc) {
      oidc = std::make_unique<auth::OidcLogin>(*store, users, oidc_settings(*cfg.auth.oidc));
      services.oidc = oidc.get();
      services.provider_lane = &provider_lane;
    }
    if (cfg.federation.enabled) {
      federation = std::make_unique<federation::Federation>(cfg, paths, metrics);
      // A PA node has no signals: it evaluates for others, never for itself.
      if (!pa) remote_transport = federation->pa_transport([this](const pseudonyms::FaultyHolder& f) { holder_fault(f); });
      record_policy_loaded();
      configuration = std::make_unique<federation::ConfigurationSync>(
          *federation, federation::ConfigurationFolder::of_node(paths.dir), cfg.org,
          [this](const federation::ConfigurationReport& r) { record_configuration(r); });
      // A partner's traceparent: what its call makes this node log is in its
      // trace, with its operation as foreignOperation (Logboek Dataverwerkingen).
      federation_router.set_trace_audit_foreign([this](std::string_view peer) -> std::string {
        auto manifest = federation->manifest();
        const auto* partner = manifest ? manifest->find(peer) : nullptr;
        return partner ? "urn:oin:" + partner->oin : std::string();
      });
      api::add_federation_routes(
          federation_router,
          {cfg.org, [this] { return federation->manifest(); },
           [this](const http::HttpRequest& request) {
             return sharing.receiver.receive(request.body, request.peer_org, request.header("traceparent"),
                                             *federation->manifest(), *federation->policy(), federation->self(),
                                             signing_key, audit.latest_tree_head(), [this, &request](std::size_t n) {
                                               return record_budget.try_take(request.peer_org, static_cast<double>(n),
                                                                             limits::RateLimiter::Clock::now());
                                             });
           },
           pa.get(), &receive_lane, &evaluate_lane, &batch_budget, &byte_budget,
           [this](const std::string& sender, const std::string& after) {
             return sharing::Reconcile::page_to_json(sharing.reconcile.held_from(sender, after));
           },
           [this](std::optional<std::int64_t> after) { return configuration->serve(after); }});
    }
    api::add_signal_routes(router, services);
    api::add_system_routes(router, services);
    // Always served (a node without federation has no configuration in force).
    api::add_federation_admin_routes(router, [this] {
      return configuration ? configuration->status(api::epoch_ms(options.clock())) : federation::ConfigurationStatus{};
    });
    api::add_notify_routes(router, services);
    api::add_inbox_routes(router, services);
    api::add_alert_routes(router, services);
    api::add_request_routes(router, services);
    api::add_case_routes(router, services);
    api::add_audit_routes(router, services);
    api::add_ldv_routes(router, services);
    api::add_session_routes(router, services);
    api::add_web_routes(router, services);
    router.set_idempotency(&idempotency);
    router.set_trace_audit(true);  // W3C trace context of API callers joins what their requests log
    router.set_session_lookup([this](std::string_view cookie) -> std::optional<api::SessionAuth> {
      const auto now = api::epoch_ms(options.clock());
      auto session = users.session(cookie, now);
      if (!session) return std::nullopt;
      const bool recent = now - session->proof_at_ms <= factors.settings().step_up_ms;
      return api::SessionAuth{std::move(session->principal), std::move(session->csrf_token), session->must_enrol, recent};
    });
    add_metrics();
  }

  void add_metrics() {
    metrics.add_gauge("signalnode_signals_stored", "Own signals in the node database.", [this] {
      return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(signals.count())}};
    });
    metrics.add_gauge("signalnode_pseudonym_queue",
                      "Identifiers waiting for the PA: depth and age of the oldest (s); set_aside: ones that cannot "
                      "be pseudonymised (they do not decrypt), left for an operator.",
                      [this] {
                        auto s = pseudonymiser.stats();
                        double age = s.oldest_ms ? static_cast<double>(api::epoch_ms(options.clock()) - s.oldest_ms) / 1000
                                                 : 0;
                        return std::vector<std::pair<std::string, double>>{
                            {"{measure=\"depth\"}", static_cast<double>(s.depth)},
                            {"{measure=\"oldest_age_seconds\"}", age},
                            {"{measure=\"cached\"}", static_cast<double>(s.cached)},
                            {"{measure=\"set_aside\"}", static_cast<double>(s.set_aside)}};
                      });
    if (!pa) {
      metrics.add_gauge("signalnode_pa_reachable",
                        "Whether the PA answered the last time this node asked it (1), or not (0); unreachable_seconds: "
                        "how long it has not answered; absent until it was asked.",
                        [this] {
                          std::vector<std::pair<std::string, double>> out;
                          auto r = pseudonymiser.reachability();
                          if (!r.last_success_ms && !r.last_failure_ms) return out;
                          out.emplace_back("{measure=\"reachable\"}", r.unreachable() ? 0.0 : 1.0);
                          out.emplace_back("{measure=\"unreachable_seconds\"}",
                                           r.unreachable() ? static_cast<double>(api::epoch_ms(options.clock()) -
                                                                                 r.failing_since_ms) / 1000
                                                           : 0.0);
                          return out;
                        });
    }
    metrics.add_gauge("signalnode_outbox", "Records waiting for delivery per partner: depth and age of the oldest (s).",
                      [this] {
                        std::vector<std::pair<std::string, double>> out;
                        auto now = api::epoch_ms(options.clock());
                        for (const auto& [partner, st] : sharing.outbox.outbox_stats()) {
                          out.emplace_back("{partner=\"" + partner + "\",measure=\"depth\"}", static_cast<double>(st.depth));
                          out.emplace_back("{partner=\"" + partner + "\",measure=\"oldest_age_seconds\"}",
                                           static_cast<double>(now - st.oldest_ms) / 1000);
                        }
                        return out;
                      });
    if (pa) {
      metrics.add_counter("signalnode_pa_evaluated_elements_total", "Blinded elements evaluated for each partner.",
                          [this] {
                            std::lock_guard lock(pa_mutex);
                            std::vector<std::pair<std::string, double>> out;
                            for (const auto& [caller, n] : pa_counts) {
                              out.emplace_back("{partner=\"" + caller + "\"}", static_cast<double>(n));
                            }
                            return out;
                          });
    }
    if (pa) {
      metrics.add_counter("signalnode_pa_budget_total",
                          "Per partner: batches and elements refused by the PA's budgets, and budget alarms.", [this] {
                            std::vector<std::pair<std::string, double>> out;
                            for (const auto& [p, u] : pa->usage()) {
                              out.emplace_back("{partner=\"" + p + "\",event=\"refused_batches\"}", static_cast<double>(u.refused_batches));
                              out.emplace_back("{partner=\"" + p + "\",event=\"refused_elements\"}", static_cast<double>(u.refused_elements));
                              out.emplace_back("{partner=\"" + p + "\",event=\"alarms\"}", static_cast<double>(u.alarms));
                            }
                            return out;
                          });
      metrics.add_gauge("signalnode_pa_budget_used", "Per partner: evaluations in this minute and this day (UTC).", [this] {
        std::vector<std::pair<std::string, double>> out;
        for (const auto& [p, u] : pa->usage()) {
          out.emplace_back("{partner=\"" + p + "\",window=\"minute\"}", static_cast<double>(u.elements_this_minute));
          out.emplace_back("{partner=\"" + p + "\",window=\"day\"}", static_cast<double>(u.elements_today));
        }
        return out;
      });
    }
    // Issue 23, for the alert rules in packaging/monitoring: when each
    // certificate ends, the newest signed tree head, and the node's own
    // check of its log (every 6 hours; absent until the first).
    metrics.add_gauge("signalnode_certificate_not_after_seconds",
                      "When the API and federation certificates expire (Unix time, s).", [this] {
                        std::vector<std::pair<std::string, double>> out;
                        for (const auto& [name, file] : certificate_files()) {
                          try {
                            out.emplace_back("{certificate=\"" + name + "\"}",
                                             static_cast<double>(crypto::certificate_not_after(net::read_text_file(file))));
                          } catch (const std::exception&) {
                            // Unreadable: absent, which the alert on absence catches.
                          }
                        }
                        return out;
                      });
    metrics.add_gauge("signalnode_audit_tree_head",
                      "The newest signed tree head of the audit log: size (events) and timestamp_seconds.", [this] {
                        std::vector<std::pair<std::string, double>> out;
                        if (auto head = audit.latest_tree_head()) {
                          out.emplace_back("{measure=\"size\"}", static_cast<double>(head->tree_size));
                          out.emplace_back("{measure=\"timestamp_seconds\"}",
                                           static_cast<double>(head->timestamp_ms) / 1000);
                        }
                        return out;
                      });
    metrics.add_gauge("signalnode_audit_log_verified",
                      "1 when the node's last check of its own audit log verified, 0 when it failed.", [this] {
                        std::vector<std::pair<std::string, double>> out;
                        const int v = log_verified.load();
                        if (v >= 0) out.emplace_back("", static_cast<double>(v));
                        return out;
                      });
    if (pa) {
      metrics.add_gauge("signalnode_pa_budget_limit", "Per partner: its PA budget for a minute and for a day (UTC).",
                        [this] {
                          std::vector<std::pair<std::string, double>> out;
                          const auto& limits = pa->limits();
                          for (const auto& [p, u] : pa->usage()) {
                            auto own = limits.partner_budgets.find(p);
                            const bool has_own = own != limits.partner_budgets.end();
                            out.emplace_back("{partner=\"" + p + "\",window=\"minute\"}",
                                             static_cast<double>(has_own ? own->second.elements_per_minute
                                                                         : limits.budget.elements_per_minute));
                            out.emplace_back("{partner=\"" + p + "\",window=\"day\"}",
                                             static_cast<double>(has_own ? own->second.elements_per_day
                                                                         : limits.budget.elements_per_day));
                          }
                          return out;
                        });
    }
    metrics.add_counter("signalnode_pa_holder_faults_total",
                        "Batches a PA share holder did not answer, or answered with a proof that failed, per holder.",
                        [this] {
                          std::lock_guard lock(pa_mutex);
                          std::vector<std::pair<std::string, double>> out;
                          for (const auto& [holder, n] : holder_faults) {
                            out.emplace_back("{holder=\"" + holder + "\"}", static_cast<double>(n));
                          }
                          return out;
                        });
  }

  // A served PA batch: caller and count, never the elements (audit, log, metrics).
  void record_pa_batch(const std::string& caller, std::size_t count, int epoch) {
    {
      std::lock_guard lock(pa_mutex);
      pa_counts[caller] += count;
    }
    log::info("oprf.evaluated", {{"partner", caller}, {"count", count}, {"keyEpoch", epoch}});
    audit::Event e;
    e.name = audit::events::kOprfEvaluated;
    e.start_ms = e.end_ms = api::epoch_ms(options.clock());
    e.attributes = {{"partner", caller}, {"count", count}, {"keyEpoch", epoch}};  // activity: node-pseudonymisation
    e.partner = caller;
    audit.append_now(e);
  }

  // A partner hit a budget, or asked for far more than it used to: the
  // privacy officer's sign of guessing (once per window and kind).
  void record_pa_alarm(const std::string& partner, pseudonyms::PaAlarm kind, std::int64_t used, std::int64_t budget) {
    const std::string k(pseudonyms::pa_alarm_name(kind));
    log::warn("oprf.budget_alarm", {{"partner", partner}, {"kind", k}, {"used", used}, {"budget", budget}});
    audit::Event e;
    e.name = audit::events::kOprfBudgetAlarm;
    e.start_ms = e.end_ms = api::epoch_ms(options.clock());
    e.attributes = {{"partner", partner}, {"kind", k}, {"used", used}, {"budget", budget}};
    e.partner = partner;
    // The event and the privacy officers' notice commit together.
    const auto now = e.start_ms;
    store->write([&](storage::Database& db) {
      audit::AuditLog::append(db, e);
      notify::Notices::raise_once(db, notify::Topic::pa_budget_alarm, notify::Audience::of(notify::Topic::pa_budget_alarm),
                                  "pa:" + partner + ":" + k + ":" + std::to_string(now / 3'600'000), now);
    });
  }

  void record_policy_loaded() {
    auto policy = federation->policy();
    audit::Event e;
    e.name = audit::events::kPolicyLoaded;
    e.start_ms = e.end_ms = api::epoch_ms(options.clock());
    e.attributes = {{"policySha256", policy->sha256_hex()},
                    {"policyName", policy->name()},
                    {"rules", policy->rules().size()},
                    {"manifestSha256", crypto::to_hex(federation->manifest()->sha256)}};
    // The register of processing activities learns each rule version in
    // the same transaction as the log learns of the policy.
    store->write([&](storage::Database& db) {
      audit::ProcessingRegister::record_policy(db, *policy, e.end_ms);
      audit::AuditLog::append(db, e);
    });
    loaded_policy = policy->sha256();
  }

  // A signed federation configuration accepted, put in force or refused
  // (docs/federation.md): audited; a refusal also raised to the admins,
  // once per document, in the same transaction.
  void record_configuration(const federation::ConfigurationReport& r) {
    using What = federation::ConfigurationReport::What;
    audit::Event e;
    e.name = r.what == What::accepted  ? audit::events::kConfigurationAccepted
             : r.what == What::applied ? audit::events::kConfigurationApplied
                                       : audit::events::kConfigurationRefused;
    e.status = r.what == What::refused ? "rejected" : "ok";
    e.start_ms = e.end_ms = api::epoch_ms(options.clock());
    e.attributes = {{"source", r.source}, {"version", r.version}};
    if (!r.sha256.empty()) e.attributes["configurationSha256"] = r.sha256;
    if (!r.effective_from.empty()) e.attributes["effectiveFrom"] = r.effective_from;
    if (r.refusal) {
      e.attributes["reason"] = federation::refusal_code(r.refusal->kind);
      e.attributes["field"] = r.refusal->field;
    }
    if (r.source != "local") e.partner = r.source;
    const auto now = e.start_ms;
    store->write([&](storage::Database& db) {
      audit::AuditLog::append(db, e);
      if (r.what == What::refused) {
        notify::Notices::raise_once(db, notify::Topic::configuration_refused,
                                    notify::Audience::of(notify::Topic::configuration_refused),
                                    "configuration:" + r.source + ":" + (r.sha256.empty() ? std::to_string(now) : r.sha256), now);
      }
    });
  }

  // Partners asked in turn for a newer signed configuration; what was
  // accepted is put in force by maintenance at its effective date. Talks to
  // peers: a thread of its own.
  bool configuration_pass() {
    if (!configuration) return false;
    if (configuration->fetch_round() > 0 && maintenance) maintenance->wake();
    return false;
  }

  // A signal was stored: pseudonymise it now, and decide its sharing.
  void wake_worker() {
    if (pseudonym_worker) pseudonym_worker->wake();
    if (maintenance) maintenance->wake();
  }

  // Storage limitation: the log's own retention, received records by their
  // rule, own signals by the node setting; then the freed pages go back to
  // the file system (incremental vacuum, small steps, writers barely wait).
  void run_retention(std::int64_t now) {
    // Deleting is irreversible: not by a clock that jumped (issue 18).
    if (auto clock = sharing.retention.check_clock(now); !clock.plausible) {
      log::error("retention.clock_implausible", {{"reason", clock.why}});
      clock_implausible.store(true);
      return;
    }
    clock_implausible.store(false);
    sharing.retention.trust(now);
    audit.prune_before(now - static_cast<std::int64_t>(cfg.audit_retention_days) * 86'400'000);
    auto received = sharing.retention.expire_received();
    auto own = sharing.retention.expire_own(cfg.signal_retention_days);
    auto pages = store->reclaim_space();
    log::info("retention.done", {{"receivedExpired", received}, {"signalsExpired", own}, {"pagesReclaimed", pages}});
  }

  pseudonyms::OprfTransport* transport() { return remote_transport.get(); }

  // A share holder that did not answer, or answered with something its proof
  // does not cover: named in the log and counted per holder.
  void holder_fault(const pseudonyms::FaultyHolder& f) {
    {
      std::lock_guard lock(pa_mutex);
      ++holder_faults[f.name];
    }
    log::warn("pseudonyms.share_holder_faulty", {{"holder", f.name}, {"why", f.why}});
  }

  // The key epoch the manifest names: pseudonyms of an older one are queued
  // again, and the signals they belong to shared again once they are back.
  void adopt_manifest_epoch() {
    if (!federation || pa) return;
    int epoch = federation->manifest()->pseudonymisation.epoch;
    if (epoch == pseudonymiser.epoch()) return;
    auto stale = pseudonymiser.adopt_epoch(epoch);
    if (!stale.empty()) {
      store->write([&](storage::Database& db) { signals::SignalRepository::share_again(db, stale); });
      log::info("pseudonyms.epoch_adopted", {{"keyEpoch", epoch}, {"signals", stale.size()}});
    }
    if (pseudonym_worker) pseudonym_worker->wake();
  }

  // Identifier links of an earlier release (one domain-less OPRF pseudonym)
  // are made again from the sealed signal, in this node's domain; the signal
  // is then shared again with pseudonyms of this version.
  void relink_legacy_identifiers() {
    auto ids = store->read([](storage::Database& db) { return signals::SignalRepository::with_legacy_links(db); });
    for (const auto& id : ids) {
      std::optional<signals::Signal> signal;
      try {
        signal = signals.get(id);
      } catch (const std::exception& e) {
        // One damaged signal must not keep the node from starting; its old
        // links stay, so it is not shared until an operator looks at it.
        log::error("pseudonyms.legacy_relink_failed", {{"signal", id}, {"error", e.what()}});
        continue;
      }
      auto rows = signal ? signals::prepare_identifiers(*signal, pseudonymiser) : std::vector<pseudonyms::PreparedIdentifier>{};
      const auto now = api::epoch_ms(options.clock());
      store->write([&](storage::Database& db) {
        pseudonyms::Pseudonymiser::unlink(db, id);
        pseudonyms::Pseudonymiser::write_rows(db, id, rows, now);
        signals::SignalRepository::share_again(db, {id});
      });
    }
    if (!ids.empty()) {
      store->write([](storage::Database& db) { pseudonyms::Pseudonymiser::forget_unreferenced(db); });
      log::info("pseudonyms.legacy_links_renewed", {{"signals", ids.size()}});
    }
  }

  // Notifications (docs/notifications.md): settings from node.json, the
  // secrets from their 0600 files, users and their addresses from UserStore.
  std::unique_ptr<notify::Notifier> make_notifier(std::uint16_t api_port) {
    const auto& n = cfg.notifications;
    notify::NotifierSettings st;
    st.org = cfg.org;
    st.node_name = [this] {
      auto manifest = federation ? federation->manifest() : nullptr;
      if (manifest) {
        if (const auto* self = manifest->find(cfg.org)) return self->name;
      }
      return cfg.org;
    };
    st.link = !n.link.empty() ? n.link
                              : "https://" + (cfg.api.listen == "0.0.0.0" || cfg.api.listen == "::" ? std::string("localhost")
                                                                                                   : cfg.api.listen) +
                                    ":" + std::to_string(api_port) + "/";
    st.default_mode = storage::from_sql<notify::Mode>(n.default_mode).value_or(notify::Mode::digest);
    st.digest_hour = n.digest_hour;
    st.gather_ms = static_cast<std::int64_t>(n.gather_seconds) * 1000;
    if (n.smtp) {
      notify::SmtpSettings smtp;
      smtp.host = n.smtp->host;
      smtp.port = n.smtp->port;
      smtp.starttls = n.smtp->starttls;
      smtp.username = n.smtp->username;
      if (!n.smtp->password_file.empty()) smtp.password = secret_line(paths.resolve(n.smtp->password_file));
      smtp.from = n.smtp->from;
      if (!n.smtp->ca_file.empty()) smtp.ca_file = paths.resolve(n.smtp->ca_file).string();
      st.smtp = std::move(smtp);
    }
    for (std::size_t i = 0; i < n.webhooks.size(); ++i) {
      const auto& w = n.webhooks[i];
      notify::WebhookConfig hook;
      hook.target.name = w.name;
      hook.target.url = w.url;
      hook.target.secret = secret_line(paths.resolve(w.secret_file));
      if (!w.ca_file.empty()) hook.target.ca_file = paths.resolve(w.ca_file).string();
      for (const auto& t : w.topics) {
        auto topic = storage::from_sql<notify::Topic>(t);
        if (!topic) {
          throw std::runtime_error(paths.config().string() + ": notifications.webhooks[" + std::to_string(i) +
                                   "].topics: '" + t.substr(0, 64) + "' is not a topic (docs/notifications.md)");
        }
        hook.topics.insert(*topic);
      }
      st.webhooks.push_back(std::move(hook));
    }
    return std::make_unique<notify::Notifier>(
        *store, std::move(st),
        [this] {
          std::vector<notify::Recipient> out;
          for (const auto& u : users.list(api::epoch_ms(options.clock()))) {
            auto contact = users.contact_of(u.username);
            out.push_back({u.username, std::string(auth::to_string(u.role)), contact ? contact->email : ""});
          }
          return out;
        },
        [this] { return api::epoch_ms(options.clock()); });
  }

  // auth.oidc of node.json as the flow takes it; the client secret from its 0600 file.
  auth::OidcSettings oidc_settings(const config::OidcConfig& c) const {
    auth::OidcSettings s;
    s.issuer = c.issuer;
    s.client_id = c.client_id;
    s.client_secret = secret_line(paths.resolve(c.client_secret_file));
    s.redirect_uri = c.redirect_uri;
    s.post_logout_redirect_uri = c.post_logout_redirect_uri;
    s.scopes = c.scopes;
    s.ca_file = c.ca_file.empty() ? std::string() : paths.resolve(c.ca_file).string();
    s.connect_timeout_seconds = c.connect_timeout_seconds;
    s.timeout_seconds = c.timeout_seconds;
    s.algorithms.clear();
    for (const auto& a : c.algorithms) {
      s.algorithms.push_back(a == "PS256"   ? auth::SignatureAlgorithm::ps256
                             : a == "ES256" ? auth::SignatureAlgorithm::es256
                                            : auth::SignatureAlgorithm::rs256);
    }
    for (const auto& m : c.mappings) {
      s.mappings.push_back({m.claim, m.value, auth::role_from_string(m.role).value_or(auth::Role::officer), m.team});
    }
    return s;
  }

  // A secret kept in a file of its own (a relay password, a webhook key):
  // 0600, one line; the line end is not part of it.
  static crypto::SecretBytes secret_line(const std::filesystem::path& file) {
    auto raw = crypto::read_secret_file(file);
    std::size_t n = raw.size();
    while (n > 0 && (raw.data()[n - 1] == '\n' || raw.data()[n - 1] == '\r')) --n;
    return crypto::SecretBytes(crypto::Bytes(raw.data(), raw.data() + n));
  }

  std::vector<std::pair<std::string, std::filesystem::path>> certificate_files() const {
    std::vector<std::pair<std::string, std::filesystem::path>> certs{{"api", paths.api_cert()}};
    if (cfg.federation.enabled) certs.emplace_back("federation", paths.resolve(cfg.federation.tls_cert));
    return certs;
  }

  // What is checked rather than raised where it happens: certificates close
  // to their end, partners far behind, the node's own log. Hourly, on the
  // notifier's thread (reading only; raising is one small write).
  void check_conditions() {
    const auto now = api::epoch_ms(options.clock());
    if (now - last_conditions_ms < 3'600'000) return;
    last_conditions_ms = now;
    const std::string day = std::to_string(now / 86'400'000);
    std::vector<std::string> keys;
    for (const auto& [name, file] : certificate_files()) {
      try {
        const std::int64_t end = crypto::certificate_not_after(net::read_text_file(file));
        const std::int64_t days_left = (end * 1000 - now) / 86'400'000;
        // Once at 30 days, once more in the last week.
        if (days_left < 30) keys.push_back("cert:" + name + ":" + std::to_string(end) + (days_left < 7 ? ":7" : ""));
      } catch (const std::exception& e) {
        log::warn("notify.certificate_unreadable", {{"certificate", name}, {"error", e.what()}});
      }
    }
    std::vector<std::string> behind;
    if (federation) {
      const std::int64_t limit = static_cast<std::int64_t>(cfg.notifications.outbox_backlog_minutes) * 60'000;
      for (const auto& [partner, stats] : sharing.outbox.outbox_stats()) {
        if (stats.depth > 0 && now - stats.oldest_ms > limit) behind.push_back("backlog:" + partner + ":" + day);
      }
    }
    // Received records past their rule's feedback period: the analysts
    // hear of each once.
    std::vector<std::string> overdue;
    if (federation) {
      for (const auto& id : sharing.inbox.overdue_ids(*federation->policy(), now)) overdue.push_back("overdue:" + id);
    }
    bool log_ok = true;
    if (now - last_log_check_ms >= 6 * 3'600'000) {
      last_log_check_ms = now;
      log_ok = services.verify_audit().ok;
      log_verified = log_ok ? 1 : 0;
      if (!log_ok) log::error("audit.verify_failed", {});
    }
    store->write([&](storage::Database& db) {
      using notify::Audience;
      using notify::Notices;
      using notify::Topic;
      for (const auto& k : keys) Notices::raise_once(db, Topic::certificate_expiring, Audience::of(Topic::certificate_expiring), k, now);
      for (const auto& k : behind) Notices::raise_once(db, Topic::outbox_backlog, Audience::of(Topic::outbox_backlog), k, now);
      for (const auto& k : overdue) Notices::raise_once(db, Topic::feedback_overdue, Audience::of(Topic::feedback_overdue), k, now);
      if (!log_ok) Notices::raise_once(db, Topic::log_unverified, Audience::of(Topic::log_unverified), "log:" + day, now);
    });
  }

  bool notify_pass() {
    try {
      check_conditions();
    } catch (const std::exception& e) {
      log::error("notify.conditions_failed", {{"error", e.what()}});
    }
    return notifier->pass();
  }

  // Background work, one thread per job (docs/architecture.md, Threads):
  //  - maintenance: manifest and policy reload, signed tree heads, retention,
  //    and the sharing decisions of signals whose pseudonyms are ready. It
  //    never talks to a peer, so a stalled partner or PA cannot hold it up.
  //  - pseudonyms: the round trips to the PA.
  //  - one delivery thread per partner, with its own connection.
  bool maintenance_pass() {
    bool reloaded = federation && federation->reload_if_changed();
    if (configuration) {
      configuration->take_published();  // an operator's `federation config publish`, within a second
      if (configuration->apply_due(api::epoch_ms(options.clock()))) reloaded = true;
    }
    if (reloaded) {
      if (federation->policy()->sha256() != loaded_policy) record_policy_loaded();
      adopt_manifest_epoch();
    }
    if (federation) ensure_delivery_workers();
    try {
      // At most once a second, and only over new events: the pass itself runs
      // on every wake (each stored signal, each pseudonym batch).
      const auto steady = std::chrono::steady_clock::now();
      if (steady - last_tree_head >= std::chrono::seconds(1)) {
        last_tree_head = steady;
        audit.sign_tree_head();
      }
      auto now = api::epoch_ms(options.clock());
      if (now - last_prune_ms > 3'600'000) {  // retention, hourly
        last_prune_ms = now;
        run_retention(now);
      }
      // Requests past their deadline expire on both sides, and disclosed
      // identities past their rule's retention go, within a minute.
      if (federation && now - last_request_sweep_ms > 60'000 && sharing.retention.check_clock(now).plausible) {
        last_request_sweep_ms = now;
        if (sharing.requests.expire(now) > 0) log::info("requests.swept", {});
      }
      // Identifiers whose pseudonym went missing in a race with an epoch
      // change are queued again (a repair; normally none).
      // Idempotency keys are kept 24 hours; older ones go every ten minutes.
      if (now - last_idempotency_sweep_ms > 600'000) {
        last_idempotency_sweep_ms = now;
        if (auto n = idempotency.forget_expired(); n > 0) log::info("idempotency.swept", {{"keys", n}});
      }
      if (!pa && now - last_requeue_ms > 600'000) {
        last_requeue_ms = now;
        if (pseudonymiser.requeue_missing() > 0 && pseudonym_worker) pseudonym_worker->wake();
      }
    } catch (const std::exception& e) {
      log::error("audit.maintenance_failed", {{"error", e.what()}});
    }
    std::size_t awaiting = 0, caught_up_waiting = 0;
    if (federation &&
        sharing.outbox.share_ready(*federation->policy(), *federation->manifest(), federation->self(), 200, &awaiting) > 0) {
      wake_deliveries();
    }
    // What a partner was not granted before a new covenant or manifest.
    if (federation) {
      try {
        auto queued = sharing.outbox.catch_up(*federation->policy(), *federation->manifest(), federation->self(), 200,
                                              &caught_up_waiting);
        if (queued > 0) {
          log::info("sharing.caught_up", {{"records", queued}});
          wake_deliveries();
        }
        awaiting += caught_up_waiting;
      } catch (const std::exception& e) {
        log::error("sharing.catch_up_failed", {{"error", e.what()}});
      }
    }
    // Signals granted to a partner wait for their pseudonyms in its domain.
    if (awaiting > 0 && pseudonym_worker) pseudonym_worker->wake();
    return false;
  }

  bool pseudonym_pass() {
    auto* t = transport();
    if (!t) return false;
    auto result = pseudonymiser.process_pending(*t);
    if (!result.error.empty()) log::warn("pseudonyms.pa_unavailable", {{"pending", result.failed}, {"error", result.error}});
    if (result.computed > 0 && maintenance) maintenance->wake();  // their signals may be ready to share
    std::size_t handled = result.computed + result.set_aside;  // a full batch, good or set aside: more may be due
    return handled > 0 && handled >= t->max_batch();
  }

  // One partner's queue: the partner as the manifest now names it, and a
  // connection rebuilt when the manifest (and so its pin) changes.
  struct PartnerDelivery {
    std::string org;
    std::unique_ptr<net::HttpsClient> client;
    crypto::Digest256 client_manifest{};
    std::unique_ptr<PeriodicWorker> worker;
    std::chrono::steady_clock::time_point reconcile_not_before{};
  };

  bool delivery_pass(PartnerDelivery& d) {
    auto manifest = federation->manifest();
    const federation::Partner* partner = nullptr;
    for (const auto& p : manifest->partners) {
      if (p.org == d.org) partner = &p;
    }
    if (!partner) return false;  // no longer in the federation: its records wait
    if (!d.client || d.client_manifest != manifest->sha256) {
      d.client = federation->client_for(*partner);
      d.client_manifest = manifest->sha256;
    }
    // After a restore: first what this partner holds that the snapshot does
    // not know (withdrawn), a page per pass, then the queue as usual.
    // A partner that cannot answer (away, or a release without the call)
    // is asked again a minute later; its deliveries go on meanwhile.
    bool more_to_reconcile = false;
    if (std::chrono::steady_clock::now() >= d.reconcile_not_before && sharing.reconcile.pending_for(d.org)) {
      try {
        more_to_reconcile = sharing.reconcile.step(*partner, *d.client) == sharing::Reconcile::Step::more;
      } catch (const std::exception& e) {
        d.reconcile_not_before = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        log::warn("restore.reconcile_failed", {{"partner", d.org}, {"error", e.what()}});
      }
    }
    constexpr std::size_t kBatch = 500;
    return sharing.delivery.deliver_to(*partner, *federation->policy(), federation->self(), signing_key, *d.client, kBatch) >=
               kBatch ||
           more_to_reconcile;
  }

  void ensure_delivery_workers() {
    auto manifest = federation->manifest();
    std::lock_guard lock(deliveries_mutex);
    if (stopping.load()) return;
    for (const auto& p : manifest->partners) {
      // A PA receives nothing, and a PA node sends nothing.
      if (p.org == cfg.org || p.pseudonymisation_authority || pa || deliveries.contains(p.org)) continue;
      auto d = std::make_unique<PartnerDelivery>();
      d->org = p.org;
      auto* raw = d.get();
      d->worker = std::make_unique<PeriodicWorker>("delivery:" + p.org, std::chrono::seconds(1),
                                                   [this, raw] { return delivery_pass(*raw); });
      deliveries.emplace(p.org, std::move(d));
    }
  }

  void wake_deliveries() {
    std::lock_guard lock(deliveries_mutex);
    for (auto& [org, d] : deliveries) d->worker->wake();
  }

  void stop_workers() {
    stopping = true;
    if (federation) federation->stop_calls();  // calls under way end now, not at their deadline
    if (notifier) notifier->stop();  // a mail under way ends now, and is sent after the restart
    std::vector<PeriodicWorker*> all;
    if (maintenance) all.push_back(maintenance.get());
    if (pseudonym_worker) all.push_back(pseudonym_worker.get());
    if (notify_worker) all.push_back(notify_worker.get());
    if (configuration_worker) all.push_back(configuration_worker.get());
    {
      // No new delivery worker starts once `stopping` is set (checked under
      // this lock); the joins happen outside it, since maintenance takes it.
      std::lock_guard lock(deliveries_mutex);
      for (auto& [org, d] : deliveries) all.push_back(d->worker.get());
    }
    for (auto* w : all) w->request_stop();
    for (auto* w : all) w->join();
  }

  NodeOptions options;
  config::NodePaths paths;
  config::NodeConfig cfg;
  crypto::AeadKey data_key;
  crypto::SigningKey signing_key;
  std::unique_ptr<storage::Store> store;
  signals::SignalRepository signals;
  auth::TokenStore tokens;
  auth::UserStore users;
  auth::SecondFactors factors;
  std::unique_ptr<auth::OidcLogin> oidc;  // sign-in through the organisation's provider, when configured
  pseudonyms::Pseudonymiser pseudonymiser;
  sharing::Sharing sharing;
  audit::AuditLog audit;
  std::mutex pa_mutex;
  std::map<std::string, std::uint64_t> pa_counts;
  std::unique_ptr<pseudonyms::PaService> pa;
  std::map<std::string, std::uint64_t> holder_faults;  // by share holder, under pa_mutex
  http::Metrics metrics;
  api::Router router;
  // The federation listener's routes: partners are known by certificate, never by token.
  api::Router federation_router{metrics, [](std::string_view) { return std::optional<auth::Principal>(); }};
  api::SlowLane slow_lane;
  api::SlowLane store_lane{256};
  api::SlowLane pa_lane{8};
  api::SlowLane provider_lane{16};  // OIDC calls to the identity provider
  // Partners' batches are stored here, off the federation listener's I/O
  // threads; a lane of their own, so officers' requests never wait behind them.
  api::SlowLane receive_lane{64};
  api::SlowLane evaluate_lane{64};  // on the PA: partners' OPRF evaluations
  // Per partner: what it may send this node each minute (node.json federation.*PerMinute).
  limits::RateLimiter batch_budget{static_cast<double>(cfg.federation.receive_batches_per_minute) / 60,
                                   static_cast<double>(cfg.federation.receive_batches_per_minute)};
  limits::RateLimiter byte_budget{static_cast<double>(cfg.federation.receive_bytes_per_minute) / 60,
                                  static_cast<double>(cfg.federation.receive_bytes_per_minute)};
  // Records are counted once the batch's signature verifies, on the receive lane.
  limits::RateLimiter record_budget{static_cast<double>(cfg.federation.receive_records_per_minute) / 60,
                                    static_cast<double>(cfg.federation.receive_records_per_minute)};
  api::ApiServices services;
  // Before the server: a request's hold on its key may outlive a stop.
  api::Idempotency idempotency{*store, [this] { return api::epoch_ms(options.clock()); }};
  std::unique_ptr<net::HttpsServer> server;
  std::unique_ptr<federation::Federation> federation;
  std::unique_ptr<federation::ConfigurationSync> configuration;
  std::unique_ptr<PeriodicWorker> configuration_worker;
  std::unique_ptr<pseudonyms::OprfTransport> remote_transport;
  std::uint16_t federation_port = 0;
  std::array<std::uint8_t, 32> loaded_policy{};
  std::int64_t last_prune_ms = 0;
  std::int64_t last_requeue_ms = 0;
  std::int64_t last_idempotency_sweep_ms = 0;
  std::chrono::steady_clock::time_point last_tree_head{};

  std::atomic<bool> stopping{false};
  std::unique_ptr<PeriodicWorker> maintenance;
  std::int64_t last_request_sweep_ms = 0;
  std::atomic<bool> clock_implausible{false};  // retention held back (see run_retention)
  std::unique_ptr<PeriodicWorker> pseudonym_worker;
  std::mutex deliveries_mutex;
  std::map<std::string, std::unique_ptr<PartnerDelivery>> deliveries;
  std::unique_ptr<notify::Notifier> notifier;
  std::unique_ptr<PeriodicWorker> notify_worker;
  std::int64_t last_conditions_ms = 0;
  std::int64_t last_log_check_ms = 0;
  std::atomic<int> log_verified{-1};  // the last self-check: 1 ok, 0 failed, -1 not yet
};

NodeApp::NodeApp(NodeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->signals.prove_key();  // a wrong data key refuses to start (issue 18)
  // A log shorter than its last signed state outside the database lost
  // committed work (a deleted WAL, an older copy): refuse to serve it.
  if (auto kept = audit::AuditLog::read_head_copy(impl_->paths.audit_head())) {
    auto why = impl_->store->read([&](storage::Database& db) { return audit::AuditLog::check_against_copy(db, *kept); });
    if (why) {
      throw std::runtime_error("refusing to start: " + *why + " (" + impl_->paths.audit_head().string() +
                               "; see docs/operations.md, 'Integrity at start')");
    }
  }
  impl_->audit.keep_head_copy(impl_->paths.audit_head());
}

NodeApp::~NodeApp() { stop(); }

std::uint16_t NodeApp::start() {
  const auto& api_cfg = impl_->cfg.api;
  net::ServerLimits limits;
  limits.max_connections = api_cfg.max_connections;
  limits.max_connections_per_address = api_cfg.max_connections_per_address;
  limits.request_timeout = std::chrono::seconds(api_cfg.header_timeout_seconds);
  // A TLS 1.3 handshake takes one round trip: a connection that has not done
  // it in 5 s is not a client, and gives its slot back.
  limits.handshake_timeout = std::chrono::seconds(std::min(5, api_cfg.header_timeout_seconds));
  limits.first_request_timeout = std::chrono::seconds(std::min(5, api_cfg.idle_timeout_seconds));
  limits.idle_timeout = std::chrono::seconds(api_cfg.idle_timeout_seconds);
  limits.on_io_thread_start = [] { storage::Store::forbid_blocking_writes_here(); };
  auto identity = net::TlsIdentity::load(impl_->paths.api_cert(), impl_->paths.api_key());
  impl_->server = std::make_unique<net::HttpsServer>(identity, limits, impl_->router.as_handler(), impl_->metrics);
  std::uint16_t port = impl_->server->listen(api_cfg.listen, impl_->options.port.value_or(api_cfg.port));
  // Passkeys: the page's origin is https://<rpId>:<port> unless node.json names others.
  if (impl_->cfg.auth.webauthn_origins.empty()) {
    impl_->factors.set_origins({"https://" + impl_->cfg.auth.webauthn_rp_id + ":" + std::to_string(port)});
  }
  // Before anything is written by this start's clock, which may have jumped.
  impl_->sharing.retention.remember_recorded_time();
  impl_->sharing.outbox.recover();
  if (impl_->federation) impl_->sharing.reconcile.expand(*impl_->federation->manifest(), impl_->cfg.org);
  impl_->relink_legacy_identifiers();
  impl_->adopt_manifest_epoch();
  impl_->pseudonymiser.backfill_match_keys();
  // The workers exist before the listeners answer, so that a request's wake
  // never races their creation; maintenance first, since pseudonyms wakes it.
  impl_->maintenance = std::make_unique<PeriodicWorker>("maintenance", std::chrono::seconds(1),
                                                        [this] { return impl_->maintenance_pass(); });
  impl_->pseudonym_worker = std::make_unique<PeriodicWorker>("pseudonyms", std::chrono::seconds(1),
                                                             [this] { return impl_->pseudonym_pass(); });
  impl_->notifier = impl_->make_notifier(port);
  impl_->services.notifier = impl_->notifier.get();
  impl_->notify_worker = std::make_unique<PeriodicWorker>("notifications", std::chrono::seconds(2),
                                                          [this] { return impl_->notify_pass(); });
  if (impl_->configuration) {
    impl_->configuration_worker = std::make_unique<PeriodicWorker>(
        "configuration", std::chrono::seconds(impl_->options.configuration_fetch_seconds),
        [this] { return impl_->configuration_pass(); });
  }
  impl_->server->start(api_cfg.threads);
  if (impl_->federation) impl_->federation->on_io_thread_start([] { storage::Store::forbid_blocking_writes_here(); });
  if (impl_->federation) impl_->federation_port = impl_->federation->start(api_cfg.threads, impl_->federation_router.as_handler());
  log::info("node.started", {{"org", impl_->cfg.org},
                             {"role", impl_->cfg.role},
                             {"apiPort", port},
                             {"federationPort", impl_->federation_port},
                             {"pseudonymisationAuthority", impl_->cfg.pseudonymisation_authority}});
  return port;
}

void NodeApp::stop(const std::atomic<bool>* hurry) {
  if (!impl_ || !impl_->server) return;
  // A draining stop (issue 18): the listeners take no new connections, what
  // is being read or handled finishes and is answered (new requests get 503
  // with Retry-After), for at most api.shutdownGraceSeconds; then the workers
  // stop, the lanes run what they hold until the same deadline (later jobs
  // are answered 503), and the writer commits everything queued.
  const auto began = std::chrono::steady_clock::now();
  auto deadline = began + std::chrono::seconds(impl_->cfg.api.shutdown_grace_seconds);
  impl_->server->begin_drain();
  if (impl_->federation) impl_->federation->begin_drain();
  // In slices, so that `hurry` (a second SIGTERM: the operator will not
  // wait) ends the grace at once: what is answered is answered, the rest is
  // cut, and the writer still commits everything queued.
  bool drained = false;
  for (;;) {
    const auto slice = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    drained = impl_->server->wait_drained(slice) && (!impl_->federation || impl_->federation->wait_drained(slice));
    if (drained || std::chrono::steady_clock::now() >= deadline) break;
    if (hurry && hurry->load()) {
      deadline = std::chrono::steady_clock::now();
      log::warn("node.grace_cut", {});
      break;
    }
  }
  std::size_t left = impl_->server->open_connections() +
                     (impl_->federation ? impl_->federation->open_connections() : 0);
  auto drain_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  if (drained) {
    log::info("node.drained", {{"ms", static_cast<std::int64_t>(drain_ms.count())}});
  } else {
    log::warn("node.drain_incomplete", {{"ms", static_cast<std::int64_t>(drain_ms.count())},
                                        {"connections", left},
                                        {"graceSeconds", impl_->cfg.api.shutdown_grace_seconds}});
  }
  impl_->stop_workers();
  // Order matters: stop the I/O threads, then drain the writer (its
  // completions post to the still-existing I/O context), then free the server.
  impl_->server->stop();
  if (impl_->federation) impl_->federation->stop();
  impl_->slow_lane.stop(deadline);  // their jobs use the store
  impl_->store_lane.stop(deadline);
  impl_->pa_lane.stop(deadline);
  impl_->provider_lane.stop(deadline);
  impl_->receive_lane.stop(deadline);
  impl_->evaluate_lane.stop(deadline);
  impl_->store.reset();
  impl_->server.reset();
  log::info("node.stopped", {{"org", impl_->cfg.org},
                             {"ms", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                  std::chrono::steady_clock::now() - began)
                                                                  .count())}});
}

const config::NodeConfig& NodeApp::config() const { return impl_->cfg; }
const config::NodePaths& NodeApp::paths() const { return impl_->paths; }
auth::UserStore& NodeApp::users() { return impl_->users; }
auth::TokenStore& NodeApp::tokens() { return impl_->tokens; }
api::Router& NodeApp::router() { return impl_->router; }
pseudonyms::Pseudonymiser& NodeApp::pseudonymiser() { return impl_->pseudonymiser; }
pseudonyms::PaService* NodeApp::pa_service() { return impl_->pa.get(); }
pseudonyms::OprfTransport* NodeApp::oprf_transport() { return impl_->transport(); }

federation::Federation* NodeApp::federation() { return impl_->federation.get(); }
federation::ConfigurationSync* NodeApp::configuration() { return impl_->configuration.get(); }
std::uint16_t NodeApp::federation_port() const { return impl_->federation_port; }

sharing::Sharing& NodeApp::sharing() { return impl_->sharing; }
audit::AuditLog& NodeApp::audit() { return impl_->audit; }
notify::Notifier* NodeApp::notifier() { return impl_->notifier.get(); }

void NodeApp::run_retention() { impl_->run_retention(api::epoch_ms(impl_->options.clock())); }

pseudonyms::PassResult NodeApp::pseudonymise_pending() {
  auto* t = impl_->transport();
  if (!t) return {0, 0, "no way to reach the PA"};
  return impl_->pseudonymiser.process_pending(*t);
}

}  // namespace signalnode::node::app

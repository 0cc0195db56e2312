#include <boost/json.hpp>

#include <ctime>

#include "crypto/random.hpp"
#include "node/api/idempotency.hpp"
#include "node/api/node_api.hpp"
#include "node/http/problem.hpp"
#include "node/audit/audit_log.hpp"
#include "node/log/log.hpp"
#include "node/api/outcome.hpp"
#include "node/sharing/sharing.hpp"
#include "node/signals/signal_json.hpp"

namespace signalnode::node::api {
namespace json = boost::json;

std::chrono::sys_days local_today(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  return std::chrono::sys_days{std::chrono::year{tm.tm_year + 1900} / (tm.tm_mon + 1) / tm.tm_mday};
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

namespace {

bool is_signal_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void submit_signal(ApiServices& s, RouteContext ctx, Respond respond) {
  if (s.role == "pseudonymisation_authority") {
    // It evaluates for the partners and keeps nothing about anyone.
    return respond(problem(409, "not-a-partner", "Signalen melden kan hier niet / Not a partner node",
                           "a pseudonymisation authority takes no signals"));
  }
  auto now = s.clock();
  auto parsed = signals::parse_signal_all(ctx.request.body, s.taxonomy, local_today(now));
  if (!parsed.signal) return respond(invalid_fields(parsed.errors));
  signals::Signal signal = std::move(*parsed.signal);
  // A signal is about a place: where the officer names none, the node's own
  // municipality (rules that route by area need it; BRIEF 3.11).
  if (!signal.municipality && s.municipality) signal.municipality = *s.municipality;
  signal.created_at_ms = epoch_ms(now);
  // Time-ordered: a new signal's rows land on the last pages of every index
  // keyed by it (issue 19). The id stays at this node; records to partners
  // carry ids derived without it (sharing/outbox.cpp).
  signal.id = crypto::time_ordered_hex_id(signal.created_at_ms);
  signal.submitted_by = ctx.principal->token_id;

  auto insert = s.signals.insert_job(signal, signals::prepare_identifiers(signal, s.pseudonymiser));
  std::string id = signal.id;
  std::string category = signal.category;
  std::size_t subjects = signal.subjects.size();
  auto stored = s.on_signal_stored;
  HttpResponse created = json_response(201, json::serialize(json::object{{"id", id}}));
  created.headers.emplace_back("Location", "/api/v1/signals/" + id);
  // The Idempotency-Key is committed with the signal: a retry after a crash
  // between the commit and the answer finds it and gets this 201 again.
  storage::Store::WriteJob job = [insert = std::move(insert), claim = ctx.idempotency,
                                  created](storage::Database& db) {
    insert(db);
    if (claim) claim->record_in(db, created);
  };
  s.store.write_async(std::move(job), answer_after_commit(std::move(respond), [id, category, subjects, stored, created](
                                                               std::exception_ptr error, const Respond& answer) {
    if (error) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      }
      log::error("signal.store_failed", {{"error", what}});
      HttpResponse r = problem(503, "store-unavailable", "Not stored",
                               "the signal could not be stored durably; nothing was kept, try again");
      r.headers.emplace_back("Retry-After", "30");
      return answer(std::move(r));
    }
    log::info("signal.stored", {{"signal", id}, {"category", category}, {"subjects", subjects}});
    if (stored) stored();
    answer(created);
  }));
}

void list_signals(ApiServices& s, RouteContext ctx, Respond respond) {
  auto query = parse_query(ctx.request.query);
  if (!query) return respond(invalid_field({"query", "is not a valid query string"}));
  signals::ListQuery q;
  for (const auto& [key, value] : *query) {
    if (key == "limit") {
      auto n = parse_int_in(value, 1, 500);
      if (!n) return respond(invalid_field({"limit", "must be a whole number from 1 to 500"}));
      q.limit = static_cast<std::size_t>(*n);
    } else if (key == "before") {
      if (!is_signal_id(value)) return respond(invalid_field({"before", "must be a signal id"}));
      q.before_id = value;
    } else if (key == "category") {
      if (!s.taxonomy.find(value)) return respond(invalid_field({"category", "is not a category of the taxonomy"}));
      q.category = value;
    } else if (key == "mine") {
      if (value != "true" && value != "false") return respond(invalid_field({"mine", "must be true or false"}));
      if (value == "true") q.submitted_by = ctx.principal->token_id;
    } else {
      return respond(invalid_field({key, "is not a known query parameter"}));
    }
  }
  auto items = s.signals.list(q);
  // At a glance, per partner where each signal is and how many answered.
  std::map<std::string, sharing::SignalProgress> progress;
  if (s.sharing) {
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(item.id);
    progress = s.sharing->outbox.progress_of(ids);
  }
  json::array out;
  for (const auto& item : items) {
    json::object o = signals::summary_to_json(item);
    if (auto it = progress.find(item.id); it != progress.end()) {
      json::array sharing;
      for (const auto& p : it->second.sharing) sharing.push_back(json::object{{"partner", p.partner}, {"state", p.state}});
      o["sharing"] = std::move(sharing);
      o["feedback"] = it->second.feedback;
    }
    out.push_back(std::move(o));
  }
  json::object body{{"items", std::move(out)}};
  body["next"] = items.size() == q.limit ? json::value(items.back().id) : json::value(nullptr);
  respond(json_response(200, json::serialize(body)));
}

void get_signal(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  std::optional<signals::Signal> signal;
  if (is_signal_id(id)) signal = s.signals.get(id);
  if (!signal) return respond(problem(404, "not-found", "Not found", "no signal with this id"));
  json::object body = signals::signal_to_json(*signal);
  if (s.sharing) {
    // A delivered record whose rule sets a feedback period is due from the
    // receipt that acknowledged it; past that without an answer from the
    // partner (feedback other than `received`) it has no answer yet.
    const auto policy = s.policy ? s.policy() : nullptr;
    const std::int64_t now = epoch_ms(s.clock());
    json::array sharing;
    for (const auto& p : s.sharing->outbox.state_of(id)) {
      json::object o{{"partner", p.partner}, {"state", p.state}, {"attempts", p.attempts}};
      if (!p.rule_id.empty()) o["rule"] = p.rule_id;
      if (!p.reason.empty()) o["reason"] = p.reason;
      if (p.delivered_at_ms) o["deliveredAt"] = signals::iso8601_utc(*p.delivered_at_ms);
      if (p.follow_up) {
        json::object f{{"kind", p.follow_up->kind}, {"state", p.follow_up->state}};
        if (!p.follow_up->reason.empty()) f["reason"] = p.follow_up->reason;
        o["followUp"] = std::move(f);
      }
      const bool withdrawn_there = p.follow_up && p.follow_up->kind == "withdrawal";
      if (p.state == "delivered" && p.delivered_at_ms && !withdrawn_there &&
          signal->status == signals::SignalStatus::active) {
        if (auto due = sharing::feedback_due_at(policy ? policy->find(p.rule_id) : nullptr, *p.delivered_at_ms)) {
          o["feedbackDueAt"] = signals::iso8601_utc(*due);
          o["noAnswerYet"] = *due < now && !p.answered;
        }
      }
      sharing.push_back(std::move(o));
    }
    body["sharing"] = std::move(sharing);
    // Not decided yet: the officer sees why nothing is listed (issue 18: an
    // empty list while the PA was away), and whether the PA answers now.
    if (signal->status == signals::SignalStatus::active && s.signals.awaiting_decision(id)) {
      json::object waits{{"for", "pseudonyms"}};
      if (s.pa_transport && s.pa_transport()) {
        const auto pa = s.pseudonymiser.reachability();
        waits["paReachable"] = pa.unreachable() ? json::value(false) : pa.last_success_ms ? json::value(true) : json::value(nullptr);
        if (pa.unreachable()) waits["unreachableSince"] = signals::iso8601_utc(pa.failing_since_ms);
      }
      body["sharingWaits"] = std::move(waits);
    }
    json::array feedback, notices;
    for (const auto& f : s.sharing->follow_ups.feedback_of(id)) {
      json::object o{{"partner", f.partner}, {"receivedAt", signals::iso8601_utc(f.received_at_ms)}};
      if (f.kind == "feedback") {
        o["status"] = f.status;
        if (!f.reason.empty()) o["reason"] = f.reason;
        if (!f.note.empty()) o["note"] = f.note;
        feedback.push_back(std::move(o));
      } else {
        if (f.organisations >= 0) o["organisations"] = f.organisations;
        if (!f.categories.empty()) {
          json::array c;
          for (const auto& x : f.categories) c.push_back(json::value(x));
          o["categories"] = std::move(c);
        }
        notices.push_back(std::move(o));
      }
    }
    body["feedback"] = std::move(feedback);
    body["bundleNotices"] = std::move(notices);
  }
  respond(json_response(200, json::serialize(body)));
}

void withdraw_signal(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  if (!is_signal_id(id) || !s.sharing) return respond(problem(404, "not-found", "Not found", "no signal with this id"));
  run_after_commit(s, [&s, id, by = ctx.principal->token_id](const Respond& answer) {
    auto result = s.sharing->follow_ups.withdraw(id, by);
    if (result.kind == sharing::Outcome::Kind::queued && s.on_signal_stored) s.on_signal_stored();
    answer(outcome_response(result, "already-withdrawn", "Already withdrawn"));
  }, std::move(respond));
}

// PUT /api/v1/signals/{id}: the full corrected signal (GDPR art. 16 and 19).
void correct_signal(ApiServices& s, RouteContext ctx, Respond respond) {
  const std::string& id = ctx.params.at("id");
  std::optional<signals::Signal> current;
  if (is_signal_id(id)) current = s.signals.get(id);
  if (!current) return respond(problem(404, "not-found", "Not found", "no signal with this id"));
  if (current->status != signals::SignalStatus::active) {
    return respond(problem(409, "withdrawn", "Withdrawn", "a withdrawn signal cannot be corrected"));
  }
  auto parsed = signals::parse_signal_all(ctx.request.body, s.taxonomy, local_today(s.clock()));
  if (!parsed.signal) return respond(invalid_fields(parsed.errors));
  signals::Signal signal = std::move(*parsed.signal);
  signal.id = id;
  signal.created_at_ms = current->created_at_ms;
  signal.submitted_by = current->submitted_by;
  auto inner = s.signals.correct_job(signal, signals::prepare_identifiers(signal, s.pseudonymiser));
  std::string category = signal.category, by = ctx.principal->token_id;
  std::int64_t now = epoch_ms(s.clock());
  auto stored = s.on_signal_stored;
  s.store.write_async(
      [inner, id, category, by, now](storage::Database& db) {
        inner(db);
        audit::Event e;
        e.name = audit::events::kSignalCorrected;
        e.start_ms = e.end_ms = now;
        e.attributes = {{"signalId", id}, {"category", category}, {"by", by},
                        {"legalBasis", "AVG art. 16 and 19 (rectification, notification of recipients)"}};
        e.category = category;
        audit::AuditLog::append(db, e);
      },
      answer_after_commit(std::move(respond), [id, stored](std::exception_ptr error, const Respond& answer) {
        if (error) {
          try {
            std::rethrow_exception(error);
          } catch (const signals::NotCorrectable&) {
            return answer(problem(409, "withdrawn", "Withdrawn", "a withdrawn signal cannot be corrected"));
          } catch (const std::exception& e) {
            log::error("signal.store_failed", {{"error", e.what()}});
          }
          return answer(problem(503, "store-unavailable", "Not stored",
                               "the correction could not be stored durably; nothing was changed, try again"));
        }
        log::info("signal.corrected", {{"signal", id}});
        if (stored) stored();
        answer(json_response(200, json::serialize(json::object{{"id", id}, {"status", "corrected"}})));
      }));
}

}  // namespace

void add_signal_routes(Router& router, ApiServices& s) {
  using auth::Role;
  router.add("POST", "/api/v1/signals", Access::only({Role::officer}),
             [&s](RouteContext ctx, Respond respond) { submit_signal(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/signals", Access::only({Role::officer}),
             [&s](RouteContext ctx, Respond respond) { list_signals(s, ctx, std::move(respond)); });
  router.add("GET", "/api/v1/signals/{id}", Access::only({Role::officer}),
             [&s](RouteContext ctx, Respond respond) { get_signal(s, ctx, std::move(respond)); });
  router.add("PUT", "/api/v1/signals/{id}", Access::only({Role::officer}),
             [&s](RouteContext ctx, Respond respond) { correct_signal(s, ctx, std::move(respond)); });
  router.add("DELETE", "/api/v1/signals/{id}", Access::only({Role::officer}).with_step_up(),
             [&s](RouteContext ctx, Respond respond) { withdraw_signal(s, ctx, std::move(respond)); });
}

}  // namespace signalnode::node::api

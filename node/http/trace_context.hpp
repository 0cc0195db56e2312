// W3C Trace Context of the API request being handled, for the audit log
// (Logboek Dataverwerkingen: an application called by another accepts its
// trace context). While an API request that sent a well-formed `traceparent`
// is handled, on the thread that handles it, on the lanes its work is posted
// to (node/api SlowLane) and on the store's writer thread for its writes
// (node/storage Store), every audit Event made starts in the caller's trace
// with the caller's span as its parent. On the federation listener the caller
// is a partner: what its call makes the node log is in the partner's trace
// with the partner's operation as foreignOperation (its `entity` set here).
// Here, the lowest layer, so that all of those can carry it.
#pragma once

#include <optional>
#include <string>

namespace signalnode::node::http {

struct TraceContext {
  std::string trace_id;  // 32 hex
  std::string span_id;   // 16 hex: the caller's span, the parent of what the request logs
  // A partner's call (federation listener): urn:oin:<its OIN>. Then the
  // caller's span is a foreign operation, not a parent.
  std::string foreign_entity;
};

// The context of the request handled on this thread, or nullopt.
const std::optional<TraceContext>& current_trace();

// Sets the thread's context for its lifetime and restores the one before.
class TraceScope {
 public:
  explicit TraceScope(std::optional<TraceContext> context);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  std::optional<TraceContext> saved_;
};

}  // namespace signalnode::node::http

#include "node/http/trace_context.hpp"

namespace signalnode::node::http {

namespace {
thread_local std::optional<TraceContext> t_current;
}  // namespace

const std::optional<TraceContext>& current_trace() { return t_current; }

TraceScope::TraceScope(std::optional<TraceContext> context) : saved_(std::move(t_current)) {
  t_current = std::move(context);
}

TraceScope::~TraceScope() { t_current = std::move(saved_); }

}  // namespace signalnode::node::http

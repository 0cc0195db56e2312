// A signal as the node holds it: the officer's full report. Only this node
// ever sees it whole; what partners get is derived from it by policy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node/signals/signal_state.hpp"
#include "protocol/identifiers.hpp"

namespace signalnode::node::signals {

struct Subject {
  std::string kind;  // taxonomy subject kind: person, organisation, address, ...
  std::string role;  // free label from a fixed alphabet: worker, temp_agency, ...
  // The validated input fields as the officer gave them (trimmed), e.g.
  // {"bsn", "123456782"}, {"name", "..."}; sealed at rest, never shared.
  std::vector<std::pair<std::string, std::string>> fields;
  // Canonical identifiers derived from the fields (BRIEF 3.5).
  std::vector<protocol::CanonicalId> identifiers;
};

struct Signal {
  std::string id;
  std::string category;
  std::string observed_on;  // YYYY-MM-DD
  std::optional<std::string> municipality;  // CBS code GMxxxx
  std::string severity = "medium";
  std::optional<std::int64_t> persons;
  std::string summary;  // free text: stays on this node
  std::vector<Subject> subjects;
  SignalStatus status = SignalStatus::active;
  std::int64_t created_at_ms = 0;
  std::string submitted_by;  // the token or user id that submitted it
};

// What a list shows: no sealed detail, so listing never decrypts.
struct SignalSummary {
  std::string id;
  std::string category;
  std::string observed_on;
  std::optional<std::string> municipality;
  std::string severity;
  std::optional<std::int64_t> persons;
  SignalStatus status = SignalStatus::active;
  std::int64_t created_at_ms = 0;
  std::vector<std::string> subject_kinds;
};

}  // namespace signalnode::node::signals

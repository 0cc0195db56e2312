// Storage limitation (GDPR art. 5(1)(e)) for what sharing keeps.
#pragma once

#include <cstdint>

#include "node/sharing/context.hpp"

namespace signalnode::node::sharing {

class Retention {
 public:
  explicit Retention(Context& ctx) : ctx_(ctx) {}

  // Deletes received records past their rule's retention (and their
  // subjects), recording the count in the audit log. Returns it.
  std::int64_t expire_received();
  // Deletes own signals older than `retention_days` with everything they
  // carry (outbox, feedback), recording the count in the audit log.
  std::int64_t expire_own(int retention_days);

 private:
  Context& ctx_;
};

}  // namespace signalnode::node::sharing

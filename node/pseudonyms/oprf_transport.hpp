// How a node reaches the pseudonymisation authority: an interface, so the
// pseudonymiser does not depend on how (ThresholdTransport over the share
// holders, node/pseudonyms/threshold_client.hpp, reached over mTLS by the
// federation client or in process by tests).
#pragma once

#include <span>
#include <stdexcept>
#include <string>

#include "node/pseudonyms/pa_service.hpp"

namespace signalnode::node::pseudonyms {

// The PA could not be reached or refused; nothing was computed. The message
// never contains identifiers (the transport never sees them).
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& what, double retry_after_seconds = 0)
      : std::runtime_error(what), retry_after_(retry_after_seconds) {}
  double retry_after() const { return retry_after_; }

 private:
  double retry_after_;
};

class OprfTransport {
 public:
  virtual ~OprfTransport() = default;
  virtual std::size_t max_batch() const = 0;
  // Evaluated elements, one per blinded element, in order, each already
  // verified (proofs checked, shares combined); throws TransportError.
  virtual PaAnswer evaluate(std::span<const crypto::oprf::Element> blinded) = 0;
};

}  // namespace signalnode::node::pseudonyms

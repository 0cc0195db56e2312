// How a node reaches the pseudonymisation authority. The PA node itself uses
// LocalPaTransport; other nodes use the federation client (HTTPS over mTLS)
// once the federation listener exists.
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
  // Evaluated elements, one per blinded element, in order; throws TransportError.
  virtual PaAnswer evaluate(std::span<const crypto::oprf::Element> blinded) = 0;
};

// The PA node calling its own service (same checks, rate limit and record).
class LocalPaTransport : public OprfTransport {
 public:
  LocalPaTransport(PaService& pa, std::string caller) : pa_(pa), caller_(std::move(caller)) {}
  std::size_t max_batch() const override { return pa_.limits().max_batch; }
  PaAnswer evaluate(std::span<const crypto::oprf::Element> blinded) override {
    PaResult r = pa_.evaluate(caller_, blinded);
    if (auto* refusal = std::get_if<PaRefusal>(&r)) {
      throw TransportError("PA refused: " + refusal->error.field + " " + refusal->error.reason,
                           refusal->retry_after_seconds);
    }
    return std::get<PaAnswer>(std::move(r));
  }

 private:
  PaService& pa_;
  std::string caller_;
};

}  // namespace signalnode::node::pseudonyms

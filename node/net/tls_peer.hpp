// Mutual TLS: who may connect (server side) and whom we talk to (client side),
// decided on the peer's certificate after the handshake and before any HTTP
// byte is read or written.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "crypto/x509.hpp"

namespace signalnode::node::net {

// The partner id the certificate belongs to, or nullopt to refuse.
using PeerAuthorizer = std::function<std::optional<std::string>(const crypto::CertificateIdentity&)>;

}  // namespace signalnode::node::net

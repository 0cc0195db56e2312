// RFC 9457 problem details. Field errors follow the NL API Design Rules'
// `invalidParams` extension, so a client can point at the bad field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "node/http/types.hpp"
#include "protocol/result.hpp"

namespace signalnode::node::http {

// `code` becomes the type URI urn:signalnode:problem:<code>.
HttpResponse problem(int status, std::string_view code, std::string_view title, std::string_view detail);
HttpResponse invalid_field(const protocol::FieldError& error, int status = 400);
// Every failing field of a form at once (invalidParams in body order); the
// detail names the first.
HttpResponse invalid_fields(const std::vector<protocol::FieldError>& errors, int status = 400);
HttpResponse json_response(int status, std::string body);
// 500 for a request whose handling threw. What went wrong is logged by the
// caller; the answer never carries the exception's text.
HttpResponse internal_error();
// 503 with Retry-After for a request that arrives while the node stops (a
// draining shutdown, or a lane no longer taking work): retry it shortly. The
// listener closes the connection after it (Connection: close).
HttpResponse node_stopping();

}  // namespace signalnode::node::http

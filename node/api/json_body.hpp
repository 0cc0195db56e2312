// What the JSON routes share in reading a request body: a flat object of
// known fields (valid UTF-8, nesting bounded, no duplicate key), ids checked
// by content, and problems about a field in Dutch first, then English.
#pragma once

#include <boost/json/object.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "node/http/types.hpp"

namespace signalnode::node::api {

std::string both(std::string_view nl, std::string_view en);

// A problem about one input field: the detail Dutch first, then English; the
// field named in invalidParams (NL API Design Rules).
http::HttpResponse field_problem(const std::string& field, std::string_view nl, std::string_view en, int status = 400,
                                 std::string_view code = "invalid-field",
                                 std::string_view title = "Ongeldige invoer / Invalid input");

// The body as a JSON object whose keys are all among `known`, nested at most
// `max_depth` deep; otherwise `error` holds the answer and nullopt returns.
std::optional<boost::json::object> body_object(const http::HttpRequest& request, std::initializer_list<std::string_view> known,
                                               http::HttpResponse& error, unsigned max_depth = 2);

}  // namespace signalnode::node::api

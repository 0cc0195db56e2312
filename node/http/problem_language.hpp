// Problem documents in the reader's language (issue 20): Dutch first for the
// people who use the node, English for API clients that ask nothing. The
// routes write their problems once, in English (or as "nl / en"); the router
// turns each into the language the request's Accept-Language prefers, with a
// human label beside every invalid field.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "node/http/types.hpp"

namespace signalnode::node::http {

enum class Language { nl, en };

// The language Accept-Language prefers among Dutch and English (q-values
// honoured, the first of equal ones wins); English when it names neither.
Language preferred_language(std::string_view accept_language);

// The Dutch form of an English problem text of this node, or nullopt when it
// has none (then the English text stays).
std::optional<std::string> dutch_text(std::string_view english);

// A person's name for an input field path such as `subjects[1].houseNumber`
// ("Betrokkene 2: huisnummer" / "Subject 2: house number").
std::string field_label(std::string_view field, Language language);

// Rewrites a problem document (application/problem+json) in `language`:
// title, detail and every invalidParams reason, and adds each one's label.
// Other responses are left as they are.
void localise_problem(HttpResponse& response, Language language);

}  // namespace signalnode::node::http

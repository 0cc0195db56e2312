#include "node/http/problem_language.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <charconv>
#include <map>
#include <regex>
#include <vector>

namespace signalnode::node::http {
namespace json = boost::json;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Titles by problem type (urn:signalnode:problem:<code>).
const std::map<std::string, std::pair<std::string, std::string>, std::less<>>& titles() {
  static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> t = {
      {"authority-caller", {"Niet toegestaan", "Forbidden"}},
      {"bad-credentials", {"Niet ingelogd", "Not logged in"}},
      {"bad-request", {"Ongeldige aanvraag", "Bad request"}},
      {"body-too-large", {"Te veel inhoud", "Content too large"}},
      {"busy", {"Even druk", "Busy"}},
      {"csrf", {"Niet toegestaan", "Forbidden"}},
      {"degraded", {"De node werkt niet goed", "Node degraded"}},
      {"factor-conflict", {"Nu niet mogelijk", "Not possible now"}},
      {"passkey-refused", {"Passkey geweigerd", "Passkey refused"}},
      {"second-factor-enrolment", {"Tweede factor nodig", "Second factor needed"}},
      {"second-factor-wrong", {"Code klopt niet", "Wrong code"}},
      {"step-up-failed", {"Niet bevestigd", "Not confirmed"}},
      {"step-up-required", {"Bevestig dat u het bent", "Confirm it is you"}},
      {"forbidden", {"Niet toegestaan", "Forbidden"}},
      {"headers-too-large", {"Te grote kopregels", "Request header fields too large"}},
      {"idempotency-key-reused", {"Idempotency-Key al gebruikt", "Idempotency-Key reused"}},
      {"internal", {"Er ging iets mis", "Internal error"}},
      {"invalid-field", {"Niet alles is goed ingevuld", "Invalid input"}},
      {"login-wait", {"Te vaak een verkeerd wachtwoord", "Too many wrong passwords"}},
      {"lookup-budget", {"Dagbudget op", "Daily budget spent"}},
      {"method-not-allowed", {"Methode niet toegestaan", "Method not allowed"}},
      {"no-audit", {"Geen verwerkingslog", "No audit log"}},
      {"no-federation", {"Geen federatie", "No federation"}},
      {"no-pseudonymisation-authority", {"Pseudonimisering niet beschikbaar", "Pseudonymisation unavailable"}},
      {"not-a-partner", {"Signalen melden kan hier niet", "Not a partner node"}},
      {"not-a-web-account", {"Geen account voor de webinterface", "Not a web account"}},
      {"not-found", {"Niet gevonden", "Not found"}},
      {"not-the-authority", {"Niet gevonden", "Not found"}},
      {"own-account", {"Eigen account", "Own account"}},
      {"pa-unavailable", {"Pseudonimisering niet beschikbaar", "Pseudonymisation unavailable"}},
      {"partner-budget", {"Te veel aanvragen", "Too many requests"}},
      {"signal-unreadable", {"Signaal niet leesbaar", "Conflict"}},
      {"stopping", {"De node stopt", "The node is stopping"}},
      {"storage-unavailable", {"Opslag niet beschikbaar", "Storage unavailable"}},
      {"store-unavailable", {"Niet opgeslagen", "Not stored"}},
      {"too-many-logins", {"Te veel inlogpogingen", "Too many log-in attempts"}},
      {"unauthenticated", {"Niet ingelogd", "Unauthenticated"}},
      {"unsupported-media-type", {"Verkeerd soort inhoud", "Unsupported media type"}},
      {"withdrawn", {"Ingetrokken", "Withdrawn"}},
  };
  return t;
}

const std::map<std::string, std::string, std::less<>>& exact() {
  static const std::map<std::string, std::string, std::less<>> m = {
      // Input fields (node/signals/signal_json.cpp, protocol/identifiers.cpp).
      {"is required", "is verplicht"},
      {"is not a known field", "is geen bekend veld"},
      {"must be a string", "moet tekst zijn"},
      {"must be an object", "moet een object zijn"},
      {"must be an array", "moet een lijst zijn"},
      {"must be a JSON object", "moet een JSON-object zijn"},
      {"must be a JSON object (one subject)", "moet een JSON-object zijn (één betrokkene)"},
      {"is not valid UTF-8", "bevat ongeldige tekens (geen UTF-8)"},
      {"must be valid UTF-8", "bevat ongeldige tekens"},
      {"must be valid UTF-8 text without control characters", "bevat ongeldige tekens of stuurtekens"},
      {"appears more than once in one object (duplicate JSON key)", "komt twee keer voor"},
      {"is not a category of the taxonomy", "is geen bekende categorie"},
      {"is not a subject kind of the taxonomy", "is geen bekende soort betrokkene"},
      {"must be lower-case letters and underscores", "is geen bekende rol"},
      // What the API takes, not what the web's form takes (it turns dd-mm-jjjj,
      // "laag" and country names into these before sending, and checks them
      // itself): a problem text is read by whoever sent the request.
      {"must be a real calendar date written YYYY-MM-DD", "is geen bestaande datum in de vorm JJJJ-MM-DD"},
      {"must not be before 2000-01-01", "mag niet vóór 1 januari 2000 liggen"},
      {"must not be before 1900-01-01", "mag niet vóór 1 januari 1900 liggen"},
      {"must not be in the future", "mag niet in de toekomst liggen"},
      {"must be a CBS municipality code: GM and 4 digits", "is geen gemeentecode (GM en 4 cijfers, bijvoorbeeld GM0358)"},
      {"must be low, medium or high", "moet low, medium of high zijn (laag, middel of hoog)"},
      {"must be a whole number", "moet een heel getal zijn"},
      {"must be from 0 to 100000", "moet tussen 0 en 100.000 liggen"},
      {"an area subject carries no personal data", "een gebied heeft geen persoonsgegevens"},
      {"carries no identifier and no name", "heeft geen kenmerk en geen naam: vul er minstens één in"},
      {"is required with an address", "is nodig bij een adres"},
      {"is required with birthDate", "is nodig bij een geboortedatum"},
      {"is required with documentCountry", "is nodig bij een land van afgifte"},
      {"is required with documentNumber", "is nodig bij een documentnummer"},
      {"is required with plateCountry", "is nodig bij een land van het kenteken"},
      {"fails the 11-proef check", "is geen geldig BSN (de elfproef klopt niet)"},
      {"must be 9 digits (8 digits get a leading 0)", "moet 9 cijfers hebben (bij 8 cijfers komt er een 0 voor)"},
      {"must not be all zeros", "mag niet alleen uit nullen bestaan"},
      {"must be 8 digits", "moet 8 cijfers hebben"},
      {"has a wrong check digit (mod-97)", "klopt niet (het controlegetal is onjuist)"},
      {"a Dutch IBAN has 18 characters", "een Nederlands IBAN heeft 18 tekens"},
      {"must be 15 to 34 characters", "moet 15 tot 34 tekens hebben"},
      {"must be a country code, two check digits and letters or digits",
       "moet beginnen met een landcode en twee controlecijfers"},
      {"has an unknown country code", "heeft een onbekende landcode"},
      {"must be a Dutch postcode: 4 digits, the first not 0, and 2 letters",
       "is geen Nederlandse postcode (4 cijfers en 2 letters, bijvoorbeeld 1431 AB)"},
      {"must be a whole number from 1 to 99999", "moet een huisnummer van 1 tot 99999 zijn"},
      {"must be one letter", "moet één letter zijn"},
      {"must be at most 4 letters or digits", "mag hoogstens 4 letters of cijfers hebben"},
      {"must be an ISO 3166 alpha-2 country code", "is geen bekende landcode (twee letters, zoals PL)"},
      {"must be 1 to 30 letters or digits", "moet 1 tot 30 letters of cijfers hebben"},
      {"must be 1 to 12 letters or digits (separators are ignored)", "moet 1 tot 12 letters of cijfers hebben"},
      {"must start with +, 00 or a national 0", "moet beginnen met +, 00 of 0"},
      {"must have 8 to 15 digits (E.164)", "moet 8 tot 15 cijfers hebben"},
      {"a Dutch number has at most one 0 after +31", "een Nederlands nummer heeft na +31 geen 0 meer"},
      {"must be a country code and digits", "moet een landcode en cijfers zijn"},
      {"must contain exactly one @", "moet precies één @ bevatten"},
      {"must have text before and after the @", "moet tekst voor en na de @ hebben"},
      {"must not contain white space or control characters", "mag geen spaties of stuurtekens bevatten"},
      {"must be 1 to 254 characters", "moet 1 tot 254 tekens hebben"},
      {"must not be empty", "mag niet leeg zijn"},
      {"is not a known identifier kind", "is geen bekende soort kenmerk"},
      // Details of the routes.
      {"a withdrawn signal cannot be corrected", "een ingetrokken signaal kan niet meer worden gecorrigeerd"},
      {"an admin cannot delete their own account", "een beheerder kan het eigen account niet verwijderen"},
      {"no account with this username", "er is geen account met deze gebruikersnaam"},
      {"no alert with this id", "deze alert bestaat niet (meer)"},
      {"no received record with this id", "dit ontvangen signaal bestaat niet (meer)"},
      {"no signal with this id", "dit signaal bestaat niet (meer)"},
      {"no such resource", "deze pagina of dit gegeven bestaat niet"},
      {"the node could not handle this request; it was logged",
       "de node kon dit niet afhandelen; het is vastgelegd. Probeer het later opnieuw of meld het bij de beheerder"},
      {"the node is handling many requests of this kind; try again in a second",
       "de node is even druk; probeer het over een paar seconden opnieuw"},
      {"the request is not valid HTTP/1.1", "de aanvraag is ongeldig"},
      {"the request target must be a path", "de aanvraag is ongeldig"},
      {"the username or password is wrong", "de gebruikersnaam of het wachtwoord klopt niet"},
      {"this node has no audit log", "deze node heeft geen verwerkingslog"},
      {"this node is not the pseudonymisation authority", "deze node is geen pseudonimiseringsautoriteit"},
      {"this node receives no records", "deze node ontvangt geen signalen"},
      {"this node runs no sharing policy", "op deze node geldt geen convenant"},
      {"this node shares with no partner", "deze node deelt met geen enkele partner"},
      {"wait a minute before trying again", "wacht een minuut en probeer het dan opnieuw"},
      {"is not a valid query string", "is ongeldig"},
      {"is not the current password", "is niet het huidige wachtwoord"},
      {"must be empty (the whole organisation) or 2 to 64 characters of a-z, 0-9 and '-'",
       "moet leeg zijn (de hele organisatie) of 2 tot 64 tekens a-z, 0-9 en '-'"},
      {"follows the groups at the identity provider for an account that signs in there",
       "volgt de groepen bij de inlogdienst van de organisatie, voor een account dat daar inlogt"},
      {"this address takes no parameters", "dit adres neemt geen parameters"},
      {"is not valid", "is ongeldig"},
      {"may be sent once", "mag maar één keer worden meegestuurd"},
      {"must be true or false", "moet true of false zijn"},
      {"must be nl or en", "moet nl of en zijn"},
      {"is not a known query parameter", "is geen bekende zoekoptie"},
      {"send a valid API token as Authorization: Bearer <token>", "log opnieuw in"},
      {"a state-changing request of a web session needs the session's X-CSRF-Token header",
       "de pagina is verouderd; laad haar opnieuw en probeer het nog eens"},
      {"the role may not use this route", "uw rol mag dit niet"},
      // The Logboek Dataverwerkingen read API (node/audit/ldv_query.cpp).
      {"one of traceId, processingActivityId or dataSubjectId is required",
       "vul minstens één zoeksleutel in: traceId, processingActivityId of dataSubjectId"},
      {"is a plain identifier; give the subject's pseudonym in this node's domain (POST /api/v1/audit/subject-access "
       "computes it)",
       "is een identificatie (zoals een BSN), geen pseudoniem: geef het pseudoniem van de betrokkene in het domein van "
       "deze node (POST /api/v1/audit/subject-access berekent het)"},
      {"must be a pseudonym: 128 lowercase hexadecimal characters",
       "moet een pseudoniem zijn: 128 hexadecimale tekens in kleine letters"},
      {"must be a W3C trace id: 32 hexadecimal characters (or a UUID)",
       "moet een W3C-trace-id zijn: 32 hexadecimale tekens (of een UUID)"},
      {"must be an identifier or URI of this node's register of processing activities (GET /api/v1/processing-register)",
       "moet een id of URI uit het register van verwerkingsactiviteiten van deze node zijn (GET "
       "/api/v1/processing-register)"},
      {"must be urn:signalnode:pseudonym: this log names subjects by pseudonym only",
       "moet urn:signalnode:pseudonym zijn: dit log noemt betrokkenen alleen bij hun pseudoniem"},
      {"must be milliseconds since 1970", "moet een tijdstip zijn in milliseconden sinds 1970"},
      {"the database cannot be read; try again later", "de database is niet leesbaar; probeer het later opnieuw"},
      {"the latest write to the database failed; try again later",
       "het laatste wegschrijven naar de database mislukte; probeer het later opnieuw"},
      {"the database's disk is nearly full; try again later",
       "de schijf van de database is bijna vol; probeer het later opnieuw"},
      // Second factors and step-up (issue 21).
      {"the code is wrong", "de code klopt niet"},
      {"this code was used already; wait for the next one", "deze code is al gebruikt; wacht op de volgende"},
      {"the log-in expired; give your password again", "het inloggen is verlopen; geef uw wachtwoord opnieuw"},
      {"too many wrong codes; give your password again", "te veel onjuiste codes; geef uw wachtwoord opnieuw"},
      {"the password is wrong", "het wachtwoord klopt niet"},
      {"give a code from your authenticator app, a recovery code or your passkey",
       "geef een code uit uw authenticator-app, een herstelcode, of gebruik uw passkey"},
      {"second factors belong to web accounts; API tokens have none",
       "een tweede factor hoort bij een account voor de webinterface; API-tokens hebben er geen"},
      {"client data is not valid", "de gegevens van de browser zijn ongeldig"},
      {"client data type is not webauthn.get", "de gegevens van de browser zijn van de verkeerde soort"},
      {"client data type is not webauthn.create", "de gegevens van de browser zijn van de verkeerde soort"},
      {"the challenge is not the one this node issued, or it expired",
       "de vraag aan de passkey is verlopen of komt niet van deze node; probeer het opnieuw"},
      {"the challenge is not the one this node issued", "de vraag aan de passkey komt niet van deze node"},
      {"the challenge was issued to someone else", "de vraag aan de passkey was voor iemand anders"},
      {"unknown passkey", "deze passkey is hier niet bekend"},
      {"the passkey belongs to another account", "deze passkey hoort bij een ander account"},
      {"the origin is not an address of this node", "de pagina komt niet van een adres van deze node"},
      {"the page was embedded in another site", "de pagina was ingebed in een andere site"},
      {"the passkey belongs to another site (rpId)", "deze passkey hoort bij een andere site"},
      {"the user was not present", "de passkey zag geen gebruiker"},
      {"the user was not verified (PIN or biometrics)",
       "de passkey heeft de gebruiker niet gecontroleerd (pincode, vingerafdruk of gezicht)"},
      {"the authenticator data is not valid", "de gegevens van de passkey zijn ongeldig"},
      {"the signature does not verify", "de handtekening van de passkey klopt niet"},
      {"the signature counter did not grow (a copied passkey?)",
       "de teller van de passkey is niet opgehoogd (een gekopieerde passkey?)"},
      {"must be at most 64 bytes", "mag hoogstens 64 tekens hebben"},
  };
  return m;
}

struct Pattern {
  std::regex english;
  std::string dutch;  // std::regex_replace format ($1 ...)
};

const std::vector<Pattern>& patterns() {
  static const std::vector<Pattern> p = {
      {std::regex(R"(^must be at most (\d+) bytes$)"), "is te lang: hoogstens $1 tekens"},
      {std::regex(R"(^must not be after today \((\d{4})-(\d{2})-(\d{2})\)$)"), "mag niet na vandaag ($3-$2-$1) liggen"},
      {std::regex(R"(^is nested deeper than (\d+) levels$)"), "is te diep genest (hoogstens $1 niveaus)"},
      {std::regex(R"(^is not valid JSON \(.*\)$)"), "is geen geldige JSON"},
      {std::regex(R"(^must hold at most (\d+) subjects$)"), "mag hoogstens $1 betrokkenen bevatten"},
      {std::regex(R"(^must hold at most (\d+) fields$)"), "mag hoogstens $1 velden bevatten"},
      {std::regex(R"(^must be written (.*)$)"), "moet geschreven worden als $1"},
      {std::regex(R"(^must be a whole number from (\d+) to (\d+)$)"), "moet een heel getal van $1 tot $2 zijn"},
      {std::regex(R"(^the role (\S+) may not use this route$)"), "uw rol mag dit niet"},
      {std::regex(R"(^the role (\S+) may only read GET /metrics$)"), "deze sleutel geeft alleen toegang tot de meetgegevens"},
      {std::regex(R"(^this path allows (.*)$)"), "dit adres kent alleen $1"},
      {std::regex(R"(^header Content-Type must be (\S+).*$)"), "de inhoud moet van het type $1 zijn"},
  };
  return p;
}

}  // namespace

Language preferred_language(std::string_view header) {
  double best_q = 0;
  std::optional<Language> best;
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto semi = item.find(';');
    std::string tag = lower(trim(item.substr(0, semi)));
    double q = 1.0;
    if (semi != std::string_view::npos) {
      std::string param = lower(trim(item.substr(semi + 1)));
      if (param.starts_with("q=")) {
        try {
          q = std::stod(param.substr(2));
        } catch (const std::exception&) {
          q = 0;
        }
      }
    }
    std::optional<Language> lang;
    if (tag == "nl" || tag.starts_with("nl-")) lang = Language::nl;
    if (tag == "en" || tag.starts_with("en-")) lang = Language::en;
    if (lang && q > best_q) {
      best_q = q;
      best = lang;
    }
  }
  return best.value_or(Language::en);
}

std::optional<std::string> dutch_text(std::string_view english) {
  // "nl / en" texts carry their Dutch already.
  if (auto slash = english.find(" / "); slash != std::string_view::npos) return std::string(english.substr(0, slash));
  if (auto it = exact().find(english); it != exact().end()) return it->second;
  const std::string text(english);
  for (const auto& p : patterns()) {
    if (std::regex_match(text, p.english)) return std::regex_replace(text, p.english, p.dutch);
  }
  return std::nullopt;
}

void localise_problem_body(HttpResponse& response, Language language);

namespace {
std::string english_text(std::string_view text) {
  if (auto slash = text.find(" / "); slash != std::string_view::npos) return std::string(text.substr(slash + 3));
  return std::string(text);
}

const std::map<std::string, std::pair<std::string, std::string>, std::less<>>& labels() {
  static const std::map<std::string, std::pair<std::string, std::string>, std::less<>> l = {
      {"category", {"Categorie", "Category"}},
      {"traceId", {"Trace-id", "Trace id"}},
      {"processingActivityId", {"Verwerkingsactiviteit", "Processing activity"}},
      {"dataSubjectId", {"Betrokkene (pseudoniem)", "Data subject (pseudonym)"}},
      {"startTime", {"Begintijd", "Start time"}},
      {"endTime", {"Eindtijd", "End time"}},
      {"observedOn", {"Datum waarneming", "Date observed"}},
      {"municipality", {"Gemeente", "Municipality"}},
      {"severity", {"Ernst", "Severity"}},
      {"persons", {"Aantal personen", "Number of persons"}},
      {"summary", {"Toelichting", "Summary"}},
      {"subjects", {"Betrokkenen", "Subjects"}},
      {"kind", {"soort", "kind"}},
      {"role", {"rol", "role"}},
      {"name", {"naam", "name"}},
      {"bsn", {"BSN", "BSN"}},
      {"kvk", {"KvK-nummer", "KvK number"}},
      {"iban", {"IBAN", "IBAN"}},
      {"postcode", {"postcode", "postcode"}},
      {"houseNumber", {"huisnummer", "house number"}},
      {"houseLetter", {"huisletter", "house letter"}},
      {"addition", {"toevoeging", "addition"}},
      {"birthDate", {"geboortedatum", "date of birth"}},
      {"documentNumber", {"documentnummer", "document number"}},
      {"documentCountry", {"land van afgifte", "issuing country"}},
      {"plate", {"kenteken", "number plate"}},
      {"plateCountry", {"land van het kenteken", "country of the plate"}},
      {"phone", {"telefoonnummer", "phone number"}},
      {"email", {"e-mailadres", "e-mail address"}},
      {"body", {"Inhoud", "Content"}},
      {"password", {"Wachtwoord", "Password"}},
      {"currentPassword", {"Huidig wachtwoord", "Current password"}},
      {"newPassword", {"Nieuw wachtwoord", "New password"}},
      {"username", {"Gebruikersnaam", "Username"}},
      {"purpose", {"Doel", "Purpose"}},
      {"idKind", {"Soort kenmerk", "Kind of identifier"}},
      {"value", {"Waarde", "Value"}},
      {"limit", {"Aantal", "Number"}},
      {"before", {"Vanaf", "From"}},
      {"status", {"Status", "Status"}},
      {"reason", {"Reden", "Reason"}},
      {"note", {"Toelichting", "Note"}},
      {"assignee", {"Behandelaar", "Assignee"}},
      {"dueDate", {"Uiterste datum", "Due date"}},
      {"text", {"Tekst", "Text"}},
      {"kinds", {"Gevraagde gegevens", "Details asked for"}},
      {"reference", {"Kenmerk", "Reference"}},
      {"legalGround", {"Wettelijke grondslag", "Legal ground"}},
      {"decision", {"Besluit", "Decision"}},
      {"contact", {"Contactgegevens", "Contact details"}},
      {"recordId", {"Signaal", "Record"}},
      {"alertId", {"Alert", "Alert"}},
      {"mode", {"Hoe vaak", "How often"}},
      {"language", {"Taal", "Language"}},
      {"phoneNumber", {"Telefoonnummer", "Phone number"}},
      {"fromMs", {"Vanaf", "From"}},
      {"toMs", {"Tot en met", "Up to"}},
      {"partner", {"Partner", "Partner"}},
      {"source", {"Bron", "Source"}},
      {"query", {"Zoekvraag", "Query"}},
      {"mine", {"Alleen eigen signalen", "Own signals only"}},
      {"Idempotency-Key", {"Idempotency-Key", "Idempotency-Key"}},
      {"after", {"Na", "After"}},
      {"code", {"Code", "Code"}},
      {"loginTicket", {"Inlogstap", "Log-in step"}},
      {"credential", {"Passkey", "Passkey"}},
  };
  return l;
}

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}
}  // namespace

std::string field_label(std::string_view field, Language language) {
  const bool nl = language == Language::nl;
  // A name may be a caller's own key: bounded, and read by hand (no regex
  // over hostile text).
  if (field.size() > 64) field = field.substr(0, 64);
  auto pick = [&](std::string_view key) -> std::optional<std::string> {
    auto it = labels().find(key);
    if (it == labels().end()) return std::nullopt;
    return nl ? it->second.first : it->second.second;
  };
  constexpr std::string_view kSubjects = "subjects[";
  if (field.starts_with(kSubjects)) {
    std::string_view rest = field.substr(kSubjects.size());
    const auto close = rest.find(']');
    std::size_t index = 0;
    if (close != std::string_view::npos && close > 0 && close <= 4) {
      const auto [end, ec] = std::from_chars(rest.data(), rest.data() + close, index);
      if (ec == std::errc() && end == rest.data() + close) {
        const std::string who = (nl ? "Betrokkene " : "Subject ") + std::to_string(index + 1);
        std::string_view tail = rest.substr(close + 1);
        if (tail.starts_with('.')) tail.remove_prefix(1);
        if (tail.empty()) return who;
        return who + ": " + pick(tail).value_or(std::string(tail));
      }
    }
  }
  if (auto label = pick(field)) return capitalised(*label);
  return std::string(field);
}

void localise_problem(HttpResponse& response, Language language) {
  if (!response.content_type.starts_with("application/problem+json")) return;
  try {
    localise_problem_body(response, language);
  } catch (const std::exception&) {
    // Never worse than untranslated: the problem goes out as the route wrote it.
  }
}

void localise_problem_body(HttpResponse& response, Language language) {
  boost::system::error_code ec;
  json::value doc = json::parse(response.body, ec);
  if (ec || !doc.is_object()) return;
  auto& o = doc.as_object();
  const bool nl = language == Language::nl;
  auto in_language = [&](std::string_view text) {
    if (!nl) return english_text(text);
    return dutch_text(text).value_or(std::string(text));
  };
  std::string code;
  if (const auto* type = o.if_contains("type"); type && type->is_string()) {
    std::string_view t = type->get_string();
    if (auto colon = t.rfind(':'); colon != std::string_view::npos) code = std::string(t.substr(colon + 1));
  }
  if (auto it = titles().find(code); it != titles().end()) {
    o["title"] = nl ? it->second.first : it->second.second;
  } else if (const auto* title = o.if_contains("title"); title && title->is_string()) {
    o["title"] = in_language(title->get_string());
  }
  json::array* params = o.contains("invalidParams") ? o["invalidParams"].if_array() : nullptr;
  if (params) {
    for (auto& p : *params) {
      auto* po = p.if_object();
      if (!po || !po->contains("name") || !po->contains("reason") || !po->at("name").is_string() ||
          !po->at("reason").is_string()) {
        continue;
      }
      const std::string label = field_label(po->at("name").get_string(), language);
      (*po)["reason"] = in_language(po->at("reason").get_string());
      (*po)["label"] = label;
    }
  }
  // A field problem's detail: its fields by label, in words.
  if (params && !params->empty() && code == "invalid-field") {
    std::string detail;
    for (const auto& p : *params) {
      const auto* po = p.if_object();
      if (!po || !po->contains("label")) continue;
      if (!detail.empty()) detail += "; ";
      detail += std::string(po->at("label").get_string()) + ": " + std::string(po->at("reason").get_string());
    }
    o["detail"] = detail;
  } else if (const auto* detail = o.if_contains("detail"); detail && detail->is_string()) {
    o["detail"] = in_language(detail->get_string());
  }
  response.body = json::serialize(doc);
  bool has_language = false;
  for (auto& [name, value] : response.headers) {
    if (name == "Content-Language") {
      value = nl ? "nl" : "en";
      has_language = true;
    }
  }
  if (!has_language) response.headers.emplace_back("Content-Language", nl ? "nl" : "en");
}

}  // namespace signalnode::node::http

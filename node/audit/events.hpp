// The catalogue of audit events: every name the node writes to its audit log,
// what it records (in Dutch and in English) and which part of the node writes
// it. Code names an event by its constant (e.name = events::kRecordSent), never
// by a string literal; docs/audit.md's table lists exactly these names, and
// tests/node/audit_catalogue_test.cpp checks both.
#pragma once

#include <string_view>

namespace signalnode::node::audit {

// An audit event's name. Made only at compile time (consteval), so a name
// comes from this catalogue, not from a string assembled at run time.
class EventName {
 public:
  explicit consteval EventName(std::string_view name) : name_(name) {}
  constexpr std::string_view str() const { return name_; }
  constexpr operator std::string_view() const { return name_; }  // so that Event::name = kRecordSent
  friend constexpr bool operator==(EventName a, EventName b) { return a.name_ == b.name_; }

 private:
  std::string_view name_;
};

namespace events {
// Sharing, sender's side (node/sharing Delivery): on the partner's receipt.
inline constexpr EventName kRecordSent{"record.sent"};
inline constexpr EventName kFeedbackSent{"feedback.sent"};
inline constexpr EventName kNoticeSent{"notice.sent"};
// Both sides: a withdrawal or correction acknowledged (sender) or applied (receiver).
inline constexpr EventName kRecordWithdrawn{"record.withdrawn"};
inline constexpr EventName kRecordCorrected{"record.corrected"};
// Sharing, receiver's side (node/sharing Receiver).
inline constexpr EventName kRecordReceived{"record.received"};
inline constexpr EventName kRecordRejected{"record.rejected"};
inline constexpr EventName kFeedbackReceived{"feedback.received"};
inline constexpr EventName kNoticeReceived{"notice.received"};
inline constexpr EventName kWithdrawalRejected{"withdrawal.rejected"};
inline constexpr EventName kCorrectionRejected{"correction.rejected"};
inline constexpr EventName kFeedbackRejected{"feedback.rejected"};
inline constexpr EventName kNoticeRejected{"notice.rejected"};
inline constexpr EventName kBatchReplayed{"batch.replayed"};
// Own signals and retention.
inline constexpr EventName kSignalWithdrawn{"signal.withdrawn"};
inline constexpr EventName kSignalCorrected{"signal.corrected"};
inline constexpr EventName kSignalExpired{"signal.expired"};
inline constexpr EventName kRecordExpired{"record.expired"};
// The node, its PA service and its log.
inline constexpr EventName kOprfEvaluated{"oprf.evaluated"};
inline constexpr EventName kOprfBudgetAlarm{"oprf.budget_alarm"};
inline constexpr EventName kPolicyLoaded{"policy.loaded"};
// The signed federation configuration (node/federation ConfigurationSync).
inline constexpr EventName kConfigurationAccepted{"configuration.accepted"};
inline constexpr EventName kConfigurationApplied{"configuration.applied"};
inline constexpr EventName kConfigurationRefused{"configuration.refused"};
inline constexpr EventName kAuditPruned{"audit.pruned"};
inline constexpr EventName kSubjectAccessPerformed{"subject_access.performed"};
// The Logboek Dataverwerkingen read API (node/api ldv routes).
inline constexpr EventName kLdvReadPerformed{"ldv.read_performed"};
inline constexpr EventName kLdvReadRefused{"ldv.read_refused"};
// Tokens and web accounts (node/auth).
inline constexpr EventName kTokenCreated{"token.created"};
inline constexpr EventName kUserCreated{"user.created"};
inline constexpr EventName kUserDeleted{"user.deleted"};
inline constexpr EventName kLoginSucceeded{"login.succeeded"};
inline constexpr EventName kLoginFailed{"login.failed"};
inline constexpr EventName kLoginPasswordAccepted{"login.password_accepted"};
inline constexpr EventName kLoginThrottled{"login.throttled"};
inline constexpr EventName kAccountUnlocked{"account.unlocked"};
inline constexpr EventName kPasswordReset{"password.reset"};
inline constexpr EventName kLogout{"logout"};
inline constexpr EventName kPasswordChanged{"password.changed"};
inline constexpr EventName kPasswordChangeFailed{"password.change_failed"};
inline constexpr EventName kTeamSet{"team.set"};
// Second factors and step-up (node/auth SecondFactors, UserStore; issue 21).
inline constexpr EventName kSecondFactorEnrolled{"second_factor.enrolled"};
inline constexpr EventName kSecondFactorRemoved{"second_factor.removed"};
inline constexpr EventName kSecondFactorFailed{"second_factor.failed"};
inline constexpr EventName kRecoveryCodesCreated{"recovery_codes.created"};
inline constexpr EventName kStepUpSucceeded{"step_up.succeeded"};
inline constexpr EventName kStepUpFailed{"step_up.failed"};
// From a match to action (node/sharing Requests, node/cases): requests to a
// record's source and their answers, on both sides; cases; lookups.
inline constexpr EventName kRequestSent{"request.sent"};
inline constexpr EventName kRequestReceived{"request.received"};
inline constexpr EventName kRequestRejected{"request.rejected"};
inline constexpr EventName kRequestDecided{"request.decided"};
inline constexpr EventName kAnswerSent{"answer.sent"};
inline constexpr EventName kAnswerReceived{"answer.received"};
inline constexpr EventName kAnswerRejected{"answer.rejected"};
inline constexpr EventName kRequestExpired{"request.expired"};
inline constexpr EventName kDisclosureViewed{"disclosure.viewed"};
inline constexpr EventName kDisclosureDeleted{"disclosure.deleted"};
inline constexpr EventName kCaseOpened{"case.opened"};
inline constexpr EventName kCaseUpdated{"case.updated"};
inline constexpr EventName kCaseNoteAdded{"case.note_added"};
inline constexpr EventName kLookupPerformed{"lookup.performed"};
inline constexpr EventName kLookupRefused{"lookup.refused"};
// Operations (node/backup): a node folder restored from a backup.
inline constexpr EventName kNodeRestored{"node.restored"};
}  // namespace events

struct EventInfo {
  EventName name;
  std::string_view nl;          // what it records, in Dutch
  std::string_view en;          // the same in English (docs/audit.md, "written when")
  std::string_view emitted_by;  // the node/ folder (and class) that writes it
};

// In the order of docs/audit.md's table.
inline constexpr EventInfo kEventCatalogue[] = {
    {events::kRecordSent,
     "de ondertekende ontvangstbevestiging van de partner voor een record komt binnen (status ok, of rejected met reden)",
     "the partner's signed receipt for a record arrives (status ok, or rejected with reason)", "sharing (Delivery)"},
    {events::kRecordReceived, "een record van een partner doorstond de convenantcontrole en is opgeslagen",
     "a partner's record passed the covenant check and was stored", "sharing (Receiver)"},
    {events::kRecordRejected, "een record van een partner zakte voor de convenantcontrole (niets opgeslagen)",
     "a partner's record failed the covenant check (nothing stored)", "sharing (Receiver)"},
    {events::kOprfEvaluated, "de PA heeft een batch gepseudonimiseerd", "the PA served a batch", "app (PA service)"},
    {events::kOprfBudgetAlarm, "een partner raakte een PA-budget of vroeg plots veel meer evaluaties",
     "a partner hit a PA budget, or its daily volume jumped", "app (PA service)"},
    {events::kPolicyLoaded, "een node startte met een convenant, of stapte over op een ander",
     "a node started with, or switched to, a policy", "app"},
    {events::kConfigurationAccepted,
     "een nieuwe versie van de ondertekende federatieconfiguratie is gecontroleerd en bewaard (geldt vanaf haar ingangsdatum)",
     "a new version of the signed federation configuration was verified and kept (in force from its effective date)",
     "app (federation ConfigurationSync)"},
    {events::kConfigurationApplied,
     "een versie van de ondertekende federatieconfiguratie ging in: manifest en convenant zijn vervangen",
     "a version of the signed federation configuration took effect: manifest and covenant replaced",
     "app (federation ConfigurationSync)"},
    {events::kConfigurationRefused,
     "een aangeboden federatieconfiguratie is geweigerd (handtekeningen, versie, keten of inhoud); de vorige blijft gelden",
     "an offered federation configuration was refused (signatures, version, chain or content); the last good one stays",
     "app (federation ConfigurationSync)"},
    {events::kTokenCreated, "er is een API-token aangemaakt", "an API token was created", "auth (tokens)"},
    {events::kRecordWithdrawn,
     "verzender: de ontvangstbevestiging van de ontvanger voor een intrekking; ontvanger: een intrekking verwerkt",
     "sender: the recipient's receipt for a withdrawal; receiver: a withdrawal applied",
     "sharing (Delivery, Receiver)"},
    {events::kRecordCorrected, "verzender: de ontvangstbevestiging voor een correctie; ontvanger: een correctie verwerkt",
     "sender: the receipt for a correction; receiver: a correction applied", "sharing (Delivery, Receiver)"},
    {events::kFeedbackSent, "de ontvangstbevestiging van de bron voor een terugmelding",
     "the source's receipt for feedback", "sharing (Delivery)"},
    {events::kFeedbackReceived, "een terugmelding opgeslagen bij de bron", "feedback stored at the source",
     "sharing (Receiver)"},
    {events::kNoticeSent, "de ontvangstbevestiging van de bron voor een bundelmelding",
     "the source's receipt for a bundle notice", "sharing (Delivery)"},
    {events::kNoticeReceived, "een bundelmelding opgeslagen bij de bron", "a bundle notice stored at the source",
     "sharing (Receiver)"},
    {events::kWithdrawalRejected,
     "een intrekking geweigerd (verkeerde bron, onbekend of al ingetrokken record)",
     "a withdrawal refused (wrong source, unknown or already withdrawn record)", "sharing (Receiver)"},
    {events::kCorrectionRejected, "een correctie geweigerd (verkeerde bron, onbekend record, veld niet toegestaan)",
     "a correction refused (wrong source, unknown record, field not granted)", "sharing (Receiver)"},
    {events::kFeedbackRejected,
     "een terugmelding geweigerd (onbekend record, veld niet toegestaan); ook een terugmelding via de API over een "
     "record dat deze node nooit ontving",
     "feedback refused (unknown record, field not granted); also feedback asked through the API for a record this "
     "node never received",
     "sharing (Receiver, FollowUps)"},
    {events::kNoticeRejected, "een bundelmelding geweigerd (onbekend record, veld niet toegestaan)",
     "a bundle notice refused (unknown record, field not granted)", "sharing (Receiver)"},
    {events::kBatchReplayed,
     "een batch-id kwam opnieuw binnen: beantwoord met de eerste ontvangstbevestiging, niets verwerkt",
     "a batch id arrived again: answered with its first receipt, nothing applied", "sharing (Receiver)"},
    {events::kSignalWithdrawn, "een medewerker trok een eigen signaal in", "an officer withdrew an own signal",
     "sharing (FollowUps)"},
    {events::kSignalCorrected, "een medewerker corrigeerde een eigen signaal", "an officer corrected an own signal",
     "api (signal routes)"},
    {events::kSignalExpired, "eigen signalen passeerden signals.retentionDays en zijn verwijderd",
     "own signals passed signals.retentionDays and were deleted", "sharing (Retention)"},
    {events::kRecordExpired,
     "ontvangen records passeerden de bewaartermijn van hun regel en zijn verwijderd (elk uur)",
     "received records passed their rule's retention and were deleted (hourly)", "sharing (Retention)"},
    {events::kAuditPruned, "de bewaartermijn van het log verwijderde de inhoud van oude gebeurtenissen",
     "the log's retention dropped contents of old events", "audit (AuditLog)"},
    {events::kUserCreated, "een beheerder (pagina of CLI) maakte een webaccount aan",
     "an admin (page or CLI) created a web account", "auth (users)"},
    {events::kUserDeleted, "een beheerder (pagina of CLI) verwijderde een webaccount",
     "an admin (page or CLI) deleted a web account", "auth (users)"},
    {events::kLoginSucceeded, "een aanmelding op de webinterface", "a web log-in", "auth (users)"},
    {events::kLoginFailed,
     "een onjuist wachtwoord, een onbekende gebruiker of een poging tijdens een wachttijd (status rejected)",
     "a wrong password, an unknown user, or an attempt during a wait (status rejected)", "auth (users)"},
    {events::kLoginPasswordAccepted,
     "het wachtwoord klopte; de aanmelding wacht op de tweede factor (zonder die geen sessie)",
     "the password was right; the log-in waits for the second factor (no session without it)", "auth (users)"},
    {events::kLoginThrottled,
     "een onjuist wachtwoord liet een naam of adres wachten voor de volgende poging (sessies blijven)",
     "a wrong password made a name or address wait before its next attempt (sessions stay)", "auth (users)"},
    {events::kAccountUnlocked, "een beheerder (pagina of CLI) hief de wachttijd van een account of adres op",
     "an admin (page or CLI) cleared the wait of an account or address", "auth (users)"},
    {events::kPasswordReset,
     "een beheerder (pagina of CLI) stelde een nieuw wachtwoord in; alle sessies van het account zijn beëindigd",
     "an admin (page or CLI) set a new password; every session of the account ended", "auth (users)"},
    {events::kLogout, "een gebruiker meldde zich af", "a user logged out", "auth (users)"},
    {events::kPasswordChanged, "een gebruiker wijzigde het wachtwoord", "a user changed their password",
     "auth (users)"},
    {events::kTeamSet, "een beheerder zette een account in een team van de organisatie (of haalde het eruit)",
     "an admin put an account in a team of the organisation (or took it out)", "auth (users)"},
    {events::kPasswordChangeFailed,
     "een gebruiker gaf een onjuist huidig wachtwoord (telt als onjuiste aanmelding)",
     "a user gave a wrong current password (counts as a wrong log-in)", "auth (users)"},
    {events::kSecondFactorEnrolled, "een gebruiker stelde een tweede factor in (authenticator-app of passkey)",
     "a user set up a second factor (authenticator app or passkey)", "auth (SecondFactors)"},
    {events::kSecondFactorRemoved,
     "een tweede factor is verwijderd, door de gebruiker zelf of door een beheerder (alle factoren)",
     "a second factor was removed, by its user or by an admin (all factors)", "auth (SecondFactors)"},
    {events::kSecondFactorFailed,
     "een onjuiste, verlopen of al gebruikte code of passkey bij aanmelding of instellen (status rejected, geen sessie)",
     "a wrong, expired or reused code or passkey at log-in or set-up (status rejected, no session)",
     "auth (SecondFactors, users)"},
    {events::kRecoveryCodesCreated, "er zijn nieuwe herstelcodes gemaakt (de oude vervallen)",
     "new recovery codes were made (the old ones lapse)", "auth (SecondFactors)"},
    {events::kStepUpSucceeded, "een gebruiker bevestigde de tweede factor (of het wachtwoord) opnieuw voor een gevoelige handeling",
     "a user proved their second factor (or password) again for a sensitive action", "auth (users)"},
    {events::kStepUpFailed, "een onjuiste bevestiging voor een gevoelige handeling (telt als onjuiste aanmelding)",
     "a wrong proof for a sensitive action (counts as a wrong log-in)", "auth (users)"},
    {events::kSubjectAccessPerformed, "een privacy officer berekende het pseudoniem van een betrokkene (inzage)",
     "a privacy officer computed a subject's pseudonym", "api (audit routes), cli (pseudonym)"},
    {events::kLdvReadPerformed,
     "een privacy officer las het log via de lees-API van Logboek Dataverwerkingen (op trace, verwerkingsactiviteit of "
     "betrokkene)",
     "a privacy officer read the log through the Logboek Dataverwerkingen read API (by trace, processing activity or "
     "data subject)",
     "api (ldv routes)"},
    {events::kLdvReadRefused,
     "een leesvraag geweigerd: verkeerde rol, geen zoeksleutel, een identificatie waar een pseudoniem hoort, of een "
     "ander ongeldig veld (niets getoond)",
     "a read refused: a role that may not read the log, no selector, a plain identifier where a pseudonym belongs, or "
     "another invalid field (nothing shown)",
     "api (ldv routes)"},
    {events::kRequestSent, "de ontvangstbevestiging van de bron voor een contact- of gegevensverzoek",
     "the source's receipt for a contact or details request", "sharing (Delivery)"},
    {events::kRequestReceived, "een contact- of gegevensverzoek van een ontvanger is opgeslagen bij de bron",
     "a recipient's contact or details request was stored at the source", "sharing (Receiver)"},
    {events::kRequestRejected,
     "een verzoek geweigerd zonder beslissing (geen ontvanger van het record, regel staat het niet toe, soort niet "
     "toegestaan, signaal ingetrokken); ook een verzoek via de API dat niet voldoet",
     "a request refused without a decision (not a recipient of the record, the rule grants no disclosure, kind not "
     "granted, signal withdrawn); also an API request that does not qualify",
     "sharing (Receiver, Requests)"},
    {events::kRequestDecided, "een bevoegde medewerker bij de bron keurde een verzoek goed of wees het af (met reden)",
     "an entitled person at the source approved or refused a request (with a reason)", "sharing (Requests)"},
    {events::kAnswerSent, "de ontvangstbevestiging van de aanvrager voor een antwoord op een verzoek",
     "the requester's receipt for an answer to a request", "sharing (Delivery)"},
    {events::kAnswerReceived, "een antwoord op een eigen verzoek is opgeslagen (verzegeld) bij de aanvrager",
     "an answer to an own request was stored (sealed) at the requester", "sharing (Receiver)"},
    {events::kAnswerRejected,
     "een antwoord geweigerd (geen openstaand verzoek aan deze partner, andere soorten dan gevraagd, ongeldige waarde)",
     "an answer refused (no pending request to this partner, kinds not asked for, an invalid value)",
     "sharing (Receiver)"},
    {events::kRequestExpired, "een verzoek verliep onbeantwoord op de termijn (aan beide kanten)",
     "a request expired unanswered at its deadline (on both sides)", "sharing (Requests)"},
    {events::kDisclosureViewed, "de aanvragende analist bekeek verstrekte gegevens",
     "the requesting analyst viewed disclosed identifiers", "api (request routes)"},
    {events::kDisclosureDeleted, "verstrekte gegevens passeerden de bewaartermijn van hun regel en zijn verwijderd",
     "disclosed identifiers passed their rule's retention and were deleted", "sharing (Requests)"},
    {events::kCaseOpened, "een analist opende een zaak vanuit een alert", "an analyst opened a case from an alert",
     "cases"},
    {events::kCaseUpdated, "status, behandelaar of termijn van een zaak gewijzigd, of een alert toegevoegd",
     "a case's status, assignee or due date changed, or an alert joined it", "cases"},
    {events::kCaseNoteAdded, "een notitie bij een zaak (de tekst blijft op de node, niet in het log)",
     "a note added to a case (the text stays on the node, not in the log)", "cases"},
    {events::kLookupPerformed, "een analist zocht een bekende identificatie op in wat de node ontving",
     "an analyst looked up a known identifier in what the node received", "cases (lookups)"},
    {events::kLookupRefused, "een opzoeking geweigerd (geen doel, dagbudget op)",
     "a lookup refused (no purpose, daily budget spent)", "cases (lookups)"},
    {events::kNodeRestored,
     "de node-map is teruggezet uit een back-up (momentopname van snapshotAt); wat na dat moment gebeurde is hier niet",
     "the node folder was restored from a backup (snapshot of snapshotAt); what happened after it is not here",
     "backup (restore)"},
};

// The catalogue's entry for a name, or nullptr.
constexpr const EventInfo* find_event(std::string_view name) {
  for (const auto& e : kEventCatalogue) {
    if (e.name.str() == name) return &e;
  }
  return nullptr;
}

}  // namespace signalnode::node::audit

// signalnode web interface: one page, no framework, nothing loaded from
// elsewhere (nodes may run without internet). Every value from the API is put
// into the page as text (never as HTML), so partner data cannot inject script;
// the node's Content-Security-Policy forbids inline script besides.
'use strict';

// ---------------------------------------------------------------- language
const TEXT = {
  nl: {
    skip: 'Naar de inhoud', login: 'Inloggen', username: 'Gebruikersnaam', password: 'Wachtwoord',
    oidcLogin: 'Inloggen via uw organisatie', oidcOr: 'Of log in met een account van deze node.',
    oidc: {
      onbereikbaar: 'De inlogdienst van uw organisatie is nu niet bereikbaar. Probeer het over een paar minuten opnieuw, of log in met een account van deze node.',
      verlopen: 'Deze aanmelding is verlopen of al gebruikt. Klik opnieuw op "Inloggen via uw organisatie".',
      afgebroken: 'De inlogdienst van uw organisatie heeft de aanmelding niet afgerond. U bent niet ingelogd.',
      geweigerd: 'De aanmelding via uw organisatie is geweigerd: het bewijs van de inlogdienst klopt niet. U bent niet ingelogd. Probeer het opnieuw; lukt het dan niet, neem contact op met de beheerder.',
      'geen-toegang': 'U bent bij uw organisatie niet ingedeeld in een groep die toegang heeft tot signalnode. Vraag uw leidinggevende of beheerder om toegang.',
      'te-vaak': 'Er zijn vanaf uw adres te veel aanmeldingen gestart. Wacht een minuut en probeer het dan opnieuw.',
    },
    logout: 'Uitloggen', language: 'English', badLogin: 'Gebruikersnaam of wachtwoord is onjuist.',
    mustWait: 'Te veel onjuiste wachtwoorden. U kunt het {wait} opnieuw proberen. Wie al is ingelogd, blijft ingelogd.',
    badLoginWait: 'Gebruikersnaam of wachtwoord is onjuist. U kunt het {wait} opnieuw proberen.',
    inSeconds: 'over {n} seconden', inMinutes: 'over {n} minuten', forgot: 'Wachtwoord vergeten? Vraag de beheerder van signalnode in uw organisatie om een nieuw wachtwoord.',
    tooMany: 'Te veel pogingen vanaf dit adres. Wacht een minuut.',
    navSubmit: 'Signaal melden', navSignals: 'Mijn signalen', navInbox: 'Inbox', navAlerts: 'Alerts',
    navLog: 'Verwerkingslog', navSubject: 'Inzageverzoek', navPolicy: 'Convenant', navCharts: 'Grafieken',
    navUsers: 'Gebruikers',
    submitTitle: 'Signaal melden', editTitle: 'Signaal corrigeren', category: 'Categorie', searchCategory: 'Zoek een categorie',
    observedOn: 'Waargenomen op', municipality: 'Gemeentecode (CBS)', severity: 'Ernst', persons: 'Aantal personen',
    summary: 'Toelichting (blijft op deze node, wordt nooit gedeeld)', subjects: 'Betrokkenen',
    addSubject: 'Betrokkene toevoegen', removeSubject: 'Verwijderen', kind: 'Soort', role: 'Rol',
    preview: 'Bekijk wat partners ontvangen', submit: 'Melden', saveCorrection: 'Correctie opslaan',
    low: 'laag', medium: 'middel', high: 'hoog', previewTitle: 'Wat elke partner ontvangt',
    partner: 'Partner', shared: 'Gedeeld', rule: 'Regel', pseudonyms: 'Pseudoniemen', fields: 'Velden',
    withheld: 'Niet gedeeld', yes: 'ja', no: 'nee', reason: 'Reden', never: 'Nooit gedeeld',
    chooseCategory: 'Kies een categorie.', stored: 'Signaal opgeslagen.', valid: 'Geldig',
    signalsTitle: 'Mijn signalen', observed: 'Waargenomen', status: 'Status', created: 'Gemeld', open: 'Openen',
    none: 'Nog niets.', signalTitle: 'Signaal', sharing: 'Delen per partner', state: 'Stand',
    waitsPseudonyms: 'Nog niet gedeeld: het signaal wacht op zijn pseudoniemen. Het is veilig opgeslagen en wordt vanzelf gedeeld zodra ze er zijn, meestal binnen enkele seconden.',
    paUnreachable: 'Nog niet gedeeld: de pseudonimiseringsautoriteit is sinds {date} niet bereikbaar. Het signaal is veilig opgeslagen en wordt vanzelf gedeeld zodra zij weer antwoordt. U hoeft niets opnieuw in te voeren.',
    followUp: 'Intrekking/correctie', feedback: 'Terugmelding', notices: 'Bundelmeldingen',
    withdraw: 'Intrekken', correct: 'Corrigeren', confirmWithdraw: 'Dit signaal intrekken bij alle partners? De inhoud wordt hier gewist.',
    withdrawn: 'Ingetrokken.', organisations: 'Organisaties', categories: 'Categorieën', receivedAt: 'Ontvangen',
    note: 'Notitie', inboxTitle: 'Ontvangen van partners', source: 'Bron', allSources: 'Alle bronnen',
    allCategories: 'Alle categorieën', filter: 'Filteren', week: 'Week', send: 'Versturen', feedbackSent: 'Terugmelding verstuurd.',
    show: 'Toon', hide: 'Verberg', alertsTitle: 'Alerts', bundle: 'bundel', hit: 'treffer', subject: 'Betrokkene',
    firstSeen: 'Eerst gezien', lastSeen: 'Laatst gezien', records: 'Records', notify: 'Bronnen informeren',
    notified: 'Bundelmelding verstuurd naar', notAllowed: 'niet toegestaan door de regel voor',
    logTitle: 'Verwerkingslog', verified: 'Log geverifieerd tot en met boomkop', broken: 'Log NIET in orde vanaf index',
    events: 'gebeurtenissen', event: 'Gebeurtenis', time: 'Tijd', csv: 'Download CSV', name: 'Naam',
    subjectTitle: 'Inzageverzoek (AVG art. 15)', idKind: 'Soort identificatie', value: 'Waarde', search: 'Zoeken',
    exchanges: 'uitwisselingen gevonden voor pseudoniem', policyTitle: 'Convenant in werking', from: 'Van', to: 'Naar',
    legalBasis: 'Grondslag', purpose: 'Doel', retention: 'Bewaartermijn', chartsTitle: 'Grafieken',
    perPartner: 'Uitwisselingen per partner en maand', perCategory: 'Eigen signalen per categorie', sent: 'verzonden',
    teamCol: 'Team', wholeOrg: 'hele organisatie', viaOrg: 'volgt de groepen bij uw organisatie', saveTeam: 'Team opslaan', teamSaved: 'Het team van {user} is opgeslagen.',
    received: 'ontvangen', usersTitle: 'Gebruikers', passwordTitle: 'Wachtwoord wijzigen', currentPassword: 'Huidig wachtwoord',
    newPassword: 'Nieuw wachtwoord', repeatPassword: 'Nieuw wachtwoord nogmaals', changePassword: 'Wijzigen',
    passwordsDiffer: 'De nieuwe wachtwoorden verschillen.', passwordChanged: 'Wachtwoord gewijzigd; uw andere sessies zijn beëindigd.',
    passwordHint: 'Kies een wachtwoord van minstens 12 tekens. Na het wijzigen worden uw sessies elders beëindigd.', deleteUser: 'Verwijderen', confirmDeleteUser: 'Account verwijderen en sessies beëindigen van', create: 'Aanmaken', created2: 'Aangemaakt', waitingUntil: 'moet wachten tot',
    unlock: 'Wachttijd opheffen', unlocked: 'kan meteen weer inloggen.', resetPassword: 'Nieuw wachtwoord instellen', setPassword: 'Instellen',
    passwordReset: 'Nieuw wachtwoord ingesteld voor {user}; alle sessies van dit account zijn beëindigd. Geef het wachtwoord persoonlijk door.',
    loading: 'Laden…', error: 'Er ging iets mis', forbidden: 'Deze pagina hoort niet bij uw rol.',
    problemBusy: 'De node is even druk. Probeer het over een paar seconden opnieuw.',
    problemInternal: 'Er ging iets mis in de node. Het is vastgelegd; probeer het later opnieuw of meld het bij de beheerder.',
    problemNetwork: 'De node is niet bereikbaar. Controleer de verbinding; wat u invoerde staat nog op het scherm.',
    problemMediaType: 'De node kon dit verzoek niet lezen. Vernieuw de pagina en probeer het opnieuw.',
    states: { queued: 'in de wachtrij', delivered: 'afgeleverd', failing: 'nog niet gelukt', rejected: 'geweigerd',
      cancelled: 'geannuleerd', not_shared: 'niet gedeeld', applied: 'verwerkt', void: 'vervallen', active: 'actief',
      withdrawn: 'ingetrokken', withdrawal: 'intrekking', correction: 'correctie' },
    feedbackStatus: { received: 'ontvangen', assessed: 'beoordeeld', investigation_started: 'onderzoek gestart',
      inspection_planned: 'inspectie gepland', action_taken: 'actie ondernomen', no_follow_up: 'geen vervolg',
      forwarded: 'doorgestuurd', withheld: 'Bewust niet teruggekoppeld' },
    feedbackReason: { '': '(geen)', insufficient_information: 'onvoldoende informatie', outside_mandate: 'buiten mandaat',
      already_known: 'al bekend', no_violation_found: 'geen overtreding gevonden', no_capacity: 'geen capaciteit',
      forwarded_to_police: 'doorgestuurd naar politie', forwarded_to_partner: 'doorgestuurd naar partner' },
  },
  en: {
    skip: 'Skip to content', login: 'Log in', username: 'Username', password: 'Password', logout: 'Log out',
    oidcLogin: 'Log in through your organisation', oidcOr: 'Or log in with an account of this node.',
    oidc: {
      onbereikbaar: "Your organisation's sign-in service cannot be reached now. Try again in a few minutes, or log in with an account of this node.",
      verlopen: 'This sign-in has expired or was used already. Click "Log in through your organisation" again.',
      afgebroken: "Your organisation's sign-in service did not complete the sign-in. You are not logged in.",
      geweigerd: "The sign-in through your organisation was refused: the sign-in service's proof is not right. You are not logged in. Try again; if that fails, contact the administrator.",
      'geen-toegang': 'Your organisation has not placed you in a group with access to signalnode. Ask your manager or administrator for access.',
      'te-vaak': 'Too many sign-ins were started from your address. Wait a minute and try again.',
    },
    language: 'Nederlands', badLogin: 'The username or password is wrong.',
    mustWait: 'Too many wrong passwords. You can try again {wait}. Anyone already logged in stays logged in.',
    badLoginWait: 'The username or password is wrong. You can try again {wait}.',
    inSeconds: 'in {n} seconds', inMinutes: 'in {n} minutes', forgot: 'Forgot your password? Ask the signalnode administrator of your organisation for a new one.',
    tooMany: 'Too many attempts from this address. Wait a minute.',
    navSubmit: 'Report a signal', navSignals: 'My signals', navInbox: 'Inbox', navAlerts: 'Alerts',
    navLog: 'Processing log', navSubject: 'Subject access', navPolicy: 'Covenant', navCharts: 'Charts', navUsers: 'Users',
    submitTitle: 'Report a signal', editTitle: 'Correct a signal', category: 'Category', searchCategory: 'Search a category',
    observedOn: 'Observed on', municipality: 'Municipality code (CBS)', severity: 'Severity', persons: 'Number of persons',
    summary: 'Summary (stays on this node, never shared)', subjects: 'Subjects', addSubject: 'Add a subject',
    removeSubject: 'Remove', kind: 'Kind', role: 'Role', preview: 'Preview what partners receive', submit: 'Submit',
    saveCorrection: 'Save correction', low: 'low', medium: 'medium', high: 'high', previewTitle: 'What each partner receives',
    partner: 'Partner', shared: 'Shared', rule: 'Rule', pseudonyms: 'Pseudonyms', fields: 'Fields', withheld: 'Not shared',
    yes: 'yes', no: 'no', reason: 'Reason', never: 'Never shared', chooseCategory: 'Choose a category.',
    stored: 'Signal stored.', valid: 'Valid', signalsTitle: 'My signals', observed: 'Observed', status: 'Status',
    created: 'Reported', open: 'Open', none: 'Nothing yet.', signalTitle: 'Signal', sharing: 'Sharing per partner',
    waitsPseudonyms: 'Not shared yet: the signal is waiting for its pseudonyms. It is stored safely and will be shared by itself once they are ready, usually within seconds.',
    paUnreachable: 'Not shared yet: the pseudonymisation authority has not been reachable since {date}. The signal is stored safely and will be shared by itself once it answers again. You need not enter anything again.',
    state: 'State', followUp: 'Withdrawal/correction', feedback: 'Feedback', notices: 'Bundle notices',
    withdraw: 'Withdraw', correct: 'Correct', confirmWithdraw: 'Withdraw this signal at every partner? Its content is erased here.',
    withdrawn: 'Withdrawn.', organisations: 'Organisations', categories: 'Categories', receivedAt: 'Received', note: 'Note',
    inboxTitle: 'Received from partners', source: 'Source', allSources: 'All sources', allCategories: 'All categories',
    filter: 'Filter', week: 'Week', send: 'Send', feedbackSent: 'Feedback sent.', show: 'Show', hide: 'Hide',
    alertsTitle: 'Alerts', bundle: 'bundle', hit: 'hit', subject: 'Subject', firstSeen: 'First seen', lastSeen: 'Last seen',
    records: 'Records', notify: 'Notify the sources', notified: 'Bundle notice sent to', notAllowed: 'not allowed by the rule for',
    logTitle: 'Processing log', verified: 'Log verified up to tree head', broken: 'Log NOT intact from index',
    events: 'events', event: 'Event', time: 'Time', csv: 'Download CSV', name: 'Name',
    subjectTitle: 'Subject access (GDPR art. 15)', idKind: 'Kind of identifier', value: 'Value', search: 'Search',
    exchanges: 'exchanges found for pseudonym', policyTitle: 'Covenant in force', from: 'From', to: 'To',
    legalBasis: 'Legal basis', purpose: 'Purpose', retention: 'Retention', chartsTitle: 'Charts',
    perPartner: 'Exchanges per partner and month', perCategory: 'Own signals per category', sent: 'sent',
    teamCol: 'Team', wholeOrg: 'whole organisation', viaOrg: 'follows the groups at your organisation', saveTeam: 'Save team', teamSaved: "{user}'s team is saved.",
    received: 'received', usersTitle: 'Users', passwordTitle: 'Change password', currentPassword: 'Current password',
    newPassword: 'New password', repeatPassword: 'New password again', changePassword: 'Change',
    passwordsDiffer: 'The new passwords differ.', passwordChanged: 'Password changed; your other sessions have ended.',
    passwordHint: 'Choose a password of at least 12 characters. Changing it ends your sessions elsewhere.', deleteUser: 'Delete', confirmDeleteUser: 'Delete the account and end the sessions of', create: 'Create', created2: 'Created', waitingUntil: 'must wait until',
    unlock: 'Clear the wait', unlocked: 'can log in again at once.', resetPassword: 'Set a new password', setPassword: 'Set',
    passwordReset: 'New password set for {user}; every session of this account has ended. Hand the password over in person.',
    loading: 'Loading…', error: 'Something went wrong', forbidden: 'This page is not for your role.',
    problemBusy: 'The node is busy. Try again in a few seconds.',
    problemInternal: 'Something went wrong in the node. It was logged; try again later or tell the administrator.',
    problemNetwork: 'The node cannot be reached. Check the connection; what you entered is still on the screen.',
    problemMediaType: 'The node could not read this request. Reload the page and try again.',
    states: { queued: 'queued', delivered: 'delivered', failing: 'not yet delivered', rejected: 'refused',
      cancelled: 'cancelled', not_shared: 'not shared', applied: 'applied', void: 'void', active: 'active',
      withdrawn: 'withdrawn', withdrawal: 'withdrawal', correction: 'correction' },
    feedbackStatus: { received: 'received', assessed: 'assessed', investigation_started: 'investigation started',
      inspection_planned: 'inspection planned', action_taken: 'action taken', no_follow_up: 'no follow-up',
      forwarded: 'forwarded', withheld: 'Feedback deliberately withheld' },
    feedbackReason: { '': '(none)', insufficient_information: 'insufficient information', outside_mandate: 'outside mandate',
      already_known: 'already known', no_violation_found: 'no violation found', no_capacity: 'no capacity',
      forwarded_to_police: 'forwarded to police', forwarded_to_partner: 'forwarded to partner' },
  },
};
// Feedback periods and withheld feedback (issue 17).
Object.assign(TEXT.nl, {
  withheldReason: { investigation_interest: 'belang van het onderzoek', legal_restriction: 'wettelijke geheimhoudingsplicht',
    source_protection: 'bescherming van een bron' },
  withheldReasonLabel: 'Waarom niet', chooseWithheldReason: 'Kies waarom u bewust niet terugkoppelt.',
  feedbackOverdue: 'Terugmelding te laat', overdueSince: 'de termijn verliep op {date}',
  feedbackDue: 'Terugmelding verwacht vóór {date}', answerDue: 'Antwoord verwacht vóór {date}',
  noAnswerYet: 'Nog geen antwoord (termijn verlopen op {date})', feedbackPeriod: 'Termijn voor terugmelding',
  days: '{n} dagen', noPeriod: 'geen termijn',
});
Object.assign(TEXT.en, {
  withheldReason: { investigation_interest: 'interest of an investigation', legal_restriction: 'legal duty of secrecy',
    source_protection: 'protection of a source' },
  withheldReasonLabel: 'Why not', chooseWithheldReason: 'Choose why you deliberately withhold feedback.',
  feedbackOverdue: 'Feedback overdue', overdueSince: 'the period ended on {date}',
  feedbackDue: 'Feedback expected before {date}', answerDue: 'Answer expected before {date}',
  noAnswerYet: 'No answer yet (period ended on {date})', feedbackPeriod: 'Feedback period',
  days: '{n} days', noPeriod: 'no period',
});
// "12 januari 2027" / "12 January 2027".
const longDate = (iso) => new Date(iso).toLocaleDateString(lang === 'nl' ? 'nl-NL' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric' });
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
// A partner's feedback in words: "Bewust niet teruggekoppeld: belang van het onderzoek", "onderzoek gestart (al bekend)".
function feedbackText(f) {
  if (f.status === 'withheld') return `${TEXT[lang].feedbackStatus.withheld}: ${TEXT[lang].withheldReason[f.reason] || f.reason || ''}`;
  const reason = f.reason ? ` (${TEXT[lang].feedbackReason[f.reason] || TEXT[lang].withheldReason[f.reason] || f.reason})` : '';
  return `${TEXT[lang].feedbackStatus[f.status] || f.status}${reason}`;
}

// Requests to a record's source (issue 16): Dutch first, in the users' words.
Object.assign(TEXT.nl, {
  navRequests: 'Verzoeken', navMe: 'Mijn gegevens', showAnswer: 'Antwoord bekijken (wordt vastgelegd)', askContact: 'Contact vragen', askDetails: 'Gegevens opvragen',
  requestsTitle: 'Verzoeken', incomingTitle: 'Verzoeken aan u', outgoingTitle: 'Mijn verzoeken aan partners',
  reference: 'Zaakreferentie', legalGround: 'Grondslag (leeg: de grondslag van de regel)',
  purposeHint: '(minstens 10 tekens; de bron leest dit)', kindsAsked: 'Welke gegevens', requestSent: 'Verzoek verstuurd. De bron beslist binnen 14 dagen.',
  approve: 'Goedkeuren', refuse: 'Afwijzen', refuseReason: 'Reden van afwijzing', decided: 'Beslissing verstuurd.',
  requester: 'Aanvrager', deadline: 'Uiterlijk', decidedAt: 'Beslist', disclosedTitle: 'Verstrekte gegevens',
  contactCard: 'Contactpersoon', phone: 'Telefoon', email: 'E-mail', organisation: 'Organisatie',
  onlyRequester: 'Alleen zichtbaar voor de analist die het vroeg.', verifiedYes: 'Klopt met het record: dezelfde betrokkene als in het ontvangen signaal.',
  verifiedNo: 'Let op: deze gegevens horen niet bij het ontvangen record. Neem contact op met de bron.', answerGone: 'Verwijderd na de bewaartermijn.',
  meTitle: 'Mijn gegevens', meHint: 'Partners zien deze gegevens als u contact vraagt of een contactverzoek goedkeurt.',
  saved: 'Opgeslagen.', save: 'Opslaan', notAccepted: 'niet aangenomen door de bron', typeContact: 'contactverzoek',
  typeDetails: 'gegevensverzoek', askedAbout: 'Over record', decideHint: 'Goedkeuren stuurt de gevraagde gegevens uit uw signaal, ondertekend, alleen naar deze aanvrager.',
  decideContactHint: 'Goedkeuren stuurt uw contactgegevens (Mijn gegevens) naar de aanvrager.',
  requestStates: { pending: 'wacht op beslissing', approved: 'goedgekeurd', refused: 'afgewezen', expired: 'verlopen' },
  refusalReasons: { investigation_interest: 'belang van een onderzoek', insufficient_purpose: 'doel onvoldoende',
    not_proportionate: 'niet proportioneel', no_legal_ground: 'geen grondslag', not_held: 'niet meer in bezit',
    other_channel: 'via een ander kanaal (politie, OM)', not_accepted: 'niet aangenomen door de bron' },
  idKinds: { bsn: 'BSN', kvk: 'KvK-nummer', iban: 'IBAN', address: 'adres', person: 'persoon (naam en geboortedatum)',
    document: 'identiteitsbewijs', plate: 'kenteken', phone: 'telefoonnummer', email: 'e-mailadres' },
});
Object.assign(TEXT.en, {
  navRequests: 'Requests', navMe: 'My details', showAnswer: 'View the answer (recorded)', askContact: 'Ask for contact', askDetails: 'Request details',
  requestsTitle: 'Requests', incomingTitle: 'Requests to you', outgoingTitle: 'My requests to partners',
  reference: 'Case reference', legalGround: 'Legal ground (empty: the rule\'s legal basis)',
  purposeHint: '(at least 10 characters; the source reads this)', kindsAsked: 'Which details', requestSent: 'Request sent. The source decides within 14 days.',
  approve: 'Approve', refuse: 'Refuse', refuseReason: 'Reason to refuse', decided: 'Decision sent.',
  requester: 'Requester', deadline: 'Due', decidedAt: 'Decided', disclosedTitle: 'Disclosed details',
  contactCard: 'Contact person', phone: 'Phone', email: 'E-mail', organisation: 'Organisation',
  onlyRequester: 'Shown only to the analyst who asked.', verifiedYes: 'Matches the record: the same subject as in the received signal.',
  verifiedNo: 'Caution: these details do not belong to the received record. Contact the source.', answerGone: 'Deleted after the retention period.',
  meTitle: 'My details', meHint: 'Partners see these details when you ask for contact or approve a contact request.',
  saved: 'Saved.', save: 'Save', notAccepted: 'not accepted by the source', typeContact: 'contact request',
  typeDetails: 'details request', askedAbout: 'About record', decideHint: 'Approving sends the asked details from your signal, signed, to this requester only.',
  decideContactHint: 'Approving sends your contact details (My details) to the requester.',
  requestStates: { pending: 'awaiting decision', approved: 'approved', refused: 'refused', expired: 'expired' },
  refusalReasons: { investigation_interest: 'interest of an investigation', insufficient_purpose: 'purpose insufficient',
    not_proportionate: 'not proportionate', no_legal_ground: 'no legal ground', not_held: 'no longer held',
    other_channel: 'through another channel (police, prosecutor)', not_accepted: 'not accepted by the source' },
  idKinds: { bsn: 'BSN', kvk: 'KvK number', iban: 'IBAN', address: 'address', person: 'person (name and date of birth)',
    document: 'identity document', plate: 'licence plate', phone: 'phone number', email: 'e-mail address' },
});
const idKindName = (k) => TEXT[lang].idKinds[k] || k;
const requestState = (st) => TEXT[lang].requestStates[st] || st;
// Cases and lookups (issue 16).
Object.assign(TEXT.nl, {
  navCases: 'Zaken', navLookup: 'Opzoeken', casesTitle: 'Zaken', caseTitle: 'Zaak', openCase: 'Zaak openen',
  caseStatus: { open: 'open', in_progress: 'in behandeling', closed: 'afgesloten' }, assignee: 'Behandelaar (gebruikersnaam)',
  dueDate: 'Termijn', saveCase: 'Zaak bijwerken', caseSaved: 'Zaak bijgewerkt.', graphTitle: 'Samenhang: betrokkenen en records',
  graphCut: 'Niet alles is getoond: de samenhang is groter dan een zaak toont.', notesTitle: 'Notities (blijven op deze node)',
  addNote: 'Notitie toevoegen', noteText: 'Notitie', noteAdded: 'Notitie toegevoegd.', caseRequests: 'Verzoeken in deze zaak',
  ownSignal: 'eigen signaal', reportedBy: 'gemeld door', counts: 'alerts / records', lookupTitle: 'Opzoeken wat de node ontving',
  lookupHint: 'Voor een identificatie die u al kent uit uw eigen dossier. Elke opzoeking wordt vastgelegd met het doel; u heeft een dagbudget.',
  lookupNone: 'Niets ontvangen over deze betrokkene.', remaining: 'opzoekingen over vandaag', found: 'Gevonden',
  receivedRecord: 'ontvangen record', alertWord: 'alert', subjectKey: 'betrokkene',
});
Object.assign(TEXT.en, {
  navCases: 'Cases', navLookup: 'Look up', casesTitle: 'Cases', caseTitle: 'Case', openCase: 'Open a case',
  caseStatus: { open: 'open', in_progress: 'in progress', closed: 'closed' }, assignee: 'Assignee (username)',
  dueDate: 'Due date', saveCase: 'Update case', caseSaved: 'Case updated.', graphTitle: 'How it fits: subjects and records',
  graphCut: 'Not everything is shown: the connections reach further than a case shows.', notesTitle: 'Notes (stay on this node)',
  addNote: 'Add a note', noteText: 'Note', noteAdded: 'Note added.', caseRequests: 'Requests in this case',
  ownSignal: 'own signal', reportedBy: 'reported by', counts: 'alerts / records', lookupTitle: 'Look up what the node received',
  lookupHint: 'For an identifier you already know from your own file. Every lookup is recorded with its purpose; you have a daily budget.',
  lookupNone: 'Nothing received about this subject.', remaining: 'lookups left today', found: 'Found',
  receivedRecord: 'received record', alertWord: 'alert', subjectKey: 'subject',
});
// Notifications and the start page (issue 17): the same words as the mails.
Object.assign(TEXT.nl, {
  navStart: 'Start', startTitle: 'Wat er voor u klaarstaat', newSince: 'Nieuw sinds uw vorige bezoek ({when})',
  newFirst: 'Nieuw voor u', nothingNew: 'Niets nieuws sinds uw vorige bezoek.', waitingTitle: 'Wacht op u',
  nothingWaiting: 'Er wacht niets op u.', newMark: 'nieuw', notifyTitle: 'Meldingen per e-mail',
  notifyMode: 'Hoe vaak', notifyLanguage: 'Taal van de e-mail', notifyModes: { immediate: 'direct', digest: 'één overzicht per dag', off: 'geen e-mail (alleen de startpagina)' },
  notifyLanguages: { nl: 'Nederlands', en: 'Engels' }, notifyTo: 'E-mails gaan naar {email}. Ze noemen nooit personen, adressen, bedrijven, categorieën of partners.',
  notifyNoEmail: 'Vul hierboven uw e-mailadres in om e-mails te krijgen.', notifyNoRelay: 'Deze node verstuurt (nog) geen e-mail; u ziet alles op de startpagina.',
  navDeliveries: 'Meldingen', deliveriesTitle: 'Verstuurde en mislukte meldingen', channel: 'Kanaal', target: 'Naar',
  attempts: 'Pogingen', lastError: 'Laatste fout', nextAttempt: 'Volgende poging', sentAt: 'Verstuurd',
  deliveryStates: { queued: 'wacht op verzending', sent: 'verstuurd', failed: 'opgegeven' }, channels: { mail: 'e-mail', webhook: 'webhook' },
  topics: {
    feedback_received: ['terugkoppeling op uw signalen', 'terugkoppelingen op uw signalen'],
    signal_hit: ['treffer op uw signalen', 'treffers op uw signalen'],
    request_to_decide: ['verzoek dat op uw besluit wacht', 'verzoeken die op uw besluit wachten'],
    request_overdue: ['verzoek waarvan de termijn verstreken is', 'verzoeken waarvan de termijn verstreken is'],
    alert: ['nieuwe of gegroeide alert', 'nieuwe of gegroeide alerts'],
    case_opened: ['nieuwe zaak', 'nieuwe zaken'],
    request_answered: ['beantwoord verzoek', 'beantwoorde verzoeken'],
    feedback_overdue: ['ontvangen melding die op terugkoppeling wacht', 'ontvangen meldingen die op terugkoppeling wachten'],
    log_unverified: ['mislukte controle van het eigen logboek', 'mislukte controles van het eigen logboek'],
    tree_head_mismatch: ['logboek van een partner dat niet klopt met eerder', 'logboeken van partners die niet kloppen met eerder'],
    records_rejected: ['geweigerde zending van een partner', 'geweigerde zendingen van partners'],
    pa_budget_alarm: ['alarm over het aantal pseudonimiseringen', 'alarmen over het aantal pseudonimiseringen'],
    login_throttled: ['account dat moet wachten na foute wachtwoorden', 'accounts die moeten wachten na foute wachtwoorden'],
    certificate_expiring: ['certificaat dat binnen 30 dagen verloopt', 'certificaten die binnen 30 dagen verlopen'],
    outbox_backlog: ['achterstand bij het verzenden naar partners', 'achterstanden bij het verzenden naar partners'],
    configuration_refused: ['geweigerde federatieconfiguratie (de vorige blijft gelden)', 'geweigerde federatieconfiguraties (de vorige blijft gelden)'],
  },
  waiting: {
    requestsToDecide: ['verzoek wacht op uw besluit', 'verzoeken wachten op uw besluit'],
    feedbackOverdue: ['ontvangen melding wacht te lang op terugkoppeling', 'ontvangen meldingen wachten te lang op terugkoppeling'],
    failedNotifications: ['melding kon niet worden verstuurd', 'meldingen konden niet worden verstuurd'],
    partnersBehind: ['partner loopt meer dan een uur achter', 'partners lopen meer dan een uur achter'],
  },
});
Object.assign(TEXT.en, {
  navStart: 'Start', startTitle: 'What waits for you', newSince: 'New since your last visit ({when})',
  newFirst: 'New for you', nothingNew: 'Nothing new since your last visit.', waitingTitle: 'Waiting for you',
  nothingWaiting: 'Nothing is waiting for you.', newMark: 'new', notifyTitle: 'E-mail notifications',
  notifyMode: 'How often', notifyLanguage: 'Language of the e-mail', notifyModes: { immediate: 'at once', digest: 'one overview a day', off: 'no e-mail (start page only)' },
  notifyLanguages: { nl: 'Dutch', en: 'English' }, notifyTo: 'E-mails go to {email}. They never name persons, addresses, companies, categories or partners.',
  notifyNoEmail: 'Fill in your e-mail address above to receive e-mails.', notifyNoRelay: 'This node does not send e-mail (yet); you see everything on the start page.',
  navDeliveries: 'Notifications', deliveriesTitle: 'Sent and failed notifications', channel: 'Channel', target: 'To',
  attempts: 'Attempts', lastError: 'Last error', nextAttempt: 'Next attempt', sentAt: 'Sent',
  deliveryStates: { queued: 'waiting to be sent', sent: 'sent', failed: 'given up' }, channels: { mail: 'e-mail', webhook: 'webhook' },
  topics: {
    feedback_received: ['feedback message on your signals', 'feedback messages on your signals'],
    signal_hit: ['match on your signals', 'matches on your signals'],
    request_to_decide: ['request awaiting your decision', 'requests awaiting your decision'],
    request_overdue: ['request past its deadline', 'requests past their deadline'],
    alert: ['new or grown alert', 'new or grown alerts'],
    case_opened: ['new case', 'new cases'],
    request_answered: ['answered request', 'answered requests'],
    feedback_overdue: ['received record awaiting feedback', 'received records awaiting feedback'],
    log_unverified: ["failed check of this node's log", "failed checks of this node's log"],
    tree_head_mismatch: ['partner log that does not match before', 'partner logs that do not match before'],
    records_rejected: ['refused delivery from a partner', 'refused deliveries from partners'],
    pa_budget_alarm: ['pseudonymisation volume alarm', 'pseudonymisation volume alarms'],
    login_throttled: ['account waiting after wrong passwords', 'accounts waiting after wrong passwords'],
    certificate_expiring: ['certificate expiring within 30 days', 'certificates expiring within 30 days'],
    outbox_backlog: ['delivery backlog towards partners', 'delivery backlogs towards partners'],
    configuration_refused: ['refused federation configuration (the last good one stays)', 'refused federation configurations (the last good one stays)'],
  },
  waiting: {
    requestsToDecide: ['request awaits your decision', 'requests await your decision'],
    feedbackOverdue: ['received record waits too long for feedback', 'received records wait too long for feedback'],
    failedNotifications: ['notification could not be sent', 'notifications could not be sent'],
    partnersBehind: ['partner is more than an hour behind', 'partners are more than an hour behind'],
  },
});
// Issue 20: every code gets a human label, in the words of Dutch civil servants.
Object.assign(TEXT.nl, {
  roles: { officer: 'aandachtsfunctionaris', analyst: 'analist', privacy_officer: 'privacyfunctionaris', admin: 'beheerder' },
  orgRoles: { municipality: 'gemeente', labour_inspectorate: 'arbeidsinspectie', housing_certifier: 'keurmerk huisvesting (SNF)',
    riec: 'RIEC', pseudonymisation_authority: 'pseudonimiseringsautoriteit', police: 'politie', tax_authority: 'Belastingdienst',
    chamber_of_commerce: 'Kamer van Koophandel', zvh: 'Zorg- en Veiligheidshuis', trafficking_table: 'mensenhandeltafel' },
  subjectRoles: { worker: 'werknemer', victim: 'slachtoffer', companion: 'begeleider', intermediary: 'tussenpersoon',
    employer: 'werkgever', hirer: 'inlener', temp_agency: 'uitzendbureau', recruiter: 'werver', housing_provider: 'huisvester',
    landlord: 'verhuurder', owner: 'eigenaar', letting_agent: 'verhuurbemiddelaar' },
  severityWords: { low: 'laag', medium: 'middel', high: 'hoog' },
  personsCount: ['{n} persoon', '{n} personen'],
  fieldLabels: { category: 'categorie', observedOn: 'waargenomen op', municipality: 'gemeente', severity: 'ernst', persons: 'aantal personen',
    summary: 'toelichting', subjects: 'betrokkenen', kind: 'soort', role: 'rol', name: 'naam', bsn: 'BSN', kvk: 'KvK-nummer', iban: 'IBAN',
    postcode: 'postcode', houseNumber: 'huisnummer', houseLetter: 'huisletter', addition: 'toevoeging', birthDate: 'geboortedatum',
    documentNumber: 'documentnummer', documentCountry: 'land van het document', plate: 'kenteken', plateCountry: 'land van het kenteken',
    phone: 'telefoonnummer', email: 'e-mailadres', week: 'week', names: 'namen', 'plain identifiers': 'identificerende gegevens',
    'exact dates': 'precieze datums', value: 'waarde', idKind: 'soort identificatie' },
  eventNames: {
    'record.sent': 'signaal gedeeld met partner', 'record.received': 'signaal ontvangen van partner', 'record.rejected': 'ontvangen signaal geweigerd',
    'record.withdrawn': 'gedeeld signaal ingetrokken', 'record.corrected': 'gedeeld signaal gecorrigeerd', 'record.expired': 'ontvangen signaal verwijderd na bewaartermijn',
    'feedback.sent': 'terugkoppeling verstuurd', 'feedback.received': 'terugkoppeling ontvangen', 'feedback.rejected': 'terugkoppeling geweigerd',
    'notice.sent': 'bundelmelding verstuurd', 'notice.received': 'bundelmelding ontvangen', 'notice.rejected': 'bundelmelding geweigerd',
    'withdrawal.rejected': 'intrekking geweigerd', 'correction.rejected': 'correctie geweigerd', 'batch.replayed': 'zending opnieuw aangeboden',
    'signal.withdrawn': 'eigen signaal ingetrokken', 'signal.corrected': 'eigen signaal gecorrigeerd', 'signal.expired': 'eigen signaal verwijderd na bewaartermijn',
    'oprf.evaluated': 'pseudoniemen berekend', 'oprf.budget_alarm': 'alarm: veel pseudoniemen gevraagd', 'policy.loaded': 'convenant in werking gesteld',
    'audit.pruned': 'oude logregels opgeschoond', 'subject_access.performed': 'inzageverzoek uitgevoerd', 'token.created': 'toegangssleutel aangemaakt',
    'user.created': 'account aangemaakt', 'user.deleted': 'account verwijderd', 'login.succeeded': 'ingelogd', 'login.failed': 'inloggen mislukt', 'login.password_accepted': 'wachtwoord juist, wacht op tweede factor',
    'login.throttled': 'wachttijd na foute wachtwoorden', 'account.unlocked': 'wachttijd opgeheven', 'password.changed': 'wachtwoord gewijzigd',
    'password.change_failed': 'wachtwoord wijzigen mislukt', 'password.reset': 'nieuw wachtwoord ingesteld door beheerder', 'team.set': 'team ingesteld',
    'request.sent': 'verzoek aan bron verstuurd', 'request.received': 'verzoek van partner ontvangen', 'request.rejected': 'verzoek geweigerd',
    'request.decided': 'besluit op verzoek', 'request.expired': 'verzoek verlopen', 'answer.sent': 'antwoord op verzoek verstuurd',
    'answer.received': 'antwoord op verzoek ontvangen', 'answer.rejected': 'antwoord op verzoek geweigerd', 'disclosure.viewed': 'verstrekte gegevens bekeken',
    'disclosure.deleted': 'verstrekte gegevens verwijderd', 'lookup.performed': 'opzoeking uitgevoerd', 'lookup.refused': 'opzoeking geweigerd',
    'case.opened': 'zaak geopend', 'case.updated': 'zaak bijgewerkt', 'case.note_added': 'notitie bij zaak', 'node.restored': 'node hersteld uit back-up' },
  eventStatus: { ok: 'gelukt', error: 'mislukt', rejected: 'geweigerd', refused: 'geweigerd', failed: 'mislukt' },
  orgName: 'Organisatie', allEvents: 'Alle gebeurtenissen', fromDate: 'Vanaf (dd-mm-jjjj)', toDate: 'Tot en met (dd-mm-jjjj)',
  olderEvents: 'Oudere gebeurtenissen', shownEvents: '{n} gebeurtenissen getoond', noEvents: 'Geen gebeurtenissen gevonden met deze filters.',
  verifiedUpTo: 'Logboek gecontroleerd: alles klopt tot en met controlepunt {n} ({events} gebeurtenissen).',
  brokenAt: 'Logboek NIET in orde vanaf gebeurtenis {n}: {why}', allPartners: 'Alle partners',
  dateFormat: 'Vul een datum in als dd-mm-jjjj, bijvoorbeeld 1-2-1990.', dateFuture: 'Deze datum ligt in de toekomst.',
  countryUnknown: 'Onbekend land. Kies een land uit de lijst.', required: 'Vul dit in.', errorsFound: 'Controleer {n} gegevens:',
  errorOne: 'Controleer dit gegeven:', municipalityHint: '(CBS-code, bijvoorbeeld GM0358)', municipalityNeeded: '(CBS-code, bijvoorbeeld GM0358; nodig voor het RIEC en de gemeente van die plaats)', roleHint: '(bijvoorbeeld werknemer, uitzendbureau)',
  dateHint: '(dd-mm-jjjj)', countryHint: '(naam van het land)',
  sessionWarnTitle: 'Uw sessie verloopt bijna', sessionWarnText: 'Over {n} minuten wordt u automatisch uitgelogd omdat u een tijd niets deed. Wat op het scherm staat, blijft bewaard.',
  sessionEndTitle: 'Uw sessie eindigt binnenkort', sessionEndText: 'Om {time} eindigt uw sessie: na 8 uur moet iedereen opnieuw inloggen. Wat op het scherm staat, blijft bewaard.', sessionLoginNow: 'Nu opnieuw inloggen',
  sessionExtend: 'Ingelogd blijven', sessionExtended: 'Uw sessie is verlengd.', sessionExpiredTitle: 'Uw sessie is verlopen',
  sessionExpiredText: 'Log opnieuw in om verder te gaan. Wat u op het scherm had staan, blijft staan.', draftRestored: 'Uw niet verstuurde melding is teruggezet.',
  close: 'Sluiten', mineOnly: 'Alleen mijn eigen signalen', wholeOrg: 'Alle signalen van {org}', searchSignals: 'Zoek in deze lijst',
  signalsShown: '{n} van {total} signalen', firstSubject: 'Betrokkene', noSummary: '(geen toelichting)',
  noticesAgain: 'Er is niets opnieuw verstuurd: {partners} kreeg deze bundelmelding al eerder.', noticesNone: 'Er is geen bundelmelding verstuurd.',
  reportTitle: 'Inzageoverzicht', reportIntro: 'Overzicht van wat deze node heeft uitgewisseld en nu bewaart over de betrokkene ({kind}).',
  sharedTitle: 'Wat is gedeeld of ontvangen', heldTitle: 'Wat deze node nu bewaart', heldSignals: 'Eigen signalen die de betrokkene noemen: {n}',
  heldReceived: 'Ontvangen van partners', heldNone: 'Niets ontvangen van partners over deze betrokkene.', heldUnknown: 'De node gaf niet op wat hij nu bewaart.',
  print: 'Afdrukken', downloadCsv: 'Download als CSV', downloadJson: 'Download als JSON', withWhom: 'Met wie', madeOn: 'Opgesteld op {when}',
  houseNumber: 'Huisnummer', houseLetter: 'Huisletter', addition: 'Toevoeging', birthDate: 'Geboortedatum', country: 'Land',
  documentNumber: 'Documentnummer', plate: 'Kenteken', accessValue: 'Waarde', ruleWord: 'regel',
  reasonNoRule: 'geen regel in het convenant deelt deze categorie met deze partner', reasonSuspended: 'regel {rule} geldt, maar is opgeschort',
  reasonNotValid: 'regel {rule} geldt, maar niet op deze datum', reasonRule: 'volgens regel {rule}',
  reasonOutsideArea: '{place} valt buiten het werkgebied van deze partner (regel {rule} deelt alleen binnen het eigen gebied)',
  reasonNoPlace: 'het signaal noemt geen gemeente, en regel {rule} deelt alleen met de partner van die gemeente',
  reasonSendOnly: 'deze partner meldt alleen en ontvangt niets', inArea: '{place} ligt in het werkgebied', national: 'landelijk',
  summaryShort: 'Omschrijving', discard: 'Formulier leegmaken', usersHint: 'Wie zijn wachtwoord vergat, krijgt hier een nieuw (Nieuw wachtwoord instellen). Wie na foute wachtwoorden moet wachten, kunt u meteen weer toelaten (Wachttijd opheffen).', loginState: 'Inloggen', canLogIn: 'kan inloggen', actions: 'Acties', newAccount: 'Nieuw account', resetHint: 'Minstens 12 tekens. Alle sessies van dit account worden beëindigd.',
  observedWeek: 'week {w}', signalOrg: 'Organisatie', pseudonymOf: 'pseudoniem', showFull: 'Toon volledig pseudoniem',
});
Object.assign(TEXT.en, {
  roles: { officer: 'liaison officer', analyst: 'analyst', privacy_officer: 'privacy officer', admin: 'administrator' },
  orgRoles: { municipality: 'municipality', labour_inspectorate: 'labour inspectorate', housing_certifier: 'housing certifier (SNF)',
    riec: 'RIEC', pseudonymisation_authority: 'pseudonymisation authority', police: 'police', tax_authority: 'tax authority',
    chamber_of_commerce: 'Chamber of Commerce', zvh: 'Care and Safety House', trafficking_table: 'human trafficking table' },
  subjectRoles: { worker: 'worker', victim: 'victim', companion: 'companion', intermediary: 'intermediary', employer: 'employer',
    hirer: 'hirer', temp_agency: 'temp agency', recruiter: 'recruiter', housing_provider: 'housing provider', landlord: 'landlord',
    owner: 'owner', letting_agent: 'letting agent' },
  severityWords: { low: 'low', medium: 'medium', high: 'high' },
  personsCount: ['{n} person', '{n} persons'],
  fieldLabels: { category: 'category', observedOn: 'observed on', municipality: 'municipality', severity: 'severity', persons: 'number of persons',
    summary: 'summary', subjects: 'subjects', kind: 'kind', role: 'role', name: 'name', bsn: 'BSN', kvk: 'KvK number', iban: 'IBAN',
    postcode: 'postcode', houseNumber: 'house number', houseLetter: 'house letter', addition: 'addition', birthDate: 'date of birth',
    documentNumber: 'document number', documentCountry: 'country of the document', plate: 'licence plate', plateCountry: 'country of the plate',
    phone: 'phone number', email: 'e-mail address', week: 'week', names: 'names', 'plain identifiers': 'identifying details',
    'exact dates': 'exact dates', value: 'value', idKind: 'kind of identifier' },
  eventNames: {
    'record.sent': 'signal shared with a partner', 'record.received': 'signal received from a partner', 'record.rejected': 'received signal refused',
    'record.withdrawn': 'shared signal withdrawn', 'record.corrected': 'shared signal corrected', 'record.expired': 'received signal deleted after retention',
    'feedback.sent': 'feedback sent', 'feedback.received': 'feedback received', 'feedback.rejected': 'feedback refused',
    'notice.sent': 'bundle notice sent', 'notice.received': 'bundle notice received', 'notice.rejected': 'bundle notice refused',
    'withdrawal.rejected': 'withdrawal refused', 'correction.rejected': 'correction refused', 'batch.replayed': 'delivery offered again',
    'signal.withdrawn': 'own signal withdrawn', 'signal.corrected': 'own signal corrected', 'signal.expired': 'own signal deleted after retention',
    'oprf.evaluated': 'pseudonyms computed', 'oprf.budget_alarm': 'alarm: many pseudonyms asked', 'policy.loaded': 'covenant put into force',
    'audit.pruned': 'old log entries pruned', 'subject_access.performed': 'subject access performed', 'token.created': 'access token created',
    'user.created': 'account created', 'user.deleted': 'account deleted', 'login.succeeded': 'logged in', 'login.failed': 'log-in failed', 'login.password_accepted': 'password right, waiting for the second factor',
    'login.throttled': 'wait after wrong passwords', 'account.unlocked': 'wait cleared', 'password.changed': 'password changed',
    'password.change_failed': 'password change failed', 'password.reset': 'new password set by the administrator', 'team.set': 'team set',
    'request.sent': 'request to a source sent', 'request.received': 'request from a partner received', 'request.rejected': 'request refused',
    'request.decided': 'decision on a request', 'request.expired': 'request expired', 'answer.sent': 'answer to a request sent',
    'answer.received': 'answer to a request received', 'answer.rejected': 'answer to a request refused', 'disclosure.viewed': 'disclosed details viewed',
    'disclosure.deleted': 'disclosed details deleted', 'lookup.performed': 'lookup performed', 'lookup.refused': 'lookup refused',
    'case.opened': 'case opened', 'case.updated': 'case updated', 'case.note_added': 'note added to a case', 'node.restored': 'node restored from backup' },
  eventStatus: { ok: 'succeeded', error: 'failed', rejected: 'refused', refused: 'refused', failed: 'failed' },
  orgName: 'Organisation', allEvents: 'All events', fromDate: 'From (dd-mm-yyyy)', toDate: 'Up to and including (dd-mm-yyyy)',
  olderEvents: 'Older events', shownEvents: '{n} events shown', noEvents: 'No events found with these filters.',
  verifiedUpTo: 'Log checked: everything is intact up to checkpoint {n} ({events} events).',
  brokenAt: 'Log NOT intact from event {n}: {why}', allPartners: 'All partners',
  dateFormat: 'Enter a date as dd-mm-yyyy, for example 1-2-1990.', dateFuture: 'This date lies in the future.',
  countryUnknown: 'Unknown country. Choose a country from the list.', required: 'Fill this in.', errorsFound: 'Check {n} details:',
  errorOne: 'Check this detail:', municipalityHint: '(CBS code, for example GM0358)', municipalityNeeded: '(CBS code, for example GM0358; needed to reach that place\'s RIEC and municipality)', roleHint: '(for example worker, temp agency)',
  dateHint: '(dd-mm-yyyy)', countryHint: '(name of the country)',
  sessionWarnTitle: 'Your session is about to end', sessionWarnText: 'In {n} minutes you will be logged out because you have been inactive. What is on the screen stays.',
  sessionEndTitle: 'Your session ends soon', sessionEndText: 'Your session ends at {time}: after 8 hours everyone logs in again. What is on the screen stays.', sessionLoginNow: 'Log in again now',
  sessionExtend: 'Stay logged in', sessionExtended: 'Your session has been extended.', sessionExpiredTitle: 'Your session has ended',
  sessionExpiredText: 'Log in again to continue. What you had on the screen stays.', draftRestored: 'Your unsent report has been restored.',
  close: 'Close', mineOnly: 'Only my own signals', wholeOrg: 'All signals of {org}', searchSignals: 'Search this list',
  signalsShown: '{n} of {total} signals', firstSubject: 'Subject', noSummary: '(no summary)',
  noticesAgain: 'Nothing was sent again: {partners} already had this bundle notice.', noticesNone: 'No bundle notice was sent.',
  reportTitle: 'Subject access report', reportIntro: 'What this node exchanged and holds now about the subject ({kind}).',
  sharedTitle: 'What was shared or received', heldTitle: 'What this node holds now', heldSignals: 'Own signals naming the subject: {n}',
  heldReceived: 'Received from partners', heldNone: 'Nothing received from partners about this subject.', heldUnknown: 'The node did not say what it holds now.',
  print: 'Print', downloadCsv: 'Download as CSV', downloadJson: 'Download as JSON', withWhom: 'With whom', madeOn: 'Drawn up on {when}',
  houseNumber: 'House number', houseLetter: 'House letter', addition: 'Addition', birthDate: 'Date of birth', country: 'Country',
  documentNumber: 'Document number', plate: 'Licence plate', accessValue: 'Value', ruleWord: 'rule',
  reasonNoRule: 'no rule of the covenant shares this category with this partner', reasonSuspended: 'rule {rule} applies but is suspended',
  reasonNotValid: 'rule {rule} applies but not on this date', reasonRule: 'under rule {rule}',
  reasonOutsideArea: '{place} is outside this partner\'s area (rule {rule} shares within its own area only)',
  reasonNoPlace: 'the signal names no municipality, and rule {rule} shares only with that municipality\'s partner',
  reasonSendOnly: 'this partner only reports and receives nothing', inArea: '{place} is in its area', national: 'nationwide',
  summaryShort: 'Description', discard: 'Clear the form', usersHint: 'Someone who forgot their password gets a new one here (Set a new password). Someone waiting after wrong passwords you can let in at once (Clear the wait).', loginState: 'Log-in', canLogIn: 'can log in', actions: 'Actions', newAccount: 'New account', resetHint: 'At least 12 characters. Every session of this account ends.',
  observedWeek: 'week {w}', signalOrg: 'Organisation', pseudonymOf: 'pseudonym', showFull: 'Show the full pseudonym',
});
// ---------------------------------------------------------------- second factors (issue 21)
Object.assign(TEXT.nl, {
  secondStepTitle: 'Tweede stap', secondStepHint: 'Geef de code van 6 cijfers uit uw authenticator-app, of een herstelcode.',
  code: 'Code', confirm: 'Bevestigen', withPasskey: 'Inloggen met passkey', orPasskey: 'Of gebruik uw passkey.',
  passkeyUnavailable: 'Passkeys werken in deze browser of op dit adres niet. Open signalnode via https://{rp}.',
  passkeyFailed: 'De passkey is niet gebruikt of niet geaccepteerd.',
  badCode: 'De code klopt niet.', securityTitle: 'Tweede factor', navSecurity: 'Tweede factor',
  mustEnrol: 'Uw rol vraagt een tweede factor. Stel hieronder een authenticator-app of een passkey in; daarna kunt u verder.',
  factorOptional: 'Een tweede factor beschermt uw account als iemand uw wachtwoord kent.',
  totpTitle: 'Authenticator-app', totpOn: 'Ingesteld.', totpOff: 'Niet ingesteld.', totpStart: 'Authenticator-app instellen',
  totpScan: 'Voer deze sleutel in uw authenticator-app in (bijvoorbeeld een app op uw diensttelefoon) en geef daarna de code die de app toont.',
  totpKey: 'Sleutel', totpLink: 'Koppeling voor de app', totpConfirm: 'Instellen voltooien', totpRemove: 'Authenticator-app verwijderen',
  totpDone: 'De authenticator-app is ingesteld.', removed: 'Verwijderd.',
  passkeysTitle: 'Passkeys', passkeyName: 'Naam van de passkey', passkeyAdd: 'Passkey toevoegen', passkeyAdded: 'De passkey is toegevoegd.',
  passkeyRemove: 'Verwijderen', passkeyNone: 'Nog geen passkey.', lastUsed: 'laatst gebruikt', addedOn: 'toegevoegd',
  recoveryTitle: 'Herstelcodes', recoveryLeft: 'Nog {n} ongebruikte herstelcodes.', recoveryRenew: 'Nieuwe herstelcodes maken',
  recoveryShow: 'Bewaar deze herstelcodes op een veilige plek. Elke code werkt één keer, als uw telefoon of passkey weg is. Ze worden niet nog eens getoond.',
  recoverySaved: 'Ik heb de codes bewaard', recoveryLater: 'U krijgt tien herstelcodes zodra u een tweede factor hebt ingesteld.',
  stepUpTitle: 'Bevestig dat u het bent', stepUpCode: 'Geef een code uit uw authenticator-app of een herstelcode, of gebruik uw passkey.',
  stepUpPassword: 'Geef uw wachtwoord opnieuw.', stepUpWhy: 'Voor deze handeling vraagt signalnode dit opnieuw als uw laatste bevestiging langer dan een paar minuten geleden is.',
  cancel: 'Annuleren', factorsReset: 'Tweede factor wissen', factorsResetDone: 'De tweede factor van {user} is gewist.',
  secondFactorCol: 'Tweede factor', factorYes: 'ingesteld', factorNo: 'geen',
});
Object.assign(TEXT.en, {
  secondStepTitle: 'Second step', secondStepHint: 'Give the 6-digit code from your authenticator app, or a recovery code.',
  code: 'Code', confirm: 'Confirm', withPasskey: 'Log in with a passkey', orPasskey: 'Or use your passkey.',
  passkeyUnavailable: 'Passkeys do not work in this browser or at this address. Open signalnode at https://{rp}.',
  passkeyFailed: 'The passkey was not used or not accepted.',
  badCode: 'The code is wrong.', securityTitle: 'Second factor', navSecurity: 'Second factor',
  mustEnrol: 'Your role needs a second factor. Set up an authenticator app or a passkey below; then you can go on.',
  factorOptional: 'A second factor protects your account when someone knows your password.',
  totpTitle: 'Authenticator app', totpOn: 'Set up.', totpOff: 'Not set up.', totpStart: 'Set up an authenticator app',
  totpScan: 'Enter this key in your authenticator app (an app on your work phone, for instance), then give the code the app shows.',
  totpKey: 'Key', totpLink: 'Link for the app', totpConfirm: 'Finish setting up', totpRemove: 'Remove the authenticator app',
  totpDone: 'The authenticator app is set up.', removed: 'Removed.',
  passkeysTitle: 'Passkeys', passkeyName: 'Name of the passkey', passkeyAdd: 'Add a passkey', passkeyAdded: 'The passkey was added.',
  passkeyRemove: 'Remove', passkeyNone: 'No passkey yet.', lastUsed: 'last used', addedOn: 'added',
  recoveryTitle: 'Recovery codes', recoveryLeft: '{n} unused recovery codes left.', recoveryRenew: 'Make new recovery codes',
  recoveryShow: 'Keep these recovery codes somewhere safe. Each works once, when your phone or passkey is gone. They are not shown again.',
  recoverySaved: 'I have kept the codes', recoveryLater: 'You get ten recovery codes once a second factor is set up.',
  stepUpTitle: 'Confirm it is you', stepUpCode: 'Give a code from your authenticator app or a recovery code, or use your passkey.',
  stepUpPassword: 'Give your password again.', stepUpWhy: 'For this action signalnode asks again when your last confirmation is more than a few minutes old.',
  cancel: 'Cancel', factorsReset: 'Clear second factor', factorsResetDone: 'The second factor of {user} was cleared.',
  secondFactorCol: 'Second factor', factorYes: 'set up', factorNo: 'none',
});
Object.assign(TEXT.nl.eventNames, {
  'second_factor.enrolled': 'tweede factor ingesteld', 'second_factor.removed': 'tweede factor verwijderd',
  'second_factor.failed': 'onjuiste code of passkey', 'recovery_codes.created': 'herstelcodes gemaakt',
  'step_up.succeeded': 'opnieuw bevestigd', 'step_up.failed': 'bevestiging mislukt',
});
Object.assign(TEXT.en.eventNames, {
  'second_factor.enrolled': 'second factor set up', 'second_factor.removed': 'second factor removed',
  'second_factor.failed': 'wrong code or passkey', 'recovery_codes.created': 'recovery codes made',
  'step_up.succeeded': 'confirmed again', 'step_up.failed': 'confirmation failed',
});
const shorten = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);
const caseStatus = (st) => TEXT[lang].caseStatus[st] || st;
const orgCount = (n) => (lang === 'nl' ? `${n} organisatie${n === 1 ? '' : 's'}` : `${n} organisation${n === 1 ? '' : 's'}`);
let lang = localStorage.getItem('sn-lang') === 'en' ? 'en' : 'nl';
const t = (key) => TEXT[lang][key] ?? key;

// ---------------------------------------------------------------- human labels (issue 20)
const roleName = (r) => TEXT[lang].roles[r] || String(r || '').replace(/_/g, ' ');
const orgRoleName = (r) => TEXT[lang].orgRoles[r] || String(r || '').replace(/_/g, ' ');
const subjectRoleName = (r) => TEXT[lang].subjectRoles[r] || String(r || '').replace(/_/g, ' ');
const severityName = (v) => TEXT[lang].severityWords[v] || v;
const personsText = (n) => fill(TEXT[lang].personsCount[Number(n) === 1 ? 0 : 1], { n });
const eventName = (n) => TEXT[lang].eventNames[n] || String(n || '').replace(/[._]/g, ' ');
const eventStatus = (st) => TEXT[lang].eventStatus[st] || st || '';
// "subjects[1].bsn" -> "Betrokkene 2: BSN"; the server's own label wins when it sends one.
function fieldLabel(name, label) {
  if (label) return label;
  const m = /^subjects\[(\d+)\]\.(\w+)$/.exec(name || '');
  if (m) return `${t('subject')} ${Number(m[1]) + 1}: ${TEXT[lang].fieldLabels[m[2]] || m[2]}`;
  return TEXT[lang].fieldLabels[name] || name;
}
// The node's own organisation (GET /api/v1/about) and the names of partners
// seen in answers; an org id nobody named is written as words ("riec-amsterdam" -> "RIEC Amsterdam").
let about = null;
const orgNames = new Map();
const ACRONYMS = new Set(['nla', 'snf', 'riec', 'ggd', 'uwv', 'svb', 'kvk', 'sncu', 'pa', 'zvh', 'om', 'ind']);
function orgName(id) {
  if (!id) return '';
  if (orgNames.has(id)) return orgNames.get(id);
  if (id.startsWith('role:')) return orgRoleName(id.slice(5));
  return id.split('-').map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1))).join(' ');
}
async function loadAbout() {
  if (about) return about;
  try {
    const res = await fetch('/api/v1/about', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    about = res.ok ? await res.json() : {};
  } catch { about = {}; }
  if (about.org && about.name) orgNames.set(about.org, about.name);
  for (const p of about.partners || []) if (p.org && p.name) orgNames.set(p.org, p.name);
  return about;
}
// The partners' names from the manifest (GET /api/v1/partners, for the
// logged-in only: who the node exchanges with is not for anyone at the door).
let partnerNamesFor = null;
async function loadPartnerNames() {
  if (!me || partnerNamesFor === me.username) return;
  partnerNamesFor = me.username;
  try {
    const list = await api('GET', '/api/v1/partners');
    for (const p of list.items || []) if (p.org && p.name) orgNames.set(p.org, p.name);
  } catch { /* names fall back to the org id in words */ }
}
const ownOrgName = () => about?.name || (me?.org ? orgName(me.org) : '');
// "ja" and, where a rule routes by area, why this partner is the one.
function areaShared(area) {
  if (area?.decision === 'in-area') return `${t('yes')}: ${fill(t('inArea'), { place: area.municipalityName || area.municipality })}`;
  if (area?.decision === 'national') return `${t('yes')} (${t('national')})`;
  return t('yes');
}
// Why a partner does (not) receive a signal, from the node's English reasons.
function reasonText(r, area) {
  if (!r) return '';
  let m = /^no rule shares/.exec(r);
  if (m) return t('reasonNoRule');
  if ((m = /^rule (\S+) routes by area and (\S+) is outside the area of/.exec(r))) {
    return fill(t('reasonOutsideArea'), { rule: ruleName(m[1]), place: area?.municipalityName || m[2] });
  }
  if ((m = /^rule (\S+) routes by area and the signal names no municipality/.exec(r))) return fill(t('reasonNoPlace'), { rule: ruleName(m[1]) });
  if (/ only sends and never receives$/.test(r)) return t('reasonSendOnly');
  if ((m = /^rule (\S+) applies but is suspended/.exec(r))) return fill(t('reasonSuspended'), { rule: ruleName(m[1]) });
  if ((m = /^rule (\S+) applies but is not valid/.exec(r))) return fill(t('reasonNotValid'), { rule: ruleName(m[1]) });
  if ((m = /^rule (\S+)$/.exec(r))) return fill(t('reasonRule'), { rule: ruleName(m[1]) });
  return r;
}

// Dates as people type them: 1-2-1990, 01-02-1990, 1.2.1990, 1/2/1990, or ISO.
function parseDate(text) {
  const v = String(text || '').trim();
  let d, mo, y;
  let m = /^(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})$/.exec(v);
  if (m) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v))) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(v))) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return null;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
const dutchDate = (iso) => { const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || ''); return m ? `${m[3]}-${m[2]}-${m[1]}` : (iso || ''); };
const localIso = (d = new Date()) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

// Countries by name, in Dutch and English (Intl.DisplayNames), to ISO 3166 codes.
let countries = null;
function countryTable() {
  if (countries) return countries;
  countries = [];
  const names = { nl: new Intl.DisplayNames(['nl'], { type: 'region', fallback: 'none' }), en: new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }) };
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of A) for (const b of A) {
    const code = a + b;
    let nl, en;
    try { nl = names.nl.of(code); en = names.en.of(code); } catch { continue; }
    if (!nl || !en || nl === code || /^\d/.test(code)) continue;
    if (['EU', 'UN', 'EZ', 'QO', 'XA', 'XB', 'ZZ', 'AA'].includes(code)) continue;
    countries.push({ code, nl, en });
  }
  return countries;
}
const fold = (x) => String(x || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
function countryCode(text) {
  const v = fold(text);
  if (!v) return '';
  if (/^[a-z]{2}$/.test(v)) return v.toUpperCase();
  const hit = countryTable().find((c) => fold(c.nl) === v || fold(c.en) === v);
  return hit ? hit.code : null;
}
const countryName = (code) => countryTable().find((c) => c.code === code)?.[lang] || code;
function countryList() {
  const id = `countries-${lang}`;
  if (!document.getElementById(id)) {
    document.body.append(h('datalist', { id }, countryTable().map((c) => h('option', { value: c[lang] }))));
  }
  return id;
}
// Roles typed freely: "Uitzendbureau", "temp agency" or "temp_agency" -> temp_agency.
function subjectRoleCode(text) {
  const v = fold(text);
  if (!v) return '';
  for (const l of ['nl', 'en']) {
    const hit = Object.entries(TEXT[l].subjectRoles).find(([code, label]) => fold(label) === v || code === v.replace(/\s+/g, '_'));
    if (hit) return hit[0];
  }
  return v.replace(/[^a-z ]/g, '').trim().replace(/\s+/g, '_');
}
function roleList() {
  const id = `roles-${lang}`;
  if (!document.getElementById(id)) {
    document.body.append(h('datalist', { id }, Object.values(TEXT[lang].subjectRoles).map((l) => h('option', { value: l }))));
  }
  return id;
}

// Errors next to their fields: aria-invalid and aria-describedby on the field.
function setFieldError(control, text) {
  const err = control.errorEl;
  if (!err) return false;
  err.textContent = text;
  err.hidden = false;
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', [control.hintId, err.id].filter(Boolean).join(' '));
  return true;
}
function clearFieldError(control) {
  if (!control.errorEl) return;
  control.errorEl.hidden = true;
  control.errorEl.textContent = '';
  control.removeAttribute('aria-invalid');
  if (control.hintId) control.setAttribute('aria-describedby', control.hintId); else control.removeAttribute('aria-describedby');
}
// All errors at once: each next to its field, and a summary above the buttons.
function showErrors(errors, controls, out) {
  for (const c of Object.values(controls)) if (c) clearFieldError(c);
  if (!errors.length) { out.replaceChildren(); return; }
  for (const e of errors) { if (controls[e.name]) setFieldError(controls[e.name], e.reason); }
  out.replaceChildren(h('div', { class: 'message error', role: 'alert' },
    h('p', {}, errors.length === 1 ? t('errorOne') : fill(t('errorsFound'), { n: errors.length })),
    h('ul', {}, errors.map((e) => h('li', {}, `${fieldLabel(e.name, e.label)}: ${e.reason}`)))));
  const firstBad = errors.map((e) => controls[e.name]).find(Boolean);
  firstBad?.focus();
}
function download(filename, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

// ---------------------------------------------------------------- helpers
// h('p', {class: 'x'}, 'text', child): elements with text content only.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const svgNs = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = String(text);
  return el;
}
let uid = 0;
const nextId = (p) => `${p}-${++uid}`;
function field(labelText, control, hint) {
  control.id = control.id || nextId('f');
  // A slot for this field's error, announced through aria-describedby when filled.
  control.errorEl = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true });
  const wrap = h('div', { class: 'field' }, h('label', { for: control.id }, labelText, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null), control, control.errorEl);
  return wrap;
}
function message(kind, text) { return h('div', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text); }
function announce(text) { document.getElementById('announcer').textContent = text; }
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === 'nl' ? 'nl-NL' : 'en-GB') : '');
const shortLabel = (hex) => `${hex.slice(0, 4)}…${hex.slice(-4)}`;
const stateText = (state) => TEXT[lang].states[state] || state.replace(/_/g, ' ');
function stateCell(state) { return h('span', { class: `state ${state}` }, stateText(state)); }

// The pseudonym as a short label, the full value on demand.
function pseudonymView(idKind, hex) {
  const full = h('code', { hidden: true }, hex);
  const btn = h('button', { class: 'secondary', type: 'button', 'aria-expanded': 'false' }, t('show'));
  btn.addEventListener('click', () => {
    const open = full.hidden;
    full.hidden = !open;
    btn.textContent = open ? t('hide') : t('show');
    btn.setAttribute('aria-expanded', String(open));
  });
  return h('span', { class: 'pseudonym' }, h('span', { class: 'pill' }, idKindName(idKind)), ' ', h('code', { title: hex }, shortLabel(hex)), ' ', btn, ' ', full);
}

// Subject kinds, by the taxonomy's ids.
const KIND_NAMES = {
  nl: { person: 'persoon', organisation: 'organisatie', landlord: 'verhuurder', address: 'adres', vehicle: 'voertuig',
    account: 'rekening', location: 'locatie', area: 'gebied' },
  en: { person: 'person', organisation: 'organisation', landlord: 'landlord', address: 'address', vehicle: 'vehicle',
    account: 'account', location: 'location', area: 'area' },
};
const kindName = (k) => KIND_NAMES[lang][k] || k;

// The taxonomy names its stages in Dutch only.
const STAGES_EN = {
  general: 'General', recruitment: 'Recruitment and entry', housing: 'Housing', registration: 'Registration (BRP/RNI)',
  labour: 'Work', company: 'Agency or employer operations', residence: 'Stay in the Netherlands', return: 'Return to the country of origin',
};

// ---------------------------------------------------------------- API
let me = null;
let taxonomy = null;
class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = Number(retryAfter) || 0;  // seconds, from the Retry-After header
  }
}
// A key per user action (not per attempt): the node answers a repeated
// state-changing request with its first result (docs/api.md, Idempotency-Key),
// so a retry after a lost answer or a node that was stopping cannot store a
// report twice.
function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}
const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const NOT_RETRIED = [/^\/api\/v1\/session(\/password)?$/, /^\/api\/v1\/users\/[^/]+\/password$/, /^\/api\/v1\/users$/,
  /^\/api\/v1\/lookups$/, /^\/api\/v1\/audit\/subject-access$/, /^\/api\/v1\/subjects\/check$/, /^\/api\/v1\/signals\/preview$/];
// The second step of a log-in answers 401 for a wrong code: that is no ended session.
const LOGIN_STEPS = /^\/api\/v1\/session(\/second-factor|\/passkey(\/options)?)?$/;
async function api(method, path, body, stepped = false) {
  // Problem documents come back in the page's language (RFC 9457 title, detail, invalidParams).
  const headers = { Accept: 'application/json', 'Accept-Language': lang };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && me?.csrfToken) headers['X-CSRF-Token'] = me.csrfToken;
  const changes = method !== 'GET';
  if (changes) headers['Idempotency-Key'] = idempotencyKey();
  // The node keeps no answer for calls that carry a password or look
  // someone up (docs/api.md, Idempotency-Key): those are never retried by
  // themselves, or a retry could count a log-in twice or record a lookup twice.
  const retries = changes && !NOT_RETRIED.some((re) => re.test(path));
  // A change is tried up to three times when the answer was lost (network)
  // or the node asked to come back within seconds (503: stopping, busy):
  // same key, so at most one of the attempts takes effect.
  let res;
  for (let attempt = 0; ; attempt += 1) {
    try {
      res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      if (!retries || attempt >= 2) throw new ApiError(0, { detail: t('problemNetwork') });
      await pause(1000 * (attempt + 1));
      continue;
    }
    const wait = Number(res.headers.get('Retry-After') || 0);
    // 503: stopping or busy; 409: the first attempt with this key is still
    // being handled (its answer comes to the next try).
    if (retries && (res.status === 503 || res.status === 409) && attempt < 4 && wait > 0 && wait <= 5) {
      if (res.status === 409 && !(await res.clone().text()).includes('idempotency-key-in-flight')) break;
      await pause(wait * 1000);
      continue;
    }
    break;
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.status === 401 && !LOGIN_STEPS.test(path)) {
    // A session that ended while the page was open: log in again in place,
    // over what is on the screen, which stays as it was.
    if (me) sessionExpired();
    else location.hash = '#/login';
    throw new ApiError(401, data);
  }
  if (res.ok && data?.endsInSeconds != null) noteSessionTimes(data);
  if (res.ok && me) touchSession();
  // A sensitive action whose last proof is old (issue 21): confirm in place, then the same action again.
  if (res.status === 403 && data?.type === 'urn:signalnode:problem:step-up-required' && !stepped) {
    if (await stepUp()) return api(method, path, body, true);
  }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('Retry-After'));
  return data;
}
// Problems that say nothing about the user's input get plain words in the
// page's language instead of the node's (English) detail.
// "over 15 seconden", "over 2 minuten": when a wait after wrong passwords ends.
function waitText(seconds) {
  return seconds < 90 ? t('inSeconds').replace('{n}', seconds) : t('inMinutes').replace('{n}', Math.ceil(seconds / 60));
}
function mustWaitText(e) { return t('mustWait').replace('{wait}', waitText(e.retryAfter || 1)); }
const PROBLEM_TEXT = {
  'urn:signalnode:problem:busy': 'problemBusy',
  'urn:signalnode:problem:internal': 'problemInternal',
  'urn:signalnode:problem:unsupported-media-type': 'problemMediaType',
};
function problemText(e) {
  if (e.problem?.type === 'urn:signalnode:problem:login-wait') return mustWaitText(e);
  const known = PROBLEM_TEXT[e.problem?.type];
  if (known) return t(known);
  const params = e.problem?.invalidParams;
  if (params?.length) return params.map((p) => `${fieldLabel(p.name, p.label)}: ${p.reason}`).join('; ');
  return e.problem?.detail || e.message || t('error');
}

// ---------------------------------------------------------------- session (issue 20)
// A session ends after 30 idle minutes, and 8 hours after the log-in however
// active (docs/web.md); the node says both as durations from now, so a
// browser clock that is off does not matter. A few minutes before either end
// a dialog says so (the idle one can be extended); once it ended, a dialog
// asks to log in again without leaving the page, so nothing typed is lost.
const SESSION_WARN_END_MS = 10 * 60000;
let sessionIdleMs = 30 * 60000;
let sessionEndsAt = Date.now() + 8 * 3600000;
let sessionTimer = null;
let routeAfterLogin = false;
const sessionWarnIdleMs = () => Math.min(3 * 60000, Math.floor(sessionIdleMs / 3));
function noteSessionTimes(s) {
  if (s.idleSeconds > 0) sessionIdleMs = s.idleSeconds * 1000;
  sessionEndsAt = Date.now() + s.endsInSeconds * 1000;
}
function touchSession() {
  clearTimeout(sessionTimer);
  const idleWarn = sessionIdleMs - sessionWarnIdleMs();
  const endWarn = sessionEndsAt - SESSION_WARN_END_MS - Date.now();
  sessionTimer = setTimeout(warnSession, Math.max(0, Math.min(idleWarn, endWarn)));
}
function sessionDialog(titleKey, ...content) {
  document.getElementById('session-dialog')?.remove();
  const title = h('h2', { id: 'session-dialog-title' }, t(titleKey));
  const dlg = h('dialog', { id: 'session-dialog', 'aria-labelledby': 'session-dialog-title' }, title, ...content);
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}
function closeSessionDialog() { document.getElementById('session-dialog')?.remove(); }
// The end that comes regardless of activity cannot be moved: say when it is,
// offer to log in again now (a new session keeps the page), and ask for the
// log-in in place once it passed.
function warnSessionEnd() {
  const at = new Date(sessionEndsAt).toLocaleTimeString(lang === 'nl' ? 'nl-NL' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  const again = h('button', { type: 'button' }, t('sessionLoginNow'));
  const close = h('button', { type: 'button', class: 'secondary' }, t('close'));
  const dlg = sessionDialog('sessionEndTitle', h('p', {}, fill(t('sessionEndText'), { time: at })), h('div', { class: 'actions' }, again, close));
  again.addEventListener('click', async () => {
    dlg.remove();
    await fetch('/api/v1/session', { method: 'DELETE', credentials: 'same-origin', headers: { 'X-CSRF-Token': me?.csrfToken || '' } }).catch(() => null);
    sessionExpired();
  });
  close.addEventListener('click', () => dlg.remove());
  again.focus();
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(async () => {
    const r = await fetch('/api/v1/session', { credentials: 'same-origin' }).catch(() => null);
    if (r && r.status === 401 && me) sessionExpired();
    else if (r?.ok) { noteSessionTimes(await r.json()); touchSession(); }  // the node's end, not this browser's guess
  }, Math.max(0, sessionEndsAt - Date.now()) + 1000);
}
function warnSession() {
  if (!me || document.querySelector('#session-dialog[data-kind="login"]')) return;
  if (Date.now() >= sessionEndsAt - SESSION_WARN_END_MS - 1000) return warnSessionEnd();
  const warnMs = sessionWarnIdleMs();
  const minutes = Math.max(1, Math.round(warnMs / 60000));
  const stay = h('button', { type: 'button' }, t('sessionExtend'));
  const close = h('button', { type: 'button', class: 'secondary' }, t('close'));
  const dlg = sessionDialog('sessionWarnTitle', h('p', {}, fill(t('sessionWarnText'), { n: minutes })), h('div', { class: 'actions' }, stay, close));
  stay.addEventListener('click', async () => {
    try { await api('GET', '/api/v1/session'); touchSession(); dlg.remove(); announce(t('sessionExtended')); } catch { /* the 401 opens the log-in */ }
  });
  close.addEventListener('click', () => dlg.remove());
  stay.focus();
  // At the end of the idle time, ask the node: an ended session opens the log-in in place.
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(async () => {
    const r = await fetch('/api/v1/session', { credentials: 'same-origin' }).catch(() => null);
    if (r && r.status === 401 && me) sessionExpired(); else if (r?.ok) touchSession();
  }, warnMs + 1000);
}
function sessionExpired() {
  clearTimeout(sessionTimer);
  if (document.querySelector('#session-dialog[data-kind="login"]')) return;
  const user = h('input', { autocomplete: 'username', name: 'username', value: me?.username || '' });
  const pass = h('input', { type: 'password', autocomplete: 'current-password', name: 'password' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true }, h('p', {}, t('sessionExpiredText')), field(t('username'), user), field(t('password'), pass),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('login'))), out);
  const dlg = sessionDialog('sessionExpiredTitle', form);
  dlg.dataset.kind = 'login';
  dlg.addEventListener('cancel', (ev) => ev.preventDefault());  // Escape would leave the page unusable
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const res = await api('POST', '/api/v1/session', { username: user.value.trim(), password: pass.value });
      pass.value = '';
      // A second factor: its step takes the page (a half-typed report is kept as a draft).
      if (res.next === 'second-factor') { dlg.remove(); return secondStep(res); }
      const same = me && res.username === me.username;
      me = res;
      dlg.remove();
      touchSession();
      if (!same || routeAfterLogin) { routeAfterLogin = false; route(); } else announce(t('sessionExtended'));
    } catch (e) {
      pass.value = '';
      out.replaceChildren(message('error', e.problem?.type === 'urn:signalnode:problem:login-wait' ? mustWaitText(e) : t('badLogin')));
    }
  });
  (user.value ? pass : user).focus();
}
// A half-typed report survives a reload or a new log-in (this tab only).
const DRAFT_KEY = 'sn-draft';
const saveDraft = (b) => { try { sessionStorage.setItem(DRAFT_KEY, JSON.stringify(b)); } catch { /* storage full or off */ } };
const takeDraft = () => { try { return JSON.parse(sessionStorage.getItem(DRAFT_KEY) || 'null'); } catch { return null; } };
const clearDraft = () => sessionStorage.removeItem(DRAFT_KEY);
// The covenant's rules by id, for their titles: people read "Alle signalen
// naar het RIEC", not "all-to-riec". Loaded with the taxonomy, once.
let rules = null;
async function loadTaxonomy() {
  if (!taxonomy) taxonomy = await api('GET', '/api/v1/taxonomy');
  if (!rules) {
    const p = await api('GET', '/api/v1/policy').catch(() => ({ rules: [] }));
    rules = new Map((p.rules || []).map((r) => [r.id, r]));
  }
  return taxonomy;
}
// A rule's text in the page's language: the covenant's Dutch, or its English
// where the covenant gives one.
const ruleText = (r, key) => (lang === 'en' && r.en?.[key]) || r[key] || '';
const ruleName = (id) => { const r = rules?.get(id); return r ? ruleText(r, 'title') || id : id; };
const categoryLabel = (id) => {
  const c = taxonomy?.categories.find((x) => x.id === id);
  return c ? `${c[lang] || c.en}` : id;
};

// ---------------------------------------------------------------- shell
const NAV = {
  officer: [['#/start', 'navStart'], ['#/submit', 'navSubmit'], ['#/signals', 'navSignals'], ['#/requests', 'navRequests']],
  analyst: [['#/start', 'navStart'], ['#/inbox', 'navInbox'], ['#/alerts', 'navAlerts'], ['#/cases', 'navCases'], ['#/lookup', 'navLookup'],
    ['#/requests', 'navRequests']],
  privacy_officer: [['#/start', 'navStart'], ['#/log', 'navLog'], ['#/subject-access', 'navSubject'], ['#/policy', 'navPolicy'], ['#/charts', 'navCharts']],
  admin: [['#/start', 'navStart'], ['#/users', 'navUsers'], ['#/deliveries', 'navDeliveries'], ['#/policy', 'navPolicy']],
};
function renderTop() {
  const top = document.getElementById('top');
  document.documentElement.lang = lang;
  document.getElementById('skip-link').textContent = t('skip');
  const langBtn = h('button', { type: 'button', lang: lang === 'nl' ? 'en' : 'nl' }, t('language'));
  langBtn.addEventListener('click', () => {
    lang = lang === 'nl' ? 'en' : 'nl';
    localStorage.setItem('sn-lang', lang);
    route();
  });
  const items = me && !me.mustEnrol ? NAV[me.role] || [] : [];
  const current = location.hash.split('?')[0].split('/').slice(0, 2).join('/');
  const nav = h('nav', { 'aria-label': 'Menu' }, h('ul', {}, items.map(([href, key]) =>
    h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : null }, t(key))))));
  const who = h('div', { class: 'who' });
  if (me) {
    const out = h('button', { type: 'button' }, t('logout'));
    out.addEventListener('click', async () => {
      let ended = null;
      try { ended = await api('DELETE', '/api/v1/session'); } catch { /* the session may be gone already */ }
      me = null;
      clearDraft();
      clearTimeout(sessionTimer);
      visitSince = null;
      // Signed in through the organisation: end the session there too.
      if (ended?.endSessionUrl) { location.href = ended.endSessionUrl; return; }
      location.hash = '#/login';
    });
    who.append(h('a', { href: '#/password', title: t('passwordTitle') }, `${me.username} · ${roleName(me.role)}`),
      ...(me.mustEnrol ? [] : [h('a', { href: '#/me' }, t('navMe'))]), h('a', { href: '#/security' }, t('navSecurity')), out);
  }
  who.append(langBtn);
  // The organisation whose node this is, beside the product's name.
  top.replaceChildren(h('span', { class: 'brand' }, ownOrgName() || 'signalnode', ownOrgName() ? h('span', { class: 'product' }, ' · signalnode') : null), nav, who);
}
function page(titleKey, ...content) {
  const main = document.getElementById('main');
  document.title = `${t(titleKey)} · ${ownOrgName() || 'signalnode'}`;
  main.replaceChildren(h('h1', {}, t(titleKey)), ...content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  // A new view moves focus to it, so screen readers read it; the first view
  // does not, so that a keyboard user's first Tab reaches the skip link.
  if (rendered) main.focus();
  rendered = true;
}
let rendered = false;

// ---------------------------------------------------------------- login
// A refused sign-in through the organisation comes back as /?aanmelding=<reason>:
// the log-in page says why until the next attempt (the address is cleaned at once).
let oidcRefusal = new URLSearchParams(location.search).get('aanmelding');
if (oidcRefusal) history.replaceState(null, '', `/${location.hash}`);
function loginPage() {
  const user = h('input', { autocomplete: 'username', required: true, name: 'username' });
  const pass = h('input', { type: 'password', autocomplete: 'current-password', required: true, name: 'password' });
  const out = h('div');
  // Sign-in through the organisation's identity provider (issue 21): a
  // top-level navigation, above the node's own accounts.
  const oidc = about?.oidcSignIn
    ? [h('div', { class: 'actions' }, h('a', { class: 'button', href: '/api/v1/session/oidc', 'data-testid': 'oidc-login' }, t('oidcLogin'))),
      h('p', {}, t('oidcOr'))]
    : null;
  const form = h('form', { class: 'login', novalidate: true },
    ownOrgName() ? h('p', { class: 'org-name', 'data-testid': 'login-org' }, ownOrgName()) : null, oidc,
    field(t('username'), user), field(t('password'), pass),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('login'))), out, h('p', { class: 'hint' }, t('forgot')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    oidcRefusal = null;
    try {
      const res = await api('POST', '/api/v1/session', { username: user.value.trim(), password: pass.value });
      pass.value = '';
      if (res.next === 'second-factor') return secondStep(res);
      loggedIn(res);
    } catch (e) {
      pass.value = '';
      let text = t('badLogin');
      if (e.problem?.type === 'urn:signalnode:problem:login-wait') text = mustWaitText(e);
      else if (e.status === 429) text = t('tooMany');
      else if (e.status === 401 && e.retryAfter) text = t('badLoginWait').replace('{wait}', waitText(e.retryAfter));
      out.replaceChildren(message('error', text));
      pass.focus();
    }
  });
  const passkey = h('button', { type: 'button', class: 'secondary' }, t('withPasskey'));
  passkey.addEventListener('click', async () => {
    out.replaceChildren();
    try { loggedIn(await passkeyLogin('')); } catch (e) { out.replaceChildren(message('error', passkeyError(e))); }
  });
  if (oidcRefusal) out.replaceChildren(message('error', TEXT[lang].oidc[oidcRefusal] || TEXT[lang].oidc.geweigerd));
  page('login', form, h('div', { class: 'actions' }, passkey));
  user.focus();
}
// A session: on to the role's first page, or to setting up a second factor when the role needs one.
async function loggedIn(res) {
  // Who am I, with what the step-up dialog needs (second factor, passkeys).
  me = await api('GET', '/api/v1/session').catch(() => res);
  if (!me.csrfToken) me = res;
  visitSince = null;
  touchSession();
  location.hash = me.mustEnrol ? '#/security' : `#${(NAV[me.role] || [['#/policy']])[0][0].slice(1)}`;
}
// WebAuthn options from the node (base64url) to what the browser takes, and back.
const fromB64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const toB64u = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
// The domain passkeys of this node belong to (from the node's WebAuthn options).
let passkeyDomain = null;
function passkeyError(e) {
  if (e instanceof ApiError) return e.status === 401 ? t('passkeyFailed') : problemText(e);
  if (!window.PublicKeyCredential || e?.name === 'SecurityError') {
    return fill(t('passkeyUnavailable'), { rp: `${passkeyDomain || 'localhost'}${location.port ? `:${location.port}` : ''}` });
  }
  return t('passkeyFailed');
}
async function passkeyAssertion(options) {
  passkeyDomain = options.rpId;
  if (!window.PublicKeyCredential) throw new Error('no WebAuthn');
  const cred = await navigator.credentials.get({ publicKey: {
    challenge: fromB64u(options.challenge), rpId: options.rpId, timeout: options.timeout, userVerification: options.userVerification,
    allowCredentials: options.allowCredentials.map((c) => ({ type: c.type, id: fromB64u(c.id) })),
  } });
  return { id: cred.id, clientDataJSON: toB64u(cred.response.clientDataJSON), authenticatorData: toB64u(cred.response.authenticatorData),
    signature: toB64u(cred.response.signature), userHandle: cred.response.userHandle ? toB64u(cred.response.userHandle) : '' };
}
async function passkeyLogin(loginTicket) {
  const options = await api('POST', '/api/v1/session/passkey/options', loginTicket ? { loginTicket } : {});
  const credential = await passkeyAssertion(options);
  return api('POST', '/api/v1/session/passkey', loginTicket ? { loginTicket, credential } : { credential });
}
// After the password: a code (TOTP or recovery code) or the passkey.
function secondStep(res) {
  const code = h('input', { name: 'code', autocomplete: 'one-time-code', inputmode: 'text', maxlength: 20 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'login', novalidate: true }, h('p', {}, t('secondStepHint')), field(t('code'), code),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('confirm'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const done = await api('POST', '/api/v1/session/second-factor', { loginTicket: res.loginTicket, code: code.value.trim() });
      code.value = '';
      loggedIn(done);
    } catch (e) {
      code.value = '';
      out.replaceChildren(message('error', e.problem?.type === 'urn:signalnode:problem:login-wait' ? mustWaitText(e) : (e.problem?.detail || t('badCode'))));
      code.focus();
    }
  });
  const extra = [];
  if (res.methods.includes('passkey')) {
    const btn = h('button', { type: 'button', class: 'secondary' }, t('withPasskey'));
    btn.addEventListener('click', async () => {
      try { loggedIn(await passkeyLogin(res.loginTicket)); } catch (e) { out.replaceChildren(message('error', passkeyError(e))); }
    });
    extra.push(h('p', {}, t('orPasskey')), h('div', { class: 'actions' }, btn));
  }
  page('secondStepTitle', form, ...extra);
  code.focus();
}

// Step-up (issue 21): the last proof is old; confirm in a dialog over the
// page, which stays as it was. Resolves true when confirmed.
function stepUp() {
  return new Promise((resolve) => {
    const withFactor = !!me?.secondFactor;
    const input = withFactor ? h('input', { name: 'code', autocomplete: 'one-time-code', maxlength: 20 })
      : h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
    const out = h('div', { 'aria-live': 'polite' });
    const cancel = h('button', { type: 'button', class: 'secondary' }, t('cancel'));
    const buttons = h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('confirm')), cancel);
    const form = h('form', { novalidate: true }, h('p', {}, t('stepUpWhy')), h('p', {}, withFactor ? t('stepUpCode') : t('stepUpPassword')),
      field(withFactor ? t('code') : t('password'), input), buttons, out);
    const dlg = sessionDialog('stepUpTitle', form);
    dlg.dataset.kind = 'step-up';
    const finish = (ok) => { dlg.remove(); resolve(ok); };
    cancel.addEventListener('click', () => finish(false));
    dlg.addEventListener('cancel', (ev) => { ev.preventDefault(); finish(false); });
    const prove = async (proof) => {
      try { await api('POST', '/api/v1/session/step-up', proof, true); finish(true); }
      catch (e) { input.value = ''; out.replaceChildren(message('error', e.problem?.type === 'urn:signalnode:problem:login-wait' ? mustWaitText(e) : problemText(e))); input.focus(); }
    };
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      prove(withFactor ? { code: input.value.trim() } : { password: input.value });
    });
    if (withFactor && me?.passkeys) {
      const pk = h('button', { type: 'button', class: 'secondary' }, t('withPasskey'));
      pk.addEventListener('click', async () => {
        try {
          const options = await api('POST', '/api/v1/session/step-up/options', {}, true);
          prove({ credential: await passkeyAssertion(options) });
        } catch (e) { out.replaceChildren(message('error', passkeyError(e))); }
      });
      buttons.append(pk);
    }
    input.focus();
  });
}

// The own second factors: an authenticator app, passkeys, recovery codes.
function recoveryCodesView(codes, after) {
  const done = h('button', { type: 'button' }, t('recoverySaved'));
  done.addEventListener('click', after);
  return h('section', { 'data-testid': 'recovery-codes' }, h('h2', {}, t('recoveryTitle')), message('ok', t('recoveryShow')),
    h('ul', { class: 'codes' }, codes.map((c) => h('li', {}, h('code', {}, c)))), h('div', { class: 'actions' }, done));
}
async function securityPage(notice) {
  const f = await api('GET', '/api/v1/session/factors');
  const out = h('div', { 'aria-live': 'polite' });
  const refresh = async (text) => {
    const s = await api('GET', '/api/v1/session').catch(() => null);
    if (s) me = s;
    renderTop();
    securityPage(text);
  };
  const showCodes = (codes, text) => {
    if (!codes?.length) return refresh(text);
    page('securityTitle', message('ok', text), recoveryCodesView(codes, () => refresh(text)));
  };
  // Authenticator app
  const totp = h('section', { 'data-testid': 'totp' }, h('h2', {}, t('totpTitle')), h('p', {}, f.totp ? t('totpOn') : t('totpOff')));
  if (f.totp) {
    const rm = h('button', { type: 'button', class: 'secondary' }, t('totpRemove'));
    rm.addEventListener('click', async () => {
      try { await api('DELETE', '/api/v1/session/factors/totp'); refresh(t('removed')); } catch (e) { out.replaceChildren(message('error', problemText(e))); }
    });
    totp.append(h('div', { class: 'actions' }, rm));
  } else {
    const start = h('button', { type: 'button' }, t('totpStart'));
    start.addEventListener('click', async () => {
      try {
        const k = await api('POST', '/api/v1/session/factors/totp');
        const code = h('input', { name: 'code', autocomplete: 'one-time-code', maxlength: 10 });
        const form = h('form', { novalidate: true, 'data-testid': 'totp-confirm' }, h('p', {}, t('totpScan')),
          h('p', {}, `${t('totpKey')}: `, h('code', { 'data-testid': 'totp-secret' }, k.secret.replace(/(.{4})/g, '$1 ').trim())),
          h('p', {}, `${t('totpLink')}: `, h('code', { class: 'wrap' }, k.uri)),
          field(t('code'), code), h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('totpConfirm'))));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try { const r = await api('PUT', '/api/v1/session/factors/totp', { code: code.value.trim() }); showCodes(r.recoveryCodes, t('totpDone')); }
          catch (e) { code.value = ''; out.replaceChildren(message('error', problemText(e))); code.focus(); }
        });
        start.replaceWith(form);
        code.focus();
      } catch (e) { out.replaceChildren(message('error', problemText(e))); }
    });
    totp.append(h('div', { class: 'actions' }, start));
  }
  // Passkeys
  const name = h('input', { name: 'passkeyName', maxlength: 64, value: 'Passkey' });
  const add = h('form', { class: 'row', novalidate: true }, field(t('passkeyName'), name), h('div', {}, h('button', { type: 'submit' }, t('passkeyAdd'))));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    try {
      if (!window.PublicKeyCredential) throw new Error('no WebAuthn');
      const o = await api('POST', '/api/v1/session/factors/passkeys/options');
      passkeyDomain = o.rp.id;
      const cred = await navigator.credentials.create({ publicKey: {
        challenge: fromB64u(o.challenge), rp: o.rp, user: { ...o.user, id: fromB64u(o.user.id) }, pubKeyCredParams: o.pubKeyCredParams,
        timeout: o.timeout, attestation: o.attestation, authenticatorSelection: o.authenticatorSelection,
        excludeCredentials: o.excludeCredentials.map((c) => ({ type: c.type, id: fromB64u(c.id) })),
      } });
      const r = await api('POST', '/api/v1/session/factors/passkeys', { name: name.value.trim(), credential: {
        id: cred.id, clientDataJSON: toB64u(cred.response.clientDataJSON), attestationObject: toB64u(cred.response.attestationObject) } });
      showCodes(r.recoveryCodes, t('passkeyAdded'));
    } catch (e) { out.replaceChildren(message('error', passkeyError(e))); }
  });
  const passkeys = h('section', { 'data-testid': 'passkeys' }, h('h2', {}, t('passkeysTitle')),
    f.passkeys.length ? h('ul', {}, f.passkeys.map((p) => {
      const rm = h('button', { type: 'button', class: 'secondary' }, t('passkeyRemove'));
      rm.setAttribute('aria-label', `${t('passkeyRemove')}: ${p.name}`);
      rm.addEventListener('click', async () => {
        try { await api('DELETE', `/api/v1/session/factors/passkeys/${encodeURIComponent(p.id)}`); refresh(t('removed')); } catch (e) { out.replaceChildren(message('error', problemText(e))); }
      });
      return h('li', {}, `${p.name} · ${t('addedOn')} ${when(p.createdAt)}${p.lastUsedAt ? ` · ${t('lastUsed')} ${when(p.lastUsedAt)}` : ''} `, rm);
    })) : h('p', {}, t('passkeyNone')), add);
  // Recovery codes
  passkeyDomain = f.rpId;
  const recovery = h('section', {}, h('h2', {}, t('recoveryTitle')),
    h('p', {}, f.totp || f.passkeys.length ? fill(t('recoveryLeft'), { n: f.recoveryCodesLeft }) : t('recoveryLater')));
  if (f.totp || f.passkeys.length) {
    const renew = h('button', { type: 'button', class: 'secondary' }, t('recoveryRenew'));
    renew.addEventListener('click', async () => {
      try { const r = await api('POST', '/api/v1/session/factors/recovery-codes'); showCodes(r.recoveryCodes, t('recoveryRenew')); } catch (e) { out.replaceChildren(message('error', problemText(e))); }
    });
    recovery.append(h('div', { class: 'actions' }, renew));
  }
  page('securityTitle', me?.mustEnrol ? message('error', t('mustEnrol')) : h('p', { class: 'hint' }, t('factorOptional')),
    notice ? message('ok', notice) : null, out, totp, passkeys, recovery);
}

// ---------------------------------------------------------------- officer
const SUBJECT_KINDS = {
  person: ['bsn', 'name', 'birthDate', 'documentNumber', 'documentCountry', 'phone', 'email'],
  organisation: ['kvk', 'name'],
  landlord: ['kvk', 'bsn', 'name'],
  address: ['postcode', 'houseNumber', 'houseLetter', 'addition'],
  vehicle: ['plate', 'plateCountry'],
  account: ['iban'],
  location: ['postcode', 'houseNumber', 'name'],
  area: ['name'],
};
const DATE_FIELDS = new Set(['birthDate']);
const COUNTRY_FIELDS = new Set(['documentCountry', 'plateCountry']);
const cap = (x) => x.charAt(0).toUpperCase() + x.slice(1);
// An identifier as people write it: "adres 1431 AB 12A", "persoon Łukasz Nowak (01-02-1990)".
function canonicalText(idKind, canonical) {
  const p = String(canonical).split('|');
  if (idKind === 'address') return `${p[0].slice(0, 4)} ${p[0].slice(4)} ${p[1] || ''}${p[2] || ''}${p[3] ? `-${p[3]}` : ''}`.trim();
  if (idKind === 'person') return `${p[0]} (${dutchDate(p[1])})`;
  if (idKind === 'document' || idKind === 'plate') return p.length === 2 ? `${p[1]} (${countryName(p[0])})` : canonical;
  return canonical;
}
const identifierText = (i) => `${idKindName(i.idKind)} ${canonicalText(i.idKind, i.canonical)}`;

// One subject: its kind, role and identifiers. `initial` is a subject as the
// API gives it, or `{raw}`: the fields as typed (a draft).
function subjectEditor(initial, onRemove) {
  const box = h('div', { class: 'card subject' });
  const kind = h('select', {}, Object.keys(SUBJECT_KINDS).map((k) => h('option', { value: k }, kindName(k))));
  const role = h('input', { list: roleList(), autocomplete: 'off' });
  const fieldsBox = h('div', { class: 'row' });
  const status = h('div', { 'aria-live': 'polite' });
  const inputs = {};
  let timer = null;
  // The subject as the API takes it, and what the page itself finds wrong.
  const collect = () => {
    const subj = { kind: kind.value };
    const errors = [];
    if (role.value.trim()) subj.role = subjectRoleCode(role.value);
    for (const [name, input] of Object.entries(inputs)) {
      const v = input.value.trim();
      if (!v) continue;
      if (DATE_FIELDS.has(name)) {
        const iso = parseDate(v);
        if (!iso) errors.push({ name, reason: t('dateFormat') });
        else if (iso > localIso()) errors.push({ name, reason: t('dateFuture') });
        else subj[name] = iso;
      } else if (COUNTRY_FIELDS.has(name)) {
        const code = countryCode(v);
        if (!code) errors.push({ name, reason: t('countryUnknown') }); else subj[name] = code;
      } else subj[name] = name === 'houseNumber' && /^\d+$/.test(v) ? Number(v) : v;
    }
    return { subj, errors };
  };
  const raw = () => ({ kind: kind.value, role: role.value, fields: Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value])) });
  const controls = () => ({ ...inputs, role, kind });
  // Validation as you type, by the server's own canonical rules.
  const check = async () => {
    const { subj, errors } = collect();
    for (const c of Object.values(controls())) clearFieldError(c);
    if (errors.length) {
      for (const e of errors) setFieldError(inputs[e.name], e.reason);
      status.replaceChildren();
      return;
    }
    if (Object.keys(subj).length <= 1 + (subj.role ? 1 : 0)) { status.replaceChildren(); return; }
    try {
      const res = await api('POST', '/api/v1/subjects/check', subj);
      status.replaceChildren(res.identifiers.length
        ? h('p', { class: 'field-ok' }, `${t('valid')}: `, res.identifiers.map((i) => h('span', { class: 'pill' }, identifierText(i))))
        : h('p', { class: 'field-ok' }, t('valid')));
    } catch (e) {
      const params = e.problem?.invalidParams || [];
      const local = params.map((p) => ({ ...p, name: String(p.name).replace(/^subjects\[\d+\]\./, '') }));
      const placed = local.filter((p) => controls()[p.name] && setFieldError(controls()[p.name], p.reason));
      status.replaceChildren(placed.length === local.length && local.length ? '' : h('p', { class: 'field-error' }, problemText(e)));
    }
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(check, 300); };
  const renderFields = () => {
    for (const k of Object.keys(inputs)) delete inputs[k];
    fieldsBox.replaceChildren(...SUBJECT_KINDS[kind.value].map((name) => {
      const attrs = { name, 'data-field': name, autocomplete: 'off' };
      if (COUNTRY_FIELDS.has(name)) attrs.list = countryList();
      if (DATE_FIELDS.has(name)) attrs.inputmode = 'numeric';
      const input = h('input', attrs);
      input.addEventListener('input', schedule);
      inputs[name] = input;
      return field(cap(TEXT[lang].fieldLabels[name] || name), input,
        DATE_FIELDS.has(name) ? t('dateHint') : COUNTRY_FIELDS.has(name) ? t('countryHint') : null);
    }));
  };
  kind.addEventListener('change', () => { renderFields(); schedule(); });
  role.addEventListener('input', schedule);
  const start = initial?.raw || initial;
  if (start) kind.value = start.kind;
  renderFields();
  if (initial?.raw) {
    role.value = initial.raw.role || '';
    for (const [k, v] of Object.entries(initial.raw.fields || {})) if (inputs[k]) inputs[k].value = v;
    schedule();
  } else if (initial) {
    if (initial.role) role.value = subjectRoleName(initial.role);
    for (const [k, v] of Object.entries(initial)) {
      if (!inputs[k]) continue;
      inputs[k].value = DATE_FIELDS.has(k) ? dutchDate(v) : COUNTRY_FIELDS.has(k) ? countryName(v) : v;
    }
    schedule();
  }
  const remove = h('button', { type: 'button', class: 'secondary' }, t('removeSubject'));
  remove.addEventListener('click', () => { box.remove(); onRemove(); });
  box.append(h('div', { class: 'row' }, field(t('kind'), kind), field(t('role'), role, t('roleHint'))), fieldsBox, status, remove);
  box.collect = collect;
  box.raw = raw;
  box.controls = controls;
  return box;
}

async function submitPage(editId) {
  await loadTaxonomy();
  const existing = editId ? await api('GET', `/api/v1/signals/${editId}`) : null;
  const draft = editId ? null : takeDraft();
  const search = h('input', { type: 'search', 'aria-controls': 'category-list', autocomplete: 'off' });
  const list = h('div', { class: 'categories', id: 'category-list', role: 'group', 'aria-label': t('category') });
  const radios = [];
  const chosenCategory = existing?.category || draft?.category;
  for (const stage of taxonomy.stages) {
    const set = h('fieldset', {}, h('legend', {}, lang === 'en' ? (STAGES_EN[stage.id] || stage.id) : stage.nl));
    for (const c of taxonomy.categories.filter((x) => x.stage === stage.id)) {
      const r = h('input', { type: 'radio', name: 'category', value: c.id });
      if (chosenCategory === c.id) r.checked = true;
      radios.push(r);
      // Searched in both languages; the code is no one's business on screen.
      set.append(h('label', { 'data-search': fold(`${c.nl} ${c.en} ${stage.nl} ${STAGES_EN[stage.id] || ''}`) }, r, h('span', {}, c[lang] || c.en)));
    }
    list.append(set);
  }
  const searchCount = h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'category-count' });
  search.addEventListener('input', () => {
    const q = fold(search.value);
    let shown = 0;
    for (const label of list.querySelectorAll('label')) {
      label.hidden = Boolean(q) && !q.split(/\s+/).every((w) => label.dataset.search.includes(w));
      if (!label.hidden) shown += 1;
    }
    for (const set of list.querySelectorAll('fieldset')) set.hidden = [...set.querySelectorAll('label')].every((l) => l.hidden);
    searchCount.textContent = q ? (lang === 'nl' ? `${shown} ${shown === 1 ? 'categorie' : 'categorieën'} gevonden` : `${shown} ${shown === 1 ? 'category' : 'categories'} found`) : '';
  });
  const today = localIso();
  const observed = h('input', { value: draft?.observedOn ?? dutchDate(existing?.observedOn || today), inputmode: 'numeric', autocomplete: 'off' });
  const municipality = h('input', { value: draft?.municipality ?? (existing ? existing.municipality || '' : about?.municipality || ''), autocomplete: 'off' });
  const severity = h('select', {}, ['low', 'medium', 'high'].map((v) => h('option', { value: v, selected: (draft?.severity || existing?.severity || 'medium') === v }, t(v))));
  const persons = h('input', { type: 'number', min: 0, max: 100000, value: draft?.persons ?? existing?.persons ?? '' });
  const summary = h('textarea', {}, draft?.summary ?? existing?.summary ?? '');
  const subjectsBox = h('div');
  const addSubject = (initial) => subjectsBox.append(subjectEditor(initial, () => {}));
  for (const subj of existing?.subjects || []) addSubject(subj);
  for (const raw of draft?.subjects || []) addSubject({ raw });
  const add = h('button', { type: 'button', class: 'secondary' }, t('addSubject'));
  add.addEventListener('click', () => { addSubject(); subjectsBox.lastChild.querySelector('select').focus(); });
  const out = h('div', { 'aria-live': 'polite' });
  const previewBox = h('div');
  const categoryField = field(t('searchCategory'), search);
  const categoryError = h('p', { class: 'field-error', id: `${search.id}-cat-error`, hidden: true });
  search.errorEl = categoryError;

  // The signal as the API takes it, and what the page finds wrong before asking.
  const body = () => {
    const errors = [];
    const chosen = radios.find((r) => r.checked);
    if (!chosen) errors.push({ name: 'category', reason: t('chooseCategory') });
    const iso = parseDate(observed.value);
    if (!iso) errors.push({ name: 'observedOn', reason: t('dateFormat') });
    else if (iso > today) errors.push({ name: 'observedOn', reason: t('dateFuture') });
    const b = { category: chosen ? chosen.value : '', observedOn: iso || observed.value.trim(), severity: severity.value };
    if (municipality.value.trim()) b.municipality = municipality.value.trim().toUpperCase();
    if (persons.value !== '') b.persons = Number(persons.value);
    if (summary.value.trim()) b.summary = summary.value.trim();
    b.subjects = [...subjectsBox.children].map((c, i) => {
      const { subj, errors: errs } = c.collect();
      for (const e of errs) errors.push({ name: `subjects[${i}].${e.name}`, reason: e.reason });
      return subj;
    });
    return { b, errors };
  };
  const controls = () => {
    const c = { category: search, observedOn: observed, municipality, severity, persons, summary };
    [...subjectsBox.children].forEach((box, i) => { for (const [k, v] of Object.entries(box.controls())) c[`subjects[${i}].${k}`] = v; });
    return c;
  };
  const report = (errors) => showErrors(errors, controls(), out);
  const serverErrors = (e) => {
    const params = e.problem?.invalidParams;
    if (params?.length) report(params); else out.replaceChildren(message('error', problemText(e)));
  };
  const discard = h('button', { type: 'button', class: 'secondary' }, t('discard'));
  discard.addEventListener('click', () => { clearDraft(); submitPage(); });
  const previewBtn = h('button', { type: 'button', class: 'secondary' }, t('preview'));
  previewBtn.addEventListener('click', async () => {
    const { b, errors } = body();
    report(errors);
    if (errors.length) return;
    try {
      const res = await api('POST', '/api/v1/signals/preview', b);
      const fieldValue = (k, v) => (k === 'category' ? categoryLabel(v) : k === 'severity' ? severityName(v) : k === 'persons' ? personsText(v) : v);
      previewBox.replaceChildren(h('h2', {}, t('previewTitle')), h('div', { class: 'table-scroll' }, h('table', { class: 'stack' },
        h('thead', {}, h('tr', {}, [t('partner'), t('shared'), t('rule'), t('pseudonyms'), t('fields'), t('withheld')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, res.partners.map((p) => h('tr', { 'data-partner': p.org },
          h('th', { scope: 'row' }, `${orgName(p.org)} (${orgRoleName(p.role)})`),
          h('td', { 'data-label': t('shared') }, p.shared ? areaShared(p.area) : `${t('no')}: ${reasonText(p.reason, p.area)}`),
          h('td', { 'data-label': t('rule') }, p.rule ? ruleName(p.rule) : ''),
          h('td', { 'data-label': t('pseudonyms') }, (p.pseudonyms || []).map((x) => h('span', { class: 'pill' }, idKindName(x.idKind)))),
          h('td', { 'data-label': t('fields') }, Object.entries(p.fields || {}).map(([k, v]) => h('span', { class: 'pill' }, `${cap(fieldLabel(k))}: ${fieldValue(k, v)}`))),
          h('td', { 'data-label': t('withheld') }, (p.withheld || []).map((x) => h('span', { class: 'pill' }, idKindName(x.idKind))))))))),
      h('p', { class: 'hint' }, `${t('never')}: ${res.neverShared.map((x) => fieldLabel(x)).join(', ')}`));
      announce(t('previewTitle'));
    } catch (e) { serverErrors(e); }
  });
  const form = h('form', { novalidate: true },
    categoryField, searchCount, list, categoryError,
    h('div', { class: 'row' }, field(t('observedOn'), observed, t('dateHint')), field(t('municipality'), municipality, t(about?.municipality ? 'municipalityHint' : 'municipalityNeeded')),
      field(t('severity'), severity), field(t('persons'), persons)),
    field(t('summary'), summary),
    h('h2', {}, t('subjects')), subjectsBox, add,
    h('div', { class: 'actions' }, previewBtn, h('button', { type: 'submit' }, editId ? t('saveCorrection') : t('submit')), editId ? null : discard),
    out, previewBox);
  // Every change is kept in this tab, so a session that ends loses nothing.
  const keep = () => {
    if (editId) return;
    const chosen = radios.find((r) => r.checked);
    saveDraft({ category: chosen?.value || '', observedOn: observed.value, municipality: municipality.value, severity: severity.value,
      persons: persons.value, summary: summary.value, subjects: [...subjectsBox.children].map((c) => c.raw()) });
  };
  form.addEventListener('input', keep);
  form.addEventListener('change', keep);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { b, errors } = body();
    report(errors);
    if (errors.length) return;
    try {
      const res = editId ? await api('PUT', `/api/v1/signals/${editId}`, b) : await api('POST', '/api/v1/signals', b);
      if (!editId) clearDraft();
      announce(t('stored'));
      location.hash = `#/signals/${res.id}`;
    } catch (e) { serverErrors(e); }
  });
  page(editId ? 'editTitle' : 'submitTitle', draft ? message('ok', t('draftRestored')) : null, form);
}

// The officer's own signals by default; the organisation's list on request.
// Rows tell signals apart by category, date, summary or subjects, and state.
async function signalsPage() {
  await loadTaxonomy();
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const all = params.get('all') === '1';
  let res;
  try { res = await api('GET', `/api/v1/signals?limit=200${all ? '' : '&mine=true'}`); } catch (e) {
    // A node without the `mine` filter yet lists the organisation's.
    if (e.status === 400 && (e.problem?.invalidParams || []).some((p) => p.name === 'mine')) res = await api('GET', '/api/v1/signals?limit=200');
    else throw e;
  }
  const mine = h('input', { type: 'radio', name: 'scope', value: 'mine', checked: !all });
  const org = h('input', { type: 'radio', name: 'scope', value: 'all', checked: all });
  for (const r of [mine, org]) r.addEventListener('change', () => { location.hash = r.value === 'all' ? '#/signals?all=1' : '#/signals'; });
  const scope = h('fieldset', { class: 'scope' }, h('legend', { class: 'visually-hidden' }, t('signalsTitle')),
    h('label', { class: 'check' }, mine, ` ${t('mineOnly')}`), h('label', { class: 'check' }, org, ` ${fill(t('wholeOrg'), { org: ownOrgName() })}`));
  const search = h('input', { type: 'search', name: 'q', autocomplete: 'off', 'aria-controls': res.items.length ? 'signal-list' : null });
  const count = h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'signal-count' });
  const describe = (s) => (s.summary ? shorten(s.summary, 90)
    : s.firstSubject ? s.firstSubject
    : (s.subjectKinds || []).map(kindName).join(', ') || t('noSummary'));
  const rows = res.items.map((s) => {
    const tr = h('tr', { 'data-signal': s.id },
      h('td', { 'data-label': t('category') }, h('a', { href: `#/signals/${s.id}` }, categoryLabel(s.category))),
      h('td', { 'data-label': t('observed') }, longDate(s.observedOn)),
      h('td', { 'data-label': t('summaryShort') }, describe(s),
        s.persons !== undefined ? ` · ${personsText(s.persons)}` : '', ` · ${t('severity').toLowerCase()} ${severityName(s.severity)}`),
      h('td', { 'data-label': t('status') }, stateText(s.status)),
      h('td', { 'data-label': t('sharing') }, (s.sharing || []).filter((p) => p.state !== 'not_shared')
        .map((p) => h('span', { class: 'pill' }, `${orgName(p.partner)}: `, stateCell(p.state)))),
      h('td', { 'data-label': t('feedback') }, String(s.feedback ?? 0)),
      h('td', { 'data-label': t('created') }, when(s.createdAt)));
    tr.dataset.search = fold(tr.textContent);
    return tr;
  });
  const update = () => {
    const q = fold(search.value);
    let shown = 0;
    for (const tr of rows) { tr.hidden = Boolean(q) && !q.split(/\s+/).every((w) => tr.dataset.search.includes(w)); if (!tr.hidden) shown += 1; }
    count.textContent = fill(t('signalsShown'), { n: shown, total: rows.length });
  };
  search.addEventListener('input', update);
  update();
  page('signalsTitle', scope, field(t('searchSignals'), search), count, rows.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'stack', id: 'signal-list' },
    h('thead', {}, h('tr', {}, [t('category'), t('observed'), t('summaryShort'), t('status'), t('sharing'), t('feedback'), t('created')]
      .map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows))) : h('p', {}, t('none')));
}

async function signalPage(id) {
  await loadTaxonomy();
  const sig = await api('GET', `/api/v1/signals/${id}`);
  const out = h('div', { 'aria-live': 'polite' });
  const actions = h('div', { class: 'actions' });
  const live = h('div', {}, signalProgress(sig));
  if (sig.status === 'active') {
    const edit = h('a', { href: `#/correct/${id}` }, t('correct'));
    const del = h('button', { type: 'button', class: 'danger' }, t('withdraw'));
    del.addEventListener('click', async () => {
      if (!confirm(t('confirmWithdraw'))) return;
      try { await api('DELETE', `/api/v1/signals/${id}`); announce(t('withdrawn')); signalPage(id); }
      catch (e) { out.replaceChildren(message('error', problemText(e))); }
    });
    actions.append(edit, del);
  }
  page('signalTitle',
    h('p', { class: 'lead' }, `${categoryLabel(sig.category)} · ${longDate(sig.observedOn)} · ${stateText(sig.status)}`),
    h('dl', { class: 'facts' }, h('dt', {}, t('category')), h('dd', {}, categoryLabel(sig.category)),
      h('dt', {}, t('observedOn')), h('dd', {}, longDate(sig.observedOn)),
      sig.municipality ? [h('dt', {}, t('municipality')), h('dd', {}, sig.municipality)] : null,
      h('dt', {}, t('severity')), h('dd', {}, severityName(sig.severity)),
      sig.persons !== undefined ? [h('dt', {}, t('persons')), h('dd', {}, personsText(sig.persons))] : null,
      sig.summary ? [h('dt', {}, t('summary')), h('dd', { 'data-authored': 'officer' }, sig.summary)] : null),
    sig.subjects.length ? [h('h2', {}, t('subjects')), h('ul', {}, sig.subjects.map((x) => h('li', {}, kindName(x.kind), x.role ? ` (${subjectRoleName(x.role)})` : '', ': ',
      x.identifiers.map((i) => h('span', { class: 'pill' }, identifierText(i))))))] : null,
    actions, out, live);
  // Delivery states and partners' feedback change while the officer looks:
  // refresh that part (not the page, so focus and scroll stay) while
  // something is on its way, and for two minutes in any case. Never longer
  // than ten: polling must not keep an unattended session alive.
  const here = location.hash;
  const opened = Date.now();
  const pending = (s) => Boolean(s.sharingWaits) || s.sharing.some((p) => ['queued', 'failing'].includes(p.state)
    || ['queued', 'failing'].includes(p.followUp?.state));
  let last = sig;
  const refresh = async () => {
    if (location.hash !== here || !live.isConnected) return;
    const age = Date.now() - opened;
    if (age > 600000 || (age > 120000 && !pending(last))) return;
    try { last = await api('GET', `/api/v1/signals/${id}`); } catch { return; }
    live.replaceChildren(...signalProgress(last).flat().filter(Boolean));
    setTimeout(refresh, 2000);
  };
  setTimeout(refresh, 2000);
}

function signalProgress(sig) {
  const waits = sig.sharingWaits;
  return [
    h('h2', {}, t('sharing')),
    waits ? h('p', { class: waits.paReachable === false ? 'message warn' : 'message', role: 'status', 'data-testid': 'sharing-waits' },
      waits.paReachable === false ? fill(t('paUnreachable'), { date: when(waits.unreachableSince) }) : t('waitsPseudonyms')) : null,
    h('div', { class: 'table-scroll' }, h('table', { 'data-testid': 'sharing', class: 'stack' },
      h('thead', {}, h('tr', {}, [t('partner'), t('state'), t('rule'), t('reason'), t('followUp'), t('feedback')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, sig.sharing.map((p) => h('tr', { 'data-partner': p.partner },
        h('th', { scope: 'row' }, orgName(p.partner)), h('td', { 'data-label': t('state') }, stateCell(p.state)),
        h('td', { 'data-label': t('rule') }, p.rule ? ruleName(p.rule) : ''), h('td', { 'data-label': t('reason') }, reasonText(p.reason)),
        h('td', { 'data-label': t('followUp') }, p.followUp ? [`${stateText(p.followUp.kind)}: `, stateCell(p.followUp.state)] : ''),
        h('td', { 'data-label': t('feedback') }, answerCell(sig, p))))))),
    h('h2', {}, t('feedback')),
    sig.feedback.length ? h('ul', { 'data-testid': 'feedback' }, sig.feedback.map((f) => h('li', {},
      h('strong', {}, orgName(f.partner)), `: ${feedbackText(f)}`, f.note ? ` — ${f.note}` : '', ` · ${when(f.receivedAt)}`)))
      : h('p', {}, t('none')),
    (sig.bundleNotices || []).length ? [h('h2', {}, t('notices')), h('ul', {}, sig.bundleNotices.map((n) => h('li', {},
      h('strong', {}, orgName(n.partner)), `: ${n.organisations ?? '?'} ${t('organisations').toLowerCase()}`, ` · ${when(n.receivedAt)}`)))] : null,
  ];
}

// Per partner: whether its answer is still awaited under the rule's
// feedback period (an acknowledgement is no answer).
function answerCell(sig, p) {
  if (!p.feedbackDueAt) return '';
  if (p.noAnswerYet) return h('span', { class: 'overdue' }, fill(t('noAnswerYet'), { date: longDate(p.feedbackDueAt) }));
  const answered = sig.feedback.some((f) => f.partner === p.partner && f.status !== 'received');
  return answered ? '' : fill(t('answerDue'), { date: longDate(p.feedbackDueAt) });
}

// ---------------------------------------------------------------- analyst
// A free-text note crosses only where the record's rule allows it (feedback_note).
// Feedback withheld on purpose ("Bewust niet teruggekoppeld") needs one of
// its own reasons, and only those are offered for it.
function feedbackForm(item, noteAllowed, after) {
  const status = h('select', {}, Object.entries(TEXT[lang].feedbackStatus).map(([v, l]) => h('option', { value: v }, l)));
  const reason = h('select', {}, Object.entries(TEXT[lang].feedbackReason).map(([v, l]) => h('option', { value: v }, l)));
  const withheldReason = h('select', {}, h('option', { value: '' }, t('chooseWithheldReason')),
    Object.entries(TEXT[lang].withheldReason).map(([v, l]) => h('option', { value: v }, l)));
  const note = h('input', { maxlength: 500 });
  const out = h('div', { 'aria-live': 'polite' });
  if (item.feedback) status.value = item.feedback.status;
  const reasonField = field(t('reason'), reason);
  const withheldField = field(t('withheldReasonLabel'), withheldReason);
  const showReasons = () => {
    const withheld = status.value === 'withheld';
    reasonField.hidden = withheld;
    withheldField.hidden = !withheld;
    withheldReason.setAttribute('aria-required', String(withheld));
  };
  status.addEventListener('change', showReasons);
  showReasons();
  const form = h('form', { class: 'row' }, field(t('feedback'), status), reasonField, withheldField,
    noteAllowed ? field(t('note'), note) : null, h('div', {}, h('button', { type: 'submit' }, t('send'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const b = { status: status.value };
    if (status.value === 'withheld') {
      if (!withheldReason.value) { out.replaceChildren(message('error', t('chooseWithheldReason'))); withheldReason.focus(); return; }
      b.reason = withheldReason.value;
    } else if (reason.value) b.reason = reason.value;
    if (note.value.trim()) b.note = note.value.trim();
    try { await api('POST', `/api/v1/inbox/${item.id}/feedback`, b); out.replaceChildren(message('ok', t('feedbackSent'))); after?.(); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return form;
}

async function inboxPage() {
  await Promise.all([loadTaxonomy(), loadVisit()]);
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const policy = await api('GET', '/api/v1/policy').catch(() => ({ rules: [] }));
  const notes = new Set(policy.rules.filter((r) => r.feedbackNote).map((r) => r.id));
  const disclosure = new Map(policy.rules.map((r) => [r.id, r.disclosure || []]));
  const res = await api('GET', `/api/v1/inbox?limit=200${params.get('category') ? `&category=${encodeURIComponent(params.get('category'))}` : ''}${params.get('source') ? `&source=${encodeURIComponent(params.get('source'))}` : ''}`);
  const sources = [...new Set(res.items.map((i) => i.source.org))];
  const cat = h('select', { name: 'category' }, h('option', { value: '' }, t('allCategories')),
    taxonomy.categories.map((c) => h('option', { value: c.id, selected: params.get('category') === c.id }, shorten(c[lang] || c.en, 70))));
  const src = h('select', { name: 'source' }, h('option', { value: '' }, t('allSources')),
    [...new Set([...sources, params.get('source')].filter(Boolean))].map((o) => h('option', { value: o, selected: params.get('source') === o }, orgName(o))));
  const filters = h('form', { class: 'row' }, field(t('category'), cat), field(t('source'), src), h('div', {}, h('button', { type: 'submit' }, t('filter'))));
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    if (cat.value) q.set('category', cat.value);
    if (src.value) q.set('source', src.value);
    location.hash = `#/inbox?${q}`;
  });
  page('inboxTitle', filters, res.items.length ? res.items.map((i) => h('article', { class: 'card', 'data-source': i.source.org, 'data-category': i.category },
    h('h2', {}, categoryLabel(i.category), newMark(i.receivedAt)),
    h('p', {}, `${t('source')}: ${orgName(i.source.org)} (${orgRoleName(i.source.role)}) · ${t('rule')}: ${ruleName(i.rule)} · ${t('receivedAt')} ${when(i.receivedAt)}`,
      i.observedWeek ? ` · ${t('week')} ${i.observedWeek}` : '', i.municipality ? ` · ${i.municipality}` : '',
      i.severity ? ` · ${t('severity').toLowerCase()} ${severityName(i.severity)}` : '', i.persons !== undefined ? ` · ${personsText(i.persons)}` : ''),
    h('ul', {}, i.subjects.map((x) => h('li', {}, `${kindName(x.kind)}: `, pseudonymView(x.idKind, x.pseudonym)))),
    i.overdue ? h('p', { class: 'overdue' }, h('strong', {}, t('feedbackOverdue')), ` — ${fill(t('overdueSince'), { date: longDate(i.feedbackDueAt) })}`)
      : (i.feedbackDueAt && (!i.feedback || i.feedback.status === 'received') ? h('p', {}, fill(t('feedbackDue'), { date: longDate(i.feedbackDueAt) })) : null),
    i.feedback ? h('p', {}, `${t('feedback')}: ${feedbackText(i.feedback)}`) : null,
    feedbackForm(i, notes.has(i.rule)),
    requestButtons(i, disclosure.get(i.rule) || []))) : h('p', {}, t('none')));
}

// Asking a record's source for contact, or for the details its rule lets it
// disclose (and the record carries): a form that opens under the record.
function requestButtons(item, granted, caseId) {
  const kinds = [...new Set(item.subjects.map((x) => x.idKind))].filter((k) => granted.includes(k));
  const slot = h('div', { 'aria-live': 'polite' });
  const open = (type) => slot.replaceChildren(requestForm(item, type, kinds, caseId, () => {}));
  const contact = h('button', { type: 'button', class: 'secondary', 'data-ask': 'contact' }, t('askContact'));
  contact.addEventListener('click', () => open('contact'));
  const details = kinds.length ? h('button', { type: 'button', class: 'secondary', 'data-ask': 'details' }, t('askDetails')) : null;
  details?.addEventListener('click', () => open('details'));
  return h('div', { class: 'requests' }, h('div', { class: 'actions' }, contact, details), slot);
}
function requestForm(item, type, kinds, caseId) {
  const purpose = h('textarea', { name: 'purpose', rows: 3, maxlength: 1000 });
  const reference = h('input', { name: 'reference', maxlength: 100 });
  const ground = h('input', { name: 'legalGround', maxlength: 1000 });
  const boxes = kinds.map((k) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kind', value: k, checked: true }), ` ${idKindName(k)}`));
  const out = h('div');
  const form = h('form', { class: 'request-form', 'data-type': type },
    h('h3', {}, type === 'contact' ? t('askContact') : t('askDetails')),
    type === 'details' ? h('fieldset', {}, h('legend', {}, t('kindsAsked')), boxes) : null,
    field(t('purpose'), purpose, t('purposeHint')), field(t('reference'), reference),
    type === 'details' ? field(t('legalGround'), ground) : null,
    h('div', {}, h('button', { type: 'submit' }, t('send'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const b = { type, recordId: item.id, purpose: purpose.value.trim(), reference: reference.value.trim() };
    if (type === 'details') {
      b.kinds = boxes.map((l) => l.querySelector('input')).filter((x) => x.checked).map((x) => x.value);
      if (ground.value.trim()) b.legalGround = ground.value.trim();
    }
    if (caseId) b.caseId = caseId;
    try { await api('POST', '/api/v1/requests', b); out.replaceChildren(message('ok', t('requestSent'))); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return form;
}

function contactCardView(card) {
  return h('dl', { class: 'contact-card' },
    h('dt', {}, t('name')), h('dd', {}, card.name || ''),
    h('dt', {}, t('organisation')), h('dd', {}, card.organisation || ''),
    card.phone ? [h('dt', {}, t('phone')), h('dd', {}, card.phone)] : null,
    card.email ? [h('dt', {}, t('email')), h('dd', {}, card.email)] : null);
}
function requestSummary(r) {
  const type = r.type === 'contact' ? t('typeContact') : t('typeDetails');
  const reason = r.reason ? ` · ${t('reason')}: ${TEXT[lang].refusalReasons[r.reason] || r.reason}` : '';
  return `${type} · ${requestState(r.state)}${reason} · ${t('deadline')} ${when(r.deadline)}`;
}
// One request in full: for the requester, what the answer disclosed.
function requestView(r) {
  const parts = [h('p', { class: 'lead' }, requestSummary(r)),
    h('dl', {}, h('dt', {}, t('partner')), h('dd', {}, r.partnerName || r.partner), h('dt', {}, t('purpose')), h('dd', { 'data-authored': 'requester' }, r.purpose),
      h('dt', {}, t('reference')), h('dd', {}, r.reference), h('dt', {}, t('legalBasis')), h('dd', {}, r.legalGround),
      r.kinds.length ? [h('dt', {}, t('kindsAsked')), h('dd', {}, r.kinds.map(idKindName).join(', '))] : null)];
  if (r.disclosed) {
    parts.push(h('h3', {}, t('disclosedTitle')), h('ul', { class: 'disclosed' },
      r.disclosed.map((d) => h('li', {}, `${idKindName(d.idKind)}: `, h('strong', {}, d.value)))),
      r.verified === undefined ? null : message(r.verified ? 'ok' : 'error', r.verified ? t('verifiedYes') : t('verifiedNo')),
      h('p', { class: 'hint' }, t('onlyRequester')));
  }
  if (r.contact) parts.push(h('h3', {}, t('contactCard')), contactCardView(r.contact));
  if (r.state === 'approved' && !r.answerHeld) parts.push(h('p', { class: 'hint' }, t('answerGone')));
  if (r.answerNote) parts.push(h('p', { class: 'hint' }, t('onlyRequester')));
  return parts;
}

function decisionForm(r, after) {
  const reason = h('select', { name: 'reason' }, Object.entries(TEXT[lang].refusalReasons)
    .filter(([k]) => k !== 'not_accepted').map(([k, v]) => h('option', { value: k }, v)));
  const out = h('div', { 'aria-live': 'polite' });
  const approve = h('button', { type: 'button', 'data-decision': 'approve' }, t('approve'));
  const refuse = h('button', { type: 'button', class: 'danger', 'data-decision': 'refuse' }, t('refuse'));
  const decide = async (body) => {
    try { await api('POST', `/api/v1/requests/${r.id}/decision`, body); out.replaceChildren(message('ok', t('decided'))); after?.(); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  };
  approve.addEventListener('click', () => decide({ decision: 'approve' }));
  refuse.addEventListener('click', () => decide({ decision: 'refuse', reason: reason.value }));
  return h('div', { class: 'decision' }, h('p', { class: 'hint' }, r.type === 'contact' ? t('decideContactHint') : t('decideHint')),
    h('div', { class: 'actions' }, approve), field(t('refuseReason'), reason), h('div', { class: 'actions' }, refuse), out);
}

async function requestsPage() {
  await loadVisit();
  const incoming = await api('GET', '/api/v1/requests?direction=incoming');
  const outgoing = me.role === 'analyst' ? await api('GET', '/api/v1/requests?direction=outgoing') : { items: [] };
  for (const r of [...incoming.items, ...outgoing.items]) if (r.partner && r.partnerName) orgNames.set(r.partner, r.partnerName);
  const incomingCards = incoming.items.map((r) => h('article', { class: 'card', 'data-request': r.id, 'data-state': r.state },
    h('h2', {}, `${r.requester?.name || r.requestedBy} · ${r.requester?.organisation || r.partner}`, newMark(r.createdAt)),
    requestView(r),
    r.requester ? [h('h3', {}, t('requester')), contactCardView(r.requester)] : null,
    me.role === 'officer' ? h('p', {}, h('a', { href: `#/signals/${r.signalId}` }, t('signalTitle'))) : null,
    r.state === 'pending' && r.decidedByRole === me.role ? decisionForm(r, () => setTimeout(requestsPage, 500)) : null));
  // An answer is opened on request only: each opening is recorded in the log.
  const outgoingCards = outgoing.items.map((r) => {
    const body = h('div', {}, requestView(r));
    const card = h('article', { class: 'card', 'data-request': r.id, 'data-state': r.state }, h('h2', {}, `${r.partnerName || r.partner} · ${r.reference}`, newMark(r.decidedAt)), body);
    if (r.state === 'approved' && r.answerHeld) {
      const show = h('button', { type: 'button', class: 'secondary' }, t('showAnswer'));
      show.addEventListener('click', async () => {
        try { body.replaceChildren(...requestView(await api('GET', `/api/v1/requests/${r.id}`)).flat().filter(Boolean)); show.remove(); }
        catch (e) { body.append(message('error', problemText(e))); }
      });
      card.append(h('div', { class: 'actions' }, show));
    }
    return card;
  });
  page('requestsTitle',
    h('h2', {}, t('incomingTitle')), incomingCards.length ? incomingCards : h('p', {}, t('none')),
    me.role === 'analyst' ? [h('h2', {}, t('outgoingTitle')), outgoingCards.length ? outgoingCards : h('p', {}, t('none'))] : null);
}

async function mePage() {
  const mine = await api('GET', '/api/v1/me/contact').catch(() => ({ name: '', phone: '', email: '' }));
  const name = h('input', { name: 'name', value: mine.name, maxlength: 200, autocomplete: 'name' });
  const phone = h('input', { name: 'phone', value: mine.phone, maxlength: 40, autocomplete: 'tel', type: 'tel' });
  const email = h('input', { name: 'email', value: mine.email, maxlength: 200, autocomplete: 'email', type: 'email' });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { novalidate: true }, h('p', { class: 'hint' }, t('meHint')), field(t('name'), name), field(t('phone'), phone),
    field(t('email'), email), h('div', {}, h('button', { type: 'submit' }, t('save'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api('PUT', '/api/v1/me/contact', { name: name.value.trim(), phone: phone.value.trim(), email: email.value.trim() }); out.replaceChildren(message('ok', t('saved'))); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  page('meTitle', form, await notificationSettings());
}

async function alertsPage() {
  await Promise.all([loadTaxonomy(), loadVisit()]);
  const [res, inbox] = await Promise.all([api('GET', '/api/v1/alerts?limit=200'), api('GET', '/api/v1/inbox?limit=500')]);
  // The pieces of each alert, as the inbox shows them (the newest 500 records).
  const byId = new Map(inbox.items.map((i) => [i.id, i]));
  const pieces = (a) => h('ul', { class: 'pieces' }, a.records.map((id) => {
    const r = byId.get(id);
    return h('li', { 'data-record': id }, r
      ? `${orgName(r.source.org)} · ${categoryLabel(r.category)} · ${r.observedWeek ? `${t('week')} ${r.observedWeek} · ` : ''}${t('receivedAt')} ${when(r.receivedAt)}`
      : id);
  }));
  page('alertsTitle', res.items.length ? res.items.map((a) => {
    const out = h('div', { 'aria-live': 'polite' });
    let notify = null;
    if (a.kind === 'bundle') {
      notify = h('button', { type: 'button', class: 'secondary' }, t('notify'));
      notify.addEventListener('click', async () => {
        try {
          const r = await api('POST', `/api/v1/alerts/${a.id}/notices`);
          // Only notices that are new went out; one queued before is not sent again.
          const names = (list) => [...new Set(list.map((q) => orgName(q.partner)))].join(', ');
          const fresh = r.queued.filter((q) => q.new !== false);
          const before = r.queued.filter((q) => q.new === false);
          const parts = [];
          if (fresh.length) parts.push(`${t('notified')} ${names(fresh)}`);
          if (before.length) parts.push(fill(t('noticesAgain'), { partners: names(before) }));
          if (r.notAllowed.length) parts.push(`${t('notAllowed')} ${names(r.notAllowed)}`);
          if (!fresh.length && !before.length && !r.notAllowed.length) parts.push(t('noticesNone'));
          out.replaceChildren(message(fresh.length ? 'ok' : 'warn', `${parts.join('. ')}.`.replace(/\.\.$/, '.')));
        } catch (e) { out.replaceChildren(message('error', problemText(e))); }
      });
    }
    const open = h('button', { type: 'button', 'data-open-case': a.id }, t('openCase'));
    open.addEventListener('click', async () => {
      try { const c = await api('POST', '/api/v1/cases', { alertId: a.id }); location.hash = `#/cases/${c.id}`; }
      catch (e) { out.replaceChildren(message('error', problemText(e))); }
    });
    return h('article', { class: 'card', 'data-kind': a.kind },
      h('h2', {}, `${t(a.kind)}: ${a.organisations.length} ${t('organisations').toLowerCase()}`, newMark(a.updatedAt)),
      h('p', {}, `${t('subject')}: `, pseudonymView(a.subject.idKind, a.subject.pseudonym)),
      h('p', {}, `${t('organisations')}: `, a.organisations.map((o) => h('span', { class: 'pill', 'data-org': o }, orgName(o)))),
      h('p', {}, `${t('categories')}: `, a.categories.map((c) => h('span', { class: 'pill' }, categoryLabel(c)))),
      h('p', {}, `${t('firstSeen')} ${when(a.firstSeen)} · ${t('lastSeen')} ${when(a.lastSeen)} · ${t('records')}: ${a.records.length}`),
      pieces(a),
      h('div', { class: 'actions' }, open, notify), out);
  }) : h('p', {}, t('none')));
}

// ---------------------------------------------------------------- privacy officer
const LOG_PAGE = 100;
// Local midnight of a dd-mm-jjjj date, in ms; `end` gives the last ms of that day.
function dayMs(iso, end) {
  const [y, m, d] = iso.split('-').map(Number);
  const start = new Date(y, m - 1, d).getTime();
  return end ? new Date(y, m - 1, d + 1).getTime() - 1 : start;
}
function eventRow(e) {
  const a = e.event.attributes || {};
  return h('tr', { 'data-event': e.event.name },
    h('td', { 'data-label': '#' }, e.index), h('td', { 'data-label': t('time') }, when(new Date(e.event.endTimeMs).toISOString())),
    h('td', { 'data-label': t('event') }, eventName(e.event.name)), h('td', { 'data-label': t('status') }, eventStatus(e.event.status)),
    h('td', { 'data-label': t('partner') }, orgName(a.partner)), h('td', { 'data-label': t('category') }, a.category ? categoryLabel(a.category) : ''),
    h('td', { 'data-label': t('rule') }, a.rule ? ruleName(a.rule) : ''));
}
async function logPage() {
  await loadTaxonomy();
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const query = new URLSearchParams({ limit: String(LOG_PAGE) });
  for (const k of ['name', 'partner', 'category']) if (params.get(k)) query.set(k, params.get(k));
  const fromIso = parseDate(params.get('from') || '');
  const toIso = parseDate(params.get('to') || '');
  if (fromIso) query.set('fromMs', String(dayMs(fromIso)));
  if (toIso) query.set('toMs', String(dayMs(toIso, true)));
  const [ver, events, policy] = await Promise.all([api('GET', '/api/v1/audit/verification'), api('GET', `/api/v1/audit/events?${query}`),
    api('GET', '/api/v1/policy').catch(() => ({ rules: [] }))]);
  const status = ver.verified
    ? message('ok', fill(t('verifiedUpTo'), { n: ver.verifiedUpTo, events: ver.events }))
    : message('error', fill(t('brokenAt'), { n: ver.firstBadIndex ?? '?', why: ver.message }));
  status.setAttribute('data-testid', 'verification');
  // The catalogue by its Dutch (or English) names, not by its codes.
  const name = h('select', { name: 'name' }, h('option', { value: '' }, t('allEvents')),
    Object.entries(TEXT[lang].eventNames).sort((x, y) => x[1].localeCompare(y[1], lang))
      .map(([v, l]) => h('option', { value: v, selected: params.get('name') === v }, cap(l))));
  const partners = new Set(policy.rules.flatMap((r) => [...r.from, ...r.to]).filter((o) => !o.startsWith('role:') && o !== me.org));
  for (const e of events.items) if (e.event.attributes?.partner) partners.add(e.event.attributes.partner);
  if (params.get('partner')) partners.add(params.get('partner'));
  const partner = h('select', { name: 'partner' }, h('option', { value: '' }, t('allPartners')),
    [...partners].sort().map((o) => h('option', { value: o, selected: params.get('partner') === o }, orgName(o))));
  const category = h('select', { name: 'category' }, h('option', { value: '' }, t('allCategories')),
    taxonomy.categories.map((c) => h('option', { value: c.id, selected: params.get('category') === c.id }, shorten(c[lang] || c.en, 70))));
  const from = h('input', { name: 'from', value: params.get('from') || '', inputmode: 'numeric', autocomplete: 'off' });
  const to = h('input', { name: 'to', value: params.get('to') || '', inputmode: 'numeric', autocomplete: 'off' });
  const filterOut = h('div', { 'aria-live': 'polite' });
  const filters = h('form', { class: 'row filters', novalidate: true }, field(t('event'), name), field(t('partner'), partner), field(t('category'), category),
    field(t('fromDate'), from), field(t('toDate'), to), h('div', {}, h('button', { type: 'submit' }, t('filter'))), filterOut);
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const errors = [];
    for (const [k, input] of [['from', from], ['to', to]]) if (input.value.trim() && !parseDate(input.value)) errors.push({ name: k, reason: t('dateFormat') });
    showErrors(errors.map((e) => ({ ...e, label: e.name === 'from' ? t('fromDate') : t('toDate') })), { from, to }, filterOut);
    if (errors.length) return;
    const q = new URLSearchParams();
    for (const [k, input] of Object.entries({ name, partner, category })) if (input.value) q.set(k, input.value);
    if (from.value.trim()) q.set('from', dutchDate(parseDate(from.value)));
    if (to.value.trim()) q.set('to', dutchDate(parseDate(to.value)));
    location.hash = `#/log?${q}`;
  });
  // Paging over the whole log: the next page starts before the last index shown.
  const body = h('tbody', {}, events.items.map(eventRow));
  const shown = h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'events-shown' }, fill(t('shownEvents'), { n: events.items.length }));
  const more = h('button', { type: 'button', class: 'secondary', 'data-testid': 'older' }, t('olderEvents'));
  let next = events.next;
  more.hidden = next === null || next === undefined;
  more.addEventListener('click', async () => {
    const q = new URLSearchParams(query);
    q.set('before', String(next));
    try {
      const page2 = await api('GET', `/api/v1/audit/events?${q}`);
      body.append(...page2.items.map(eventRow));
      next = page2.next;
      more.hidden = next === null || next === undefined;
      shown.textContent = fill(t('shownEvents'), { n: body.children.length });
    } catch (e) { filterOut.replaceChildren(message('error', problemText(e))); }
  });
  page('logTitle', status, filters,
    h('p', {}, h('a', { href: `/api/v1/audit/report.csv?lang=${lang}`, download: `${me.org}-verwerkingsregister.csv` }, t('csv'))),
    events.items.length ? [shown, h('div', { class: 'table-scroll' }, h('table', { class: 'stack', 'data-testid': 'events' },
      h('thead', {}, h('tr', {}, ['#', t('time'), t('event'), t('status'), t('partner'), t('category'), t('rule')].map((x) => h('th', { scope: 'col' }, x)))),
      body)), more] : h('p', {}, t('noEvents')));
}

// Subject access (AVG art. 15): the identifier as people know it, in its own fields.
const ACCESS_FIELDS = {
  bsn: [['value', 'BSN']], kvk: [['value', 'KvK-nummer']], iban: [['value', 'IBAN']], phone: [['value', 'phone']], email: [['value', 'email']],
  address: [['postcode', 'postcode'], ['houseNumber', 'houseNumber'], ['houseLetter', 'houseLetter'], ['addition', 'addition']],
  person: [['name', 'name'], ['birthDate', 'birthDate']],
  document: [['documentNumber', 'documentNumber'], ['country', 'documentCountry']],
  plate: [['plate', 'plate'], ['country', 'plateCountry']],
};
const csvCell = (v) => { const x = String(v ?? ''); return /[";\r\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x; };
// Dutch spreadsheet convention: semicolons, a BOM for UTF-8, CRLF, dd-mm-jjjj uu:mm.
function csvText(rows) { return `\ufeff${rows.map((r) => r.map(csvCell).join(';')).join('\r\n')}\r\n`; }
const csvTime = (ms) => {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return lang === 'nl' ? `${p(d.getDate())}-${p(d.getMonth() + 1)}-${d.getFullYear()} ${p(d.getHours())}:${p(d.getMinutes())}` : d.toISOString();
};
async function subjectAccessPage() {
  await loadTaxonomy();
  const kind = h('select', { name: 'idKind' }, Object.keys(ACCESS_FIELDS).map((k) => h('option', { value: k }, cap(idKindName(k)))));
  const fieldsBox = h('div', { class: 'row' });
  let inputs = {};
  const renderFields = () => {
    inputs = {};
    fieldsBox.replaceChildren(...ACCESS_FIELDS[kind.value].map(([key, labelKey]) => {
      const input = h('input', { name: key, autocomplete: 'off' });
      if (key === 'country') { input.setAttribute('list', countryList()); if (kind.value === 'plate') input.value = countryName('NL'); }
      if (key === 'birthDate') input.setAttribute('inputmode', 'numeric');
      inputs[key] = input;
      const label = key === 'value' ? cap(idKindName(kind.value)) : cap(TEXT[lang].fieldLabels[labelKey] || labelKey);
      return field(label, input, key === 'birthDate' ? t('dateHint') : key === 'country' ? t('countryHint') : null);
    }));
  };
  kind.addEventListener('change', renderFields);
  renderFields();
  const out = h('div', { 'aria-live': 'polite' });
  const errorsOut = h('div');
  // The fields joined as the node's canonical form expects them.
  const value = () => {
    const v = (k) => (inputs[k]?.value || '').trim();
    const errors = [];
    let text;
    switch (kind.value) {
      case 'address': text = [v('postcode'), v('houseNumber'), v('houseLetter'), v('addition')].join('|'); break;
      case 'person': {
        const iso = parseDate(v('birthDate'));
        if (!iso) errors.push({ name: 'birthDate', reason: t('dateFormat'), label: cap(TEXT[lang].fieldLabels.birthDate) });
        text = `${v('name')}|${iso || ''}`;
        break;
      }
      case 'document': case 'plate': {
        const code = countryCode(v('country'));
        if (code === null) errors.push({ name: 'country', reason: t('countryUnknown'), label: t('country') });
        text = kind.value === 'document' ? `${code || ''}|${v('documentNumber')}` : `${code || 'NL'}|${v('plate')}`;
        break;
      }
      default: text = v('value');
    }
    for (const [key] of ACCESS_FIELDS[kind.value]) {
      if (['houseLetter', 'addition', 'country'].includes(key) || v(key)) continue;
      errors.push({ name: key, reason: t('required'), label: fieldsBox.querySelector(`label[for="${inputs[key].id}"]`)?.firstChild?.textContent });
    }
    return { text, errors };
  };
  const form = h('form', { class: 'row', novalidate: true }, field(t('idKind'), kind), fieldsBox, h('div', {}, h('button', { type: 'submit' }, t('search'))), errorsOut);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const { text, errors } = value();
    showErrors(errors, inputs, errorsOut);
    if (errors.length) return;
    out.replaceChildren(h('p', {}, t('loading')));
    try {
      const res = await api('POST', '/api/v1/audit/subject-access', { idKind: kind.value, value: text });
      out.replaceChildren(...accessReport(res, kind.value));
    } catch (e) {
      const params = (e.problem?.invalidParams || []).filter((p) => p.name === 'value');
      if (params.length && ACCESS_FIELDS[kind.value].length === 1) { showErrors(params.map((p) => ({ ...p, name: 'value' })), inputs, errorsOut); out.replaceChildren(); }
      else out.replaceChildren(message('error', problemText(e)));
    }
  });
  page('subjectTitle', form, out);
}
// The answer as a report: printable, and exportable as CSV or JSON.
function accessReport(res, kind) {
  const made = new Date();
  const rows = res.exchanges.map((e) => {
    const a = e.event.attributes || {};
    return { index: e.index, ms: e.event.endTimeMs, event: eventName(e.event.name), partner: orgName(a.partner), category: a.category ? categoryLabel(a.category) : '',
      rule: a.rule ? ruleName(a.rule) : '', legalBasis: a.legalBasis || '' };
  });
  const held = res.held;
  const heads = ['#', t('time'), t('event'), t('withWhom'), t('category'), t('rule'), t('legalBasis')];
  const csvButton = h('button', { type: 'button', class: 'secondary' }, t('downloadCsv'));
  csvButton.addEventListener('click', () => {
    const lines = [heads, ...rows.map((r) => [r.index, csvTime(r.ms), r.event, r.partner, r.category, r.rule, r.legalBasis])];
    if (held) {
      lines.push([], [t('heldTitle')], [fill(t('heldSignals'), { n: held.signals ?? 0 })]);
      for (const x of held.received || []) lines.push([t('heldReceived'), orgName(x.partner), x.category ? categoryLabel(x.category) : '', x.receivedAt ? csvTime(Date.parse(x.receivedAt)) : '']);
    }
    download(`inzage-${kind}-${localIso(made)}.csv`, 'text/csv;charset=utf-8', csvText(lines));
  });
  const jsonButton = h('button', { type: 'button', class: 'secondary' }, t('downloadJson'));
  jsonButton.addEventListener('click', () => download(`inzage-${kind}-${localIso(made)}.json`, 'application/json',
    JSON.stringify({ madeAt: made.toISOString(), organisation: ownOrgName(), ...res }, null, 2)));
  const printButton = h('button', { type: 'button' }, t('print'));
  printButton.addEventListener('click', () => window.print());
  return [h('section', { class: 'report', 'aria-labelledby': 'report-title' },
    h('h2', { id: 'report-title' }, `${t('reportTitle')} · ${ownOrgName()}`),
    h('p', {}, fill(t('reportIntro'), { kind: idKindName(kind) }), ' ', fill(t('madeOn'), { when: when(made.toISOString()) })),
    h('p', { 'data-testid': 'access-result' }, `${res.exchanges.length} ${t('exchanges')} `, pseudonymView(res.idKind, res.pseudonym)),
    h('h3', {}, t('sharedTitle')),
    rows.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'stack', 'data-testid': 'access-exchanges' },
      h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, h('td', { 'data-label': '#' }, r.index), h('td', { 'data-label': t('time') }, when(new Date(r.ms).toISOString())),
        h('td', { 'data-label': t('event') }, r.event), h('td', { 'data-label': t('withWhom') }, r.partner), h('td', { 'data-label': t('category') }, r.category),
        h('td', { 'data-label': t('rule') }, r.rule), h('td', { 'data-label': t('legalBasis'), 'data-authored': 'covenant' }, r.legalBasis)))))) : h('p', {}, t('none')),
    h('h3', {}, t('heldTitle')),
    held ? h('div', { 'data-testid': 'access-held' }, h('p', {}, fill(t('heldSignals'), { n: held.signals ?? 0 })),
      (held.received || []).length ? [h('p', {}, `${t('heldReceived')}:`), h('ul', {}, held.received.map((x) => h('li', {},
        `${orgName(x.partner)} · ${x.category ? categoryLabel(x.category) : ''}${x.receivedAt ? ` · ${when(x.receivedAt)}` : ''}`)))]
        : h('p', {}, t('heldNone'))) : h('p', { class: 'hint' }, t('heldUnknown'))),
  h('div', { class: 'actions no-print' }, printButton, csvButton, jsonButton)];
}

async function casesPage() {
  const res = await api('GET', '/api/v1/cases');
  page('casesTitle', res.items.length ? h('table', {},
    h('thead', {}, h('tr', {}, [t('caseTitle'), t('status'), t('assignee'), t('dueDate'), t('counts')].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, res.items.map((c) => h('tr', { 'data-case': c.id },
      h('td', {}, h('a', { href: `#/cases/${c.id}` }, c.reference)), h('td', {}, caseStatus(c.status)), h('td', {}, c.assignee || ''),
      h('td', {}, c.dueDate || ''), h('td', {}, `${c.counts.alerts} / ${c.counts.records}`))))) : h('p', {}, t('none')));
}

// Subjects on the left, records on the right, a line where a record names a
// subject; the same as a list below it for screen readers and print.
function caseGraph(g) {
  const rowH = 34, w = 760, left = 20, right = 400;
  const height = Math.max(g.subjects.length, g.records.length) * rowH + 20;
  const svg = s('svg', { viewBox: `0 0 ${w} ${height}`, width: '100%', role: 'img', 'aria-label': t('graphTitle') });
  const ys = new Map(g.subjects.map((x, i) => [x.key, 20 + i * rowH]));
  const yr = new Map(g.records.map((x, i) => [x.id, 20 + i * rowH]));
  for (const l of g.links) {
    if (!ys.has(l.subject) || !yr.has(l.record)) continue;
    svg.append(s('line', { x1: left + 300, y1: ys.get(l.subject), x2: right, y2: yr.get(l.record), stroke: '#5a6b7b', 'stroke-width': 1.5 }));
  }
  g.subjects.forEach((x) => {
    svg.append(s('circle', { cx: left + 300, cy: ys.get(x.key), r: 6, fill: '#1f4e79' }));
    svg.append(s('text', { x: left, y: ys.get(x.key) + 5, 'font-size': 15, fill: '#1b1b1b' }, `${idKindName(x.idKind)} · ${orgCount(x.organisations)}`));
  });
  g.records.forEach((r) => {
    svg.append(s('rect', { x: right, y: yr.get(r.id) - 6, width: 12, height: 12, fill: r.kind === 'own' ? '#7a4b00' : '#1f4e79' }));
    svg.append(s('text', { x: right + 20, y: yr.get(r.id) + 5, 'font-size': 15, fill: '#1b1b1b' },
      `${r.kind === 'own' ? t('ownSignal') : orgName(r.source.org)}${r.week ? ` · ${r.week}` : ''} · ${shorten(categoryLabel(r.category), 38)}`));
  });
  const bySubject = new Map(g.subjects.map((x) => [x.key, x]));
  const list = h('ul', { class: 'graph-list' }, g.records.map((r) => h('li', { 'data-record': r.id },
    `${r.kind === 'own' ? t('ownSignal') : `${t('reportedBy')} ${orgName(r.source.org)}`}: ${categoryLabel(r.category)}${r.week ? ` (${r.week})` : ''} — `,
    g.links.filter((l) => l.record === r.id).map((l) => bySubject.get(l.subject)).filter(Boolean)
      .map((x) => h('span', { class: 'pill' }, `${idKindName(x.idKind)} ${x.key.slice(0, 6)}`)))));
  return h('figure', { class: 'case-graph' }, svg, h('figcaption', {}, t('graphTitle')), list);
}

async function casePage(id) {
  await loadTaxonomy();
  const [c, inbox, policy] = await Promise.all([api('GET', `/api/v1/cases/${id}`), api('GET', '/api/v1/inbox?limit=500'),
    api('GET', '/api/v1/policy').catch(() => ({ rules: [] }))]);
  const disclosure = new Map(policy.rules.map((r) => [r.id, r.disclosure || []]));
  const byId = new Map(inbox.items.map((i) => [i.id, i]));
  const status = h('select', { name: 'status' }, ['open', 'in_progress', 'closed'].map((x) => h('option', { value: x, selected: c.status === x }, caseStatus(x))));
  const assignee = h('input', { name: 'assignee', value: c.assignee || '' });
  const due = h('input', { name: 'dueDate', type: 'date', value: c.dueDate || '' });
  const saved = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'row' }, field(t('status'), status), field(t('assignee'), assignee), field(t('dueDate'), due),
    h('div', {}, h('button', { type: 'submit' }, t('saveCase'))), saved);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('PATCH', `/api/v1/cases/${id}`, { status: status.value, assignee: assignee.value.trim(), dueDate: due.value });
      saved.replaceChildren(message('ok', t('caseSaved')));
    } catch (e) { saved.replaceChildren(message('error', problemText(e))); }
  });
  const note = h('textarea', { name: 'note', rows: 3, maxlength: 4000 });
  const noteOut = h('div', { 'aria-live': 'polite' });
  const noteForm = h('form', {}, field(t('noteText'), note), h('div', {}, h('button', { type: 'submit' }, t('addNote'))), noteOut);
  noteForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api('POST', `/api/v1/cases/${id}/notes`, { text: note.value }); casePage(id); }
    catch (e) { noteOut.replaceChildren(message('error', problemText(e))); }
  });
  const received = c.graph.records.filter((r) => r.kind === 'received' && byId.has(r.id)).map((r) => byId.get(r.id));
  document.title = `${c.reference} · signalnode`;
  page('caseTitle',
    h('p', { class: 'lead' }, `${c.reference} · ${caseStatus(c.status)}${c.assignee ? ` · ${c.assignee}` : ''}${c.dueDate ? ` · ${t('dueDate').toLowerCase()} ${c.dueDate}` : ''}`),
    form,
    h('h2', {}, t('graphTitle')), c.graph.truncated ? message('warn', t('graphCut')) : null, caseGraph(c.graph),
    h('h2', {}, t('caseRequests')),
    c.requests.length ? c.requests.map((r) => h('article', { class: 'card', 'data-request': r.id, 'data-state': r.state },
      h('h3', {}, `${r.partnerName || r.partner} · ${r.reference}`), h('p', {}, requestSummary(r)),
      h('p', {}, h('a', { href: '#/requests' }, t('navRequests'))))) : h('p', {}, t('none')),
    received.map((i) => h('article', { class: 'card', 'data-source': i.source.org, 'data-record': i.id },
      h('h3', {}, `${orgName(i.source.org)} · ${categoryLabel(i.category)}`),
      requestButtons(i, disclosure.get(i.rule) || [], id))),
    h('h2', {}, t('notesTitle')),
    c.notes.length ? h('ul', { class: 'notes' }, c.notes.map((n) => h('li', {}, h('span', { class: 'hint' }, `${n.author.replace(/^user:/, '')} · ${when(n.createdAt)}: `), n.text))) : null,
    noteForm);
}

function lookupPage() {
  const kinds = ['kvk', 'address', 'bsn', 'iban', 'plate', 'phone', 'email', 'person', 'document'];
  const kind = h('select', { name: 'idKind' }, kinds.map((k) => h('option', { value: k }, idKindName(k))));
  const value = h('input', { name: 'value', autocomplete: 'off' });
  const purpose = h('textarea', { name: 'purpose', rows: 2, maxlength: 1000 });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'lookup-result' });
  const form = h('form', { novalidate: true }, h('p', { class: 'hint' }, t('lookupHint')), field(t('idKind'), kind), field(t('value'), value),
    field(t('purpose'), purpose, t('purposeHint')), h('div', {}, h('button', { type: 'submit' }, t('search'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    try {
      await loadTaxonomy();
      const r = await api('POST', '/api/v1/lookups', { idKind: kind.value, value: value.value.trim(), purpose: purpose.value.trim() });
      out.replaceChildren(
        h('p', {}, `${t('found')}: ${r.items.length} · ${r.remaining} ${t('remaining')}`),
        r.items.length ? h('ul', {}, r.items.map((i) => h('li', { 'data-type': i.type }, i.type === 'record'
          ? `${t('receivedRecord')}: ${orgName(i.source.org)} · ${categoryLabel(i.category)}${i.week ? ` · ${i.week}` : ''} · ${when(i.receivedAt)}`
          : `${t('alertWord')} (${t(i.kind)}): ${i.organisations.map(orgName).join(', ')}`))) : h('p', {}, t('lookupNone')));
    } catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  page('lookupTitle', form);
}

// A hex value (a fingerprint) only when asked for.
function hexView(hex) {
  const full = h('code', { hidden: true }, hex);
  const btn = h('button', { class: 'secondary', type: 'button', 'aria-expanded': 'false' }, t('show'));
  btn.addEventListener('click', () => {
    const open = full.hidden;
    full.hidden = !open;
    btn.textContent = open ? t('hide') : t('show');
    btn.setAttribute('aria-expanded', String(open));
  });
  return h('span', {}, btn, ' ', full);
}
// "labour.*" -> "Arbeid (alle categorieën)"; a category by its label.
function ruleCategory(c) {
  if (c.endsWith('.*')) {
    const stage = c.slice(0, -2);
    const name = lang === 'en' ? (STAGES_EN[stage] || stage) : (taxonomy?.stages.find((x) => x.id === stage)?.nl || stage);
    return `${name} (${lang === 'nl' ? 'alle categorieën' : 'all categories'})`;
  }
  return categoryLabel(c);
}
const NOTICE_PARTS = { nl: { organisations: 'aantal organisaties', categories: 'categorieën' }, en: { organisations: 'number of organisations', categories: 'categories' } };
async function policyPage() {
  await loadTaxonomy();
  const p = await api('GET', '/api/v1/policy');
  const ruleState = (r) => (r.status === 'active' ? '' : ` (${lang === 'nl' ? 'opgeschort' : 'suspended'})`);
  // Admins see which version of the signed federation configuration is in force (issue 22).
  let signed = null;
  if (me?.role === 'admin') {
    try {
      const c = await api('GET', '/api/v1/federation/configuration');
      const nl = lang === 'nl';
      signed = h('p', { 'data-testid': 'federation-configuration' },
        c.inForce ? `${nl ? 'Ondertekende federatieconfiguratie: versie' : 'Signed federation configuration: version'} ${c.inForce.version}, ${nl ? 'geldt sinds' : 'in force since'} ${when(c.inForce.effectiveFrom)}`
          : (nl ? 'Geen ondertekende federatieconfiguratie: manifest en convenant komen uit de eigen bestanden.' : 'No signed federation configuration: manifest and covenant come from this node\'s own files.'),
        c.pending.length ? ` · ${nl ? 'wacht' : 'pending'}: ${c.pending.map((x) => `${nl ? 'versie' : 'version'} ${x.version} (${when(x.effectiveFrom)})`).join(', ')}` : '',
        c.lastRefusal ? ` · ${nl ? 'laatst geweigerd' : 'last refused'}: ${nl ? c.lastRefusal.message : c.lastRefusal.messageEn}` : '');
    } catch { signed = null; }
  }
  page('policyTitle', h('p', { class: 'lead' }, h('span', { 'data-authored': 'covenant' }, p.name), ' · ', lang === 'nl' ? 'kenmerk ' : 'fingerprint ', hexView(p.sha256)), signed,
    p.rules.map((r) => h('section', { class: 'card', 'aria-labelledby': `rule-${r.id}` },
      h('h2', { id: `rule-${r.id}`, 'data-rule': r.id }, ruleText(r, 'title') || r.id, ruleState(r)),
      ruleText(r, 'description') ? h('p', {}, ruleText(r, 'description')) : null,
      h('dl', { class: 'facts' },
        h('dt', {}, t('from')), h('dd', {}, r.from.map(orgName).join(', ')), h('dt', {}, t('to')), h('dd', {}, r.to.map(orgName).join(', ')),
        h('dt', {}, t('categories')), h('dd', {}, r.categories.length > 3
          ? h('details', {}, h('summary', {}, `${r.categories.length} ${t('categories').toLowerCase()}`), h('ul', {}, r.categories.map((c) => h('li', {}, ruleCategory(c)))))
          : r.categories.map(ruleCategory).join('; ')),
        h('dt', {}, t('pseudonyms')), h('dd', {}, r.pseudonyms.map(idKindName).join(', ') || '—'),
        h('dt', {}, t('fields')), h('dd', {}, r.fields.map((f) => fieldLabel(f)).join(', ') || '—'),
        h('dt', {}, t('legalBasis')), h('dd', {}, ruleText(r, 'legalBasis')), h('dt', {}, t('purpose')), h('dd', {}, ruleText(r, 'purpose')),
        h('dt', {}, t('retention')), h('dd', {}, fill(t('days'), { n: r.retentionDays })),
        h('dt', {}, t('feedback')), h('dd', {}, r.feedbackNote ? `${t('note')}: ${t('yes')}` : `${t('note')}: ${t('no')}`),
        h('dt', {}, t('feedbackPeriod')), h('dd', {}, r.feedbackPeriodDays ? fill(t('days'), { n: r.feedbackPeriodDays }) : t('noPeriod')),
        h('dt', {}, t('notices')), h('dd', {}, r.bundleNotices.map((x) => NOTICE_PARTS[lang][x] || x).join(', ') || '—')))));
}

// Bars drawn in the browser from API data (no chart library, no network).
const COLOURS = ['#0b4f8a', '#b35900', '#1d6b2f', '#7a2a8c', '#a31919', '#4a4a4a'];
function barChart(title, rows, seriesNames) {
  const width = 720, barH = 18, gap = 8, left = 260;
  const max = Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0)));
  const height = rows.length * (barH + gap) + 30;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title });
  rows.forEach((r, i) => {
    const y = i * (barH + gap) + 10;
    svg.append(s('text', { x: left - 8, y: y + barH - 4, 'text-anchor': 'end' }, r.label));
    let x = left;
    r.values.forEach((v, k) => {
      const w = ((width - left - 60) * v) / max;
      if (w > 0) svg.append(s('rect', { x, y, width: w, height: barH, fill: COLOURS[k % COLOURS.length] }, undefined));
      x += w;
    });
    svg.append(s('text', { x: x + 6, y: y + barH - 4 }, r.values.reduce((a, b) => a + b, 0)));
  });
  const legend = seriesNames.length > 1 ? h('p', { class: 'legend' }, seriesNames.map((n, k) => {
    const sw = s('svg', { width: 12, height: 12, 'aria-hidden': 'true', class: 'swatch' });
    sw.append(s('rect', { width: 12, height: 12, fill: COLOURS[k % COLOURS.length] }));
    return h('span', {}, sw, n);
  })) : null;
  // The same numbers as a table, for screen readers and copying.
  const table = h('table', { class: 'visually-hidden' }, h('caption', {}, title),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.label), r.values.map((v) => h('td', {}, v))))));
  return h('figure', { class: 'chart' }, h('figcaption', {}, h('h2', {}, title)), svg, legend, table);
}
async function chartsPage() {
  await loadTaxonomy();
  const st = await api('GET', '/api/v1/audit/stats');
  const partnerRows = st.exchangesPerPartnerMonth.map((x) => ({ label: `${x.month} ${orgName(x.partner)}`, values: [x.sent, x.received] }));
  const categoryRows = st.signalsPerCategory.map((x) => ({ label: shorten(categoryLabel(x.category), 40), values: [x.count] }));
  const empty = (title) => h('section', {}, h('h2', {}, title), h('p', {}, t('none')));
  page('chartsTitle', partnerRows.length ? barChart(t('perPartner'), partnerRows, [t('sent'), t('received')]) : empty(t('perPartner')),
    categoryRows.length ? barChart(t('perCategory'), categoryRows, ['']) : empty(t('perCategory')));
}

// ---------------------------------------------------------------- admin
// Someone who lost their phone and recovery codes: an admin clears the factors (step-up first).
function resetFactorsButton(username, out) {
  const b = h('button', { type: 'button', class: 'secondary' }, t('factorsReset'));
  b.setAttribute('aria-label', `${t('factorsReset')}: ${username}`);
  b.addEventListener('click', async () => {
    try { await api('DELETE', `/api/v1/users/${encodeURIComponent(username)}/factors`); usersPage(fill(t('factorsResetDone'), { user: username })); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return b;
}
function deleteUserButton(username, out) {
  const b = h('button', { type: 'button', class: 'danger', 'aria-label': `${t('deleteUser')} ${username}` }, t('deleteUser'));
  b.addEventListener('click', async () => {
    out.replaceChildren();
    if (!confirm(`${t('confirmDeleteUser')} ${username}?`)) return;
    try { await api('DELETE', `/api/v1/users/${encodeURIComponent(username)}`); usersPage(); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return b;
}

// Wrong passwords made this account wait: the admin lets its owner in at once.
function unlockButton(username, out) {
  const b = h('button', { type: 'button', 'aria-label': `${t('unlock')}: ${username}` }, t('unlock'));
  b.addEventListener('click', async () => {
    out.replaceChildren();
    try {
      await api('DELETE', `/api/v1/users/${encodeURIComponent(username)}/wait`);
      await usersPage(`${username} ${t('unlocked')}`);
    } catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return b;
}

// Someone forgot their password: the admin sets a new one, which ends every
// session of the account (whoever else knew the old one is out).
// Teams (issue 21): a local account's team inside the organisation; an
// account of the organisation's sign-in service follows its groups there.
function teamCell(u, out) {
  if (u.signsInThroughOrganisation) return [u.team || t('wholeOrg'), ' ', h('span', { class: 'hint' }, `(${t('viaOrg')})`)];
  const team = h('input', { name: `team-${u.username}`, value: u.team || '', size: 12, 'aria-label': `${t('teamCol')}: ${u.username}`, placeholder: t('wholeOrg') });
  const form = h('form', { class: 'inline' }, team, ' ', h('button', { type: 'submit', class: 'secondary' }, t('saveTeam')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(u.username)}/team`, { team: team.value.trim() });
      await usersPage(t('teamSaved').replace('{user}', u.username));
    } catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return form;
}
function resetPasswordForm(username, out) {
  const pass = h('input', { type: 'password', autocomplete: 'new-password', minlength: 12, name: `reset-${username}`,
    'aria-label': `${t('resetPassword')}: ${username}` });
  const form = h('form', { class: 'inline' }, h('details', {}, h('summary', {}, t('resetPassword')),
    h('p', { class: 'hint' }, t('resetHint')), pass, ' ', h('button', { type: 'submit' }, t('setPassword'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(username)}/password`, { password: pass.value });
      pass.value = '';
      await usersPage(t('passwordReset').replace('{user}', username));
    } catch (e) { pass.value = ''; out.replaceChildren(message('error', problemText(e))); }
  });
  return form;
}

// ---------------------------------------------------------------- own account
function passwordPage() {
  const current = h('input', { type: 'password', autocomplete: 'current-password', name: 'currentPassword' });
  const next = h('input', { type: 'password', autocomplete: 'new-password', name: 'newPassword', minlength: 12 });
  const again = h('input', { type: 'password', autocomplete: 'new-password', name: 'again', minlength: 12 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'login', novalidate: true },
    field(t('currentPassword'), current), field(t('newPassword'), next, '(12+)'), field(t('repeatPassword'), again),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('changePassword'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const clear = () => { for (const i of [current, next, again]) i.value = ''; };
    if (next.value !== again.value) { out.replaceChildren(message('error', t('passwordsDiffer'))); again.value = ''; return; }
    try {
      await api('PUT', '/api/v1/session/password', { currentPassword: current.value, newPassword: next.value });
      clear();
      out.replaceChildren(message('ok', t('passwordChanged')));
    } catch (e) { clear(); out.replaceChildren(message('error', problemText(e))); }
  });
  page('passwordTitle', h('p', {}, t('passwordHint')), form);
}

// `notice`: what the last action on this page did, shown above the form.
async function usersPage(notice) {
  const res = await api('GET', '/api/v1/users');
  const name = h('input', { name: 'username', autocomplete: 'off' });
  const role = h('select', { name: 'role' }, ['officer', 'analyst', 'privacy_officer', 'admin'].map((r) => h('option', { value: r }, roleName(r))));
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: 12 });
  const out = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'row' }, field(t('username'), name), field(t('role'), role), field(t('password'), pass, '(12+)'),
    h('div', {}, h('button', { type: 'submit' }, t('create'))));
  // An error belongs to the attempt that caused it: typing again clears it.
  form.addEventListener('input', () => out.replaceChildren());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    try { await api('POST', '/api/v1/users', { username: name.value.trim(), role: role.value, password: pass.value }); pass.value = ''; usersPage(); }
    catch (e) { pass.value = ''; out.replaceChildren(message('error', problemText(e))); }
  });
  page('usersTitle', h('p', { class: 'hint' }, t('usersHint')), h('div', { class: 'table-scroll' }, h('table', { class: 'stack' },
    h('thead', {}, h('tr', {}, [t('username'), t('role'), t('teamCol'), t('created2'), t('loginState'), t('secondFactorCol'), t('actions')].map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, res.items.map((u) => h('tr', { 'data-user': u.username }, h('th', { scope: 'row' }, u.username), h('td', { 'data-label': t('role') }, roleName(u.role)),
      h('td', { 'data-label': t('teamCol') }, teamCell(u, out)),
      h('td', { 'data-label': t('created2') }, when(u.createdAt)),
      h('td', { 'data-label': t('loginState') }, u.waiting ? `${t('waitingUntil')} ${when(u.waitUntil)} ` : t('canLogIn'), u.waiting ? unlockButton(u.username, out) : ''),
      h('td', { 'data-label': t('secondFactorCol') }, u.secondFactor ? t('factorYes') : t('factorNo'), ' ',
        u.secondFactor && u.username !== me.username ? resetFactorsButton(u.username, out) : ''),
      // Their own password an admin changes on the password page, like everyone.
      h('td', { 'data-label': t('actions') }, u.username === me.username ? h('a', { href: '#/password' }, t('passwordTitle')) : [resetPasswordForm(u.username, out), deleteUserButton(u.username, out)])))))),
  h('h2', {}, t('newAccount')), out, form);
  if (notice) out.replaceChildren(message('ok', notice));
}

// ---------------------------------------------------------------- start page (issue 17)
// Where each topic is looked at.
const TOPIC_PAGE = {
  feedback_received: '#/signals', signal_hit: '#/signals', request_to_decide: '#/requests', request_overdue: '#/requests',
  alert: '#/alerts', case_opened: '#/cases', request_answered: '#/requests', feedback_overdue: '#/inbox',
  log_unverified: '#/log', tree_head_mismatch: '#/log', records_rejected: '#/log', pa_budget_alarm: '#/log',
  login_throttled: '#/users', certificate_expiring: '#/deliveries', outbox_backlog: '#/deliveries',
  configuration_refused: '#/log',
};
const WAITING_PAGE = { requestsToDecide: '#/requests', feedbackOverdue: '#/inbox', failedNotifications: '#/deliveries', partnersBehind: '#/deliveries' };
const counted = (words, n) => `${n} ${words ? words[n === 1 ? 0 : 1] : ''}`;
// The start of this visit's "new": items changed after it get a marker in lists.
let visitSince = null;
async function loadVisit() {
  if (visitSince === null) {
    const start = await api('GET', '/api/v1/me/start').catch(() => null);
    visitSince = start?.since ? Date.parse(start.since) : 0;
  }
  return visitSince;
}
const isNew = (iso) => visitSince > 0 && iso && Date.parse(iso) > visitSince;
const newMark = (iso) => (isNew(iso) ? h('span', { class: 'badge new' }, t('newMark')) : null);

async function startPage() {
  const start = await api('GET', '/api/v1/me/start');
  if (visitSince === null) visitSince = start.since ? Date.parse(start.since) : 0;
  const fresh = start.new.filter((n) => n.count > 0);
  const waiting = Object.entries(start.waiting || {}).filter(([, n]) => n > 0);
  page('startTitle',
    h('section', { 'data-testid': 'start-new' },
      h('h2', {}, start.since ? t('newSince').replace('{when}', when(start.since)) : t('newFirst')),
      fresh.length ? h('ul', {}, fresh.map((n) => h('li', {},
        h('a', { href: TOPIC_PAGE[n.topic] || '#/start' }, counted(TEXT[lang].topics[n.topic], n.count))))) : h('p', {}, t('nothingNew'))),
    h('section', { 'data-testid': 'start-waiting' },
      h('h2', {}, t('waitingTitle')),
      waiting.length ? h('ul', {}, waiting.map(([k, n]) => h('li', {},
        h('a', { href: WAITING_PAGE[k] || '#/start' }, counted(TEXT[lang].waiting[k], n))))) : h('p', {}, t('nothingWaiting'))));
}

// How often this user hears by e-mail, on the "my details" page.
async function notificationSettings() {
  const prefs = await api('GET', '/api/v1/me/notifications').catch(() => null);
  if (!prefs) return null;
  const mode = h('select', { name: 'notifyMode' }, Object.entries(TEXT[lang].notifyModes).map(([v, l]) => h('option', { value: v }, l)));
  const language = h('select', { name: 'notifyLanguage' }, Object.entries(TEXT[lang].notifyLanguages).map(([v, l]) => h('option', { value: v }, l)));
  mode.value = prefs.mode;
  language.value = prefs.language;
  const out = h('div', { 'aria-live': 'polite' });
  const hint = !prefs.mailConfigured ? t('notifyNoRelay') : prefs.email ? t('notifyTo').replace('{email}', prefs.email) : t('notifyNoEmail');
  const form = h('form', { novalidate: true, 'data-testid': 'notify-form' }, h('h2', {}, t('notifyTitle')), h('p', { class: 'hint' }, hint),
    field(t('notifyMode'), mode), field(t('notifyLanguage'), language), h('div', {}, h('button', { type: 'submit' }, t('save'))), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api('PUT', '/api/v1/me/notifications', { mode: mode.value, language: language.value }); out.replaceChildren(message('ok', t('saved'))); }
    catch (e) { out.replaceChildren(message('error', problemText(e))); }
  });
  return form;
}

// The admin's view of mails and webhook calls: where they go and how they stand.
async function deliveriesPage() {
  const res = await api('GET', '/api/v1/notifications/deliveries');
  page('deliveriesTitle', res.items.length ? h('table', { 'data-testid': 'deliveries' },
    h('thead', {}, h('tr', {}, [t('channel'), t('target'), t('state'), t('attempts'), t('lastError'), t('nextAttempt'), t('sentAt')]
      .map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, res.items.map((d) => h('tr', { class: d.state === 'failed' ? 'failed' : null },
      h('td', {}, TEXT[lang].channels[d.channel] || d.channel), h('td', {}, d.target),
      h('td', {}, TEXT[lang].deliveryStates[d.state] || d.state), h('td', {}, String(d.attempts)),
      h('td', {}, d.lastError || ''), h('td', {}, when(d.nextAttemptAt)), h('td', {}, when(d.sentAt)))))) : h('p', {}, t('none')));
}

// ---------------------------------------------------------------- routing
const ROUTES = [
  [/^#\/login$/, null, loginPage],
  [/^#\/start$/, '*', startPage],
  [/^#\/deliveries$/, 'admin', deliveriesPage],
  [/^#\/submit$/, 'officer', () => submitPage()],
  [/^#\/correct\/([0-9a-f]{32})$/, 'officer', (m) => submitPage(m[1])],
  [/^#\/signals(\?.*)?$/, 'officer', signalsPage],
  [/^#\/signals\/([0-9a-f]{32})$/, 'officer', (m) => signalPage(m[1])],
  [/^#\/inbox(\?.*)?$/, 'analyst', inboxPage],
  [/^#\/alerts$/, 'analyst', alertsPage],
  [/^#\/requests$/, '*', requestsPage],
  [/^#\/cases$/, 'analyst', casesPage],
  [/^#\/cases\/([0-9a-f]{32})$/, 'analyst', (m) => casePage(m[1])],
  [/^#\/lookup$/, 'analyst', lookupPage],
  [/^#\/me$/, '*', mePage],
  [/^#\/log(\?.*)?$/, 'privacy_officer', logPage],
  [/^#\/subject-access$/, 'privacy_officer', subjectAccessPage],
  [/^#\/policy$/, '*', policyPage],
  [/^#\/charts$/, 'privacy_officer', chartsPage],
  [/^#\/users$/, 'admin', () => usersPage()],
  [/^#\/password$/, '*', passwordPage],
  [/^#\/security$/, '*', () => securityPage()],
];
async function route() {
  await loadAbout();
  if (location.hash === '#/login') closeSessionDialog();
  if (!me && location.hash !== '#/login') {
    try { me = await api('GET', '/api/v1/session'); } catch { me = null; }
    if (!me || !me.csrfToken) { me = null; location.hash = '#/login'; renderTop(); return loginPage(); }
    touchSession();
  }
  // A role that needs a second factor and has none yet: nothing else until it is set up.
  if (me?.mustEnrol && location.hash !== '#/security') { location.hash = '#/security'; return; }
  if (!me?.mustEnrol) await loadPartnerNames();
  renderTop();
  const hash = location.hash || '#/';
  for (const [re, role, view] of ROUTES) {
    const m = hash.match(re);
    if (!m) continue;
    if (role && role !== '*' && me?.role !== role) return page('error', message('error', t('forbidden')));
    try { await view(m); } catch (e) { if (e.status !== 401) page('error', message('error', problemText(e))); else routeAfterLogin = true; }
    return;
  }
  location.hash = me ? (NAV[me.role] || [['#/policy']])[0][0] : '#/login';
}
window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', () => {
  // The skip link must not change the hash, which is the router's.
  document.getElementById('skip-link').addEventListener('click', (ev) => { ev.preventDefault(); document.getElementById('main').focus(); });
  route();
});

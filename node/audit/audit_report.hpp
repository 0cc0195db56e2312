// The processing record as a CSV table for people (privacy officers, DPIA
// work): one row per event, with the processing activity's rule, legal basis
// and purpose. Pruned events (contents past retention) are left out.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::audit {

inline constexpr const char* kReportHeader = "index,time_utc,event,status,partner,category,rule,legal_basis,purpose,count";

// Writes the header and every event; values are quoted, and a value a
// spreadsheet could run as a formula (first non-white-space character = + - @,
// or a leading TAB or CR) is prefixed with ' (OWASP CSV injection).
void write_report_csv(storage::Database& db, std::ostream& out);

// The same for Dutch spreadsheets (issue 20): UTF-8 with a byte order mark,
// `;` between cells and CRLF after each row (what Excel in a Dutch locale
// opens in columns), Dutch column names, the node's local time as
// dd-mm-jjjj uu:mm:ss, each event also described in Dutch, outcomes in
// words, and the category's Dutch name from `category_name`.
inline constexpr const char* kDutchReportHeader =
    "nummer;datum en tijd;tijdzone;gebeurtenis;omschrijving;uitkomst;partner;categorie;regel;grondslag;doel;aantal";
// What a privacy officer reads instead of ids: the category's Dutch name, the
// covenant rule's title, the partner's name (each falls back to the id).
struct DutchNames {
  std::function<std::string(std::string_view)> category, rule, partner;
};
// Times in Dutch civil time whatever the server's time zone, with the zone
// named in its own column ("wintertijd (UTC+1)"), so a spreadsheet still reads
// the date and time as such.
void write_dutch_report_csv(storage::Database& db, std::ostream& out, const DutchNames& names);

// One quoted cell, guarded as above.
bool csv_needs_guard(std::string_view field);
std::string csv_cell(std::string_view field);

}  // namespace signalnode::node::audit

// The processing record as a CSV table for people (privacy officers, DPIA
// work): one row per event, with the processing activity's rule, legal basis
// and purpose. Pruned events (contents past retention) are left out.
#pragma once

#include <ostream>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::audit {

inline constexpr const char* kReportHeader = "index,time_utc,event,status,partner,category,rule,legal_basis,purpose,count";

// Writes the header and every event; values are quoted, and a value starting
// with = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.
void write_report_csv(storage::Database& db, std::ostream& out);

}  // namespace signalnode::node::audit

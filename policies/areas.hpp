// The areas nodes serve: the 342 Dutch municipalities by CBS code, with the
// RIEC region each belongs to, built into the binary from
// policies/municipalities.csv (a copy of shared/domain/municipalities.csv).
// A municipality's node serves its own code, a RIEC's node its region's
// codes; a rule that routes by area sends a signal only to the recipients
// whose area holds the signal's municipality (docs/policies.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace signalnode::policies {

struct Municipality {
  std::string code;         // "GM0358"
  std::string name;         // "Aalsmeer"
  std::string riec_region;  // "amsterdam-amstelland"
};

class Areas {
 public:
  // Throws std::invalid_argument naming the line that is wrong.
  static Areas parse(std::string_view csv);
  // The list compiled into this binary.
  static const Areas& builtin();

  const Municipality* find(std::string_view code) const;
  // The codes of a RIEC region, sorted; empty for an unknown region.
  std::vector<std::string> region(std::string_view riec_region) const;
  const std::vector<Municipality>& all() const { return all_; }

 private:
  std::vector<Municipality> all_;  // sorted by code
};

}  // namespace signalnode::policies

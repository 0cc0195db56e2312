// The signal categories, built into the binary from policies/taxonomy.json
// (a copy of shared/domain/taxonomy.json). Sharing rules and the API use them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace signalnode::policies {

struct Category {
  std::string id;     // "housing.overcrowding"
  std::string stage;  // "housing": the part before the dot
  std::string en;
  std::string nl;
  std::vector<std::string> subject_kinds;
  bool nla = false;     // one of the labour inspectorate's 13 exploitation signals
  std::string special;  // "health" for GDPR art. 9 special categories, else empty
};

struct Stage {
  std::string id;
  std::string nl;
};

class Taxonomy {
 public:
  // Throws std::invalid_argument naming what is wrong.
  static Taxonomy parse(std::string_view json);
  // The taxonomy compiled into this binary.
  static const Taxonomy& builtin();

  int version() const { return version_; }
  const Category* find(std::string_view id) const;
  const std::vector<Category>& categories() const { return categories_; }
  const std::vector<Stage>& stages() const { return stages_; }
  const std::map<std::string, std::string>& subject_kinds() const { return subject_kinds_; }
  bool is_subject_kind(std::string_view kind) const;

 private:
  int version_ = 0;
  std::vector<Category> categories_;
  std::vector<Stage> stages_;
  std::map<std::string, std::string> subject_kinds_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace signalnode::policies

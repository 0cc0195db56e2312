#include "policies/taxonomy.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace signalnode::embedded {
std::string_view taxonomy_json();
}

namespace signalnode::policies {
namespace json = boost::json;

namespace {

std::string str(const json::object& o, std::string_view key, std::string_view where) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) {
    throw std::invalid_argument("taxonomy: " + std::string(where) + " needs string field '" + std::string(key) + "'");
  }
  return std::string(v->get_string());
}

}  // namespace

Taxonomy Taxonomy::parse(std::string_view text) {
  json::value root = json::parse(text);
  const json::object& doc = root.as_object();
  Taxonomy t;
  t.version_ = static_cast<int>(doc.at("version").as_int64());
  for (const auto& [id, label] : doc.at("subjectKinds").as_object()) {
    t.subject_kinds_.emplace(std::string(id), std::string(label.as_string()));
  }
  for (const auto& [id, label] : doc.at("stages").as_object()) {
    t.stages_.push_back({std::string(id), std::string(label.as_string())});
  }
  for (const json::value& v : doc.at("categories").as_array()) {
    const json::object& o = v.as_object();
    Category c;
    c.id = str(o, "id", "category");
    auto dot = c.id.find('.');
    if (dot == std::string::npos) throw std::invalid_argument("taxonomy: category id without stage: " + c.id);
    c.stage = c.id.substr(0, dot);
    bool known_stage = false;
    for (const auto& s : t.stages_) known_stage = known_stage || s.id == c.stage;
    if (!known_stage) throw std::invalid_argument("taxonomy: unknown stage in " + c.id);
    c.en = str(o, "en", c.id);
    c.nl = str(o, "nl", c.id);
    for (const json::value& k : o.at("subjects").as_array()) {
      std::string kind(k.as_string());
      if (!t.subject_kinds_.contains(kind)) throw std::invalid_argument("taxonomy: unknown subject kind in " + c.id);
      c.subject_kinds.push_back(std::move(kind));
    }
    if (const json::value* nla = o.if_contains("nla")) c.nla = nla->as_bool();
    if (const json::value* special = o.if_contains("special")) c.special = std::string(special->as_string());
    if (t.index_.contains(c.id)) throw std::invalid_argument("taxonomy: duplicate category " + c.id);
    t.index_.emplace(c.id, t.categories_.size());
    t.categories_.push_back(std::move(c));
  }
  return t;
}

const Taxonomy& Taxonomy::builtin() {
  static const Taxonomy taxonomy = parse(embedded::taxonomy_json());
  return taxonomy;
}

const Category* Taxonomy::find(std::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &categories_[it->second];
}

bool Taxonomy::is_subject_kind(std::string_view kind) const {
  return subject_kinds_.find(std::string(kind)) != subject_kinds_.end();
}

}  // namespace signalnode::policies

#include "policies/taxonomy.hpp"

#include <gtest/gtest.h>

namespace pol = signalnode::policies;

TEST(Taxonomy, BuiltinHasTheSharedCategories) {
  const auto& t = pol::Taxonomy::builtin();
  EXPECT_EQ(t.version(), 1);
  EXPECT_EQ(t.categories().size(), 61u);
  const auto* c = t.find("housing.overcrowding");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->stage, "housing");
  EXPECT_EQ(c->nl, "Overbewoning (mogelijk staan niet alle personen die op het adres verblijven ingeschreven)");
  EXPECT_FALSE(c->nla);
  EXPECT_EQ(t.find("nonexistent.category"), nullptr);
}

TEST(Taxonomy, MarksNlaSignalsAndHealthCategories) {
  const auto& t = pol::Taxonomy::builtin();
  int nla = 0;
  for (const auto& c : t.categories()) nla += c.nla ? 1 : 0;
  // The domain text speaks of 13 NLA signals; the shared taxonomy marks 12
  // (docs/architecture.md notes the gap). The data is the contract.
  EXPECT_EQ(nla, 12);
  EXPECT_EQ(t.find("labour.addiction_problems")->special, "health");
  EXPECT_TRUE(t.find("labour.debt_bondage")->nla);
  EXPECT_TRUE(t.is_subject_kind("area"));
  EXPECT_FALSE(t.is_subject_kind("company"));
  EXPECT_EQ(t.stages().size(), 8u);
}

TEST(Taxonomy, RejectsInconsistentDocuments) {
  auto doc = [](const std::string& cats) {
    return R"({"version":1,"subjectKinds":{"person":"p"},"stages":{"housing":"H"},"categories":[)" + cats + "]}";
  };
  EXPECT_NO_THROW(pol::Taxonomy::parse(doc(R"({"id":"housing.a","en":"a","nl":"a","subjects":["person"]})")));
  EXPECT_THROW(pol::Taxonomy::parse(doc(R"({"id":"labour.a","en":"a","nl":"a","subjects":["person"]})")),
               std::invalid_argument);
  EXPECT_THROW(pol::Taxonomy::parse(doc(R"({"id":"housing.a","en":"a","nl":"a","subjects":["ghost"]})")),
               std::invalid_argument);
  EXPECT_THROW(pol::Taxonomy::parse(doc(R"({"id":"housing.a","en":"a","nl":"a","subjects":[]},)"
                                        R"({"id":"housing.a","en":"a","nl":"a","subjects":[]})")),
               std::invalid_argument);
}

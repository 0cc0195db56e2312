// Upgrades of the database (issue 23): a database newer than the binary, and
// an older one that fails its checks, are refused before anything changes;
// an older sound one migrates. The upgrade from the previous release's real
// database is tests/package/upgrade_fixture.sh.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.hpp"
#include "crypto/random.hpp"
#include "node/storage/schema.hpp"
#include "node/storage/store.hpp"

namespace fs = std::filesystem;
namespace st = signalnode::node::storage;

namespace {

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string refusal(const fs::path& db) {
  try {
    st::Store store(db, st::node_migrations());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

int version_of(const fs::path& db) {
  st::Database d(db, st::Database::Mode::read_write);
  return st::schema_version(d);
}

class SchemaUpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override { signalnode::crypto::init(); }
  fs::path db() const { return dir_ / "signalnode.db"; }
  const std::size_t known_ = st::node_migrations().size();

  // A database one release behind: every migration but the last, and enough
  // rows in an indexed table to give the index pages of its own.
  void make_previous_release() {
    std::vector<st::Migration> previous(st::node_migrations().begin(), st::node_migrations().end() - 1);
    st::Store store(db(), previous);
    store.write([](st::Database& d) {
      d.exec("CREATE TABLE upgrade_filler (k TEXT NOT NULL)");
      d.exec("CREATE INDEX upgrade_filler_k ON upgrade_filler (k)");
      auto ins = d.prepare("INSERT INTO upgrade_filler (k) VALUES (?)");
      for (int i = 0; i < 3000; ++i) {
        const std::string key = "row-" + std::to_string(i * 7919 % 3001) + std::string(40, 'x');
        ins.bind(1, std::string_view(key));
        ins.step();
        ins.reset();
      }
    });
  }

  signalnode::testing::TempDir dir_{"sn-schema-upgrade-"};
};

TEST_F(SchemaUpgradeTest, NewerDatabaseIsRefusedInWordsAndLeftAsItWas) {
  { st::Store store(db(), st::node_migrations()); }
  {
    st::Database d(db(), st::Database::Mode::read_write);
    d.exec("PRAGMA user_version = " + std::to_string(known_ + 3));
  }
  const std::string before = file_bytes(db());
  const std::string why = refusal(db());
  EXPECT_NE(why.find("nieuwer dan deze signalnode kent (" + std::to_string(known_) + ")"), std::string::npos) << why;
  EXPECT_NE(why.find("schemaversie " + std::to_string(known_ + 3)), std::string::npos) << why;
  EXPECT_NE(why.find("newer than this signalnode knows"), std::string::npos) << why;
  EXPECT_NE(why.find("er is niets veranderd"), std::string::npos) << why;
  EXPECT_EQ(file_bytes(db()), before);
  EXPECT_EQ(version_of(db()), static_cast<int>(known_ + 3));
}

TEST_F(SchemaUpgradeTest, PreviousReleaseMigratesWhenItPassesItsCheck) {
  make_previous_release();
  EXPECT_EQ(version_of(db()), static_cast<int>(known_ - 1));
  EXPECT_EQ(refusal(db()), "");
  EXPECT_EQ(version_of(db()), static_cast<int>(known_));
}

TEST_F(SchemaUpgradeTest, DamagedPreviousReleaseIsNotMigratedAndNothingChanges) {
  make_previous_release();
  int page_size = 0, root = 0;
  {
    st::Database d(db(), st::Database::Mode::read_write);
    auto ps = d.prepare("PRAGMA page_size");
    ps.step();
    page_size = static_cast<int>(ps.int64(0));
    auto rp = d.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'upgrade_filler_k'");
    ASSERT_TRUE(rp.step());
    root = static_cast<int>(rp.int64(0));
  }
  ASSERT_FALSE(fs::exists(db().string() + "-wal") && fs::file_size(db().string() + "-wal") > 0);
  {
    // The index's root page gets a page type no b-tree page has: what a bad
    // sector or a half-copied file leaves behind.
    std::fstream f(db(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(root - 1) * page_size);
    const std::string junk(16, '\x7f');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const std::string before = file_bytes(db());
  const std::string why = refusal(db());
  EXPECT_NE(why.find("doorstaat de controle PRAGMA quick_check niet"), std::string::npos) << why;
  EXPECT_NE(why.find("de upgrade naar versie " + std::to_string(known_) + " is niet uitgevoerd"), std::string::npos)
      << why;
  EXPECT_NE(why.find("fails PRAGMA quick_check"), std::string::npos) << why;
  EXPECT_EQ(file_bytes(db()), before);
  EXPECT_EQ(version_of(db()), static_cast<int>(known_ - 1));
}

}  // namespace

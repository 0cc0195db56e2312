// A full disk (issue 18), on a small tmpfs of its own: a signal is answered
// with a retryable 503 and nothing is kept, /healthz says the disk is low and
// writes fail instead of "database ok", and once space is back the node
// takes signals again. Needs root to mount; skipped without.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/random.hpp"
#include "test_node.hpp"

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const std::string kSignal = R"({"category":"housing.overcrowding","observedOn":"2026-11-20","persons":14,
  "subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})";

bool retry_after(const signalnode::node::http::HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Retry-After") return true;
  }
  return false;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "mounting a small file system needs root";
    mount_ = fs::temp_directory_path() / ("sn-full-" + signalnode::crypto::random_hex_id(6));
    fs::create_directories(mount_);
    if (std::system(("mount -t tmpfs -o size=96m tmpfs " + mount_.string() + " 2>/dev/null").c_str()) != 0) {
      fs::remove(mount_);
      mount_.clear();
      GTEST_SKIP() << "tmpfs cannot be mounted here";
    }
  }
  void TearDown() override {
    if (mount_.empty()) return;
    [[maybe_unused]] int rc = std::system(("umount -l " + mount_.string()).c_str());
    fs::remove_all(mount_);
  }
  // Writes a file until the file system is full.
  void fill() {
    std::ofstream out(mount_ / "filler", std::ios::binary);
    std::string block(1 << 20, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) out.flush();
  }
  fs::path mount_;
};

}  // namespace

TEST_F(FullDiskTest, AFullDiskIsAnsweredRetryableAndReportedUntilSpaceIsBack) {
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  setenv("TMPDIR", mount_.c_str(), 1);
  signalnode::testing::TestNode node;
  if (saved.empty()) unsetenv("TMPDIR"); else setenv("TMPDIR", saved.c_str(), 1);
  ASSERT_EQ(node.dir().string().rfind(mount_.string(), 0), 0u) << "the node lives on the small file system";

  auto healthy = node.call("GET", "/healthz", {}, "");
  EXPECT_EQ(healthy.status, 200) << healthy.body;
  ASSERT_EQ(node.call("POST", "/api/v1/signals", kSignal).status, 201);
  const auto before = node.stored_signals();

  fill();
  int refused = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = node.call("POST", "/api/v1/signals", kSignal);
    if (r.status == 201) continue;  // a page still free in the WAL
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_TRUE(retry_after(r)) << "a client may retry";
    ++refused;
  }
  EXPECT_GT(refused, 0) << "a full disk refused nothing";
  auto sick = node.call("GET", "/healthz", {}, "");
  EXPECT_EQ(sick.status, 503) << sick.body;
  json::value doc = json::parse(sick.body);
  EXPECT_EQ(sick.content_type, "application/problem+json") << "NL API Design Rules: errors are problem documents";
  EXPECT_EQ(doc.at("type"), "urn:signalnode:problem:degraded");
  EXPECT_EQ(doc.at("status"), 503);
  EXPECT_EQ(doc.at("disk").at("status"), "low");
  EXPECT_EQ(doc.at("writes"), "failing");
  EXPECT_EQ(doc.at("database"), "ok") << "reads still work, and the answer says so";

  fs::remove(mount_ / "filler");
  auto again = node.call("POST", "/api/v1/signals", kSignal);
  EXPECT_EQ(again.status, 201) << again.body;
  auto well = node.call("GET", "/healthz", {}, "");
  EXPECT_EQ(well.status, 200) << well.body;
  EXPECT_GE(node.stored_signals(), before + 1);
}

// Issue 18, integrity at start: a node whose database lost its newest
// commits (a deleted WAL, an older copy put back) refuses to start, naming
// why, instead of serving a shortened log as whole.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "node/app/node_app.hpp"
#include "node/audit/audit_log.hpp"
#include "node/config/node_config.hpp"
#include "node/storage/sqlite.hpp"
#include "test_node.hpp"
#include "tests/support/test_federation.hpp"

namespace fs = std::filesystem;
using signalnode::testing::wait_until;

TEST(IntegrityAtStart, ADatabaseThatLostItsNewestCommitsRefusesToStart) {
  signalnode::testing::TestNode node;
  for (int i = 0; i < 5; ++i) {
    auto r = node.call("POST", "/api/v1/signals",
                       R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20","subjects":[]})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const signalnode::node::config::NodePaths paths{node.dir()};
  // The maintenance thread signs a tree head within a second and keeps its copy.
  ASSERT_TRUE(wait_until([&] {
    auto kept = signalnode::node::audit::AuditLog::read_head_copy(paths.audit_head());
    return kept && kept->tree_size >= 5;
  }));
  node.app().stop();
  auto kept = signalnode::node::audit::AuditLog::read_head_copy(paths.audit_head());
  ASSERT_TRUE(kept);

  // An honest restart starts.
  { signalnode::node::app::NodeApp again(signalnode::node::app::NodeOptions{node.dir(), std::nullopt}); }

  // What a lost WAL leaves: the newest events and their tree heads gone.
  {
    signalnode::node::storage::Database db(paths.database(), signalnode::node::storage::Database::Mode::read_write);
    db.exec("DELETE FROM audit_events WHERE idx >= 2; DELETE FROM audit_tree_heads WHERE tree_size > 2;");
  }
  try {
    signalnode::node::app::NodeApp broken(signalnode::node::app::NodeOptions{node.dir(), std::nullopt});
    FAIL() << "a node that lost committed work started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("refusing to start"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("committed work was lost"), std::string::npos) << e.what();
  }
}

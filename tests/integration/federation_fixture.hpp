// A four-partner federation of in-process nodes on free loopback ports, for
// the federation and sharing tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "crypto/random.hpp"
#include "node/app/node_app.hpp"
#include "tests/support/test_federation.hpp"

namespace signalnode::testing {

class FederationFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_ = std::filesystem::temp_directory_path() / ("sn-fed-" + crypto::random_hex_id(6));
    nodes_ = create_test_federation(dir_, partners());  // municipality, inspectorate, SNF, RIEC (PA)
    for (std::size_t i = 0; i < nodes_.size(); ++i) start(i);
  }
  void TearDown() override {
    apps_.clear();
    std::filesystem::remove_all(dir_);
  }
  // Which federation: the four partners and the three share holders, unless
  // a test needs the national demo (BRIEF 3.11).
  virtual std::vector<node::app::DemoNode> partners() const { return node::app::demo_partners(); }
  void start(std::size_t i) {
    if (apps_.size() <= i) apps_.resize(i + 1);
    apps_[i] = std::make_unique<node::app::NodeApp>(node::app::NodeOptions{nodes_[i].dir, std::nullopt});
    apps_[i]->start();
  }

  std::filesystem::path dir_;
  std::vector<node::app::DemoNode> nodes_;
  std::vector<std::unique_ptr<node::app::NodeApp>> apps_;
};

}  // namespace signalnode::testing

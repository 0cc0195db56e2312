// The sharing tests' federation with helpers to call each node's API and to
// hand-craft signed batches (sharing_test.cpp, follow_up_test.cpp).
#pragma once

#include <boost/json.hpp>

#include <map>
#include <string>

#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "federation_fixture.hpp"
#include "node/federation/federation.hpp"
#include "node/net/https_client.hpp"
#include "protocol/wire.hpp"

namespace signalnode::testing {

class SharingFixture : public FederationFixture {
 protected:
  signalnode::node::http::HttpResponse api(std::size_t node, const std::string& method, const std::string& target,
                                           const std::string& role, const std::string& body = {},
                                           const std::string& accept_language = {}) {
    signalnode::node::net::ClientOptions options;
    options.trust_anchors_pem = signalnode::node::net::read_text_file(dir_ / "ca" / "ca.crt");
    signalnode::node::net::HttpsClient client("127.0.0.1", nodes_[node].api_port, std::move(options));
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + nodes_[node].tokens.at(role)}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    if (!accept_language.empty()) headers.emplace_back("Accept-Language", accept_language);
    return client.request(method, target, body, headers);
  }
  std::string submit(std::size_t node, const std::string& body) {
    auto r = api(node, "POST", "/api/v1/signals", "officer", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(boost::json::parse(r.body).at("id").as_string());
  }
  boost::json::array inbox(std::size_t node) {
    auto r = api(node, "GET", "/api/v1/inbox?limit=500", "analyst");
    EXPECT_EQ(r.status, 200) << r.body;
    return boost::json::parse(r.body).at("items").as_array();
  }
  std::map<std::string, std::string> sharing_states(const std::string& id) {
    std::map<std::string, std::string> out;
    auto r = api(0, "GET", "/api/v1/signals/" + id, "officer");
    boost::json::value doc = boost::json::parse(r.body);
    for (const auto& p : doc.at("sharing").as_array()) {
      out[std::string(p.at("partner").as_string())] = std::string(p.at("state").as_string());
    }
    return out;
  }
  crypto::SigningKey key_of(std::size_t node) {
    return crypto::SigningKey::from_secret(crypto::read_secret_file(nodes_[node].dir / "keys" / "signing.key", 64).view());
  }
  // A batch from node 0 (the municipality) to node 1 (the inspectorate) with
  // one record that the covenant grants, signed by the municipality.
  protocol::wire::Batch valid_batch() {
    auto* fed = apps_[0]->federation();
    protocol::wire::Batch b;
    b.batch_id = crypto::random_hex_id(16);
    b.sender = nodes_[0].org;
    b.receiver = nodes_[1].org;
    b.created_at_ms = 1;
    protocol::wire::Record r;
    r.record_id = crypto::random_hex_id(16);
    r.category = "labour.debt_bondage";
    r.observed_week = "2026-W47";
    protocol::wire::SharedSubject s{"organisation", "kvk", {}};
    s.pseudonym.fill(0x11);
    r.subjects = {s};
    r.rule_id = "labour-to-inspectorate";
    r.policy_hash = fed->policy()->sha256();
    r.expires_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count() + 86'400'000;
    b.records.push_back(r);
    return b;
  }
  signalnode::node::http::HttpResponse post_batch(const std::string& body) {
    auto* fed = apps_[0]->federation();
    auto client = fed->client_for(*fed->manifest()->find(nodes_[1].org));
    return client->request("POST", "/federation/v1/batches", body, {{"Content-Type", "application/octet-stream"}});
  }
  static std::string bytes(const crypto::Bytes& b) { return std::string(b.begin(), b.end()); }
  // A hand-made batch from node `from` to node `to`, signed with `from`'s key,
  // sent over `from`'s mutually authenticated connection; the receipt.
  protocol::wire::Receipt send(std::size_t from, std::size_t to, std::vector<protocol::wire::Record> records, std::string* raw = nullptr) {
    protocol::wire::Batch b;
    b.batch_id = crypto::random_hex_id(16);
    b.sender = nodes_[from].org;
    b.receiver = nodes_[to].org;
    b.created_at_ms = 1;
    b.records = std::move(records);
    std::string body = bytes(protocol::wire::encode(protocol::wire::sign_batch(b, key_of(from))));
    if (raw) *raw = body;
    return post_from(from, to, body);
  }
  protocol::wire::Receipt post_from(std::size_t from, std::size_t to, const std::string& body) {
    auto* fed = apps_[from]->federation();
    auto client = fed->client_for(*fed->manifest()->find(nodes_[to].org));
    auto r = client->request("POST", "/federation/v1/batches", body, {{"Content-Type", "application/octet-stream"}});
    EXPECT_EQ(r.status, 200) << r.body;
    std::string error;
    crypto::Bytes raw(r.body.begin(), r.body.end());
    auto s = protocol::wire::decode_signed(raw, error);
    EXPECT_TRUE(s) << error;
    auto receipt = protocol::wire::decode_receipt(s->message, error);
    EXPECT_TRUE(receipt) << error;
    return *receipt;
  }
};

}  // namespace signalnode::testing

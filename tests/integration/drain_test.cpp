// A draining stop and Idempotency-Key (issue 18). Before, SIGTERM stopped the
// I/O context at once: requests in flight got no answer though some were
// committed, and a client could neither retry safely nor skip retrying.
// Now a stop answers everything it accepted (503 with Retry-After for what
// began after the stop), and a retry with the same key finds the first answer,
// also after a restart.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "node/config/node_config.hpp"
#include "node/net/https_server.hpp"
#include "test_node.hpp"

namespace json = boost::json;
using signalnode::node::http::HttpResponse;

namespace {

std::string signal_body(int persons) {
  return R"({"category":"housing.overcrowding","observedOn":"2026-11-20","persons":)" + std::to_string(persons) +
         R"(,"subjects":[{"kind":"address","postcode":"1431 AB","houseNumber":12}]})";
}

std::string header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

HttpResponse submit(signalnode::node::net::HttpsClient& client, const std::string& token, const std::string& key,
                    const std::string& body) {
  std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + token},
                                                           {"Content-Type", "application/json"}};
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return client.request("POST", "/api/v1/signals", body, headers);
}

std::string id_of(const HttpResponse& r) { return std::string(json::parse(r.body).at("id").as_string()); }

std::int64_t stored(signalnode::testing::TestNode& node) {
  auto r = node.call("GET", "/metrics", {}, "metrics");
  auto at = r.body.find("\nsignalnode_signals_stored ");
  if (at == std::string::npos) return -1;
  return std::stoll(r.body.substr(at + 27));
}

}  // namespace

TEST(Idempotency, TheSameKeyTwiceStoresOneSignalAndAnotherBodyUnderItIs422) {
  signalnode::testing::TestNode node;
  auto client = node.client();
  const auto& token = node.token("officer");
  auto first = submit(*client, token, "same-key-1", signal_body(3));
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(header(first, "Idempotent-Replayed"), "");
  auto again = submit(*client, token, "same-key-1", signal_body(3));
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(id_of(again), id_of(first));
  EXPECT_EQ(header(again, "Location"), header(first, "Location"));
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  EXPECT_EQ(stored(node), 1);

  auto other = submit(*client, token, "same-key-1", signal_body(4));
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_NE(other.body.find("Idempotency-Key"), std::string::npos);
  auto bad = submit(*client, token, "not a key", signal_body(4));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(stored(node), 1);

  // A rejected signal is an answer too: the retry gets the same 400.
  auto invalid = submit(*client, token, "same-key-2", R"({"category":"nope"})");
  EXPECT_EQ(invalid.status, 400);
  auto invalid_again = submit(*client, token, "same-key-2", R"({"category":"nope"})");
  EXPECT_EQ(invalid_again.status, 400);
  EXPECT_EQ(invalid_again.body, invalid.body);
  EXPECT_EQ(header(invalid_again, "Idempotent-Replayed"), "true");
}

TEST(Idempotency, AKeySurvivesARestart) {
  signalnode::testing::TestNode node;
  auto first = submit(*node.client(), node.token("officer"), "restart-key", signal_body(5));
  ASSERT_EQ(first.status, 201);
  node.restart();
  auto again = submit(*node.client(), node.token("officer"), "restart-key", signal_body(5));
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(id_of(again), id_of(first));
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  EXPECT_EQ(stored(node), 1);
}

// The listener alone: a request being handled when the drain begins is
// answered (with Connection: close); a request begun after it on a kept-alive
// connection is answered 503 with Retry-After; new connections are refused.
TEST(Drain, ARequestInFlightIsAnsweredAndALaterOneGets503) {
  signalnode::testing::TestNode node;  // for its certificate
  signalnode::node::config::NodePaths paths{node.dir()};
  auto identity = signalnode::node::net::TlsIdentity::load(paths.api_cert(), paths.api_key());
  signalnode::node::http::Metrics metrics;
  std::promise<signalnode::node::http::Respond> held;
  std::atomic<int> calls{0};
  signalnode::node::net::HttpsServer server(
      identity, {}, [&](signalnode::node::http::HttpRequest&& request, signalnode::node::http::Respond respond) {
        if (request.path == "/slow" && calls.fetch_add(1) == 0) return held.set_value(std::move(respond));
        respond(HttpResponse{200, "application/json", "{}", {}});
      },
      metrics);
  auto port = server.listen("127.0.0.1", 0);
  server.start(2);
  auto options = [&node] {
    signalnode::node::net::ClientOptions o;
    o.trust_anchors_pem = node.certificate_pem();
    o.timeout = std::chrono::seconds(10);
    return o;
  };
  signalnode::node::net::HttpsClient slow("127.0.0.1", port, options());
  signalnode::node::net::HttpsClient kept("127.0.0.1", port, options());
  ASSERT_EQ(kept.request("GET", "/fast").status, 200);  // now kept alive

  auto in_flight = std::async(std::launch::async, [&slow] { return slow.request("GET", "/slow"); });
  auto respond = held.get_future().get();
  server.begin_drain();
  auto refused = kept.request("GET", "/fast");
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(header(refused, "Retry-After"), "5");
  EXPECT_EQ(header(refused, "Connection"), "close");
  EXPECT_NE(refused.body.find("De node stopt"), std::string::npos);
  signalnode::node::net::HttpsClient fresh("127.0.0.1", port, options());
  EXPECT_THROW(fresh.request("GET", "/fast"), std::exception) << "no new connections";

  EXPECT_FALSE(server.wait_drained(std::chrono::steady_clock::now() + std::chrono::milliseconds(200)))
      << "the request being handled holds the drain";
  respond(HttpResponse{200, "application/json", R"({"late":true})", {}});
  auto answered = in_flight.get();
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(answered.body, R"({"late":true})");
  EXPECT_EQ(header(answered, "Connection"), "close");
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(server.wait_drained(began + std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(1));
  server.stop();
}

// Many officers submit at once while the node stops. Every 201 is stored;
// no signal is stored whose client got no answer; a client that got none (or
// 503) learns the truth by retrying with its key after the restart, which
// stores each key's signal exactly once; the stop takes less than its grace.
TEST(Drain, AStopUnderLoadLosesNoAnswerAndRetriesWithKeysStoreEachSignalOnce) {
  signalnode::testing::TestNode node;
  const std::string token = node.token("officer");
  struct Outcome {
    std::string key;
    std::string body;
    int status = 0;  // 0: no answer (an exception)
    std::string id;
    std::string error;
    bool retry_after = false;
  };
  constexpr int kThreads = 6;
  std::vector<std::vector<Outcome>> outcomes(kThreads);
  std::atomic<bool> stop_called{false};
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto client = node.client();
      for (int i = 0; i < 5000; ++i) {
        Outcome o;
        o.key = "load-" + std::to_string(t) + "-" + std::to_string(i);
        o.body = signal_body(1 + (t * 7 + i) % 40);
        try {
          auto r = submit(*client, token, o.key, o.body);
          o.status = r.status;
          o.retry_after = !header(r, "Retry-After").empty();
          if (r.status == 201) {
            o.id = id_of(r);
            created.fetch_add(1);
          }
        } catch (const std::exception& e) {
          o.error = e.what();
        }
        bool done = o.status == 0 && stop_called.load();
        outcomes[t].push_back(std::move(o));
        if (done) break;
        if (outcomes[t].back().status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  while (created.load() < 60) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop_called = true;
  auto began = std::chrono::steady_clock::now();
  node.app().stop();
  auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
  for (auto& th : threads) th.join();
  std::cout << "[ measure  ] stop under load took " << stop_ms << " ms" << std::endl;
  EXPECT_LT(stop_ms, 10'000) << "within api.shutdownGraceSeconds";

  int answered_201 = 0, answered_503 = 0, unanswered = 0, other = 0;
  for (const auto& list : outcomes) {
    for (const auto& o : list) {
      if (o.status == 201) {
        ++answered_201;
      } else if (o.status == 503) {
        ++answered_503;
        EXPECT_TRUE(o.retry_after) << o.key;
      } else if (o.status == 0) {
        ++unanswered;
      } else {
        ++other;
        ADD_FAILURE() << o.key << " got " << o.status;
      }
    }
  }
  std::cout << "[ measure  ] 201: " << answered_201 << ", 503: " << answered_503
            << ", no answer (connection refused or closed unread): " << unanswered << std::endl;

  node.restart();
  auto client = node.client();
  int stored_but_unanswered = 0, learned = 0;
  std::set<std::string> ids;
  for (const auto& list : outcomes) {
    for (const auto& o : list) {
      auto r = submit(*client, token, o.key, o.body);
      ASSERT_EQ(r.status, 201) << o.key << ": " << r.body;
      if (o.status == 201) {
        EXPECT_EQ(header(r, "Idempotent-Replayed"), "true") << o.key << ": a 201 was stored";
        EXPECT_EQ(id_of(r), o.id) << o.key;
      } else if (header(r, "Idempotent-Replayed") == "true") {
        ++stored_but_unanswered;
        ADD_FAILURE() << o.key << " was stored, but its client got " << o.status << " " << o.error;
      } else {
        ++learned;
      }
      ids.insert(id_of(r));
    }
  }
  EXPECT_EQ(stored_but_unanswered, 0);
  // One signal per key: the retries stored what was not stored, nothing twice.
  EXPECT_EQ(stored(node), static_cast<std::int64_t>(ids.size()));
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(answered_201 + learned));
}

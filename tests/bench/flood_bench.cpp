// flood_bench: how long an officer waits for POST /api/v1/signals at a node
// while a hostile partner floods that node with signed batches about the same
// few subjects.
//
// Why: every received record is matched against what the node already holds
// on its pseudonyms. A partner that keeps sending records about the same 64
// organisations makes that matching grow with everything it sent before, and
// the node's own officers share the database and the threads with it. This
// measures what an officer feels: the wall latency (p50, p99, max) of submits
// at a fixed rate, first without flood (baseline), then with the flood.
//
// The federation is the tests' in-process one (four nodes on loopback); node 0
// (the municipality) floods node 1 (the labour inspectorate), whose federation
// budgets can be set on the command line. Submits start at a fixed rate
// whether or not earlier ones were answered, each on its own connection, and
// their latency is measured from connecting to the answer (TLS handshake
// included, in both phases).
//
//   flood_bench [--seconds 30] [--rate 5] [--flooders 2] [--records-per-batch 600]
//               [--batches-per-minute N] [--bytes-per-minute N] [--records-per-minute N]
//
// Budgets not given keep the node's defaults; receiveRecordsPerMinute is only
// written when given (versions before it refuse the unknown key).

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/random.hpp"
#include "crypto/secret_file.hpp"
#include "node/app/demo_federation.hpp"
#include "node/app/node_app.hpp"
#include "node/federation/federation.hpp"
#include "node/log/log.hpp"
#include "node/net/https_client.hpp"
#include "protocol/wire.hpp"
#include "tests/support/test_federation.hpp"

namespace {

namespace app = signalnode::node::app;
namespace crypto = signalnode::crypto;
namespace json = boost::json;
namespace net = signalnode::node::net;
namespace wire = signalnode::protocol::wire;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kSender = 0;    // the municipality, the hostile partner
constexpr std::size_t kReceiver = 1;  // the labour inspectorate, where the officer works
constexpr std::size_t kSubjectPool = 64;
constexpr std::size_t kSubjectsPerRecord = 4;

const std::string kSignal = R"({"category":"labour.underpaid_or_unpaid","observedOn":"2026-11-20",
  "municipality":"GM0358","severity":"high","persons":6,"summary":"Workers of Flex Uitzend BV earn 4 euro an hour",
  "subjects":[{"kind":"person","role":"worker","bsn":"123456782"},
   {"kind":"organisation","role":"temp_agency","kvk":"12345678","name":"Flex Uitzend BV"},
   {"kind":"address","postcode":"1431 AB","houseNumber":12}]})";

struct Options {
  int seconds = 30;
  int rate = 5;  // officer submits per second
  int flooders = 2;
  std::size_t records_per_batch = 600;
  std::map<std::string, std::int64_t> budgets;  // federation key -> value, only those given
};

std::optional<Options> parse(int argc, char** argv) {
  const std::map<std::string, std::string> budget_keys = {{"--batches-per-minute", "receiveBatchesPerMinute"},
                                                          {"--bytes-per-minute", "receiveBytesPerMinute"},
                                                          {"--records-per-minute", "receiveRecordsPerMinute"}};
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i], text = argv[i + 1];
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1) return std::nullopt;
    if (name == "--seconds") o.seconds = static_cast<int>(v);
    else if (name == "--rate") o.rate = static_cast<int>(v);
    else if (name == "--flooders") o.flooders = static_cast<int>(v);
    else if (name == "--records-per-batch") o.records_per_batch = static_cast<std::size_t>(v);
    else if (auto k = budget_keys.find(name); k != budget_keys.end()) o.budgets[k->second] = v;
    else return std::nullopt;
  }
  if (argc % 2 == 0) return std::nullopt;  // a name without its value
  return o;
}

// The tests' four-node federation in a temporary folder, removed on exit.
class Federation {
 public:
  explicit Federation(const Options& options)
      : dir_(std::filesystem::temp_directory_path() / ("sn-flood-" + crypto::random_hex_id(6))),
        nodes_(signalnode::testing::create_test_federation(dir_)) {
    set_budgets(options.budgets);
    for (const auto& n : nodes_) {
      apps_.push_back(std::make_unique<app::NodeApp>(app::NodeOptions{n.dir, std::nullopt}));
      apps_.back()->start();
    }
  }
  ~Federation() {
    apps_.clear();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Federation(const Federation&) = delete;
  Federation& operator=(const Federation&) = delete;

  const app::DemoNode& node(std::size_t i) const { return nodes_.at(i); }
  app::NodeApp& app(std::size_t i) { return *apps_.at(i); }
  std::string ca_pem() const { return net::read_text_file(dir_ / "ca" / "ca.crt"); }

 private:
  void set_budgets(const std::map<std::string, std::int64_t>& budgets) {
    auto path = nodes_[kReceiver].dir / "node.json";
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    json::value cfg = json::parse(text.str());
    for (const auto& [key, value] : budgets) cfg.as_object()["federation"].as_object()[key] = value;
    std::ofstream(path, std::ios::trunc) << json::serialize(cfg);
  }

  std::filesystem::path dir_;
  std::vector<app::DemoNode> nodes_;
  std::vector<std::unique_ptr<app::NodeApp>> apps_;
};

struct FloodCounts {
  std::atomic<std::int64_t> batches_accepted{0}, records_accepted{0}, refused{0}, errors{0};
};

// One flooder: signed batches from the sender to the receiver as fast as the
// receiver takes them, every record about kSubjectsPerRecord of the same
// kSubjectPool pseudonyms. A 429 waits at most 200 ms so the flood keeps pushing.
void flood(Federation& fed, std::size_t records_per_batch, FloodCounts& counts, const std::stop_token& stop) {
  auto* sender = fed.app(kSender).federation();
  auto client = sender->client_for(*sender->manifest()->find(fed.node(kReceiver).org));
  auto key = crypto::SigningKey::from_secret(
      crypto::read_secret_file(fed.node(kSender).dir / "keys" / "signing.key", 64).view());
  auto policy_hash = sender->policy()->sha256();
  std::vector<std::array<std::uint8_t, 64>> pool(kSubjectPool);
  for (std::size_t i = 0; i < pool.size(); ++i) pool[i].fill(static_cast<std::uint8_t>(i + 1));
  std::vector<std::size_t> order(kSubjectPool);
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937 pick{std::random_device{}()};

  while (!stop.stop_requested()) {
    wire::Batch b;
    b.batch_id = crypto::random_hex_id(16);
    b.sender = fed.node(kSender).org;
    b.receiver = fed.node(kReceiver).org;
    b.created_at_ms = 1;
    auto expires = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count() + 86'400'000;
    for (std::size_t r = 0; r < records_per_batch; ++r) {
      wire::Record rec;
      rec.record_id = crypto::random_hex_id(16);
      rec.category = "labour.debt_bondage";
      rec.observed_week = "2026-W47";
      rec.rule_id = "labour-to-inspectorate";
      rec.policy_hash = policy_hash;
      rec.expires_at_ms = expires;
      std::shuffle(order.begin(), order.end(), pick);  // four different subjects of the pool
      for (std::size_t s = 0; s < kSubjectsPerRecord; ++s) {
        rec.subjects.push_back({"organisation", "kvk", pool[order[s]]});
      }
      b.records.push_back(std::move(rec));
    }
    auto body = wire::encode(wire::sign_batch(b, key));
    try {
      auto res = client->request("POST", "/federation/v1/batches", std::string(body.begin(), body.end()),
                                 {{"Content-Type", "application/octet-stream"}});
      if (res.status == 429) {
        ++counts.refused;
        std::int64_t retry_ms = 200;
        for (const auto& [k, v] : res.headers) {
          long seconds = 0;
          if (k == "Retry-After" && std::from_chars(v.data(), v.data() + v.size(), seconds).ec == std::errc()) {
            retry_ms = std::min<std::int64_t>(retry_ms, seconds * 1000);
          }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(retry_ms));
        continue;
      }
      if (res.status != 200) {
        ++counts.errors;
        continue;
      }
      std::string err;
      auto signed_receipt = wire::decode_signed(crypto::Bytes(res.body.begin(), res.body.end()), err);
      auto receipt = signed_receipt ? wire::decode_receipt(signed_receipt->message, err) : std::nullopt;
      if (!receipt) {
        ++counts.errors;
        continue;
      }
      ++counts.batches_accepted;
      counts.records_accepted += std::count_if(receipt->outcomes.begin(), receipt->outcomes.end(),
                                               [](const wire::RecordOutcome& o) { return o.accepted; });
    } catch (const std::exception&) {
      ++counts.errors;
    }
  }
}

struct Latencies {
  std::vector<double> ms;  // of the submits answered 201
  int failed = 0;
  double at(double p) const {  // nearest rank
    if (ms.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p * static_cast<double>(ms.size()))));
    return ms[rank - 1];
  }
};

// One officer's submit on its own connection (as a browser or the CLI would
// open one); the wall time from connecting to the answer, or nothing on failure.
std::optional<double> submit(const Federation& fed, const std::string& ca_pem) {
  net::ClientOptions options;
  options.trust_anchors_pem = ca_pem;
  options.timeout = std::chrono::seconds(60);
  auto sent = Clock::now();
  try {
    net::HttpsClient client("127.0.0.1", fed.node(kReceiver).api_port, std::move(options));
    auto res = client.request("POST", "/api/v1/signals", kSignal,
                              {{"Authorization", "Bearer " + fed.node(kReceiver).tokens.at("officer")},
                               {"Content-Type", "application/json"}});
    if (res.status != 201) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
}

// The officers: `rate` submits a second for `seconds` at the receiver's API,
// each started at its time whether or not earlier ones have been answered, so
// a slow node does not lower the rate it is measured at.
Latencies officers(const Federation& fed, const Options& o) {
  const std::string ca_pem = fed.ca_pem();
  std::mutex mutex;
  Latencies out;
  {
    std::vector<std::jthread> submits;
    auto interval = std::chrono::microseconds(1'000'000 / o.rate);
    auto start = Clock::now();
    for (int i = 0; i < o.seconds * o.rate; ++i) {
      std::this_thread::sleep_until(start + i * interval);
      submits.emplace_back([&] {
        auto ms = submit(fed, ca_pem);
        std::lock_guard lock(mutex);
        if (ms) out.ms.push_back(*ms);
        else ++out.failed;
      });
    }
  }  // every submit answered
  std::sort(out.ms.begin(), out.ms.end());
  return out;
}

void print(const char* phase, const Latencies& l) {
  std::printf("%-8s p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms  submits %zu (failed %d)", phase, l.at(0.50), l.at(0.99),
              l.ms.empty() ? 0.0 : l.ms.back(), l.ms.size(), l.failed);
}

}  // namespace

int main(int argc, char** argv) {
  auto options = parse(argc, argv);
  if (!options) {
    std::fprintf(stderr,
                 "usage: flood_bench [--seconds N] [--rate N] [--flooders N] [--records-per-batch N]\n"
                 "                   [--batches-per-minute N] [--bytes-per-minute N] [--records-per-minute N]\n");
    return 2;
  }
  crypto::init();
  signalnode::node::log::init(signalnode::node::log::Level::error);
  Federation fed(*options);
  for (const auto& [key, value] : options->budgets) {
    std::printf("node %s: federation.%s = %lld\n", fed.node(kReceiver).org.c_str(), key.c_str(),
                static_cast<long long>(value));
  }

  print("baseline", officers(fed, *options));
  std::printf("\n");
  std::fflush(stdout);

  FloodCounts counts;
  Latencies flooded;
  auto flood_start = Clock::now();
  {
    std::vector<std::jthread> flooders;
    for (int i = 0; i < options->flooders; ++i) {
      flooders.emplace_back([&](std::stop_token stop) { flood(fed, options->records_per_batch, counts, stop); });
    }
    flooded = officers(fed, *options);
  }  // the flooders stop and finish their batch under way
  double seconds = std::chrono::duration<double>(Clock::now() - flood_start).count();
  print("flood", flooded);
  std::printf("  records accepted %.0f/s (%lld in %lld batches)  refused (429) %lld  errors %lld\n",
              static_cast<double>(counts.records_accepted) / seconds, static_cast<long long>(counts.records_accepted.load()),
              static_cast<long long>(counts.batches_accepted.load()), static_cast<long long>(counts.refused.load()),
              static_cast<long long>(counts.errors.load()));
  return 0;
}

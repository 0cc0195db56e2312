// The demo federation on one machine (BRIEF 3.2, 3.3, 3.8): a CA, four partner
// node folders and three PA share holders with CA-issued certificates, one
// key ceremony, one manifest, tokens, demo.json, and the commands that start
// and stop the `signalnode serve` processes.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace signalnode::node::app {

struct DemoNode {
  std::string org, role, oin, name;
  bool pseudonymisation_authority = false;
  std::filesystem::path dir;
  std::uint16_t api_port = 0;
  std::uint16_t federation_port = 0;
  std::map<std::string, std::string> tokens;  // role -> token
  // role -> (username, password) of the web interface; empty when not asked for.
  std::map<std::string, std::pair<std::string, std::string>> users;
  // The CBS codes it serves (empty: the whole country), and for a
  // municipality its own code, the default of its signals.
  std::vector<std::string> areas{};
  std::optional<std::string> municipality{};
  bool send_only = false;
};

// The demo federation: municipality, labour inspectorate, SNF and RIEC (in
// that order), then the three PA share holders (demo_share_holders()).
std::vector<DemoNode> demo_partners();
// BRIEF 3.11, what `demo up` starts: demo_partners() and then a second
// municipality (Westland) in a second RIEC region with that region's RIEC
// (Den Haag), so routing by area shows.
std::vector<DemoNode> national_demo_partners();
// The first `n` of the demo's three PA share holders (role
// pseudonymisation_authority), run by parties that are not partners.
std::vector<DemoNode> demo_share_holders(std::size_t n = 3);

// Creates CA, node folders, manifest and demo.json under `dir` (which must not
// hold a demo yet). Ports: node i gets API base+2i and federation base+2i+1.
// With `with_users`, one web interface account per role and partner node
// (argon2id makes that take a second or two, so tests that only use tokens
// skip it). The PA nodes among `nodes` get the shares of one key ceremony
// (epoch 1), any `pa_threshold` of which evaluate (at most their number).
std::vector<DemoNode> create_demo_federation(const std::filesystem::path& dir, std::uint16_t base_port,
                                             std::vector<DemoNode> nodes = demo_partners(), bool with_users = true,
                                             std::size_t pa_threshold = 2);

// Shared by `demo up` and tests: a CA in ca_dir, and for one node folder
// (already `init`ed) its federation and API certificates issued by that CA.
void create_ca(const std::filesystem::path& ca_dir, const std::string& name);
void issue_node_certificates(const std::filesystem::path& ca_dir, const DemoNode& node);

// `demo up`: creates the federation if `dir` has none, starts every node as a
// background process, waits until all are healthy. Returns 0 on success.
// `smtp` ("HOST:PORT", BRIEF 3.10): every partner node mails its users through
// that relay, at once; nodes already running keep their settings until restarted.
int demo_up(const std::filesystem::path& dir, std::uint16_t base_port, const std::filesystem::path& self_exe,
            const std::string& smtp = {});
// `demo down`: stops the processes started by demo up (SIGTERM, then SIGKILL).
int demo_down(const std::filesystem::path& dir);

}  // namespace signalnode::node::app

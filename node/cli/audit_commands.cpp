// `signalnode audit ...`: verify, export, sign a tree head, prove inclusion
// and consistency, check a proof, and a CSV report for people.
#include <boost/json.hpp>

#include <fstream>
#include <iostream>

#include "crypto/merkle.hpp"
#include "crypto/secret_file.hpp"
#include "node/api/node_api.hpp"
#include "node/audit/audit_log.hpp"
#include "node/audit/audit_reader.hpp"
#include "node/cli/commands.hpp"
#include "node/config/node_config.hpp"
#include "node/net/tls_identity.hpp"
#include "node/signals/signal_json.hpp"
#include "protocol/identifiers.hpp"
#include "node/storage/schema.hpp"

namespace signalnode::node::cli {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::int64_t now_ms() { return api::epoch_ms(std::chrono::system_clock::now()); }

struct AuditNode {
  explicit AuditNode(const fs::path& dir)
      : paths{dir},
        key(crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view())),
        store(paths.database(), storage::node_migrations()),
        log(store, key, now_ms) {}
  config::NodePaths paths;
  crypto::SigningKey key;
  storage::Store store;
  audit::AuditLog log;
};

json::array hex_list(const std::vector<crypto::Digest256>& v) {
  json::array out;
  for (const auto& d : v) out.push_back(json::value(crypto::to_hex(d)));
  return out;
}

std::optional<crypto::Digest256> digest_of(const json::value& v) {
  if (!v.is_string()) return std::nullopt;
  auto bytes = crypto::from_hex(v.get_string());
  if (!bytes || bytes->size() != 32) return std::nullopt;
  crypto::Digest256 d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

}  // namespace

int run_audit_verify(const fs::path& dir) {
  config::NodePaths paths{dir};
  auto key = crypto::SigningKey::from_secret(crypto::read_secret_file(paths.signing_key(), 64).view());
  storage::Database db(paths.database(), storage::Database::Mode::read_only);
  auto result = audit::AuditLog::verify(db, key.public_key(), audit::AuditLog::read_head_copy(paths.audit_head()));
  if (!result.ok) {
    std::cerr << "audit log does NOT verify: first bad event " << *result.first_bad_index << ": " << result.message
              << "\n";
    return 1;
  }
  std::cout << result.message << "\n";
  return 0;
}

int run_audit_export(const fs::path& dir, const fs::path& out_path, const std::optional<std::string>& from,
                     const std::optional<std::string>& to) {
  auto day_ms = [](const std::optional<std::string>& d, const char* flag) -> std::optional<std::int64_t> {
    if (!d) return std::nullopt;
    auto date = protocol::parse_date(*d);
    if (!date) throw std::invalid_argument(std::string(flag) + " must be a date YYYY-MM-DD");
    return std::chrono::duration_cast<std::chrono::milliseconds>(date->time_since_epoch()).count();
  };
  auto from_ms = day_ms(from, "--from");
  auto to_ms = day_ms(to, "--to");
  AuditNode node(dir);
  std::ofstream out(out_path, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + out_path.string());
  node.log.export_jsonl(out, from_ms, to_ms);
  out.close();
  std::cout << "exported to " << out_path.string() << "\n";
  return out ? 0 : 1;
}

int run_audit_sth(const fs::path& dir) {
  AuditNode node(dir);
  auto head = node.log.sign_tree_head(true);
  if (!head) {
    std::cout << "the audit log is empty\n";
    return 0;
  }
  std::cout << "tree size " << head->tree_size << ", root " << crypto::to_hex(head->root_hash) << ", signed at "
            << signals::iso8601_utc(head->timestamp_ms) << "\n";
  return 0;
}

int run_audit_prove(const fs::path& dir, std::uint64_t index, std::optional<std::uint64_t> old_size) {
  AuditNode node(dir);
  auto head = node.log.sign_tree_head();
  if (!head) head = node.log.latest_tree_head();
  if (!head) {
    std::cerr << "signalnode: the audit log has no tree head yet\n";
    return 1;
  }
  auto leaves = audit::AuditReader(node.store).leaf_hashes(head->tree_size);
  json::object out{{"treeSize", head->tree_size},
                   {"rootHash", crypto::to_hex(head->root_hash)},
                   {"timestampMs", head->timestamp_ms},
                   {"signature", crypto::to_base64(head->signature)},
                   {"publicKey", crypto::to_hex(node.key.public_key())}};
  if (old_size) {
    if (*old_size == 0 || *old_size > head->tree_size) {
      std::cerr << "signalnode: --from must be from 1 to " << head->tree_size << "\n";
      return 2;
    }
    out["type"] = "consistency";
    out["oldSize"] = *old_size;
    out["oldRootHash"] = crypto::to_hex(crypto::merkle::root(std::span(leaves).subspan(0, *old_size)));
    out["proof"] = hex_list(crypto::merkle::consistency_proof(leaves, *old_size));
  } else {
    if (index >= head->tree_size) {
      std::cerr << "signalnode: --index must be below the tree size " << head->tree_size << "\n";
      return 2;
    }
    out["type"] = "inclusion";
    out["index"] = index;
    out["leafHash"] = crypto::to_hex(leaves[index]);
    out["proof"] = hex_list(crypto::merkle::inclusion_proof(leaves, index));
  }
  std::cout << json::serialize(out) << std::endl;
  return 0;
}

int run_audit_check(const fs::path& proof_file) {
  json::value v = json::parse(net::read_text_file(proof_file, 1 << 20));
  const json::object& o = v.as_object();
  std::vector<crypto::Digest256> proof;
  for (const auto& p : o.at("proof").as_array()) {
    auto d = digest_of(p);
    if (!d) throw std::runtime_error("malformed proof hash");
    proof.push_back(*d);
  }
  auto size = static_cast<std::uint64_t>(o.at("treeSize").as_int64());
  auto root = digest_of(o.at("rootHash"));
  // The tree head's signature, with the public key the manifest pins.
  auto key_bytes = crypto::from_hex(o.at("publicKey").as_string());
  auto sig_bytes = crypto::from_base64(o.at("signature").as_string());
  bool signed_ok = false;
  if (root && key_bytes && key_bytes->size() == 32 && sig_bytes && sig_bytes->size() == 64) {
    crypto::PublicKey key{};
    crypto::Signature sig{};
    std::copy(key_bytes->begin(), key_bytes->end(), key.begin());
    std::copy(sig_bytes->begin(), sig_bytes->end(), sig.begin());
    signed_ok = crypto::verify(key, audit::tree_head_message(size, o.at("timestampMs").as_int64(), *root), sig);
  }
  bool ok = false;
  if (o.at("type") == "inclusion") {
    auto leaf = digest_of(o.at("leafHash"));
    ok = leaf && root &&
         crypto::merkle::verify_inclusion(*leaf, static_cast<std::uint64_t>(o.at("index").as_int64()), size, proof, *root);
  } else {
    auto old_root = digest_of(o.at("oldRootHash"));
    ok = old_root && root &&
         crypto::merkle::verify_consistency(static_cast<std::uint64_t>(o.at("oldSize").as_int64()), size, *old_root,
                                            *root, proof);
  }
  std::cout << "proof " << (ok ? "verifies" : "does NOT verify") << "; tree head signature "
            << (signed_ok ? "valid" : "INVALID") << "\n";
  return ok && signed_ok ? 0 : 1;
}

int run_audit_report(const fs::path& dir, const fs::path& out_path) {
  AuditNode node(dir);
  std::ofstream out(out_path, std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + out_path.string());
  audit::AuditReader(node.store).write_report_csv(out);
  std::cout << "report written to " << out_path.string() << "\n";
  return 0;
}

}  // namespace signalnode::node::cli

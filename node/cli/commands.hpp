// The signalnode subcommands. main.cpp only parses arguments (CLI11) and
// calls these; each returns the process exit code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signalnode::node::cli {

struct InitArgs {
  std::filesystem::path dir;
  std::string org, role, oin;
  std::string listen = "127.0.0.1";
  std::uint16_t api_port = 8443;
  bool pseudonymisation_authority = false;
};
int run_init(const InitArgs& args);

struct ServeArgs {
  std::filesystem::path dir;
  std::optional<std::uint16_t> port;
  std::filesystem::path log_file;
};
int run_serve(const ServeArgs& args);

// Pseudonymise one identifier for a privacy officer's subject-access question.
// With `with_exchanges`, also every audit event on this node naming it (one JSON line each).
int run_pseudonym(const std::filesystem::path& dir, const std::string& id_kind, const std::string& value,
                  bool with_exchanges);

int run_user_create(const std::filesystem::path& dir, const std::string& username, const std::string& role,
                    bool password_from_stdin);
int run_user_list(const std::filesystem::path& dir);
int run_user_delete(const std::filesystem::path& dir, const std::string& username);
// Clears the wait that wrong passwords put on an account and/or a client address.
int run_user_unlock(const std::filesystem::path& dir, const std::string& username, const std::string& address);
// Sets a new password (stdin, or a random one printed once); ends the account's sessions.
int run_user_reset_password(const std::filesystem::path& dir, const std::string& username, bool password_from_stdin);
int run_user_reset_factors(const std::filesystem::path& dir, const std::string& username);
int run_token_create(const std::filesystem::path& dir, const std::string& role, const std::string& label,
                     std::optional<int> expires_days);
int run_token_list(const std::filesystem::path& dir);
int run_token_revoke(const std::filesystem::path& dir, const std::string& id);

struct ClientArgs {
  std::string api;  // https://host:port
  std::filesystem::path ca;
  std::string token;
};
int run_submit(const ClientArgs& client, const std::filesystem::path& file);

int run_demo_up(const std::filesystem::path& dir, std::uint16_t base_port, const std::string& smtp);
int run_demo_down(const std::filesystem::path& dir);
int run_pki_ca(const std::filesystem::path& dir, const std::string& name);
int run_pki_issue(const std::filesystem::path& ca_dir, const std::string& org, const std::string& oin,
                  const std::vector<std::string>& hosts, const std::filesystem::path& cert,
                  const std::filesystem::path& key);
// Prints this node's [[partners]] entry for the federation manifest.
int run_manifest_entry(const std::filesystem::path& dir, const std::string& endpoint, const std::string& name);
// The threshold key ceremony (node/pseudonyms/key_ceremony.hpp).
int run_pa_ceremony(const std::filesystem::path& out, std::size_t threshold, std::size_t holders, int epoch);
// Puts a ceremony's public key set into the manifest as the epoch in force.
int run_pa_publish(const std::filesystem::path& manifest, const std::filesystem::path& keys);

// The signed federation configuration (docs/federation.md): a signer key,
// a draft from manifest + covenant + signer set, one signature added, a
// check against a previous version or a node's, and installing it in a node.
int run_config_keygen(const std::filesystem::path& key_file);
struct ConfigDraftArgs {
  std::filesystem::path manifest, covenant, previous, out;
  std::vector<std::string> signers;  // NAME:PUBLICKEYHEX
  std::optional<std::size_t> threshold;
  std::optional<std::int64_t> version;
  std::string effective_from;  // YYYY-MM-DDTHH:MM:SSZ; empty: now
};
int run_config_draft(const ConfigDraftArgs& args);
int run_config_sign(const std::filesystem::path& in, const std::filesystem::path& key_file,
                    const std::filesystem::path& previous, const std::filesystem::path& out);
int run_config_verify(const std::filesystem::path& in, const std::filesystem::path& previous,
                      const std::filesystem::path& node_dir);
int run_config_publish(const std::filesystem::path& in, const std::filesystem::path& node_dir);
int run_config_status(const std::filesystem::path& node_dir);

// `policy explain`: what each partner would receive of a signal file, and why.
int run_policy_explain(const std::filesystem::path& dir, const std::filesystem::path& signal_file, bool as_json);
// `policy check`: validates a policy file against this node's manifest.
int run_policy_check(const std::filesystem::path& dir, const std::filesystem::path& policy_file);

int run_audit_verify(const std::filesystem::path& dir);
// With from/to (YYYY-MM-DD, UTC, `to` exclusive): only that range, each event with its inclusion proof.
int run_audit_export(const std::filesystem::path& dir, const std::filesystem::path& out,
                     const std::optional<std::string>& from = std::nullopt,
                     const std::optional<std::string>& to = std::nullopt);
int run_audit_sth(const std::filesystem::path& dir);
// Inclusion proof for an event, or (with old_size) consistency from old_size to the newest tree head.
int run_audit_prove(const std::filesystem::path& dir, std::uint64_t index, std::optional<std::uint64_t> old_size);
int run_audit_check(const std::filesystem::path& proof_file);
int run_audit_report(const std::filesystem::path& dir, const std::filesystem::path& out);

// `backup` / `restore` (BRIEF 3.12, node/backup/backup.hpp). The passphrase
// for keys comes from SIGNALNODE_BACKUP_PASSPHRASE or a prompt without echo.
int run_backup(const std::filesystem::path& dir, const std::filesystem::path& out, bool with_keys);
int run_restore(const std::filesystem::path& in, const std::filesystem::path& dir);

struct LoadArgs {
  ClientArgs client;
  int connections = 8;
  int signals = 10000;
  int subjects = 4;
  int rate = 0;  // signals/s over all connections; 0: as fast as possible
};
int run_load(const LoadArgs& args);

}  // namespace signalnode::node::cli

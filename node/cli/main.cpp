// signalnode: the node daemon and its operator commands.
#include <CLI/CLI.hpp>

#include <iostream>

#include "crypto/random.hpp"
#include "node/cli/commands.hpp"
#include "node/version.hpp"

int main(int argc, char** argv) {
  using namespace signalnode::node::cli;
  signalnode::crypto::init();

  CLI::App app{"signalnode: share signals of labour exploitation between enforcement partners"};
  app.set_version_flag("--version", std::string("signalnode ") + signalnode::node::kVersion);
  app.require_subcommand(1);

  InitArgs init;
  auto* init_cmd = app.add_subcommand("init", "Create a node folder: config, database, keys, API certificate");
  init_cmd->add_option("--dir", init.dir, "New node folder")->required();
  init_cmd->add_option("--org", init.org, "Organisation id, e.g. gemeente-aalsmeer")->required();
  init_cmd->add_option("--role", init.role, "municipality | labour_inspectorate | housing_certifier | riec | police | tax_authority | chamber_of_commerce | zvh | trafficking_table | pseudonymisation_authority")
      ->required();
  init_cmd->add_option("--oin", init.oin, "20-digit organisation identification number")->required();
  init_cmd->add_option("--listen", init.listen, "API listen address")->capture_default_str();
  init_cmd->add_option("--api-port", init.api_port, "API port")->capture_default_str();
  init_cmd->add_flag("--pa", init.pseudonymisation_authority,
                     "This node is a pseudonymisation authority (with --role pseudonymisation_authority; creates a whole OPRF key, which a ceremony share may replace)");

  ServeArgs serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the node until SIGINT or SIGTERM");
  serve_cmd->add_option("--dir", serve.dir, "Node folder")->required();
  serve_cmd->add_option("--port", serve.port, "Override the API port (0: any free port)");
  serve_cmd->add_option("--log-file", serve.log_file, "Append JSON log lines here instead of stderr");

  auto* token_cmd = app.add_subcommand("token", "Manage API tokens (admin)");
  token_cmd->require_subcommand(1);
  std::filesystem::path token_dir;
  std::string token_role, token_label, token_id;
  std::optional<int> expires_days;
  auto* create_cmd = token_cmd->add_subcommand("create", "Create a token; it is printed once");
  create_cmd->add_option("--dir", token_dir, "Node folder")->required();
  create_cmd->add_option("--role", token_role, "officer | analyst | privacy_officer | admin | metrics (GET /metrics only)")->required();
  create_cmd->add_option("--label", token_label, "Who or what holds the token")->required();
  create_cmd->add_option("--expires-days", expires_days, "Days until the token expires (1 to 3650; default: never)");
  auto* list_cmd = token_cmd->add_subcommand("list", "List tokens (ids and roles, never secrets)");
  list_cmd->add_option("--dir", token_dir, "Node folder")->required();
  auto* revoke_cmd = token_cmd->add_subcommand("revoke", "Revoke a token by id");
  revoke_cmd->add_option("--dir", token_dir, "Node folder")->required();
  revoke_cmd->add_option("--id", token_id, "Token id (the 16 hex after snt_)")->required();

  auto* user_cmd = app.add_subcommand("user", "Manage web interface accounts (admin)");
  user_cmd->require_subcommand(1);
  std::filesystem::path user_dir;
  std::string user_name, user_role;
  bool password_stdin = false;
  auto* user_create_cmd = user_cmd->add_subcommand(
      "create", "Create an account; without --password-stdin a random password is printed once");
  user_create_cmd->add_option("--dir", user_dir, "Node folder")->required();
  user_create_cmd->add_option("--username", user_name, "3-64 of a-z 0-9 . _ -")->required();
  user_create_cmd->add_option("--role", user_role, "officer | analyst | privacy_officer | admin")->required();
  user_create_cmd->add_flag("--password-stdin", password_stdin, "Read the password (12+ characters) from stdin");
  auto* user_list_cmd = user_cmd->add_subcommand("list", "List accounts (never passwords)");
  user_list_cmd->add_option("--dir", user_dir, "Node folder")->required();
  auto* user_delete_cmd = user_cmd->add_subcommand("delete", "Delete an account and end its sessions at once");
  user_delete_cmd->add_option("--dir", user_dir, "Node folder")->required();
  user_delete_cmd->add_option("--username", user_name, "The account")->required();
  std::string user_address;
  auto* user_unlock_cmd = user_cmd->add_subcommand(
      "unlock", "Let an account (or a client address) try a password again at once after wrong ones");
  user_unlock_cmd->add_option("--dir", user_dir, "Node folder")->required();
  user_unlock_cmd->add_option("--username", user_name, "The account");
  user_unlock_cmd->add_option("--address", user_address, "A client address, e.g. an office's NAT address");
  auto* user_reset_cmd = user_cmd->add_subcommand(
      "reset-password", "Set a new password for an account and end its sessions; without --password-stdin a random one is printed once");
  user_reset_cmd->add_option("--dir", user_dir, "Node folder")->required();
  user_reset_cmd->add_option("--username", user_name, "The account")->required();
  user_reset_cmd->add_flag("--password-stdin", password_stdin, "Read the password (12+ characters) from stdin");
  auto* user_factors_cmd = user_cmd->add_subcommand(
      "reset-factors", "Clear every second factor of an account (lost phone and recovery codes) and end its sessions");
  user_factors_cmd->add_option("--dir", user_dir, "Node folder")->required();
  user_factors_cmd->add_option("--username", user_name, "The account")->required();

  std::filesystem::path pseudonym_dir;
  std::string pseudonym_kind, pseudonym_value;
  auto* pseudonym_cmd = app.add_subcommand(
      "pseudonym", "Pseudonymise one identifier through the PA (for subject access); prints 128 hex");
  pseudonym_cmd->add_option("--dir", pseudonym_dir, "Node folder")->required();
  pseudonym_cmd->add_option("--id-kind", pseudonym_kind, "bsn | kvk | iban | address | person | document | plate | phone | email")
      ->required();
  pseudonym_cmd->add_option("--value", pseudonym_value,
                            "The identifier; compound kinds as parts joined by | (address: 1431AB|12|A|2)")
      ->required();
  bool pseudonym_exchanges = false;
  pseudonym_cmd->add_flag("--exchanges", pseudonym_exchanges,
                          "Subject access: also print every audit event on this node naming the subject");

  auto* demo_cmd = app.add_subcommand("demo", "The demo federation on this machine: two municipalities in two RIEC regions, their RIECs, the inspectorate, SNF, three PA share holders");
  demo_cmd->require_subcommand(1);
  std::filesystem::path demo_dir;
  std::uint16_t base_port = 18443;
  auto* demo_up_cmd = demo_cmd->add_subcommand("up", "Create (if needed) and start the demo federation; writes DIR/demo.json");
  demo_up_cmd->add_option("--dir", demo_dir, "Demo folder")->required();
  demo_up_cmd->add_option("--base-port", base_port, "First port; node i uses base+2i (API) and base+2i+1 (federation)")
      ->capture_default_str()->check(CLI::Range(1024, 65000));
  std::string demo_smtp;
  demo_up_cmd->add_option("--smtp", demo_smtp,
                          "HOST:PORT of a mail relay (plain SMTP, no log-in, demo only): every node mails its users there");
  auto* demo_down_cmd = demo_cmd->add_subcommand("down", "Stop the demo federation's processes");
  demo_down_cmd->add_option("--dir", demo_dir, "Demo folder")->required();

  auto* pki_cmd = app.add_subcommand("pki", "A federation CA and node certificates for test and demo use");
  pki_cmd->require_subcommand(1);
  std::filesystem::path ca_dir, cert_out, key_out;
  std::string ca_name = "signalnode federation CA", pki_org, pki_oin;
  std::vector<std::string> pki_hosts = {"localhost", "127.0.0.1"};
  auto* pki_ca_cmd = pki_cmd->add_subcommand("ca", "Create a CA: DIR/ca.crt and DIR/ca.key (0600)");
  pki_ca_cmd->add_option("--dir", ca_dir, "CA folder")->required();
  pki_ca_cmd->add_option("--name", ca_name, "CA common name")->capture_default_str();
  auto* pki_issue_cmd = pki_cmd->add_subcommand("issue", "Issue a node certificate (ECDSA P-256, OIN in serialNumber)");
  pki_issue_cmd->add_option("--ca", ca_dir, "CA folder")->required();
  pki_issue_cmd->add_option("--org", pki_org, "Organisation id")->required();
  pki_issue_cmd->add_option("--oin", pki_oin, "20-digit OIN")->required();
  pki_issue_cmd->add_option("--host", pki_hosts, "DNS names and IP addresses")->capture_default_str();
  pki_issue_cmd->add_option("--cert", cert_out, "Certificate output (PEM)")->required();
  pki_issue_cmd->add_option("--key", key_out, "Key output (PEM, 0600)")->required();

  auto* pa_cmd = app.add_subcommand("pa", "The pseudonymisation authority's threshold key");
  pa_cmd->require_subcommand(1);
  std::filesystem::path ceremony_out;
  std::size_t ceremony_threshold = 2, ceremony_holders = 3;
  int ceremony_epoch = 1;
  auto* ceremony_cmd = pa_cmd->add_subcommand(
      "ceremony", "Create an epoch's key as t-of-n shares (OUT/holder-<i>/epoch-<e>.share, 0600) and its public "
                  "key set (OUT/pseudonymisation-epoch-<e>.json); the whole key is wiped, never written");
  ceremony_cmd->add_option("--out", ceremony_out, "Output folder; hand each holder-<i> folder to one share holder")
      ->required();
  ceremony_cmd->add_option("--threshold", ceremony_threshold, "Holders needed to evaluate (t)")->capture_default_str();
  ceremony_cmd->add_option("--holders", ceremony_holders, "Share holders (n), at most 255")->capture_default_str();
  ceremony_cmd->add_option("--epoch", ceremony_epoch, "Key epoch, 1 to 9999")->capture_default_str();
  std::filesystem::path publish_manifest, publish_keys;
  auto* publish_cmd = pa_cmd->add_subcommand(
      "publish", "Put a ceremony's public keys (pseudonymisation-epoch-<e>.json) into the manifest as the key epoch in "
                 "force; nodes that load it pseudonymise again and share their live records again");
  publish_cmd->add_option("--manifest", publish_manifest, "The federation manifest (rewritten in place)")->required();
  publish_cmd->add_option("--keys", publish_keys, "The ceremony's pseudonymisation-epoch-<e>.json")->required();

  auto* manifest_cmd = app.add_subcommand("manifest", "Federation manifest helpers");
  manifest_cmd->require_subcommand(1);
  std::filesystem::path manifest_dir;
  std::string manifest_endpoint, manifest_name;
  auto* entry_cmd = manifest_cmd->add_subcommand("entry", "Print this node's [[partners]] entry");
  entry_cmd->add_option("--dir", manifest_dir, "Node folder")->required();
  entry_cmd->add_option("--endpoint", manifest_endpoint, "Federation URL partners use, https://host:port")->required();
  entry_cmd->add_option("--name", manifest_name, "Display name of the organisation");

  auto* federation_cmd = app.add_subcommand("federation", "The federation as a whole");
  federation_cmd->require_subcommand(1);
  auto* config_cmd = federation_cmd->add_subcommand(
      "config", "The signed federation configuration: manifest and covenant as one versioned document, signed by k of n");
  config_cmd->require_subcommand(1);
  ConfigDraftArgs draft;
  std::filesystem::path config_in, config_key, config_previous, config_out, config_dir;
  auto* keygen_cmd = config_cmd->add_subcommand("keygen", "Create a signer's Ed25519 key (0600); prints its public key");
  keygen_cmd->add_option("--key", config_key, "Key file to create")->required();
  auto* draft_cmd = config_cmd->add_subcommand("draft", "An unsigned document from a manifest, a covenant and a signer set");
  draft_cmd->add_option("--manifest", draft.manifest, "manifest.toml")->required();
  draft_cmd->add_option("--covenant", draft.covenant, "policy.toml")->required();
  draft_cmd->add_option("--signer", draft.signers, "NAME:PUBLICKEY (64 hex), once per signer; default: the previous version's");
  draft_cmd->add_option("--threshold", draft.threshold, "Signatures required (k); default: the previous version's, or all");
  draft_cmd->add_option("--previous", draft.previous, "The version this one follows (sets previousSha256 and version + 1)");
  draft_cmd->add_option("--version", draft.version, "Version number (default: previous + 1, or 1)");
  draft_cmd->add_option("--effective-from", draft.effective_from, "YYYY-MM-DDTHH:MM:SSZ (UTC); default: now");
  draft_cmd->add_option("--out", draft.out, "Document to write")->required();
  auto* sign_cmd = config_cmd->add_subcommand("sign", "Add one signer's signature");
  sign_cmd->add_option("--in", config_in, "Document")->required();
  sign_cmd->add_option("--key", config_key, "The signer's key file (0600)")->required();
  sign_cmd->add_option("--previous", config_previous, "The version in force, when an old signer co-signs a change");
  sign_cmd->add_option("--out", config_out, "Where to write (default: --in, rewritten)");
  auto* config_verify_cmd = config_cmd->add_subcommand("verify", "Check a document against a previous version or a node's");
  config_verify_cmd->add_option("--in", config_in, "Document")->required();
  auto* verify_previous = config_verify_cmd->add_option("--previous", config_previous, "The previous version");
  config_verify_cmd->add_option("--dir", config_dir, "A node folder: against its newest accepted version")
      ->excludes(verify_previous);
  auto* config_publish_cmd = config_cmd->add_subcommand("publish", "Install into a node, from where partners fetch it");
  config_publish_cmd->add_option("--in", config_in, "Signed document")->required();
  config_publish_cmd->add_option("--dir", config_dir, "Node folder")->required();
  auto* config_status_cmd = config_cmd->add_subcommand("status", "The version in force at a node, and any pending");
  config_status_cmd->add_option("--dir", config_dir, "Node folder")->required();

  auto* policy_cmd = app.add_subcommand("policy", "The sharing policy (covenant)");
  policy_cmd->require_subcommand(1);
  std::filesystem::path policy_dir, policy_signal, policy_file;
  bool policy_json = false;
  auto* explain_cmd = policy_cmd->add_subcommand("explain", "What each partner would receive of a signal, and why (sends nothing)");
  explain_cmd->add_option("--dir", policy_dir, "Node folder")->required();
  explain_cmd->add_option("--signal", policy_signal, "Signal JSON (as for POST /api/v1/signals)")->required()
      ->check(CLI::ExistingFile);
  explain_cmd->add_flag("--json", policy_json, "Print JSON instead of text");
  auto* check_cmd = policy_cmd->add_subcommand("check", "Validate a policy file against the node's manifest");
  check_cmd->add_option("--dir", policy_dir, "Node folder")->required();
  check_cmd->add_option("--policy", policy_file, "Policy file (default: the node's)");

  auto* audit_cmd = app.add_subcommand("audit", "The tamper-evident audit log");
  audit_cmd->require_subcommand(1);
  std::filesystem::path audit_dir, audit_out;
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Check every event and signed tree head; exit 0 only if all verify");
  verify_cmd->add_option("--dir", audit_dir, "Node folder")->required();
  auto* export_cmd = audit_cmd->add_subcommand("export", "Write the log as JSON Lines (BRIEF 3.7) with its signed tree head");
  export_cmd->add_option("--dir", audit_dir, "Node folder")->required();
  export_cmd->add_option("--out", audit_out, "Output file")->required();
  std::optional<std::string> export_from, export_to;
  export_cmd->add_option("--from", export_from, "First day (YYYY-MM-DD, UTC) of a range");
  export_cmd->add_option("--to", export_to, "Day after the range (YYYY-MM-DD, UTC)");
  auto* sth_cmd = audit_cmd->add_subcommand("sth", "Sign a tree head over all events now and print it");
  sth_cmd->add_option("--dir", audit_dir, "Node folder")->required();
  std::uint64_t prove_index = 0;
  std::optional<std::uint64_t> prove_from;
  auto* prove_cmd = audit_cmd->add_subcommand("prove", "Inclusion proof of an event (or consistency with --from) against the newest tree head, as JSON");
  prove_cmd->add_option("--dir", audit_dir, "Node folder")->required();
  prove_cmd->add_option("--index", prove_index, "Event index for an inclusion proof");
  prove_cmd->add_option("--from", prove_from, "Older tree size for a consistency proof");
  std::filesystem::path proof_file;
  auto* check_proof_cmd = audit_cmd->add_subcommand("check", "Check a proof written by 'audit prove' (and its tree head signature)");
  check_proof_cmd->add_option("--proof", proof_file, "Proof JSON")->required()->check(CLI::ExistingFile);
  auto* report_cmd = audit_cmd->add_subcommand("report", "CSV for people: who, what, when, partner, basis, purpose, count");
  report_cmd->add_option("--dir", audit_dir, "Node folder")->required();
  report_cmd->add_option("--out", audit_out, "CSV output")->required();

  std::filesystem::path backup_dir, backup_file;
  bool backup_with_keys = false;
  auto* backup_cmd = app.add_subcommand(
      "backup", "Back up a node folder into one file (0600), also while the node runs; keys only with --with-keys");
  backup_cmd->add_option("--dir", backup_dir, "Node folder")->required();
  backup_cmd->add_option("--out", backup_file, "The backup file to write (must not exist)")->required();
  backup_cmd->add_flag("--with-keys", backup_with_keys,
                       "Also keys/ and private keys, sealed under a passphrase (SIGNALNODE_BACKUP_PASSPHRASE or a prompt)");
  auto* restore_cmd = app.add_subcommand("restore", "Restore a backup into a new (or empty) node folder");
  restore_cmd->add_option("--in", backup_file, "The backup file")->required()->check(CLI::ExistingFile);
  restore_cmd->add_option("--dir", backup_dir, "New node folder (must not exist, or be empty)")->required();

  auto add_client = [](CLI::App* cmd, ClientArgs& c) {
    cmd->add_option("--api", c.api, "API base URL, e.g. https://127.0.0.1:8443")->required();
    cmd->add_option("--ca", c.ca, "Certificate to trust for the API (PEM)")->required();
    cmd->add_option("--token", c.token, "API token (or env SIGNALNODE_TOKEN)")->envname("SIGNALNODE_TOKEN")->required();
  };
  ClientArgs submit;
  std::filesystem::path submit_file;
  auto* submit_cmd = app.add_subcommand("submit", "Submit a signal from a JSON file");
  add_client(submit_cmd, submit);
  submit_cmd->add_option("--file", submit_file, "Signal JSON")->required()->check(CLI::ExistingFile);

  LoadArgs load;
  auto* load_cmd = app.add_subcommand("load", "Load test: submit generated signals over keep-alive HTTPS");
  add_client(load_cmd, load.client);
  load_cmd->add_option("--connections", load.connections, "Parallel connections")->capture_default_str()
      ->check(CLI::Range(1, 256));
  load_cmd->add_option("--signals", load.signals, "Signals in total")->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  load_cmd->add_option("--subjects", load.subjects, "Subjects per signal")->capture_default_str()
      ->check(CLI::Range(0, 64));
  load_cmd->add_option("--rate", load.rate, "Target signals/s (0: unlimited)")->capture_default_str()
      ->check(CLI::Range(0, 1'000'000));

  CLI11_PARSE(app, argc, argv);

  try {
    if (*init_cmd) return run_init(init);
    if (*serve_cmd) return run_serve(serve);
    if (*demo_up_cmd) return run_demo_up(demo_dir, base_port, demo_smtp);
    if (*demo_down_cmd) return run_demo_down(demo_dir);
    if (*pki_ca_cmd) return run_pki_ca(ca_dir, ca_name);
    if (*pki_issue_cmd) return run_pki_issue(ca_dir, pki_org, pki_oin, pki_hosts, cert_out, key_out);
    if (*entry_cmd) return run_manifest_entry(manifest_dir, manifest_endpoint, manifest_name);
    if (*ceremony_cmd) return run_pa_ceremony(ceremony_out, ceremony_threshold, ceremony_holders, ceremony_epoch);
    if (*publish_cmd) return run_pa_publish(publish_manifest, publish_keys);
    if (*keygen_cmd) return run_config_keygen(config_key);
    if (*draft_cmd) return run_config_draft(draft);
    if (*sign_cmd) return run_config_sign(config_in, config_key, config_previous, config_out);
    if (*config_verify_cmd) return run_config_verify(config_in, config_previous, config_dir);
    if (*config_publish_cmd) return run_config_publish(config_in, config_dir);
    if (*config_status_cmd) return run_config_status(config_dir);
    if (*verify_cmd) return run_audit_verify(audit_dir);
    if (*export_cmd) return run_audit_export(audit_dir, audit_out, export_from, export_to);
    if (*sth_cmd) return run_audit_sth(audit_dir);
    if (*prove_cmd) return run_audit_prove(audit_dir, prove_index, prove_from);
    if (*check_proof_cmd) return run_audit_check(proof_file);
    if (*report_cmd) return run_audit_report(audit_dir, audit_out);
    if (*explain_cmd) return run_policy_explain(policy_dir, policy_signal, policy_json);
    if (*check_cmd) return run_policy_check(policy_dir, policy_file);
    if (*pseudonym_cmd) return run_pseudonym(pseudonym_dir, pseudonym_kind, pseudonym_value, pseudonym_exchanges);
    if (*user_create_cmd) return run_user_create(user_dir, user_name, user_role, password_stdin);
    if (*user_list_cmd) return run_user_list(user_dir);
    if (*user_delete_cmd) return run_user_delete(user_dir, user_name);
    if (*user_unlock_cmd) return run_user_unlock(user_dir, user_name, user_address);
    if (*user_reset_cmd) return run_user_reset_password(user_dir, user_name, password_stdin);
    if (*user_factors_cmd) return run_user_reset_factors(user_dir, user_name);
    if (*create_cmd) return run_token_create(token_dir, token_role, token_label, expires_days);
    if (*list_cmd) return run_token_list(token_dir);
    if (*revoke_cmd) return run_token_revoke(token_dir, token_id);
    if (*backup_cmd) return run_backup(backup_dir, backup_file, backup_with_keys);
    if (*restore_cmd) return run_restore(backup_file, backup_dir);
    if (*submit_cmd) return run_submit(submit, submit_file);
    if (*load_cmd) return run_load(load);
  } catch (const std::exception& e) {
    std::cerr << "signalnode: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

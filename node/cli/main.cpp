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
  init_cmd->add_option("--role", init.role, "municipality | labour_inspectorate | housing_certifier | riec")
      ->required();
  init_cmd->add_option("--oin", init.oin, "20-digit organisation identification number")->required();
  init_cmd->add_option("--listen", init.listen, "API listen address")->capture_default_str();
  init_cmd->add_option("--api-port", init.api_port, "API port")->capture_default_str();
  init_cmd->add_flag("--pa", init.pseudonymisation_authority,
                     "This node is the pseudonymisation authority (creates the OPRF key)");

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
  create_cmd->add_option("--role", token_role, "officer | analyst | privacy_officer | admin")->required();
  create_cmd->add_option("--label", token_label, "Who or what holds the token")->required();
  create_cmd->add_option("--expires-days", expires_days, "Days until the token expires");
  auto* list_cmd = token_cmd->add_subcommand("list", "List tokens (ids and roles, never secrets)");
  list_cmd->add_option("--dir", token_dir, "Node folder")->required();
  auto* revoke_cmd = token_cmd->add_subcommand("revoke", "Revoke a token by id");
  revoke_cmd->add_option("--dir", token_dir, "Node folder")->required();
  revoke_cmd->add_option("--id", token_id, "Token id (the 16 hex after snt_)")->required();

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
    if (*pseudonym_cmd) return run_pseudonym(pseudonym_dir, pseudonym_kind, pseudonym_value);
    if (*create_cmd) return run_token_create(token_dir, token_role, token_label, expires_days);
    if (*list_cmd) return run_token_list(token_dir);
    if (*revoke_cmd) return run_token_revoke(token_dir, token_id);
    if (*submit_cmd) return run_submit(submit, submit_file);
    if (*load_cmd) return run_load(load);
  } catch (const std::exception& e) {
    std::cerr << "signalnode: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

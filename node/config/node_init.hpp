// `signalnode init`: a new node folder with its configuration, database, data
// key, signing key and a self-signed API certificate (keys 0600, folders 0700).
#pragma once

#include "node/config/node_config.hpp"

namespace signalnode::node::config {

// Throws when the folder exists and is not empty, or on invalid settings.
void init_node(const NodePaths& paths, const NodeConfig& config);

}  // namespace signalnode::node::config

// The node database schema, as an ordered list of migrations. Append new
// migrations; never edit one that has shipped.
#pragma once

#include <vector>

#include "node/storage/sqlite.hpp"

namespace signalnode::node::storage {

const std::vector<Migration>& node_migrations();

}  // namespace signalnode::node::storage

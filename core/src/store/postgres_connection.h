#pragma once

// The PostgreSQL backend of sql::Connection, on libpq's C API.

#include "connection.h"

#include "wb/store/change_listener.h"

#include <string>

namespace wb::store::sql {

// Connects with the libpq URI as given (so ~/.pgpass, PGPASSFILE and sslmode= work); errors
// name `display`, the URI without its password. A read-only request makes every transaction
// read-only; busyTimeoutMs becomes lock_timeout. Nothing is created: the database must exist.
std::unique_ptr<Connection> openPostgres(const std::string& uri, const std::string& display,
                                         const OpenRequest& request);

// The channel every committed write transaction notifies.
inline constexpr const char* kChangeChannel = "supernet_workspace";

// A LISTEN connection on that channel (see wb/store/change_listener.h).
std::unique_ptr<ChangeListener> openPostgresListener(const std::string& uri,
                                                     const std::string& display);

} // namespace wb::store::sql

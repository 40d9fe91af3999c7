#pragma once

// The PostgreSQL backend of sql::Connection, on libpq's C API.

#include "connection.h"

#include <string>

namespace wb::store::sql {

// Connects with the libpq URI as given (so ~/.pgpass, PGPASSFILE and sslmode= work); errors
// name `display`, the URI without its password. A read-only request makes every transaction
// read-only; busyTimeoutMs becomes lock_timeout. Nothing is created: the database must exist.
std::unique_ptr<Connection> openPostgres(const std::string& uri, const std::string& display,
                                         const OpenRequest& request);

} // namespace wb::store::sql

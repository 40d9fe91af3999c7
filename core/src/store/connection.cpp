#include "connection.h"

#include "postgres_connection.h"
#include "sqlite_connection.h"

#include "wb/store/workspace_location.h"

namespace wb::store::sql {

std::unique_ptr<Connection> connect(const std::string& db, const std::string& display,
                                    const OpenRequest& request)
{
    return isServerWorkspace(db) ? openPostgres(db, display, request) : openSqlite(db, request);
}

} // namespace wb::store::sql

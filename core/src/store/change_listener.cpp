#include "wb/store/change_listener.h"

#include "postgres_connection.h"

#include "wb/store/workspace_location.h"

namespace wb::store {

std::unique_ptr<ChangeListener> ChangeListener::open(const std::string& db)
{
    if (!isServerWorkspace(db)) return nullptr;
    return sql::openPostgresListener(db, redactedWorkspace(db));
}

} // namespace wb::store

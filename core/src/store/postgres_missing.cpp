// The PostgreSQL backend in a build without libpq (a CLI-only build may leave it out): server
// workspaces are refused with the reason; SQLite workspaces are unaffected.

#include "postgres_connection.h"

#include "wb/common/error.h"

namespace wb::store::sql {
namespace {

[[noreturn]] void refuse(const std::string& display)
{
    throw Error(display + ": this build has no PostgreSQL client library (install libpq-dev and "
                          "rebuild); use a SQLite workspace file");
}

} // namespace

std::unique_ptr<Connection> openPostgres(const std::string&, const std::string& display,
                                         const OpenRequest&)
{
    refuse(display);
}

std::unique_ptr<ChangeListener> openPostgresListener(const std::string&,
                                                     const std::string& display)
{
    refuse(display);
}

} // namespace wb::store::sql

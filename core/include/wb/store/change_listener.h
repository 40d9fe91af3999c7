#pragma once

// Waiting for other processes' writes to a workspace instead of polling it: every write
// transaction on a PostgreSQL workspace sends NOTIFY on one channel at its commit, and a listener
// (its own connection, LISTEN) wakes up on it. SQLite has no such channel: open() returns null
// and callers keep polling.

#include <memory>
#include <string>

namespace wb::store {

class ChangeListener {
public:
    // A listener on `db`, or null for a SQLite file. Throws wb::Error when the server cannot be
    // reached.
    static std::unique_ptr<ChangeListener> open(const std::string& db);
    virtual ~ChangeListener() = default;
    // Blocks up to `seconds`; true when some process committed a write meanwhile (all pending
    // notifications are consumed). Throws wb::Error when the connection is lost.
    virtual bool wait(double seconds) = 0;
};

} // namespace wb::store

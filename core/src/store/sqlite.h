#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wb::store::sql {

// Throws wb::Error for a failed SQLite call: "<file>: <what>: <reason>", with a plain-language
// reason for the cases users meet (locked, full, not a database, read-only, cannot open).
[[noreturn]] void fail(sqlite3* db, int rc, const std::string& file, const std::string& what);

// "the database is damaged (<detail>); ..." with what the user can do about it.
std::string damagedAdvice(const std::string& detail);

// "file:<path>?immutable=1" with the path percent-encoded, for sqlite3_open_v2(SQLITE_OPEN_URI).
std::string immutableUri(const std::string& path);

// Runs one or more statements without results.
void exec(sqlite3* db, const std::string& file, const char* sqlText, const std::string& what);

// A prepared statement; owned by one connection and used on that connection's thread only.
class Statement {
public:
    Statement(sqlite3* db, const std::string& file, std::string_view sqlText);
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bindBlob(int index, const void* data, std::size_t size);
    Statement& bindNull(int index);

    bool step(const std::string& what); // true while a row is available
    void run(const std::string& what);  // steps to completion, ignoring rows
    void reset();                       // for the next bind/run; keeps the bindings

    bool isNull(int column) const;
    std::int64_t int64(int column) const;
    int integer(int column) const { return int(int64(column)); }
    double real(int column) const;
    std::string text(int column) const;
    std::vector<unsigned char> blob(int column) const;

private:
    sqlite3* m_db;
    const std::string& m_file;
    sqlite3_stmt* m_stmt = nullptr;
};

} // namespace wb::store::sql

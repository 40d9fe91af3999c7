#pragma once

// Every difference between the SQLite and the PostgreSQL spelling of the store's SQL. Queries
// and the schema are written once, in SQLite's spelling, using only what both understand where
// that exists (upserts, coalesce); what remains is translated here for PostgreSQL.

#include "connection.h"

#include <initializer_list>
#include <string>
#include <string_view>

namespace wb::store::sql {

// `?` -> `$1, $2, ...` and `?NNN` -> `$NNN`, outside quoted strings.
std::string numberedPlaceholders(std::string_view text);

// A migration's text for the dialect. For PostgreSQL: INTEGER -> BIGINT, REAL -> DOUBLE
// PRECISION, BLOB -> BYTEA, TEXT -> TEXT COLLATE "C" (SQLite's byte-wise BINARY order), an
// INTEGER PRIMARY KEY [AUTOINCREMENT] -> an identity column, WITHOUT ROWID dropped and
// SQLite's implicit `rowid` spelled out as an identity column elsewhere (queries order by it),
// json_extract(col, '$.key') -> col::jsonb ->> 'key'.
std::string schemaText(std::string_view text, Dialect dialect);

// After rows were inserted with explicit ids: the statement that moves the id generator past
// them (PostgreSQL's identity sequence); empty for SQLite, whose AUTOINCREMENT follows by itself.
std::string identityCatchUp(std::string_view table, std::string_view column, Dialect dialect);

// "INSERT INTO table (keys..., values...) VALUES (?, ...) ON CONFLICT (keys...) DO UPDATE SET
// value = excluded.value, ...": SQLite's INSERT OR REPLACE in the form both backends share.
// Placeholders follow the column order, keys first, row after row. The rows of one statement
// must have distinct keys (PostgreSQL cannot update a row twice in one statement).
std::string upsert(std::string_view table, std::initializer_list<std::string_view> keys,
                   std::initializer_list<std::string_view> values, int rows = 1);

} // namespace wb::store::sql

// Package sqlstore implements the fleetwatch store interfaces on PostgreSQL
// and SQLite with one set of SQL statements.
//
// Both drivers go through database/sql and both bind $1, $2… by number, so a
// query is written once, in a backtick string beside the code that scans it.
// What differs between the two databases — how to open them, the LIKE that
// ignores case, how a unique violation looks, the goose dialect and the
// migrations folder — is kept in the dialect values of dialect_postgres.go and
// dialect_sqlite.go.
//
// SQLite runs in WAL mode with one writer connection, used for every write
// and every transaction, and a pool of read-only connections for reads, so
// concurrent writers queue in the process instead of failing with
// SQLITE_BUSY. PostgreSQL uses one pool for both.
//
// Times are written in UTC, truncated to microseconds (PostgreSQL's
// precision), and read back in UTC on both databases.
//
// Soft delete: rows are never removed; is_deleted hides them. Deleting an
// organization marks its sites and users deleted in the same transaction, and
// every Find also hides rows whose organization is deleted.
package sqlstore

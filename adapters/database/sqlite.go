package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// sqliteDriverName is the SQLite driver Parc opens: modernc's, whose
// connections outlive an interrupted statement (see sqliteConn).
const sqliteDriverName = "parc-sqlite"

func init() {
	// The driver sql.Open("sqlite") uses, which the dialector would open.
	db, err := sql.Open("sqlite", "")
	if err != nil {
		panic("database: the sqlite driver is not registered: " + err.Error())
	}
	base := db.Driver()
	_ = db.Close() // opened nothing
	sql.Register(sqliteDriverName, sqliteDriver{base: base})
}

type sqliteDriver struct{ base driver.Driver }

func (d sqliteDriver) Open(name string) (driver.Conn, error) {
	c, err := d.base.Open(name)
	if err != nil {
		return nil, err
	}
	if inner, ok := c.(sqliteDriverConn); ok {
		return &sqliteConn{sqliteDriverConn: inner}, nil
	}
	return c, nil // a driver without these interfaces: used as it is
}

// sqliteDriverConn is what the driver's connections implement; a wrapper
// must offer all of it, or database/sql falls back to the methods without
// a context.
type sqliteDriverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// sqliteConn keeps a connection whose statement was interrupted. When a
// request's context ends, the driver interrupts the statement at once
// (sqlite3_interrupt), but SQLite leaves the connection's interrupt flag set
// until its next statement starts, and the driver reports a connection with
// the flag set as broken. database/sql then closes it on the goroutine of
// the request, which waits for SQLite to free the connection's page cache
// (32 MiB, see sqliteDSN): tens to hundreds of milliseconds past the
// deadline, and the next request opens a new connection with a cold cache.
// A statement that does nothing clears the flag instead.
type sqliteConn struct{ sqliteDriverConn }

// Unwrap gives the driver's connection, for the driver's helpers that look
// for it (sqlite.Limit).
func (c *sqliteConn) Unwrap() driver.Conn { return c.sqliteDriverConn }

// IsValid is asked before the connection goes back to the pool.
func (c *sqliteConn) IsValid() bool {
	return c.sqliteDriverConn.IsValid() || c.clearInterrupt()
}

// ResetSession is called before the connection is used again.
func (c *sqliteConn) ResetSession(ctx context.Context) error {
	err := c.sqliteDriverConn.ResetSession(ctx)
	if errors.Is(err, driver.ErrBadConn) && c.clearInterrupt() {
		return nil
	}
	return err
}

// clearInterrupt runs a statement that does nothing: SQLite forgets an
// interruption when a statement starts while none is running. It reports
// whether the driver finds the connection usable afterwards.
func (c *sqliteConn) clearInterrupt() bool {
	if _, err := c.ExecContext(context.Background(), "SELECT 1", nil); err != nil {
		return false
	}
	return c.sqliteDriverConn.IsValid()
}

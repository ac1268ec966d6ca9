// Package gormstore implements Parc's repository ports with GORM on SQLite,
// PostgreSQL and MySQL/MariaDB. Row structs (the only place with gorm tags),
// their converters to domain types, and every dialect difference live here.
package gormstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain"
)

// Store is the shared handle every repository of this package works through.
// It implements ports.Transactor and ports.HealthChecker.
type Store struct {
	db      *gorm.DB
	dialect dialect
	// group queues this process's transactions on SQLite, which runs one
	// at a time (they begin IMMEDIATE), and runs those that wait together
	// in one transaction (see txGroup): waiting here wakes a writer as soon
	// as the previous one ends, where SQLite's busy handler polls with
	// sleeps of 1 to 100 ms. Other processes on the same file still queue
	// through the busy timeout. nil on the other backends.
	group *txGroup
	// packet is the statement size of MySQL's max_allowed_packet, once
	// read (see statementBytes).
	packet atomic.Int64
}

// New wraps an open GORM connection.
func New(db *gorm.DB) *Store {
	s := &Store{db: db, dialect: dialectOf(db)}
	if s.dialect == dialectSQLite {
		s.group = &txGroup{db: db}
	}
	s.guardAborts()
	return s
}

// Backend names the database engine in use: "sqlite", "postgres" or "mysql".
func (s *Store) Backend() string { return string(s.dialect) }

type txKey struct{}

// conn returns the transaction carried by ctx, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return s.db.WithContext(ctx)
}

// inTx reports whether ctx carries a transaction of this store.
func inTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w: %w", domain.ErrUnavailable, err)
	}
	return nil
}

// translate turns driver and GORM errors into domain error kinds, once, at
// the edge of this package. Errors that already carry a domain kind (returned
// by a use case inside Within) pass through unchanged.
func (s *Store) translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%w: %w", domain.ErrNotFound, err)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%w: %w", domain.ErrConflict, err)
	case s.dialect.unavailable(err):
		return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
	}
	return err
}

// insertRows writes rows into t as multi-row INSERT statements, in batches
// that respect the placeholder limit and the statement size (see
// statementBytes); tail is an optional onConflictUpdate clause. Rows are
// written in the order given; callers sort them by key so that concurrent
// writers lock rows in one order.
func insertRows[T any](ctx context.Context, s *Store, what string, t table[T], tail string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	per := s.dialect.batchRows(len(t.columns), s.dialect.rowsPerInsert())
	size := s.statementBytes(ctx) - len(t.head()) - len(tail)
	for start := 0; start < len(rows); {
		values := t.valuesWithin(rows[start:], per, size)
		sql, args := s.dialect.insertStatement(t.head(), tail, values)
		if err := s.conn(ctx).Exec(sql, args...).Error; err != nil {
			return fmt.Errorf("%s: %w", what, s.translate(err))
		}
		start += len(values)
	}
	return nil
}

// insertOne is insertRows of one row, the statement of every one-row
// create, update and delete, which ends its transaction: it goes through
// rawExecLast, with COMMIT where the transaction allows. racing says that
// a duplicate key of it is a lost insert race (an insert, not an upsert).
func insertOne[T any](ctx context.Context, s *Store, what string, t table[T], tail string, row T, racing bool) error {
	sql, args := s.dialect.insertStatement(t.head(), tail, t.valuesWithin([]T{row}, 1, maxStatementBytes))
	if err := s.rawExecLast(ctx, racing, sql, args...); err != nil {
		return fmt.Errorf("%s: %w", what, s.translate(err))
	}
	return nil
}

// statementBytes bounds the size of one multi-row statement, its values as
// the server reads them. MySQL and MariaDB refuse a statement longer than
// their max_allowed_packet (16 MiB by default on MariaDB, 4 MiB on older
// MySQL), and with the values interpolated (see the database package) a
// multi-row write of large rows reaches it long before the placeholder
// limit: the value is read from the server once, and a statement kept a
// little under it. Elsewhere the bound only keeps the statements of a large
// write, and the memory that builds them, in proportion.
func (s *Store) statementBytes(ctx context.Context) int {
	if s.dialect != dialectMySQL {
		return maxStatementBytes
	}
	if n := s.packet.Load(); n > 0 {
		return int(n)
	}
	var packet int64
	if err := s.conn(ctx).Raw("SELECT @@max_allowed_packet").Scan(&packet).Error; err != nil || packet <= 0 {
		return mysqlMinPacket - statementMargin // unknown this time: the smallest default, asked again next time
	}
	n := max(packet-statementMargin, 1)
	s.packet.Store(n)
	return int(n)
}

const (
	maxStatementBytes = 16 << 20
	mysqlMinPacket    = 4 << 20  // MySQL 5.7's default max_allowed_packet
	statementMargin   = 64 << 10 // the statement's own text, and the protocol's headers
)

// lockByID locks the row of T with this company and id until the
// transaction ends (see writeLock), then reads it; it returns nil when there
// is none. what names the kind of row in errors.
func lockByID[T any](ctx context.Context, s *Store, what, companyID, id string) (*T, error) {
	if !inTx(ctx) {
		return nil, fmt.Errorf("lock %s %s: called outside a transaction", what, id)
	}
	var model T
	table := any(model).(interface{ TableName() string }).TableName()
	locked, err := s.writeLock(ctx, table, "company_id = ? AND id = ?", companyID, id)
	if err != nil {
		return nil, fmt.Errorf("lock %s %s: %w", what, id, err)
	}
	if locked == 0 {
		return nil, nil
	}
	var rows []T
	err = s.conn(ctx).Where("company_id = ? AND id = ?", companyID, id).Limit(1).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("lock %s %s: %w", what, id, s.translate(err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// maxInKeys bounds the values of one IN list, well under every backend's
// bind-parameter limit: lists of keys are read in chunks of it
// (slices.Chunk).
const maxInKeys = 5000

// notFound is the error of a lookup that found nothing; what names the
// thing ("project X"). Its text is what a caller reads.
func notFound(what string) error {
	return domain.NotFound("%s not found", what)
}

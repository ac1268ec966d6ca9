// Package ports declares what the use cases in app need from the outside
// world. Adapters implement these interfaces; nothing here knows of SQL, HTTP
// or wiring.
package ports

import (
	"context"
	"time"
)

// Clock tells the time; tests replace it to make time-dependent rules exact.
type Clock interface {
	Now() time.Time
}

// IDGenerator mints identifiers for new entities (UUID text).
type IDGenerator interface {
	NewID() string
}

// Transactor runs fn in one database transaction. Every repository call made
// with the context fn receives joins that transaction; fn's error rolls it
// back. An implementation may run fn more than once when the database reports
// a deadlock or a serialization failure, so fn must not keep effects outside
// the transaction (build results from what it reads, return them at the end).
type Transactor interface {
	Within(ctx context.Context, fn func(ctx context.Context) error) error
}

// HealthChecker tells whether the storage answers.
type HealthChecker interface {
	Ping(ctx context.Context) error
}

// Package system adapts the process's own facilities (wall clock, random
// identifiers) to the ports that use cases depend on.
package system

import (
	"time"

	"github.com/google/uuid"
)

// Clock is the wall clock, in UTC.
type Clock struct{}

// Now returns the current time in UTC, truncated to the microsecond: the
// finest precision every supported database stores, so that what is read back
// equals what was written.
func (Clock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// UUIDs mints version-7 UUIDs: time-ordered, so new rows land at the end of
// primary-key indexes instead of splitting pages at random.
type UUIDs struct{}

// NewID returns a new UUID in its canonical text form.
func (UUIDs) NewID() string { return uuid.Must(uuid.NewV7()).String() }

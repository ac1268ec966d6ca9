package system

import (
	"go.uber.org/fx"

	"github.com/parc-hq/parc/ports"
)

// Module provides the wall clock and the UUID generator.
var Module = fx.Module("system",
	fx.Provide(
		func() ports.Clock { return Clock{} },
		func() ports.IDGenerator { return UUIDs{} },
	),
)

// Package buildinfo tells which Parc is running: the module version, the
// VCS revision it was built from and the Go version, as the Go toolchain
// records them in the binary (runtime/debug.ReadBuildInfo). `make release`
// may stamp an explicit version with -ldflags "-X …/buildinfo.version=v1.2.3"
// (and revision likewise).
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version and revision, when set at link time (make build, make release),
// win over what the toolchain recorded: a build without VCS data (a source
// archive, -buildvcs=false) still says what it is.
var version, revision string

// Info describes the running binary.
type Info struct {
	Version   string // e.g. v1.2.3, a pseudo-version, or (devel)
	Revision  string // VCS commit, with "+dirty" when built from a modified tree; "unknown" without VCS data
	Time      string // commit time, RFC 3339; empty when unknown
	GoVersion string
}

// Read returns the running binary's build information.
func Read() Info {
	info := Info{Version: "(devel)", Revision: "unknown", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if ok {
		if bi.Main.Version != "" {
			info.Version = bi.Main.Version
		}
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Revision = s.Value
			case "vcs.time":
				info.Time = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && info.Revision != "unknown" {
			info.Revision += "+dirty"
		}
	}
	if version != "" {
		info.Version = version
	}
	if revision != "" {
		info.Revision = revision
	}
	return info
}

// String is the one-line form `parc version` prints.
func (i Info) String() string {
	s := fmt.Sprintf("parc %s (revision %s", i.Version, i.Revision)
	if i.Time != "" {
		s += ", " + i.Time
	}
	return s + ", " + i.GoVersion + ")"
}

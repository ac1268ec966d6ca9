// Package arch enforces the dependency rule: adapters → app → ports →
// domain, with domain on the standard library alone.
package arch

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/parc-hq/parc"

// nonStandardDeps lists every package outside the standard library that the
// packages matching pattern depend on, directly or not.
func nonStandardDeps(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{range .Deps}}{{.}} {{end}}`, pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	std := standardPackages(t)
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, ":")
		for _, d := range strings.Fields(list) {
			if !std[d] {
				deps[pkg] = append(deps[pkg], d)
			}
		}
	}
	return deps
}

func standardPackages(t *testing.T) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Fatalf("go list std: %v", err)
	}
	std := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		std[p] = true
	}
	return std
}

func allowedOnly(t *testing.T, pattern string, allowed ...string) {
	t.Helper()
	for pkg, deps := range nonStandardDeps(t, pattern) {
	next:
		for _, d := range deps {
			for _, a := range allowed {
				if d == a || strings.HasPrefix(d, a+"/") {
					continue next
				}
			}
			t.Errorf("%s depends on %s: only %v is allowed there", pkg, d, allowed)
		}
	}
}

func TestDomainUsesOnlyTheStandardLibrary(t *testing.T) {
	allowedOnly(t, module+"/domain/...", module+"/domain")
}

func TestPortsDependOnlyOnDomain(t *testing.T) {
	allowedOnly(t, module+"/ports/...", module+"/domain")
}

func TestAppDependsOnlyOnDomainAndPorts(t *testing.T) {
	allowedOnly(t, module+"/app/...", module+"/domain", module+"/ports")
}

// Adapters are independent of each other: changing one never means reading
// another. Only the composition roots (cmd, test) see several.
func TestAdaptersDoNotImportEachOther(t *testing.T) {
	adapters := []string{"http", "gormstore", "database", "system"}
	for _, a := range adapters {
		for pkg, deps := range nonStandardDeps(t, module+"/adapters/"+a+"/...") {
			for _, d := range deps {
				for _, other := range adapters {
					if other == a {
						continue
					}
					if d == module+"/adapters/"+other || strings.HasPrefix(d, module+"/adapters/"+other+"/") {
						t.Errorf("%s depends on adapter %s", pkg, d)
					}
				}
			}
		}
	}
}

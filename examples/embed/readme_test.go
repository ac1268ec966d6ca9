package main

import (
	"os"
	"strings"
	"testing"
)

// The README's embedding snippet must be this program's code, so that the
// documented example always compiles.
func TestREADMEShowsThisExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Embedding Parc in a Go program")
	if !ok {
		t.Fatal("README has no embedding section")
	}
	_, block, _ := strings.Cut(after, "```go\n")
	block, _, _ = strings.Cut(block, "```")
	for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
		if !strings.Contains(string(src), strings.TrimSpace(line)) {
			t.Errorf("README line not in examples/embed/main.go: %q", line)
		}
	}
}

func TestExampleRuns(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	main()
}

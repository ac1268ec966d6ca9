// Package app holds Parc's use cases, one service per area. Services depend
// only on domain types and the interfaces in ports, so that any adapter (HTTP,
// CLI, a Go program embedding Parc) drives the same rules.
package app

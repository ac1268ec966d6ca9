// Package contract is the repository contract suite: each Run* function
// checks one set of repository ports against the behaviour the use cases rely
// on. Every storage adapter runs the same suite, unchanged, on every backend
// it supports, so that a behaviour that differs by backend fails a test.
package contract

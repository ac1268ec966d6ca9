//go:build race

package multinode

func init() { scale = 0.2 }

package multinode

// scale multiplies the size of the races: 1 normally, less under -race
// (see scale_race_test.go), where each call costs several times more.
var scale = 1.0

// scaled is n times scale, at least min.
func scaled(n, min int) int {
	return max(int(float64(n)*scale), min)
}

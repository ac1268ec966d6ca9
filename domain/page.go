package domain

// PageSize is the paging policy every listing follows: an absent limit
// takes Default (0: no limit, the whole list); a limit below 1 or above Max
// is refused, naming the parameter, never capped silently. Each area sets
// its numbers; the rule is this one.
type PageSize struct {
	Default, Max int
}

// Limit resolves the limit given (nil when absent). The problem is
// TypeGreaterThanEqual {"ge": 1} or TypeLessThanEqual {"le": Max} at path.
func (p PageSize) Limit(given *int, path ...any) (int, error) {
	switch {
	case given == nil:
		return p.Default, nil
	case *given < 1:
		return 0, AtLeast(1, path...)
	case *given > p.Max:
		return 0, AtMost(int64(p.Max), path...)
	}
	return *given, nil
}

// Offset resolves an offset given (nil when absent: 0); below 0 it is
// TypeGreaterThanEqual {"ge": 0} at path.
func Offset(given *int, path ...any) (int, error) {
	switch {
	case given == nil:
		return 0, nil
	case *given < 0:
		return 0, AtLeast(0, path...)
	}
	return *given, nil
}

// Types of the bound problems, with their Params.
const (
	TypeGreaterThanEqual = "greater_than_equal" // Params "ge"
	TypeLessThanEqual    = "less_than_equal"    // Params "le"
)

// AtLeast is the problem of a number below bound, at path.
func AtLeast(bound int64, path ...any) *ValidationError {
	return &ValidationError{Problems: []FieldError{{Path: path, Type: TypeGreaterThanEqual, Params: map[string]any{"ge": bound}}}}
}

// AtMost is the problem of a number above bound, at path.
func AtMost(bound int64, path ...any) *ValidationError {
	return &ValidationError{Problems: []FieldError{{Path: path, Type: TypeLessThanEqual, Params: map[string]any{"le": bound}}}}
}

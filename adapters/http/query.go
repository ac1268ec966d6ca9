package httpapi

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
)

// The query-string parser of the areas whose errors list problems with
// their own messages (the default shape, client-data); the clients area has
// its own, worded as FastAPI (problems.queryInt). Limits follow the paging
// policy of the area (domain.PageSize).

// queryInt reads the optional integer query parameter name: nil when it is
// absent or empty; a problem in v when it is not an integer.
func queryInt(c *gin.Context, v *domain.ValidationError, name string) *int {
	s, ok := c.GetQuery(name)
	if !ok || s == "" {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		v.Add("int_parsing", name+" must be an integer", name)
		return nil
	}
	return &n
}

// queryLimit reads the limit query parameter under the area's paging.
func queryLimit(c *gin.Context, v *domain.ValidationError, paging domain.PageSize) int {
	n, err := paging.Limit(queryInt(c, v, "limit"), "limit")
	v.Collect(err)
	return n
}

// queryOffset reads the offset query parameter.
func queryOffset(c *gin.Context, v *domain.ValidationError) int {
	n, err := domain.Offset(queryInt(c, v, "offset"), "offset")
	v.Collect(err)
	return n
}

// plainMessage words a problem for the areas that show messages as they
// are: the problem's own message, else one made of its type and the values
// of its rule.
func plainMessage(f domain.FieldError) string {
	if f.Message != "" {
		return f.Message
	}
	name := "the value"
	for _, p := range f.Path {
		if s, ok := p.(string); ok {
			name = s
		}
	}
	switch f.Type {
	case domain.TypeGreaterThanEqual:
		return name + " must be at least " + strconv.FormatInt(intParam(f, "ge"), 10)
	case domain.TypeLessThanEqual:
		return name + " must be at most " + strconv.FormatInt(intParam(f, "le"), 10)
	}
	return pydanticMessage(f)
}

// worded gives every problem its plain message.
func worded(problems []domain.FieldError) []domain.FieldError {
	out := make([]domain.FieldError, len(problems))
	for i, f := range problems {
		f.Message = plainMessage(f)
		out[i] = f
	}
	return out
}

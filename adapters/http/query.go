package httpapi

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
)

// The query-string parser of the areas whose errors list problems in
// plain words (the default shape, client-data); the clients area has its
// own, worded as FastAPI (problems.queryInt). Limits follow the paging
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
		v.Add("int_parsing", nil, name)
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

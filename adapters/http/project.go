package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
)

type projectDTO struct {
	ProjectID string   `json:"project_id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Licenses  int      `json:"licenses"`
	Companies []string `json:"companies"`
	Owner     *string  `json:"owner"`
	Timestamp string   `json:"timestamp"`
}

func toProjectDTO(d app.ProjectDetails) projectDTO {
	out := projectDTO{ProjectID: d.Project.ID(), Code: d.Project.Code().String(), Name: d.Project.Name(),
		Licenses: d.Project.Licenses(), Companies: []string{}, Timestamp: timeJSON(d.Project.CreatedAt())}
	for _, c := range d.Members {
		out.Companies = append(out.Companies, c.Code().String())
	}
	if d.Owner != nil {
		code := d.Owner.Code().String()
		out.Owner = &code
	}
	return out
}

func registerProjectAdminRoutes(admin *gin.RouterGroup, projects *app.ProjectService) {
	h := projectHandlers{projects: projects}
	admin.POST("/projects", h.create)
	admin.GET("/projects", h.list)
	admin.PUT("/projects/:code", h.update)
}

// projectHandlers serve the operator's project routes.
type projectHandlers struct{ projects *app.ProjectService }

// create serves POST /admin/projects.
func (h projectHandlers) create(c *gin.Context) {
	var in struct {
		Code      string   `json:"code"`
		Name      string   `json:"name"`
		Licenses  int      `json:"licenses"`
		Companies []string `json:"companies"`
		Owner     string   `json:"owner"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	d, err := h.projects.CreateProject(c.Request.Context(), app.ProjectInput{Code: in.Code, Name: in.Name, Licenses: in.Licenses, Companies: in.Companies, Owner: in.Owner})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toProjectDTO(d))
}

// list serves GET /admin/projects.
func (h projectHandlers) list(c *gin.Context) {
	list, err := h.projects.Projects(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, convertAll(list, toProjectDTO))
}

// update serves PUT /admin/projects/{code}.
func (h projectHandlers) update(c *gin.Context) {
	var in struct {
		Name      *string  `json:"name"`
		Licenses  *int     `json:"licenses"`
		Companies []string `json:"companies"`
		Owner     *string  `json:"owner"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	d, err := h.projects.UpdateProject(c.Request.Context(), c.Param("code"),
		app.ProjectUpdate{Name: in.Name, Licenses: in.Licenses, Companies: in.Companies, Owner: in.Owner})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toProjectDTO(d))
}

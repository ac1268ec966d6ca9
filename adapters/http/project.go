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
	out := projectDTO{ProjectID: d.Project.ID(), Code: string(d.Project.Code()), Name: d.Project.Name(),
		Licenses: d.Project.Licenses(), Companies: []string{}, Timestamp: timeJSON(d.Project.CreatedAt())}
	for _, c := range d.Members {
		out.Companies = append(out.Companies, string(c.Code()))
	}
	if d.Owner != nil {
		code := string(d.Owner.Code())
		out.Owner = &code
	}
	return out
}

func registerProjectAdminRoutes(admin *gin.RouterGroup, projects *app.ProjectService) {
	admin.POST("/projects", func(c *gin.Context) {
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
		d, err := projects.CreateProject(c.Request.Context(), app.ProjectInput{Code: in.Code, Name: in.Name, Licenses: in.Licenses, Companies: in.Companies, Owner: in.Owner})
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, toProjectDTO(d))
	})
	admin.GET("/projects", func(c *gin.Context) {
		list, err := projects.Projects(c.Request.Context())
		if err != nil {
			writeError(c, err)
			return
		}
		out := make([]projectDTO, len(list))
		for i, d := range list {
			out[i] = toProjectDTO(d)
		}
		c.JSON(http.StatusOK, out)
	})
	admin.PUT("/projects/:code", func(c *gin.Context) {
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
		d, err := projects.UpdateProject(c.Request.Context(), c.Param("code"),
			app.ProjectUpdate{Name: in.Name, Licenses: in.Licenses, Companies: in.Companies, Owner: in.Owner})
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, toProjectDTO(d))
	})
}

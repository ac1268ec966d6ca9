package ports

import (
	"context"

	"github.com/parc-hq/parc/domain/project"
)

// ProjectRepository stores projects and their member companies.
type ProjectRepository interface {
	CreateProject(ctx context.Context, p project.Project) error
	UpdateProject(ctx context.Context, p project.Project) error
	ProjectByCode(ctx context.Context, code project.Code) (project.Project, error)
	// LockProject reads a project and holds a write lock on it until the
	// transaction of ctx ends, so that read-modify-write rules on the
	// project (its licences) cannot race. Call it inside Transactor.Within.
	LockProject(ctx context.Context, code project.Code) (project.Project, error)
	ListProjects(ctx context.Context) ([]project.Project, error)
}

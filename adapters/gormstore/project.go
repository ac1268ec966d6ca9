package gormstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parc-hq/parc/domain/project"
)

var projectModels = []any{&projectRow{}, &projectMemberRow{}}

type projectRow struct {
	ID        string    `gorm:"primaryKey;size:36"`
	Code      string    `gorm:"size:64;not null;uniqueIndex:ux_projects_code"`
	Name      string    `gorm:"size:200;not null"`
	Licenses  int       `gorm:"not null"`
	OwnerID   string    `gorm:"column:owner_company_id;size:36;not null;default:''"`
	CreatedAt time.Time `gorm:"not null;precision:6"`
	LockCount int64     `gorm:"not null;default:0"` // see writeLock
}

func (projectRow) TableName() string { return "projects" }

type projectMemberRow struct {
	ProjectID string `gorm:"primaryKey;size:36"`
	CompanyID string `gorm:"primaryKey;size:36;index:ix_project_members_company"`
}

func (projectMemberRow) TableName() string { return "project_members" }

// ProjectRepository implements ports.ProjectRepository.
type ProjectRepository struct{ s *Store }

// NewProjectRepository builds the repository on a store.
func NewProjectRepository(s *Store) *ProjectRepository { return &ProjectRepository{s: s} }

func (r *ProjectRepository) CreateProject(ctx context.Context, p project.Project) error {
	return r.s.Within(ctx, func(ctx context.Context) error {
		row := projectRow{ID: p.ID(), Code: p.Code().String(), Name: p.Name(), Licenses: p.Licenses(), OwnerID: p.Owner(), CreatedAt: p.CreatedAt()}
		if err := r.s.conn(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("insert project: %w", r.s.translate(err))
		}
		return r.writeMembers(ctx, p)
	})
}

func (r *ProjectRepository) UpdateProject(ctx context.Context, p project.Project) error {
	return r.s.Within(ctx, func(ctx context.Context) error {
		err := r.s.conn(ctx).Model(&projectRow{}).Where("id = ?", p.ID()).
			Updates(map[string]any{"name": p.Name(), "licenses": p.Licenses(), "owner_company_id": p.Owner()}).Error
		if err != nil {
			return fmt.Errorf("update project: %w", r.s.translate(err))
		}
		if err := r.s.conn(ctx).Where("project_id = ?", p.ID()).Delete(&projectMemberRow{}).Error; err != nil {
			return fmt.Errorf("update project members: %w", r.s.translate(err))
		}
		return r.writeMembers(ctx, p)
	})
}

func (r *ProjectRepository) writeMembers(ctx context.Context, p project.Project) error {
	members := p.Members()
	rows := make([]projectMemberRow, len(members))
	for i, m := range members {
		rows[i] = projectMemberRow{ProjectID: p.ID(), CompanyID: m}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := r.s.conn(ctx).CreateInBatches(rows, r.s.dialect.batchRows(2, 1000)).Error; err != nil {
		return fmt.Errorf("insert project members: %w", r.s.translate(err))
	}
	return nil
}

func (r *ProjectRepository) ProjectByCode(ctx context.Context, code project.Code) (project.Project, error) {
	return r.one(ctx, code)
}

func (r *ProjectRepository) LockProject(ctx context.Context, code project.Code) (project.Project, error) {
	if !inTx(ctx) {
		return project.Project{}, fmt.Errorf("lock project %s: called outside a transaction", code)
	}
	if _, err := r.s.writeLock(ctx, "projects", "code = ?", code.String()); err != nil {
		return project.Project{}, fmt.Errorf("lock project %s: %w", code, err)
	}
	return r.one(ctx, code)
}

// one reads a project and its members in one query: every data-set and
// account call resolves its project, so this is a round trip saved on each.
func (r *ProjectRepository) one(ctx context.Context, code project.Code) (project.Project, error) {
	rs, err := r.s.rawQuery(ctx, `SELECT p.id, p.code, p.name, p.licenses, p.owner_company_id, p.created_at, m.company_id
		FROM projects p LEFT JOIN project_members m ON m.project_id = p.id WHERE p.code = ? ORDER BY m.company_id`, code.String())
	if err != nil {
		return project.Project{}, fmt.Errorf("find project %s: %w", code, r.s.translate(err))
	}
	defer rs.Close()
	var row projectRow
	var members []string
	found := false
	for rs.Next() {
		var member sql.NullString
		if err := rs.Scan(&row.ID, &row.Code, &row.Name, &row.Licenses, &row.OwnerID, &row.CreatedAt, &member); err != nil {
			return project.Project{}, fmt.Errorf("find project %s: %w", code, r.s.translate(err))
		}
		found = true
		if member.Valid {
			members = append(members, member.String)
		}
	}
	if err := rs.Err(); err != nil {
		return project.Project{}, fmt.Errorf("find project %s: %w", code, r.s.translate(err))
	}
	if !found {
		return project.Project{}, notFound("project " + code.String())
	}
	return restoreProject(row, members), nil
}

func (r *ProjectRepository) ListProjects(ctx context.Context) ([]project.Project, error) {
	var rows []projectRow
	if err := r.s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list projects: %w", r.s.translate(err))
	}
	return r.withMembers(ctx, rows)
}

// withMembers loads the members of all the projects in one query.
func (r *ProjectRepository) withMembers(ctx context.Context, rows []projectRow) ([]project.Project, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]string, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	var members []projectMemberRow
	if err := r.s.conn(ctx).Where("project_id IN ?", ids).Find(&members).Error; err != nil {
		return nil, fmt.Errorf("load project members: %w", r.s.translate(err))
	}
	byProject := map[string][]string{}
	for _, m := range members {
		byProject[m.ProjectID] = append(byProject[m.ProjectID], m.CompanyID)
	}
	out := make([]project.Project, len(rows))
	for i, row := range rows {
		out[i] = restoreProject(row, byProject[row.ID])
	}
	return out, nil
}

func restoreProject(row projectRow, members []string) project.Project {
	return project.Restore(project.Record{ID: row.ID, Code: project.RestoreCode(row.Code), Name: row.Name, Licenses: row.Licenses,
		Members: members, Owner: row.OwnerID, CreatedAt: row.CreatedAt})
}

package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/tenant"
)

// companyDTO is a company as the API shows it.
type companyDTO struct {
	CompanyID string `json:"company_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Timestamp string `json:"timestamp"`
}

func toCompanyDTO(c tenant.Company) companyDTO {
	return companyDTO{CompanyID: c.ID(), Code: c.Code().String(), Name: c.Name(), Status: string(c.Status()), Timestamp: timeJSON(c.CreatedAt())}
}

// keyDTO is an API key as listed: never its secret.
type keyDTO struct {
	KeyID      string  `json:"key_id"`
	CompanyID  string  `json:"company_id"`
	Prefix     string  `json:"prefix"`
	Name       string  `json:"name"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
}

func toKeyDTO(k tenant.APIKey) keyDTO {
	return keyDTO{KeyID: k.ID(), CompanyID: k.CompanyID(), Prefix: k.Prefix(), Name: k.Name(), CreatedAt: timeJSON(k.CreatedAt()),
		LastUsedAt: timePtrJSON(k.LastUsedAt()), RevokedAt: timePtrJSON(k.RevokedAt())}
}

// issuedKeyDTO is the answer to a key creation: the one time api_key is shown.
type issuedKeyDTO struct {
	keyDTO
	APIKey string `json:"api_key"`
}

func toIssuedKeyDTO(k app.IssuedKey) issuedKeyDTO {
	return issuedKeyDTO{keyDTO: toKeyDTO(k.Key), APIKey: k.Secret}
}

type createdCompanyDTO struct {
	companyDTO
	APIKey string `json:"api_key"`
	Key    keyDTO `json:"key"`
}

func registerMeRoutes(api *gin.RouterGroup) {
	api.GET("/me", me)
}

// me serves GET /me: the caller's company.
func me(c *gin.Context) {
	c.JSON(http.StatusOK, toCompanyDTO(mustCompany(c)))
}

func registerAdminRoutes(admin *gin.RouterGroup, tenants *app.TenantService) {
	h := adminHandlers{tenants: tenants}
	admin.POST("/companies", h.createCompany)
	admin.GET("/companies", h.companies)
	admin.PUT("/companies/:company_id", h.updateCompany)
	admin.POST("/companies/:company_id/keys", h.createKey)
	admin.GET("/companies/:company_id/keys", h.keys)
	admin.DELETE("/keys/:key_id", h.revokeKey)
}

// adminHandlers serve the operator's company and key routes.
type adminHandlers struct{ tenants *app.TenantService }

// createCompany serves POST /admin/companies.
func (h adminHandlers) createCompany(c *gin.Context) {
	var in struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	company, key, err := h.tenants.CreateCompany(c.Request.Context(), in.Code, in.Name)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, CreatedCompanyView(company, key))
}

// companies serves GET /admin/companies.
func (h adminHandlers) companies(c *gin.Context) {
	companies, err := h.tenants.Companies(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, convertAll(companies, toCompanyDTO))
}

// updateCompany serves PUT /admin/companies/{company_id}.
func (h adminHandlers) updateCompany(c *gin.Context) {
	var in struct {
		Name   *string `json:"name"`
		Status *string `json:"status"`
	}
	if err := DecodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	company, err := h.tenants.UpdateCompany(c.Request.Context(), c.Param("company_id"), tenant.CompanyChange{Name: in.Name, Status: in.Status})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toCompanyDTO(company))
}

// createKey serves POST /admin/companies/{company_id}/keys.
func (h adminHandlers) createKey(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if c.Request.ContentLength != 0 {
		if err := DecodeJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
	}
	key, err := h.tenants.CreateKey(c.Request.Context(), c.Param("company_id"), in.Name)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, toIssuedKeyDTO(key))
}

// keys serves GET /admin/companies/{company_id}/keys.
func (h adminHandlers) keys(c *gin.Context) {
	keys, err := h.tenants.Keys(c.Request.Context(), c.Param("company_id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, convertAll(keys, toKeyDTO))
}

// revokeKey serves DELETE /admin/keys/{key_id}.
func (h adminHandlers) revokeKey(c *gin.Context) {
	key, err := h.tenants.RevokeKey(c.Request.Context(), c.Param("key_id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toKeyDTO(key))
}

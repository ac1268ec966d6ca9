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
	return companyDTO{CompanyID: c.ID(), Code: string(c.Code()), Name: c.Name(), Status: string(c.Status()), Timestamp: timeJSON(c.CreatedAt())}
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
	api.GET("/me", func(c *gin.Context) {
		c.JSON(http.StatusOK, toCompanyDTO(mustCompany(c)))
	})
}

func registerAdminRoutes(admin *gin.RouterGroup, tenants *app.TenantService) {
	admin.POST("/companies", func(c *gin.Context) {
		var in struct {
			Code string `json:"code"`
			Name string `json:"name"`
		}
		if err := DecodeJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		company, key, err := tenants.CreateCompany(c.Request.Context(), in.Code, in.Name)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, CreatedCompanyView(company, key))
	})
	admin.GET("/companies", func(c *gin.Context) {
		companies, err := tenants.Companies(c.Request.Context())
		if err != nil {
			writeError(c, err)
			return
		}
		out := make([]companyDTO, len(companies))
		for i, co := range companies {
			out[i] = toCompanyDTO(co)
		}
		c.JSON(http.StatusOK, out)
	})
	admin.PUT("/companies/:company_id", func(c *gin.Context) {
		var in struct {
			Name   *string `json:"name"`
			Status *string `json:"status"`
		}
		if err := DecodeJSON(c, &in); err != nil {
			writeError(c, err)
			return
		}
		company, err := tenants.UpdateCompany(c.Request.Context(), c.Param("company_id"), tenant.CompanyChange{Name: in.Name, Status: in.Status})
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, toCompanyDTO(company))
	})
	admin.POST("/companies/:company_id/keys", func(c *gin.Context) {
		var in struct {
			Name string `json:"name"`
		}
		if c.Request.ContentLength != 0 {
			if err := DecodeJSON(c, &in); err != nil {
				writeError(c, err)
				return
			}
		}
		key, err := tenants.CreateKey(c.Request.Context(), c.Param("company_id"), in.Name)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusCreated, toIssuedKeyDTO(key))
	})
	admin.GET("/companies/:company_id/keys", func(c *gin.Context) {
		keys, err := tenants.Keys(c.Request.Context(), c.Param("company_id"))
		if err != nil {
			writeError(c, err)
			return
		}
		out := make([]keyDTO, len(keys))
		for i, k := range keys {
			out[i] = toKeyDTO(k)
		}
		c.JSON(http.StatusOK, out)
	})
	admin.DELETE("/keys/:key_id", func(c *gin.Context) {
		key, err := tenants.RevokeKey(c.Request.Context(), c.Param("key_id"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, toKeyDTO(key))
	})
}

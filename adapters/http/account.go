package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
)

// accountItemDTO is one account of a bulk call. JSON keys match without
// regard to case, as everywhere in the /v1 API.
type accountItemDTO struct {
	Login       string `json:"login"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	CompanyCode string `json:"companyCode"`
}

type accountResultDTO struct {
	Index           int      `json:"index"`
	Login           string   `json:"login"`
	Action          string   `json:"action"`
	RequestedStatus string   `json:"requested_status"`
	AppliedStatus   string   `json:"applied_status,omitempty"`
	Reason          string   `json:"reason,omitempty"`
	Message         string   `json:"message,omitempty"`
	IgnoredFields   []string `json:"ignored_fields,omitempty"`
}

type accountBulkDTO struct {
	Licenses  int                `json:"licenses"`
	Used      int                `json:"used"`
	Available int                `json:"available"`
	Results   []accountResultDTO `json:"results"`
}

type accountDTO struct {
	Login       string `json:"login"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	CompanyCode string `json:"companyCode"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

type accountListDTO struct {
	Licenses  int          `json:"licenses"`
	Used      int          `json:"used"`
	Available int          `json:"available"`
	Accounts  []accountDTO `json:"accounts"`
}

func toAccountBulkDTO(r app.BulkResult) accountBulkDTO {
	out := accountBulkDTO{Licenses: r.Usage.Licenses, Used: r.Usage.Used, Available: r.Usage.Available(),
		Results: make([]accountResultDTO, len(r.Results))}
	for i, res := range r.Results {
		out.Results[i] = accountResultDTO{Index: res.Index, Login: res.Login, Action: string(res.Action),
			RequestedStatus: res.Requested, AppliedStatus: string(res.Applied), Reason: string(res.Reason),
			Message: accountResultMessage(res), IgnoredFields: res.Ignored}
	}
	return out
}

func toAccountListDTO(p app.AccountPage) accountListDTO {
	out := accountListDTO{Licenses: p.Usage.Licenses, Used: p.Usage.Used, Available: p.Usage.Available(),
		Accounts: make([]accountDTO, len(p.Accounts))}
	for i, a := range p.Accounts {
		out.Accounts[i] = accountDTO{Login: a.Login().Display(), Email: a.Email(), Name: a.Name(), Status: string(a.Status()),
			CompanyCode: p.Company.Code().String(), CreatedAt: timeJSON(a.CreatedAt()), UpdatedAt: timeJSON(a.UpdatedAt())}
	}
	return out
}

// decodeAccountItems reads the body of a bulk call: a JSON array of
// accounts. An item that does not decode (a value of the wrong type) is kept
// with its problem, to be rejected by index without spoiling the others.
func decodeAccountItems(c *gin.Context) ([]app.AccountInput, error) {
	notArray := domain.Invalid("type", domain.Params{domain.RuleParam: "accounts_array"}, "body")
	var raw []json.RawMessage
	body, err := readBody(c)
	if err != nil {
		return nil, err // the text rule's problems name their item
	}
	if err := UnmarshalJSON(body, &raw); err != nil {
		if _, ok := err.(*domain.ValidationError); ok {
			return nil, notArray
		}
		return nil, err
	}
	if raw == nil { // a body of null decodes as no array at all
		return nil, notArray
	}
	items := make([]app.AccountInput, len(raw))
	for i, r := range raw {
		var dto accountItemDTO
		err := UnmarshalJSON(r, &dto)
		items[i] = app.AccountInput{Login: dto.Login, Email: dto.Email, Name: dto.Name, Status: dto.Status, CompanyCode: dto.CompanyCode}
		var problem *domain.ValidationError
		switch {
		case errors.As(err, &problem):
			items[i].Problem = problem
		case err != nil: // an item of an array that decoded is JSON: not expected
			return nil, err
		}
	}
	return items, nil
}

func registerAccountRoutes(api *gin.RouterGroup, accounts *app.AccountService) {
	h := accountHandlers{accounts: accounts}
	api.POST("/v1/Accounts/:codeProjet", h.bulk)
	api.GET("/v1/Accounts/:codeProjet", h.list)
}

// accountHandlers serve /v1/Accounts.
type accountHandlers struct{ accounts *app.AccountService }

// bulk serves POST /v1/Accounts/{codeProjet}.
func (h accountHandlers) bulk(c *gin.Context) {
	items, err := decodeAccountItems(c)
	if err != nil {
		writeError(c, err)
		return
	}
	res, err := h.accounts.Bulk(c.Request.Context(), c.Param("codeProjet"), mustCompany(c), items)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, toAccountBulkDTO(res))
}

// list serves GET /v1/Accounts/{codeProjet}.
func (h accountHandlers) list(c *gin.Context) {
	q, err := accountQueryOf(c)
	if err != nil {
		writeError(c, err)
		return
	}
	page, err := h.accounts.List(c.Request.Context(), c.Param("codeProjet"), mustCompany(c), q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("X-Total-Count", strconv.Itoa(page.Total))
	c.JSON(http.StatusOK, toAccountListDTO(page))
}

// accountQueryOf reads the listing parameters: status, companyCode, limit
// (1 to 10000, default 1000) and offset.
func accountQueryOf(c *gin.Context) (app.AccountQuery, error) {
	q := app.AccountQuery{CompanyCode: c.Query("companyCode")}
	problems := &domain.ValidationError{}
	if s, ok := c.GetQuery("status"); ok {
		st, err := account.ParseStatus(s)
		if err != nil {
			problems.Collect(account.StatusEnum()) // a blank status too: the parameter is given
		}
		q.Status = &st
	}
	q.Limit = queryLimit(c, problems, account.PageSize)
	q.Offset = queryOffset(c, problems)
	return q, problems.OrNil()
}

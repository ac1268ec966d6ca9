package httpapi

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/ports"
)

// Clients, sites and equipment (seed 001). Paths, French field names, the 200
// answers (register included), the `true` body of DELETE and the error shapes
// are those of the FastAPI service whose clients already exist.

// clientDTO is an item of GET /clients/all and the answer to register/update.
type clientDTO struct {
	ClientID    string `json:"client_id"`
	Nom         string `json:"nom"`
	Code        int64  `json:"code"`
	Sites       int    `json:"sites"`
	Equipements int    `json:"equipements"`
	Status      string `json:"status"`
	Timestamp   string `json:"timestamp"`
}

func toClientDTO(s client.Summary) clientDTO {
	return clientDTO{ClientID: s.Client.ID(), Nom: s.Client.Nom(), Code: s.Client.Code(), Sites: s.Sites,
		Equipements: s.Equipements, Status: string(s.Client.Status()), Timestamp: timeJSON(s.Client.CreatedAt())}
}

// clientInfosDTO is the answer to GET /clients/{client_id}/infos.
type clientInfosDTO struct {
	ClientID  string         `json:"client_id"`
	Nom       string         `json:"nom"`
	Code      int64          `json:"code"`
	Timestamp string         `json:"timestamp"`
	Sites     []siteCountDTO `json:"sites"`
}

type siteCountDTO struct {
	SiteID      string `json:"site_id"`
	Nom         string `json:"nom"`
	Equipements int    `json:"equipements"`
}

func toClientInfosDTO(d client.Detail) clientInfosDTO {
	out := clientInfosDTO{ClientID: d.Client.ID(), Nom: d.Client.Nom(), Code: d.Client.Code(),
		Timestamp: timeJSON(d.Client.CreatedAt()), Sites: make([]siteCountDTO, len(d.Sites))}
	for i, s := range d.Sites {
		out.Sites[i] = siteCountDTO{SiteID: s.Site.ID(), Nom: s.Site.Nom(), Equipements: s.Equipements}
	}
	return out
}

// siteDTO is a site as its own endpoints show it.
type siteDTO struct {
	SiteID      string `json:"site_id"`
	ClientID    string `json:"client_id"`
	Nom         string `json:"nom"`
	Equipements int    `json:"equipements"`
	Status      string `json:"status"`
	Timestamp   string `json:"timestamp"`
}

func toSiteDTO(s client.SiteSummary) siteDTO {
	return siteDTO{SiteID: s.Site.ID(), ClientID: s.Site.ClientID(), Nom: s.Site.Nom(), Equipements: s.Equipements,
		Status: string(s.Site.Status()), Timestamp: timeJSON(s.Site.CreatedAt())}
}

// equipmentDTO is an equipment; site_id, ip_address and last_seen are null
// when unknown.
type equipmentDTO struct {
	EquipementID string  `json:"equipement_id"`
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Serial       string  `json:"serial"`
	IPAddress    *string `json:"ip_address"`
	SiteID       *string `json:"site_id"`
	Status       string  `json:"status"`
	LastSeen     *string `json:"last_seen"`
	Timestamp    string  `json:"timestamp"`
	// What an inventory agent last reported ("" and null when none did).
	Manufacturer  string  `json:"manufacturer"`
	Model         string  `json:"model"`
	OSName        string  `json:"os_name"`
	OSVersion     string  `json:"os_version"`
	Agent         string  `json:"agent"`
	AgentDeviceID string  `json:"agent_device_id"`
	AgentTag      string  `json:"agent_tag"`
	LastInventory *string `json:"last_inventory"`
}

func toEquipmentDTO(e client.Equipment) equipmentDTO {
	f := e.Facts()
	return equipmentDTO{EquipementID: e.ID(), Name: e.Name(), Type: e.Type(), Serial: e.Serial(), IPAddress: knownIPJSON(e.IPAddress()),
		SiteID: optional(e.SiteID()), Status: string(e.Status()), LastSeen: knownTimeJSON(e.LastSeen()), Timestamp: timeJSON(e.CreatedAt()),
		Manufacturer: f.Manufacturer, Model: f.Model, OSName: f.OSName, OSVersion: f.OSVersion, Agent: f.Agent,
		AgentDeviceID: f.DeviceID, AgentTag: f.Tag, LastInventory: knownTimeJSON(e.LastInventory())}
}

func registerClientRoutes(api *gin.RouterGroup, svc *app.ClientService) {
	h := clientHandlers{svc: svc}
	api.GET("/clients/all", h.list)
	api.POST("/clients/register", h.register)
	api.PUT("/clients/update", h.update)
	api.GET("/clients/:client_id/infos", h.infos)
	api.DELETE("/clients/:client_id", h.deactivate)
	api.POST("/clients/:client_id/sites", h.createSite)
	api.GET("/clients/:client_id/sites", h.sites)
	api.PUT("/sites/:site_id", h.renameSite)
	api.DELETE("/sites/:site_id", h.deactivateSite)
	api.POST("/sites/:site_id/equipements", h.createEquipment)
	api.GET("/sites/:site_id/equipements", h.siteEquipment)
	api.GET("/equipements", h.equipment)
	api.PUT("/equipements/:equipement_id", h.updateEquipment)
	api.DELETE("/equipements/:equipement_id", h.deactivateEquipment)
}

type clientHandlers struct{ svc *app.ClientService }

func companyID(c *gin.Context) string { return mustCompany(c).ID() }

// answer writes v, or err in FastAPI's shape.
func answer(c *gin.Context, v any, err error) {
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// precheck adds the problems of the domain's rules on a decoded body
// (checked before anything is looked up, as FastAPI validates a body before
// calling its handler: a bad body for an unknown id is 422, not 404) to the
// decoding ones, so that one answer lists them all in pydantic's order.
func precheck(ps *problems, checked error, order ...string) {
	_ = ps.merge(checked, "body")
	ps.byField(order...)
}

func (h clientHandlers) list(c *gin.Context) {
	ps := &problems{}
	var q ports.ClientQuery
	q.Limit = ps.queryLimit(c, client.PageSize)
	q.Offset, _ = ps.queryInt(c, "offset", 0, math.MaxInt32)
	q.Status = ps.queryStatus(c)
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	list, total, err := h.svc.Clients(c.Request.Context(), companyID(c), q)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	out := convertAll(list, toClientDTO)
	c.Header("X-Total-Count", strconv.Itoa(total))
	c.JSON(http.StatusOK, out)
}

// clientBody decodes {nom, code} (and client_id when withID).
func clientBody(c *gin.Context, withID bool) (id, nom string, code int64, err error) {
	ps := &problems{}
	obj, err := ps.decodeObject(c)
	if err != nil {
		return "", "", 0, err
	}
	if obj != nil {
		if withID {
			if p, ok := obj.uuid("client_id", true, false); ok {
				id = *p
			}
		}
		var in client.ClientInput
		var ok bool
		if nom, ok = obj.str("nom"); ok {
			in.Nom = &nom
		}
		if code, ok = obj.integer("code"); ok {
			in.Code = &code
		}
		precheck(ps, client.CheckClient(in), "client_id", "nom", "code")
	}
	return id, nom, code, ps.err()
}

func (h clientHandlers) register(c *gin.Context) {
	_, nom, code, err := clientBody(c, false)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	s, err := h.svc.Register(c.Request.Context(), companyID(c), nom, code)
	answer(c, toClientDTO(s), err)
}

func (h clientHandlers) update(c *gin.Context) {
	id, nom, code, err := clientBody(c, true)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	s, err := h.svc.Update(c.Request.Context(), companyID(c), id, nom, code)
	answer(c, toClientDTO(s), err)
}

func (h clientHandlers) infos(c *gin.Context) {
	ps := &problems{}
	id := ps.pathID(c, "client_id")
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	d, err := h.svc.Client(c.Request.Context(), companyID(c), id)
	answer(c, toClientInfosDTO(d), err)
}

func (h clientHandlers) deactivate(c *gin.Context) {
	ps := &problems{}
	id := ps.pathID(c, "client_id")
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	answer(c, true, h.svc.Deactivate(c.Request.Context(), companyID(c), id))
}

// siteBody decodes {nom}, after the path parameter's problems if any.
func siteBody(c *gin.Context, ps *problems) (string, error) {
	obj, err := ps.decodeObject(c)
	if err != nil {
		return "", err
	}
	var nom string
	if obj != nil {
		if name, ok := obj.str("nom"); ok {
			nom = name
			_ = ps.merge(client.CheckSiteName(nom), "body")
		}
	}
	return nom, ps.err()
}

func (h clientHandlers) createSite(c *gin.Context) {
	ps := &problems{}
	clientID := ps.pathID(c, "client_id")
	nom, err := siteBody(c, ps)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	s, err := h.svc.CreateSite(c.Request.Context(), companyID(c), clientID, nom)
	answer(c, toSiteDTO(s), err)
}

func (h clientHandlers) sites(c *gin.Context) {
	ps := &problems{}
	clientID := ps.pathID(c, "client_id")
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	list, err := h.svc.Sites(c.Request.Context(), companyID(c), clientID)
	answer(c, convertAll(list, toSiteDTO), err)
}

func (h clientHandlers) renameSite(c *gin.Context) {
	ps := &problems{}
	id := ps.pathID(c, "site_id")
	nom, err := siteBody(c, ps)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	s, err := h.svc.RenameSite(c.Request.Context(), companyID(c), id, nom)
	answer(c, toSiteDTO(s), err)
}

func (h clientHandlers) deactivateSite(c *gin.Context) {
	ps := &problems{}
	id := ps.pathID(c, "site_id")
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	answer(c, true, h.svc.DeactivateSite(c.Request.Context(), companyID(c), id))
}

var equipmentFields = []string{"name", "type", "serial", "ip_address", "site_id"}

// equipmentBody decodes an equipment's fields; on creation name is required.
func equipmentBody(c *gin.Context, ps *problems, creating bool) (app.EquipmentUpdate, error) {
	var up app.EquipmentUpdate
	obj, err := ps.decodeObject(c)
	if err != nil || obj == nil {
		return up, firstErr(err, ps.err())
	}
	if creating {
		if name, ok := obj.str("name"); ok {
			up.Name = &name
		}
	} else {
		up.Name = obj.optStr("name", false)
	}
	up.Type = obj.optStr("type", true)
	up.Serial = obj.optStr("serial", true)
	up.IPAddress = obj.optStr("ip_address", true)
	if !creating {
		up.SiteID, _ = obj.uuid("site_id", false, true)
	}
	ch := client.EquipmentChange{Name: up.Name, Type: up.Type, Serial: up.Serial, IPAddress: up.IPAddress}
	precheck(ps, client.CheckEquipment(ch), equipmentFields...)
	return up, ps.err()
}

// specOf is the new equipment a decoded body describes; absent texts are "".
func specOf(up app.EquipmentUpdate) client.EquipmentSpec {
	text := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	return client.EquipmentSpec{Name: text(up.Name), Type: text(up.Type), Serial: text(up.Serial), IPAddress: text(up.IPAddress)}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (h clientHandlers) createEquipment(c *gin.Context) {
	ps := &problems{}
	siteID := ps.pathID(c, "site_id")
	up, err := equipmentBody(c, ps, true)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	e, err := h.svc.CreateEquipment(c.Request.Context(), companyID(c), siteID, specOf(up))
	answer(c, toEquipmentDTO(e), err)
}

func (h clientHandlers) siteEquipment(c *gin.Context) {
	ps := &problems{}
	siteID := ps.pathID(c, "site_id")
	q := equipmentQuery(c, ps)
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	list, total, err := h.svc.EquipmentOfSite(c.Request.Context(), companyID(c), siteID, q)
	if err == nil {
		c.Header("X-Total-Count", strconv.Itoa(total))
	}
	answer(c, convertAll(list, toEquipmentDTO), err)
}

func (h clientHandlers) equipment(c *gin.Context) {
	ps := &problems{}
	q := equipmentQuery(c, ps)
	q.Unassigned = ps.queryBool(c, "unassigned")
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	list, total, err := h.svc.Equipment(c.Request.Context(), companyID(c), q)
	if err == nil {
		c.Header("X-Total-Count", strconv.Itoa(total))
	}
	answer(c, convertAll(list, toEquipmentDTO), err)
}

func equipmentQuery(c *gin.Context, ps *problems) ports.EquipmentQuery {
	var q ports.EquipmentQuery
	q.Limit = ps.queryLimit(c, client.PageSize)
	q.Offset, _ = ps.queryInt(c, "offset", 0, math.MaxInt32)
	q.Status = ps.queryStatus(c)
	return q
}

func (h clientHandlers) updateEquipment(c *gin.Context) {
	ps := &problems{}
	id := ps.pathID(c, "equipement_id")
	up, err := equipmentBody(c, ps, false)
	if err != nil {
		writeFastAPIError(c, err)
		return
	}
	e, err := h.svc.UpdateEquipment(c.Request.Context(), companyID(c), id, up)
	answer(c, toEquipmentDTO(e), err)
}

func (h clientHandlers) deactivateEquipment(c *gin.Context) {
	ps := &problems{}
	id := ps.pathID(c, "equipement_id")
	if err := ps.err(); err != nil {
		writeFastAPIError(c, err)
		return
	}
	answer(c, true, h.svc.DeactivateEquipment(c.Request.Context(), companyID(c), id))
}

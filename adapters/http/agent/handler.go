// Package agent serves the protocols of deployed inventory agents: the OCS
// XML protocol that the OCS Inventory and FusionInventory agents speak, and
// GLPI Agent's JSON protocol, on one path. It authenticates a company by
// its API key, given as the HTTP Basic password, and hands each inventory
// to app.AgentService.
package agent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/domain/tenant"
)

// Authenticator resolves an API key to its company (app.TenantService).
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (tenant.Company, error)
}

// Inventories stores an agent's inventory (app.AgentService).
type Inventories interface {
	Inventory(ctx context.Context, companyID string, r inventory.Report) (app.AgentResult, error)
}

// Config sets the handler's limits and hooks.
type Config struct {
	// BodyLimit bounds a body as sent and once inflated, in bytes.
	BodyLimit int64
	// AuthFailed, when set, is told of every request whose credentials
	// were refused, so that failed attempts count toward the throttling
	// of every other failed authentication.
	AuthFailed func(r *http.Request)
}

// Handler answers the agents. Mount it for POST on /ocsinventory and the
// aliases the README documents.
type Handler struct {
	cfg  Config
	auth Authenticator
	svc  Inventories
	log  *slog.Logger
}

// New builds the handler.
func New(cfg Config, auth Authenticator, svc Inventories, log *slog.Logger) *Handler {
	return &Handler{cfg: cfg, auth: auth, svc: svc, log: log}
}

// challenge is the 401 challenge; its realm is empty because's realm: the OCS agent answers a challenge only
// the OCS agent answers a challenge only when the realm equals its --realm
// option, empty by default. FusionInventory needs exactly this form.
const challenge = `Basic realm=""`

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := replyTo(r)
	key := credential(r)
	if key == "" {
		h.refuse(w, r)
		return
	}
	company, err := h.auth.Authenticate(r.Context(), key)
	if err != nil {
		if errors.Is(err, domain.ErrUnauthenticated) || errors.Is(err, domain.ErrForbidden) {
			h.authFailed(r)
			h.refuse(w, r)
			return
		}
		h.discard(w, r)
		h.fail(w, r, out, "", err)
		return
	}
	body, kind, err := inflate(http.MaxBytesReader(w, r.Body, h.cfg.BodyLimit), h.cfg.BodyLimit)
	if err != nil {
		h.fail(w, r, out, company.ID(), err)
		return
	}
	out.kind = kind
	br := bufio.NewReader(body)
	first, err := firstByte(br)
	if err != nil {
		h.fail(w, r, out, company.ID(), err)
		return
	}
	if first == '{' {
		out.json = true
		h.serveJSON(w, r, out, company.ID(), br)
		return
	}
	h.serveXML(w, r, out, company.ID(), br)
}

// authFailed is the one place a refused credential is reported.
func (h *Handler) authFailed(r *http.Request) {
	if h.cfg.AuthFailed != nil {
		h.cfg.AuthFailed(r)
	}
}

// credential is the API key: the password of HTTP Basic (the user name is
// not used), else the Authorization header as the rest of the API reads it.
func credential(r *http.Request) string {
	if _, password, ok := r.BasicAuth(); ok {
		return strings.TrimSpace(password)
	}
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	if scheme, _, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Basic") {
		return "" // malformed Basic credentials
	}
	return h
}

// refuse answers 401 with the one challenge form both agents accept. The
// body, which FusionInventory sends in full with every try, is read and
// dropped without inflating it, up to the body limit.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request) {
	h.discard(w, r)
	w.Header().Set("WWW-Authenticate", challenge)
	w.WriteHeader(http.StatusUnauthorized)
}

func (h *Handler) discard(w http.ResponseWriter, r *http.Request) {
	n, _ := io.CopyN(io.Discard, r.Body, h.cfg.BodyLimit)
	if n >= h.cfg.BodyLimit {
		w.Header().Set("Connection", "close")
	}
}

// firstByte peeks the first byte that is not white space.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, invalid("the body is empty")
			}
			return 0, corrupt(err)
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			_, _ = br.ReadByte()
			continue
		}
		return b[0], nil
	}
}

func (h *Handler) serveXML(w http.ResponseWriter, r *http.Request, out reply, companyID string, body io.Reader) {
	req, err := decodeOCS(body)
	if err != nil {
		h.fail(w, r, out, companyID, err)
		return
	}
	switch strings.TrimSpace(req.Query) {
	case "PROLOG":
		if r.Header.Get("GLPI-Agent-ID") != "" {
			// GLPI Agent: a JSON answer switches it to its JSON protocol.
			out.json = true
			writeJSON(w, out, http.StatusOK, okJSON)
			return
		}
		writeXML(w, http.StatusOK, prologXML)
	case "INVENTORY":
		req.Report.Facts.Agent = agentKind(r)
		if req.Report.Facts.Agent == client.AgentFusionInventory {
			// FusionInventory encodes its command line's text to UTF-8
			// twice: --tag Zürich arrives as "ZÃ¼rich".
			req.Report.Facts.Tag = undoDoubleUTF8(req.Report.Facts.Tag)
		}
		if !h.store(w, r, out, companyID, req.Report) {
			return
		}
		writeXML(w, http.StatusOK, inventoryXML)
	case "":
		h.fail(w, r, out, companyID, invalid("the REQUEST has no QUERY"))
	default:
		h.fail(w, r, out, companyID, invalid("QUERY %q is not one Parc answers (PROLOG, INVENTORY)", client.Fit(req.Query, 32)))
	}
}

func (h *Handler) serveJSON(w http.ResponseWriter, r *http.Request, out reply, companyID string, body io.Reader) {
	req, err := decodeGLPI(body)
	if err != nil {
		h.fail(w, r, out, companyID, err)
		return
	}
	switch strings.ToLower(strings.TrimSpace(req.Action)) {
	case "contact":
		writeJSON(w, out, http.StatusOK, okJSON)
	case "inventory":
		rep, err := req.report()
		if err != nil {
			h.fail(w, r, out, companyID, err)
			return
		}
		rep.Facts.Agent = client.AgentGLPI
		if h.store(w, r, out, companyID, rep) {
			writeJSON(w, out, http.StatusOK, okJSON)
		}
	case "":
		h.fail(w, r, out, companyID, invalid("the JSON request has no action"))
	default:
		h.fail(w, r, out, companyID, invalid("action %q is not one Parc answers (contact, inventory)", client.Fit(req.Action, 32)))
	}
}

// store hands the report to the use case; false when it answered an error.
func (h *Handler) store(w http.ResponseWriter, r *http.Request, out reply, companyID string, rep inventory.Report) bool {
	res, err := h.svc.Inventory(r.Context(), companyID, rep)
	if err != nil {
		h.fail(w, r, out, companyID, err)
		return false
	}
	h.log.InfoContext(r.Context(), "agent inventory", "company_id", companyID, "equipment_id", res.EquipmentID,
		"agent", rep.Facts.Agent, "installed", res.Installed, "updated", res.Updated, "removed", res.Removed,
		"unchanged", res.Unchanged, "placed", res.Placed)
	return true
}

// undoDoubleUTF8 decodes text that was UTF-8-encoded twice: each of its
// characters is then a byte (U+0000 to U+00FF), and those bytes are valid
// UTF-8 holding at least one multi-byte character. Any other text is
// answered as it is, so a real "Ã¼" typed by someone who meant it stays.
func undoDoubleUTF8(s string) string {
	b := make([]byte, 0, len(s))
	multi := false
	for _, r := range s {
		if r > 0xff {
			return s
		}
		multi = multi || r >= 0x80
		b = append(b, byte(r))
	}
	if !multi || !utf8.Valid(b) {
		return s
	}
	return string(b)
}

// agentKind tells the agent by its User-Agent and headers.
func agentKind(r *http.Request) string {
	ua := r.UserAgent()
	switch {
	case r.Header.Get("GLPI-Agent-ID") != "", strings.HasPrefix(ua, "GLPI-Agent"):
		return client.AgentGLPI
	case strings.HasPrefix(ua, "FusionInventory"):
		return client.AgentFusionInventory
	case strings.HasPrefix(ua, "OCS-NG"), strings.Contains(ua, "OCS"):
		return client.AgentOCS
	}
	return ""
}

// fail answers err in the request's protocol. Bad input is 400 (413 past
// the body limit); a storage that does not answer is 503, anything else 500,
// logged with its cause. No redirect, ever.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, out reply, companyID string, err error) {
	status := http.StatusInternalServerError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, errTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, domain.ErrInvalid):
		status = http.StatusBadRequest
	case errors.Is(err, domain.ErrUnavailable):
		status = http.StatusServiceUnavailable
	}
	msg := publicMessage(err, status)
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "agent request failed", "company_id", companyID, "error", err)
	} else {
		h.log.InfoContext(r.Context(), "agent request refused", "company_id", companyID, "status", status,
			"user_agent", client.Fit(r.UserAgent(), 128), "error", err)
	}
	if status == http.StatusRequestEntityTooLarge {
		w.Header().Set("Connection", "close")
	}
	if out.json {
		writeJSON(w, out, status, errorJSON(msg))
		return
	}
	writeXML(w, status, errorXML(msg))
}

// publicMessage is what the agent reads: the message of the domain error
// built where the input was found bad, never text cut out of Error().
func publicMessage(err error, status int) string {
	var (
		typed  *domain.Error
		tooBig *http.MaxBytesError
	)
	switch {
	case status >= http.StatusInternalServerError:
		return "the inventory could not be stored; the agent may send it again"
	case errors.As(err, &typed):
		return typed.Message()
	case errors.As(err, &tooBig):
		return fmt.Sprintf("the body exceeds the limit of %d bytes", tooBig.Limit)
	}
	return "the request is invalid"
}

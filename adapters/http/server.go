package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Server serves an engine and shuts down gracefully: it stops accepting,
// lets requests in flight finish, then returns.
type Server struct {
	srv               *http.Server
	log               *slog.Logger
	ln                net.Listener
	certFile, keyFile string
}

// NewServer prepares a server for the engine on cfg.Addr.
// The body's own deadline is set per request (see bodyGuard); the write
// deadline covers the request budget and the time to send the answer.
func NewServer(cfg Config, engine *gin.Engine, log *slog.Logger) *Server {
	cfg = cfg.withDefaults()
	return &Server{log: log, certFile: cfg.TLSCertFile, keyFile: cfg.TLSKeyFile, srv: &http.Server{
		Addr:              cfg.Addr,
		Handler:           Compress(engine),
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + cfg.WriteTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}}
}

// Start listens and serves in the background.
func (s *Server) Start(context.Context) error {
	var tlsConfig *tls.Config
	if s.certFile != "" {
		// Loaded here so that a bad certificate fails the start, not the
		// first handshake.
		cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
		if err != nil {
			return fmt.Errorf("TLS certificate (PARC_TLS_CERT_FILE, PARC_TLS_KEY_FILE): %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.srv.Addr, err)
	}
	scheme := "http"
	if tlsConfig != nil {
		s.srv.TLSConfig = tlsConfig
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	s.ln = ln
	s.log.Info("serving HTTP", "addr", ln.Addr().String(), "scheme", scheme)
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("HTTP server stopped", "error", err)
		}
	}()
	return nil
}

// Addr is the address actually listened on (useful with port 0).
func (s *Server) Addr() string {
	if s.ln == nil {
		return s.srv.Addr
	}
	return s.ln.Addr().String()
}

// Stop drains in-flight requests until ctx ends.
func (s *Server) Stop(ctx context.Context) error {
	s.log.Info("shutting down HTTP server")
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down HTTP server: %w", err)
	}
	return nil
}

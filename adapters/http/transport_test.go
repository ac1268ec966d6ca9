package httpapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "parc test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestServerSpeaksTLSWhenGivenACertificate(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/ping", func(c *gin.Context) { c.String(http.StatusOK, "pong") })
	certFile, keyFile, pool := selfSigned(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httpapi.NewServer(httpapi.Config{Addr: "127.0.0.1:0", TLSCertFile: certFile, TLSKeyFile: keyFile}, engine, quiet)
	require.NoError(t, srv.Start(context.Background()))
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + srv.Addr() + "/ping")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "pong", string(body))

	_, err = http.Get("http://" + srv.Addr() + "/ping")
	if err == nil {
		t.Log("plain HTTP got an answer (the TLS server's 400), not the API")
	}

	bad := httpapi.NewServer(httpapi.Config{Addr: "127.0.0.1:0", TLSCertFile: keyFile, TLSKeyFile: certFile}, engine, quiet)
	err = bad.Start(context.Background())
	require.Error(t, err, "a wrong certificate fails the start")
	assert.True(t, strings.HasPrefix(err.Error(), "TLS certificate"), err.Error())
}

// Answers of 1 KiB and more are compressed for clients that accept gzip;
// small ones are not, as compressing them gains nothing.
func TestCompressGzipsLargeAnswersOnly(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/big", func(c *gin.Context) { c.String(http.StatusOK, strings.Repeat("parc ", 1000)) })
	engine.GET("/small", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	h := httpapi.Compress(engine)
	get := func(path, accept string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		rec := newRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	big := get("/big", "gzip")
	assert.Equal(t, "gzip", big.Header.Get("Content-Encoding"))
	assert.Contains(t, big.Header.Values("Vary"), "Accept-Encoding")
	assert.Empty(t, get("/big", "").Header.Get("Content-Encoding"), "not asked for")
	assert.Empty(t, get("/small", "gzip").Header.Get("Content-Encoding"), "under 1 KiB")
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// BenchmarkSmallAnswer compares a small answer (GET /healthz-sized) served
// bare and through Compress, for a client that accepts gzip: the wrapper
// must cost little when it does not compress.
func BenchmarkSmallAnswer(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	engine.GET("/small", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare", engine}, {"compress", httpapi.Compress(engine)}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/small", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}

package codec

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"go.temporal.io/sdk/converter"
)

// Handler serves the codec to the Temporal UI (POST .../encode and
// .../decode, Temporal's codec server protocol). A request must carry the
// token, as "Authorization: Bearer TOKEN" or as the first path element
// (an endpoint http://host:port/TOKEN for a UI that sends no credentials);
// browsers may call it from the given origins only.
func (c *Codec) Handler(token string, origins []string) http.Handler {
	codec := converter.NewPayloadCodecHTTPHandler(c.chain()...)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			if !slices.Contains(origins, o) {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusOK)
			return
		}
		if !authorized(r, token) {
			http.Error(w, "a codec request needs herd's codec token", http.StatusUnauthorized)
			return
		}
		codec.ServeHTTP(w, r)
	})
}

func authorized(r *http.Request, token string) bool {
	same := func(given string) bool { return subtle.ConstantTimeCompare([]byte(given), []byte(token)) == 1 }
	if token == "" {
		return false
	}
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && same(bearer) {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return same(first)
}

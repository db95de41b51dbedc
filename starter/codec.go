package starter

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdhq/herd/codec"
	"github.com/herdhq/herd/secrets"
)

// codecServerCommand is `herd codec-server`: the codec for a Temporal UI.
func (app *App) codecServerCommand() *cobra.Command {
	listen, token := "127.0.0.1:8234", envOr("HERD_CODEC_TOKEN", "")
	var origins []string
	cmd := &cobra.Command{
		Use:   "codec-server",
		Short: "serve the payload codec to a Temporal Web UI, so that a person reads herd's encrypted payloads",
		Long: `Codec-server decrypts (and encrypts) herd's payloads for a Temporal Web UI,
with keys derived from the master key (--secret-file). Point the UI's codec
endpoint at http://LISTEN/TOKEN (or have it send "Authorization: Bearer
TOKEN"), and allow the UI's address with --origin. Without --token (or
HERD_CODEC_TOKEN) a random one is made and printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cd, err := codec.Load(app.SecretFile)
			if err != nil {
				return usage(err)
			}
			if len(origins) == 0 {
				return usage(errors.New("--origin: give the address the Temporal UI is served from, e.g. http://localhost:8233"))
			}
			if token == "" {
				token = newToken()
				fmt.Fprintf(cmd.OutOrStdout(), "codec token: %s\n", token)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "codec server for %v: http://%s/%s\n", origins, listen, token)
			srv := &http.Server{Addr: listen, Handler: cd.Handler(token, origins), ReadHeaderTimeout: 10 * time.Second}
			go func() { <-cmd.Context().Done(); _ = srv.Close() }()
			if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("codec server on %s: %w", listen, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", listen, "address to serve on")
	cmd.Flags().StringVar(&token, "token", token, "the token a request must carry (HERD_CODEC_TOKEN)")
	cmd.Flags().StringArrayVar(&origins, "origin", nil, "an origin the Temporal UI is served from (repeatable)")
	return cmd
}

// serveCodecForUI serves the codec to the embedded UI on loopback, with a
// fresh token in its endpoint.
func (app *App) serveCodecForUI(f DevFlags) (string, func(), error) {
	cd, err := codec.Load(app.SecretFile)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(f.CodecPort)))
	if err != nil {
		return "", nil, fmt.Errorf("codec server for the UI on port %d (--codec-port): %w", f.CodecPort, err)
	}
	token, ui := newToken(), strconv.Itoa(f.UIPort)
	srv := &http.Server{Handler: cd.Handler(token, []string{"http://localhost:" + ui, "http://127.0.0.1:" + ui}), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("codec server stopped", "err", err)
		}
	}()
	return "http://" + ln.Addr().String() + "/" + token, func() { _ = srv.Close() }, nil
}

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secretsCommand is `herd secrets`.
func (app *App) secretsCommand() *cobra.Command {
	cmd := group("secrets", "manage the master key's payload keys")
	cmd.AddCommand(app.secretsInitCommand(), &cobra.Command{
		Use:   "rotate",
		Short: "encrypt new payloads with a new key; older keys still decrypt old histories",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kf, err := secrets.ReadKeyFile(app.SecretFile)
			if err != nil {
				return usage(err)
			}
			kf.Codec++
			if err := kf.Write(app.SecretFile); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "new payloads use key generation %d; generations 1-%d still decrypt. Give workers and clients the new %s and restart them.\n",
				kf.Codec, kf.Codec-1, app.SecretFile)
			return nil
		},
	})
	return cmd
}

// secretsInitCommand is `herd secrets init`: a new master key for a new
// deployment, never over an existing one.
func (app *App) secretsInitCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "create the master key of a new deployment at --secret-file (every worker and client of it shares this one file)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(app.SecretFile); err == nil {
				return usage(fmt.Errorf("%s already exists: a deployment has one master key, shared by all its workers; copy that file, never make a second one", app.SecretFile))
			}
			if _, err := secrets.LoadOrCreate(app.SecretFile); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "master key written to %s (mode 0600): give every worker of this deployment a copy of it, and keep one safe; without it, cluster credentials and workflow payloads cannot be recovered\n", app.SecretFile)
			return nil
		},
	}
}

// Command parc serves the Parc API and administers its database.
//
//	parc serve                       run the HTTP API (migrates the schema first)
//	parc migrate                     create or upgrade the schema, then exit
//	parc company create --code C --name N
//	parc company update --code C [--name N] [--status active|disabled]
//	parc company list
//	parc key create --company C [--name N]
//	parc key list --company C
//	parc key revoke PREFIX
//	parc project create --code C --licenses N --companies A,B [--owner A] [--name N]
//	parc project update --code C [--name N] [--licenses N] [--companies A,B] [--owner A]
//	parc project list
//
// Configuration comes from the environment (PARC_DATABASE_URL, PARC_ADDR,
// PARC_ADMIN_TOKEN, ...; see the README) and --database-url / --addr flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "parc:", err)
		var usage usageError
		if errors.As(err, &usage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: parc <command> [flags]

commands:
  serve                                 serve the HTTP API (migrates the schema first)
  migrate                               create or upgrade the schema, then exit
  company create --code CODE --name N   create a company; prints its first API key
  company update --code CODE [--name N] [--status active|disabled]
                                        rename, disable or re-enable a company
  company list                          list companies
  key create --company CODE [--name N]  issue another API key for a company
  key list --company CODE               list a company's keys
  key revoke PREFIX                     revoke a key by its public prefix
  project create --code C --licenses N --companies A,B [--owner A] [--name N]
  project update --code C [--name N] [--licenses N] [--companies A,B] [--owner A]
                                        change a project (--owner "" removes the owner)
  project list                          list projects

every command takes --database-url (env PARC_DATABASE_URL); serve also --addr (env PARC_ADDR)`

// command is one CLI verb: it registers its flags, then runs.
type command struct {
	flags func(fs *flag.FlagSet) // may be nil
	run   func(ctx context.Context, cfg *config, args []string, stdout io.Writer) error
}

func commands() map[string]command {
	cmds := map[string]command{
		"serve":   {run: serve},
		"migrate": {run: migrate},
	}
	for name, c := range adminCommands() {
		cmds[name] = c
	}
	return cmds
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	name, rest := args[0], args[1:]
	if _, ok := commands()[name]; !ok && len(rest) > 0 {
		name, rest = args[0]+" "+args[1], args[2:]
	}
	cmd, ok := commands()[name]
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q\n\n%s", name, usage)}
	}
	fs := flag.NewFlagSet("parc "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := loadConfig(fs)
	if err != nil {
		return err
	}
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err.Error()}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cmd.run(ctx, cfg, fs.Args(), stdout)
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: cfg.LogLevel}))
}

// Command parc serves the Parc API and administers its database.
//
// Run `parc help` for the list of commands, `parc help COMMAND` or
// `parc COMMAND --help` for one command's flags. Configuration comes from
// the environment (PARC_DATABASE_URL, PARC_ADDR, PARC_ADMIN_TOKEN, ...; see
// the README) and from the --database-url and --addr flags.
//
// Each command lives in its own file (serve.go, migrate.go, company_create.go,
// ...) and is listed once in commands.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/domain"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			if usage.msg != "" {
				fmt.Fprintln(os.Stderr, "parc:", usage.msg)
			}
			if usage.help != "" {
				fmt.Fprintln(os.Stderr, usage.help)
			}
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "parc:", describe(err))
		os.Exit(1)
	}
}

// describe is what the command line prints of a failure: invalid input in
// the words the API answers it with (problems carry codes, not prose, and
// are worded by the HTTP adapter), anything else as its text.
func describe(err error) string {
	var invalid *domain.ValidationError
	if errors.As(err, &invalid) {
		return "invalid input: " + httpapi.ProblemsText(invalid.Problems)
	}
	return err.Error()
}

// usageError is a command line Parc cannot run: the process exits 2 and
// prints the message, then the help that applies.
type usageError struct{ msg, help string }

func (e usageError) Error() string {
	if e.help == "" {
		return e.msg
	}
	return e.msg + "\n\n" + e.help
}

// run parses args and runs the command they name.
func run(args []string, stdout, _ io.Writer) error {
	if len(args) == 0 {
		return usageError{help: mainUsage()}
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(args[1:], stdout)
	case "--version", "-version":
		if len(args) > 1 {
			return usageError{msg: fmt.Sprintf("unexpected argument %q after %s", args[1], args[0])}
		}
		return printVersion(stdout)
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		return unknownCommand(args, stdout)
	}
	return cmd.execute(rest, stdout)
}

// help prints the usage of the command named by args, or of them all.
func help(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stdout, mainUsage())
		return nil
	}
	if cmd, rest := lookup(args); cmd != nil && len(rest) == 0 {
		fmt.Fprintln(stdout, cmd.usage())
		return nil
	}
	if len(args) == 1 && isGroup(args[0]) {
		fmt.Fprintln(stdout, groupUsage(args[0]))
		return nil
	}
	return usageError{msg: fmt.Sprintf("no help for unknown command %q", joinArgs(args)), help: mainUsage()}
}

// unknownCommand explains args that name no command: a group alone or with
// --help prints the group's commands.
func unknownCommand(args []string, stdout io.Writer) error {
	if isGroup(args[0]) {
		if len(args) == 2 && isHelpFlag(args[1]) {
			fmt.Fprintln(stdout, groupUsage(args[0]))
			return nil
		}
		if len(args) == 1 {
			return usageError{msg: fmt.Sprintf("%s needs a subcommand", args[0]), help: groupUsage(args[0])}
		}
		return usageError{msg: fmt.Sprintf("unknown command %q", args[0]+" "+args[1]), help: groupUsage(args[0])}
	}
	return usageError{msg: fmt.Sprintf("unknown command %q", args[0]), help: mainUsage()}
}

func isHelpFlag(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: cfg.LogLevel}))
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// commands lists every command, in the order `parc help` shows them. Each
// is defined in its own file.
func commands() []*command {
	return []*command{
		serveCommand, migrateCommand, migrateStatusCommand, versionCommand, openapiCommand,
		companyCreateCommand, companyUpdateCommand, companyListCommand,
		keyCreateCommand, keyListCommand, keyRevokeCommand,
		projectCreateCommand, projectUpdateCommand, projectListCommand,
	}
}

// command is one thing parc does: `parc serve`, `parc company create`, ...
type command struct {
	name     string // "serve", "company create"
	synopsis string // flags and arguments, for the usage line
	summary  string // one line for `parc help`
	nargs    int    // positional arguments it takes, exactly
	database bool   // takes --database-url
	// setup declares the command's own flags on fs and returns what runs
	// once they are parsed, with the positional arguments.
	setup func(fs *flag.FlagSet, cfg *config) func(ctx context.Context, args []string, out io.Writer) error
}

// lookup finds the command args start with: a two-word one first.
func lookup(args []string) (*command, []string) {
	if len(args) >= 2 {
		for _, c := range commands() {
			if c.name == args[0]+" "+args[1] {
				return c, args[2:]
			}
		}
	}
	for _, c := range commands() {
		if len(args) >= 1 && c.name == args[0] {
			return c, args[1:]
		}
	}
	return nil, nil
}

// isGroup reports whether name is the first word of two-word commands.
func isGroup(name string) bool {
	for _, c := range commands() {
		if group, _, two := strings.Cut(c.name, " "); two && group == name {
			return true
		}
	}
	return false
}

// flagSet builds the command's flags, with the shared ones it takes.
func (c *command) flagSet(cfg *config) (*flag.FlagSet, func(context.Context, []string, io.Writer) error) {
	fs := flag.NewFlagSet("parc "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by main, once
	if c.database {
		fs.StringVar(&cfg.DB.URL, "database-url", cfg.DB.URL, "database URL: sqlite:PATH, postgres://… or mysql://… (env PARC_DATABASE_URL)")
	}
	var runFn func(context.Context, []string, io.Writer) error
	if c.setup != nil {
		runFn = c.setup(fs, cfg)
	}
	return fs, runFn
}

// execute parses the command's flags and arguments, then runs it. A flag
// or argument it does not take is refused before anything happens.
func (c *command) execute(args []string, stdout io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fs, runFn := c.flagSet(cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, c.usage())
			return nil
		}
		return usageError{msg: err.Error(), help: c.usage()}
	}
	rest := fs.Args()
	switch {
	case len(rest) > c.nargs:
		extra := rest[c.nargs]
		msg := fmt.Sprintf("unexpected argument %q (a value with spaces needs quotes: --name \"New Name\")", extra)
		if strings.HasPrefix(extra, "-") {
			msg = fmt.Sprintf("unexpected argument %q: flags go before the arguments", extra)
		}
		return usageError{msg: msg, help: c.usage()}
	case len(rest) < c.nargs:
		return usageError{msg: fmt.Sprintf("%s needs %s", c.name, c.synopsis), help: c.usage()}
	}
	ctx, stop := signalContext()
	defer stop()
	err = runFn(ctx, rest, stdout)
	var usage usageError
	if errors.As(err, &usage) && usage.help == "" {
		usage.help = c.usage()
		return usage
	}
	return err
}

// usage is the command's help: its usage line, summary and own flags.
func (c *command) usage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: parc %s", c.name)
	if c.synopsis != "" {
		fmt.Fprintf(&b, " %s", c.synopsis)
	}
	fmt.Fprintf(&b, "\n\n%s\n", c.summary)
	cfg := &config{}
	fs, _ := c.flagSet(cfg)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\nflags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
	}
	return strings.TrimRight(b.String(), "\n")
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString("usage: parc <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-16s %s\n", c.name, c.summary)
	}
	b.WriteString("\n`parc help COMMAND` or `parc COMMAND --help` shows a command's flags.\n" +
		"Settings come from the environment (PARC_DATABASE_URL, PARC_ADDR, PARC_ADMIN_TOKEN, ...; see the README).")
	return b.String()
}

func groupUsage(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: parc %s <command> [flags]\n\ncommands:\n", group)
	for _, c := range commands() {
		if strings.HasPrefix(c.name, group+" ") {
			fmt.Fprintf(&b, "  %-16s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(&b, "\n`parc %s COMMAND --help` shows a command's flags.", group)
	return b.String()
}

func joinArgs(args []string) string { return strings.Join(args, " ") }

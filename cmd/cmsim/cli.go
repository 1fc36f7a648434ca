package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

// command is one subcommand: its usage line, help text, flags and action.
type command struct {
	usage string // "run FILE|BUILTIN [flags]"
	short string
	long  string
	flags func(fs *pflag.FlagSet) any // registers flags, returns the options value
	args  func(n int) bool            // accepted argument counts
	run   func(env *env, opts any, args []string) error
}

func (c *command) name() string {
	name, _, _ := strings.Cut(c.usage, " ")
	return name
}

// env is what a command may touch: its writers.
type env struct {
	stdout, stderr io.Writer
}

// usageError is a bad invocation or bad input: exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

var commands []*command

func lookup(name string) *command {
	for _, c := range commands {
		if c.name() == name {
			return c
		}
	}
	return nil
}

// cmsim runs the CLI with args (without the program name) and returns the
// exit code.
func cmsim(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		// The default: the quickstart scenario into ./cmsim-out.
		args = []string{"run", "quickstart"}
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 && name == "help" {
			if c := lookup(args[1]); c != nil {
				printCommandHelp(stdout, c, nil)
				return exitOK
			}
			if text, ok := helpTopics[args[1]]; ok {
				io.WriteString(stdout, text)
				return exitOK
			}
			fmt.Fprintf(stderr, "cmsim: no such command or help topic %q\n", args[1])
			return exitUsage
		}
		printHelp(stdout)
		return exitOK
	case "-v", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "cmsim: no such command %q\n", name)
		printHelp(stderr)
		return exitUsage
	}
	fs := pflag.NewFlagSet(c.name(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	var opts any
	if c.flags != nil {
		opts = c.flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			printCommandHelp(stdout, c, fs)
			return exitOK
		}
		fmt.Fprintf(stderr, "cmsim %s: %v\n", c.name(), err)
		fmt.Fprintf(stderr, "usage: cmsim %s (see 'cmsim help %s')\n", c.usage, c.name())
		return exitUsage
	}
	if c.args != nil && !c.args(fs.NArg()) {
		fmt.Fprintf(stderr, "cmsim %s: wrong number of arguments\nusage: cmsim %s\n", c.name(), c.usage)
		return exitUsage
	}
	if err := c.run(e, opts, fs.Args()); err != nil {
		fmt.Fprintf(stderr, "cmsim: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			return exitUsage
		}
		return exitRuntime
	}
	return exitOK
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `cmsim simulates how long Kubernetes pods take to see ConfigMap and Secret
updates, and what keeping them fresh costs the apiserver.

Usage:
  cmsim                   run the built-in quickstart scenario into ./cmsim-out
  cmsim <command> [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name(), c.short)
	}
	fmt.Fprint(w, `
Run 'cmsim help <command>' for a command's flags, 'cmsim help scenario' for
the scenario file reference and 'cmsim help output' for the output files.
`)
}

func printCommandHelp(w io.Writer, c *command, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "usage: cmsim %s\n\n%s\n", c.usage, strings.TrimSpace(c.long))
	if fs == nil && c.flags != nil {
		fs = pflag.NewFlagSet(c.name(), pflag.ContinueOnError)
		fs.SortFlags = false
		c.flags(fs)
	}
	if fs != nil && fs.HasFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", fs.FlagUsages())
	}
}

func exactly(n int) func(int) bool { return func(k int) bool { return k == n } }

func atLeast(n int) func(int) bool { return func(k int) bool { return k >= n } }

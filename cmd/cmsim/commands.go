package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"cmsim/scenarios"

	"github.com/spf13/pflag"
)

func init() {
	commands = []*command{runCommand, planCommand, mergeCommand, diffCommand, validateCommand, scenariosCommand, plotCommand, importCommand, lintCommand, versionCommand}
}

var validateCommand = &command{
	usage: "validate FILE|BUILTIN|MANIFESTS... [--set PATH=VALUE]...",
	short: "check a scenario and print it with every default filled in",
	long: `Validate loads a scenario file (or a built-in by name), applies --set
overrides, checks it and prints the resolved scenario, then, as comments,
what each point's settings imply: the Cache TTL in force (cacheTTL: auto
resolved by cluster size) and the expected latency bound, 1.5 ×
syncFrequency + the Cache TTL (Cache only) + the sync tick and volume loops.
A problem is reported with the file, line, column and field, and exit code 2.
A folder, a Kubernetes manifest file, several of them or - (stdin) are
imported first, as 'cmsim import' does.`,
	flags: func(fs *pflag.FlagSet) any {
		return fs.StringArray("set", nil, "override a scenario value by dotted `PATH=VALUE` (repeatable)")
	},
	args: atLeast(1),
	run: func(e *env, opts any, args []string) error {
		s, err := loadScenario(args, *opts.(*[]string))
		if err != nil {
			return err
		}
		points, err := s.Points()
		if err != nil {
			return usageError{err}
		}
		fmt.Fprintf(e.stdout, "# %s: valid, %d point(s) × %d replication(s)\n", s.Source, len(points), s.Replications)
		if _, err := e.stdout.Write(s.ResolvedYAML()); err != nil {
			return err
		}
		return printDerived(e.stdout, points)
	},
}

var scenariosCommand = &command{
	usage: "scenarios",
	short: "list the built-in scenarios",
	long:  `Scenarios lists the scenarios built into cmsim. Run one with 'cmsim run NAME'; print its YAML with 'cmsim validate NAME'.`,
	args:  exactly(0),
	run: func(e *env, _ any, _ []string) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		for _, b := range scenarios.Builtins() {
			fmt.Fprintf(tw, "%s\t%s\n", b.Name, b.Description)
		}
		return tw.Flush()
	},
}

var versionCommand = &command{
	usage: "version",
	short: "print the module version, VCS revision and Go version",
	long: `Version prints cmsim's module version, the VCS revision it was built
from (with its time, and "modified" when the checkout had uncommitted
changes) and the Go version. The revision is recorded by 'go build' in a git
clone; a binary built with -buildvcs=false (or GOFLAGS=-buildvcs=false), or
from a tree without a .git folder (a tarball, or a git worktree, whose .git
is a file Go does not follow), has none and says so.`,
	args: exactly(0),
	run: func(e *env, _ any, _ []string) error {
		bi, ok := debug.ReadBuildInfo()
		_, err := io.WriteString(e.stdout, versionText(bi, ok))
		return err
	},
}

// versionText formats the build information of a binary.
func versionText(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "cmsim (no build information)\n"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	set := map[string]string{}
	for _, s := range bi.Settings {
		set[s.Key] = s.Value
	}
	rev := "revision unknown (built with -buildvcs=false, or not in a git clone)"
	if r := set["vcs.revision"]; r != "" {
		rev = "revision " + r
		if t := set["vcs.time"]; t != "" {
			rev += " (" + t + ")"
		}
		if set["vcs.modified"] == "true" {
			rev += ", modified"
		}
	}
	platform := ""
	if set["GOOS"] != "" {
		platform = " " + set["GOOS"] + "/" + set["GOARCH"]
	}
	return fmt.Sprintf("cmsim %s\n%s\n%s%s\n", v, rev, bi.GoVersion, platform)
}

// loadScenario loads a file or built-in; scenario errors are usage errors.
// Several paths, or "-" for stdin, are Kubernetes manifests to import.
func loadScenario(args []string, sets []string) (*scenarios.Scenario, error) {
	if len(args) > 1 || args[0] == "-" {
		return importManifests(args, sets, os.Stdin)
	}
	arg := args[0]
	s, err := scenarios.LoadFile(arg, sets)
	if err != nil {
		if s, err, ok := importOnTheFly(arg, sets, err); ok {
			return s, err
		}
		return nil, usageError{err}
	}
	return s, nil
}

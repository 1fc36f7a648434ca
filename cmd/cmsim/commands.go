package main

import (
	"fmt"
	"runtime/debug"
	"text/tabwriter"

	"cmsim/scenarios"

	"github.com/spf13/pflag"
)

func init() {
	commands = []*command{runCommand, planCommand, mergeCommand, validateCommand, scenariosCommand, plotCommand, versionCommand}
}

var validateCommand = &command{
	usage: "validate FILE|BUILTIN [--set PATH=VALUE]...",
	short: "check a scenario and print it with every default filled in",
	long: `Validate loads a scenario file (or a built-in by name), applies --set
overrides, checks it and prints the resolved scenario, then, as comments,
what each point's settings imply: the Cache TTL in force (cacheTTL: auto
resolved by cluster size) and the expected latency bound, 1.5 ×
syncFrequency + the Cache TTL (Cache only) + the sync tick and volume loops.
A problem is reported with the file, line, column and field, and exit code 2.`,
	flags: func(fs *pflag.FlagSet) any {
		return fs.StringArray("set", nil, "override a scenario value by dotted `PATH=VALUE` (repeatable)")
	},
	args: exactly(1),
	run: func(e *env, opts any, args []string) error {
		s, err := loadScenario(args[0], *opts.(*[]string))
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
	short: "print the version",
	long:  `Version prints cmsim's version and the Go version it was built with.`,
	args:  exactly(0),
	run: func(e *env, _ any, _ []string) error {
		v, goVersion := "(devel)", ""
		if bi, ok := debug.ReadBuildInfo(); ok {
			goVersion = bi.GoVersion
			if bi.Main.Version != "" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v += " " + s.Value[:12]
				}
			}
		}
		fmt.Fprintf(e.stdout, "cmsim %s %s\n", v, goVersion)
		return nil
	},
}

// loadScenario loads a file or built-in; scenario errors are usage errors.
func loadScenario(arg string, sets []string) (*scenarios.Scenario, error) {
	s, err := scenarios.LoadFile(arg, sets)
	if err != nil {
		return nil, usageError{err}
	}
	return s, nil
}

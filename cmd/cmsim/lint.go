package main

import (
	"fmt"
	"os"

	"cmsim/importer"

	"github.com/spf13/pflag"
)

// lintFailed is lint's error when a finding is an error: exit 1.
type lintFailed struct{ errors int }

func (l lintFailed) Error() string { return fmt.Sprintf("%d error finding(s)", l.errors) }

var lintCommand = &command{
	usage: "lint PATH... [--kubelet-config FILE]",
	short: "say what the kubelet will do with Kubernetes manifests",
	long: `Lint reads Kubernetes manifests (files, folders read recursively, - for
stdin; as 'cmsim import' reads them) and prints one finding per line:

  FILE:LINE:COL: SEVERITY: WHAT HAPPENS (fix: ONE LINE)

It reports references to ConfigMaps and Secrets that no manifest defines
(with a "did you mean"), apiVersions that Kubernetes removed (and the
release), unknown, misplaced and duplicate fields (strict decoding, as
kubectl does), selectors missing where apps/v1 requires them, env, envFrom
and subPath consumers that never see an update, and consumers of immutable
objects. With --kubelet-config it also checks a KubeletConfiguration
(kubelet.config.k8s.io/v1beta1) as the kubelet decodes it: a misspelt or
misplaced field is an error, since the kubelet refuses to start.

Exit codes: 0 no error finding (warnings and info may be printed), 1 at
least one error finding, 2 when nothing could be read (no such file,
malformed YAML or JSON, an unreadable object).`,
	flags: func(fs *pflag.FlagSet) any {
		return fs.String("kubelet-config", "", "also check a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) `FILE`")
	},
	args: func(n int) bool { return n >= 1 },
	run: func(e *env, opts any, args []string) error {
		inputs, err := importer.ReadPaths(args, os.Stdin)
		if err != nil {
			return usageError{err}
		}
		findings, err := importer.Lint(inputs)
		if err != nil {
			return usageError{err}
		}
		if path := *opts.(*string); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return usageError{err}
			}
			kf, err := importer.LintKubeletConfig(importer.Input{Name: path, Data: b})
			if err != nil {
				return usageError{err}
			}
			findings = append(findings, kf...)
		}
		errs := 0
		for _, f := range findings {
			fmt.Fprintln(e.stdout, f)
			if f.Severity == importer.Error {
				errs++
			}
		}
		if errs > 0 {
			return lintFailed{errs}
		}
		return nil
	},
}

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"cmsim/importer"
	"cmsim/scenarios"

	"github.com/spf13/pflag"
)

type importOptions struct {
	out            string
	kubeletConfig  string
	auditLog       string
	nodes          int
	duration       time.Duration
	updateInterval time.Duration
	name           string
	version        string
}

var importCommand = &command{
	usage: "import PATH... [-o FILE] [flags]",
	short: "turn Kubernetes manifests into a scenario",
	long: `Import reads Kubernetes manifests and writes a cmsim scenario (to stdout,
or to FILE with -o) whose every entry says where it came from
('# from deploy.yaml:12'). PATH is a file, a folder (read recursively: its
.yaml, .yml and .json files) or - for stdin; files may hold several YAML
documents, JSON, or a List as 'kubectl get -A -o yaml' prints it.

  workloads   Pod, Deployment, ReplicaSet, StatefulSet, ReplicationController
              (replicas), DaemonSet (one pod per node), Job and CronJob
              (short-lived pods); objects owned by another object in the
              input (a Deployment's ReplicaSets and pods) are left to their
              owner. extensions/v1beta1, apps/v1beta1 and apps/v1beta2 are
              read as apps/v1, batch/v1beta1 as batch/v1, with a finding.
  references  configMap and secret volumes (items), projected sources,
              subPath mounts, env valueFrom, envFrom, imagePullSecrets
              (the pod's, else its ServiceAccount's), kube-api-access.
              References to objects no manifest defines are left out, with
              a comment and a finding.
  objects     ConfigMaps and Secrets with their data size (keys + values)
              and immutable. Several versions of one object (same kind,
              namespace and name, different data) are an update timeline,
              --update-interval apart.
  cluster     nodes: the Node objects, else --nodes. --kubelet-config
              supplies syncFrequency, configMapAndSecretChangeDetectionStrategy,
              kubeAPIQPS and kubeAPIBurst.
  updates     replayed from --audit-log (audit.k8s.io/v1 Event JSON lines:
              update and patch of configmaps and secrets at stage
              ResponseComplete with a 2xx code, at their
              requestReceivedTimestamp offsets from the log's first event),
              else the version timelines, else one write to each mutable
              object spread evenly over the run.

What the scenario cannot express is said in a comment. The lint findings
(see 'cmsim help lint') are printed on stderr, then a summary. Input that
cannot be read (malformed YAML or JSON, an object over 1 MiB, nothing to
simulate) is an error with exit code 2, and no file is written. Details:
docs/import.md.`,
	flags: func(fs *pflag.FlagSet) any {
		o := &importOptions{}
		fs.StringVarP(&o.out, "output", "o", "", "write the scenario to `FILE` instead of stdout")
		fs.StringVar(&o.kubeletConfig, "kubelet-config", "", "a KubeletConfiguration (kubelet.config.k8s.io/v1beta1) `FILE`")
		fs.StringVar(&o.auditLog, "audit-log", "", "an apiserver audit log `FILE` (JSON lines) whose ConfigMap/Secret writes are replayed")
		fs.IntVar(&o.nodes, "nodes", 0, "nodes when the manifests hold no Node objects (default 3)")
		fs.DurationVar(&o.duration, "duration", importer.DefaultDuration, "the run's length (longer when writes come later)")
		fs.DurationVar(&o.updateInterval, "update-interval", importer.DefaultUpdateInterval, "time between an object's versions")
		fs.StringVar(&o.name, "name", importer.DefaultName, "the scenario's `name`")
		fs.StringVar(&o.version, "kubernetes-version", "", "the cluster's Kubernetes `RELEASE` (1.26 to 1.37), for cluster.kubelet.version; default the newest modelled")
		return o
	},
	args: func(n int) bool { return n >= 1 },
	run: func(e *env, opts any, args []string) error {
		o := opts.(*importOptions)
		res, err := importPaths(args, o, os.Stdin)
		if err != nil {
			return err
		}
		for _, f := range res.Findings {
			fmt.Fprintln(e.stderr, f)
		}
		for _, s := range res.Summary {
			fmt.Fprintln(e.stderr, "cmsim import: "+s)
		}
		if o.out == "" {
			_, err := e.stdout.Write(res.YAML)
			return err
		}
		if err := writeFileAtomic(o.out, func(w io.Writer) error { _, err := w.Write(res.YAML); return err }); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "cmsim import: wrote %s; run it with 'cmsim run %s'\n", o.out, o.out)
		return nil
	},
}

// importPaths reads the paths and the optional files and imports them.
// Unreadable or invalid input is a usage error (exit 2).
func importPaths(paths []string, o *importOptions, stdin io.Reader) (*importer.Result, error) {
	if o.nodes < 0 || o.nodes > scenarios.NodesMax {
		return nil, usagef("--nodes must be 1..%d", scenarios.NodesMax)
	}
	inputs, err := importer.ReadPaths(paths, stdin)
	if err != nil {
		return nil, usageError{err}
	}
	opt := importer.Options{Name: o.name, Nodes: o.nodes, Duration: o.duration, UpdateInterval: o.updateInterval, Version: o.version}
	for _, f := range []struct {
		path string
		dst  **importer.Input
	}{{o.kubeletConfig, &opt.KubeletConfig}, {o.auditLog, &opt.AuditLog}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, usageError{err}
		}
		*f.dst = &importer.Input{Name: f.path, Data: b}
	}
	res, err := importer.Import(inputs, opt)
	if err != nil {
		return nil, usageError{err}
	}
	return res, nil
}

// importOnTheFly loads manifests given to run or validate where a scenario
// was expected: a folder, or a file that scenarios.LoadFile found to be a
// Kubernetes manifest. ok is false when arg is neither.
func importOnTheFly(arg string, sets []string, loadErr error) (s *scenarios.Scenario, err error, ok bool) {
	st, statErr := os.Stat(arg)
	isDir := statErr == nil && st.IsDir()
	if !isDir && !errors.Is(loadErr, scenarios.ErrManifest) {
		return nil, nil, false
	}
	if !isDir && errors.Is(loadErr, fs.ErrNotExist) {
		return nil, nil, false
	}
	s, err = importManifests([]string{arg}, sets, nil)
	return s, err, true
}

// importManifests imports manifest paths ("-": stdin) with import's
// defaults and loads the scenario, with --set overrides.
func importManifests(paths []string, sets []string, stdin io.Reader) (*scenarios.Scenario, error) {
	res, err := importPaths(paths, &importOptions{duration: importer.DefaultDuration, updateInterval: importer.DefaultUpdateInterval, name: importer.DefaultName}, stdin)
	if err != nil {
		return nil, err
	}
	s, err := scenarios.Load(strings.Join(paths, " ")+" (imported)", res.YAML, sets)
	if err != nil {
		return nil, usageError{err}
	}
	return s, nil
}

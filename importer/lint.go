package importer

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Lint reads manifests and returns what the kubelet (and the apiserver) will
// do with them, sorted by file and position. The error is for input that
// cannot be read at all (malformed YAML or JSON, an unreadable object).
func Lint(inputs []Input) ([]Finding, error) {
	inv, err := analyze(inputs)
	if err != nil {
		return nil, err
	}
	return inv.fs.sorted(), nil
}

// LintKubeletConfig checks a KubeletConfiguration as the kubelet decodes
// it: unknown or misplaced fields are error findings (the kubelet refuses
// to start). A file that is not one KubeletConfiguration, or names an
// unknown change detection strategy, is an error.
func LintKubeletConfig(in Input) ([]Finding, error) {
	var fs findings
	if _, err := readKubeletConfig(in, &fs); err != nil {
		return nil, err
	}
	return fs.sorted(), nil
}

// consumerWord says how a reference reads its object, for messages.
var consumerWord = map[string]string{
	"volume": "a volume", "projected": "a projected volume", "subPath": "a subPath mount",
	"env": "env valueFrom", "envFrom": "envFrom", "pullSecret": "an image pull secret",
}

// lint adds the reference findings of every workload.
func (inv *inventory) lint() {
	names := map[[2]string][]string{} // kind, namespace -> names
	for _, k := range inv.order {
		names[[2]string{k.kind, k.ns}] = append(names[[2]string{k.kind, k.ns}], k.name)
	}
	for _, w := range inv.workloads {
		for _, r := range w.refs {
			o := inv.objects[objKey{r.kind, w.ns, r.name}]
			what := fmt.Sprintf("%s %s reads %s %s/%s as %s", w.kind, w.name, r.kind, w.ns, r.name, consumerWord[r.as])
			if o == nil {
				if r.kind == "ConfigMap" && r.name == kubeRootCA {
					continue // the root CA publisher creates it in every namespace
				}
				fix := fmt.Sprintf("define %s %s/%s, or fix the name", r.kind, w.ns, r.name)
				if near := nearest(r.name, names[[2]string{r.kind, w.ns}]); near != "" {
					fix = fmt.Sprintf("did you mean %q?", near)
				}
				lower := strings.ToLower(r.kind)
				switch {
				case r.as == "pullSecret":
					inv.fs.add(w.d, r.path, Warning, fix, "%s, which no manifest defines: the kubelet pulls without it, and private images fail with ImagePullBackOff", what)
				case r.optional:
					inv.fs.add(w.d, r.path, Warning, fix, "%s, which no manifest defines; it is optional, so the pods start without it (empty volume, unset variables)", what)
				case r.as == "env" || r.as == "envFrom":
					inv.fs.add(w.d, r.path, Error, fix, "%s, which no manifest defines: the containers fail with CreateContainerConfigError (%s %q not found)", what, lower, r.name)
				default:
					inv.fs.add(w.d, r.path, Error, fix, "%s, which no manifest defines: the pods stay in ContainerCreating (FailedMount: %s %q not found)", what, lower, r.name)
				}
				continue
			}
			switch {
			case o.immutable && r.as != "pullSecret":
				inv.fs.add(w.d, r.path, Info, "to change it, create a new object and roll the pods onto it",
					"%s, which is immutable: the kubelet reads it once and stops watching it", what)
			case w.job != nil:
				// Each run's new pods read the object afresh.
			case r.as == "env" || r.as == "envFrom" || r.as == "subPath":
				inv.fs.add(w.d, r.path, Warning, "mount it as a directory volume (no subPath), or roll the pods when it changes (a checksum annotation, or Reloader)",
					"%s: running containers never see its updates", what)
			}
		}
	}
}

// cronPeriod turns a CronJob schedule into the period of its runs: exact
// for schedules that run at evenly spaced times, else the day divided by
// its runs per day, with a note.
func cronPeriod(schedule string) (time.Duration, string) {
	macros := map[string]time.Duration{
		"@yearly": 365 * 24 * time.Hour, "@annually": 365 * 24 * time.Hour, "@monthly": 30 * 24 * time.Hour,
		"@weekly": 7 * 24 * time.Hour, "@daily": 24 * time.Hour, "@midnight": 24 * time.Hour, "@hourly": time.Hour,
	}
	s := strings.TrimSpace(schedule)
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		_, s, _ = strings.Cut(s, " ")
	}
	if d, ok := macros[s]; ok {
		return d, fmt.Sprintf("schedule %q", schedule)
	}
	if rest, ok := strings.CutPrefix(s, "@every "); ok {
		if d, err := time.ParseDuration(rest); err == nil && d > 0 {
			return d, fmt.Sprintf("schedule %q", schedule)
		}
	}
	f := strings.Fields(s)
	guess := fmt.Sprintf("schedule %q is not understood; every 1h is a guess: edit it", schedule)
	if len(f) != 5 {
		return time.Hour, guess
	}
	mins, ok1 := cronField(f[0], 0, 59)
	hours, ok2 := cronField(f[1], 0, 23)
	if !ok1 || !ok2 {
		return time.Hour, guess
	}
	perDay := len(mins) * len(hours)
	days := 1
	if f[2] != "*" || f[3] != "*" || f[4] != "*" {
		// Runs only on some days: spread them over a week.
		dow, ok := cronField(f[4], 0, 7)
		if f[2] != "*" || f[3] != "*" || !ok {
			return 30 * 24 * time.Hour / time.Duration(perDay), fmt.Sprintf("schedule %q runs on some days of the month; about %d runs a month, evenly spaced", schedule, perDay)
		}
		days = 7
		perDay *= len(dedupDOW(dow))
	}
	period := time.Duration(days) * 24 * time.Hour / time.Duration(perDay)
	// Evenly spaced minutes within an hour and every hour: exact.
	if len(hours) == 24 && evenly(mins, 60) && days == 1 {
		return period, fmt.Sprintf("schedule %q", schedule)
	}
	return period, fmt.Sprintf("schedule %q, evenly spaced at its average period", schedule)
}

func dedupDOW(dow []int) []int {
	out := map[int]bool{}
	for _, d := range dow {
		out[d%7] = true
	}
	r := make([]int, 0, len(out))
	for d := range out {
		r = append(r, d)
	}
	return r
}

func evenly(v []int, span int) bool {
	if len(v) == 0 || span%len(v) != 0 {
		return false
	}
	step := span / len(v)
	for i := 1; i < len(v); i++ {
		if v[i]-v[i-1] != step {
			return false
		}
	}
	return true
}

// cronField expands one cron field (*, a, a-b, */n, a-b/n, lists) into
// its sorted values within [lo, hi].
func cronField(f string, lo, hi int) ([]int, bool) {
	set := map[int]bool{}
	for _, part := range strings.Split(f, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n <= 0 {
				return nil, false
			}
			step = n
		}
		a, b := lo, hi
		if rng != "*" {
			x, y, isRange := strings.Cut(rng, "-")
			var err error
			if a, err = strconv.Atoi(x); err != nil {
				return nil, false
			}
			b = a
			if isRange {
				if b, err = strconv.Atoi(y); err != nil {
					return nil, false
				}
			} else if hasStep {
				b = hi
			}
		}
		if a < lo || b > hi || a > b {
			return nil, false
		}
		for v := a; v <= b; v += step {
			set[v] = true
		}
	}
	out := make([]int, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	slices.Sort(out)
	return out, len(out) > 0
}

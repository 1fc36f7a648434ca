package importer

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cmsim/scenarios"
)

// Options control an import.
type Options struct {
	Name           string        // the scenario's name; default "imported"
	Nodes          int           // nodes when the manifests hold no Node objects; default 3
	Duration       time.Duration // the run's length; default 1h, longer if writes come later
	UpdateInterval time.Duration // spacing of an object's versions; default 1m
	KubeletConfig  *Input        // a KubeletConfiguration, optional
	// Version is the cluster's Kubernetes release (cluster.kubelet.version,
	// e.g. "1.28"); "" leaves the scenario's default, the newest modelled.
	Version  string
	AuditLog *Input // audit.k8s.io/v1 Event JSON lines, optional
}

// Defaults of Options.
const (
	DefaultName           = "imported"
	DefaultNodes          = 3
	DefaultDuration       = time.Hour
	DefaultUpdateInterval = time.Minute
)

// Result is an imported scenario and what was counted on the way.
type Result struct {
	YAML     []byte    // the scenario, with provenance comments; loads with scenarios.Load
	Findings []Finding // lint findings, sorted
	Summary  []string  // one line each: what was imported, skipped, replayed
	Pods     int       // pods at the start (Jobs' pods not included)
	JobPods  int       // pods per arrival, summed over Jobs and CronJobs
	Refs     int       // (pod, object) references at the start, implicit ones included
	Objects  int       // ConfigMap and Secret entries
	Nodes    int
}

// Import turns manifests into a scenario. It fails on input that cannot be
// read, and when there is nothing to simulate; lint findings do not fail it.
func Import(inputs []Input, opt Options) (*Result, error) {
	if opt.Name == "" {
		opt.Name = DefaultName
	}
	if opt.Duration <= 0 {
		opt.Duration = DefaultDuration
	}
	if opt.UpdateInterval <= 0 {
		opt.UpdateInterval = DefaultUpdateInterval
	}
	inv, err := analyze(inputs)
	if err != nil {
		return nil, err
	}
	kc := defaultKubelet()
	if opt.KubeletConfig != nil {
		if kc, err = readKubeletConfig(*opt.KubeletConfig, &inv.fs); err != nil {
			return nil, err
		}
	}
	var audit *auditWrites
	if opt.AuditLog != nil {
		if audit, err = readAuditLog(*opt.AuditLog, inv); err != nil {
			return nil, err
		}
	}
	w := &writer{inv: inv, opt: opt, kubelet: kc, audit: audit}
	return w.write()
}

type writer struct {
	inv      *inventory
	opt      Options
	kubelet  kubeletSettings
	audit    *auditWrites
	duration time.Duration // the run's, once updates are known
	b        strings.Builder
	res      Result
}

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.b, format, args...) }

// mount is one scenario mount of a workload.
type mount struct {
	object, as string
	items      []string
	from       string
}

func (w *writer) write() (*Result, error) {
	inv := w.inv
	nodes, nodesFrom := inv.nodes, fmt.Sprintf("%d Node objects in the manifests", inv.nodes)
	if nodes == 0 {
		nodes, nodesFrom = w.opt.Nodes, "--nodes"
		if nodes <= 0 {
			nodes, nodesFrom = DefaultNodes, "no Node objects in the manifests and no --nodes: a guess, edit it"
		}
	}
	w.res.Nodes = nodes
	// Scenario names: DNS labels, unique among all objects (and workloads).
	taken := map[string]bool{}
	for _, k := range inv.order {
		inv.objects[k].scenName = uniqueName(taken, 253, k.name, k.ns+"-"+k.name, strings.ToLower(k.kind)+"-"+k.ns+"-"+k.name)
	}
	// References to the kube-root-ca.crt ConfigMap that no manifest defines:
	// every namespace has one.
	for _, wl := range inv.workloads {
		for _, r := range wl.refs {
			k := objKey{"ConfigMap", wl.ns, kubeRootCA}
			if r.kind == k.kind && r.name == kubeRootCA && inv.objects[k] == nil {
				inv.objects[k] = &object{key: k, versions: []version{{d: wl.d, sizeBytes: scenarios.KubeRootCABytes}}, immutable: false,
					scenName: uniqueName(taken, 253, wl.ns+"-kube-root-ca-crt", "configmap-"+wl.ns+"-kube-root-ca-crt")}
				inv.order = append(inv.order, k)
			}
		}
	}
	wtaken := map[string]bool{}
	for _, wl := range inv.workloads {
		wl.scenName = uniqueName(wtaken, 63, wl.name, strings.ToLower(wl.kind)+"-"+wl.name, wl.ns+"-"+wl.name)
	}
	updates, updatesFrom, duration := w.updates()
	w.duration = duration

	w.f("# Imported by 'cmsim import' from %s.\n", strings.Join(inv.files, ", "))
	w.f("# Edit freely: every value below is an ordinary scenario value (docs/scenario.md).\n")
	w.f("apiVersion: %s\nkind: Scenario\nname: %s\n", scenarios.APIVersion, w.opt.Name)
	w.f("description: imported from %d file(s)\n", len(inv.files))
	w.f("duration: %s  # %s\n", fmtDur(duration), w.durationNote(duration))
	w.f("cluster:\n")
	w.f("  nodes: %d  # %s\n", nodes, nodesFrom)
	w.f("  kubeAPIAccess: true  # service-account admission gives pods kube-api-access (kube-root-ca.crt and token requests) unless automountServiceAccountToken is false\n")
	w.f("  imagePullSecret: false  # pull secrets are the pods' and their service accounts' imagePullSecrets, listed per workload\n")
	from := "the kubelet's defaults (no --kubelet-config)"
	if w.kubelet.from != "" {
		from = "from " + w.kubelet.from
	}
	w.f("  kubelet:  # %s\n", from)
	if w.opt.Version != "" {
		w.f("    version: %q  # --kubernetes-version\n", w.opt.Version)
	}
	w.f("    syncFrequency: %s\n    changeDetectionStrategy: %s\n", fmtDur(w.kubelet.syncFrequency), w.kubelet.strategy)
	if w.kubelet.qpsSet {
		w.f("    kubeAPIQPS: %d\n", w.kubelet.qps)
	}
	if w.kubelet.burstSet {
		w.f("    kubeAPIBurst: %d\n", w.kubelet.burst)
	}
	if !w.kubelet.qpsSet || !w.kubelet.burstSet {
		w.f("    # kubeAPIQPS and kubeAPIBurst not set: the release's defaults (50 and 100; 5 and 10 up to 1.26)\n")
	}

	w.f("objects:\n")
	for _, k := range inv.order {
		o := inv.objects[k]
		v := o.versions[0]
		w.f("  # from %s: %s", v.d.where(), k)
		if len(o.versions) > 1 {
			w.f(", %d versions", len(o.versions))
		}
		if o.scenName != k.name {
			w.f(" (renamed: scenario names are unique DNS labels)")
		}
		w.f("\n  - {kind: %s, namespace: %s, name: %s, sizeBytes: %d", k.kind, dnsLabel(k.ns, 63), o.scenName, max(v.sizeBytes, 1))
		if o.immutable {
			w.f(", immutable: true")
		}
		w.f("}\n")
		w.res.Objects++
	}

	w.f("workloads:\n")
	var skipped []string
	imported := 0
	for _, wl := range inv.workloads {
		if wl.skip == "" && !wl.automount && !slices.ContainsFunc(wl.refs, func(r ref) bool { return inv.objects[objKey{r.kind, wl.ns, r.name}] != nil }) {
			wl.skip = "its pods reference no ConfigMap or Secret, and automountServiceAccountToken is false"
		}
		if wl.skip != "" {
			skipped = append(skipped, fmt.Sprintf("%s %s/%s (%s, %s)", wl.kind, wl.ns, oneLine(wl.name), wl.d.where(), wl.skip))
			continue
		}
		w.workload(wl, nodes)
		imported++
	}
	if len(skipped) > 0 {
		w.f("  # not imported: %s\n", strings.Join(skipped, "; "))
	}

	if len(updates) > 0 {
		w.f("updates:  # %s\n", updatesFrom)
		for _, u := range updates {
			w.f("%s", u)
		}
	}
	if imported == 0 {
		return nil, fmt.Errorf("nothing to simulate: the manifests define no pods (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob or ReplicationController) with replicas")
	}
	if w.res.Objects == 0 {
		refs := map[string]bool{}
		for _, wl := range inv.workloads {
			for _, r := range wl.refs {
				refs[r.kind+" "+wl.ns+"/"+r.name] = true
			}
		}
		if len(refs) > 0 {
			return nil, fmt.Errorf("nothing to simulate: the manifests define no ConfigMap or Secret; the pods reference %d defined elsewhere (e.g. %s): give their manifests too", len(refs), oneLine(slices.Sorted(maps.Keys(refs))[0]))
		}
		return nil, fmt.Errorf("nothing to simulate: the manifests define no ConfigMap or Secret")
	}
	w.summary(imported, updatesFrom)
	w.res.YAML = []byte(w.b.String())
	w.res.Findings = inv.fs.sorted()
	if _, err := scenarios.Load(w.opt.Name+".yaml", w.res.YAML, nil); err != nil {
		// Size limits are the user's to meet; anything else is an importer bug.
		return nil, fmt.Errorf("the imported scenario does not load (past a size limit in docs/scenario.md, or an importer bug to report): %v", err)
	}
	return &w.res, nil
}

func (w *writer) durationNote(d time.Duration) string {
	if d > w.opt.Duration {
		return "long enough for the last write and 5m after it"
	}
	return "the simulated time span (--duration); edit it"
}

// workload writes one workload entry.
func (w *writer) workload(wl *workload, nodes int) {
	inv := w.inv
	w.f("  # from %s: %s %s/%s", wl.d.where(), wl.kind, wl.ns, oneLine(wl.name))
	pods := 0
	switch {
	case wl.podsPerNode > 0:
		w.f(", one pod per node")
		pods = nodes
	case wl.job != nil:
		w.f(", %s", wl.job.note)
	default:
		pods = wl.replicas
		w.f(", replicas: %d", wl.replicas)
	}
	w.f("\n  - name: %s\n    namespace: %s\n", wl.scenName, dnsLabel(wl.ns, 63))
	switch {
	case wl.podsPerNode > 0:
		w.f("    podsPerNode: 1\n")
	case wl.job != nil:
		j := wl.job
		w.f("    job: {")
		if j.every > 0 {
			w.f("every: %s", fmtDur(j.every))
		} else {
			var at []string
			for _, t := range j.at {
				if t <= w.duration {
					at = append(at, fmtDur(t))
				}
			}
			w.f("at: [%s]", strings.Join(at, ", "))
		}
		w.f(", parallelism: %d, runFor: %s}\n", j.parallelism, fmtDur(j.runFor))
		w.res.JobPods += j.parallelism
	default:
		w.f("    replicas: %d\n", wl.replicas)
	}
	if !wl.automount {
		w.f("    automountServiceAccountToken: false\n")
	}
	var pulls []string
	var mounts []mount
	var notes []string
	seen := map[string]bool{}
	for _, r := range wl.refs {
		o := inv.objects[objKey{r.kind, wl.ns, r.name}]
		line, _ := locate(wl.d.node, r.path)
		where := fmt.Sprintf("%s:%d", wl.d.file, line)
		if o == nil {
			state := "the pods would not start"
			if r.optional || r.as == "pullSecret" {
				state = "optional: the pods start without it"
			}
			notes = append(notes, fmt.Sprintf("%s: %s %s (%s) is not defined; %s, so the reference is left out", where, r.kind, oneLine(r.name), r.as, state))
			continue
		}
		if r.as == "pullSecret" {
			if !slices.Contains(pulls, o.scenName) {
				pulls = append(pulls, o.scenName)
			}
			continue
		}
		m := mount{object: o.scenName, as: r.as, from: where}
		if r.as == "volume" || r.as == "projected" {
			m.items = r.items
		}
		k := m.object + "/" + m.as + "/" + strings.Join(m.items, ",")
		if seen[k] {
			continue
		}
		seen[k] = true
		mounts = append(mounts, m)
	}
	if len(pulls) > 0 {
		w.f("    imagePullSecrets: [%s]\n", strings.Join(pulls, ", "))
	}
	if wl.grace != 30*time.Second {
		w.f("    terminationGracePeriod: %s\n", fmtDur(wl.grace))
	}
	if len(mounts) == 0 {
		w.f("    mounts: []  # no ConfigMap or Secret of its own\n")
	} else {
		w.f("    mounts:\n")
		for _, m := range mounts {
			w.f("      - {object: %s, as: %s", m.object, m.as)
			if len(m.items) > 0 {
				w.f(", items: [%s]", quoteAll(m.items))
			}
			w.f("}  # %s\n", m.from)
		}
	}
	for _, n := range append(notes, wl.notes...) {
		w.f("    # not modelled: %s\n", n)
	}
	refsPerPod := len(mounts) + len(pulls)
	if wl.automount {
		refsPerPod++
	}
	w.res.Pods += pods
	w.res.Refs += pods * refsPerPod
}

// updates returns the update entries, where they come from, and the
// run's duration.
func (w *writer) updates() ([]string, string, time.Duration) {
	inv := w.inv
	duration := w.opt.Duration
	var out []string
	last := time.Duration(0)
	entry := func(o *object, at []time.Duration, from string) {
		var ts []string
		for _, t := range at {
			ts = append(ts, fmtDur(t))
			last = max(last, t)
		}
		out = append(out, fmt.Sprintf("  - {object: %s, at: [%s]}  # %s\n", o.scenName, strings.Join(ts, ", "), from))
	}
	var from string
	switch {
	case w.audit != nil:
		from = fmt.Sprintf("replayed from the audit log %s (%d writes at their requestReceivedTimestamp offsets from its first event)", w.opt.AuditLog.Name, w.audit.taken)
		for _, k := range inv.order {
			if at := w.audit.at[k]; len(at) > 0 {
				entry(inv.objects[k], at, k.String())
			}
		}
	case slices.ContainsFunc(inv.order, func(k objKey) bool { return len(inv.objects[k].versions) > 1 }):
		from = fmt.Sprintf("each object's later versions in the manifests, %s apart (--update-interval)", fmtDur(w.opt.UpdateInterval))
		for _, k := range inv.order {
			o := inv.objects[k]
			var at []time.Duration
			for i := 1; i < len(o.versions); i++ {
				at = append(at, time.Duration(i)*w.opt.UpdateInterval)
			}
			if len(at) > 0 {
				entry(o, at, "versions at "+versionLines(o))
			}
		}
	default:
		from = "no audit log and no object versions: one write to each mutable object, spread evenly over the run; edit to taste"
		var mutable []*object
		for _, k := range inv.order {
			if o := inv.objects[k]; !o.immutable && k.name != kubeRootCA {
				mutable = append(mutable, o)
			}
		}
		for i, o := range mutable {
			at := (duration * time.Duration(i+1) / time.Duration(len(mutable)+1)).Truncate(time.Second)
			entry(o, []time.Duration{at}, o.key.String())
		}
	}
	if last+5*time.Minute > duration {
		duration = (last + 5*time.Minute + time.Minute - 1).Truncate(time.Minute)
	}
	return out, from, duration
}

func versionLines(o *object) string {
	var s []string
	for _, v := range o.versions {
		s = append(s, v.d.where())
	}
	return strings.Join(s, ", ")
}

func (w *writer) summary(imported int, updatesFrom string) {
	inv := w.inv
	r := &w.res
	r.Summary = append(r.Summary, fmt.Sprintf("imported %d workload(s): %d pod(s) at the start on %d node(s), %d job pod(s) per arrival; %d object(s); %d (pod, object) reference(s) including kube-api-access and pull secrets",
		imported, r.Pods, r.Nodes, r.JobPods, r.Objects, r.Refs))
	if len(inv.skipped) > 0 {
		var s []string
		for _, k := range slices.Sorted(maps.Keys(inv.skipped)) {
			s = append(s, fmt.Sprintf("%d %s", inv.skipped[k], k))
		}
		r.Summary = append(r.Summary, "skipped (not modelled): "+strings.Join(s, ", "))
	}
	if inv.owned > 0 {
		r.Summary = append(r.Summary, fmt.Sprintf("skipped %d object(s) owned by another object in the input (their owner's pods are imported)", inv.owned))
	}
	r.Summary = append(r.Summary, "updates: "+updatesFrom)
	if a := w.audit; a != nil {
		r.Summary = append(r.Summary, fmt.Sprintf("audit log: %d event(s), %d write(s) replayed, %d delete(s) not replayed (cmsim does not model deletion), %d write(s) to immutable objects not replayed, %d broken line(s)", a.lines, a.taken, a.deletes, a.frozen, a.bad))
		if len(a.unknown) > 0 {
			n := 0
			var names []string
			for _, k := range slices.SortedFunc(maps.Keys(a.unknown), func(x, y objKey) int { return strings.Compare(x.String(), y.String()) }) {
				n += a.unknown[k]
				if len(names) < 5 {
					names = append(names, k.String())
				}
			}
			r.Summary = append(r.Summary, fmt.Sprintf("audit log: %d write(s) to %d object(s) the manifests do not define, not replayed (e.g. %s)", n, len(a.unknown), strings.Join(names, ", ")))
		}
	}
}

// uniqueName returns the first candidate, made a DNS label of at most max
// characters, not yet taken, and takes it; then numbered variants.
func uniqueName(taken map[string]bool, limit int, candidates ...string) string {
	var first string
	for _, c := range candidates {
		n := dnsLabel(c, limit)
		if first == "" {
			first = n
		}
		if !taken[n] {
			taken[n] = true
			return n
		}
	}
	for i := 2; ; i++ {
		suffix := fmt.Sprintf("-%d", i)
		n := dnsLabel(first[:min(len(first), limit-len(suffix))], limit) + suffix
		if !taken[n] {
			taken[n] = true
			return n
		}
	}
}

// dnsLabel lowercases s and replaces what a DNS label cannot hold by '-'.
func dnsLabel(s string, limit int) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			b[i] = '-'
		}
	}
	out := strings.Trim(string(b), "-")
	if len(out) > limit {
		out = strings.Trim(out[:limit], "-")
	}
	if out == "" {
		out = "x"
	}
	return out
}

// fmtDur writes a duration as the scenario format normalises it.
func fmtDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func quoteAll(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		b, _ := json.Marshal(it) // a JSON string is a YAML double-quoted scalar
		q[i] = string(b)
	}
	return strings.Join(q, ", ")
}

// oneLine keeps text from the manifests from breaking a YAML comment.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

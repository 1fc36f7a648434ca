package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cmsim/model"

	"gopkg.in/yaml.v3"
)

// decoder walks a yaml.Node tree against the scenario schema. It keeps the
// first error only (sticky) and stops walking once it has one.
type decoder struct {
	file    string
	origins map[*yaml.Node]string // nodes created by --set -> the argument
	nodes   map[string]*yaml.Node // dotted path -> its value node, for later checks
	keys    map[string]*yaml.Node // dotted path -> its key node
	budget  int                   // node visits left; bounds alias expansion
	err     *Error
}

// kv is one mapping entry.
type kv struct {
	key  string
	k, v *yaml.Node
}

func (d *decoder) failed() bool { return d.err != nil }

// errAt records an error about the node n at path (first error wins).
func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) {
	if d.err != nil {
		return
	}
	d.err = d.newErr(n, path, fmt.Sprintf(format, args...))
}

func (d *decoder) newErr(n *yaml.Node, path, msg string) *Error {
	e := &Error{File: d.file, Path: path, Msg: msg}
	if n != nil {
		if set, ok := d.origins[n]; ok {
			e.Set = set
		} else {
			e.Line, e.Column = n.Line, n.Column
		}
	}
	return e
}

// errPath records an error at the node recorded for path, or at the nearest
// recorded ancestor (a missing key is reported at its parent mapping).
func (d *decoder) errPath(path, format string, args ...any) {
	d.errAt(d.nodeFor(path), path, format, args...)
}

func (d *decoder) nodeFor(path string) *yaml.Node {
	for p := path; ; p = parentPath(p) {
		if n, ok := d.nodes[p]; ok {
			return n
		}
		if p == "" {
			return nil
		}
	}
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// visit resolves aliases, charges the visit budget and records the node.
func (d *decoder) visit(n *yaml.Node, path string) *yaml.Node {
	if d.err != nil {
		return nil
	}
	for n != nil && n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.errAt(n, path, "alias to an unknown anchor")
			return nil
		}
		n = n.Alias
	}
	if n == nil {
		d.errAt(nil, path, "missing value")
		return nil
	}
	d.budget--
	if d.budget < 0 {
		d.errAt(n, path, "document too complex: aliases expand to too many nodes")
		return nil
	}
	d.nodes[path] = n
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// describe names the node's type for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("string %q", v)
		case "!!int":
			return "integer " + v
		case "!!float":
			return "number " + v
		case "!!bool":
			return "boolean " + v
		default:
			return fmt.Sprintf("%s %q", n.Tag, v)
		}
	}
	return "an unsupported node"
}

// mapping checks that n is a mapping (null counts as empty) with scalar string
// keys, no duplicates and only allowed keys (nil allowed: any key). It
// returns the entries in file order.
func (d *decoder) mapping(n *yaml.Node, path string, allowed []string, allowedMsg string) []kv {
	n = d.visit(n, path)
	if n == nil {
		return nil
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "expected a mapping, got %s", describe(n))
		return nil
	}
	if len(n.Content)%2 != 0 {
		d.errAt(n, path, "malformed mapping")
		return nil
	}
	out := make([]kv, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" || k.Value == "" {
			desc := "an empty key"
			if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
				desc = describe(k)
			}
			d.errAt(k, path, "keys must be non-empty strings, got %s", desc)
			return nil
		}
		kp := join(path, k.Value)
		if k.Value == "<<" && k.Tag == "!!merge" {
			d.errAt(k, kp, "merge keys (<<) are not supported")
			return nil
		}
		if first, dup := seen[k.Value]; dup {
			d.errAt(k, kp, "duplicate key; first defined at line %d", first.Line)
			return nil
		}
		seen[k.Value] = k
		d.keys[kp] = k
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			if allowedMsg == "" {
				allowedMsg = "allowed keys: " + strings.Join(allowed, ", ")
			}
			d.errAt(k, kp, "unknown key; %s", allowedMsg)
			return nil
		}
		out = append(out, kv{key: k.Value, k: k, v: v})
	}
	return out
}

// list checks that n is a list (null counts as empty) and returns its items.
func (d *decoder) list(n *yaml.Node, path, what string) []*yaml.Node {
	n = d.visit(n, path)
	if n == nil || isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "expected a list of %s, got %s", what, describe(n))
		return nil
	}
	return n.Content
}

// scalar visits n and checks that it is a scalar with one of the given tags.
func (d *decoder) scalar(n *yaml.Node, path, want string, tags ...string) *yaml.Node {
	n = d.visit(n, path)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.ScalarNode || !slices.Contains(tags, n.Tag) {
		d.errAt(n, path, "expected %s, got %s", want, describe(n))
		return nil
	}
	return n
}

func (d *decoder) str(n *yaml.Node, path string) string {
	n = d.scalar(n, path, "a string", "!!str", "!!int", "!!float")
	if n == nil {
		return ""
	}
	return n.Value
}

// enum decodes a string that must be one of allowed (exact case).
func (d *decoder) enum(n *yaml.Node, path string, allowed []string) string {
	s := d.str(n, path)
	if d.failed() {
		return ""
	}
	if !slices.Contains(allowed, s) {
		d.errAt(d.nodes[path], path, "%q is not one of %s", s, strings.Join(allowed, ", "))
	}
	return s
}

func (d *decoder) integer(n *yaml.Node, path string) int {
	n = d.scalar(n, path, "an integer", "!!int")
	if n == nil {
		return 0
	}
	var v int64
	if err := n.Decode(&v); err != nil || v > math.MaxInt || v < math.MinInt {
		d.errAt(n, path, "integer %s is out of range", n.Value)
		return 0
	}
	return int(v)
}

// intRange decodes an integer in [lo, hi].
func (d *decoder) intRange(n *yaml.Node, path string, lo, hi int) int {
	v := d.integer(n, path)
	if d.failed() {
		return 0
	}
	switch {
	case v < lo && lo == 1:
		d.errAt(d.nodes[path], path, "must be > 0 (allowed: %d..%d)", lo, hi)
	case v < lo || v > hi:
		d.errAt(d.nodes[path], path, "%d is out of range; allowed: %d..%d", v, lo, hi)
	}
	return v
}

func (d *decoder) uint64(n *yaml.Node, path string) uint64 {
	n = d.scalar(n, path, "an integer", "!!int")
	if n == nil {
		return 0
	}
	var v uint64
	if err := n.Decode(&v); err != nil {
		d.errAt(n, path, "%s is out of range; allowed: 0..%d", n.Value, uint64(math.MaxUint64))
		return 0
	}
	return v
}

func (d *decoder) float(n *yaml.Node, path string) float64 {
	n = d.scalar(n, path, "a number", "!!float", "!!int")
	if n == nil {
		return 0
	}
	var v float64
	if err := n.Decode(&v); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		d.errAt(n, path, "expected a finite number, got %s", describe(n))
		return 0
	}
	return v
}

func (d *decoder) boolean(n *yaml.Node, path string) bool {
	n = d.scalar(n, path, "true or false", "!!bool")
	if n == nil {
		return false
	}
	var v bool
	if err := n.Decode(&v); err != nil {
		d.errAt(n, path, "expected true or false, got %s", describe(n))
	}
	return v
}

// parseDuration parses a Go duration string; "0" is allowed without a unit.
func parseDuration(s string) (time.Duration, bool) {
	v, err := time.ParseDuration(s)
	return v, err == nil
}

// duration decodes a duration >= 0 (positive: > 0).
func (d *decoder) duration(n *yaml.Node, path string, positive bool) time.Duration {
	n = d.scalar(n, path, "a duration such as 500ms, 60s, 1m or 1h30m", "!!str", "!!int", "!!float")
	if n == nil {
		return 0
	}
	v, ok := parseDuration(n.Value)
	switch {
	case !ok:
		d.errAt(n, path, "%q is not a duration; use a number with a unit, such as 500ms, 60s, 1m or 1h30m", n.Value)
	case positive && v <= 0:
		d.errAt(n, path, "must be > 0, got %s", n.Value)
	case v < 0:
		d.errAt(n, path, "must be >= 0, got %s", n.Value)
	}
	return v
}

var (
	reScenarioName = regexp.MustCompile(`^[a-z0-9-]+$`)
	reDNSLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	reKey          = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
)

// dnsLabel decodes a name that must be an RFC 1123 label of at most max characters.
func (d *decoder) dnsLabel(n *yaml.Node, path string, max int) string {
	s := d.str(n, path)
	if d.failed() {
		return ""
	}
	if len(s) > max || !reDNSLabel.MatchString(s) {
		d.errAt(d.nodes[path], path, "%q is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit, at most %d characters", s, max)
	}
	return s
}

// requireKeys reports the first key of want that is missing from have.
func (d *decoder) requireKeys(n *yaml.Node, path string, have map[string]bool, want ...string) {
	for _, k := range want {
		if !have[k] {
			d.errAt(n, join(path, k), "required key is missing")
			return
		}
	}
}

func present(kvs []kv) map[string]bool {
	m := make(map[string]bool, len(kvs))
	for _, e := range kvs {
		m[e.key] = true
	}
	return m
}

// scenario decodes the whole document.
func (d *decoder) scenario(root *yaml.Node) *Scenario {
	s := &Scenario{Seed: 1, Replications: 1}
	rn := d.visit(root, "")
	if rn == nil {
		return s
	}
	if isNull(rn) {
		d.errAt(rn, "", "empty scenario; expected a mapping with apiVersion, kind, name, duration, cluster, objects and workloads")
		return s
	}
	kvs := d.mapping(rn, "", keysScenario, "")
	sawCluster := false
	for _, e := range kvs {
		p := e.key
		switch e.key {
		case "apiVersion":
			s.APIVersion = d.str(e.v, p)
			if !d.failed() && s.APIVersion != APIVersion {
				d.errPath(p, "%q is not supported; use %s", s.APIVersion, APIVersion)
			}
		case "kind":
			s.Kind = d.str(e.v, p)
			if !d.failed() && s.Kind != "Scenario" {
				d.errPath(p, "%q is not supported; use Scenario", s.Kind)
			}
		case "name":
			s.Name = d.str(e.v, p)
			if !d.failed() && (len(s.Name) > 63 || !reScenarioName.MatchString(s.Name)) {
				d.errPath(p, "%q is not a valid name: use lowercase letters, digits and '-', at most 63 characters", s.Name)
			}
		case "description":
			s.Description = d.str(e.v, p)
		case "seed":
			s.Seed = d.uint64(e.v, p)
		case "duration":
			s.Duration = d.duration(e.v, p, true)
			if !d.failed() && s.Duration > DurationMax {
				d.errPath(p, "must be <= 720h (30 days), got %s", d.nodes[p].Value)
			}
		case "cluster":
			sawCluster = true
			s.Cluster = d.cluster(e.v, p)
		case "objects":
			for i, n := range d.list(e.v, p, "objects") {
				s.Objects = append(s.Objects, d.object(n, index(p, i)))
			}
			if !d.failed() && len(s.Objects) == 0 {
				d.errPath(p, "must list at least one object")
			}
		case "workloads":
			for i, n := range d.list(e.v, p, "workloads") {
				s.Workloads = append(s.Workloads, d.workload(n, index(p, i)))
			}
			if !d.failed() && len(s.Workloads) == 0 {
				d.errPath(p, "must list at least one workload")
			}
		case "updates":
			for i, n := range d.list(e.v, p, "updates") {
				s.Updates = append(s.Updates, d.update(n, index(p, i)))
			}
		case "restarts":
			for i, n := range d.list(e.v, p, "restarts") {
				s.Restarts = append(s.Restarts, d.restart(n, index(p, i)))
			}
		case "faults":
			for i, n := range d.list(e.v, p, "faults") {
				s.Faults = append(s.Faults, d.fault(n, index(p, i)))
			}
		case "output":
			s.Output = d.output(e.v, p)
		case "replications":
			s.Replications = d.intRange(e.v, p, 1, ReplicationsMax)
		case "sweep":
			s.Sweep = d.sweep(e.v, p)
		case "zip":
			s.Zip = d.boolean(e.v, p)
		}
		if d.failed() {
			return s
		}
	}
	d.requireKeys(rn, "", present(kvs), "apiVersion", "kind", "name", "duration", "cluster", "objects", "workloads")
	if !sawCluster {
		s.Cluster = d.cluster(nil, "cluster")
	}
	if s.Output.Bucket == 0 {
		s.Output.Bucket = 10 * time.Second
	}
	if !d.failed() {
		d.check(s)
	}
	return s
}

func (d *decoder) cluster(n *yaml.Node, path string) Cluster {
	c := Cluster{
		Start:           StartWarm,
		KubeAPIAccess:   true,
		ImagePullSecret: true,
		Kubelet: Kubelet{
			Version:                 model.NewestRelease.String(),
			SyncFrequency:           time.Minute,
			ChangeDetectionStrategy: StrategyWatch,
			CacheTTL:                CacheTTL{Mode: TTLAuto},
			KubeAPIQPS:              50, // the KubeletConfiguration's defaults since v1.27
			KubeAPIBurst:            100,
			qpsDefault:              true,
			burstDefault:            true,
		},
		APIServer: APIServer{
			Replicas:          1,
			WatchCacheInit:    5 * time.Second,
			WatchCacheHistory: 75 * time.Second, // upstream DefaultEventFreshDuration
			GetLatency:        Dist{Kind: DistExponential, Mean: 5 * time.Millisecond},
			WatchDelay:        Dist{Kind: DistExponential, Mean: 50 * time.Millisecond},
		},
	}
	if n == nil {
		return c
	}
	kvs := d.mapping(n, path, keysCluster, "")
	for _, e := range kvs {
		p := join(path, e.key)
		switch e.key {
		case "nodes":
			c.Nodes = d.intRange(e.v, p, 1, NodesMax)
		case "start":
			c.Start = d.enum(e.v, p, starts)
		case "kubeAPIAccess":
			c.KubeAPIAccess = d.boolean(e.v, p)
		case "imagePullSecret":
			c.ImagePullSecret = d.boolean(e.v, p)
		case "kubelet":
			d.kubelet(e.v, p, &c.Kubelet)
		case "apiserver":
			d.apiserver(e.v, p, &c.APIServer)
		}
		if d.failed() {
			return c
		}
	}
	d.requireKeys(d.nodes[path], path, present(kvs), "nodes")
	if !d.failed() {
		kr, _ := model.ParseRelease(c.Kubelet.Version)
		ar, _ := model.ParseRelease(c.APIServerVersion())
		if err := model.CheckSkew(kr, ar); err != nil {
			p := join(path, "apiserver.version")
			if _, ok := d.nodes[p]; !ok {
				p = join(path, "kubelet.version")
			}
			d.errPath(p, "%v", err)
		}
	}
	return c
}

// release decodes a Kubernetes release, 1.MINOR, into its canonical text.
// A bare 1.30 is read as written, not as the number 1.3.
func (d *decoder) release(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if d.failed() {
		return ""
	}
	r, err := model.ParseRelease(s)
	if err != nil {
		d.errAt(d.nodes[path], path, "%v", err)
		return ""
	}
	return r.String()
}

func (d *decoder) kubelet(n *yaml.Node, path string, k *Kubelet) {
	qpsSet, burstSet := false, false
	for _, f := range d.mapping(n, path, keysKubelet, "") {
		q := join(path, f.key)
		qpsSet = qpsSet || f.key == "kubeAPIQPS"
		burstSet = burstSet || f.key == "kubeAPIBurst"
		switch f.key {
		case "version":
			k.Version = d.release(f.v, q)
		case "syncFrequency":
			k.SyncFrequency = d.duration(f.v, q, true)
		case "changeDetectionStrategy":
			if f.v.Kind == yaml.ScalarNode && strategyAliases[f.v.Value] != "" {
				k.ChangeDetectionStrategy = strategyAliases[f.v.Value]
				break
			}
			k.ChangeDetectionStrategy = d.enum(f.v, q, strategies)
		case "cacheTTL":
			k.CacheTTL = d.cacheTTL(f.v, q)
		case "kubeAPIQPS":
			k.KubeAPIQPS = d.float(f.v, q)
			if !d.failed() && k.KubeAPIQPS < 0 {
				d.errPath(q, "must be >= 0 (0: no limit)")
			}
		case "kubeAPIBurst":
			k.KubeAPIBurst = d.intRange(f.v, q, 0, math.MaxInt32) // int32 in the KubeletConfiguration
		}
		if d.failed() {
			return
		}
	}
	// The KubeletConfiguration's defaults depend on the release.
	r, _ := model.ParseRelease(k.Version)
	qps, burst := model.DefaultKubeAPIQPS(r)
	k.qpsDefault, k.burstDefault = !qpsSet, !burstSet
	if !qpsSet {
		k.KubeAPIQPS = qps
	}
	if !burstSet {
		k.KubeAPIBurst = burst
	}
	// A token bucket of size 0 never grants a token.
	if k.KubeAPIQPS > 0 && k.KubeAPIBurst < 1 {
		d.errPath(join(path, "kubeAPIBurst"), "kubeAPIBurst must be >= 1 when kubeAPIQPS is set (kubeAPIQPS: %g)", k.KubeAPIQPS)
	}
}

func (d *decoder) apiserver(n *yaml.Node, path string, a *APIServer) {
	for _, f := range d.mapping(n, path, keysAPIServer, "") {
		q := join(path, f.key)
		switch f.key {
		case "version":
			a.Version = d.release(f.v, q)
		case "replicas":
			a.Replicas = d.intRange(f.v, q, 1, ReplicasMax)
		case "goawayChance":
			a.GoawayChance = d.float(f.v, q)
			if !d.failed() && (a.GoawayChance < 0 || a.GoawayChance > GoawayChanceMax) {
				d.errPath(q, "must be between 0 and %g (0: off)", GoawayChanceMax)
			}
		case "watchCacheInit":
			a.WatchCacheInit = d.duration(f.v, q, false)
		case "watchCacheHistory":
			a.WatchCacheHistory = d.duration(f.v, q, true)
		case "getLatency":
			a.GetLatency = d.dist(f.v, q, a.GetLatency, false)
		case "watchDelay":
			a.WatchDelay = d.dist(f.v, q, a.WatchDelay, false)
		case "capacity":
			a.Capacity = d.capacity(f.v, q)
		}
		if d.failed() {
			return
		}
	}
}

func lognormal(median time.Duration, sigma float64) Dist {
	return Dist{Kind: DistLognormal, Median: median, Sigma: sigma}
}

// defaultCapacity is upstream's bootstrap priority level "system" on one
// replica with the default flags (docs/upstream-notes.md section 12).
func defaultCapacity() *Capacity {
	return &Capacity{
		// The level's nominal concurrency: ceil(serverCL × NCS / ΣNCS) with
		// serverCL = 400 + 200 (max-requests-inflight and
		// max-mutating-requests-inflight), NCS 30 and ΣNCS 245.
		Seats:            74,
		Queues:           64,
		HandSize:         6,
		QueueLengthLimit: 50,
		QueueWaitLimit:   15 * time.Second, // min(requestTimeout/4, 1m), requestTimeout 60s
		ServiceTime: ServiceTime{
			GetEtcd:  lognormal(2*time.Millisecond, 1.5),
			GetCache: lognormal(300*time.Microsecond, 0.5),
			List:     lognormal(500*time.Microsecond, 0.5),
			Watch:    lognormal(500*time.Microsecond, 0.5),
			Create:   lognormal(3*time.Millisecond, 0.5),
		},
	}
}

// dists returns the service times in keysServiceTime order.
func (s *ServiceTime) dists() []*Dist {
	return []*Dist{&s.GetEtcd, &s.GetCache, &s.List, &s.Watch, &s.Create}
}

// capacity decodes cluster.apiserver.capacity. null is the same as no key
// (unlimited); {} is upstream's system level with every default.
func (d *decoder) capacity(n *yaml.Node, path string) *Capacity {
	kvs := d.mapping(n, path, keysCapacity, "")
	if d.failed() || isNull(d.nodes[path]) {
		return nil
	}
	k := defaultCapacity()
	for _, e := range kvs {
		p := join(path, e.key)
		switch e.key {
		case "seats":
			k.Seats = d.intRange(e.v, p, 1, SeatsMax)
		case "queues":
			k.Queues = d.intRange(e.v, p, 1, QueuesMax)
		case "handSize":
			k.HandSize = d.intRange(e.v, p, 1, HandSizeMax)
		case "queueLengthLimit":
			k.QueueLengthLimit = d.intRange(e.v, p, 1, QueueLengthMax)
		case "queueWaitLimit":
			k.QueueWaitLimit = d.duration(e.v, p, true)
		case "serviceTime":
			dists := k.ServiceTime.dists()
			for _, f := range d.mapping(e.v, p, keysServiceTime, "") {
				dst := dists[slices.Index(keysServiceTime, f.key)]
				*dst = d.dist(f.v, join(p, f.key), *dst, true)
				if d.failed() {
					break
				}
			}
		case "background":
			k.Background = d.background(e.v, p)
		}
		if d.failed() {
			return k
		}
	}
	// Report at the key the file gave: a default cannot be wrong alone.
	have := present(kvs)
	if k.HandSize > k.Queues {
		at := "handSize"
		if !have[at] {
			at = "queues"
		}
		d.errPath(join(path, at), "handSize (%d) must be <= queues (%d)", k.HandSize, k.Queues)
		return k
	}
	// background.seats defaults to 1, so only a given one can exceed seats.
	if b := k.Background; b != nil && b.Seats > k.Seats {
		d.errPath(join(path, "background.seats"), "background seats (%d) must be <= seats (%d)", b.Seats, k.Seats)
	}
	return k
}

// background decodes capacity.background. null is the same as no key.
func (d *decoder) background(n *yaml.Node, path string) *Background {
	kvs := d.mapping(n, path, keysBackground, "")
	if d.failed() || isNull(d.nodes[path]) {
		return nil
	}
	b := &Background{Flows: 100, Seats: 1, ServiceTime: lognormal(5*time.Millisecond, 1)}
	for _, e := range kvs {
		p := join(path, e.key)
		switch e.key {
		case "perSecond":
			b.PerSecond = d.float(e.v, p)
			if !d.failed() && b.PerSecond <= 0 {
				d.errPath(p, "must be > 0")
			}
		case "flows":
			b.Flows = d.intRange(e.v, p, 1, FlowsMax)
		case "seats":
			b.Seats = d.intRange(e.v, p, 1, SeatsMax)
		case "serviceTime":
			b.ServiceTime = d.dist(e.v, p, b.ServiceTime, true)
		}
		if d.failed() {
			return b
		}
	}
	d.requireKeys(d.nodes[path], path, present(kvs), "perSecond")
	return b
}

func (d *decoder) cacheTTL(n *yaml.Node, path string) CacheTTL {
	n = d.scalar(n, path, `"auto", "absent" or a duration such as 30s`, "!!str", "!!int", "!!float")
	if n == nil {
		return CacheTTL{}
	}
	switch n.Value {
	case TTLAuto:
		return CacheTTL{Mode: TTLAuto}
	case TTLAbsent:
		return CacheTTL{Mode: TTLAbsent}
	}
	v, ok := parseDuration(n.Value)
	switch {
	case !ok:
		d.errAt(n, path, `%q is not one of auto, absent or a duration such as 0s, 15s, 60s`, n.Value)
	case v < 0:
		d.errAt(n, path, "must be >= 0, got %s", n.Value)
	}
	return CacheTTL{Mode: TTLFixed, TTL: v}
}

// dist decodes a distribution. Without a distribution key it is def with
// the given parameters replaced, so that --set and sweeps can change one
// parameter of a default. positiveMean asks for a mean > 0 (service times:
// a request holds its seat for some time).
func (d *decoder) dist(n *yaml.Node, path string, def Dist, positiveMean bool) Dist {
	kvs := d.mapping(n, path, keysDist, "")
	if d.failed() {
		return def
	}
	var kindNode *yaml.Node
	for _, e := range kvs {
		if e.key == "distribution" {
			kindNode = e.v
		}
	}
	out, inherited := def, ""
	switch {
	case kindNode != nil:
		out = Dist{Kind: d.enum(kindNode, join(path, "distribution"), distKinds)}
		if d.failed() {
			return out
		}
	case def.Kind == "":
		d.errAt(d.nodes[path], join(path, "distribution"), "required key is missing; use one of %s", strings.Join(distKinds, ", "))
		return out
	default:
		inherited = " (the default; set distribution for another kind)"
	}
	params := distParams[out.Kind]
	for _, e := range kvs {
		p := join(path, e.key)
		if e.key != "distribution" && !slices.Contains(params, e.key) {
			d.errAt(e.k, p, "unknown key for distribution %s%s; allowed keys: distribution, %s", out.Kind, inherited, strings.Join(params, ", "))
			return out
		}
		switch e.key {
		case "value":
			out.Value = d.duration(e.v, p, false)
		case "min":
			out.Min = d.duration(e.v, p, false)
		case "max":
			out.Max = d.duration(e.v, p, false)
		case "mean":
			out.Mean = d.duration(e.v, p, false)
		case "median":
			out.Median = d.duration(e.v, p, false)
		case "sigma":
			out.Sigma = d.float(e.v, p)
			if !d.failed() && out.Sigma < 0 {
				d.errPath(p, "must be >= 0")
			}
		}
		if d.failed() {
			return out
		}
	}
	have := present(kvs)
	for _, k := range params {
		if kindNode != nil && !have[k] {
			d.errAt(d.nodes[path], join(path, k), "required key is missing for distribution %s", out.Kind)
			return out
		}
	}
	if out.Kind == DistUniform && out.Max < out.Min {
		d.errPath(join(path, "max"), "must be >= min (%s)", out.Min)
		return out
	}
	if k, v := out.meanParam(); positiveMean && v <= 0 {
		d.errPath(join(path, k), "service time must have a positive mean; %s must be > 0, got %s", k, FormatDuration(v))
	}
	return out
}

// meanParam returns the parameter that decides whether the distribution's
// mean is positive (every parameter is >= 0 and a uniform's max >= min).
func (d Dist) meanParam() (string, time.Duration) {
	switch d.Kind {
	case DistConstant:
		return "value", d.Value
	case DistUniform:
		return "max", d.Max
	case DistExponential:
		return "mean", d.Mean
	}
	return "median", d.Median
}

func (d *decoder) object(n *yaml.Node, path string) Object {
	o := Object{Namespace: "default", Count: 1, SizeBytes: 1024}
	kvs := d.mapping(n, path, keysObject, "")
	for _, e := range kvs {
		p := join(path, e.key)
		switch e.key {
		case "kind":
			o.Kind = d.enum(e.v, p, objKinds)
		case "namespace":
			o.Namespace = d.dnsLabel(e.v, p, 63)
		case "name":
			o.Name = d.dnsLabel(e.v, p, 253)
		case "count":
			o.Count = d.intRange(e.v, p, 1, CountMax)
		case "sizeBytes":
			o.SizeBytes = d.intRange(e.v, p, 1, SizeBytesMax)
		case "immutable":
			o.Immutable = d.boolean(e.v, p)
		case "immutableFraction":
			o.ImmutableFraction = d.float(e.v, p)
			if !d.failed() && (o.ImmutableFraction < 0 || o.ImmutableFraction > 1) {
				d.errPath(p, "must be between 0 and 1")
			}
		}
		if d.failed() {
			return o
		}
	}
	have := present(kvs)
	d.requireKeys(d.nodes[path], path, have, "kind", "name")
	if !d.failed() && o.Immutable && have["immutableFraction"] {
		d.errPath(join(path, "immutableFraction"), "cannot be combined with immutable; use immutable: true for all members or immutableFraction alone")
	}
	if !d.failed() && len(o.MemberName(o.Count-1)) > 253 {
		d.errPath(join(path, "name"), "too long: member names %s-N must have at most 253 characters", o.Name)
	}
	return o
}

func (d *decoder) workload(n *yaml.Node, path string) Workload {
	w := Workload{Namespace: "default", AutomountServiceAccountToken: true, TerminationGracePeriod: 30 * time.Second}
	kvs := d.mapping(n, path, keysWorkload, "")
	for _, e := range kvs {
		p := join(path, e.key)
		switch e.key {
		case "name":
			w.Name = d.dnsLabel(e.v, p, 63)
		case "namespace":
			w.Namespace = d.dnsLabel(e.v, p, 63)
		case "replicas":
			w.Replicas = d.intRange(e.v, p, 1, math.MaxInt32)
		case "podsPerNode":
			w.PodsPerNode = d.intRange(e.v, p, 1, math.MaxInt32)
		case "job":
			w.Job = d.job(e.v, p)
		case "automountServiceAccountToken":
			w.AutomountServiceAccountToken = d.boolean(e.v, p)
		case "imagePullSecrets":
			w.ImagePullSecrets = d.pullSecrets(e.v, p)
		case "terminationGracePeriod":
			w.TerminationGracePeriod = d.duration(e.v, p, false)
		case "mounts":
			for i, m := range d.list(e.v, p, "mounts") {
				w.Mounts = append(w.Mounts, d.mount(m, index(p, i)))
			}
			// An empty list is checked against the pods' other references in check.
		}
		if d.failed() {
			return w
		}
	}
	have := present(kvs)
	d.requireKeys(d.nodes[path], path, have, "name", "mounts")
	var set []string
	for _, k := range []string{"replicas", "podsPerNode", "job"} {
		if have[k] {
			set = append(set, k)
		}
	}
	switch {
	case d.failed():
	case len(set) > 1:
		d.errPath(join(path, set[1]), "cannot be combined with %s; set exactly one of replicas, podsPerNode and job", set[0])
	case len(set) == 0:
		d.errAt(d.nodes[path], join(path, "replicas"), "required key is missing; set exactly one of replicas, podsPerNode and job")
	}
	return w
}

func (d *decoder) job(n *yaml.Node, path string) *Job {
	j := &Job{Parallelism: 1}
	kvs := d.mapping(n, path, keysJob, "")
	for _, e := range kvs {
		p := join(path, e.key)
		if !d.arrivalKey(e, p, j.arrivals()) {
			switch e.key {
			case "parallelism":
				j.Parallelism = d.intRange(e.v, p, 1, ParallelismMax)
			case "runFor":
				j.RunFor = d.duration(e.v, p, true)
			}
		}
		if d.failed() {
			return j
		}
	}
	have := present(kvs)
	d.requireKeys(d.nodes[path], path, have, "runFor")
	d.arrivalKind(path, have, j.arrivals())
	return j
}

// pullSecrets decodes an imagePullSecrets list. null is the same as no key
// (the namespace's default); [] is an explicit empty list (none).
func (d *decoder) pullSecrets(n *yaml.Node, path string) []string {
	items := d.list(n, path, "Secret names")
	if d.failed() || isNull(d.nodes[path]) {
		return nil
	}
	names := make([]string, 0, len(items))
	for i, it := range items {
		q := index(path, i)
		name := d.str(it, q)
		if d.failed() {
			return names
		}
		if slices.Contains(names, name) {
			d.errPath(q, "duplicate name %q", name)
			return names
		}
		names = append(names, name)
	}
	return names
}

func (d *decoder) mount(n *yaml.Node, path string) Mount {
	m := Mount{Select: SelectAll, As: AsVolume}
	kvs := d.mapping(n, path, keysMount, "")
	for _, e := range kvs {
		p := join(path, e.key)
		switch e.key {
		case "object":
			m.Object = d.str(e.v, p)
		case "select":
			m.Select = d.enum(e.v, p, selects)
		case "as":
			m.As = d.enum(e.v, p, mountAs)
		case "items":
			seen := map[string]bool{}
			for i, it := range d.list(e.v, p, "keys") {
				q := index(p, i)
				k := d.str(it, q)
				if d.failed() {
					break
				}
				if len(k) > 253 || !reKey.MatchString(k) {
					d.errPath(q, "%q is not a valid key: use letters, digits, '-', '_' and '.'", k)
				} else if seen[k] {
					d.errPath(q, "duplicate item %q", k)
				}
				seen[k] = true
				m.Items = append(m.Items, k)
			}
		}
		if d.failed() {
			return m
		}
	}
	have := present(kvs)
	d.requireKeys(d.nodes[path], path, have, "object")
	if !d.failed() && len(m.Items) > 0 && m.As != AsVolume && m.As != AsProjected {
		d.errPath(join(path, "items"), "only allowed with as: volume or as: projected, not as: %s", m.As)
	}
	if len(m.Items) == 0 {
		m.Items = nil
	}
	return m
}

func (d *decoder) update(n *yaml.Node, path string) Update {
	var u Update
	kvs := d.mapping(n, path, keysUpdate, "")
	for _, e := range kvs {
		p := join(path, e.key)
		if !d.arrivalKey(e, p, u.arrivals()) && e.key == "object" {
			u.Object = d.str(e.v, p)
		}
		if d.failed() {
			return u
		}
	}
	have := present(kvs)
	d.requireKeys(d.nodes[path], path, have, "object")
	d.arrivalKind(path, have, u.arrivals())
	return u
}

// arrivalFields points at a rule's arrival keys, so that updates, restarts,
// jobs and faults share one decoder, check and writer for them.
type arrivalFields struct {
	at           *[]time.Duration
	every, start *time.Duration
	rate         *float64      // nil: the rule has no Poisson arrivals (restarts)
	rateKey      string        // poissonPerMinute or poissonPerHour
	ratePer      time.Duration // the rate's unit: a minute or an hour
}

func (u *Update) arrivals() arrivalFields {
	return arrivalFields{&u.At, &u.Every, &u.Start, &u.PoissonPerMinute, "poissonPerMinute", time.Minute}
}

func (r *Restart) arrivals() arrivalFields {
	return arrivalFields{at: &r.At, every: &r.Every, start: &r.Start}
}

func (j *Job) arrivals() arrivalFields {
	return arrivalFields{&j.At, &j.Every, &j.Start, &j.PoissonPerMinute, "poissonPerMinute", time.Minute}
}

func (f *Fault) arrivals() arrivalFields {
	return arrivalFields{&f.At, &f.Every, &f.Start, &f.PoissonPerHour, "poissonPerHour", time.Hour}
}

// kinds returns the rule's mutually exclusive arrival keys.
func (a arrivalFields) kinds() []string {
	if a.rate == nil {
		return []string{"at", "every"}
	}
	return []string{"at", "every", a.rateKey}
}

// arrivalKey decodes e into a if it is one of a's arrival keys and reports
// whether it was.
func (d *decoder) arrivalKey(e kv, p string, a arrivalFields) bool {
	switch {
	case e.key == "at":
		*a.at = d.times(e.v, p)
	case e.key == "every":
		*a.every = d.duration(e.v, p, true)
	case e.key == "start":
		*a.start = d.duration(e.v, p, false)
	case a.rate != nil && e.key == a.rateKey:
		*a.rate = d.float(e.v, p)
		if !d.failed() && *a.rate <= 0 {
			d.errPath(p, "must be > 0")
		}
	default:
		return false
	}
	return true
}

// arrivalKind checks that exactly one kind of arrival is set, and start only
// with a periodic or Poisson one.
func (d *decoder) arrivalKind(path string, have map[string]bool, a arrivalFields) {
	if d.failed() {
		return
	}
	kinds := a.kinds()
	var set []string
	for _, k := range kinds {
		if have[k] {
			set = append(set, k)
		}
	}
	switch {
	case len(set) == 0:
		d.errAt(d.nodes[path], join(path, "at"), "required key is missing; set exactly one of %s", listAnd(kinds))
	case len(set) > 1:
		d.errPath(join(path, set[1]), "cannot be combined with %s; set exactly one of %s", set[0], listAnd(kinds))
	case have["start"] && have["at"]:
		d.errPath(join(path, "start"), "only allowed with %s", strings.Join(kinds[1:], " or "))
	}
}

// listAnd joins words as "a, b and c".
func listAnd(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// times decodes a non-empty list of instants (durations since the start).
func (d *decoder) times(n *yaml.Node, path string) []time.Duration {
	var at []time.Duration
	for i, t := range d.list(n, path, "durations") {
		at = append(at, d.duration(t, index(path, i), false))
	}
	if !d.failed() && len(at) == 0 {
		d.errPath(path, "must list at least one time")
	}
	return at
}

func (d *decoder) restart(n *yaml.Node, path string) Restart {
	var r Restart
	kvs := d.mapping(n, path, keysRestart, "")
	for _, e := range kvs {
		p := join(path, e.key)
		if !d.arrivalKey(e, p, r.arrivals()) {
			switch e.key {
			case "workload":
				r.Workload = d.str(e.v, p)
			case "spread":
				r.Spread = d.duration(e.v, p, false)
			}
		}
		if d.failed() {
			return r
		}
	}
	have := present(kvs)
	d.requireKeys(d.nodes[path], path, have, "workload")
	d.arrivalKind(path, have, r.arrivals())
	return r
}

// fault decodes one faults[] entry. Its kind decides which keys are
// allowed and their defaults, so it is decoded first.
func (d *decoder) fault(n *yaml.Node, path string) Fault {
	f := Fault{Replica: ReplicaAll}
	kvs := d.mapping(n, path, keysFault, "")
	if d.failed() {
		return f
	}
	var kindNode *yaml.Node
	for _, e := range kvs {
		if e.key == "kind" {
			kindNode = e.v
		}
	}
	if kindNode == nil {
		d.errAt(d.nodes[path], join(path, "kind"), "required key is missing; use one of %s", strings.Join(faultKinds, ", "))
		return f
	}
	f.Kind = d.enum(kindNode, join(path, "kind"), faultKinds)
	if d.failed() {
		return f
	}
	switch f.Kind {
	case FaultAPIServerRestart:
	case FaultKubeletRestart:
		f.Replica, f.Downtime, f.Nodes = 0, 10*time.Second, NodeCount{Percent: 100}
	default:
		f.Replica = 0
	}
	allowed := faultKeys[f.Kind]
	for _, e := range kvs {
		p := join(path, e.key)
		if !slices.Contains(allowed, e.key) {
			d.errAt(e.k, p, "unknown key for kind %s; allowed keys: %s", f.Kind, strings.Join(allowed, ", "))
			return f
		}
		if !d.arrivalKey(e, p, f.arrivals()) {
			switch e.key {
			case "replica":
				f.Replica = d.replica(e.v, p)
			case "downtime":
				f.Downtime = d.duration(e.v, p, true)
			case "nodes":
				f.Nodes = d.nodeCount(e.v, p)
			case "spread":
				f.Spread = d.duration(e.v, p, false)
			}
		}
		if d.failed() {
			return f
		}
	}
	have := present(kvs)
	switch f.Kind {
	case FaultAPIServerRestart:
		d.requireKeys(d.nodes[path], path, have, "downtime")
	case FaultNodeJoin, FaultNodeLeave:
		d.requireKeys(d.nodes[path], path, have, "nodes")
	}
	d.arrivalKind(path, have, f.arrivals())
	return f
}

// replica decodes "all" or a replica index; check compares it with
// cluster.apiserver.replicas.
func (d *decoder) replica(n *yaml.Node, path string) int {
	n = d.scalar(n, path, `"all" or a replica number`, "!!str", "!!int")
	if n == nil {
		return 0
	}
	if n.Tag == "!!str" {
		if n.Value != "all" {
			d.errAt(n, path, `%q is not "all" or a replica number`, n.Value)
		}
		return ReplicaAll
	}
	v := d.integer(n, path)
	if !d.failed() && v < 0 { // not ReplicaAll in disguise
		d.errAt(n, path, `no replica %d; replicas are numbered from 0, or use "all"`, v)
	}
	return v
}

// nodeCount decodes a node count (an integer >= 1) or a percentage such as
// "10%" (0% < P <= 100%).
func (d *decoder) nodeCount(n *yaml.Node, path string) NodeCount {
	const want = `a node count >= 1 or a percentage such as "10%"`
	n = d.scalar(n, path, want, "!!str", "!!int")
	if n == nil {
		return NodeCount{}
	}
	if n.Tag == "!!int" {
		v := d.integer(n, path)
		if !d.failed() && v < 1 {
			d.errAt(n, path, "must be > 0, got %d; use %s", v, want)
		}
		return NodeCount{N: v}
	}
	num, ok := strings.CutSuffix(n.Value, "%")
	p, err := strconv.ParseFloat(num, 64)
	// P/100 must stay > 0 too: the model takes a fraction.
	if !ok || err != nil || !(p > 0 && p/100 > 0 && p <= 100) {
		d.errAt(n, path, "%q is not %s (0%% < P <= 100%%)", n.Value, want)
		return NodeCount{}
	}
	return NodeCount{Percent: p}
}

func (d *decoder) output(n *yaml.Node, path string) Output {
	var o Output
	for _, e := range d.mapping(n, path, keysOutput, "") {
		p := join(path, e.key)
		o.Bucket = d.duration(e.v, p, true)
		if !d.failed() && o.Bucket < BucketMin {
			d.errPath(p, "must be >= 1s, got %s", d.nodes[p].Value)
		}
	}
	return o
}

func (d *decoder) sweep(n *yaml.Node, path string) []SweepAxis {
	var axes []SweepAxis
	kvs := d.mapping(n, path, nil, "")
	if len(kvs) > SweepAxesMax {
		d.errAt(kvs[SweepAxesMax].k, path, "too many axes: at most %d", SweepAxesMax)
		return nil
	}
	for _, e := range kvs {
		p := join(path, e.key)
		if e.key == "sweep" || strings.HasPrefix(e.key, "sweep.") {
			d.errAt(e.k, p, "cannot sweep the sweep itself")
			return nil
		}
		ax := SweepAxis{Path: e.key}
		for i, v := range d.list(e.v, p, "values") {
			q := index(p, i)
			v = d.visit(v, q)
			if v == nil {
				return nil
			}
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				d.errAt(v, q, "sweep values must be scalars, got %s", describe(v))
				return nil
			}
			ax.Values = append(ax.Values, v.Value)
			ax.tags = append(ax.tags, v.Tag)
		}
		if d.failed() {
			return nil
		}
		if len(ax.Values) == 0 {
			d.errPath(p, "must list at least one value")
			return nil
		}
		if len(ax.Values) > PointsMax {
			d.errPath(p, "too many values: at most %d", PointsMax)
			return nil
		}
		axes = append(axes, ax)
	}
	return axes
}

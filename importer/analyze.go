package importer

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// sizeLimitBytes is the apiserver's limit on a ConfigMap's or Secret's data
// (and cmsim's sizeBytes limit).
const sizeLimitBytes = 1 << 20

// kubeRootCA is the ConfigMap that cluster.kubeAPIAccess models.
const kubeRootCA = "kube-root-ca.crt"

// objKey names a ConfigMap or Secret.
type objKey struct{ kind, ns, name string }

func (k objKey) String() string { return oneLine(k.kind + " " + k.ns + "/" + k.name) }

// object is a ConfigMap or Secret and its versions in input order.
type object struct {
	key       objKey
	versions  []version // distinct data, in the order given; versions[0] is the initial state
	immutable bool
	scenName  string
}

type version struct {
	d         *doc
	sizeBytes int
	hash      [32]byte
}

// ref is one reference from a pod template to a ConfigMap or Secret.
type ref struct {
	kind, name string
	as         string // volume | projected | subPath | env | envFrom | pullSecret
	items      []string
	optional   bool
	path       string // field path in the document
}

// workload is a pod-creating object.
type workload struct {
	d           *doc
	kind        string
	ns, name    string
	replicas    int
	podsPerNode int
	job         *jobShape
	automount   bool
	grace       time.Duration
	refs        []ref
	notes       []string // what the scenario cannot express
	skip        string   // why no pods are imported
	scenName    string
}

type jobShape struct {
	at          []time.Duration // listed arrivals (a Job's waves)
	every       time.Duration   // a CronJob's period
	parallelism int
	runFor      time.Duration
	note        string
}

// inventory is everything read from the manifests.
type inventory struct {
	files     []string
	objects   map[objKey]*object
	order     []objKey // first appearance
	workloads []*workload
	nodes     int
	sas       map[[2]string]*corev1.ServiceAccount
	skipped   map[string]int // kinds not modelled, by kind
	owned     int            // objects owned by another object in the input
	fs        findings
}

// analyze reads every input. Malformed YAML/JSON and unreadable objects
// are errors; everything else is a finding.
func analyze(inputs []Input) (*inventory, error) {
	inv := &inventory{objects: map[objKey]*object{}, sas: map[[2]string]*corev1.ServiceAccount{}, skipped: map[string]int{}}
	var docs []*doc
	for _, in := range inputs {
		ds, err := splitDocs(in)
		if err != nil {
			return nil, err
		}
		inv.files = append(inv.files, in.Name)
		docs = append(docs, ds...)
	}
	present := map[string]bool{}
	for _, d := range docs {
		present[d.kind+"/"+nsOr(d.namespace)+"/"+d.name] = true
	}
	type decoded struct {
		d   *doc
		obj any
	}
	var objs []decoded
	for _, d := range docs {
		obj, err := decodeDoc(d, &inv.fs)
		if err != nil {
			return nil, err
		}
		if obj == nil {
			inv.skipped[d.kind]++
			continue
		}
		if m := meta(obj); m != nil {
			if o := metav1.GetControllerOfNoCopy(m); o != nil && present[o.Kind+"/"+nsOr(d.namespace)+"/"+o.Name] {
				inv.owned++ // its owner's pods are imported instead
				continue
			}
		}
		objs = append(objs, decoded{d, obj})
	}
	// Objects and service accounts first: workloads refer to them.
	for _, x := range objs {
		switch o := x.obj.(type) {
		case *corev1.ConfigMap:
			size := 0
			for k, v := range o.Data {
				size += len(k) + len(v)
			}
			for k, v := range o.BinaryData {
				size += len(k) + len(v)
			}
			inv.addObject(x.d, "ConfigMap", o.Namespace, o.Name, size, o.Immutable != nil && *o.Immutable, dataHash(o.Data, o.BinaryData))
		case *corev1.Secret:
			size := 0
			for k, v := range o.Data {
				size += len(k) + len(v)
			}
			for k, v := range o.StringData {
				size += len(k) + len(v)
			}
			inv.addObject(x.d, "Secret", o.Namespace, o.Name, size, o.Immutable != nil && *o.Immutable, dataHash(o.StringData, o.Data))
		case *corev1.ServiceAccount:
			inv.sas[[2]string{nsOr(o.Namespace), o.Name}] = o
		case *corev1.Node:
			inv.nodes++
		}
	}
	for _, o := range inv.objects {
		for _, v := range o.versions {
			if v.sizeBytes > sizeLimitBytes {
				return nil, fmt.Errorf("%s: %s data is %d bytes; the apiserver rejects more than %d (1 MiB)", v.d.where(), o.key, v.sizeBytes, sizeLimitBytes)
			}
		}
	}
	for _, x := range objs {
		if w := inv.workload(x.d, x.obj); w != nil {
			inv.workloads = append(inv.workloads, w)
		}
	}
	inv.lint()
	return inv, nil
}

func nsOr(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

func meta(obj any) *metav1.ObjectMeta {
	if m, ok := obj.(interface{ GetObjectMeta() metav1.Object }); ok {
		if om, ok := m.GetObjectMeta().(*metav1.ObjectMeta); ok {
			return om
		}
	}
	return nil
}

func dataHash[A, B ~string | ~[]byte](a map[string]A, b map[string]B) [32]byte {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(a)) {
		fmt.Fprintf(h, "a%q=%q;", k, a[k])
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		fmt.Fprintf(h, "b%q=%q;", k, b[k])
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func (inv *inventory) addObject(d *doc, kind, ns, name string, size int, immutable bool, hash [32]byte) {
	if kind == "ConfigMap" && name == kubeRootCA {
		return // every namespace's; cluster.kubeAPIAccess models it
	}
	k := objKey{kind, nsOr(ns), name}
	o := inv.objects[k]
	if o == nil {
		o = &object{key: k}
		inv.objects[k] = o
		inv.order = append(inv.order, k)
	}
	o.immutable = o.immutable || immutable
	if n := len(o.versions); n > 0 && o.versions[n-1].hash == hash {
		return // the same data again is not an update
	}
	o.versions = append(o.versions, version{d: d, sizeBytes: size, hash: hash})
}

// workload returns the pods a pod-creating object makes, or nil.
func (inv *inventory) workload(d *doc, obj any) *workload {
	w := &workload{d: d, kind: d.kind}
	var tmpl *corev1.PodTemplateSpec
	var spec *corev1.PodSpec
	specPath := "spec.template.spec"
	var selector *metav1.LabelSelector
	needSelector := false
	switch o := obj.(type) {
	case *corev1.Pod:
		w.ns, w.name, spec, specPath, w.replicas = o.Namespace, o.Name, &o.Spec, "spec", 1
	case *corev1.ReplicationController:
		w.ns, w.name, tmpl, w.replicas = o.Namespace, o.Name, o.Spec.Template, replicas(o.Spec.Replicas)
	case *appsv1.Deployment:
		w.ns, w.name, tmpl, w.replicas, selector = o.Namespace, o.Name, &o.Spec.Template, replicas(o.Spec.Replicas), o.Spec.Selector
		needSelector = true
	case *appsv1.ReplicaSet:
		w.ns, w.name, tmpl, w.replicas, selector = o.Namespace, o.Name, &o.Spec.Template, replicas(o.Spec.Replicas), o.Spec.Selector
		needSelector = true
	case *appsv1.StatefulSet:
		w.ns, w.name, tmpl, w.replicas, selector = o.Namespace, o.Name, &o.Spec.Template, replicas(o.Spec.Replicas), o.Spec.Selector
		needSelector = true
	case *appsv1.DaemonSet:
		w.ns, w.name, tmpl, w.podsPerNode, selector = o.Namespace, o.Name, &o.Spec.Template, 1, o.Spec.Selector
		needSelector = true
	case *batchv1.Job:
		w.ns, w.name, tmpl = o.Namespace, o.Name, &o.Spec.Template
		w.job = jobOf(&o.Spec)
	case *batchv1.CronJob:
		w.ns, w.name, tmpl = o.Namespace, o.Name, &o.Spec.JobTemplate.Spec.Template
		specPath = "spec.jobTemplate.spec.template.spec"
		w.job = jobOf(&o.Spec.JobTemplate.Spec)
		w.job.at = nil
		w.job.every, w.job.note = cronPeriod(o.Spec.Schedule)
		if o.Spec.Suspend != nil && *o.Spec.Suspend {
			w.skip = "suspended (spec.suspend: true)"
		}
	default:
		return nil
	}
	w.ns = nsOr(w.ns)
	if tmpl != nil {
		spec = &tmpl.Spec
	}
	if spec == nil { // a ReplicationController without a template
		spec = &corev1.PodSpec{}
		w.skip = "no pod template"
	}
	if needSelector && !strings.HasPrefix(d.apiVersion, "extensions/") && !strings.HasSuffix(d.apiVersion, "beta1") {
		switch {
		case selector == nil:
			inv.fs.add(d, "spec", Error, "add spec.selector.matchLabels with the labels of spec.template.metadata.labels",
				"%s %s has no spec.selector, which %s requires: the apiserver rejects it", d.kind, w.name, d.apiVersion)
		case tmpl != nil && !selects(selector, tmpl.Labels):
			inv.fs.add(d, "spec.selector", Error, "make spec.selector match spec.template.metadata.labels",
				"%s %s: spec.selector does not match the template's labels: the apiserver rejects it", d.kind, w.name)
		}
	}
	if w.replicas == 0 && w.podsPerNode == 0 && w.job == nil {
		w.skip = "0 replicas"
	}
	if d.kind == "DaemonSet" && (len(spec.NodeSelector) > 0 || spec.Affinity != nil) {
		w.notes = append(w.notes, "its nodeSelector/affinity is not modelled: one pod on every node")
		inv.fs.add(d, specPath+".nodeSelector", Info, "", "DaemonSet %s: the scenario runs one pod on every node; its node selection is not modelled", w.name)
	}
	w.grace = 30 * time.Second
	if spec.TerminationGracePeriodSeconds != nil && *spec.TerminationGracePeriodSeconds >= 0 {
		w.grace = time.Duration(*spec.TerminationGracePeriodSeconds) * time.Second
	}
	inv.podRefs(w, spec, specPath)
	return w
}

func replicas(p *int32) int {
	if p == nil {
		return 1 // the apiserver's default
	}
	return int(max(*p, 0))
}

func selects(sel *metav1.LabelSelector, labels map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false
	}
	return !s.Empty() && s.Matches(labelSet(labels))
}

type labelSet map[string]string

func (l labelSet) Has(k string) bool              { _, ok := l[k]; return ok }
func (l labelSet) Get(k string) string            { return l[k] }
func (l labelSet) Lookup(k string) (string, bool) { v, ok := l[k]; return v, ok }

// defaultRunFor is a Job pod's lifetime when the manifest does not bound it.
const defaultRunFor = time.Minute

func jobOf(s *batchv1.JobSpec) *jobShape {
	j := &jobShape{parallelism: 1, runFor: defaultRunFor}
	if s.Parallelism != nil {
		j.parallelism = int(max(*s.Parallelism, 1))
	}
	completions := 1
	if s.Completions != nil {
		completions = int(max(*s.Completions, 1))
	} else if s.Parallelism != nil {
		completions = j.parallelism
	}
	j.parallelism = min(j.parallelism, completions)
	if s.ActiveDeadlineSeconds != nil && *s.ActiveDeadlineSeconds > 0 {
		j.runFor = time.Duration(*s.ActiveDeadlineSeconds) * time.Second
		j.note = "runFor is the Job's activeDeadlineSeconds, its longest run"
	} else {
		j.note = "runFor 1m is a guess (the manifest does not bound a pod's run): edit it"
	}
	waves := (completions + j.parallelism - 1) / j.parallelism
	for i := range min(waves, 1000) {
		j.at = append(j.at, time.Duration(i)*j.runFor)
	}
	return j
}

// podRefs collects the pod spec's references to ConfigMaps and Secrets,
// and whether the pods get kube-api-access.
func (inv *inventory) podRefs(w *workload, spec *corev1.PodSpec, specPath string) {
	// Which volumes the containers mount with and without subPath.
	whole, sub := map[string]bool{}, map[string]bool{}
	containers := map[string][]corev1.Container{"containers": spec.Containers, "initContainers": spec.InitContainers}
	for _, field := range []string{"initContainers", "containers"} {
		for ci, c := range containers[field] {
			cp := fmt.Sprintf("%s.%s[%d]", specPath, field, ci)
			for _, vm := range c.VolumeMounts {
				if vm.SubPath != "" || vm.SubPathExpr != "" {
					sub[vm.Name] = true
				} else {
					whole[vm.Name] = true
				}
			}
			for ei, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				p := fmt.Sprintf("%s.env[%d].valueFrom", cp, ei)
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					w.refs = append(w.refs, ref{kind: "ConfigMap", name: r.Name, as: "env", optional: isTrue(r.Optional), path: p + ".configMapKeyRef.name"})
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					w.refs = append(w.refs, ref{kind: "Secret", name: r.Name, as: "env", optional: isTrue(r.Optional), path: p + ".secretKeyRef.name"})
				}
			}
			for ei, e := range c.EnvFrom {
				p := fmt.Sprintf("%s.envFrom[%d]", cp, ei)
				if r := e.ConfigMapRef; r != nil {
					w.refs = append(w.refs, ref{kind: "ConfigMap", name: r.Name, as: "envFrom", optional: isTrue(r.Optional), path: p + ".configMapRef.name"})
				}
				if r := e.SecretRef; r != nil {
					w.refs = append(w.refs, ref{kind: "Secret", name: r.Name, as: "envFrom", optional: isTrue(r.Optional), path: p + ".secretRef.name"})
				}
			}
		}
	}
	// A volume mounted only with subPath never updates in the container.
	volumeAs := func(name, as string) []string {
		switch {
		case sub[name] && !whole[name]:
			return []string{"subPath"}
		case sub[name]:
			return []string{as, "subPath"}
		}
		return []string{as}
	}
	automount := true
	for vi, v := range spec.Volumes {
		p := fmt.Sprintf("%s.volumes[%d]", specPath, vi)
		switch {
		case v.ConfigMap != nil:
			for _, as := range volumeAs(v.Name, "volume") {
				w.refs = append(w.refs, ref{kind: "ConfigMap", name: v.ConfigMap.Name, as: as, items: keys(v.ConfigMap.Items), optional: isTrue(v.ConfigMap.Optional), path: p + ".configMap.name"})
			}
		case v.Secret != nil:
			for _, as := range volumeAs(v.Name, "volume") {
				w.refs = append(w.refs, ref{kind: "Secret", name: v.Secret.SecretName, as: as, items: keys(v.Secret.Items), optional: isTrue(v.Secret.Optional), path: p + ".secret.secretName"})
			}
		case v.Projected != nil:
			if isKubeAPIAccess(v) {
				continue // what service-account admission added; cluster.kubeAPIAccess models it
			}
			for si, src := range v.Projected.Sources {
				sp := fmt.Sprintf("%s.projected.sources[%d]", p, si)
				switch {
				case src.ConfigMap != nil:
					for _, as := range volumeAs(v.Name, "projected") {
						w.refs = append(w.refs, ref{kind: "ConfigMap", name: src.ConfigMap.Name, as: as, items: keys(src.ConfigMap.Items), optional: isTrue(src.ConfigMap.Optional), path: sp + ".configMap.name"})
					}
				case src.Secret != nil:
					for _, as := range volumeAs(v.Name, "projected") {
						w.refs = append(w.refs, ref{kind: "Secret", name: src.Secret.Name, as: as, items: keys(src.Secret.Items), optional: isTrue(src.Secret.Optional), path: sp + ".secret.name"})
					}
				case src.ServiceAccountToken != nil:
					w.notes = append(w.notes, fmt.Sprintf("projected volume %q's serviceAccountToken source (audience %q) is not modelled; only kube-api-access's token is", v.Name, src.ServiceAccountToken.Audience))
					inv.fs.add(w.d, sp+".serviceAccountToken", Info, "", "%s %s: this token's requests are not simulated; only kube-api-access's are", w.kind, w.name)
				}
			}
		}
	}
	sa := spec.ServiceAccountName
	if sa == "" {
		sa = spec.DeprecatedServiceAccount
	}
	if sa == "" {
		sa = "default"
	}
	account := inv.sas[[2]string{w.ns, sa}]
	switch {
	case spec.AutomountServiceAccountToken != nil:
		automount = *spec.AutomountServiceAccountToken
	case account != nil && account.AutomountServiceAccountToken != nil:
		automount = *account.AutomountServiceAccountToken
	}
	w.automount = automount
	pull, pullPath := spec.ImagePullSecrets, specPath+".imagePullSecrets"
	if len(pull) == 0 && account != nil {
		pull, pullPath = account.ImagePullSecrets, "" // service-account admission copies them into the pod
	}
	for i, ps := range pull {
		p := pullPath
		if p != "" {
			p = fmt.Sprintf("%s[%d].name", p, i)
		}
		w.refs = append(w.refs, ref{kind: "Secret", name: ps.Name, as: "pullSecret", path: p})
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

// validKey is the apiserver's rule for a ConfigMap or Secret key: 1 to 253
// characters of [-._a-zA-Z0-9]. (As a regexp, {1,253} compiles 253 copies
// of the class: 4 ms of every cmsim command's start.)
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 253 {
		return false
	}
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c == '-', c == '.', c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return true
}

// keys returns the items' keys that the apiserver accepts, each once.
func keys(items []corev1.KeyToPath) []string {
	var out []string
	for _, it := range items {
		if validKey(it.Key) && !slices.Contains(out, it.Key) {
			out = append(out, it.Key)
		}
	}
	return out
}

// isKubeAPIAccess tells the projected volume that service-account
// admission adds (kube-api-access-xxxxx) from the user's own.
func isKubeAPIAccess(v corev1.Volume) bool {
	if !strings.HasPrefix(v.Name, "kube-api-access-") {
		return false
	}
	for _, s := range v.Projected.Sources {
		if s.ConfigMap != nil && s.ConfigMap.Name == kubeRootCA {
			return true
		}
	}
	return false
}

package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
	sigsyaml "sigs.k8s.io/yaml"
)

// kubeletSettings are the KubeletConfiguration fields cmsim models.
type kubeletSettings struct {
	from          string // file:line
	syncFrequency time.Duration
	strategy      string
	qps           int
	burst         int
	// qpsSet and burstSet say the KubeletConfiguration sets them; otherwise
	// the scenario leaves them to the release's defaults.
	qpsSet, burstSet bool
}

// defaultKubelet is SetDefaults_KubeletConfiguration's values for the
// fields cmsim models.
func defaultKubelet() kubeletSettings {
	return kubeletSettings{syncFrequency: time.Minute, strategy: "Watch", qps: 50, burst: 100}
}

var kubeletDecoder = sync.OnceValue(func() runtime.Decoder {
	s := runtime.NewScheme()
	if err := kubeletv1beta1.AddToScheme(s); err != nil {
		panic(err) // the upstream scheme is static
	}
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
})

// readKubeletConfig decodes a kubelet.config.k8s.io/v1beta1
// KubeletConfiguration. Unknown fields are findings; a file that is not a
// KubeletConfiguration, or an unknown strategy, is an error.
func readKubeletConfig(in Input, fs *findings) (kubeletSettings, error) {
	k := defaultKubelet()
	docs, err := splitDocs(in)
	if err != nil {
		return k, err
	}
	if len(docs) != 1 || docs[0].kind != "KubeletConfiguration" {
		return k, fmt.Errorf("%s: expected one KubeletConfiguration (kubelet.config.k8s.io/v1beta1) document", in.Name)
	}
	d := docs[0]
	y, err := yaml.Marshal(d.node)
	if err != nil {
		return k, err
	}
	j, err := sigsyaml.YAMLToJSON(y)
	if err != nil {
		return k, fmt.Errorf("%s: %v", d.where(), err)
	}
	obj, _, err := kubeletDecoder().Decode(j, nil, nil)
	if se, ok := runtime.AsStrictDecodingError(err); ok {
		for _, e := range se.Errors() {
			m := reStrict.FindStringSubmatch(e.Error())
			if m == nil {
				fs.add(d, "", Error, "", "%s", e.Error())
				continue
			}
			fs.add(d, m[2], Error, "remove it, or check its spelling", "%s field %s: the kubelet refuses to start", m[1], m[2])
		}
	} else if err != nil {
		return k, fmt.Errorf("%s: not a KubeletConfiguration the kubelet accepts: %v", d.where(), err)
	}
	c, ok := obj.(*kubeletv1beta1.KubeletConfiguration)
	if !ok {
		return k, fmt.Errorf("%s: expected a kubelet.config.k8s.io/v1beta1 KubeletConfiguration, got %s %s", d.where(), d.apiVersion, d.kind)
	}
	k.from = d.where()
	if c.SyncFrequency.Duration > 0 {
		k.syncFrequency = c.SyncFrequency.Duration
	}
	switch s := string(c.ConfigMapAndSecretChangeDetectionStrategy); s {
	case "":
	case "Get", "Cache", "Watch":
		k.strategy = s
	default:
		line, col := locate(d.node, "configMapAndSecretChangeDetectionStrategy")
		return k, fmt.Errorf("%s:%d:%d: configMapAndSecretChangeDetectionStrategy %q is not one of Get, Cache, Watch", d.file, line, col, s)
	}
	if c.KubeAPIQPS != nil {
		k.qps, k.qpsSet = int(max(*c.KubeAPIQPS, 0)), true
	}
	if c.KubeAPIBurst > 0 {
		k.burst, k.burstSet = int(c.KubeAPIBurst), true
	}
	return k, nil
}

// auditEvent is the part of an audit.k8s.io/v1 Event the replay needs. A
// local struct of these documented fields rather than k8s.io/apiserver's
// types: that module would add the apiserver's whole dependency tree (etcd
// client, OpenTelemetry, gRPC, ...) to go.mod for seven fields.
type auditEvent struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	ObjectRef  *struct {
		Resource  string `json:"resource"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
		APIGroup  string `json:"apiGroup"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	RequestReceivedTimestamp time.Time `json:"requestReceivedTimestamp"`
}

// auditWrites are the writes an audit log replays, per object, as offsets
// from the log's first event.
type auditWrites struct {
	at      map[objKey][]time.Duration
	lines   int // events read
	taken   int // update/patch events replayed
	deletes int // deletes, which cmsim does not model
	frozen  int // writes to immutable objects, which the apiserver would have refused
	unknown map[objKey]int
	bad     int // broken lines (each also a finding)
}

// readAuditLog reads JSON lines. Broken lines are findings with their line
// numbers; good lines are kept. t0 is the earliest requestReceivedTimestamp
// of any event in the log.
func readAuditLog(in Input, inv *inventory) (*auditWrites, error) {
	type taken struct {
		key  objKey
		verb string
		at   time.Time
	}
	aw := &auditWrites{at: map[objKey][]time.Duration{}, unknown: map[objKey]int{}}
	var events []taken
	var t0 time.Time
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	line := 0
	bad := func(format string, args ...any) {
		aw.bad++
		inv.fs.list = append(inv.fs.list, Finding{File: in.Name, Line: line, Col: 1, Severity: Warning, Msg: fmt.Sprintf(format, args...), Fix: "the line is skipped"})
	}
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var e auditEvent
		if err := json.Unmarshal(text, &e); err != nil {
			bad("not a JSON audit event: %v", err)
			continue
		}
		if e.Kind != "Event" || e.APIVersion != "audit.k8s.io/v1" || e.RequestReceivedTimestamp.IsZero() {
			bad("not an audit.k8s.io/v1 Event with a requestReceivedTimestamp")
			continue
		}
		aw.lines++
		if t0.IsZero() || e.RequestReceivedTimestamp.Before(t0) {
			t0 = e.RequestReceivedTimestamp
		}
		r := e.ObjectRef
		if e.Stage != "ResponseComplete" || r == nil || r.APIGroup != "" || (r.Resource != "configmaps" && r.Resource != "secrets") ||
			e.ResponseStatus == nil || e.ResponseStatus.Code < 200 || e.ResponseStatus.Code > 299 {
			continue
		}
		if e.Verb != "update" && e.Verb != "patch" && e.Verb != "delete" {
			continue
		}
		kind := "ConfigMap"
		if r.Resource == "secrets" {
			kind = "Secret"
		}
		events = append(events, taken{objKey{kind, nsOr(r.Namespace), r.Name}, e.Verb, e.RequestReceivedTimestamp})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", in.Name, line+1, err)
	}
	if aw.lines == 0 {
		return nil, fmt.Errorf("%s: no audit.k8s.io/v1 events could be read", in.Name)
	}
	for _, e := range events {
		switch o := inv.objects[e.key]; {
		case o == nil:
			aw.unknown[e.key]++
		case e.verb == "delete":
			aw.deletes++
		case o.immutable:
			aw.frozen++
		default:
			aw.taken++
			aw.at[e.key] = append(aw.at[e.key], e.at.Sub(t0))
		}
	}
	for k := range aw.at {
		slices.Sort(aw.at[k])
	}
	return aw, nil
}

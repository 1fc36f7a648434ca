package importer

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	batchv1 "k8s.io/api/batch/v1"
	batchv1beta1 "k8s.io/api/batch/v1beta1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	sigsyaml "sigs.k8s.io/yaml"
)

// deserializer decodes the groups the importer reads, strictly: unknown and
// duplicate fields come back as a strict decoding error with the object.
// Built on first use, so that commands that import nothing do not pay for it.
var deserializer = sync.OnceValue(func() runtime.Decoder {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, appsv1beta1.AddToScheme, appsv1beta2.AddToScheme,
		batchv1.AddToScheme, batchv1beta1.AddToScheme, extensionsv1beta1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err) // the upstream schemes are static
		}
	}
	return serializer.NewCodecFactory(s, serializer.EnableStrict).UniversalDeserializer()
})

// removed lists the apiVersions a kind was served at and is no longer: the
// release that removed it, and what the importer reads it as.
var removed = map[string]struct{ release, now string }{
	"extensions/v1beta1/Deployment": {"v1.16", "apps/v1"},
	"extensions/v1beta1/DaemonSet":  {"v1.16", "apps/v1"},
	"extensions/v1beta1/ReplicaSet": {"v1.16", "apps/v1"},
	"apps/v1beta1/Deployment":       {"v1.16", "apps/v1"},
	"apps/v1beta1/StatefulSet":      {"v1.16", "apps/v1"},
	"apps/v1beta2/Deployment":       {"v1.16", "apps/v1"},
	"apps/v1beta2/StatefulSet":      {"v1.16", "apps/v1"},
	"apps/v1beta2/DaemonSet":        {"v1.16", "apps/v1"},
	"apps/v1beta2/ReplicaSet":       {"v1.16", "apps/v1"},
	"batch/v1beta1/CronJob":         {"v1.25", "batch/v1"},
}

// current is the type each kind the importer uses is read into.
var current = map[string]func() any{
	"Pod":                   func() any { return &corev1.Pod{} },
	"ReplicationController": func() any { return &corev1.ReplicationController{} },
	"ConfigMap":             func() any { return &corev1.ConfigMap{} },
	"Secret":                func() any { return &corev1.Secret{} },
	"Node":                  func() any { return &corev1.Node{} },
	"ServiceAccount":        func() any { return &corev1.ServiceAccount{} },
	"Deployment":            func() any { return &appsv1.Deployment{} },
	"ReplicaSet":            func() any { return &appsv1.ReplicaSet{} },
	"StatefulSet":           func() any { return &appsv1.StatefulSet{} },
	"DaemonSet":             func() any { return &appsv1.DaemonSet{} },
	"Job":                   func() any { return &batchv1.Job{} },
	"CronJob":               func() any { return &batchv1.CronJob{} },
}

var reStrict = regexp.MustCompile(`^(unknown|duplicate) field "(.*)"$`)

// decodeDoc decodes d into the current type of its kind. It returns nil
// and no error for kinds the importer does not use (counted by the caller),
// and an error for an object that cannot be read at all. Strict decoding
// problems and removed apiVersions become findings; the object is still
// used, as the user clearly means it.
func decodeDoc(d *doc, fs *findings) (any, error) {
	y, err := yaml.Marshal(d.node)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", d.where(), err)
	}
	j, err := sigsyaml.YAMLToJSON(y)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", d.where(), err)
	}
	_, _, err = deserializer().Decode(j, nil, nil)
	switch {
	case err == nil:
	case runtime.IsNotRegisteredError(err):
		return nil, nil
	default:
		se, ok := runtime.AsStrictDecodingError(err)
		if !ok {
			return nil, fmt.Errorf("%s:%d: %s %s cannot be read: %v", d.file, d.line, d.kind, d.name, err)
		}
		for _, e := range se.Errors() {
			m := reStrict.FindStringSubmatch(e.Error())
			if m == nil {
				fs.add(d, "", Error, "", "%s", e.Error())
				continue
			}
			if m[1] == "duplicate" {
				fs.add(d, m[2], Error, "keep one of them", "duplicate field %s: the apiserver rejects the object", m[2])
				continue
			}
			fs.add(d, m[2], Error, misplacedHint(m[2]), "unknown field %s: kubectl (strict validation) and the apiserver reject it", m[2])
		}
	}
	key := d.apiVersion + "/" + d.kind
	if r, ok := removed[key]; ok {
		fs.add(d, "apiVersion", Error, removedFix(r.now, d.kind), "%s %s was removed in Kubernetes %s; cmsim reads it as %s", d.apiVersion, d.kind, r.release, r.now)
	}
	// The deserializer knew the group and kind, so this is the upstream kind.
	mk, ok := current[d.kind]
	if !ok {
		return nil, nil
	}
	obj := mk()
	if err := json.Unmarshal(j, obj); err != nil {
		return nil, fmt.Errorf("%s:%d: %s %s cannot be read: %v", d.file, d.line, d.kind, d.name, err)
	}
	return obj, nil
}

// fieldOwners are the structs a misplaced field most often belongs to.
var fieldOwners = []struct {
	name string
	t    reflect.Type
}{
	{"a container (spec.containers[])", reflect.TypeFor[corev1.Container]()},
	{"the pod spec (spec.template.spec)", reflect.TypeFor[corev1.PodSpec]()},
	{"metadata", reflect.TypeFor[corev1.Pod]().Field(1).Type},
	{"a volume (spec.volumes[])", reflect.TypeFor[corev1.Volume]()},
	{"a volumeMount (containers[].volumeMounts[])", reflect.TypeFor[corev1.VolumeMount]()},
}

// misplacedHint says which upstream type has a field of the unknown
// field's name, by the types' own JSON tags.
func misplacedHint(path string) string {
	field := path[strings.LastIndexByte(path, '.')+1:]
	field, _, _ = strings.Cut(field, "[")
	for _, o := range fieldOwners {
		for i := 0; i < o.t.NumField(); i++ {
			tag, _, _ := strings.Cut(o.t.Field(i).Tag.Get("json"), ",")
			if tag == field {
				return fmt.Sprintf("%s is a field of %s; move it there", field, o.name)
			}
		}
	}
	return "remove it, or check its spelling against 'kubectl explain'"
}

func removedFix(now, kind string) string {
	if now == "apps/v1" {
		return "apiVersion: apps/v1, which also requires spec.selector"
	}
	return "apiVersion: " + now
}

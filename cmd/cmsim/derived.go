package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"cmsim/model"
	"cmsim/report"
	"cmsim/scenarios"
)

// printDerived prints, as YAML comments, what each point's settings imply:
// the Cache TTL in force and the expected latency bound.
func printDerived(w io.Writer, points []scenarios.Point) error {
	fmt.Fprintln(w, "# derived: what the settings imply (a running pod's volume consumers, without faults or queueing)")
	for i, pt := range points {
		cfg, err := pt.Scenario.ModelConfig(0)
		if err != nil {
			return err
		}
		label := ""
		if len(points) > 1 {
			var kv []string
			for _, p := range pt.Params {
				kv = append(kv, shortParam(p.Path)+"="+p.Value)
			}
			sort.Strings(kv)
			label = fmt.Sprintf("point %d (%s): ", i, strings.Join(kv, ", "))
		}
		fmt.Fprintf(w, "#   %s%s\n", label, report.DerivedText(model.Derive(cfg)))
	}
	return nil
}

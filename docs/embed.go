// Package docs embeds the user references that 'cmsim help TOPIC' prints,
// so that the repository's Markdown files stay their one source.
package docs

import _ "embed"

// Scenario is docs/scenario.md, the scenario file reference.
//
//go:embed scenario.md
var Scenario string

// Output is docs/output.md, the reference of cmsim's output files.
//
//go:embed output.md
var Output string

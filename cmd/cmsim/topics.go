package main

import "cmsim/docs"

// helpTopics are the references 'cmsim help TOPIC' prints, embedded from
// docs/ so that the binary and the repository say the same.
var helpTopics = map[string]string{
	"scenario": docs.Scenario,
	"output":   docs.Output,
}

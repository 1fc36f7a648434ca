package model

import (
	"fmt"
	"testing"
	"time"
)

func TestZZPhases(t *testing.T) {
	for i := 0; i < 3; i++ {
		cfg := benchConfig(5000, 30, 1000, 10, Watch)
		cfg.Workers = 2
		t0 := time.Now()
		c, _ := New(cfg)
		t1 := time.Now()
		n := len(c.partNodes) - 1
		_ = n
		r, _ := c.Run()
		t2 := time.Now()
		fmt.Println("new", t1.Sub(t0), "run+result", t2.Sub(t1), r.Events)
	}
}

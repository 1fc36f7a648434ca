package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"cmsim/experiment"
)

// interruptContext returns a context cancelled by SIGINT or SIGTERM. Tests
// may replace it.
var interruptContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressBar draws a one-line progress bar on a terminal, redrawn every
// 200ms once the run has lasted a second: points done, runs, events per
// second and time left. It is a no-op when disabled.
type progressBar struct {
	w     io.Writer
	label string
	start time.Time

	mu    sync.Mutex
	p     experiment.Progress
	drawn bool
	stop  chan struct{}
	done  chan struct{}
}

// newProgressBar starts a progress bar on w unless quiet or w is not a
// terminal; the returned bar is never nil.
func newProgressBar(w io.Writer, quiet bool, start time.Time) *progressBar {
	b := &progressBar{w: w, start: start}
	if quiet || !isTerminal(w) {
		return b
	}
	b.stop, b.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(b.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				if time.Since(b.start) >= time.Second {
					b.draw()
				}
			}
		}
	}()
	return b
}

// update records progress; it is an experiment.Options.Progress callback.
func (b *progressBar) update(p experiment.Progress) {
	if b.stop == nil {
		return
	}
	b.mu.Lock()
	b.p = p
	b.mu.Unlock()
}

func (b *progressBar) draw() {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.p
	el := time.Since(b.start)
	const width = 24
	frac := 0.0
	if p.RunsTotal > 0 {
		frac = float64(p.RunsDone) / float64(p.RunsTotal)
	}
	fill := int(frac * width)
	bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
	left := "?"
	if p.RunsDone > 0 {
		left = fmtWall(time.Duration(float64(el) * float64(p.RunsTotal-p.RunsDone) / float64(p.RunsDone)))
	}
	rate := float64(p.Events) / el.Seconds()
	fmt.Fprintf(b.w, "\r\x1b[K%s[%s] %d/%d points, %d/%d runs, %.3g events/s, %s elapsed, %s left",
		b.label, bar, p.PointsDone, p.PointsTotal, p.RunsDone, p.RunsTotal, rate, fmtWall(el), left)
	b.drawn = true
}

// close stops the bar and erases it.
func (b *progressBar) close() {
	if b.stop == nil {
		return
	}
	close(b.stop)
	<-b.done
	b.stop = nil
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}

// fmtWall formats a wall-clock span as 1h02m03s, 2m03s or 3s.
func fmtWall(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%dh%02dm%02ds", s/3600, s/60%60, s%60)
	case s >= 60:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

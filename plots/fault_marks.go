package plots

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"cmsim/results"
)

// faultKinds are the fault kinds of [results.FaultEvent], with the name and
// look of their marks.
var faultKinds = []struct {
	kind, name string
	color      color.NRGBA
	dashes     []vg.Length
}{
	{"apiserverRestart", "apiserver restart", color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, nil},
	{"kubeletRestart", "kubelet restart", color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, []vg.Length{vg.Points(4), vg.Points(2)}},
	{"nodeJoin", "node join", color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, []vg.Length{vg.Points(1.5), vg.Points(1.5)}},
	{"nodeLeave", "node leave", color.NRGBA{R: 0x8C, G: 0x56, B: 0x3C, A: 0xFF}, []vg.Length{vg.Points(5), vg.Points(2), vg.Points(1.5), vg.Points(2)}},
}

// FaultName returns the readable name of a fault kind ("apiserver
// restart"); unknown kinds are returned as they are.
func FaultName(kind string) string {
	for _, k := range faultKinds {
		if k.kind == kind {
			return k.name
		}
	}
	return kind
}

// faultLook returns the colour and dash pattern of a fault kind's marks.
func faultLook(kind string) (color.NRGBA, []vg.Length) {
	for _, k := range faultKinds {
		if k.kind == kind {
			return k.color, k.dashes
		}
	}
	return color.NRGBA{R: 0x66, G: 0x66, B: 0x66, A: 0xFF}, nil
}

// faultSpan is one fault as drawn: [at, end] in seconds.
type faultSpan struct {
	kind, label, short string
	at, end            float64
}

// faultSpans returns the faults with a finite start, in time order as
// given; an end before the start (or not finite) is the start.
func faultSpans(faults []results.FaultEvent) []faultSpan {
	var out []faultSpan
	for _, f := range faults {
		if !finite(f.AtSeconds) {
			continue
		}
		end := f.EndSeconds
		if !finite(end) || end < f.AtSeconds {
			end = f.AtSeconds
		}
		name := FaultName(f.Kind)
		label := name
		if f.Target != "" {
			label += " (" + f.Target + ")"
		}
		out = append(out, faultSpan{kind: f.Kind, label: label, short: name, at: f.AtSeconds, end: end})
	}
	return out
}

// faultMarks shades each fault's span lightly and draws a thin line at its
// start, in its kind's colour. Add it before the data so lines stay on top.
type faultMarks struct{ spans []faultSpan }

func (m faultMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	for _, s := range m.spans {
		if s.end < p.X.Min || s.at > p.X.Max {
			continue
		}
		col, dashes := faultLook(s.kind)
		x0, x1 := trX(math.Max(s.at, p.X.Min)), trX(math.Min(s.end, p.X.Max))
		if x1 > x0 {
			shade := col
			shade.A = 0x24
			c.FillPolygon(shade, c.ClipPolygonXY([]vg.Point{
				{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y},
			}))
		}
		if s.at >= p.X.Min {
			ls := draw.LineStyle{Color: col, Width: vg.Points(0.9), Dashes: dashes}
			c.StrokeLine2(ls, x0, c.Min.Y, x0, c.Max.Y)
		}
	}
}

// faultLabels names the faults in a strip of rows above a panel's data
// area (make room with the title's padding, see faultStripHeight). Each
// label, in its kind's colour, sits right of its fault's line (left of it
// near the right edge), which is drawn up into the strip to reach it, in
// the lowest row where it overlaps no other label nor another label's
// line. Each kind's first fault is named first, by the kind alone, then
// given its target where it still fits, so that every kind is named when
// there is any room; the other faults get the longer label, else the kind,
// else none.
type faultLabels struct {
	spans []faultSpan
	rows  int
}

const faultLabelSize = 7.5

func faultLabelStyle(p *plot.Plot) draw.TextStyle {
	sty := p.Legend.TextStyle
	sty.Font = fontOf(faultLabelSize)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YBottom
	return sty
}

// faultStripHeight is the room faultLabels takes above the data area.
func faultStripHeight(p *plot.Plot, rows int) vg.Length {
	return vg.Length(rows)*(faultLabelStyle(p).Height("Ag")+vg.Points(2)) + vg.Points(3)
}

func (l faultLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	sty := faultLabelStyle(p)
	textH := sty.Height("Ag")
	rowH := textH + vg.Points(2)
	pad := vg.Points(2.5)
	type label struct {
		x0, x1, line vg.Length // the text's extent and its fault's line
		row          int
		msg          string
		kind         string
	}
	var placed []label
	var lines []vg.Length
	for _, s := range l.spans {
		if s.at >= p.X.Min && s.at <= p.X.Max {
			lines = append(lines, trX(s.at))
		}
	}
	fits := func(b label) bool {
		if b.x0 < c.Min.X || b.x1 > c.Max.X {
			return false
		}
		if b.x1 <= b.line {
			// A label left of its line must not start by another fault's
			// line, which it would seem to name.
			for _, x := range lines {
				if x != b.line && math.Abs(float64(x-b.x0)) < float64(3*pad) {
					return false
				}
			}
		}
		for _, o := range placed {
			if o.row == b.row && b.x0 < o.x1+pad && o.x0 < b.x1+pad {
				return false
			}
			// A line reaching a higher row must not cross a lower label.
			if o.row > b.row && o.line >= b.x0-pad && o.line <= b.x1+pad {
				return false
			}
			if b.row > o.row && b.line >= o.x0-pad && b.line <= o.x1+pad {
				return false
			}
		}
		return true
	}
	// try places the first of msgs that fits in the lowest row: right of
	// the line, or left of it when the right edge is too near.
	try := func(s faultSpan, msgs ...string) bool {
		if s.at < p.X.Min || s.at > p.X.Max {
			return false
		}
		x := trX(s.at)
		for _, msg := range msgs {
			w := sty.Width(msg)
			b := label{x0: x + pad, x1: x + pad + w, line: x, msg: msg, kind: s.kind}
			if b.x1 > c.Max.X {
				b.x0, b.x1 = x-pad-w, x-pad
			}
			for r := range l.rows {
				b.row = r
				if fits(b) {
					placed = append(placed, b)
					return true
				}
			}
		}
		return false
	}
	// Each kind's first fault is named by its kind alone, then given its
	// target where that still fits; the other faults follow.
	first := map[string]int{}
	for i, s := range l.spans {
		if _, ok := first[s.kind]; !ok && try(s, s.short) {
			first[s.kind] = i
		}
	}
	for j := range placed {
		b := placed[j]
		placed = slices.Delete(placed, j, j+1)
		if try(l.spans[first[b.kind]], l.spans[first[b.kind]].label) {
			b = placed[len(placed)-1]
			placed = placed[:len(placed)-1]
		}
		placed = slices.Insert(placed, j, b)
	}
	for i, s := range l.spans {
		if f, ok := first[s.kind]; !ok || f != i {
			try(s, s.label, s.short)
		}
	}
	for _, b := range placed {
		col, dashes := faultLook(b.kind)
		y := c.Max.Y + vg.Points(3) + vg.Length(b.row)*rowH
		c.StrokeLine2(draw.LineStyle{Color: col, Width: vg.Points(0.9), Dashes: dashes}, b.line, c.Max.Y, b.line, y+textH)
		ts := sty
		ts.Color = darker(col)
		c.FillText(ts, vg.Point{X: b.x0, Y: y}, b.msg)
	}
}

// darker returns c at 70% brightness, for text that must read on white.
func darker(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	return color.NRGBA{R: uint8(r * 7 / 10 >> 8), G: uint8(g * 7 / 10 >> 8), B: uint8(b * 7 / 10 >> 8), A: uint8(a >> 8)}
}

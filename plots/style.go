package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StrategyParam is the parameter path that names a point's change-detection
// strategy.
const StrategyParam = "cluster.kubelet.changeDetectionStrategy"

// Default chart sizes.
const (
	DefaultWidth      = 16 * vg.Centimeter
	DefaultHeight     = 10 * vg.Centimeter
	DefaultPageHeight = 22 * vg.Centimeter  // the apiserver-load page of five panels
	LoadPanelHeight   = 3.8 * vg.Centimeter // each further panel of the page
)

// LoadPageHeight is the height of an apiserver-load page of n panels.
func LoadPageHeight(n int) vg.Length {
	return DefaultPageHeight + vg.Length(max(n-5, 0))*LoadPanelHeight
}

// Strategy colours (Okabe-Ito, readable by colour-blind viewers and in print).
var (
	ColorGet   = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF} // vermilion
	ColorCache = color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF} // blue
	ColorWatch = color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF} // bluish green
)

// Palette is the fixed colour order of series that are not a strategy.
var Palette = []color.Color{
	color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xFF}, // near black
	color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xFF}, // grey
	color.NRGBA{R: 0x8C, G: 0x56, B: 0x3C, A: 0xFF}, // brown
}

// Dashes are the dash patterns used, in order, to tell apart series that
// share a colour.
var Dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
}

// StrategyColor returns the colour of a strategy and whether s is a known
// strategy (Get, Cache or Watch).
func StrategyColor(s string) (color.Color, bool) {
	switch s {
	case "Get":
		return ColorGet, true
	case "Cache":
		return ColorCache, true
	case "Watch":
		return ColorWatch, true
	}
	return nil, false
}

// LineWidth is the width of data lines.
var LineWidth = vg.Points(1.5)

// seriesStyles assigns a line style to each series: strategy series take their
// strategy's colour, others take Palette in order; series sharing a colour
// differ by dash pattern.
func seriesStyles(strategies []string) []draw.LineStyle {
	colors, variants := seriesLooks(strategies)
	out := make([]draw.LineStyle, len(strategies))
	for i := range out {
		out[i] = draw.LineStyle{Color: colors[i], Width: LineWidth, Dashes: Dashes[variants[i]%len(Dashes)]}
	}
	return out
}

// Glyphs are the marker shapes used, in order, to tell apart series that
// share a colour (as Dashes do for lines).
var Glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.RingGlyph{}}

// seriesGlyphs returns the marker shape of each series (see seriesStyles).
func seriesGlyphs(strategies []string) []draw.GlyphDrawer {
	_, variants := seriesLooks(strategies)
	out := make([]draw.GlyphDrawer, len(strategies))
	for i, v := range variants {
		out[i] = Glyphs[v%len(Glyphs)]
	}
	return out
}

// seriesLooks returns each series' colour and its variant: the number of
// earlier series with the same colour.
func seriesLooks(strategies []string) ([]color.Color, []int) {
	colors := make([]color.Color, len(strategies))
	variants := make([]int, len(strategies))
	perStrategy := map[string]int{}
	k := 0 // index among non-strategy series
	for i, s := range strategies {
		c, ok := StrategyColor(s)
		if ok {
			variants[i] = perStrategy[s]
			perStrategy[s]++
		} else {
			c = Palette[k%len(Palette)]
			variants[i] = k / len(Palette)
			k++
		}
		colors[i] = c
	}
	return colors, variants
}

// sans is the typeface of every text on the charts.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// Font sizes.
const (
	titleSize  = 11
	labelSize  = 10
	tickSize   = 8.5
	legendSize = 8.5
)

// newPlot returns a plot with the package's fonts, grid and labels.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	p.Title.Padding = vg.Points(6)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Padding = vg.Points(2)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Legend.TextStyle.Font = font.From(sans, legendSize)
	p.Legend.ThumbnailWidth = vg.Points(18)
	p.Legend.Padding = vg.Points(2)
	p.X.Tick.Marker = NumberTicks{}
	p.Y.Tick.Marker = NumberTicks{}
	p.Add(grid{})
	return p
}

// grid draws light lines at the labelled ticks of both axes (and at the
// ticks a blankLabels ticker hides).
type grid struct{}

func (grid) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ls := draw.LineStyle{Color: color.Gray{Y: 0xE4}, Width: vg.Points(0.5)}
	for _, t := range majorTicks(p.X) {
		x := trX(t)
		c.StrokeLine2(ls, x, c.Min.Y, x, c.Max.Y)
	}
	for _, t := range majorTicks(p.Y) {
		y := trY(t)
		c.StrokeLine2(ls, c.Min.X, y, c.Max.X, y)
	}
}

func majorTicks(a plot.Axis) []float64 {
	m := a.Tick.Marker
	if b, ok := m.(blankLabels); ok {
		m = b.Ticker
	}
	var out []float64
	for _, t := range m.Ticks(a.Min, a.Max) {
		if t.Label != "" && t.Value >= a.Min && t.Value <= a.Max {
			out = append(out, t.Value)
		}
	}
	return out
}

// NumberTicks marks a linear axis at 1-2-2.5-5 steps with plain labels
// ("0", "0.25", "1,200").
type NumberTicks struct{}

// Ticks implements plot.Ticker.
func (NumberTicks) Ticks(min, max float64) []plot.Tick {
	if !finite(min) || !finite(max) || max <= min {
		return nil
	}
	span := max - min
	major := niceStep(span / 5)
	minor := major / 5
	var ticks []plot.Tick
	for i := math.Ceil(min/minor - 1e-9); i*minor <= max+1e-9*span; i++ {
		v := roundStep(i * minor)
		t := plot.Tick{Value: v}
		if r := v / major; math.Abs(r-math.Round(r)) < 1e-6 {
			t.Label = numberLabel(v)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

func numberLabel(v float64) string {
	if v == 0 {
		return "0"
	}
	if math.Abs(v) >= 1000 && v == math.Trunc(v) {
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// note is a plotter that writes a message in the middle of the data area.
type note struct{ msg string }

func (n note) Plot(c draw.Canvas, p *plot.Plot) {
	sty := p.Title.TextStyle
	sty.Font = font.From(sans, labelSize+2)
	sty.Color = color.Gray{Y: 0x55}
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YCenter
	c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Center().Y}, n.msg)
}

// withNote turns p into an empty chart that carries msg.
func withNote(p *plot.Plot, msg string) *plot.Plot {
	p.Add(note{msg: msg})
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker = plot.ConstantTicks{}
	p.Y.Tick.Marker = plot.ConstantTicks{}
	return p
}

// NoSamples is the note of a chart without data.
const NoSamples = "no samples"

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// TimeTicks marks an axis in seconds with readable units: seconds when the
// span is under about three minutes, minutes under three hours, hours beyond.
// Labels read "0", "30 s", "10 min", "2 h".
type TimeTicks struct{}

var _ plot.Ticker = TimeTicks{}

// Ticks implements plot.Ticker.
func (TimeTicks) Ticks(min, max float64) []plot.Tick {
	if !finite(min) || !finite(max) || max <= min {
		return nil
	}
	span := max - min
	unit, name := 1.0, "s"
	switch {
	case span > 3*3600:
		unit, name = 3600, "h"
	case span > 180:
		unit, name = 60, "min"
	}
	major := niceStep(span/unit/6) * unit
	minor := major / 5
	if name != "s" && major/unit == 1 {
		minor = major / 4
	}
	var ticks []plot.Tick
	for i := math.Ceil(min/minor - 1e-9); i*minor <= max+1e-9*span; i++ {
		v := i * minor
		if math.Abs(v) < 1e-12*span {
			v = 0
		}
		t := plot.Tick{Value: v}
		if r := v / major; math.Abs(r-math.Round(r)) < 1e-6 {
			t.Label = timeLabel(v, unit, name)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

func timeLabel(v, unit float64, name string) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v/unit, 'f', -1, 64) + " " + name
}

// niceStep returns the 1-2-5 (or 2.5, 3 for sixties) step closest above x.
func niceStep(x float64) float64 {
	if x <= 0 || !finite(x) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if x <= m*mag*1.0000001 {
			return roundStep(m * mag)
		}
	}
	return 10 * mag
}

// roundStep snaps floating noise off a step value.
func roundStep(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	return r
}

// blankLabels wraps a ticker and drops its labels (for aligned panels that
// share the x axis).
type blankLabels struct{ plot.Ticker }

func (b blankLabels) Ticks(min, max float64) []plot.Tick {
	ts := b.Ticker.Ticks(min, max)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// FormatSeconds formats a duration in seconds for labels and text: "0.42 s",
// "37 s", "12.5 min", "2.1 h".
func FormatSeconds(s float64) string {
	switch {
	case !finite(s):
		return "n/a"
	case s == 0:
		return "0 s"
	case math.Abs(s) < 10:
		return strconv.FormatFloat(s, 'g', 2, 64) + " s"
	case math.Abs(s) < 180:
		return strconv.FormatFloat(math.Round(s), 'f', 0, 64) + " s"
	case math.Abs(s) < 3*3600:
		return strconv.FormatFloat(s/60, 'f', 1, 64) + " min"
	}
	return strconv.FormatFloat(s/3600, 'f', 1, 64) + " h"
}

// FormatRate formats a rate or count compactly: "0", "0.25", "3.4", "40",
// "152", "12,400". Whole numbers print without decimals.
func FormatRate(v float64) string {
	switch {
	case !finite(v):
		return "n/a"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	case math.Abs(v) < 10:
		return strconv.FormatFloat(v, 'g', 2, 64)
	case math.Abs(v) < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
}

func groupThousands(s string) string {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func fontOf(size vg.Length) font.Font { return font.From(sans, size) }

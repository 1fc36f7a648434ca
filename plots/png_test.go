package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"cmsim/plots/plotstest"
)

// TestPNGMatchesVgimg: a chart's PNG decodes to the pixels gonum/plot's
// own PNG canvas draws. Lines, fills and glyphs are the same pixel for
// pixel; text may sit less than 0.1 pixel away (see pngCanvas), which
// touches the anti-aliased edges of letters only.
func TestPNGMatchesVgimg(t *testing.T) {
	d := plotstest.Faults()
	charts, err := All(&d.Summary, d.Digests(), d.Load)
	if err != nil {
		t.Fatal(err)
	}
	draw1 := func(c Chart, dc draw.Canvas) {
		if c.Page != nil {
			drawPage(c.Page, dc)
		} else {
			c.Plot.Draw(dc)
		}
	}
	vgimgCanvas := func(c Chart) *vgimg.Canvas {
		return vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
	}
	for _, c := range charts[:4] { // CDF, histogram, over time, load page
		var ours bytes.Buffer
		if err := c.Render("png", &ours); err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(&ours)
		if err != nil {
			t.Fatalf("%s: our PNG does not decode: %v", c.Name, err)
		}
		ref := vgimgCanvas(c)
		draw1(c, draw.New(ref))
		if n, share := pixelsDiffer(t, c.Name, got, ref.Image()); share > 0.03 {
			t.Errorf("%s: %d pixels (%.1f%%) differ from vgimg's; only text edges may", c.Name, n, 100*share)
		}

		// Without text, not one pixel may differ.
		cw, err := newCanvas("png", c.Width, c.Height)
		if err != nil {
			t.Fatal(err)
		}
		draw1(c, draw.New(noText{cw}))
		ref = vgimgCanvas(c)
		draw1(c, draw.New(noText{ref}))
		if n, _ := pixelsDiffer(t, c.Name, cw.(pngCanvas).img, ref.Image()); n > 0 {
			t.Errorf("%s without text: %d pixels differ from vgimg's", c.Name, n)
		}
	}
}

// noText is a canvas that draws everything but text.
type noText struct{ vg.CanvasSizer }

func (noText) FillString(font.Face, vg.Point, string) {}

// pixelsDiffer counts the pixels whose colour differs, and their share.
func pixelsDiffer(t *testing.T, name string, got, want image.Image) (int, float64) {
	t.Helper()
	if got.Bounds() != want.Bounds() {
		t.Fatalf("%s: %v, want %v", name, got.Bounds(), want.Bounds())
	}
	n := 0
	b := want.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, _ := got.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				n++
			}
		}
	}
	return n, float64(n) / float64(b.Dx()*b.Dy())
}

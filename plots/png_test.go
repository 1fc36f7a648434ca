package plots

import (
	"bytes"
	"image/color"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"cmsim/plots/plotstest"
)

// TestPNGMatchesVgimg: a chart's PNG decodes to exactly the pixels
// gonum/plot's own PNG canvas draws (cmsim only encodes them faster).
func TestPNGMatchesVgimg(t *testing.T) {
	d := plotstest.Faults()
	charts, err := All(&d.Summary, d.Digests(), d.Load)
	if err != nil {
		t.Fatal(err)
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
		ref := vgimg.NewWith(vgimg.UseWH(c.Width, c.Height), vgimg.UseDPI(PNGDPI), vgimg.UseBackgroundColor(color.White))
		dc := draw.New(ref)
		if c.Page != nil {
			drawPage(c.Page, dc)
		} else {
			c.Plot.Draw(dc)
		}
		want := ref.Image()
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%s: %v, want %v", c.Name, got.Bounds(), want.Bounds())
		}
		diff := 0
		for y := want.Bounds().Min.Y; y < want.Bounds().Max.Y; y++ {
			for x := want.Bounds().Min.X; x < want.Bounds().Max.X; x++ {
				r1, g1, b1, _ := got.At(x, y).RGBA()
				r2, g2, b2, _ := want.At(x, y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					diff++
				}
			}
		}
		if diff > 0 {
			t.Errorf("%s: %d pixels differ from vgimg's", c.Name, diff)
		}
	}
}

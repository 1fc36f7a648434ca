package plots

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
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

// TestPNGEncoderRoundTrips: images with noise, flat areas and runs of
// every awkward length (around a copy's maximum of 258 bytes) decode to
// exactly their pixels, and the zlib stream's checksum and end are valid.
func TestPNGEncoderRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var imgs []*image.RGBA
	for _, w := range []int{1, 2, 3, 7, 86, 87, 88, 173, 300} {
		for _, h := range []int{1, 2, 5} {
			imgs = append(imgs, image.NewRGBA(image.Rect(0, 0, w, h)))
		}
	}
	// Noise, flat rows, runs of changed pixels and sub-images.
	noisy := image.NewRGBA(image.Rect(0, 0, 301, 40))
	for i := range noisy.Pix {
		switch y := i / noisy.Stride; {
		case y%4 == 0:
			noisy.Pix[i] = byte(rng.IntN(256))
		case y%4 == 1:
			noisy.Pix[i] = noisy.Pix[i-noisy.Stride] // repeats the row above
		case y%4 == 2:
			// A run of k changed pixels after a flat stretch.
			if x := (i % noisy.Stride) / 4; x >= 10 && x < 10+y {
				noisy.Pix[i] = 0xff
			}
		default:
			noisy.Pix[i] = 0x80
		}
	}
	imgs = append(imgs, noisy, noisy.SubImage(image.Rect(3, 5, 290, 33)).(*image.RGBA))
	// Runs of repeated pixels of each length near a copy's maximum (86
	// pixels, 258 bytes) and its multiples: in the second row, repeats of
	// the row above (zeros); in the third, of a constant difference.
	for _, run := range []int{1, 2, 3, 4, 5, 84, 85, 86, 87, 88, 171, 172, 173, 174, 258, 259} {
		img := image.NewRGBA(image.Rect(0, 0, run+2, 3))
		for i := range img.Pix {
			img.Pix[i] = 0x40
		}
		img.Pix[img.Stride] = 0x41 // the second row differs at its start, then repeats the first
		for i := 2 * img.Stride; i < 3*img.Stride; i++ {
			img.Pix[i] = 0x90
		}
		imgs = append(imgs, img)
	}
	for k, img := range imgs {
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 0xff // opaque, as charts are
		}
		var b bytes.Buffer
		if err := writePNG(&b, img); err != nil {
			t.Fatal(err)
		}
		checkZlibStream(t, k, b.Bytes())
		got, err := png.Decode(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("image %d (%v): %v", k, img.Bounds(), err)
		}
		bnd := img.Bounds()
		if got.Bounds().Dx() != bnd.Dx() || got.Bounds().Dy() != bnd.Dy() {
			t.Fatalf("image %d: %v, want %v", k, got.Bounds(), bnd)
		}
		for y := 0; y < bnd.Dy(); y++ {
			for x := 0; x < bnd.Dx(); x++ {
				r1, g1, b1, _ := got.At(x, y).RGBA()
				r2, g2, b2, _ := img.At(bnd.Min.X+x, bnd.Min.Y+y).RGBA()
				if r1 != r2 || g1 != g2 || b1 != b2 {
					t.Fatalf("image %d (%v): pixel (%d,%d) is %x,%x,%x, want %x,%x,%x", k, bnd, x, y, r1, g1, b1, r2, g2, b2)
				}
			}
		}
	}
}

// checkZlibStream joins a PNG's IDAT chunks and reads them as one zlib
// stream to its end, which checks its Adler-32 and that nothing follows.
func checkZlibStream(t *testing.T, k int, p []byte) {
	t.Helper()
	var idat []byte
	for p = p[8:]; len(p) >= 12; {
		n := int(binary.BigEndian.Uint32(p))
		if string(p[4:8]) == "IDAT" {
			idat = append(idat, p[8:8+n]...)
		}
		p = p[12+n:]
	}
	zr, err := zlib.NewReader(bytes.NewReader(idat))
	if err != nil {
		t.Fatalf("image %d: %v", k, err)
	}
	if _, err := io.ReadAll(zr); err != nil {
		t.Fatalf("image %d: zlib stream: %v", k, err)
	}
	if err := zr.Close(); err != nil {
		t.Fatalf("image %d: %v", k, err)
	}
}

// TestHuffmanLengthsAreLimitedAndComplete: code lengths stay within the
// limit even for frequencies that would make a deeper tree (Fibonacci),
// and every code is complete (Kraft sum 1), as Go's and zlib's inflaters
// require.
func TestHuffmanLengthsAreLimitedAndComplete(t *testing.T) {
	fib := make([]int, 40)
	fib[0], fib[1] = 1, 1
	for i := 2; i < len(fib); i++ {
		fib[i] = fib[i-1] + fib[i-2]
	}
	cases := []struct {
		freq  []int
		limit int
	}{
		{fib, 15}, {fib[:19], 7}, {[]int{0, 0, 5}, 7}, {[]int{3, 0, 0, 0, 1}, 15}, {make([]int, 19), 7},
	}
	for _, c := range cases {
		lengths := huffmanLengths(c.freq, c.limit)
		kraft, coded := 0.0, 0
		for s, l := range lengths {
			if int(l) > c.limit {
				t.Errorf("freq %v: symbol %d has length %d, over %d", c.freq, s, l, c.limit)
			}
			if c.freq[s] > 0 && l == 0 {
				t.Errorf("freq %v: used symbol %d has no code", c.freq, s)
			}
			if l > 0 {
				kraft += 1 / float64(uint64(1)<<l)
				coded++
			}
		}
		if kraft != 1 || coded < 2 {
			t.Errorf("freq %v: lengths %v: Kraft sum %v over %d codes, want 1 over at least 2", c.freq, lengths, kraft, coded)
		}
	}
}

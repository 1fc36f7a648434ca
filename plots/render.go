package plots

import (
	"fmt"
	"image"
	"image/color"
	"io"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// PNGDPI is the resolution of PNG output.
const PNGDPI = 144

// canvasWriter is a vg canvas that can write itself out.
type canvasWriter interface {
	vg.CanvasSizer
	io.WriterTo
}

// pngCanvas is gonum/plot's image canvas (it starts white), written out
// with writePNG. It draws straight on its own RGBA image: vgimg.NewWith
// with UseWH allocates an image and then has gg copy it into a second one,
// and for a run's handful of charts those two fresh 2-5 MB buffers (page
// faults, a copy, GC assists) cost more than drawing them. Size reports the
// size asked for, so the layout is the one UseWH gives; vgimg only places
// text from its own pixel-rounded height, less than 0.1 pixel away.
type pngCanvas struct {
	*vgimg.Canvas
	w, h vg.Length
	img  *image.RGBA
}

func (c pngCanvas) Size() (w, h vg.Length) { return c.w, c.h }

func (c pngCanvas) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	err := writePNG(cw, c.img)
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newCanvas(format string, w, h vg.Length) (canvasWriter, error) {
	if !(w > 0 && h > 0) {
		return nil, fmt.Errorf("plots: size %vx%v: width and height must be > 0", w, h)
	}
	switch format {
	case "svg":
		return vgsvg.New(w, h), nil
	case "png":
		// The pixel size vgimg.UseWH would give.
		pw, ph := w/vg.Inch*PNGDPI, h/vg.Inch*PNGDPI
		img := image.NewRGBA(image.Rect(0, 0, int(pw+0.5), int(ph+0.5)))
		ctx := gg.NewContextForRGBA(img)
		ctx.SetLineCapButt() // as vgimg.NewWith sets up a context of its own
		ctx.InvertY()
		c := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(PNGDPI))
		return pngCanvas{Canvas: c, w: w, h: h, img: img}, nil
	}
	return nil, fmt.Errorf("plots: format %q: want svg or png", format)
}

// Render draws p on a w×h canvas and writes it to out as "svg" or "png".
// SVG output is byte-deterministic and does not embed fonts.
func Render(p *plot.Plot, format string, w, h vg.Length, out io.Writer) error {
	if p == nil {
		return fmt.Errorf("plots: nil plot")
	}
	return RenderPage([][]*plot.Plot{{p}}, format, w, h, out)
}

// RenderPage draws a grid of plots (rows of columns, such as the page of
// [APIServerLoad]) aligned on one w×h canvas, and writes it to out as "svg" or
// "png". Nil cells are left blank.
func RenderPage(page [][]*plot.Plot, format string, w, h vg.Length, out io.Writer) (err error) {
	if len(page) == 0 || len(page[0]) == 0 {
		return fmt.Errorf("plots: empty page")
	}
	for _, row := range page {
		if len(row) != len(page[0]) {
			return fmt.Errorf("plots: ragged page: rows of %d and %d plots", len(page[0]), len(row))
		}
	}
	c, err := newCanvas(format, w, h)
	if err != nil {
		return err
	}
	defer func() {
		// gonum/plot panics on some degenerate axes; report it as an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("plots: drawing failed: %v", r)
		}
	}()
	dc := draw.New(c)
	if format != "png" { // a PNG canvas starts white
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
	}
	drawPage(page, dc)
	_, err = c.WriteTo(out)
	return err
}

// drawPage draws a page's plots aligned on dc.
func drawPage(page [][]*plot.Plot, dc draw.Canvas) {
	if len(page) == 1 && len(page[0]) == 1 {
		page[0][0].Draw(dc)
		return
	}
	pad := vg.Points(4)
	tiles := draw.Tiles{
		Rows: len(page), Cols: len(page[0]),
		PadX: 4 * pad, PadY: pad,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: 2 * pad,
	}
	cells := plot.Align(page, tiles, dc)
	for i, row := range page {
		for j, p := range row {
			if p != nil {
				p.Draw(cells[i][j])
			}
		}
	}
}

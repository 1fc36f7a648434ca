package plots

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"image"
	"io"
)

// PNG output is written by writePNG rather than image/png: charts are
// mostly flat colour, so one fixed row filter ("Up") and a deflate encoder
// that only copies repeated pixels (deflate.go) write them several times
// faster, in files about a fifth larger (image/png tries five filters on
// every row and compresses harder). It is deterministic: the same image
// gives the same bytes.

// writePNG writes img, which must be opaque, as an 8-bit RGB PNG.
func writePNG(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := io.WriteString(bw, "\x89PNG\r\n\x1a\n"); err != nil {
		return err
	}
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits per sample, RGB; deflate, filter method 0, no interlace
	writeChunk(bw, "IHDR", ihdr[:])
	idat := &chunkWriter{w: bw, typ: "IDAT"}
	enc := newIDATEncoder(idat)
	enc.writeRows(img)
	if err := enc.close(); err != nil {
		return err
	}
	if err := idat.flush(); err != nil {
		return err
	}
	writeChunk(bw, "IEND", nil)
	return bw.Flush()
}

// writeChunk writes one PNG chunk; errors surface at the writer's Flush.
func writeChunk(w *bufio.Writer, typ string, data []byte) {
	var head [8]byte
	binary.BigEndian.PutUint32(head[:4], uint32(len(data)))
	copy(head[4:], typ)
	w.Write(head[:])
	w.Write(data)
	crc := crc32.NewIEEE()
	crc.Write(head[4:])
	crc.Write(data)
	var tail [4]byte
	binary.BigEndian.PutUint32(tail[:], crc.Sum32())
	w.Write(tail[:])
}

// chunkWriter cuts a stream into chunks of at most 64 KiB.
type chunkWriter struct {
	w   *bufio.Writer
	typ string
	buf []byte
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), 1<<16-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == 1<<16 {
			if err := c.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) > 0 {
		writeChunk(c.w, c.typ, c.buf)
		c.buf = c.buf[:0]
	}
	return nil
}

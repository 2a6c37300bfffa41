#!/usr/bin/env python3
"""Draw the benchmark results as a PNG bar chart, standard library only.

    chart.py DATA OUT.png

DATA holds the pipe-separated lines that bench/ckpt-bench prints between
its data markers: engine|workload|op|median|min|max|runs|bytes|why, and
one copy|MiB|copy|median|min|max|runs|bytes| line.  The chart has one
group per workload and direction with one bar per engine (the median,
a whisker from min to max) on a log scale, the tmpfs copy of the same
bytes as a dashed line over the workload it bounds, and "FAILED" where an
engine has no time.
"""
import math
import struct
import sys
import zlib

# 5x7 glyphs, rows top to bottom; lower case is drawn as upper case
FONT = {
    'A': ".###.#...##...#######...##...##...#", 'B': "####.#...#####.#...##...##...#####.",
    'C': ".###.#...##....#....#....#...#.###.", 'D': "####.#...##...##...##...##...#####.",
    'E': "######....####.#....#....#....#####", 'F': "######....####.#....#....#....#....",
    'G': ".###.#...##....#.####...##...#.####", 'H': "#...##...#######...##...##...##...#",
    'I': ".###...#....#....#....#....#...###.", 'J': "..###...#....#....#.#..#.#..#..##..",
    'K': "#...##..#.###..#.#..#..#.#...##...#", 'L': "#....#....#....#....#....#....#####",
    'M': "#...###.###.#.##...##...##...##...#", 'N': "#...###..##.#.##..###...##...##...#",
    'O': ".###.#...##...##...##...##...#.###.", 'P': "####.#...##...#####.#....#....#....",
    'Q': ".###.#...##...##...##.#.##..#..##.#", 'R': "####.#...##...#####.#.#..#..#.#...#",
    'S': ".#####....#.....###.....#....#####.", 'T': "#####..#....#....#....#....#....#..",
    'U': "#...##...##...##...##...##...#.###.", 'V': "#...##...##...##...##...#.#.#...#..",
    'W': "#...##...##...##.#.##.#.##.#.#.#.#.", 'X': "#...##...#.#.#...#...#.#.#...##...#",
    'Y': "#...##...#.#.#...#....#....#....#..", 'Z': "#####....#...#...#...#...#....#####",
    '0': ".###.#...##..###.#.###..##...#.###.", '1': "..#...##....#....#....#....#...###.",
    '2': ".###.#...#....#...#...#...#...#####", '3': "#####...#...#.....#.....##...#.###.",
    '4': "...#...##..#.#.#..#.#####...#....#.", '5': "######....####.....#....##...#.###.",
    '6': "..##..#...#....####.#...##...#.###.", '7': "#####....#...#...#...#....#....#...",
    '8': ".###.#...##...#.###.#...##...#.###.", '9': ".###.#...##...#.####....#...#..##..",
    ' ': "." * 35, '.': "." * 25 + "..##...##.", ',': "." * 25 + "..##....#.",
    '-': "." * 15 + "#####" + "." * 15, '(': "...#...#...#....#....#.....#.....#.",
    ')': ".#.....#.....#....#....#...#...#...", '/': "....#...#....#...#...#....#...#....",
    ':': "......##...##........##...##.......", '%': "##...##..#...#...#...#...#..##...##",
    '=': "..........#####.....#####..........", '+': ".......#....#..#####..#....#.......",
    '_': "." * 30 + "#####", 'x': ".....#...#.#.#...#...#.#.#...#.....",
}
for g in list(FONT):
    FONT[g] = FONT[g].ljust(35, ".")[:35]

WHITE, BLACK, GREY, LIGHT = (255, 255, 255), (0, 0, 0), (110, 110, 110), (225, 225, 225)
COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
RED = (200, 30, 30)


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(WHITE * (w * h))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = 3 * (y * self.w + x)
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        for y in range(max(0, min(y0, y1)), min(self.h, max(y0, y1) + 1)):
            for x in range(max(0, min(x0, x1)), min(self.w, max(x0, x1) + 1)):
                i = 3 * (y * self.w + x)
                self.px[i:i + 3] = bytes(c)

    def hline(self, x0, x1, y, c, dash=0):
        for x in range(min(x0, x1), max(x0, x1) + 1):
            if not dash or (x // dash) % 2 == 0:
                self.set(x, y, c)

    def vline(self, x, y0, y1, c):
        for y in range(min(y0, y1), max(y0, y1) + 1):
            self.set(x, y, c)

    def text(self, x, y, s, c=BLACK, scale=2, anchor="left"):
        width = len(s) * 6 * scale
        if anchor == "center":
            x -= width // 2
        elif anchor == "right":
            x -= width
        for ch in s:
            g = FONT.get(ch) or FONT.get(ch.upper()) or FONT[' ']
            for r in range(7):
                for col in range(5):
                    if g[r * 5 + col] == '#':
                        self.rect(x + col * scale, y + r * scale,
                                  x + col * scale + scale - 1,
                                  y + r * scale + scale - 1, c)
            x += 6 * scale
        return width

    def png(self):
        raw = b"".join(b"\0" + bytes(self.px[3 * y * self.w:3 * (y + 1) * self.w])
                       for y in range(self.h))

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data +
                    struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
        return (b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py DATA OUT.png")
    rows, copy = [], None
    with open(sys.argv[1]) as f:
        for line in f:
            p = line.rstrip("\n").split("|")
            if len(p) < 9:
                continue
            if p[0] == "copy":
                copy = (float(p[3]), int(p[7]))
            else:
                rows.append(p)
    engines = list(dict.fromkeys(r[0] for r in rows))
    keys = list(dict.fromkeys(r[1] for r in rows))
    # "frozen": the time a tree is frozen, plain and with pre-copy passes
    ops = ["checkpoint", "restart", "frozen"]
    val = {(r[0], r[1], r[2]): (float(r[3]), float(r[4]), float(r[5]), r[8])
           for r in rows}
    nums = [v for k, (m, lo, hi, why) in val.items() if not why and m > 0
            for v in (lo, hi)]
    if copy:
        nums.append(copy[0])
    lo_dec = math.floor(math.log10(min(nums))) if nums else -1
    hi_dec = math.ceil(math.log10(max(nums))) if nums else 4
    if hi_dec <= lo_dec:
        hi_dec = lo_dec + 1

    W, H = 1200, 640
    left, right, top, bottom = 110, 30, 80, 150
    c = Canvas(W, H)
    c.text(W // 2, 16, "checkpoint/restart time, median of the runs (log scale)",
           scale=3, anchor="center")
    ph = H - top - bottom

    def ypos(v):
        v = max(v, 10 ** lo_dec)
        return top + ph - int(round((math.log10(v) - lo_dec) / (hi_dec - lo_dec) * ph))

    for d in range(lo_dec, hi_dec + 1):
        y = ypos(10 ** d)
        c.hline(left, W - right, y, LIGHT)
        label = ("%g" % (10 ** d)) if d >= 0 else ("%." + str(-d) + "f") % (10 ** d)
        c.text(left - 8, y - 7, label, GREY, anchor="right")
    c.text(10, top - 30, "ms", GREY)
    c.vline(left, top, top + ph, BLACK)
    c.hline(left, W - right, top + ph, BLACK)

    groups = [(k, op) for k in keys for op in ops
              if any((e, k, op) in val for e in engines)]
    gw = (W - left - right) / max(1, len(groups))
    bw = int(gw * 0.7 / max(1, len(engines)))
    for gi, (k, op) in enumerate(groups):
        gx = left + int(gi * gw + gw * 0.15)
        for ei, e in enumerate(engines):
            if (e, k, op) not in val:
                continue        # not measured for this engine
            m, lo, hi, why = val[(e, k, op)]
            x0 = gx + ei * bw
            col = COLORS[ei % len(COLORS)]
            if why or m <= 0:
                c.text(x0 + bw // 2, top + ph - 60, "X", RED, scale=3, anchor="center")
                c.text(x0 + bw // 2, top + ph - 30, "FAILED", RED, scale=1, anchor="center")
                continue
            c.rect(x0 + 2, ypos(m), x0 + bw - 2, top + ph - 1, col)
            xm = x0 + bw // 2
            c.vline(xm, ypos(hi), ypos(lo), BLACK)
            c.hline(xm - 3, xm + 3, ypos(hi), BLACK)
            c.hline(xm - 3, xm + 3, ypos(lo), BLACK)
            txt = "%.0f" % m if m >= 10 else "%.1f" % m
            c.text(xm, ypos(hi) - 12, txt, BLACK, scale=1, anchor="center")
        if copy and k == "b":
            y = ypos(copy[0])
            c.hline(gx - 4, gx + len(engines) * bw + 4, y, RED, dash=4)
            c.text(gx + len(engines) * bw + 6, y - 4, "copy", RED, scale=1)
        c.text(left + int(gi * gw + gw / 2), top + ph + 12,
               "(%s)" % k, BLACK, anchor="center")
        c.text(left + int(gi * gw + gw / 2), top + ph + 34,
               {"checkpoint": "ckpt"}.get(op, op), GREY, scale=1,
               anchor="center")
    # legend and the workloads
    x = left
    for ei, e in enumerate(engines):
        c.rect(x, H - 92, x + 18, H - 76, COLORS[ei % len(COLORS)])
        x += 26 + c.text(x + 26, H - 91, e) + 20
    if copy:
        c.hline(x, x + 24, H - 84, RED, dash=4)
        c.text(x + 30, H - 91, "tmpfs copy of the same bytes", RED)
    c.text(left, H - 60, "(a) small static program  (b) 256 mib dirty anon"
           "  (h) 1 mib  (i) 1 mib + 64 gib reserved", GREY)
    c.text(left, H - 36, "(c) 1000 vmas, 200 files  (d) 100 pipes x 16 kib, 20 files"
           "  (j) 512 mib + writer: frozen", GREY)
    with open(sys.argv[2], "wb") as f:
        f.write(c.png())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Join two guests' virtio-serial ports: migrate-relay.py SOCKDIR STATS TIMEOUT

SOCKDIR holds the QEMU chardev sockets of scripts/migrate.sh (QEMU listens:
server=on,wait=off): a-image, b-image, a-control and b-control.  The relay
connects to all four, the image ports first (guest/migrate.sh relies on
that order), and copies bytes unchanged in both directions between
a-image and b-image and between a-control and b-control, counting them.

End of file: a virtio-serial port has none of its own (QEMU keeps a
guest's close() to itself), so guest A announces the end of its stream
with a line "END BYTES ..." on the control port.  Once BYTES bytes of
a-image went to b-image, the relay half-closes b-image (shutdown(SHUT_WR));
QEMU reads the rest, sees end of file and disconnects, and guest B reads
end of file after the last byte.  End of file from one side (its QEMU
exited) is passed on the same way.

Each control line is logged with its time and direction on stdout.  The
relay stops when every socket reached end of file, on SIGTERM, or after
TIMEOUT seconds; it then writes key=value lines to STATS:
image_bytes (a-image to b-image), image_back_bytes, announced (BYTES of
END, or -1), verdict (B's last PASS or FAIL line), control_a_to_b and
control_b_to_a (bytes).
"""
import errno
import os
import selectors
import signal
import socket
import sys
import time

CHUNK = 65536
# stop reading a side whose peer lags this far behind
MAX_BUFFER = 4 << 20


class Stop(Exception):
    pass


class Link:
    """One direction: bytes read from src wait in buf until dst takes them."""

    def __init__(self, name, src, dst):
        self.name = name
        self.src = src
        self.dst = dst
        self.buf = bytearray()
        self.bytes = 0          # read from src
        self.sent = 0           # written to dst
        self.eof = False        # src ended
        self.shut = False       # dst half-closed
        self.limit = None       # half-close dst after this many bytes
        self.line = bytearray()  # control: the line being read


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            s.setblocking(False)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sockdir, stats, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    start = time.monotonic()
    deadline = start + timeout
    announced = -1
    verdict = ""

    def log(msg):
        print(f"[{time.monotonic() - start:7.2f}] {msg}", flush=True)

    def on_term(*_):
        raise Stop()

    signal.signal(signal.SIGTERM, on_term)
    links = []
    try:
        names = ("a-image", "b-image", "a-control", "b-control")
        socks = {}
        for n in names:
            socks[n] = connect(os.path.join(sockdir, n), start + 60)
            log(f"connected to {n}")
        ai = Link("image a->b", socks["a-image"], socks["b-image"])
        ib = Link("image b->a", socks["b-image"], socks["a-image"])
        ca = Link("control a->b", socks["a-control"], socks["b-control"])
        cb = Link("control b->a", socks["b-control"], socks["a-control"])
        links = [ai, ib, ca, cb]
        sel = selectors.DefaultSelector()

        def control_lines(link, data):
            nonlocal announced, verdict
            for c in data:
                if c != 0x0A:
                    link.line.append(c)
                    continue
                text = link.line.decode(errors="replace")
                link.line.clear()
                log(f"{link.name}: {text}")
                words = text.split()
                if link is ca and len(words) > 1 and words[0] == "END":
                    try:
                        announced = int(words[1])
                    except ValueError:
                        announced = 0
                    ai.limit = announced
                if link is cb and words and words[0] in ("PASS", "FAIL"):
                    verdict = text

        def shut(link):
            if link.shut:
                return
            link.shut = True
            try:
                link.dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            log(f"{link.name}: end of file passed on after {link.sent} bytes")

        while True:
            now = time.monotonic()
            if now > deadline:
                log(f"timeout after {timeout:.0f}s")
                break
            if all(lk.eof and not lk.buf for lk in links):
                log("every side ended")
                break
            wanted = {}
            for lk in links:
                if not lk.eof and len(lk.buf) < MAX_BUFFER:
                    wanted.setdefault(lk.src, [0, None, None])
                    wanted[lk.src][0] |= selectors.EVENT_READ
                    wanted[lk.src][1] = lk
                if lk.buf and not lk.shut:
                    wanted.setdefault(lk.dst, [0, None, None])
                    wanted[lk.dst][0] |= selectors.EVENT_WRITE
                    wanted[lk.dst][2] = lk
            for s in list(sel.get_map().values()):
                sel.unregister(s.fileobj)
            for s, (ev, _, _) in wanted.items():
                sel.register(s, ev)
            events = sel.select(min(1.0, deadline - now)) if wanted else []
            if not wanted:
                time.sleep(0.1)
            for key, ev in events:
                rd, wr = wanted[key.fileobj][1], wanted[key.fileobj][2]
                if ev & selectors.EVENT_READ and rd:
                    try:
                        data = rd.src.recv(CHUNK)
                    except BlockingIOError:
                        data = None
                    except OSError:
                        data = b""
                    if data:
                        if rd.limit is not None and rd.bytes >= rd.limit:
                            log(f"{rd.name}: {len(data)} bytes past the announced end dropped")
                        else:
                            rd.buf += data
                        rd.bytes += len(data)
                        if rd in (ca, cb):
                            control_lines(rd, data)
                    elif data is not None:
                        rd.eof = True
                        log(f"{rd.name}: end of file after {rd.bytes} bytes")
                if ev & selectors.EVENT_WRITE and wr and wr.buf:
                    try:
                        n = wr.dst.send(wr.buf)
                    except BlockingIOError:
                        n = 0
                    except OSError as e:
                        if e.errno not in (errno.EPIPE, errno.ECONNRESET):
                            raise
                        log(f"{wr.name}: peer gone, {len(wr.buf)} bytes dropped")
                        wr.buf.clear()
                        wr.shut = True
                        n = 0
                    del wr.buf[:n]
                    wr.sent += n
            for lk in links:
                if lk.buf:
                    continue
                if lk.eof or (lk.limit is not None and lk.sent >= lk.limit):
                    shut(lk)
    except Stop:
        log("stopped")
    finally:
        by = {lk.name: lk for lk in links}

        def count(name):
            return by[name].bytes if name in by else 0

        with open(stats, "w") as f:
            f.write(f"image_bytes={count('image a->b')}\n")
            f.write(f"image_back_bytes={count('image b->a')}\n")
            f.write(f"announced={announced}\n")
            f.write(f"verdict={verdict}\n")
            f.write(f"control_a_to_b={count('control a->b')}\n")
            f.write(f"control_b_to_a={count('control b->a')}\n")


if __name__ == "__main__":
    main()

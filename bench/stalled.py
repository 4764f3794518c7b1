"""Stalled clients for the slow-clients scenario: HTTP/1.1 connections and raw HTTP/2 (h2c prior knowledge) streams
that each read a little of a response and then stop reading, so the server's memory per stalled response can be
measured from its RSS. Loopback only; every socket is closed by close()."""
import os
import selectors
import socket
import struct
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def settled_rss_kib(pid, window=2.0, tolerance_kib=1024, timeout=30.0):
    """Polls the RSS until it moved less than tolerance over `window` seconds (or timeout); returns the last value."""
    samples, deadline = [], time.time() + timeout
    while True:
        samples.append((time.time(), rss_kib(pid)))
        recent = [v for t, v in samples if t >= samples[-1][0] - window]
        if samples[-1][0] - samples[0][0] >= window and max(recent) - min(recent) < tolerance_kib:
            return samples[-1][1]
        if time.time() > deadline:
            return samples[-1][1]
        time.sleep(0.25)


def _read_until(socks, want, timeout):
    """Reads from every socket until each has delivered `want` bytes (then stops reading it); returns the counts."""
    got = {s: 0 for s in socks}
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    deadline = time.time() + timeout
    while sel.get_map() and time.time() < deadline:
        for key, _ in sel.select(0.5):
            s = key.fileobj
            try:
                data = s.recv(min(4096, want - got[s]))
            except BlockingIOError:
                continue
            if not data:
                raise RuntimeError("the server closed a stalled connection")
            got[s] += len(data)
            if got[s] >= want:
                sel.unregister(s)
    sel.close()
    if any(v < want for v in got.values()):
        raise RuntimeError(f"{sum(v < want for v in got.values())} connections got less than {want} bytes in {timeout}s")
    return got


class StalledHttp1:
    """n HTTP/1.1 GETs of `path`, each read to `read_bytes` (head included) and then left unread."""

    def __init__(self, port, path, n, read_bytes=1024, timeout=60):
        self.socks = []
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        try:
            for _ in range(n):
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                s.sendall(request)
                self.socks.append(s)
            _read_until(self.socks, read_bytes, timeout)
        except BaseException:
            self.close()
            raise

    def close(self):
        for s in self.socks:
            s.close()
        self.socks = []


def _frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def _literal(index, value):
    """An HPACK literal header field without indexing, its name from the static table, its value raw (no Huffman)."""
    value = value.encode()
    assert index < 15 and len(value) < 127
    return bytes([index, len(value)]) + value


class StalledHttp2:
    """`streams` GETs of `path` over `connections` h2c connections (prior knowledge). The client announces a large
    window (16 MiB per stream, 1 GiB for the connection, as curl does) and reads every connection until each of its
    streams has received `read_bytes` of DATA; then it stops reading the socket, so the server's writes back up."""

    STREAM_WINDOW = 16 << 20

    def __init__(self, port, path, streams, connections, read_bytes=1024, timeout=60):
        self.socks = []
        per = -(-streams // connections)
        try:
            for c in range(connections):
                count = min(per, streams - c * per)
                if count <= 0:
                    break
                s = socket.create_connection(("127.0.0.1", port), timeout=10)
                s.sendall(PREFACE + _frame(SETTINGS, 0, 0, struct.pack(">HI", 4, self.STREAM_WINDOW))
                          + _frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", (1 << 30) - 65535)))
                block = b"\x82\x86" + _literal(4, path) + _literal(1, f"127.0.0.1:{port}")
                s.sendall(b"".join(_frame(HEADERS, 0x5, 1 + 2 * i, block) for i in range(count)))
                self.socks.append(s)
                self._read_streams(s, count, read_bytes, timeout)
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _read_streams(s, count, read_bytes, timeout):
        got, buf, deadline = {}, b"", time.time() + timeout
        while sum(1 for v in got.values() if v >= read_bytes) < count:
            if time.time() > deadline:
                raise RuntimeError(f"h2: only {len(got)} of {count} streams sent data in {timeout}s")
            data = s.recv(1 << 16)
            if not data:
                raise RuntimeError("h2: the server closed the connection")
            buf += data
            while len(buf) >= 9:
                length = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + length:
                    break
                kind, flags, stream = buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
                payload, buf = buf[9:9 + length], buf[9 + length:]
                if kind == DATA:
                    got[stream] = got.get(stream, 0) + length
                elif kind == SETTINGS and not flags & 1:
                    s.sendall(_frame(SETTINGS, 1, 0))
                elif kind == PING and not flags & 1:
                    s.sendall(_frame(PING, 1, 0, payload))
                elif kind in (GOAWAY, RST_STREAM):
                    raise RuntimeError(f"h2: frame type {kind} on stream {stream}: {payload.hex()}")

    def close(self):
        for s in self.socks:
            s.close()
        self.socks = []


def timed_get(port, path, timeout=10):
    """One fresh HTTP/1.1 GET on a new connection, read to its end; returns (seconds, body bytes)."""
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = bytearray()
        while chunk := s.recv(1 << 16):
            data += chunk
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"fresh GET {path}: {head[:60]!r}")
    return time.perf_counter() - t0, len(body)


if __name__ == "__main__":  # quick manual probe: python3 bench/stalled.py PID H1PORT H2PORT PATH
    import sys
    pid, h1, h2, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    n1, n2 = int(os.environ.get("N1", "1000")), int(os.environ.get("N2", "200"))
    base = settled_rss_kib(pid)
    st = StalledHttp1(h1, path, n1)
    rss = settled_rss_kib(pid)
    print(f"h1 {n1}: +{(rss - base) / 1024:.1f} MiB ({(rss - base) / n1:.1f} KiB each); fresh {timed_get(h1, os.environ.get('FRESH', '/files/small.bin'))}")
    st.close()
    base = settled_rss_kib(pid)
    st = StalledHttp2(h2, path, n2, 4)
    rss = settled_rss_kib(pid)
    print(f"h2 {n2}: +{(rss - base) / 1024:.1f} MiB ({(rss - base) / n2:.1f} KiB each); fresh {timed_get(h1, os.environ.get('FRESH', '/files/small.bin'))}")
    st.close()

"""Slow and idle clients against sample-web's shipped Kestrel limits (appsettings.json, Kestrel:Limits):
- 1,000 downloads of a 1 GiB file that each read 1 KiB and stall, over HTTP/1.1 and over h2c: the server RSS they
  add, and a fresh request's time meanwhile (the response-rate cut is pushed out for this one, so they stay stalled
  while measured);
- 1,000 connections that send their headers a byte per second: a fresh request's time meanwhile, and how long until
  RequestHeadersTimeout has closed them all;
- an upload body sent at 10 B/s: cut by the minimum data rate, its temp file removed."""
import os
import socket
import time

import common
import stalled

NAME = "slow-clients"
ORDER = 20
COUNT = int(os.environ.get("STRESS_SLOW", "1000"))


def fresh_get_seconds(port):
    return stalled.timed_get(port, "/files/small.bin", timeout=10)[0]


WARM_UP_GETS = 200  # 200 MiB through the server first: its GC past its first collections, as a running server is
H2_STREAMS_PER_CONNECTION = 100  # Kestrel's default MaxStreamsPerConnection


def slow_downloads(ctx, protocol):
    """A fresh server, warmed up, then COUNT stalled downloads over HTTP/1.1 (a connection each) or h2c (100 streams
    per connection): the RSS they add once it has settled, and a fresh GET's time meanwhile."""
    server = common.SampleWeb(f"slow-downloads-{protocol}", env={"Kestrel__Limits__MinResponseDataRate__GracePeriod": "00:10:00"})
    try:
        common.data_file(server.files, "big.bin", 1 << 30)
        common.data_file(server.files, "small.bin", 1 << 20)
        for _ in range(WARM_UP_GETS):
            fresh_get_seconds(server.port)  # JIT, first-use costs and the GC's first budgets before the baseline
        base = stalled.settled_rss_kib(server.pid)
        if protocol == "h2":
            connections = -(-COUNT // H2_STREAMS_PER_CONNECTION)
            clients = stalled.StalledHttp2(server.h2_port, "/files/big.bin", COUNT, connections)
            what = f"{COUNT:,} stalled 1 GiB h2c downloads ({connections} connections, 1 KiB read each)"
        else:
            clients = stalled.StalledHttp1(server.port, "/files/big.bin", COUNT)
            what = f"{COUNT:,} stalled 1 GiB downloads (HTTP/1.1, 1 KiB read each)"
        try:
            rss = stalled.settled_rss_kib(server.pid)
            fresh = max(fresh_get_seconds(server.port) for _ in range(5))
        finally:
            clients.close()
        added = (rss - base) / 1024
        ctx.row(NAME, f"{what}: added server RSS", f"{added:.1f} MiB", "≤ 64 MiB", added <= 64)
        ctx.row(NAME, "…a fresh 1 MiB GET meanwhile (slowest of 5)", f"{fresh * 1000:.0f} ms", "< 1 s", fresh < 1)
    finally:
        server.stop()


def slow_headers(ctx, server):
    socks, started = [], time.time()
    for _ in range(COUNT):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(b"GET /files/small.bin HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        s.setblocking(False)
        socks.append(s)
    opened = time.time()  # the last connection's start: from here every one is within its timeout
    worst, closed_at = 0.0, None
    while time.time() - started < 40 and closed_at is None:
        open_socks = []
        for s in socks:
            try:
                s.send(b"a")
                reply = s.recv(1 << 12)
                if reply == b"" or reply.startswith(b"HTTP/1.1 408"):
                    s.close()
                    continue  # timed out by the server (its 408, then the close)
                open_socks.append(s)
            except BlockingIOError:
                open_socks.append(s)
            except OSError:
                pass
        socks = open_socks
        worst = max(worst, fresh_get_seconds(server.port))
        if not socks:
            closed_at = time.time() - opened
        time.sleep(1)
    for s in socks:
        s.close()
    ctx.row(NAME, f"{COUNT:,} connections sending headers at 1 B/s: a fresh GET meanwhile (slowest)", f"{worst * 1000:.0f} ms", "< 1 s", worst < 1)
    ctx.row(NAME, "…all of them closed by RequestHeadersTimeout (10 s), after the last one opened", "never" if closed_at is None else f"{closed_at:.1f} s",
            "≤ 10 s + 1 s heartbeat + 1 s poll", closed_at is not None and closed_at <= 12.5)


def slow_body(ctx, server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    s.sendall(b"PUT /uploads/slow.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
    started, reply = time.time(), b""
    s.setblocking(False)
    while time.time() - started < 30:
        try:
            s.send(b"0123456789")  # 10 bytes a second
        except OSError:
            break
        try:
            reply = s.recv(4096)
            if reply or reply == b"":
                break
        except BlockingIOError:
            pass
        time.sleep(1)
    cut = time.time() - started
    s.close()
    removed = common.poll(lambda: not server.temp_files(), 10)
    status = reply[:12].decode("latin1") if reply else "connection closed"
    ctx.row(NAME, "an upload body at 10 B/s: cut after", f"{cut:.0f} s ({status})", "≈ 5 s grace + heartbeat", cut < 15)
    ctx.row(NAME, "…its temp file, and nothing published", f"{len(server.temp_files())} temp, {len(server.published())} published", "0, 0",
            removed and not server.published())


def run(ctx):
    slow_downloads(ctx, "h1")
    slow_downloads(ctx, "h2")
    server = common.SampleWeb("slow-headers")
    ctx.cleanups.append(server.stop)
    common.data_file(server.files, "small.bin", 1 << 20)
    fresh_get_seconds(server.port)
    slow_headers(ctx, server)
    slow_body(ctx, server)
    server.stop()

"""Slow clients: the server RSS that stalled downloads add (each reads ~1 KiB of a 1 GiB body, then stops reading),
on HTTP/1.1 (1,000 connections) and HTTP/2 (200 streams over 4 h2c connections), and how long a fresh 1 MiB GET takes
meanwhile. Each measurement runs on a fresh server process (so no earlier round's memory is reused or counted), with
Kestrel's minimum response data rate off so stalled clients stay stalled until the client closes them.

Subjects: ASP.NET's Results.File on a stock Kestrel (the peer), our file result with AddStreamingServerBuffers, and
our generated body and process stdout (`cat`; at most 50 at once: the process endpoints cap concurrency)."""
import os
import socket
import sys
import time

import bench
import stalled

NAME = "slow-clients"
ORDER = 60
H1_CLIENTS = int(os.environ.get("BENCH_STALLED_H1", "1000"))
H2_STREAMS = int(os.environ.get("BENCH_STALLED_H2", "200"))
H2_CONNECTIONS = 4
PROCESS_CLIENTS = 50
FRESH_GETS = 5


def socket_count(pid):
    """The server's open sockets (listeners and connections)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass  # closed meanwhile
    return count


def start(port, buffers):
    env = {"BENCH_DATA": str(bench.DATA), "BENCH_MIN_RESPONSE_RATE": "off", "ASPNETCORE_ENVIRONMENT": "Production",
           "DOTNET_gcServer": "0", "Kestrel__Endpoints__H1__Url": f"http://127.0.0.1:{port}",
           "Kestrel__Endpoints__H2__Url": f"http://127.0.0.1:{port + 1}", "Kestrel__Endpoints__H2__Protocols": "Http2"}
    if buffers:
        env["BENCH_SERVER_BUFFERS"] = "streaming"
    dll = bench.ROOT / "bench/BenchServer/bin/Release/net10.0/BenchServer.dll"
    server = bench.Server("slow-clients", ["dotnet", str(dll)], port, env=env)
    bench.wait_for_port(port + 1)
    return server


def wait_for_sockets(pid, target, timeout=120):
    """Polls until the server holds no more sockets than `target` (its connections are gone)."""
    deadline = time.time() + timeout
    while socket_count(pid) > target and time.time() < deadline:
        time.sleep(0.2)


def collect(port):
    """Asks the server for a full GC (POST /bench/collect)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"POST /bench/collect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        reply = s.recv(256)
    if not reply.startswith(b"HTTP/1.1 204"):
        raise RuntimeError(f"POST /bench/collect: {reply[:60]!r}")


def measure(port, buffers, path, protocol, clients):
    """One fresh server: warm up, settle, stall `clients` responses, read the RSS and fresh-GET latency; returns
    (KiB added per stalled response, the same after a full GC on both sides, worst fresh-GET seconds)."""
    server = start(port, buffers)
    try:
        pid = server.pid
        idle = socket_count(pid)
        stalled.StalledHttp1(port, path, 10).close()  # JIT and first-use costs, outside the measurement
        stalled.timed_get(port, "/peer/results-file/small.bin")
        wait_for_sockets(pid, idle)
        base = stalled.settled_rss_kib(pid)
        collect(port)
        base_gc = stalled.settled_rss_kib(pid)
        if protocol == "h2":
            held = stalled.StalledHttp2(port + 1, path, clients, H2_CONNECTIONS)
        else:
            held = stalled.StalledHttp1(port, path, clients)
        try:
            rss = stalled.settled_rss_kib(pid)
            fresh = max(stalled.timed_get(port, "/peer/results-file/small.bin")[0] for _ in range(FRESH_GETS))
            collect(port)
            rss_gc = stalled.settled_rss_kib(pid)
        finally:
            held.close()
        return (rss - base) / clients, (rss_gc - base_gc) / clients, fresh
    finally:
        server.stop()


def run(ctx):
    ctx.data_file("big.bin", bench.GIB)
    ctx.data_file("small.bin", bench.MIB)
    port = bench.PORT_BASE + 6  # and +7 for h2c; +5 is the bench server's HTTPS endpoint
    subjects = [
        ("h1", f"{H1_CLIENTS} HTTP/1.1", H1_CLIENTS, [
            ("Results.File", False, "/peer/results-file/big.bin"),
            ("ours StreamingResults.File", True, "/ours/file/big.bin"),
            ("ours generated body", True, "/ours/generated?mib=1024"),
        ]),
        ("h1", f"{PROCESS_CLIENTS} HTTP/1.1", PROCESS_CLIENTS, [
            ("Results.File", False, "/peer/results-file/big.bin"),
            ("ours process stdout (cat)", True, "/ours/process/cat/big.bin"),
        ]),
        ("h2", f"{H2_STREAMS} h2 streams", H2_STREAMS, [
            ("Results.File", False, "/peer/results-file/big.bin"),
            ("ours StreamingResults.File", True, "/ours/file/big.bin"),
        ]),
    ]
    for protocol, label, clients, cases in subjects:
        results = {name: [] for name, _, _ in cases}
        for _ in range(ctx.rounds):  # round-robin, so the machine's drift lands on every subject alike
            for name, buffers, path in cases:
                results[name].append(measure(port, buffers, path, protocol, clients))
                kib, kib_gc, fresh = results[name][-1]
                print(f"  {label} {name}: {kib:.1f} KiB each ({kib_gc:.1f} after a GC), fresh GET {fresh * 1000:.0f} ms",
                      file=sys.stderr, flush=True)
        for name, samples in results.items():
            peer = None if name == "Results.File" else "Results.File"
            ctx.row(f"stalled: {label}, RSS added per response", name, "KiB", [kib for kib, _, _ in samples], "KiB",
                    peer=peer, higher_is_better=False)
            ctx.row(f"stalled: {label}, the same after a full GC", name, "KiB", [kib for _, kib, _ in samples], "KiB",
                    peer=peer, higher_is_better=False)
            ctx.row(f"stalled: {label}, slowest fresh 1 MiB GET", name, "ms", [s * 1000 for _, _, s in samples], "ms",
                    peer=peer, higher_is_better=False)

"""tus 1.0 ingest: a 1 GiB upload as tus PATCHes of 64 MiB (creation, then 16 appends on one keep-alive connection)
against the same gigabyte as one raw PUT, both through the app's own endpoints on one AddStreamingUploads
configuration (SHA-256 on), both sent by the same raw-socket client with sendfile, so the ratio is the cost of the
protocol: a request per chunk, and the whole-file digest read back at completion. tusdotnet, the ASP.NET tus server,
is not served by this machine's NuGet source, so it has no row."""
import base64
import os
import socket

import bench

NAME = "tus"
ORDER = 55
CHUNK = 64 * bench.MIB
PUT, TUS = "ours raw PUT (MapUpload), sha-256 on", "ours tus PATCH, 64 MiB chunks (MapTusUploads), sha-256 on"


def _head(conn):
    """Reads one response's head and body; returns (status, headers)."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            raise RuntimeError(f"connection closed: {data!r}")
        data += more
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    left = int(headers.get("content-length", "0")) - len(rest)
    while left > 0:
        left -= len(conn.recv(min(left, 65536)))
    return int(lines[0].split(" ")[1]), headers


def _send(conn, head, src=None, offset=0, count=0):
    conn.sendall(head.encode("latin-1"))
    if count:
        with open(src, "rb") as f:
            conn.sendfile(f, offset, count)
    return _head(conn)


def put(port, src):
    size = src.stat().st_size
    with socket.create_connection(("127.0.0.1", port)) as conn:
        status, _ = _send(conn, f"PUT /app/put/t-put.bin HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n", src, 0, size)
    return status


def tus(port, src):
    size = src.stat().st_size
    name = base64.b64encode(b"t-tus.bin").decode()
    with socket.create_connection(("127.0.0.1", port)) as conn:
        status, headers = _send(conn, f"POST /app/tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: {size}\r\n"
                                      f"Upload-Metadata: filename {name}\r\nContent-Length: 0\r\n\r\n")
        assert status == 201, f"tus creation: HTTP {status}"
        location = headers["location"]
        for offset in range(0, size, CHUNK):
            count = min(CHUNK, size - offset)
            status, _ = _send(conn, f"PATCH {location} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
                                    f"Content-Type: application/offset+octet-stream\r\nContent-Length: {count}\r\n\r\n", src, offset, count)
            assert status == 204, f"tus append at {offset}: HTTP {status}"
    return status


def run(ctx):
    src = ctx.data_file("big.bin", bench.GIB)
    server = ctx.bench_server(server_buffers=True)
    cases = [(PUT, server.cpu, lambda: put(server.port, src)), (TUS, server.cpu, lambda: tus(server.port, src))]
    results = ctx.interleave(cases, settle=os.sync)
    for subject in (PUT, TUS):
        rounds = results[subject]
        assert all(status in (201, 204) for _, _, status in rounds), f"{subject}: HTTP {[r[2] for r in rounds]}"
        stored = bench.DATA / "uploads" / ("t-put.bin" if subject == PUT else "t-tus.bin")
        assert stored.stat().st_size == bench.GIB, f"{subject}: stored {stored.stat().st_size} bytes"
        ctx.row("1 GiB upload, tus vs raw PUT", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", peer=None if subject == PUT else PUT,
                machine=ctx.machine_cpu(subject))

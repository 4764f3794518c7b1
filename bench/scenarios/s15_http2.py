"""HTTP/2 over TLS (ALPN h2): the 1 GiB download, 64 KiB ranges and a 1 GiB upload, ours against ASP.NET's own peer
on the same protocol in the same host (the bench server's HTTPS endpoint). Kestrel's HTTP/2 is slower than its
HTTP/1.1 (per-stream framing and flow control, TLS); the ratio against the peer on the same protocol is what counts.
Needs curl with HTTP/2 and h2load (apt-get install -y nghttp2-client) for the range row."""
import os
import re
import shutil
import subprocess

import bench

NAME = "http2"
ORDER = 15
RANGE = "bytes=1000-66535"
H2 = ["--http2", "-k"]


def curl_h2(args):
    """curl over HTTP/2 and TLS; returns (http_version, status, bytes) and insists the protocol was h2."""
    out = subprocess.run(["curl", "-sS", *H2, "-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}", *args],
                         check=True, capture_output=True, text=True).stdout.split()
    assert out[0] == "2", f"curl spoke HTTP/{out[0]}, not HTTP/2: {args}"
    return out[0], int(out[1]), int(out[2])


def h2load(url, seconds, header):
    """h2load with 32 clients, one stream each (like wrk -c32); returns (requests_per_second, requests)."""
    out = subprocess.run(["h2load", "-c", "32", "-m", "1", "-D", str(seconds), "-H", f"range: {header}", url],
                         check=True, capture_output=True, text=True).stdout
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
    rps = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    assert done and rps and done.group(1) == done.group(2), f"h2load: {out}"
    assert "h2" in out, f"h2load did not negotiate h2: {out}"
    return float(rps.group(1)), int(done.group(1))


def run(ctx):
    big = ctx.data_file("big.bin", bench.GIB)
    ctx.data_file("range.bin", 4 * bench.MIB)
    peers = ctx.bench_server()
    base = peers.https_url

    downloads = [("Results.File [h2]", f"{base}/peer/results-file/big.bin"),
                 ("ours MapFiles [h2]", f"{base}/ours/files/big.bin"),
                 ("ours producer 64 KiB reads [h2]", f"{base}/ours/producer/big.bin?readSize=65536")]
    results = ctx.interleave([(s, peers.cpu, lambda url=u: curl_h2([url])[2]) for s, u in downloads], warmup=2)
    for subject, rounds in results.items():
        assert all(size == bench.GIB for _, _, size in rounds), f"{subject}: {[r[2] for r in rounds]} bytes"
        ctx.row("1 GiB download, HTTP/2 TLS", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", machine=ctx.machine_cpu(subject),
                peer=None if subject.startswith("Results.File") else "Results.File [h2]")

    if shutil.which("h2load"):
        seconds = int(os.environ.get("BENCH_WRK_SECONDS", "8"))
        ranges = [("Results.File(enableRangeProcessing) [h2]", f"{base}/peer/results-file/range.bin?ranges=true"),
                  ("ours MapFiles [h2]", f"{base}/ours/files/range.bin")]
        for subject, url in ranges:
            _, status, size = curl_h2(["-H", f"Range: {RANGE}", url])
            assert status == 206 and size == 65536, f"{subject}: HTTP {status}, {size} bytes"
            h2load(url, 10, RANGE)  # tiered JIT warm-up
        results = ctx.interleave([(s, peers.cpu, lambda url=u: h2load(url, seconds, RANGE)) for s, u in ranges], warmup=0)
        for subject, rounds in results.items():
            ctx.row("64 KiB range, h2load -c32, HTTP/2 TLS", subject, "req/s", [v[0] for _, _, v in rounds], "req/s",
                    cpu=bench.median([c / v[1] * 1e6 for _, c, v in rounds]), cpu_unit="µs/req",
                    machine=bench.median([m / v[1] * 1e6 for m, (_, _, v) in zip(ctx.machine[subject], rounds)]),
                    peer=None if subject.startswith("Results.File") else "Results.File(enableRangeProcessing) [h2]")
    else:
        print("http2: h2load not found (apt-get install -y nghttp2-client); no HTTP/2 range row", flush=True)

    uploads = [("CopyToAsync(File.Create) [h2]", f"{base}/peer/copyto/u-copy-h2.bin"),
               ("ours, Want-Repr-Digest: sha-256 [h2]", f"{base}/ours/upload/u-ours-h2.bin"),
               ("ours, no digest [h2]", f"{base}/ours/upload/u-ours-h2.bin")]
    want = {"ours, Want-Repr-Digest: sha-256 [h2]": ["-H", "Want-Repr-Digest: sha-256=10"]}
    results = ctx.interleave([(s, peers.cpu, lambda url=u, extra=want.get(s, []): curl_h2(["-H", "Expect:", *extra, "-T", str(big), url])[1])
                              for s, u in uploads],
                             settle=os.sync)
    for subject, rounds in results.items():
        assert all(status in (200, 201, 204) for _, _, status in rounds), f"{subject}: HTTP {[r[2] for r in rounds]}"
        ctx.row("1 GiB upload, HTTP/2 TLS", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", machine=ctx.machine_cpu(subject),
                peer=None if subject.startswith("CopyTo") else "CopyToAsync(File.Create) [h2]")

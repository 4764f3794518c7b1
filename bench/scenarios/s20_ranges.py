"""Range requests: 64 KiB single ranges and an 8-part multi-range (multipart/byteranges) under wrk -c32.

Subjects: our /files mapping (sample-web), MapFiles in the Results.File host with its open-file cache on and off (and
off on a host with System.IO.DisableFileLocking, which drops .NET's flock pair per open), UseStreamingStaticFiles,
ASP.NET's Results.File(enableRangeProcessing: true), two floors (Kestrel answering 64 KiB from memory: through an
endpoint and Results.Bytes, and as a bare 206 written by terminal middleware) and nginx with sendfile off, all serving
the same file. Each subject's answer is checked with curl before its warm-up and after every measured round. Reported: req/s (median of rounds) and server CPU µs per request.
Results.File answers a multi-range request with the whole file (200), so it has no multi-range row.
"""
import subprocess

import bench

NAME = "ranges"
ORDER = 20
SIZE = 4 * bench.MIB
WARMUP_SECONDS = 10
SINGLE = "bytes=1000-66535"
MULTI = "bytes=" + ",".join(f"{i * 500_000}-{i * 500_000 + 8191}" for i in range(8))  # 8 x 8 KiB parts


def check(url, header, status, min_bytes, max_bytes):
    """One curl request to prove the subject answers the range as expected before it is measured."""
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", f"Range: {header}", url],
                         check=True, capture_output=True, text=True).stdout.split()
    code, size = int(out[0]), int(out[1])
    assert code == status and min_bytes <= size <= max_bytes, f"{url} {header}: HTTP {code}, {size} bytes"


def run(ctx):
    ctx.data_file("range.bin", SIZE)
    sample, peers, nginx = ctx.sample(), ctx.bench_server(), ctx.nginx()
    unlocked = ctx.bench_server_without_file_locking()
    seconds = int(__import__("os").environ.get("BENCH_WRK_SECONDS", "8"))
    singles = [
        ("Results.File(enableRangeProcessing)", peers, f"{peers.url}/peer/results-file/range.bin?ranges=true"),
        ("ours /files", sample, f"{sample.url}/files/range.bin"),
        ("ours MapFiles in the Results.File host", peers, f"{peers.url}/ours/files/range.bin"),
        ("ours MapFiles, open-file cache off", peers, f"{peers.url}/ours/files-nocache/range.bin"),
        ("ours MapFiles, open-file cache off, DisableFileLocking", unlocked, f"{unlocked.url}/ours/files-nocache/range.bin"),
        ("ours UseStreamingStaticFiles", peers, f"{peers.url}/ours/static-files/range.bin"),
        ("floor: Results.Bytes 64 KiB from memory", peers, f"{peers.url}/floor/results-bytes"),
        ("floor: a bare 206 of 64 KiB from memory (terminal middleware)", peers, f"{peers.url}/floor/raw"),
    ]
    multis = [("ours /files", sample, f"{sample.url}/files/range.bin"),
              ("ours MapFiles in the Results.File host", peers, f"{peers.url}/ours/files/range.bin")]
    if nginx:
        singles.append(("nginx sendfile off", nginx, f"{nginx.url}/data/range.bin"))
        multis.append(("nginx sendfile off", nginx, f"{nginx.url}/data/range.bin"))

    for title, header, cases, size in (("64 KiB range, wrk -c32", SINGLE, singles, 65536),
                                      ("8-part multi-range, wrk -c32", MULTI, multis, 8 * 8192)):
        def verify(subject, url):
            if subject.startswith("floor: Results.Bytes"):
                check(url, header, 200, 65536, 65536)
            else:
                check(url, header, 206, size, size + 2048)

        def measured_round(subject, url):
            value = ctx.wrk(url, connections=32, seconds=seconds, headers=[f"Range: {header}"])
            verify(subject, url)  # still answering what was measured (one request, next to the round's ~300k)
            return value

        for subject, server, url in cases:
            verify(subject, url)
            # Warm up long enough for tiered JIT to finish on the .NET servers (a short warm-up measures the JIT).
            ctx.wrk(url, connections=32, seconds=WARMUP_SECONDS, headers=[f"Range: {header}"])
        results = ctx.interleave([(subject, server.cpu, lambda subject=subject, url=url: measured_round(subject, url))
                                  for subject, server, url in cases], warmup=0)
        measured = {subject: ([value[0] for _, _, value in rounds], bench.median([c / value[1] * 1e6 for _, c, value in rounds]),
                              bench.median([m / value[1] * 1e6 for m, (_, _, value) in zip(ctx.machine[subject], rounds)]))
                    for subject, rounds in results.items()}
        # Peers first, then each of ours once per peer so the table shows a ratio against each.
        ours = {s: measured.pop(s) for s in list(measured) if s.startswith("ours")}
        peers_measured = dict(measured)
        for subject, (rps, cpu_us, machine_us) in measured.items():
            ctx.row(title, subject, "req/s", rps, "req/s", cpu=cpu_us, cpu_unit="µs/req", machine=machine_us)
        for subject, (rps, cpu_us, machine_us) in ours.items():
            for peer in peers_measured:
                ctx.row(title, subject, "req/s", rps, "req/s", cpu=cpu_us, cpu_unit="µs/req", peer=peer, machine=machine_us)

"""1 GiB raw upload: ours (UploadIngestor, SHA-256 on and off) against Body.CopyToAsync(File.Create) and a discard
endpoint (Body.CopyToAsync(Stream.Null): what Kestrel and the loopback network cost on their own)."""
import os
import subprocess

import bench

NAME = "uploads"
ORDER = 50


def curl_upload(url, path):
    """PUTs path to url with curl (no Expect: 100-continue round trip); returns the HTTP status."""
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:", "-X", "PUT",
                          "-T", str(path), url], check=True, capture_output=True, text=True).stdout
    return int(out)


def run(ctx):
    src = ctx.data_file("big.bin", bench.GIB)
    peers = ctx.bench_server()
    cases = [
        ("discard (CopyToAsync(Stream.Null))", f"{peers.url}/peer/discard/u.bin"),
        ("CopyToAsync(File.Create)", f"{peers.url}/peer/copyto/u-copy.bin"),
        ("ours, sha-256 on (Repr-Digest)", f"{peers.url}/ours/upload/u-ours.bin"),
        ("ours, sha-256 off", f"{peers.url}/ours/upload/u-ours.bin?digest=false"),
        ("ours, sha-256 off, no preallocation", f"{peers.url}/ours/upload/u-ours.bin?digest=false&preallocate=false"),
    ]
    # Every round starts with no dirty pages: without the sync, the subject after CopyToAsync (whose file stays)
    # would pay for writing back that gigabyte.
    results = ctx.interleave([(subject, peers.cpu, lambda url=url: curl_upload(url, src)) for subject, url in cases],
                             settle=os.sync)
    for subject, rounds in results.items():
        assert all(status in (200, 201, 204) for _, _, status in rounds), f"{subject}: HTTP {[r[2] for r in rounds]}"
        peer = None if subject.startswith(("discard", "CopyToAsync")) else "CopyToAsync(File.Create)"
        ctx.row("1 GiB upload", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", peer=peer, machine=ctx.machine_cpu(subject))
    # Ratios against the discard ceiling, as separate rows so the table shows both peers.
    for subject in ("discard (CopyToAsync(Stream.Null))", "ours, sha-256 off", "ours, sha-256 off, no preallocation",
                    "ours, sha-256 on (Repr-Digest)"):
        row = next(r for r in ctx.rows if r["scenario"] == "1 GiB upload" and r["subject"] == subject)
        ctx.row("1 GiB upload vs discard", subject, "throughput", row["samples"], "MiB/s", cpu=row["cpu"], cpu_unit="s/GiB",
                machine=row["machine"],
                peer=None if subject.startswith("discard") else "discard (CopyToAsync(Stream.Null))")

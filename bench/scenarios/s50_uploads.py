"""1 GiB raw upload: ours (UploadIngestor: no digest, the client's Repr-Digest verified, a Want-Repr-Digest answered) against Body.CopyToAsync(File.Create) and a discard
endpoint (Body.CopyToAsync(Stream.Null): what Kestrel and the loopback network cost on their own), each on two hosts
of the same peers: Kestrel's own 4 KiB server blocks, and AspNetStreaming's 64 KiB ones (Streaming:Transport, on in
an app that calls AddAspNetStreaming). A user-space file copy of the same gigabyte is the machine's disk reference."""
import base64
import hashlib
import os
import resource
import subprocess

import bench

NAME = "uploads"
ORDER = 50

DISCARD, COPYTO = "discard (CopyToAsync(Stream.Null))", "CopyToAsync(File.Create)"
OURS_NONE, OURS_VERIFY, OURS_WANT = ("ours, no digest", "ours, client's sha-256 Repr-Digest verified",
                                     "ours, Want-Repr-Digest: sha-256 answered")
OURS = (OURS_NONE, OURS_VERIFY, OURS_WANT)
PATHS = {DISCARD: "/peer/discard/u.bin", COPYTO: "/peer/copyto/u-copy.bin", OURS_NONE: "/ours/upload/u-ours.bin",
         OURS_VERIFY: "/ours/upload/u-ours.bin", OURS_WANT: "/ours/upload/u-ours.bin"}
HOSTS = {"4 KiB blocks": False, "64 KiB blocks": True}


def curl_upload(url, path, headers=()):
    """PUTs path to url with curl (no Expect: 100-continue round trip); returns the HTTP status."""
    extra = [arg for header in headers for arg in ("-H", header)]
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:", *extra, "-X", "PUT",
                          "-T", str(path), url], check=True, capture_output=True, text=True).stdout
    return int(out)


def _sha256_field(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha-256=:" + base64.b64encode(digest.digest()).decode() + ":"


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _file_copy(src, dst):
    """The same gigabyte read and written by a user-space copy with 1 MiB blocks: the page-cache write rate."""
    subprocess.run(["dd", f"if={src}", f"of={dst}", "bs=1M", "status=none"], check=True)
    return 201


def run(ctx):
    src = ctx.data_file("big.bin", bench.GIB)
    copy = src.parent / "uploads" / "u-dd.bin"
    copy.parent.mkdir(exist_ok=True)
    headers = {OURS_VERIFY: [f"Repr-Digest: {_sha256_field(src)}"], OURS_WANT: ["Want-Repr-Digest: sha-256=10"]}
    cases = [("reference: dd file → file, 1 MiB blocks", _children_cpu, lambda: _file_copy(src, copy))]
    for host, server_buffers in HOSTS.items():
        server = ctx.bench_server(server_buffers=server_buffers)
        for subject, path in PATHS.items():
            cases.append((f"{subject} [{host}]", server.cpu,
                          lambda url=server.url + path, extra=headers.get(subject, []): curl_upload(url, src, extra)))
    # Every round starts with no dirty pages: without the sync, the subject after CopyToAsync (whose file stays)
    # would pay for writing back that gigabyte.
    results = ctx.interleave(cases, settle=os.sync)
    for subject, rounds in results.items():
        assert all(status in (200, 201, 204) for _, _, status in rounds), f"{subject}: HTTP {[r[2] for r in rounds]}"

    def add(scenario, subject, peer=None):
        rounds = results[subject]
        ctx.row(scenario, subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]),
                cpu_unit="s/GiB (dd)" if subject.startswith("reference") else "s/GiB",
                peer=peer, machine=ctx.machine_cpu(subject))

    add("1 GiB upload", cases[0][0])
    # Within one host: the peers on the same server configuration as ours.
    for host in HOSTS:
        scenario = f"1 GiB upload, {host}"
        add(scenario, f"{DISCARD} [{host}]")
        add(scenario, f"{COPYTO} [{host}]")
        for ours in OURS:
            add(scenario, f"{ours} [{host}]", peer=f"{COPYTO} [{host}]")
        scenario = f"1 GiB upload vs discard, {host}"
        add(scenario, f"{DISCARD} [{host}]")
        for ours in OURS:
            add(scenario, f"{ours} [{host}]", peer=f"{DISCARD} [{host}]")
    # Across hosts: an app that uses AspNetStreaming (its server blocks and its ingestor) against the stock app an
    # ASP.NET developer has today.
    for peer in (COPYTO, DISCARD):
        scenario = f"1 GiB upload, ours on 64 KiB blocks vs stock {peer.split(' ')[0]}"
        add(scenario, f"{peer} [4 KiB blocks]")
        for ours in OURS:
            add(scenario, f"{ours} [64 KiB blocks]", peer=f"{peer} [4 KiB blocks]")

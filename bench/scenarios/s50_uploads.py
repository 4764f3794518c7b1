"""1 GiB raw upload: ours (UploadIngestor, SHA-256 on and off) against Body.CopyToAsync(File.Create) and a discard
endpoint (Body.CopyToAsync(Stream.Null): what Kestrel and the loopback network cost on their own), each on two hosts
of the same peers: Kestrel's own 4 KiB server blocks, and AspNetStreaming's 64 KiB ones (Streaming:Transport, on in
an app that calls AddAspNetStreaming). A user-space file copy of the same gigabyte is the machine's disk reference."""
import os
import resource
import subprocess

import bench

NAME = "uploads"
ORDER = 50

DISCARD, COPYTO, OURS_ON, OURS_OFF = ("discard (CopyToAsync(Stream.Null))", "CopyToAsync(File.Create)",
                                      "ours, sha-256 on (Repr-Digest)", "ours, sha-256 off")
PATHS = {DISCARD: "/peer/discard/u.bin", COPYTO: "/peer/copyto/u-copy.bin", OURS_ON: "/ours/upload/u-ours.bin",
         OURS_OFF: "/ours/upload/u-ours.bin?digest=false"}
HOSTS = {"4 KiB blocks": False, "64 KiB blocks": True}


def curl_upload(url, path):
    """PUTs path to url with curl (no Expect: 100-continue round trip); returns the HTTP status."""
    out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:", "-X", "PUT",
                          "-T", str(path), url], check=True, capture_output=True, text=True).stdout
    return int(out)


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
    cases = [("reference: dd file → file, 1 MiB blocks", _children_cpu, lambda: _file_copy(src, copy))]
    for host, server_buffers in HOSTS.items():
        server = ctx.bench_server(server_buffers=server_buffers)
        for subject, path in PATHS.items():
            cases.append((f"{subject} [{host}]", server.cpu, lambda url=server.url + path: curl_upload(url, src)))
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
        for ours in (OURS_ON, OURS_OFF):
            add(scenario, f"{ours} [{host}]", peer=f"{COPYTO} [{host}]")
        scenario = f"1 GiB upload vs discard, {host}"
        add(scenario, f"{DISCARD} [{host}]")
        for ours in (OURS_ON, OURS_OFF):
            add(scenario, f"{ours} [{host}]", peer=f"{DISCARD} [{host}]")
    # Across hosts: an app that uses AspNetStreaming (its server blocks and its ingestor) against the stock app an
    # ASP.NET developer has today.
    for peer in (COPYTO, DISCARD):
        scenario = f"1 GiB upload, ours on 64 KiB blocks vs stock {peer.split(' ')[0]}"
        add(scenario, f"{peer} [4 KiB blocks]")
        for ours in (OURS_ON, OURS_OFF):
            add(scenario, f"{ours} [64 KiB blocks]", peer=f"{peer} [4 KiB blocks]")

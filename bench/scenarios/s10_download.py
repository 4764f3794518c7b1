"""1 GiB download: our producer result (sample-web's /files mapping) against ASP.NET's Results.File (16 KiB reads), and
against nginx with sendfile off (a user-space copy, as ours: 32 KiB reads with its default output_buffers, and 1 MiB
reads, as ours, with output_buffers 1 1m) and with its default, sendfile on (the kernel copies; what nginx users run)."""
import bench

NAME = "download"
ORDER = 10


def run(ctx):
    ctx.data_file("big.bin", bench.GIB)
    sample, peers, nginx = ctx.sample(), ctx.bench_server(), ctx.nginx()
    cases = [
        ("Results.File", peers, f"{peers.url}/peer/results-file/big.bin"),
        ("ours /files (default read size)", sample, f"{sample.url}/files/big.bin"),
        ("ours producer 64 KiB reads", peers, f"{peers.url}/ours/producer/big.bin?readSize=65536"),
        ("ours producer 256 KiB reads", peers, f"{peers.url}/ours/producer/big.bin?readSize=262144"),
        ("ours producer 1 MiB reads", peers, f"{peers.url}/ours/producer/big.bin?readSize=1048576"),
        ("UseStaticFiles", peers, f"{peers.url}/peer/static/big.bin"),
        ("UseStaticFiles + UseStreamingSendFile()", peers, f"{peers.url}/ours/static-sendfile/big.bin"),
    ]
    if nginx:
        cases += [("nginx sendfile off", nginx, f"{nginx.url}/data/big.bin"),
                  ("nginx sendfile off, output_buffers 1 1m", nginx, f"{nginx.url}/data-1m/big.bin"),
                  ("nginx sendfile on (its default)", nginx, f"{nginx.url}/data-sendfile/big.bin")]
    # Two warm-up downloads each: tiered JIT is still recompiling the hot loop during the first GiB.
    results = ctx.interleave([(subject, server.cpu, lambda url=url: ctx.curl_download(url)) for subject, server, url in cases],
                             warmup=2)
    for subject, rounds in results.items():
        assert all(size == bench.GIB for _, _, size in rounds), f"{subject}: got {[r[2] for r in rounds]} bytes"
        ctx.row("1 GiB download", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", machine=ctx.machine_cpu(subject),
                peer=None if subject in ("Results.File", "UseStaticFiles") or subject.startswith("nginx")
                else "UseStaticFiles" if subject.startswith("UseStaticFiles") else "Results.File")
    if nginx:
        def add(subject, peer=None):
            rounds = results[subject]
            ctx.row("1 GiB download vs nginx", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                    cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", machine=ctx.machine_cpu(subject), peer=peer)
        nginx_rows = ("nginx sendfile off", "nginx sendfile off, output_buffers 1 1m", "nginx sendfile on (its default)")
        for subject in nginx_rows:
            add(subject)
        for peer in nginx_rows:
            add("ours /files (default read size)", peer)

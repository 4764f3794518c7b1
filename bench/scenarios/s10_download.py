"""1 GiB download: our producer result (sample-web's /files mapping) against ASP.NET's Results.File."""
import bench

NAME = "download"
ORDER = 10


def run(ctx):
    ctx.data_file("big.bin", bench.GIB)
    sample, peers = ctx.sample(), ctx.bench_server()
    cases = [
        ("Results.File", peers, f"{peers.url}/peer/results-file/big.bin"),
        ("ours /files (default read size)", sample, f"{sample.url}/files/big.bin"),
        ("ours producer 64 KiB reads", peers, f"{peers.url}/ours/producer/big.bin?readSize=65536"),
        ("ours producer 256 KiB reads", peers, f"{peers.url}/ours/producer/big.bin?readSize=262144"),
        ("ours producer 1 MiB reads", peers, f"{peers.url}/ours/producer/big.bin?readSize=1048576"),
    ]
    for subject, server, url in cases:
        # Two warm-up downloads: tiered JIT is still recompiling the hot loop during the first GiB.
        results = ctx.measure(server, lambda: ctx.curl_download(url), warmup=2)
        size = results[0][2]
        assert size == bench.GIB, f"{subject}: got {size} bytes"
        mbps = bench.median([size / t / bench.MIB for t, _, _ in results])
        cpu = bench.median([c / (size / bench.GIB) for _, c, _ in results])
        ctx.row("1 GiB download", subject, "throughput", mbps, "MiB/s", cpu=cpu, cpu_unit="s/GiB",
                peer=None if subject == "Results.File" else "Results.File")

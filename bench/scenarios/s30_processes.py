"""Process endpoints: a 1 GiB file streamed through `cat` as a GET response, and a 1 GiB POST through
`sha256sum`, each against the same programs on a raw pipe (no HTTP) measured in the same run."""
import resource
import subprocess
import time

import bench

NAME = "processes"
ORDER = 30


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _raw(ctx, command):
    """Runs a shell command (fixed text, bench data only) rounds+1 times; returns [(seconds, cpu_seconds)]."""
    results = []
    for i in range(ctx.rounds + 1):
        cpu0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(["bash", "-c", command], check=True, stdout=subprocess.DEVNULL)
        t1, cpu1 = time.perf_counter(), _children_cpu()
        if i:
            results.append((t1 - t0, cpu1 - cpu0))
    return results


def _curl_post(url, path):
    """POSTs a file with curl, streamed from disk (-T, no Expect: 100-continue); returns the response text."""
    args = ["curl", "-sS", "--fail", "-X", "POST", "-H", "Expect:", "-T", str(path), url]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def run(ctx):
    big = ctx.data_file("big.bin", bench.GIB)
    size = big.stat().st_size
    gib = size / bench.GIB

    # GET: cat of a 1 GiB file through MapProcess, against `cat file | cat > /dev/null`.
    scenario = "1 GiB GET through cat"
    raw = _raw(ctx, f"cat '{big}' | cat > /dev/null")
    ctx.row(scenario, "raw pipe: cat file | cat", "throughput", bench.median([size / t / bench.MIB for t, _ in raw]), "MiB/s",
            cpu=bench.median([c / gib for _, c in raw]), cpu_unit="s/GiB (all processes)")
    peers = ctx.bench_server()
    url = f"{peers.url}/ours/process/cat/{big.name}"
    results = ctx.measure(peers, lambda: ctx.curl_download(url))
    assert results[0][2] == size, f"cat endpoint sent {results[0][2]} bytes"
    # The HTTP ceiling on this machine in the same run: the same file served by our file result (no process).
    file_url = f"{peers.url}/ours/file/{big.name}"
    file_results = ctx.measure(peers, lambda: ctx.curl_download(file_url))
    ctx.row(scenario, "reference: ours file result (no process)", "throughput", bench.median([size / t / bench.MIB for t, _, _ in file_results]), "MiB/s",
            cpu=bench.median([c / gib for _, c, _ in file_results]), cpu_unit="s/GiB (server only)")
    ctx.row(scenario, "ours MapProcess(cat)", "throughput", bench.median([size / t / bench.MIB for t, _, _ in results]), "MiB/s",
            cpu=bench.median([c / gib for _, c, _ in results]), cpu_unit="s/GiB (server only)", peer="raw pipe: cat file | cat")

    # POST: 1 GiB through sha256sum (sample-web /run/sha256), against `sha256sum file`.
    scenario = "1 GiB POST through sha256sum"
    raw = _raw(ctx, f"sha256sum '{big}'")
    expected = subprocess.run(["sha256sum", str(big)], check=True, capture_output=True, text=True).stdout.split()[0]
    ctx.row(scenario, "raw: sha256sum file", "throughput", bench.median([size / t / bench.MIB for t, _ in raw]), "MiB/s",
            cpu=bench.median([c / gib for _, c in raw]), cpu_unit="s/GiB (all processes)")
    sample = ctx.sample()
    results = ctx.measure(sample, lambda: _curl_post(f"{sample.url}/run/sha256", big))
    assert results[0][2].split()[0] == expected, f"sha256 endpoint answered {results[0][2]!r}"
    ctx.row(scenario, "ours POST /run/sha256", "throughput", bench.median([size / t / bench.MIB for t, _, _ in results]), "MiB/s",
            cpu=bench.median([c / gib for _, c, _ in results]), cpu_unit="s/GiB (server only)", peer="raw: sha256sum file")

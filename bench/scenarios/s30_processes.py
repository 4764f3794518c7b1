"""Process endpoints: a 1 GiB file streamed through `cat` as a GET response, and a 1 GiB POST through
`sha256sum`, each against the same programs on a raw pipe (no HTTP) measured in the same run; the cat endpoint also on the
bench server with 64 KiB server blocks."""
import resource
import subprocess

import bench

NAME = "processes"
ORDER = 30


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _raw(command):
    """Runs a shell command (fixed text, bench data only); its CPU is counted by _children_cpu."""
    subprocess.run(["bash", "-c", command], check=True, stdout=subprocess.DEVNULL)


def _curl_post(url, path):
    """POSTs a file with curl, streamed from disk (-T, no Expect: 100-continue); returns the response text."""
    args = ["curl", "-sS", "--fail", "-X", "POST", "-H", "Expect:", "-T", str(path), url]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def run(ctx):
    big = ctx.data_file("big.bin", bench.GIB)
    size = big.stat().st_size
    gib = size / bench.GIB

    # GET: cat of a 1 GiB file through MapProcess, against `cat file | cat > /dev/null`, and the HTTP ceiling on this
    # machine in the same run: the same file served by our file result (no process).
    scenario = "1 GiB GET through cat"
    peers = ctx.bench_server()
    tuned = ctx.bench_server(server_buffers=True)
    url, file_url = f"{peers.url}/ours/process/cat/{big.name}", f"{peers.url}/ours/file/{big.name}"
    tuned_url = f"{tuned.url}/ours/process/cat/{big.name}"
    results = ctx.interleave([
        ("raw pipe: cat file | cat", _children_cpu, lambda: _raw(f"cat '{big}' | cat > /dev/null")),
        ("reference: ours file result (no process)", peers.cpu, lambda: ctx.curl_download(file_url)),
        ("ours MapProcess(cat)", peers.cpu, lambda: ctx.curl_download(url)),
        ("ours MapProcess(cat) [64 KiB server blocks]", tuned.cpu, lambda: ctx.curl_download(tuned_url)),
    ])
    for subject in ("ours MapProcess(cat)", "ours MapProcess(cat) [64 KiB server blocks]"):
        assert all(r[2] == size for r in results[subject]), f"{subject}: the cat endpoint sent a short body"
    _rows(ctx, scenario, results, gib, size, {"raw pipe: cat file | cat": "s/GiB (all processes)"}, "raw pipe: cat file | cat")

    # POST: 1 GiB through sha256sum (sample-web /run/sha256), against `sha256sum file`.
    scenario = "1 GiB POST through sha256sum"
    expected = subprocess.run(["sha256sum", str(big)], check=True, capture_output=True, text=True).stdout.split()[0]
    sample = ctx.sample()
    results = ctx.interleave([
        ("raw: sha256sum file", _children_cpu, lambda: _raw(f"sha256sum '{big}'")),
        ("ours POST /run/sha256", sample.cpu, lambda: _curl_post(f"{sample.url}/run/sha256", big)),
    ])
    assert all(r[2].split()[0] == expected for r in results["ours POST /run/sha256"]), "sha256 endpoint answered wrongly"
    _rows(ctx, scenario, results, gib, size, {"raw: sha256sum file": "s/GiB (all processes)"}, "raw: sha256sum file")


def _rows(ctx, scenario, results, gib, size, cpu_units, peer):
    for subject, rounds in results.items():
        ctx.row(scenario, subject, "throughput", [size / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c / gib for _, c, _ in rounds]), cpu_unit=cpu_units.get(subject, "s/GiB (server only)"),
                machine=ctx.machine_cpu(subject, per=gib),
                peer=None if subject == peer else peer)  # the reference too: HTTP alone, against the raw pipe

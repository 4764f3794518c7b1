"""Blob store: a 1 GiB blob, 64 KiB ranges of a 4 MiB blob and a 1 GiB upload, on a container of Azurite (Microsoft's emulator,
started here from test/js on a data folder under bench/out), through our MapFiles on the container against the
plain SDK peer (BlobClient.DownloadStreamingAsync into the response: Results.Stream whole, one HttpRange as a 206),
and our raw upload (computing the SHA-256 the client asks for) against BlobClient.UploadAsync(Request.Body) with the same 4 MiB blocks and
concurrency 4, all in one BenchServer instance. Azurite is a single Node process and likely the bottleneck: its CPU per unit of
work is reported in rows of its own."""
import os
import subprocess

import bench

NAME = "blob"
ORDER = 70
RANGE = "bytes=1000-66535"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="  # Azurite's documented dev key


def azurite(ctx, port):
    js = bench.ROOT / "test/js"
    if not (js / "node_modules/azurite/package.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=js, check=True, capture_output=True)
    folder = bench.ROOT / "bench/out/azurite"
    folder.mkdir(parents=True, exist_ok=True)
    server = bench.Server("azurite", ["node", str(js / "node_modules/azurite/dist/src/blob/main.js"), "--blobHost", "127.0.0.1",
                                      "--blobPort", str(port), "--location", str(folder), "--silent", "--disableTelemetry",
                                      "--skipApiVersionCheck"], port)
    ctx.cleanups.append(server.stop)
    return server


def run(ctx):
    ctx.data_file("big.bin", bench.GIB)
    ctx.data_file("range.bin", 4 * bench.MIB)
    port = bench.PORT_BASE + 8
    store = azurite(ctx, port)
    connection = (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={ACCOUNT_KEY};"
                  f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;")
    server = ctx.dotnet_server("bench-server-blob", bench.ROOT / "bench/BenchServer/bin/Release/net10.0/BenchServer.dll", bench.PORT_BASE + 9,
                               env={"BENCH_DATA": str(bench.DATA), "BENCH_BLOB_CONNECTION": connection, "BENCH_BLOB_CONTAINER": "bench"})
    for name in ("big.bin", "range.bin"):
        subprocess.run(["curl", "-sS", "--fail", "-X", "POST", f"{server.url}/bench/blob/seed/{name}"], check=True, capture_output=True)

    both = lambda: server.cpu() + store.cpu()  # noqa: E731 (server and Azurite together, for the machine's view)
    downloads = [("SDK DownloadStreamingAsync → Results.Stream", f"{server.url}/peer/blob/big.bin"),
                 ("ours MapFiles on the container", f"{server.url}/ours/blob/big.bin")]
    stores = {}
    cases = []
    for subject, url in downloads:
        def action(url=url, subject=subject):
            before = store.cpu()
            size = ctx.curl_download(url)
            stores.setdefault(subject, []).append(store.cpu() - before)
            return size
        cases.append((subject, server.cpu, action))
    results = ctx.interleave(cases, warmup=1)
    peer = downloads[0][0]
    for subject, rounds in results.items():
        assert all(size == bench.GIB for _, _, size in rounds), f"{subject}: got {[r[2] for r in rounds]} bytes"
        ctx.row("1 GiB blob download (Azurite)", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", machine=ctx.machine_cpu(subject),
                peer=None if subject == peer else peer)
        ctx.row("1 GiB blob download: Azurite's CPU", subject, "cpu", bench.median(stores[subject][-len(rounds):]), "s/GiB",
                higher_is_better=False, peer=None if subject == peer else peer)

    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "8"))
    ranges = [("SDK DownloadStreamingAsync(HttpRange)", f"{server.url}/peer/blob/range.bin"),
              ("ours MapFiles on the container", f"{server.url}/ours/blob/range.bin")]
    for _, url in ranges:
        out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", f"Range: {RANGE}", url],
                             check=True, capture_output=True, text=True).stdout.split()
        assert out == ["206", "65536"], f"{url}: {out}"
    results = ctx.interleave([(subject, both, lambda url=url: ctx.wrk(url, connections=16, seconds=seconds, headers=[f"Range: {RANGE}"]))
                              for subject, url in ranges], warmup=1)
    peer = ranges[0][0]
    for subject, rounds in results.items():
        ctx.row("64 KiB blob range, wrk -c16 (Azurite)", subject, "rate", [rps for _, _, (rps, _) in rounds], "req/s",
                cpu=bench.median([c / total * 1e6 for _, c, (_, total) in rounds]), cpu_unit="µs/req (server + Azurite)",
                machine=bench.median([m / total * 1e6 for m, (_, _, (_, total)) in zip(ctx.machine[subject], rounds)]),
                peer=None if subject == peer else peer)

    # Ours hashes what it stores: the client asks for the SHA-256 (Want-Repr-Digest) and the answer must carry it.
    uploads = [("SDK UploadAsync(Request.Body), 4 MiB blocks x 4", f"{server.url}/peer/blob-upload/up-peer.bin", [], "up-peer.bin"),
               ("ours MapUpload into the container, sha-256 computed (Want-Repr-Digest)", f"{server.url}/ours/upload/up-ours.bin",
                ["Want-Repr-Digest: sha-256=10"], "up-ours.bin")]
    big = bench.DATA / "big.bin"
    cases = []
    for subject, url, headers, _ in uploads:
        def upload(url=url, subject=subject, headers=headers):
            before = store.cpu()
            args = ["curl", "-sS", "-o", "/dev/null", "-D", "-", "-w", "%{http_code}", "-H", "Expect:", "-X", "PUT", "-T", str(big), url]
            for h in headers:
                args += ["-H", h]
            out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
            stores.setdefault(subject, []).append(store.cpu() - before)
            if headers:
                assert "repr-digest: sha-256=" in out.lower(), f"{subject}: no Repr-Digest in the answer"
            return int(out.strip().splitlines()[-1][-3:])
        cases.append((subject, server.cpu, upload))
    results = ctx.interleave(cases, warmup=1)
    for subject, _, _, name in uploads:  # what was stored is the whole GiB (checked outside the timed rounds)
        stored = subprocess.run(["curl", "-sS", "-I", "-o", "/dev/null", "-w", "%{http_code} %header{content-length}", f"{server.url}/ours/blob/{name}"],
                                check=True, capture_output=True, text=True).stdout.split()
        assert stored == ["200", str(bench.GIB)], f"{subject}: stored {stored}"
    peer = uploads[0][0]
    for subject, rounds in results.items():
        assert all(status in (200, 201, 204) for _, _, status in rounds), f"{subject}: HTTP {[r[2] for r in rounds]}"
        ctx.row("1 GiB blob upload (Azurite)", subject, "throughput", [bench.GIB / t / bench.MIB for t, _, _ in rounds], "MiB/s",
                cpu=bench.median([c for _, c, _ in rounds]), cpu_unit="s/GiB", machine=ctx.machine_cpu(subject),
                peer=None if subject == peer else peer)
        ctx.row("1 GiB blob upload: Azurite's CPU", subject, "cpu", bench.median(stores[subject][-len(rounds):]), "s/GiB",
                higher_is_better=False, peer=None if subject == peer else peer)

"""10,000 requests aborted at random points across every endpoint kind (file whole, single range, multi-range; raw,
multipart, resumable and tus uploads; a process with a body, a streamed program, a CGI script, a generated body),
on HTTP/1.1 (connection reset) and HTTP/2 (RST_STREAM, or the connection dropped). Afterwards the server's open
descriptors are back to their baseline, no child process and no upload temp file remains, and the next request of
every kind succeeds."""
import importlib.util
import os
import random
import shutil
from concurrent.futures import ThreadPoolExecutor

import bench
import common
import h2

NAME = "aborts"
ORDER = 10
TOTAL = int(os.environ.get("STRESS_ABORTS", "10000"))
BIG = 64 << 20
CGI = "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\n\\r\\n'\nhead -c 20000000 /dev/zero\n"


def h1_kinds(port):
    def get(path, headers="", most=512 << 10):
        return lambda rnd: common.request(port, f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}\r\n", read=rnd.randint(0, most))

    def upload(method, path, headers, length):
        def run(rnd):
            sent = rnd.randint(0, length - 1)
            return common.request(port, f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n{headers}\r\n",
                                  body=os.urandom(sent), read=0)
        return run

    boundary = "stressboundary"
    form_head = f"--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"form.bin\"\r\n\r\n".encode()

    def multipart(rnd):
        body = form_head + os.urandom(rnd.randint(0, 300_000))
        return common.request(port, f"POST /uploads HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                                    f"Content-Length: {len(body) + 5000}\r\n\r\n", body=body, read=0)

    def tus(rnd):
        status, headers = common.exchange(port, "POST /uploads/tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1000000\r\n"
                                                "Content-Length: 0\r\nConnection: close\r\n\r\n")
        if "location" not in headers:
            return status
        path = common.path_of(headers["location"])
        sent = rnd.randint(0, 999_999)
        return common.request(port, f"PATCH {path} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                                    f"Content-Type: application/offset+octet-stream\r\nContent-Length: 1000000\r\n\r\n",
                              body=os.urandom(sent), read=0)

    return {
        "h1 file": get("/files/big.bin"),
        "h1 range": get("/files/big.bin", "Range: bytes=1000000-9000000\r\n"),
        "h1 multi-range": get("/files/big.bin", "Range: " + "bytes=" + ",".join(f"{i * 4000000}-{i * 4000000 + 500000}" for i in range(8)) + "\r\n"),
        "h1 raw upload": lambda rnd: upload("PUT", f"/uploads/raw-{rnd.randint(0, 9)}.bin", "", 300_000)(rnd),
        "h1 multipart": multipart,
        "h1 resumable": lambda rnd: upload("POST", f"/uploads/resumable/res-{rnd.randint(0, 9)}.bin",
                                           "Upload-Complete: ?1\r\nUpload-Draft-Interop-Version: 6\r\n", 300_000)(rnd),
        "h1 tus": tus,
        "h1 process (body)": lambda rnd: upload("POST", "/run/sha256", "", 1 << 20)(rnd),
        "h1 process (ticker)": get("/run/ticker", most=400),  # a line every 200 ms: read the first few
        "h1 CGI": get("/cgi-bin/big.cgi"),
        "h1 generated": get("/generated?count=100000"),
    }


def h2_kinds(port):
    return {
        "h2 file": lambda rnd: h2.abort_stream(port, "GET", "/files/big.bin", read_bytes=rnd.randint(0, 2 << 20), drop_connection=rnd.random() < 0.3),
        "h2 range": lambda rnd: h2.abort_stream(port, "GET", "/files/big.bin?r", read_bytes=rnd.randint(0, 1 << 20)),
        "h2 raw upload": lambda rnd: h2.abort_stream(port, "PUT", f"/uploads/h2-{rnd.randint(0, 9)}.bin", body=os.urandom(rnd.randint(0, 60000)),
                                                     content_length=1 << 20, drop_connection=rnd.random() < 0.3),
        "h2 process (body)": lambda rnd: h2.abort_stream(port, "POST", "/run/sha256", body=os.urandom(rnd.randint(0, 60000)), content_length=4 << 20),
    }


def check_all_succeed(server):
    """One complete request of each kind; returns the kinds that failed."""
    port, failed = server.port, []
    probes = {
        "file": f"GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "range": f"GET /files/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\nConnection: close\r\n\r\n",
        "upload": f"PUT /uploads/final.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
        "process": f"POST /run/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n",
        "cgi": f"GET /cgi-bin/hello.cgi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    }
    for kind, head in probes.items():
        status, _ = common.request(port, head, body=b"x" * 1000 if "Content-Length: 1000" in head else b"")
        if status not in (200, 201, 204, 206):
            failed.append(f"{kind} {status}")
    return failed


def run(ctx):
    server = common.SampleWeb("aborts")
    ctx.cleanups.append(server.stop)
    common.data_file(server.files, "big.bin", BIG)
    (server.cgi / "big.cgi").write_text(CGI)
    (server.cgi / "hello.cgi").write_text("#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nhello\\n'\n")
    for script in server.cgi.iterdir():
        script.chmod(0o755)
    kinds = {**h1_kinds(server.port), **h2_kinds(server.h2_port)}
    assert not check_all_succeed(server), "the server does not answer every kind before the aborts"
    common.poll(lambda: not server.descendants(), 10)
    # A first batch of aborts loads what error paths load (assemblies are mapped once), so the baseline is the
    # steady state and what is compared after the run is what requests hold.
    warm = random.Random(17)
    for name in list(kinds) * 10:
        try:
            kinds[name](random.Random(warm.random()))
        except OSError:
            pass
    common.poll(lambda: not server.descendants() and not server.temp_files(), 30)
    # Assemblies the runtime maps on first use (an error path's first stack trace loads two) are not held by requests.
    held = lambda: [t for t in server.fd_targets() if not t.endswith(".dll")]  # noqa: E731
    baseline_targets = held()
    baseline = len(baseline_targets)

    rnd = random.Random(18)
    plan = [(name, random.Random(rnd.random())) for name in rnd.choices(list(kinds), k=TOTAL)]
    errors = []

    def one(item):
        name, case_rnd = item
        try:
            kinds[name](case_rnd)
        except OSError:
            pass  # the server closing a connection we abort is the point
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            errors.append(f"{name}: {error!r}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, plan))

    settled = common.poll(lambda: not server.descendants() and not server.temp_files() and len(held()) <= baseline, 60)
    fds, children, temps = len(held()), server.descendants(), server.temp_files()
    ctx.row(NAME, f"requests aborted at random points ({len(kinds)} kinds, HTTP/1.1 and HTTP/2)", f"{TOTAL:,}", f"{TOTAL:,}", not errors or errors[:3])
    extra = list(baseline_targets)
    left = [t for t in held() if not (t in extra and not extra.remove(t))]
    ctx.row(NAME, "server descriptors afterwards vs baseline (mapped assemblies aside)", f"{fds} vs {baseline}" + (f" (more: {left[:6]})" if fds > baseline else ""),
            "≤ baseline", fds <= baseline)
    ctx.row(NAME, "child processes left", str(len(children)), "0", not children)
    ctx.row(NAME, "upload temp files left", str(len(temps)), "0", not temps)
    resumable = len([p for p in server.uploads.rglob("*") if p.is_file() and ".resumable" in p.parts])
    ctx.row(NAME, "resumable uploads kept to resume (by design, until expiry)", str(resumable), "any", True)
    failed = check_all_succeed(server)
    ctx.row(NAME, "next request of every kind", "all succeeded" if not failed else ", ".join(failed), "all succeed", not failed and settled)
    server.stop()
    blob_store(ctx)


def blob_store(ctx):
    """The same aborts against the blob store (Azurite): downloads, ranges, raw and resumable uploads into the container.
    Afterwards no blob under an upload's name is partial (each is absent or whole), and the next requests succeed."""
    if not shutil.which("node"):
        ctx.row(NAME, "aborts on the blob store", "not run", "needs node (Azurite)", "skipped (no node)")
        return
    spec = importlib.util.spec_from_file_location("s70_blob", bench.ROOT / "bench/scenarios/s70_blob.py")
    blob = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(blob)
    port = common.PORT_BASE + 4
    blob.azurite(ctx, port)
    connection = (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={blob.ACCOUNT_KEY};"
                  f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;")
    server = common.SampleWeb("aborts-blob", port=common.PORT_BASE + 2, env={
        "Streaming__Storage__Provider": "AzureBlob", "Streaming__Storage__AzureBlob__ConnectionString": connection,
        "Streaming__Storage__AzureBlob__Container": f"stress{random.randrange(1 << 30)}", "Streaming__Storage__AzureBlob__CreateContainer": "true"})
    ctx.cleanups.append(server.stop)
    size = 16 << 20
    status, _ = common.request(server.port, f"PUT /uploads/big.bin HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n",
                               body=os.urandom(size))
    assert status in (201, 204), f"seeding the container: {status}"
    every = h1_kinds(server.port)
    kinds = {f"blob {k[3:]}": every[k] for k in ("h1 file", "h1 range", "h1 raw upload", "h1 resumable", "h1 tus")}
    total = max(TOTAL // 10, 100)
    rnd = random.Random(19)
    errors = []
    for name in rnd.choices(list(kinds), k=total):
        try:
            kinds[name](random.Random(rnd.random()))
        except OSError:
            pass
        except Exception as error:  # noqa: BLE001
            errors.append(f"{name}: {error!r}")
    partial = []
    for i in range(10):
        status, headers = common.exchange(server.port, f"HEAD /files/raw-{i}.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if status == 200 and headers.get("content-length") != "300000":
            partial.append(f"raw-{i}.bin: {headers.get('content-length')} bytes")
    settled = common.poll(lambda: not server.descendants(), 30)
    ctx.row(NAME, "requests aborted on the blob store (Azurite)", f"{total:,}", f"{total:,}", not errors or errors[:3])
    ctx.row(NAME, "partial blobs under an upload's name", f"{len(partial)}", "0", not partial or partial[:3])
    ok = [common.request(server.port, h + "Connection: close\r\n\r\n", body=b)[0] for h, b in (
        ("GET /files/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\n", b""),
        ("PUT /uploads/after.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n", b"x" * 1000))]
    ctx.row(NAME, "next requests on the blob store", " ".join(map(str, ok)), "206 201", ok == [206, 201] and settled)
    server.stop()


"""10,000 requests aborted at random points across every endpoint kind (file whole, single range, multi-range; raw,
multipart, resumable and tus uploads; a process with a body, a streamed program, a CGI script, a generated body),
on HTTP/1.1 (connection reset) and HTTP/2 (RST_STREAM, or the connection dropped). Afterwards the server's open
descriptors are back to their baseline, no child process and no upload temp file remains, and the next request of
every kind succeeds."""
import os
import random
from concurrent.futures import ThreadPoolExecutor

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
        status, _ = 0, 0
        head = (f"POST /uploads/tus HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Length: 1000000\r\nContent-Length: 0\r\n"
                f"Connection: close\r\n\r\n")
        with common.socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(head.encode())
            reply = s.recv(4096).decode("latin1")
        location = next((line.split(":", 1)[1].strip() for line in reply.split("\r\n") if line.lower().startswith("location:")), None)
        if not location:
            return status
        path = "/" + location.split("/", 3)[3] if location.startswith("http") else location
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
    baseline, baseline_targets = server.fds(), server.fd_targets()

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

    settled = common.poll(lambda: not server.descendants() and not server.temp_files() and server.fds() <= baseline, 60)
    fds, children, temps = server.fds(), server.descendants(), server.temp_files()
    ctx.row(NAME, f"requests aborted at random points ({len(kinds)} kinds, HTTP/1.1 and HTTP/2)", f"{TOTAL:,}", f"{TOTAL:,}", not errors or errors[:3])
    extra = list(baseline_targets)
    left = [t for t in server.fd_targets() if not (t in extra and not extra.remove(t))]
    ctx.row(NAME, "server descriptors afterwards vs baseline", f"{fds} vs {baseline}" + (f" (more: {left[:6]})" if fds > baseline else ""),
            "≤ baseline", fds <= baseline)
    ctx.row(NAME, "child processes left", str(len(children)), "0", not children)
    ctx.row(NAME, "upload temp files left", str(len(temps)), "0", not temps)
    resumable = len([p for p in server.uploads.rglob("*") if p.is_file() and ".resumable" in p.parts])
    ctx.row(NAME, "resumable uploads kept to resume (by design, until expiry)", str(resumable), "any", True)
    failed = check_all_succeed(server)
    ctx.row(NAME, "next request of every kind", "all succeeded" if not failed else ", ".join(failed), "all succeed", not failed and settled)

"""A minimal HTTP/2 client (h2c prior knowledge) for aborting streams on purpose: open a stream, send some of a
body or read some of a response, then reset the stream (RST_STREAM CANCEL) or drop the connection."""
import socket
import struct
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE = 0, 1, 3, 4, 6, 7, 8
END_STREAM, END_HEADERS, CANCEL = 0x1, 0x4, 0x8


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def _integer(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out, value = [first | limit], value - limit
    while value >= 128:
        out.append((value & 127) | 128)
        value >>= 7
    return bytes(out + [value])


def literal(name_index, value):
    """A literal header field without indexing, its name from the static table (RFC 7541), its value raw."""
    value = value.encode()
    return _integer(name_index, 4, 0) + _integer(len(value), 7, 0) + value


def request_block(method, path, authority, content_length=None, extra=()):
    block = {"GET": b"\x82", "POST": b"\x83"}.get(method) or literal(2, method)
    block += b"\x86" + literal(4, path) + literal(1, authority)  # :scheme http, :path, :authority
    if content_length is not None:
        block += literal(28, str(content_length))
    for index, value in extra:
        block += literal(index, value)
    return block


def abort_stream(port, method, path, body=b"", content_length=None, read_bytes=0, drop_connection=False, timeout=10):
    """One stream: sends the request (and `body`, which may be part of `content_length`), reads up to `read_bytes` of
    DATA, then resets the stream, or closes the socket when drop_connection. Returns the DATA bytes read."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        # 16 MiB per stream and 1 GiB for the connection, so a read is never held back by our own flow control.
        s.sendall(PREFACE + frame(SETTINGS, 0, 0, struct.pack(">HI", 4, 16 << 20)) + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", (1 << 30))))
        complete = content_length is None and not body
        s.sendall(frame(HEADERS, END_HEADERS | (END_STREAM if complete else 0), 1,
                        request_block(method, path, f"127.0.0.1:{port}", content_length)))
        for i in range(0, len(body), 16384):
            s.sendall(frame(DATA, 0, 1, body[i:i + 16384]))
        got, buf, deadline = 0, b"", time.time() + timeout
        while got < read_bytes and time.time() < deadline:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 9:
                length = int.from_bytes(buf[:3], "big")
                if len(buf) < 9 + length:
                    break
                kind, flags = buf[3], buf[4]
                payload, buf = buf[9:9 + length], buf[9 + length:]
                if kind == DATA:
                    got += length
                elif kind == SETTINGS and not flags & 1:
                    s.sendall(frame(SETTINGS, 1, 0))
                elif kind == PING and not flags & 1:
                    s.sendall(frame(PING, 1, 0, payload))
                elif kind in (RST_STREAM, GOAWAY) or (kind in (HEADERS, DATA) and flags & END_STREAM):
                    got = read_bytes  # the stream ended on its own
        if not drop_connection:
            s.sendall(frame(RST_STREAM, 0, 1, struct.pack(">I", CANCEL)))
            time.sleep(0.001)
        return got
    finally:
        s.close()

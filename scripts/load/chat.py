#!/usr/bin/env python3
"""Booth chat load for scripts/faults.sh: visitors on one booth's page, each on its own live socket,
saying something every few seconds, reconnecting when the socket drops, for a given time.

    chat.py PORT BOOTH_ID SECONDS [CLIENTS]

Each visitor has its own visitor cookie and its own X-Forwarded-For address (the server under
test trusts 127.0.0.1 as a proxy), so the per-address limits apply per visitor as they would to
real shoppers. Prints one line: messages sent, acknowledged, refused, and reconnections.
A WebSocket client in the standard library only (RFC 6455: handshake, masked text frames).
"""
import base64
import json
import os
import random
import socket
import struct
import sys
import threading
import time


def connect(port, visitor, address):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((
        f"GET /live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nCookie: ocop_visitor={visitor}\r\n"
        f"X-Forwarded-For: {address}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1024)
        if not chunk:
            raise OSError("closed during the handshake")
        head += chunk
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise OSError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    return s, head.split(b"\r\n\r\n", 1)[1]


def send_text(s, text):
    data = text.encode()
    mask = os.urandom(4)
    n = len(data)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def frames(s, buffer):
    """Yields the text of each text frame the server sends; answers pings."""
    while True:
        while len(buffer) < 2:
            chunk = s.recv(65536)
            if not chunk:
                return
            buffer += chunk
        opcode, n = buffer[0] & 0x0F, buffer[1] & 0x7F
        at = 2
        if n == 126:
            while len(buffer) < 4:
                buffer += s.recv(65536)
            n, at = struct.unpack(">H", buffer[2:4])[0], 4
        elif n == 127:
            while len(buffer) < 10:
                buffer += s.recv(65536)
            n, at = struct.unpack(">Q", buffer[2:10])[0], 10
        while len(buffer) < at + n:
            chunk = s.recv(65536)
            if not chunk:
                return
            buffer += chunk
        payload, buffer = buffer[at:at + n], buffer[at + n:]
        if opcode == 0x8:
            return
        if opcode == 0x9:  # ping: pong back, masked as a client must
            mask = os.urandom(4)
            s.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        elif opcode == 0x1:
            yield payload.decode(errors="replace")


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.sent = self.said = self.refused = self.reconnects = 0

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)


def visitor(port, booth, until, i, tally):
    rng = random.Random(i)
    address = f"198.51.{100 + i // 250}.{i % 250 + 1}"
    first = True
    while time.monotonic() < until:
        try:
            s, rest = connect(port, f"chat-load-{i}", address)
        except OSError:
            tally.add(reconnects=1)
            time.sleep(0.5)
            continue
        if not first:
            tally.add(reconnects=1)
        first = False
        s.settimeout(None)  # the reader blocks; closing the socket ends it
        reader_done = threading.Event()

        def read():
            try:
                for text in frames(s, rest):
                    frame = json.loads(text)
                    if frame.get("type") == "said":
                        tally.add(said=1)
                    elif frame.get("type") == "refused" and frame.get("topic") is None:
                        tally.add(refused=1)
            except (OSError, ValueError):
                pass
            reader_done.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            send_text(s, json.dumps({"type": "enter", "booth": booth}))
            while time.monotonic() < until and not reader_done.is_set():
                send_text(s, json.dumps({"type": "say", "booth": booth, "display_name": f"Khách {i}",
                                         "body": f"Cho tôi hỏi giá sỉ, lần {rng.randrange(1000)}"}))
                tally.add(sent=1)
                reader_done.wait(rng.uniform(2.2, 3.0))
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass


def main():
    port, booth, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    clients = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=visitor, args=(port, booth, until, i, tally), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 15)
    print(f"chat: {clients} visitors, {tally.sent} messages sent, {tally.said} stored and acknowledged, "
          f"{tally.refused} refused, {tally.reconnects} reconnections")


if __name__ == "__main__":
    main()

"""Open a page in headless Chromium and report its images and console errors (DevTools protocol).

Standard library only: Chromium is started with ``--remote-debugging-port=0``, the port is
read from ``DevToolsActivePort`` in its fresh profile folder, and a minimal WebSocket client
speaks the DevTools protocol to the page: enable the Runtime, Log and Page domains,
navigate, wait for the load event, evaluate a script that lists every image's
``complete`` and ``naturalWidth``, and collect every console error, uncaught exception and
log entry of level error (failed resource loads included).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def find_chromium() -> str | None:
    """Path of Debian's chromium (or another chromium/chrome on PATH), else None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


@dataclass
class PageCheck:
    """What the browser saw: one dict per image, and every error message."""

    title: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _WebSocket:
    """The smallest client that the DevTools protocol needs (text frames, RFC 6455)."""

    def __init__(self, url: str, timeout: float) -> None:
        assert url.startswith("ws://")
        host_port, _, path = url[5:].partition("/")
        host, _, port = host_port.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise ConnectionError(f"WebSocket handshake refused: {status!r}")
        self.buffer = head.split(b"\r\n\r\n", 1)[1]

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text: str) -> None:
        payload = text.encode()
        header = bytes([0x81])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self) -> str:
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):  # ping / pong: not used by DevTools, ignore
                continue
            message += data
            if b0 & 0x80:
                return message.decode()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class _Session:
    def __init__(self, ws: _WebSocket) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.receive())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, method: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if any(e["method"] == method for e in self.events):
            return
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.receive())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == method:
                    return
        raise TimeoutError(f"no {method} within {timeout} s")


def _errors(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            out.append(f"console.{p['type']}: {args}")
        elif m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append(f"exception: {d.get('text', '')} {d.get('exception', {}).get('description', '')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            out.append(f"log: {entry.get('text', '')} {entry.get('url', '')}".strip())
    return out


def check_page(path: str, profile_dir: str, *, chromium: str, timeout: float = 60.0) -> PageCheck:
    """Load ``path`` (a local HTML file) in headless Chromium and report what it saw."""
    os.makedirs(profile_dir, exist_ok=True)
    proc = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile_dir}", "--remote-debugging-port=0",
         "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    ws = None
    try:
        port_file = os.path.join(profile_dir, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        port = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"chromium exited with status {proc.returncode} at start")
            if os.path.exists(port_file):
                lines = open(port_file, encoding="utf-8").read().split()
                if lines:
                    port = int(lines[0])
                    break
            time.sleep(0.1)
        if port is None:
            raise TimeoutError("chromium did not open its DevTools port")
        targets: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if targets:
                break
            time.sleep(0.1)
        if not targets:
            raise TimeoutError("chromium has no page target")
        ws = _WebSocket(targets[0]["webSocketDebuggerUrl"], timeout)
        session = _Session(ws)
        for domain in ("Runtime", "Log", "Page"):
            session.call(f"{domain}.enable")
        session.events.clear()
        session.call("Page.navigate", url="file://" + os.path.abspath(path))
        session.wait_for("Page.loadEventFired", timeout)
        script = ("JSON.stringify({title: document.title, images: Array.from(document.images)"
                  ".map(i => ({src: i.getAttribute('src'), complete: i.complete, "
                  "naturalWidth: i.naturalWidth}))})")
        time.sleep(0.3)  # let late console messages arrive
        value = session.call("Runtime.evaluate", expression=script, returnByValue=True)
        page = json.loads(value["result"]["value"])
        return PageCheck(title=page["title"], images=page["images"],
                         errors=_errors(session.events))
    finally:
        if ws is not None:
            ws.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

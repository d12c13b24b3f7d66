"""A TCP fault proxy: the app talks to a real service through it, and a test takes the
service away (``cut``), gives it back (``restore``) or holds its answers (``hold_answers``).

Why a proxy and not stopping the service: the PostgreSQL, Redis and Elasticsearch processes
are shared by everyone running tests on the machine. To the app a cut proxy looks exactly
like a stopped service: open connections are closed under it and new ones are refused
(nothing listens on the port any more), and it comes back on the same port.
"""

import contextlib
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

CHUNK = 65536


class FaultProxy:
    """Forwards a loopback port to ``target`` (host, port), one thread per direction."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._answers = threading.Event()  # cleared: answers from the service wait
        self._answers.set()
        self._triggers: list[tuple[bytes, str]] = []
        self.held = threading.Event()  # set once a request met a "hold" trigger
        self.connections = 0

    # The faults ---------------------------------------------------------------------------

    def start(self) -> "FaultProxy":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def cut(self) -> None:
        """The service is gone: every open connection closed, new ones refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            _close(listener)
        for sock in sockets:
            _close(sock)
        self._answers.set()  # held threads wake up and find their sockets closed

    def restore(self) -> None:
        """The service is back, on the same port."""
        if self._listener is None:
            self.start()

    def cut_when(self, pattern: bytes) -> None:
        """Cut as soon as a request contains ``pattern`` (it is not forwarded); once."""
        self._triggers.append((pattern, "cut"))

    def hold_answers_after(self, pattern: bytes) -> None:
        """Forward the request containing ``pattern``, then hold every answer of the service
        until ``release``: the client waits in the middle of its work."""
        self._triggers.append((pattern, "hold"))

    def release(self) -> None:
        self._triggers.clear()
        self._answers.set()

    def close(self) -> None:
        self._triggers.clear()
        self.cut()

    @property
    def is_cut(self) -> bool:
        return self._listener is None

    def url(self, service_url: str) -> str:
        """``service_url`` with its host and port replaced by the proxy's."""
        parts = urlsplit(service_url)
        userinfo, _, _ = parts.netloc.rpartition("@")
        netloc = f"{userinfo}@" if userinfo else ""
        return urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{self.port}"))

    # The plumbing -------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # cut: the listening socket was closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(upstream)
                    return
                self._sockets.update((client, upstream))
                self.connections += 1
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._answers_to, args=(upstream, client), daemon=True).start()

    def _requests(self, source: socket.socket, sink: socket.socket) -> None:
        while data := _recv(source):
            action = next((a for pattern, a in self._triggers if pattern in data), None)
            if action == "cut":
                self._triggers.clear()  # once: the service comes back with ``restore``
                self.cut()
                return
            if action == "hold":
                self._answers.clear()
                self.held.set()
            if not _send(sink, data):
                break
        _close(source)
        _close(sink)

    def _answers_to(self, source: socket.socket, sink: socket.socket) -> None:
        while data := _recv(source):
            self._answers.wait()
            if not _send(sink, data):
                break
        _close(source)
        _close(sink)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(CHUNK)
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()

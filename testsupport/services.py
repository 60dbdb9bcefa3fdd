"""Throw-away PostgreSQL, Redis and nginx servers on 127.0.0.1 (Debian's packages).

Plain context managers, no pytest: the fixtures in ``tests/conftest.py``, the
scale-out cluster (``testsupport/scale_out.py``) and the benchmarks use them. Each
one raises
``ServiceMissing`` when the Debian package is not installed.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple


class ServiceMissing(RuntimeError):
    """The server binary is not installed."""


_HANDED_OUT: Set[int] = set()


def _ephemeral_range() -> Tuple[int, int]:
    """The kernel's range for outgoing connections' local ports."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 now and stays out of others' way.

    A port the kernel hands out for ``bind(0)`` lies in the range it also uses for
    outgoing connections: in the seconds a server takes to start, a client socket
    can take it, and the server then fails with "address already in use". So the
    port is drawn below that range, and never twice in one process.
    """
    low, _ = _ephemeral_range()
    top = min(low, 65536) - 1
    bottom = 20000 if top > 21000 else 1024
    rng = random.Random()
    for _ in range(200 if top > bottom else 0):
        port = rng.randint(bottom, top)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket() as sock:  # a crowded machine: let the kernel choose
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The secret that signs the widget's session ids in every test and bench stack (the
# tests forge ids with it and with others); the REST token of production-profile
# stacks, where the REST channel is closed without one.
TEST_SESSION_SECRET = "test-session-secret-" + "s" * 32
TEST_REST_TOKEN = "test-rest-token-" + "t" * 32
GENEROUS_LIMITS = {
    "HW_RATE_PER_MINUTE": "100000",
    "HW_RATE_BURST": "100000",
    "HW_RATE_ADDRESS_PER_MINUTE": "1000000",
    "HW_RATE_ADDRESS_BURST": "1000000",
    "HW_QUEUE_PER_CONVERSATION": "1000",
}


def stack_env(
    workdir: Path,
    rasa_port: int,
    action_port: int,
    extra: Optional[Dict[str, str]] = None,
) -> Dict[str, str]:
    """Environment for one bot on loopback (tests, bench; never the developer's .env)."""
    from bot import settings

    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("HW_", "TELEGRAM_"))
    }
    base.update(
        {
            "HW_PORT": str(rasa_port),
            "HW_ACTION_PORT": str(action_port),
            "HW_ACTION_ENDPOINT": f"http://127.0.0.1:{action_port}/webhook",
            "HW_DB_DIALECT": "sqlite",
            "HW_DB_URL": f"sqlite:///{workdir / 'tracker.db'}",
            "HW_CORS_ORIGINS": f"http://127.0.0.1:{rasa_port},http://localhost:{rasa_port}",
            "HW_SESSION_SECRET": TEST_SESSION_SECRET,
            # Generous limits: tests and benchmarks send many messages from one
            # address quickly. tests/test_rate_limits.py runs with the real defaults.
            **GENEROUS_LIMITS,
        }
    )
    if (extra or {}).get("HW_PROFILE") == "production":
        base["HW_REST_TOKEN"] = TEST_REST_TOKEN
    base.update(extra or {})
    env = settings.load_env(base)
    # load_env reads .env for missing keys: make sure the test values win.
    env.update(base)
    return env


def wait_for_port(
    port: int, timeout: float, proc: Optional[subprocess.Popen] = None
) -> bool:
    """Poll until 127.0.0.1:``port`` accepts connections (or the process dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _terminate(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a child process gently, then firmly."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- PostgreSQL
def postgres_bin() -> Optional[Path]:
    """Folder with Debian's PostgreSQL server binaries, if installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@contextmanager
def postgres() -> Iterator[str]:
    """A throw-away PostgreSQL server on a free port; yields its SQLAlchemy URL.

    initdb + pg_ctl in a fresh temp folder (as user ``postgres`` when run as
    root: PostgreSQL refuses to run as root); stopped and deleted afterwards.
    """
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise ServiceMissing(
            "PostgreSQL server binaries not installed (apt-get install postgresql)"
        )
    base = Path(tempfile.mkdtemp(prefix="hw-pg-"))
    data = base / "data"
    run_as: List[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    try:
        subprocess.run(
            [*run_as, str(bin_dir / "initdb"), "-D", str(data)]
            + ["-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-w"]
            + ["-l", str(base / "pg.log")]
            + ["-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if data.exists():
            subprocess.run(
                [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data)]
                + ["-m", "fast", "stop"],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------- Redis
@contextmanager
def redis_server(workdir: Path) -> Iterator[int]:
    """A throw-away Redis server (no persistence) on a free port; yields the port."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise ServiceMissing(
            "redis-server not installed (apt-get install redis-server)"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        if not wait_for_port(port, 20, proc):
            raise RuntimeError("redis-server did not start")
        yield port
    finally:
        _terminate(proc)


# --------------------------------------------------------------------- nginx
NGINX_WORKER_USER = "nobody"


@dataclass
class Nginx:
    """A running nginx: Rasa servers on ``port``, action servers on ``action_port``."""

    workdir: Path
    port: int
    action_port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        """Base URL in front of the Rasa servers."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def action_url(self) -> str:
        """Action endpoint (``/webhook``) in front of the action servers."""
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def access_log(self) -> Path:
        """One line per request in front of the Rasa servers."""
        return self.workdir / "access.log"

    @property
    def action_access_log(self) -> Path:
        """One line per request in front of the action servers."""
        return self.workdir / "actions_access.log"

    @property
    def error_log(self) -> Path:
        """The error log of nginx."""
        return self.workdir / "error.log"


def _servers(ports: Sequence[int]) -> str:
    return "\n".join(f"    server 127.0.0.1:{port};" for port in ports)


def nginx_conf(
    workdir: Path,
    port: int,
    action_port: int,
    rasa_ports: Sequence[int],
    action_ports: Sequence[int],
    tmp: Path,
    worker_user: Optional[str] = None,
) -> str:
    """nginx.conf for a load balancer on loopback, everything in ``workdir``.

    - ``/webhooks/`` and everything else: upstream ``rasa``, round robin; one
      worker process, so requests go strictly A, B, A, B over the servers.
    - ``/socket.io``: upstream ``rasa_sticky``, hashed on the client address:
      engine.io keeps a session per server, and its first (polling) request has
      no ``sid`` yet, so hashing on ``$arg_sid`` would split a session over two
      servers (``ip_hash`` would only use the first three bytes of an IPv4).
    - ``action_port``: upstream ``actions``, round robin; large bodies allowed
      and kept in memory up to 1 MB (every call carries the whole tracker).
    - ``tmp``: the workers' temp files (bodies too large for memory).
    - A request with ``X-HW-Instance: N`` goes to the N-th Rasa server: the
      scale-out run uses it to make every conversation alternate strictly between
      the servers (round robin alone mixes the conversations' turns). Requests
      without it are balanced round robin as above.
    - Every response carries ``X-Upstream`` (the server that answered). A POST
      is never sent twice: nginx does not retry non-idempotent requests.
    """
    pinned = "\n".join(
        f'    "{index}" 127.0.0.1:{rasa_port};'
        for index, rasa_port in enumerate(rasa_ports)
    )
    user = f"user {worker_user} nogroup;" if worker_user else ""
    return f"""# generated by testsupport/services.py
{user}
daemon off;
worker_processes 1;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} warn;

events {{
  worker_connections 1024;
}}

http {{
  log_format upstream '$msec $status $request_time "$request" $request_length '
                      'upstream=$upstream_addr $upstream_response_time';
  access_log {workdir / 'access.log'} upstream;
  client_body_temp_path {tmp / 'body'};
  proxy_temp_path {tmp / 'proxy'};
  fastcgi_temp_path {tmp / 'fastcgi'};
  uwsgi_temp_path {tmp / 'uwsgi'};
  scgi_temp_path {tmp / 'scgi'};
  client_max_body_size 1m;

  upstream rasa {{
{_servers(rasa_ports)}
    keepalive 32;
  }}
  upstream rasa_sticky {{
    hash $remote_addr consistent;
{_servers(rasa_ports)}
  }}
  upstream actions {{
{_servers(action_ports)}
    keepalive 16;
  }}

  map $http_upgrade $connection_upgrade {{
    default upgrade;
    '' close;
  }}

  map $http_x_hw_instance $rasa_backend {{
    default rasa;
{pinned}
  }}

  proxy_http_version 1.1;
  proxy_read_timeout 300s;
  proxy_next_upstream error timeout;
  proxy_set_header Host $host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

  server {{
    listen 127.0.0.1:{port};
    add_header X-Upstream $upstream_addr always;
    location /socket.io {{
      proxy_pass http://rasa_sticky;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
    }}
    location / {{
      proxy_pass http://$rasa_backend;
      proxy_set_header Connection "";
    }}
  }}

  server {{
    listen 127.0.0.1:{action_port};
    access_log {workdir / 'actions_access.log'} upstream;
    # Rasa sends the whole tracker (result pictures included) with every call
    client_max_body_size 64m;
    client_body_buffer_size 1m;
    add_header X-Upstream $upstream_addr always;
    location / {{
      proxy_pass http://actions;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


@contextmanager
def nginx(
    workdir: Path, rasa_ports: Sequence[int], action_ports: Sequence[int]
) -> Iterator[Nginx]:
    """Run nginx in front of ``rasa_ports`` and ``action_ports``, in the foreground.

    Config, pid file and logs live in ``workdir``; the workers' temp files in a
    folder of their own under /tmp. As root the workers run as ``nobody``
    (only that temp folder is theirs; ``user root`` is not needed).
    """
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise ServiceMissing("nginx not installed (apt-get install nginx-light)")
    workdir.mkdir(parents=True, exist_ok=True)
    # the workers' temp files (large bodies): a folder of their own under /tmp
    tmp = Path(tempfile.mkdtemp(prefix="hw-nginx-"))
    proc: Optional[subprocess.Popen] = None
    try:
        worker_user = None
        if os.geteuid() == 0:
            worker_user = NGINX_WORKER_USER
            entry = pwd.getpwnam(worker_user)
            os.chown(tmp, entry.pw_uid, entry.pw_gid)
        port, action_port = free_port(), free_port()
        conf = workdir / "nginx.conf"
        conf.write_text(
            nginx_conf(
                workdir, port, action_port, rasa_ports, action_ports, tmp, worker_user
            )
        )
        command = [binary, "-p", str(workdir), "-c", str(conf)]
        command += ["-e", str(workdir / "error.log")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        if not (wait_for_port(port, 20, proc) and wait_for_port(action_port, 20, proc)):
            log = workdir / "error.log"
            raise RuntimeError(
                f"nginx did not start: {log.read_text() if log.exists() else ''}"
            )
        yield Nginx(workdir, port, action_port, proc)
    finally:
        if proc is not None:
            _terminate(proc)
        shutil.rmtree(tmp, ignore_errors=True)

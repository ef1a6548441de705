"""WSGI entry point (gunicorn benchsite.wsgi). Optionally pins one host name to a local address.

SNS_BENCH_HOST_OVERRIDE="sns.us-east-1.amazonaws.com=127.0.0.1:8443" makes this Python process (only)
resolve that host to 127.0.0.1 port 8443, like an /etc/hosts entry that also remaps the port. It is
needed only when the messages carry a real-looking https://sns.<region>.amazonaws.com/... cert URL;
the benchmark normally uses https://127.0.0.1:<port>/... and leaves this unset (see README.md).
"""
import os
import socket

from django.core.wsgi import get_wsgi_application

_override = os.environ.get("SNS_BENCH_HOST_OVERRIDE", "")
if _override:
    _host, _, _target = _override.partition("=")
    _ip, _, _port = _target.rpartition(":")
    if not (_host and _ip and _port.isdigit()):
        raise ValueError("SNS_BENCH_HOST_OVERRIDE must look like host=ip:port")
    _real_getaddrinfo = socket.getaddrinfo

    def _getaddrinfo(host, port, *args, **kwargs):
        if host == _host:
            return _real_getaddrinfo(_ip, int(_port), *args, **kwargs)
        return _real_getaddrinfo(host, port, *args, **kwargs)

    socket.getaddrinfo = _getaddrinfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")
application = get_wsgi_application()

#!/usr/bin/env python3
"""Authoritative test DNS server for the SluiceDNS tests and Scripts/dns-conformance.

Serves the records of a BIND master-format zone file on 127.0.0.1, UDP and TCP on the same port,
and prints "READY <port>" on stdout once both are listening. Needs PyPI `dnslib`.

Special behaviour, by name suffix (the name itself or anything below it):
  --truncate SUFFIX   UDP answers carry TC=1 and no records (clients must retry over TCP)
  --silent SUFFIX     never answered, over UDP or TCP (clients time out)
  --servfail SUFFIX   answered with SERVFAIL
  --spoof SUFFIX      over UDP, a forged answer (wrong ID, bogus record) is sent before the real one
  --no-edns SUFFIX    queries carrying an EDNS OPT record get FORMERR (a pre-EDNS server)
  --cut SUFFIX        UDP answers carry TC=1 and end inside their last record (clients must still retry over TCP)
  --referral SUFFIX   answered with a referral: NOERROR, no answer, NS records in authority, AA=0
  --no-recursion SUFFIX  answered NOERROR with no records and RA=0, AA=0 (a server that does not recurse)

The server exits after --lifetime seconds, or when stdin closes with --exit-on-stdin-eof (so it
dies with the test process that started it).
"""
import argparse
import socket
import socketserver
import struct
import sys
import threading

try:
    from dnslib import QTYPE, RCODE, RR, DNSRecord
except ImportError:
    sys.stderr.write("dns_server.py needs the PyPI package dnslib: pip install dnslib\n")
    sys.exit(3)


def norm(name):
    text = str(name).lower()
    return text if text.endswith(".") else text + "."


def under(name, suffixes):
    return any(name == s or name.endswith("." + s) for s in suffixes)


class Zone:
    def __init__(self, text):
        self.records = {}
        for rr in RR.fromZone(text):
            self.records.setdefault(norm(rr.rname), []).append(rr)
        self.names = set(self.records)

    def exists(self, name):
        # A name exists if it owns records or is an empty non-terminal above one (RFC 8020).
        return name in self.names or any(n.endswith("." + name) for n in self.names)

    def answer(self, request):
        reply = request.reply()
        reply.header.aa = 1
        name = norm(request.q.qname)
        qtype = request.q.qtype
        for _ in range(8):
            rrs = self.records.get(name, [])
            matching = [rr for rr in rrs if rr.rtype == qtype]
            if matching:
                for rr in matching:
                    reply.add_answer(rr)
                return reply
            cnames = [rr for rr in rrs if rr.rtype == QTYPE.CNAME]
            if qtype == QTYPE.CNAME or not cnames:
                break
            reply.add_answer(cnames[0])
            name = norm(cnames[0].rdata.label)
        if not self.exists(name):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class Server:
    def __init__(self, zone, truncate, silent, servfail, spoof, no_edns, cut, referral, no_recursion):
        self.zone = zone
        self.cut = [norm(s) for s in cut]
        self.referral = [norm(s) for s in referral]
        self.no_recursion = [norm(s) for s in no_recursion]
        self.no_edns = [norm(s) for s in no_edns]
        self.spoof = [norm(s) for s in spoof]
        self.truncate = [norm(s) for s in truncate]
        self.silent = [norm(s) for s in silent]
        self.servfail = [norm(s) for s in servfail]

    def forged(self, data):
        """For --spoof names: an answer with the wrong ID and a record the client must not accept."""
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        if not request.questions or not under(norm(request.q.qname), self.spoof):
            return None
        reply = request.reply()
        reply.header.id = (request.header.id + 1) % 65536
        reply.add_answer(*RR.fromZone(f'{request.q.qname} 300 IN TXT "forged"'))
        return reply.pack()

    def handle(self, data, over_udp):
        try:
            request = DNSRecord.parse(data)
        except Exception:
            return None
        if not request.questions:
            return None
        name = norm(request.q.qname)
        if under(name, self.silent):
            return None
        if under(name, self.servfail):
            reply = request.reply()
            reply.header.rcode = RCODE.SERVFAIL
            return reply.pack()
        if under(name, self.no_edns) and any(rr.rtype == QTYPE.OPT for rr in request.ar):
            reply = request.reply()
            reply.header.rcode = RCODE.FORMERR
            return reply.pack()
        if over_udp and under(name, self.truncate):
            reply = request.reply()
            reply.header.tc = 1
            return reply.pack()
        if under(name, self.referral):
            reply = request.reply(ra=0, aa=0)
            reply.add_auth(*RR.fromZone(f"{name} 300 IN NS ns1.{name}\n{name} 300 IN NS ns2.{name}"))
            return reply.pack()
        if under(name, self.no_recursion):
            return request.reply(ra=0, aa=0).pack()
        reply = self.zone.answer(request)
        if over_udp and under(name, self.cut):
            reply.header.tc = 1
            packed = reply.pack()
            # The last record's RDATA loses its final bytes (the zone gives these names a long TXT).
            return packed[:-8]
        return reply.pack()


def serve_udp(sock, server):
    while True:
        try:
            data, peer = sock.recvfrom(65535)
        except OSError:
            return
        forged = server.forged(data)
        if forged is not None:
            sock.sendto(forged, peer)
        answer = server.handle(data, True)
        if answer is not None:
            sock.sendto(answer, peer)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            while True:
                head = self._read(2)
                if head is None:
                    return
                body = self._read(struct.unpack("!H", head)[0])
                if body is None:
                    return
                answer = self.server.dns.handle(body, False)
                if answer is None:
                    # Silent name: hold the connection open without answering.
                    threading.Event().wait(10)
                    return
                self.request.sendall(struct.pack("!H", len(answer)) + answer)
        except OSError:
            return

    def _read(self, count):
        data = b""
        while len(data) < count:
            chunk = self.request.recv(count - len(data))
            if not chunk:
                return None
            data += chunk
        return data


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def bind(address, port):
    """UDP and TCP sockets on one port; with port 0, retry until the UDP port is free for TCP too."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((address, port))
        chosen = udp.getsockname()[1]
        try:
            tcp = TCPServer((address, chosen), TCPHandler)
            return udp, tcp, chosen
        except OSError:
            udp.close()
            if port != 0:
                raise
    raise OSError("no port free for both UDP and TCP")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zone", required=True, help="BIND master-format zone file")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--truncate", action="append", default=[])
    parser.add_argument("--silent", action="append", default=[])
    parser.add_argument("--servfail", action="append", default=[])
    parser.add_argument("--spoof", action="append", default=[])
    parser.add_argument("--no-edns", action="append", default=[])
    parser.add_argument("--cut", action="append", default=[])
    parser.add_argument("--referral", action="append", default=[])
    parser.add_argument("--no-recursion", action="append", default=[])
    parser.add_argument("--lifetime", type=float, default=300, help="exit after this many seconds")
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when stdin closes")
    args = parser.parse_args()

    with open(args.zone, encoding="utf-8") as handle:
        zone = Zone(handle.read())
    server = Server(
        zone, args.truncate, args.silent, args.servfail, args.spoof, args.no_edns, args.cut, args.referral, args.no_recursion
    )
    udp, tcp, port = bind(args.address, args.port)
    tcp.dns = server
    threading.Thread(target=serve_udp, args=(udp, server), daemon=True).start()
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    print(f"READY {port}", flush=True)

    done = threading.Event()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        done.set()

    if args.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait(args.lifetime)


if __name__ == "__main__":
    main()

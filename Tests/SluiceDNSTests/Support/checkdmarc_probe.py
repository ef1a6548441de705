#!/usr/bin/env python3
"""Runs PyPI checkdmarc's SPF and DMARC checks against a test DNS server on 127.0.0.1:<port>.

checkdmarc's CLI only takes nameservers on port 53, so this calls its library API with a
dnspython Do53Nameserver on the test port. Prints one JSON object:
{"<domain>": {"spf_valid": bool, "spf_error": str|null, "dmarc_valid": bool, "dmarc_error": str|null}}
"""
import argparse
import json
import sys

try:
    import dns.nameserver
    from checkdmarc.dmarc import check_dmarc
    from checkdmarc.spf import check_spf
except ImportError:
    sys.stderr.write("checkdmarc_probe.py needs the PyPI package checkdmarc: pip install checkdmarc\n")
    sys.exit(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("domains", nargs="+")
    args = parser.parse_args()
    nameservers = [dns.nameserver.Do53Nameserver(args.address, args.port)]
    results = {}
    for domain in args.domains:
        spf = check_spf(domain, nameservers=nameservers, timeout=2.0)
        dmarc = check_dmarc(domain, nameservers=nameservers, timeout=2.0)
        results[domain] = {
            "spf_valid": bool(spf.get("valid")),
            "spf_error": spf.get("error"),
            "dmarc_valid": bool(dmarc.get("valid")),
            "dmarc_error": dmarc.get("error"),
        }
    json.dump(results, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

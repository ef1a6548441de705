#!/usr/bin/env python3
"""snsgen: signed Amazon SNS test messages with a private CA (test/benchmark harness for Sluice).

Needs Python 3.11+ and PyPI `cryptography` (nothing else).

Subcommands (each has --help):
  pki        create a test CA, a TLS server cert and SNS signing certs (good + negative variants)
  sign       print one signed SNS HTTP(S) message (Notification / SubscriptionConfirmation /
             UnsubscribeConfirmation), optionally tampered after signing
  ses-event  print an SES event JSON (identity notification or event publishing) for `Message`
  batch      write N distinct signed Notification bodies as JSONL (benchmarks, soak tests)
  verify     re-verify signatures of a JSON/JSONL file against a PEM cert or a folder of PEMs
  selftest   round trip of all of the above plus the genuine AWS messages in Tests/Fixtures/sns

Files written by `pki --out DIR` (fixed names):
  DIR/ca.pem, DIR/ca.key.pem            test root CA (CN "Sluice Test Root CA"); trust this in tests
  DIR/server.pem, DIR/server.key.pem    TLS server cert signed by the CA; SAN DNS:localhost,
                                        IP:127.0.0.1, DNS:sns.us-east-1.amazonaws.com (+ --tls-host)
  DIR/signing.key.pem                   RSA-2048 key that signs SNS messages; every signing-cert
                                        variant below carries ITS public key, so a message signed with
                                        it fails only because of the certificate, never the signature
  DIR/wrong.key.pem                     another RSA-2048 key (signature made with it never verifies)
  DIR/www/                              served by Scripts/cert-server.py:
    SimpleNotificationService-test.pem        good: CN/SAN sns.amazonaws.com, CA-signed, now-1y..now+1y
    SimpleNotificationService-expired.pem     CN sns.amazonaws.com, CA-signed, expired a year ago
    SimpleNotificationService-evil.pem        CN/SAN evil.example, CA-signed, valid now
    SimpleNotificationService-selfsigned.pem  CN sns.amazonaws.com, self-signed, valid now
    SimpleNotificationService-notyet.pem      CN sns.amazonaws.com, CA-signed, valid from now+1d
    ca.pem                                    copy of the CA cert (public)

String to sign (aws-reference 1.3): for each key in order, "key\\nvalue\\n";
  Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type
  SubscriptionConfirmation / UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp,
  Token, TopicArn, Type.  SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA (PKCS#1 v1.5).

Examples:
  Scripts/snsgen.py pki --out /tmp/pki
  Scripts/snsgen.py ses-event --kind hard_bounce --to a@example.com > /tmp/ev.json
  Scripts/snsgen.py sign --pki /tmp/pki --message-file /tmp/ev.json \\
      --cert-url https://127.0.0.1:8443/SimpleNotificationService-test.pem
  Scripts/snsgen.py batch --pki /tmp/pki --count 100000 --out /tmp/bodies.jsonl --cert-url ...
  Scripts/snsgen.py verify Tests/Fixtures/sns/genuine/14-*.json --cert Tests/Fixtures/sns/certs
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import ipaddress
import json
import multiprocessing
import os
import random
import secrets
import shutil
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOTIFICATION = "Notification"
SUB_CONFIRM = "SubscriptionConfirmation"
UNSUB_CONFIRM = "UnsubscribeConfirmation"
TYPES = {"notification": NOTIFICATION, "subscriptionconfirmation": SUB_CONFIRM,
         "unsubscribeconfirmation": UNSUB_CONFIRM, "n": NOTIFICATION, "sc": SUB_CONFIRM,
         "uc": UNSUB_CONFIRM}
N_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
SC_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
DEFAULT_TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
DEFAULT_CERT_URL = "https://127.0.0.1:8443/SimpleNotificationService-test.pem"
CERT_NAMES = {
    "good": "SimpleNotificationService-test.pem",
    "expired": "SimpleNotificationService-expired.pem",
    "evil": "SimpleNotificationService-evil.pem",
    "selfsigned": "SimpleNotificationService-selfsigned.pem",
    "notyet": "SimpleNotificationService-notyet.pem",
}


def die(msg: str, code: int = 2) -> None:
    print(f"snsgen: {msg}", file=sys.stderr)
    sys.exit(code)


# ---------------------------------------------------------------------------------------------
# Canonical string, signing, verification

def string_to_sign(msg: dict) -> bytes:
    """Canonical SNS string to sign; raises ValueError for an unknown Type or missing key."""
    mtype = msg.get("Type")
    if mtype == NOTIFICATION:
        keys = N_KEYS
    elif mtype in (SUB_CONFIRM, UNSUB_CONFIRM):
        keys = SC_KEYS
    else:
        raise ValueError(f"unknown Type {mtype!r}")
    parts = []
    for key in keys:
        value = msg.get(key)
        if value is None:
            # Only Subject is optional (absent or null in the Lambda spelling); anything else is malformed.
            if key == "Subject":
                continue
            raise ValueError(f"missing {key}")
        if not isinstance(value, str):
            raise ValueError(f"{key} is not a string")
        parts.append(f"{key}\n{value}\n")
    return "".join(parts).encode("utf-8")


def sign_message(msg: dict, key, version: str) -> str:
    if version not in HASHES:
        raise ValueError(f"SignatureVersion must be 1 or 2, got {version!r}")
    sig = key.sign(string_to_sign(msg), padding.PKCS1v15(), HASHES[version]())
    return base64.b64encode(sig).decode("ascii")


def verify_message(msg: dict, cert: x509.Certificate) -> tuple[bool, str]:
    version = msg.get("SignatureVersion")
    if version not in HASHES:
        return False, f"bad SignatureVersion {version!r}"
    try:
        data = string_to_sign(msg)
        sig = base64.b64decode(msg.get("Signature") or "", validate=True)
    except (ValueError, TypeError) as exc:
        return False, str(exc)
    try:
        cert.public_key().verify(sig, data, padding.PKCS1v15(), HASHES[version]())
    except InvalidSignature:
        return False, "signature mismatch"
    return True, "ok"


# ---------------------------------------------------------------------------------------------
# PKI

def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _new_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(cn: str, org: str = "Sluice Test") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: x509.Name, pub, issuer: x509.Name, issuer_key, not_before, not_after,
          *, ca: bool = False, sans: list | None = None, eku=None) -> x509.Certificate:
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
         .serial_number(x509.random_serial_number()).not_valid_before(not_before)
         .not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=False, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=True, crl_sign=True,
                                          encipher_only=False, decipher_only=False), critical=True)
    else:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                          key_encipherment=True, data_encipherment=False,
                                          key_agreement=False, key_cert_sign=False, crl_sign=False,
                                          encipher_only=False, decipher_only=False), critical=True)
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                            critical=False)
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def _write_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    os.chmod(path, 0o600)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _san(host: str):
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def cmd_pki(args) -> None:
    out = Path(args.out)
    www = out / "www"
    www.mkdir(parents=True, exist_ok=True)
    now = _now()
    year = dt.timedelta(days=365)
    ca_key = _new_key(args.key_bits)
    ca_name = _name("Sluice Test Root CA")
    ca = _cert(ca_name, ca_key.public_key(), ca_name, ca_key, now - year, now + 2 * year, ca=True)
    _write_key(out / "ca.key.pem", ca_key)
    _write_cert(out / "ca.pem", ca)
    shutil.copyfile(out / "ca.pem", www / "ca.pem")

    hosts = ["localhost", "127.0.0.1", "sns.us-east-1.amazonaws.com"] + list(args.tls_host or [])
    srv_key = _new_key(args.key_bits)
    srv = _cert(_name("localhost"), srv_key.public_key(), ca_name, ca_key, now - year, now + year,
                sans=[_san(h) for h in dict.fromkeys(hosts)], eku=[ExtendedKeyUsageOID.SERVER_AUTH])
    _write_key(out / "server.key.pem", srv_key)
    _write_cert(out / "server.pem", srv)

    sig_key = _new_key(args.signing_key_bits or args.key_bits)
    _write_key(out / "signing.key.pem", sig_key)
    _write_key(out / "wrong.key.pem", _new_key(args.signing_key_bits or args.key_bits))
    pub = sig_key.public_key()
    sns = [x509.DNSName("sns.amazonaws.com")]
    variants = {
        "good": _cert(_name("sns.amazonaws.com"), pub, ca_name, ca_key, now - year, now + year, sans=sns),
        "expired": _cert(_name("sns.amazonaws.com"), pub, ca_name, ca_key, now - 2 * year,
                         now - year, sans=sns),
        "evil": _cert(_name("evil.example"), pub, ca_name, ca_key, now - year, now + year,
                      sans=[x509.DNSName("evil.example")]),
        "selfsigned": _cert(_name("sns.amazonaws.com"), pub, _name("sns.amazonaws.com"), sig_key,
                            now - year, now + year, sans=sns),
        "notyet": _cert(_name("sns.amazonaws.com"), pub, ca_name, ca_key, now + dt.timedelta(days=1),
                        now + year, sans=sns),
    }
    for variant, cert in variants.items():
        _write_cert(www / CERT_NAMES[variant], cert)
    print(json.dumps({"dir": str(out), "ca": str(out / "ca.pem"), "server_cert": str(out / "server.pem"),
                      "server_key": str(out / "server.key.pem"), "signing_key": str(out / "signing.key.pem"),
                      "www": str(www), "signing_certs": {k: str(www / v) for k, v in CERT_NAMES.items()}},
                     indent=2))


def load_key(path: str | Path):
    try:
        return serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        die(f"cannot load private key {path}: {exc}")


def _key_from_args(args):
    if args.key:
        return load_key(args.key)
    if args.pki:
        return load_key(Path(args.pki) / "signing.key.pem")
    die("give --pki DIR (uses DIR/signing.key.pem) or --key PEM")


# ---------------------------------------------------------------------------------------------
# Message building

def iso_ms(t: dt.datetime) -> str:
    t = t.astimezone(dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def region_of(topic_arn: str) -> str:
    parts = topic_arn.split(":")
    return parts[3] if len(parts) > 5 and parts[3] else "us-east-1"


def build_sns(mtype: str, *, message: str, topic_arn: str, cert_url: str, version: str,
              message_id: str | None = None, timestamp: str | None = None, subject: str | None = None,
              subscribe_url: str | None = None, token: str | None = None,
              unsubscribe_url: str | None = None, attributes: dict | None = None) -> dict:
    """Unsigned message with keys in the order AWS sends them (Signature filled by the caller)."""
    region = region_of(topic_arn)
    msg: dict = {"Type": mtype, "MessageId": message_id or str(uuid.uuid4())}
    if mtype in (SUB_CONFIRM, UNSUB_CONFIRM):
        token = token or secrets.token_hex(128)
        msg["Token"] = token
    msg["TopicArn"] = topic_arn
    if mtype == NOTIFICATION and subject is not None:
        msg["Subject"] = subject
    msg["Message"] = message
    if mtype in (SUB_CONFIRM, UNSUB_CONFIRM):
        msg["SubscribeURL"] = subscribe_url or (
            f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription"
            f"&TopicArn={topic_arn}&Token={token}")
    msg["Timestamp"] = timestamp or iso_ms(dt.datetime.now(dt.timezone.utc))
    msg["SignatureVersion"] = version
    msg["Signature"] = ""
    msg["SigningCertURL"] = cert_url
    if mtype == NOTIFICATION:
        msg["UnsubscribeURL"] = unsubscribe_url or (
            f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe"
            f"&SubscriptionArn={topic_arn}:{uuid.uuid4()}")
        if attributes:
            msg["MessageAttributes"] = attributes
    return msg


def default_message(mtype: str, topic_arn: str) -> str:
    if mtype == SUB_CONFIRM:
        return (f"You have chosen to subscribe to the topic {topic_arn}.\n"
                "To confirm the subscription, visit the SubscribeURL included in this message.")
    if mtype == UNSUB_CONFIRM:
        return (f"You have chosen to deactivate subscription {topic_arn}:{uuid.uuid4()}.\n"
                "To cancel this operation and restore the subscription, visit the SubscribeURL "
                "included in this message.")
    return "Hello from snsgen"


def tamper(msg: dict, what: str) -> None:
    """Changes a signed field after signing so verification must fail."""
    if what == "message":
        msg["Message"] = msg["Message"] + " "
    elif what == "subject":
        # An absent Subject gains one: the string to sign changes either way.
        msg["Subject"] = (msg.get("Subject") or "") + "!"
    elif what == "topic":
        msg["TopicArn"] = msg["TopicArn"] + "-evil"
    elif what == "timestamp":
        t = dt.datetime.strptime(msg["Timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
        msg["Timestamp"] = iso_ms(t + dt.timedelta(milliseconds=1))
    elif what == "message-id":
        msg["MessageId"] = str(uuid.uuid4())
    elif what == "type":
        msg["Type"] = UNSUB_CONFIRM if msg["Type"] == NOTIFICATION else NOTIFICATION
    elif what == "token":
        msg["Token"] = (msg.get("Token") or "") + "00"
    elif what == "subscribe-url":
        msg["SubscribeURL"] = (msg.get("SubscribeURL") or "https://example.invalid/") + "&x=1"
    elif what == "signature":
        raw = bytearray(base64.b64decode(msg["Signature"]))
        raw[len(raw) // 2] ^= 0x01
        msg["Signature"] = base64.b64encode(bytes(raw)).decode("ascii")
    else:
        die(f"unknown tamper target {what}")


def _read_text(value: str | None, path: str | None) -> str | None:
    if path == "-":
        return sys.stdin.read()
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            die(f"cannot read {path}: {exc}")
        # A file written by `ses-event > FILE` ends with the newline print() added: not part of the message.
        return text[:-1] if text.endswith("\n") else text
    return value


def cmd_sign(args) -> None:
    key = load_key(args.key_override) if args.key_override else _key_from_args(args)
    mtype = TYPES.get(args.type.lower())
    if not mtype:
        die(f"unknown --type {args.type}")
    message = _read_text(args.message, args.message_file)
    if message is None:
        message = default_message(mtype, args.topic_arn)
    if args.compact_message:
        try:
            message = json.dumps(json.loads(message), separators=(",", ":"))
        except ValueError:
            die("--compact-message needs JSON in the message")
    attributes = None
    if args.attr:
        attributes = {}
        for a in args.attr:
            name, _, rest = a.partition("=")
            atype, _, value = rest.partition(":")
            attributes[name] = {"Type": atype or "String", "Value": value}
    msg = build_sns(mtype, message=message, topic_arn=args.topic_arn, cert_url=args.cert_url,
                    version=args.signature_version, message_id=args.message_id,
                    timestamp=args.timestamp, subject=args.subject, subscribe_url=args.subscribe_url,
                    token=args.token, unsubscribe_url=args.unsubscribe_url, attributes=attributes)
    if args.print_canonical:
        sys.stderr.write(string_to_sign(msg).decode("utf-8"))
    msg["Signature"] = sign_message(msg, key, args.signature_version)
    for what in args.tamper or []:
        tamper(msg, what)
    if args.bogus_signature_version is not None:
        msg["SignatureVersion"] = args.bogus_signature_version
    for kv in args.set or []:
        k, sep, v = kv.partition("=")
        if not sep:
            die(f"--set wants KEY=VALUE, got {kv!r}")
        msg[k] = v
    for k in args.drop or []:
        msg.pop(k, None)
    if args.pretty:
        print(json.dumps(msg, indent=2, ensure_ascii=False))
    else:
        print(json.dumps(msg, separators=(",", ":"), ensure_ascii=False))


# ---------------------------------------------------------------------------------------------
# SES events (aws-reference section 2)

KINDS = ("hard_bounce", "soft_bounce", "complaint", "delivery", "not_spam")


def ses_event(kind: str, recipients: list[str], *, fmt: str = "notification", ses_message_id: str | None = None,
              from_domain: str = "example.com", when: dt.datetime | None = None,
              account: str = "123456789012", region: str = "us-east-1",
              configuration_set: str = "sluice-bench") -> dict:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind}")
    if not recipients:
        raise ValueError("at least one recipient")
    when = when or dt.datetime.now(dt.timezone.utc)
    sent = when - dt.timedelta(seconds=2)
    sender = f"noreply@{from_domain}"
    mid = ses_message_id or f"0100{secrets.token_hex(6)}-{uuid.uuid4()}-000000"
    feedback = f"0100{secrets.token_hex(6)}-{uuid.uuid4()}-000000"
    subject = "Your receipt"
    mail: dict = {
        "timestamp": iso_ms(sent),
        "source": sender,
        "sourceArn": f"arn:aws:ses:{region}:{account}:identity/{from_domain}",
    }
    if fmt == "notification":
        mail["sourceIp"] = "192.0.2.10"
        mail["callerIdentity"] = "sluice-sender"
    mail.update({
        "sendingAccountId": account,
        "messageId": mid,
        "destination": list(recipients),
        "headersTruncated": False,
        "headers": [
            {"name": "From", "value": sender},
            {"name": "To", "value": ", ".join(recipients)},
            {"name": "Subject", "value": subject},
            {"name": "MIME-Version", "value": "1.0"},
            {"name": "Content-Type", "value": "text/plain; charset=UTF-8"},
        ],
        "commonHeaders": {"from": [sender], "to": list(recipients), "messageId": mid, "subject": subject},
    })
    if fmt == "event":
        mail["tags"] = {"ses:configuration-set": [configuration_set], "ses:source-ip": ["192.0.2.10"],
                        "ses:from-domain": [from_domain], "ses:caller-identity": ["sluice-sender"],
                        "ses:operation": ["SendEmail"]}
    key = "eventType" if fmt == "event" else "notificationType"
    ts = iso_ms(when)
    if kind in ("hard_bounce", "soft_bounce"):
        hard = kind == "hard_bounce"
        bounce = {
            "bounceType": "Permanent" if hard else "Transient",
            "bounceSubType": "General" if hard else "MailboxFull",
            "bouncedRecipients": [{
                "emailAddress": r, "action": "failed",
                "status": "5.1.1" if hard else "4.2.2",
                "diagnosticCode": ("smtp; 550 5.1.1 user unknown" if hard
                                   else "smtp; 452 4.2.2 mailbox full"),
            } for r in recipients],
            "timestamp": ts, "feedbackId": feedback, "reportingMTA": "dsn; a1-2.smtp-out.amazonses.com",
        }
        if fmt == "notification":
            bounce["remoteMtaIp"] = "198.51.100.7"
        return {key: "Bounce", "bounce": bounce, "mail": mail}
    if kind in ("complaint", "not_spam"):
        complaint = {
            "complainedRecipients": [{"emailAddress": r} for r in recipients],
            "timestamp": ts, "feedbackId": feedback,
            "userAgent": "ExampleISP Feedback Loop (V0.01)",
            "complaintFeedbackType": "abuse" if kind == "complaint" else "not-spam",
            "arrivalDate": iso_ms(sent),
        }
        return {key: "Complaint", "complaint": complaint, "mail": mail}
    delivery = {"timestamp": ts, "processingTimeMillis": 1234, "recipients": list(recipients),
                "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "a1-2.smtp-out.amazonses.com"}
    if fmt == "notification":
        delivery["remoteMtaIp"] = "198.51.100.7"
    return {key: "Delivery", "mail": mail, "delivery": delivery}


def cmd_ses_event(args) -> None:
    ev = ses_event(args.kind, args.to, fmt=args.format, ses_message_id=args.ses_message_id,
                   from_domain=args.from_domain)
    if args.pretty:
        print(json.dumps(ev, indent=2))
    else:
        print(json.dumps(ev, separators=(",", ":")))


# ---------------------------------------------------------------------------------------------
# Batch

def batch_kind(i: int) -> str:
    # Fixed 10-slot pattern: 60% delivery, 20% hard bounce, 10% soft bounce, 10% complaint.
    slot = i % 10
    if slot < 6:
        return "delivery"
    if slot < 8:
        return "hard_bounce"
    if slot < 9:
        return "soft_bounce"
    return "complaint"


_WORKER: dict = {}


def _batch_init(key_path: str, opts: dict) -> None:
    _WORKER["key"] = load_key(key_path)
    _WORKER["opts"] = opts


def _batch_chunk(span: tuple[int, int]) -> tuple[int, bytes]:
    start, end = span
    key = _WORKER["key"]
    o = _WORKER["opts"]
    rng = random.Random(f"{o['seed']}:{start}")
    base = dt.datetime.fromisoformat(o["base_time"])
    lines = []
    for i in range(start, end):
        kind = batch_kind(i)
        rcpt = f"user{i:07d}.{o['run']}@{o['domains'][i % len(o['domains'])]}"
        when = base + dt.timedelta(milliseconds=i)
        ev = ses_event(kind, [rcpt], fmt=(o["format"] if o["format"] != "mix" else
                                          ("event" if i % 2 else "notification")),
                       ses_message_id=f"0100{o['run']}{i:08x}-{uuid.UUID(int=rng.getrandbits(128), version=4)}-000000",
                       from_domain=o["from_domain"], when=when)
        msg = build_sns(NOTIFICATION, message=json.dumps(ev, separators=(",", ":")),
                        topic_arn=o["topic_arn"], cert_url=o["cert_url"], version=o["version"],
                        message_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        timestamp=iso_ms(when),
                        subject=("Amazon SES Email Event Notification" if o["subject"] else None),
                        unsubscribe_url=o["unsubscribe_url"])
        msg["Signature"] = sign_message(msg, key, o["version"])
        lines.append(json.dumps(msg, separators=(",", ":")))
    return start, ("\n".join(lines) + "\n").encode("utf-8")


def cmd_batch(args) -> None:
    key_path = args.key or (str(Path(args.pki) / "signing.key.pem") if args.pki else None)
    if not key_path:
        die("give --pki DIR or --key PEM")
    load_key(key_path)  # fail early and clearly
    if args.count < 1:
        die("--count must be >= 1")
    run = args.run_id or secrets.token_hex(3)
    region = region_of(args.topic_arn)
    opts = {
        "seed": args.seed if args.seed is not None else secrets.randbits(64), "run": run,
        "domains": args.domain or ["example.com", "example.net", "example.org"],
        "from_domain": args.from_domain, "format": args.format, "topic_arn": args.topic_arn,
        "cert_url": args.cert_url, "version": args.signature_version, "subject": args.subject,
        # Message i is base+i ms; by default the last one is "now", so none lies in the future.
        "base_time": (args.base_time or (dt.datetime.now(dt.timezone.utc)
                                         - dt.timedelta(milliseconds=args.count)).isoformat()),
        "unsubscribe_url": (f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe"
                            f"&SubscriptionArn={args.topic_arn}:{uuid.uuid4()}"),
    }
    chunk = 2000
    spans = [(s, min(s + chunk, args.count)) for s in range(0, args.count, chunk)]
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    t0 = time.monotonic()
    out_path = Path(args.out)
    tmp = out_path.with_name(out_path.name + ".tmp")
    with open(tmp, "wb") as f:
        if jobs == 1 or len(spans) == 1:
            _batch_init(key_path, opts)
            for span in spans:
                f.write(_batch_chunk(span)[1])
        else:
            with multiprocessing.get_context("fork").Pool(jobs, _batch_init, (key_path, opts)) as pool:
                # imap keeps chunk order, so line i is always message i.
                for _, data in pool.imap(_batch_chunk, spans):
                    f.write(data)
    os.replace(tmp, out_path)
    counts = {k: 0 for k in ("delivery", "hard_bounce", "soft_bounce", "complaint")}
    for i in range(args.count):
        counts[batch_kind(i)] += 1
    summary = {"out": str(out_path), "count": args.count, "kinds": counts,
               # One recipient per message: hard bounces + complaints are what a store suppresses.
               "expected_suppressions": counts["hard_bounce"] + counts["complaint"],
               "run_id": run, "signature_version": args.signature_version,
               "cert_url": args.cert_url, "topic_arn": args.topic_arn,
               "seconds": round(time.monotonic() - t0, 2), "bytes": out_path.stat().st_size}
    print(json.dumps(summary))


# ---------------------------------------------------------------------------------------------
# Verify

def _load_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        die(f"cannot load certificate {path}: {exc}")


def _iter_messages(path: Path):
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    try:
        # A single (possibly pretty-printed) JSON object ...
        yield 1, json.loads(stripped)
        return
    except ValueError:
        pass
    # ... or JSONL, one body per line.
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield n, json.loads(line)
            except ValueError as exc:
                yield n, {"__error__": f"bad JSON: {exc}"}


def cmd_verify(args) -> None:
    cert_arg = Path(args.cert)
    fixed = None if cert_arg.is_dir() else _load_cert(cert_arg)
    cache: dict[str, x509.Certificate] = {}
    ok = bad = 0
    for file in args.files:
        for line, msg in _iter_messages(Path(file)):
            where = f"{file}:{line}"
            if "__error__" in msg:
                good, why = False, msg["__error__"]
            else:
                cert = fixed
                if cert is None:
                    url = msg.get("SigningCertURL") or msg.get("SigningCertUrl") or ""
                    name = Path(urlparse(url).path).name
                    if name not in cache:
                        p = cert_arg / name
                        cache[name] = _load_cert(p) if p.is_file() else None
                    cert = cache[name]
                if cert is None:
                    good, why = False, "no certificate for SigningCertURL in --cert folder"
                else:
                    good, why = verify_message(msg, cert)
            if good:
                ok += 1
                if args.verbose:
                    print(f"OK   {where} {msg.get('Type')} v{msg.get('SignatureVersion')}")
            else:
                bad += 1
                if not args.quiet:
                    print(f"FAIL {where}: {why}")
    print(f"verified={ok} failed={bad}")
    if args.expect_fail:
        sys.exit(0 if ok == 0 and bad > 0 else 1)
    sys.exit(0 if bad == 0 and ok > 0 else 1)


# ---------------------------------------------------------------------------------------------
# Self-test

def cmd_selftest(args) -> None:
    """Round trip in a temp folder: PKI, every message type and version, each tamper, genuine fixtures."""
    import tempfile
    failures = []

    def check(name: str, cond: bool) -> None:
        print(f"{'ok  ' if cond else 'FAIL'} {name}")
        if not cond:
            failures.append(name)

    with tempfile.TemporaryDirectory() as tmp:
        cmd_pki_quiet = argparse.Namespace(out=tmp, tls_host=None, key_bits=2048, signing_key_bits=None)
        _stdout, sys.stdout = sys.stdout, open(os.devnull, "w")
        try:
            cmd_pki(cmd_pki_quiet)
        finally:
            sys.stdout.close()
            sys.stdout = _stdout
        key = load_key(Path(tmp) / "signing.key.pem")
        wrong = load_key(Path(tmp) / "wrong.key.pem")
        cert = _load_cert(Path(tmp) / "www" / CERT_NAMES["good"])
        ca = _load_cert(Path(tmp) / "ca.pem")
        check("good signing cert issued by the CA", cert.issuer == ca.subject)
        for mtype in (NOTIFICATION, SUB_CONFIRM, UNSUB_CONFIRM):
            for version in ("1", "2"):
                for subject in (None, "Hi\nthere"):
                    ev = json.dumps(ses_event("hard_bounce", ["a@example.com"]))
                    msg = build_sns(mtype, message=ev, topic_arn=DEFAULT_TOPIC, cert_url=DEFAULT_CERT_URL,
                                    version=version, subject=subject)
                    msg["Signature"] = sign_message(msg, key, version)
                    wire = json.loads(json.dumps(msg))
                    check(f"{mtype} v{version} subject={subject is not None} verifies",
                          verify_message(wire, cert)[0])
        targets = ["message", "subject", "topic", "timestamp", "message-id", "type", "signature"]
        for what in targets:
            msg = build_sns(NOTIFICATION, message="x", topic_arn=DEFAULT_TOPIC, cert_url=DEFAULT_CERT_URL,
                            version="2")
            msg["Signature"] = sign_message(msg, key, "2")
            tamper(msg, what)
            check(f"tamper {what} fails", not verify_message(msg, cert)[0])
        for what in ("token", "subscribe-url"):
            msg = build_sns(SUB_CONFIRM, message="x", topic_arn=DEFAULT_TOPIC, cert_url=DEFAULT_CERT_URL,
                            version="1")
            msg["Signature"] = sign_message(msg, key, "1")
            tamper(msg, what)
            check(f"tamper {what} (SC) fails", not verify_message(msg, cert)[0])
        msg = build_sns(NOTIFICATION, message="x", topic_arn=DEFAULT_TOPIC, cert_url=DEFAULT_CERT_URL, version="1")
        msg["Signature"] = sign_message(msg, wrong, "1")
        check("wrong key fails", not verify_message(msg, cert)[0])
        msg["Signature"] = sign_message(msg, key, "1")
        msg["SignatureVersion"] = "3"
        check("SignatureVersion 3 fails", not verify_message(msg, cert)[0])
    fixtures = Path(args.fixtures)
    if (fixtures / "genuine").is_dir():
        certs = fixtures / "certs"
        for f in sorted((fixtures / "genuine").glob("*.json")) + sorted((fixtures / "genuine-lambda-format").glob("*.json")):
            msg = json.loads(f.read_text(encoding="utf-8"))
            url = msg.get("SigningCertURL") or msg.get("SigningCertUrl") or ""
            check(f"genuine {f.name}", verify_message(msg, _load_cert(certs / Path(urlparse(url).path).name))[0])
        for f in sorted((fixtures / "negative").glob("*.json")):
            msg = json.loads(f.read_text(encoding="utf-8"))
            url = msg.get("SigningCertURL") or ""
            check(f"negative {f.name} fails",
                  not verify_message(msg, _load_cert(certs / Path(urlparse(url).path).name))[0])
    else:
        check(f"fixtures folder {fixtures}", False)
    print(f"selftest: {'FAILED ' + str(len(failures)) if failures else 'all passed'}")
    sys.exit(1 if failures else 0)


# ---------------------------------------------------------------------------------------------

def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="snsgen.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("pki", help="create test CA, TLS server cert, SNS signing certs")
    s.add_argument("--out", required=True, help="output folder (created)")
    s.add_argument("--tls-host", action="append", help="extra SAN for the TLS server cert (repeatable)")
    s.add_argument("--key-bits", type=int, default=2048, help="RSA key size (default 2048)")
    s.add_argument("--signing-key-bits", type=int,
                   help="RSA size of the SNS signing key only (default --key-bits; real SNS uses 2048; "
                        "1024 makes `batch` ~3x faster where 2048-bit signing is the bottleneck)")
    s.set_defaults(fn=cmd_pki)

    def add_key_opts(sp):
        sp.add_argument("--pki", help="folder made by `pki` (signs with signing.key.pem)")
        sp.add_argument("--key", help="PEM private key to sign with (overrides --pki)")
        sp.add_argument("--topic-arn", default=DEFAULT_TOPIC, help=f"default {DEFAULT_TOPIC}")
        sp.add_argument("--cert-url", default=DEFAULT_CERT_URL, help=f"SigningCertURL (default {DEFAULT_CERT_URL})")
        sp.add_argument("--signature-version", choices=["1", "2"], default="1",
                        help="1 = SHA1withRSA (topic default), 2 = SHA256withRSA")

    s = sub.add_parser("sign", help="print one signed SNS message")
    add_key_opts(s)
    s.add_argument("--type", default="Notification",
                   help="Notification | SubscriptionConfirmation | UnsubscribeConfirmation (or N/SC/UC)")
    s.add_argument("--message", help="Message string (default: a fixed text / the AWS SC/UC text)")
    s.add_argument("--message-file", help="read Message from this file ('-' = stdin)")
    s.add_argument("--compact-message", action="store_true", help="re-serialise a JSON Message compactly")
    s.add_argument("--message-id", help="MessageId (default uuid4)")
    s.add_argument("--timestamp", help="Timestamp, e.g. 2026-01-02T03:04:05.678Z (default now)")
    s.add_argument("--subject", help="Subject (Notification only; omitted by default)")
    s.add_argument("--subscribe-url", help="SubscribeURL for SC/UC (default https://sns.<region>.amazonaws.com/?Action=ConfirmSubscription...)")
    s.add_argument("--token", help="Token for SC/UC (default random)")
    s.add_argument("--unsubscribe-url", help="UnsubscribeURL for Notification")
    s.add_argument("--attr", action="append", help="MessageAttributes entry NAME=TYPE:VALUE (unsigned; repeatable)")
    s.add_argument("--tamper", action="append",
                   choices=["message", "subject", "topic", "timestamp", "message-id", "type", "token",
                            "subscribe-url", "signature"],
                   help="change this field AFTER signing (repeatable)")
    s.add_argument("--bogus-signature-version", help="set SignatureVersion to this value after signing")
    s.add_argument("--key-override", help="sign with this key instead (e.g. PKI/wrong.key.pem)")
    s.add_argument("--set", action="append", help="set KEY=VALUE after signing (repeatable)")
    s.add_argument("--drop", action="append", help="remove KEY after signing (repeatable)")
    s.add_argument("--pretty", action="store_true", help="indented JSON (default: one line)")
    s.add_argument("--print-canonical", action="store_true", help="write the string to sign to stderr")
    s.set_defaults(fn=cmd_sign)

    s = sub.add_parser("ses-event", help="print an SES event JSON (for Message)")
    s.add_argument("--kind", required=True, choices=KINDS)
    s.add_argument("--to", action="append", required=True, help="recipient (repeatable)")
    s.add_argument("--format", choices=["notification", "event"], default="notification",
                   help="notification = identity feedback (notificationType); event = event publishing (eventType)")
    s.add_argument("--ses-message-id", help="mail.messageId (default random SES-shaped id)")
    s.add_argument("--from-domain", default="example.com")
    s.add_argument("--pretty", action="store_true")
    s.set_defaults(fn=cmd_ses_event)

    s = sub.add_parser("batch", help="write N distinct signed Notification bodies (JSONL)")
    add_key_opts(s)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--out", required=True, help="JSONL output file (one body per line)")
    s.add_argument("--format", choices=["notification", "event", "mix"], default="notification")
    s.add_argument("--domain", action="append", help="recipient domain(s) (default example.com/.net/.org)")
    s.add_argument("--from-domain", default="example.com")
    s.add_argument("--subject", action="store_true", help="include Subject in every message")
    s.add_argument("--seed", type=int, help="seed for MessageIds (default random)")
    s.add_argument("--run-id", help="tag put into recipients/SES ids (default random hex)")
    s.add_argument("--base-time", help="ISO time of message 0 (default now - count ms); message i is +i ms")
    s.add_argument("--jobs", type=int, help="worker processes (default CPU count)")
    s.set_defaults(fn=cmd_batch)

    s = sub.add_parser("verify", help="verify SNS signatures in JSON / JSONL files")
    s.add_argument("files", nargs="+")
    s.add_argument("--cert", required=True,
                   help="PEM cert, or folder of PEMs picked by the SigningCertURL file name")
    s.add_argument("--expect-fail", action="store_true", help="exit 0 only if every message fails")
    s.add_argument("--verbose", "-v", action="store_true")
    s.add_argument("--quiet", "-q", action="store_true")
    s.set_defaults(fn=cmd_verify)

    s = sub.add_parser("selftest", help="round-trip check of this script (+ genuine AWS fixtures)")
    s.add_argument("--fixtures", default=str(Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "sns"),
                   help="Tests/Fixtures/sns folder (default: next to this script)")
    s.set_defaults(fn=cmd_selftest)

    args = p.parse_args(argv)
    args.fn(args)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A client with a tiny receive buffer that logs in over direct TLS, sends its initial presence and
then reads nothing: what the server writes piles up in the server. Prints "ready" once the presence
is sent. On the line "drain" from stdin it reads again until the server's side ends (or the timeout);
on "abort" it resets the connection (RST) without reading. Either way it prints JSON with the ids of
the complete <message/> stanzas it received.

usage: slow_reader.py PORT USER PASSWORD DOMAIN RCVBUF TIMEOUT_S
"""
import base64
import json
import re
import socket
import ssl
import struct
import sys
import time

port, user, password, domain, rcvbuf, timeout = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
STREAM = ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
          f"to='{domain}' version='1.0'>")

raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# Set before connecting, so the window the server sees is small from the first segment on.
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
raw.connect(("127.0.0.1", int(port)))
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
tls = ctx.wrap_socket(raw, server_hostname=domain)
tls.settimeout(10)

data = b""


def until(pattern, what):
    global data
    while not re.search(pattern, data):
        chunk = tls.recv(65536)
        if not chunk:
            raise SystemExit(f"connection ended before {what}: {data[-500:]!r}")
        data += chunk


tls.sendall(STREAM.encode())
until(rb"</stream:features>", "features")
auth = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
tls.sendall(f"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{auth}</auth>".encode())
until(rb"<success", "SASL success")
data = b""
tls.sendall(STREAM.encode())
until(rb"</stream:features>", "features after SASL")
tls.sendall(b"<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>slow</resource></bind></iq>")
until(rb"</iq>", "bind result")
tls.sendall(b"<presence/>")
print("ready", flush=True)

command = sys.stdin.readline().strip()
if command == "abort":
    # Linger 0: close() sends RST, and what is queued on either side is dropped.
    tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    tls.close()
deadline = time.monotonic() + (timeout if command == "drain" else 0)
while time.monotonic() < deadline:
    try:
        chunk = tls.recv(65536)
    except (socket.timeout, ssl.SSLError, OSError):
        break
    if not chunk:
        break
    data += chunk
if command == "drain":
    tls.close()
text = data.decode("utf-8", "replace")
ids = re.findall(r"<message\b[^>]*?\bid=['\"]([^'\"]+)['\"][^>]*>.*?</message>", text, re.S)
print(json.dumps({"ids": ids, "bytes": len(data)}), flush=True)

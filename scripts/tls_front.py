"""A TLS terminator in front of moto, and the test CA behind its certificate.

moto serves plain HTTP on loopback, so a function's first request there never pays the TLS
handshake every request to DynamoDB pays on AWS, and never tests whom the function trusts. This
accepts TLS on loopback ports, with a certificate for localhost (and 127.0.0.1) that a test CA
made here signed, and relays each request, decrypted, to moto's port: the function's HTTPS client
does what it does on Lambda — verify the chain against its trust store, agree keys — and moto
answers as before.

It keeps the client's connection open from one request to the next, as AWS's endpoints do.
moto's server closes its connection after every answer (werkzeug's development server has no
keep-alive), so relaying bytes as they come would make every request a function sends pay a new
connection and handshake, which on AWS only its first request to each endpoint pays. So the relay
reads one request at a time, sends it to moto on a connection of its own and passes the answer
back with its length and without moto's "Connection: close". Each port stands for one endpoint:
`serve` takes several, so DynamoDB and SES can be two hosts as on AWS.

The relay is the standard library's ssl and asyncio; the certificates are made with
`cryptography`, which moto already needs.

Usage: python tls_front.py certs DIR                 writes DIR/ca.pem, server.pem, server.key
       python tls_front.py serve HOST PORT[,PORT...] UPSTREAM_PORT CERT KEY
"""

import asyncio
import datetime
import ipaddress
import pathlib
import ssl
import sys


def make_certs(folder: pathlib.Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    # RSA 2048, as AWS's endpoints use (Amazon RSA 2048 intermediates); valid two days.
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Roster test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def header(head: bytes, name: bytes) -> bytes | None:
    """The value of header `name` (lower case) in an HTTP message head, if present."""
    for line in head.split(b"\r\n")[1:]:
        field, _, value = line.partition(b":")
        if field.strip().lower() == name:
            return value.strip()
    return None


def dechunked(body: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += body[:size]
        body = body[size + 2 :]


def kept_alive(response: bytes) -> bytes:
    """moto's answer with its body's length and no "Connection: close": an answer after which
    the client may send its next request on the same connection."""
    head, _, body = response.partition(b"\r\n\r\n")
    if (header(head, b"transfer-encoding") or b"").lower() == b"chunked":
        body = dechunked(body)
    status, *fields = head.split(b"\r\n")
    dropped = (b"connection", b"transfer-encoding", b"content-length")
    fields = [f for f in fields if f.partition(b":")[0].strip().lower() not in dropped]
    fields.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join([status, *fields]) + b"\r\n\r\n" + body


async def exchange(upstream: int, request: bytes) -> bytes:
    """Sends one request to moto on a connection of its own and reads the answer: by its length
    when it gives one (waiting for moto to close would add its teardown to every request), else
    until moto closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", upstream)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = header(head, b"content-length")
        body = await (reader.readexactly(int(length)) if length is not None else reader.read())
        return head + body
    finally:
        writer.close()


async def relay(client_reader, client_writer, upstream: int) -> None:
    try:
        while True:
            try:
                head = await client_reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the client closed its connection between requests
            if header(head, b"transfer-encoding") is not None:
                print("a chunked request; the relay reads Content-Length only", file=sys.stderr)
                return
            body = await client_reader.readexactly(int(header(head, b"content-length") or 0))
            answer = await exchange(upstream, head + body)
            client_writer.write(kept_alive(answer))
            await client_writer.drain()
            if (header(head, b"connection") or b"").lower() == b"close":
                return
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        client_writer.close()


async def serve(host: str, ports: list[int], upstream: int, cert: str, key: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    # moto speaks HTTP/1.1 only; offering it is what an ALPN-aware client expects to see.
    context.set_alpn_protocols(["http/1.1"])

    async def accept(client_reader, client_writer):
        await relay(client_reader, client_writer, upstream)

    servers = [await asyncio.start_server(accept, host, port, ssl=context) for port in ports]
    await asyncio.gather(*(server.serve_forever() for server in servers))


def main() -> None:
    match sys.argv[1:]:
        case ["certs", folder]:
            make_certs(pathlib.Path(folder))
        case ["serve", host, ports, upstream, cert, key]:
            asyncio.run(serve(host, [int(p) for p in ports.split(",")], int(upstream), cert, key))
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main()

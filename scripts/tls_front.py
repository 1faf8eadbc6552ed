"""A TLS terminator in front of moto, and the test CA behind its certificate.

moto serves plain HTTP on loopback, so a function's first request there never pays the TLS
handshake every request to DynamoDB pays on AWS, and never tests whom the function trusts. This
accepts TLS on one loopback port, with a certificate for localhost that a test CA made here
signed, and relays the bytes, decrypted, to moto's port: the function's HTTPS client does what it
does on Lambda — verify the chain against its trust store, agree keys — and moto answers as
before. The relay is the standard library's ssl and asyncio; the certificates are made with
`cryptography`, which moto already needs.

Usage: python tls_front.py certs DIR                 writes DIR/ca.pem, server.pem, server.key
       python tls_front.py serve HOST PORT UPSTREAM_PORT CERT KEY
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


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def serve(host: str, port: int, upstream: int, cert: str, key: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    # moto speaks HTTP/1.1 only; offering it is what an ALPN-aware client expects to see.
    context.set_alpn_protocols(["http/1.1"])

    async def relay(client_reader, client_writer):
        try:
            moto_reader, moto_writer = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, moto_writer), pipe(moto_reader, client_writer))

    server = await asyncio.start_server(relay, host, port, ssl=context)
    async with server:
        await server.serve_forever()


def main() -> None:
    match sys.argv[1:]:
        case ["certs", folder]:
            make_certs(pathlib.Path(folder))
        case ["serve", host, port, upstream, cert, key]:
            asyncio.run(serve(host, int(port), int(upstream), cert, key))
        case _:
            sys.exit(__doc__)


if __name__ == "__main__":
    main()

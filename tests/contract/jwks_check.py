"""Roster's session tokens, verified by a JWT library nobody here wrote: PyJWT fetches the keys
from /.well-known/openid-configuration's jwks_uri, picks the token's key by its kid, and checks
the ES256 signature, the audience and the expiry. Run by tests/blackbox/sign_in.rs with the base
URL of a `roster serve` (argv[1]) and a token it issued (argv[2]); the last line of standard
output is the token's verified claims as JSON.
"""

import json
import sys
import urllib.request

import jwt

base, token = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(f"{base}/.well-known/openid-configuration") as answer:
    configuration = json.load(answer)
assert configuration["jwks_uri"].endswith("/.well-known/jwks.json"), configuration
assert "ES256" in configuration["id_token_signing_alg_values_supported"], configuration
# The keys come from the server this test reached (the issuer names the address links use).
keys = jwt.PyJWKClient(f"{base}/.well-known/jwks.json")
key = keys.get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["ES256"], audience="roster",
                    options={"require": ["exp", "iat", "sub", "aud", "iss"]})
assert claims["iss"] == configuration["issuer"], (claims, configuration)
print(json.dumps({"claims": claims, "kid": key.key_id}))

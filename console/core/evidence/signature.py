"""How a manifest is signed, and how a signature is checked.

The signature lives inside the manifest, as its `signature` field: base64 of the Ed25519
signature over the RFC 8785 canonical form of the manifest without that one field. One
file travels with the video instead of two, and the `signed_by` field (algorithm, key id,
canonicalization) is itself signed, so it cannot be swapped. Anyone can check it without
Veil: drop `signature`, canonicalize with any JCS library, verify with any Ed25519 tool.

The file on disk is the manifest as `manifest_bytes` writes it (indented, ASCII). The
verifier also insists on those exact bytes, so a manifest re-formatted after export is
reported even though its signed content is intact: evidence is handed over byte for byte,
and the audit holds the file's SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import json

from console.core.evidence.canonical import canonical_json
from console.core.evidence.keys import ALGORITHM, ExportKey, PublicKey

SIGNATURE = "signature"
SIGNED_BY = "signed_by"
CANONICALIZATION = "RFC 8785"


def signed_content(manifest: dict[str, object]) -> bytes:
    """The bytes the signature covers: the canonical manifest without its signature."""
    return canonical_json({key: value for key, value in manifest.items() if key != SIGNATURE})


def sign_manifest(manifest: dict[str, object], key: ExportKey) -> dict[str, object]:
    """`manifest` with `signed_by` and, over both, `signature`."""
    body = {
        **manifest,
        SIGNED_BY: {
            "algorithm": ALGORITHM,
            "key_id": key.public.key_id,
            "canonicalization": CANONICALIZATION,
        },
    }
    signature = base64.b64encode(key.sign(signed_content(body))).decode("ascii")
    return {**body, SIGNATURE: signature}


def manifest_bytes(manifest: dict[str, object]) -> bytes:
    """The manifest file as Veil writes it."""
    return (json.dumps(manifest, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def signature_valid(manifest: dict[str, object], key: PublicKey) -> bool:
    """Whether `manifest` carries a signature by `key` over everything else in it."""
    value = manifest.get(SIGNATURE)
    if not isinstance(value, str):
        return False
    try:
        signature = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return key.verifies(signature, signed_content(manifest))

"""Keys and cryptography: Argon2id, key rings, vault keys, sealed values, recovery, audit signing.

The only layer that imports ``cryptography`` and ``keyring``.
"""

import SluiceCore

/// OpenSSL backs SigV4's hashing in production.
extension OpenSSLHashing: SigV4Hashing {}

import COpenSSL

/// A server `SSL_CTX` from a PEM certificate chain and private key (TLS 1.2 minimum).
// Invariant for @unchecked Sendable: configured in init, never mutated afterwards.
public final class TLSServerContext: @unchecked Sendable {
    let context: OpaquePointer

    /// - Parameters:
    ///   - certificatePEMFile: leaf certificate first, then intermediates.
    ///   - keyPEMFile: the leaf's unencrypted private key.
    public init(certificatePEMFile: String, keyPEMFile: String) throws(CryptoError) {
        IgnoreSIGPIPE.once()
        let context = try OpenSSLError.check(SSL_CTX_new(TLS_server_method()), .tlsConfiguration, "SSL_CTX_new failed")
        self.context = context
        guard COpenSSL_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw OpenSSLError.make(.tlsConfiguration, "cannot require TLS 1.2")
        }
        COpenSSL_SSL_CTX_set_default_options(context, 0)
        COpenSSL_SSL_CTX_set_partial_write_modes(context)
        try OpenSSLError.check(
            SSL_CTX_use_certificate_chain_file(context, certificatePEMFile), .tlsConfiguration,
            "cannot load certificate chain \(certificatePEMFile)")
        try OpenSSLError.check(
            SSL_CTX_use_PrivateKey_file(context, keyPEMFile, SSL_FILETYPE_PEM), .tlsConfiguration,
            "cannot load private key \(keyPEMFile)")
        try OpenSSLError.check(SSL_CTX_check_private_key(context), .tlsConfiguration, "private key does not match certificate")
    }

    deinit { SSL_CTX_free(context) }
}

import COpenSSL

/// A server `SSL_CTX` from a PEM certificate chain and private key (TLS 1.2 minimum).
// Invariant for @unchecked Sendable: configured in init, never mutated afterwards; OpenSSL locks the
// context's reference count and session cache for concurrent SSL_new.
public final class TLSServerContext: @unchecked Sendable {
    let context: OpaquePointer
    /// The leaf certificate it serves (for its names and expiry).
    public let leaf: X509Certificate

    /// - Parameters:
    ///   - certificatePEMFile: leaf certificate first, then intermediates.
    ///   - keyPEMFile: the leaf's unencrypted private key.
    public init(certificatePEMFile: String, keyPEMFile: String) throws(CryptoError) {
        IgnoreSIGPIPE.once()
        let context = try OpenSSLError.check(SSL_CTX_new(TLS_server_method()), .tlsConfiguration, "SSL_CTX_new failed")
        // Freed here until init completes: a throwing init never runs deinit.
        var owned = true
        defer { if owned { SSL_CTX_free(context) } }
        guard COpenSSL_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw OpenSSLError.make(.tlsConfiguration, "cannot require TLS 1.2")
        }
        COpenSSL_SSL_CTX_set_default_options(context, 0)
        COpenSSL_SSL_CTX_set_partial_write_modes(context)
        COpenSSL_SSL_CTX_set_server_modes(context)
        COpenSSL_SSL_CTX_refuse_pass_phrase(context)
        try OpenSSLError.check(
            SSL_CTX_use_certificate_chain_file(context, certificatePEMFile), .tlsConfiguration,
            "cannot load certificate chain \(certificatePEMFile)")
        do {
            try OpenSSLError.check(
                SSL_CTX_use_PrivateKey_file(context, keyPEMFile, SSL_FILETYPE_PEM), .tlsConfiguration,
                "cannot load private key \(keyPEMFile)")
        } catch let error where error.openSSLErrors.contains(where: { $0.contains("bad password read") }) {
            throw CryptoError(
                .tlsConfiguration, "cannot load private key \(keyPEMFile): it is encrypted; give the key without a pass phrase",
                openSSLErrors: error.openSSLErrors)
        }
        try OpenSSLError.check(SSL_CTX_check_private_key(context), .tlsConfiguration, "private key does not match certificate")
        let x509 = try OpenSSLError.check(SSL_CTX_get0_certificate(context), .tlsConfiguration, "no certificate loaded")
        // get0 borrows: take a reference of our own for the wrapper.
        X509_up_ref(x509)
        leaf = X509Certificate(taking: x509)
        self.context = context
        owned = false
    }

    deinit { SSL_CTX_free(context) }
}

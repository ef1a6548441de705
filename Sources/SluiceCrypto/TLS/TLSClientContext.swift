import COpenSSL

/// A client `SSL_CTX`: TLS 1.2 minimum, peer verification on (unless a liveness probe turns it off),
/// system store plus an optional extra CA file.
// Invariant for @unchecked Sendable: the SSL_CTX is fully configured in init and never mutated
// afterwards; OpenSSL locks the context's reference count and session cache for concurrent SSL_new.
public final class TLSClientContext: @unchecked Sendable {
    let context: OpaquePointer
    public let configuration: TLSClientConfiguration

    public init(configuration: TLSClientConfiguration = TLSClientConfiguration()) throws(CryptoError) {
        IgnoreSIGPIPE.once()
        let context = try OpenSSLError.check(SSL_CTX_new(TLS_client_method()), .tlsConfiguration, "SSL_CTX_new failed")
        self.context = context
        self.configuration = configuration
        guard COpenSSL_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw OpenSSLError.make(.tlsConfiguration, "cannot require TLS 1.2")
        }
        COpenSSL_SSL_CTX_set_default_options(context, 0)
        COpenSSL_SSL_CTX_set_partial_write_modes(context)
        SSL_CTX_set_verify(context, configuration.verifiesPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        if configuration.trustSystemStore {
            try OpenSSLError.check(SSL_CTX_set_default_verify_paths(context), .tlsConfiguration, "cannot load the system trust store")
        }
        if let file = configuration.extraCAFile {
            try OpenSSLError.check(
                SSL_CTX_load_verify_locations(context, file, nil), .tlsConfiguration, "cannot load CA file \(file)")
        }
    }

    deinit { SSL_CTX_free(context) }
}

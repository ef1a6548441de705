import COpenSSL
import Foundation
import Synchronization

/// A parsed X.509 certificate (owns an OpenSSL `X509`).
// Invariant for @unchecked Sendable: the certificate is immutable after init; OpenSSL 3 locks the
// X509's lazily-filled extension cache, so concurrent reads are safe.
public final class X509Certificate: @unchecked Sendable {
    let certificate: OpaquePointer
    /// Verification contexts for the subject key, made on first `verify` (nil inside: not an RSA key).
    private let verifiers = Mutex<RSAVerifierPool??>(nil)

    /// Parses the first PEM `CERTIFICATE` block in `pem`.
    public convenience init(pem: some Collection<UInt8>) throws(CryptoError) {
        let parsed = withBytes(pem) { (raw) -> OpaquePointer? in
            guard raw.count <= Int(Int32.max), let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        self.init(taking: try OpenSSLError.check(parsed, .invalidCertificate, "not a PEM certificate"))
    }

    /// Parses the first PEM `CERTIFICATE` block in `pem`.
    public convenience init(pem: String) throws(CryptoError) { try self.init(pem: Array(pem.utf8)) }

    /// Parses one DER-encoded certificate; trailing bytes are rejected.
    public convenience init(der: some Collection<UInt8>) throws(CryptoError) {
        let parsed = withBytes(der) { (raw) -> OpaquePointer? in
            guard let start = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var cursor: UnsafePointer<UInt8>? = start
            guard let x509 = d2i_X509(nil, &cursor, raw.count) else { return nil }
            guard let end = cursor, end - start == raw.count else { X509_free(x509); return nil }
            return x509
        }
        self.init(taking: try OpenSSLError.check(parsed, .invalidCertificate, "not a DER certificate"))
    }

    /// Takes ownership of `certificate` (one reference).
    init(taking certificate: OpaquePointer) {
        self.certificate = certificate
        // Read once: the SNS endpoint checks both against every message's Timestamp, and converting
        // the ASN.1 times cost ~1 µs a message.
        notBefore = Self.date(X509_get0_notBefore(certificate)) ?? .distantFuture
        notAfter = Self.date(X509_get0_notAfter(certificate)) ?? .distantPast
    }

    deinit { X509_free(certificate) }

    /// The subject's common name (first CN), if any.
    public var subjectCommonName: String? {
        guard let name = X509_get_subject_name(certificate) else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else {
            return nil
        }
        var utf8: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length >= 0, let utf8 else { return nil }
        defer { COpenSSL_free(utf8) }
        return String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
    }

    /// The DNS names in the subjectAltName extension, in order.
    public var subjectAlternativeDNSNames: [String] {
        guard let names = COpenSSL_X509_get_san(certificate) else { return [] }
        defer { GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<COpenSSL_GENERAL_NAMES_count(names) {
            var bytes: UnsafePointer<UInt8>?
            let length = COpenSSL_GENERAL_NAMES_dns_at(names, index, &bytes)
            guard length >= 0, let bytes else { continue }
            result.append(String(decoding: UnsafeBufferPointer(start: bytes, count: Int(length)), as: UTF8.self))
        }
        return result
    }

    /// Start of the validity period (`distantFuture` when unreadable, so nothing falls inside).
    public let notBefore: Date

    /// End of the validity period (`distantPast` when unreadable).
    public let notAfter: Date

    /// True when `date` lies within [notBefore, notAfter].
    public func isValid(at date: Date) -> Bool { notBefore <= date && date <= notAfter }

    /// RFC 6125 host-name match against SAN DNS names (CN only when there are none), or IP SANs
    /// for an IP literal. Wildcards only as the whole left-most label.
    public func matches(hostname: String) -> Bool {
        guard !hostname.isEmpty, !hostname.utf8.contains(0) else { return false }
        let status: Int32
        if hostname.utf8.contains(UInt8(ascii: ":")) || hostname.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }) {
            status = X509_check_ip_asc(certificate, hostname, 0)
        } else {
            status = X509_check_host(certificate, hostname, hostname.utf8.count, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS), nil)
        }
        ERR_clear_error()
        return status == 1
    }

    /// The subject public key.
    public var publicKey: PublicKey {
        get throws(CryptoError) {
            PublicKey(taking: try OpenSSLError.check(X509_get_pubkey(certificate), .invalidKey, "certificate has no usable public key"))
        }
    }

    /// Checks `signature` over `data` with this certificate's public key. Validity dates are NOT checked.
    /// Contexts are kept per certificate and reused (see `RSAVerifierPool`); only RSA keys verify.
    public func verify(signature: some Collection<UInt8>, data: some Collection<UInt8>, algorithm: SignatureAlgorithm) -> Bool {
        guard let pool = rsaVerifiers else { return false }
        return pool.verify(signature: signature, data: data, algorithm: algorithm)
    }

    private var rsaVerifiers: RSAVerifierPool? {
        verifiers.withLock { cached in
            if let known = cached { return known }
            let pool = X509_get_pubkey(certificate).flatMap { RSAVerifierPool(taking: $0) }
            ERR_clear_error()
            cached = .some(pool)
            return pool
        }
    }

    /// The certificate re-encoded as DER.
    public var derBytes: [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(certificate, &buffer)
        guard length > 0, let buffer else { return [] }
        defer { COpenSSL_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

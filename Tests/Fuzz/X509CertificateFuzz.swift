// libFuzzer entry for `x509-certificate`: a signing certificate as a host might serve it (PEM, else DER),
// through SluiceCrypto's OpenSSL wrappers: subject names, dates, host-name match, the public key and a
// signature check with it. Scripts/fuzz links it against instrumented builds of SluiceCrypto (its C shim
// included) and SluiceCore; OpenSSL is the system's.
@testable import SluiceCrypto

/// The input is the certificate; its last 256 bytes double as a signature over the rest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let certificate = (try? X509Certificate(pem: bytes)) ?? (try? X509Certificate(der: bytes)) else { return 0 }
    _ = certificate.subjectCommonName
    _ = certificate.subjectAlternativeDNSNames
    precondition(certificate.isValid(at: certificate.notBefore) == (certificate.notBefore <= certificate.notAfter))
    _ = certificate.matches(hostname: "sns.amazonaws.com")
    _ = certificate.matches(hostname: "")
    // Its own DER parses again, to the same bytes.
    let der = certificate.derBytes
    if let again = try? X509Certificate(der: der) {
        precondition(again.derBytes == der, "DER did not round-trip")
    }
    let signature = Array(bytes.suffix(256)), signed = Array(bytes.dropLast(min(256, bytes.count)))
    for algorithm in [SignatureAlgorithm.rsaSHA1, .rsaSHA256] {
        _ = certificate.verify(signature: signature, data: signed, algorithm: algorithm)
    }
    if let key = try? certificate.publicKey {
        _ = key.isRSA
        _ = key.bits
        _ = key.verify(signature: signature, data: signed, algorithm: .rsaSHA256)
    }
    return 0
}

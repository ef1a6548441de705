import SluiceCore
import SluiceCrypto

/// Turns fetched bytes into a trusted signing certificate, or says why not. No I/O.
enum SigningCertificateCheck {
    /// Parses a body that must be exactly one PEM `CERTIFICATE` block (surrounding whitespace allowed).
    /// - Throws: `.certificateFetchFailed` (transient: a broken response may be fixed by retrying).
    static func parse(_ body: [UInt8]) throws(SNSVerificationError) -> X509Certificate {
        guard isSinglePEMCertificate(body) else {
            throw SNSVerificationError(.certificateFetchFailed, "response is not a single PEM certificate")
        }
        do {
            return try X509Certificate(pem: body)
        } catch {
            throw SNSVerificationError(.certificateFetchFailed, "response is not an X.509 certificate", underlying: error)
        }
    }

    /// Checks the key (RSA, large enough) and that the certificate names an accepted SNS identity.
    static func check(
        _ certificate: X509Certificate, topicArn: String, configuration: SigningCertificateProviderConfiguration
    ) throws(SNSVerificationError) {
        guard let key = try? certificate.publicKey, key.isRSA else {
            throw SNSVerificationError(.certificateInvalid, "certificate key is not RSA")
        }
        guard key.bits >= configuration.minimumRSAKeyBits else {
            throw SNSVerificationError(
                .certificateInvalid, "certificate RSA key has \(key.bits) bits (minimum \(configuration.minimumRSAKeyBits))")
        }
        let accepted = acceptedNames(configuration.acceptedNames, topicArn: topicArn)
        let names = [certificate.subjectCommonName].compactMap { $0 } + certificate.subjectAlternativeDNSNames
        guard names.contains(where: { accepted.contains(asciiLowercased($0)) }) else {
            let shown = names.prefix(4).map { SNSMessageError.quote($0, limit: 64) }.joined(separator: ", ")
            throw SNSVerificationError(.certificateNameMismatch, "certificate names [\(shown)], none is an accepted SNS signer")
        }
    }

    /// `names` lowercased, with `{region}` filled from the topic ARN (dropped when the ARN has no region).
    static func acceptedNames(_ names: [String], topicArn: String) -> Set<String> {
        let region = SNSTopicARN(topicArn)?.region
        var result = Set<String>()
        for name in names {
            if name.contains("{region}") {
                guard let region else { continue }
                result.insert(asciiLowercased(name.replacingOccurrences(of: "{region}", with: region)))
            } else {
                result.insert(asciiLowercased(name))
            }
        }
        return result
    }

    /// Exactly one `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----` block of base64 text.
    static func isSinglePEMCertificate(_ body: [UInt8]) -> Bool {
        let begin = Array("-----BEGIN CERTIFICATE-----".utf8), end = Array("-----END CERTIFICATE-----".utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = body.firstIndex(where: { !isSpace($0) }), let last = body.lastIndex(where: { !isSpace($0) })
        else { return false }
        let trimmed = body[first...last]
        guard trimmed.starts(with: begin), trimmed.reversed().starts(with: end.reversed()),
            trimmed.count > begin.count + end.count
        else { return false }
        let inner = trimmed.dropFirst(begin.count).dropLast(end.count)
        return !inner.isEmpty && inner.allSatisfy { c in
            isSpace(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=")
        }
    }

    static func asciiLowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}

import Foundation

/// Parses credential responses: container/IMDS JSON and STS `AssumeRole*` XML.
public enum CredentialPayload {
    /// Container (`AWS_CONTAINER_CREDENTIALS_*`) and IMDS role JSON:
    /// `{"AccessKeyId","SecretAccessKey","Token","Expiration"[,"Code"]}`.
    public static func parseJSON(_ body: [UInt8]) throws(CredentialsError) -> AWSCredentials {
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw CredentialsError(.malformed, "credential response is not a JSON object")
            }
            object = o
        } catch let error as CredentialsError {
            throw error
        } catch {
            throw CredentialsError(.malformed, "credential response is not JSON")
        }
        // IMDS adds "Code": "Success"; anything else is a provider-side failure.
        if let code = object["Code"] as? String, code != "Success" {
            throw CredentialsError(.serviceError, "credential provider answered Code \(sanitize(code))", serviceCode: code)
        }
        func string(_ key: String) -> String? {
            guard let s = object[key] as? String, !s.isEmpty else { return nil }
            return s
        }
        guard let keyId = string("AccessKeyId") else { throw CredentialsError(.missingField, "AccessKeyId is missing") }
        guard let secret = string("SecretAccessKey") else {
            throw CredentialsError(.missingField, "SecretAccessKey is missing")
        }
        var expiration: Date?
        if let text = string("Expiration") {
            guard let date = AWSTimestamp.parseISO8601(text) else {
                throw CredentialsError(.malformed, "Expiration is not an ISO 8601 time")
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyId: keyId, secretAccessKey: secret, sessionToken: string("Token") ?? string("SessionToken"),
            expiration: expiration)
    }

    /// STS `AssumeRoleWithWebIdentity` (or `AssumeRole`) XML: `.../Credentials/{AccessKeyId,
    /// SecretAccessKey,SessionToken,Expiration}`; an `ErrorResponse` becomes `.serviceError`.
    public static func parseSTSXML(_ body: [UInt8]) throws(CredentialsError) -> AWSCredentials {
        let xml = String(decoding: body, as: UTF8.self)
        if let error = CredentialXMLTags.firstElement("Error", in: xml) {
            let code = CredentialXMLTags.firstElement("Code", in: error).map(CredentialXMLTags.unescape) ?? "Unknown"
            throw CredentialsError(.serviceError, "STS answered \(sanitize(code))", serviceCode: code)
        }
        guard let block = CredentialXMLTags.firstElement("Credentials", in: xml) else {
            throw CredentialsError(.malformed, "STS response has no Credentials element")
        }
        func member(_ name: String) throws(CredentialsError) -> String {
            guard let raw = CredentialXMLTags.firstElement(name, in: block) else {
                throw CredentialsError(.missingField, "STS Credentials lack \(name)")
            }
            let value = CredentialXMLTags.unescape(raw).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw CredentialsError(.missingField, "STS Credentials have an empty \(name)") }
            return value
        }
        let expirationText = try member("Expiration")
        guard let expiration = AWSTimestamp.parseISO8601(expirationText) else {
            throw CredentialsError(.malformed, "STS Expiration is not an ISO 8601 time")
        }
        return AWSCredentials(
            accessKeyId: try member("AccessKeyId"), secretAccessKey: try member("SecretAccessKey"),
            sessionToken: try member("SessionToken"), expiration: expiration)
    }

    /// Printable ASCII, at most 64 characters: provider codes go into messages.
    static func sanitize(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.prefix(64).filter { $0.value >= 0x20 && $0.value < 0x7F }))
    }
}

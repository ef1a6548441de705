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
        if let error = XMLTags.firstElement("Error", in: xml) {
            let code = XMLTags.firstElement("Code", in: error).map(XMLTags.unescape) ?? "Unknown"
            throw CredentialsError(.serviceError, "STS answered \(sanitize(code))", serviceCode: code)
        }
        guard let block = XMLTags.firstElement("Credentials", in: xml) else {
            throw CredentialsError(.malformed, "STS response has no Credentials element")
        }
        func member(_ name: String) throws(CredentialsError) -> String {
            guard let raw = XMLTags.firstElement(name, in: block) else {
                throw CredentialsError(.missingField, "STS Credentials lack \(name)")
            }
            let value = XMLTags.unescape(raw).trimmingCharacters(in: .whitespacesAndNewlines)
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

/// A tiny extractor for flat, well-known AWS XML responses (no attributes on matched tags, no CDATA).
enum XMLTags {
    /// Inner text of the first `<name>…</name>` (also matches `<name xmlns="…">`).
    static func firstElement(_ name: String, in xml: String) -> String? {
        var searchStart = xml.startIndex
        while let open = xml.range(of: "<" + name, range: searchStart..<xml.endIndex) {
            guard let close = xml[open.upperBound...].firstIndex(of: ">") else { return nil }
            let between = xml[open.upperBound..<close]
            // `<CredentialsX>` is another tag; `<Credentials xmlns=...>` and `<Credentials>` are ours.
            if between.isEmpty || between.first == " " {
                let contentStart = xml.index(after: close)
                guard let end = xml.range(of: "</" + name + ">", range: contentStart..<xml.endIndex) else { return nil }
                return String(xml[contentStart..<end.lowerBound])
            }
            searchStart = open.upperBound
        }
        return nil
    }

    /// The five predefined XML entities plus numeric references.
    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].firstIndex(of: ";"), s.distance(from: i, to: semi) <= 10 {
                let entity = s[s.index(after: i)..<semi]
                var replacement: String?
                switch entity {
                case "amp": replacement = "&"
                case "lt": replacement = "<"
                case "gt": replacement = ">"
                case "quot": replacement = "\""
                case "apos": replacement = "'"
                default:
                    if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                        replacement = String(Character(u))
                    } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()), let u = Unicode.Scalar(v) {
                        replacement = String(Character(u))
                    }
                }
                if let replacement {
                    out += replacement
                    i = s.index(after: semi)
                    continue
                }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}

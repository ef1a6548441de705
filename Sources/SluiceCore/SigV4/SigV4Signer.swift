import Foundation

/// AWS Signature Version 4 (header or presigned-query form) with injected hashing.
///
/// Steps follow docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html;
/// header selection follows botocore (sign everything except a small blocklist).
public struct SigV4Signer: Sendable {
    /// Service-dependent canonicalisation switches.
    public struct Options: Sendable, Equatable {
        /// Remove dot and empty path segments (all services except S3).
        public var normalizePath: Bool
        /// Encode the already-encoded path again (all services except S3).
        public var encodePath: Bool
        /// Sign `X-Amz-Security-Token` (botocore does); false adds it after signing.
        public var signSessionToken: Bool
        /// Send and sign `X-Amz-Content-Sha256` (S3 style).
        public var addContentSHA256Header: Bool

        public init(
            normalizePath: Bool = true, encodePath: Bool = true, signSessionToken: Bool = true,
            addContentSHA256Header: Bool = false
        ) {
            self.normalizePath = normalizePath
            self.encodePath = encodePath
            self.signSessionToken = signSessionToken
            self.addContentSHA256Header = addContentSHA256Header
        }

        /// Defaults for a signing name: S3 keeps its path as is and sends the payload hash header.
        public static func forService(_ service: String) -> Options {
            service == "s3"
                ? Options(normalizePath: false, encodePath: false, addContentSHA256Header: true) : Options()
        }
    }

    /// Header names never signed: they are changed by proxies or the HTTP layer (botocore's list).
    public static let unsignedHeaderNames: Set<String> = [
        "authorization", "user-agent", "x-amzn-trace-id", "expect", "connection", "keep-alive",
        "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding",
        "upgrade",
    ]

    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var credentials: AWSCredentials
    public var region: String
    /// Signing name, e.g. `ses`, `sns`, `sts`.
    public var service: String
    public var hashing: any SigV4Hashing
    public var options: Options

    public init(
        credentials: AWSCredentials, region: String, service: String, hashing: any SigV4Hashing,
        options: Options? = nil
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.hashing = hashing
        self.options = options ?? .forService(service)
    }

    /// `YYYYMMDD/region/service/aws4_request`.
    public func credentialScope(at date: Date) -> String {
        "\(AWSTimestamp.dateStamp(date))/\(region)/\(service)/aws4_request"
    }

    /// Hex SHA-256 of the body, the given hash, or `UNSIGNED-PAYLOAD`.
    public func payloadHash(_ payload: SigV4Request.Payload) -> String {
        switch payload {
        case .bytes(let b): return b.isEmpty ? Self.emptyPayloadHash : hashing.hexSHA256(b)
        case .hash(let h): return h
        case .unsigned: return "UNSIGNED-PAYLOAD"
        }
    }

    /// The canonical request for header-mode signing at `date` (adds `x-amz-date` and, if signed, the token).
    public func canonicalRequest(_ request: SigV4Request, at date: Date) -> String {
        canonicalParts(request, at: date).canonical
    }

    /// `AWS4-HMAC-SHA256\n<amzdate>\n<scope>\n<hex sha256(canonical request)>` (no trailing newline).
    public func stringToSign(canonicalRequest: String, at date: Date) -> String {
        [
            Self.algorithm, AWSTimestamp.amzDate(date), credentialScope(at: date),
            hashing.hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")
    }

    /// kSigning = HMAC chain over date, region, service and `aws4_request`.
    public func signingKey(at date: Date) -> [UInt8] {
        let kSecret = Array(("AWS4" + credentials.secretAccessKey).utf8)
        let kDate = hashing.hmacSHA256(key: kSecret, data: Array(AWSTimestamp.dateStamp(date).utf8))
        let kRegion = hashing.hmacSHA256(key: kDate, data: Array(region.utf8))
        let kService = hashing.hmacSHA256(key: kRegion, data: Array(service.utf8))
        return hashing.hmacSHA256(key: kService, data: Array("aws4_request".utf8))
    }

    /// Signs in header mode; set every field of `headers` on the request (replacing same-named ones).
    public func sign(_ request: SigV4Request, at date: Date) -> SigV4Signature {
        let parts = canonicalParts(request, at: date)
        let sts = stringToSign(canonicalRequest: parts.canonical, at: date)
        let signature = SigV4Hex.lower(hashing.hmacSHA256(key: signingKey(at: date), data: Array(sts.utf8)))
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(credentialScope(at: date)), "
            + "SignedHeaders=\(parts.signedHeaders), Signature=\(signature)"
        var headers = [SigV4Request.Field("X-Amz-Date", AWSTimestamp.amzDate(date))]
        if let token = credentials.sessionToken { headers.append(.init("X-Amz-Security-Token", token)) }
        if options.addContentSHA256Header {
            headers.append(.init("X-Amz-Content-Sha256", payloadHash(request.payload)))
        }
        headers.append(.init("Authorization", authorization))
        return SigV4Signature(
            canonicalRequest: parts.canonical, stringToSign: sts, signedHeaders: parts.signedHeaders,
            signature: signature, authorization: authorization, headers: headers)
    }

    /// The canonical request for presigned-URL signing (`X-Amz-*` query parameters).
    public func presignedCanonicalRequest(_ request: SigV4Request, at date: Date, expires: Int) -> String {
        presignParts(request, at: date, expires: expires).canonical
    }

    /// Signs in query mode: returns the full query (request items + `X-Amz-*` + `X-Amz-Signature`).
    public func presign(_ request: SigV4Request, at date: Date, expires: Int) -> SigV4Signature {
        let parts = presignParts(request, at: date, expires: expires)
        let sts = stringToSign(canonicalRequest: parts.canonical, at: date)
        let signature = SigV4Hex.lower(hashing.hmacSHA256(key: signingKey(at: date), data: Array(sts.utf8)))
        var query = parts.query
        if !options.signSessionToken, let token = credentials.sessionToken {
            query.append(.init("X-Amz-Security-Token", token))
        }
        query.append(.init("X-Amz-Signature", signature))
        return SigV4Signature(
            canonicalRequest: parts.canonical, stringToSign: sts, signedHeaders: parts.signedHeaders,
            signature: signature, authorization: nil, headers: [], query: query)
    }

    // MARK: - Canonical request assembly

    private struct Parts {
        var canonical: String
        var signedHeaders: String
        var query: [SigV4Request.Field] = []
    }

    private func canonicalParts(_ request: SigV4Request, at date: Date) -> Parts {
        // Headers the signer owns replace any the caller set, so a retry re-signs cleanly.
        var replaced: Set<String> = ["x-amz-date"]
        if credentials.sessionToken != nil { replaced.insert("x-amz-security-token") }
        if options.addContentSHA256Header { replaced.insert("x-amz-content-sha256") }
        var headers = request.headers.filter { !replaced.contains($0.name.lowercased()) }
        headers.append(.init("x-amz-date", AWSTimestamp.amzDate(date)))
        if options.signSessionToken, let token = credentials.sessionToken {
            headers.append(.init("x-amz-security-token", token))
        }
        if options.addContentSHA256Header {
            headers.append(.init("x-amz-content-sha256", payloadHash(request.payload)))
        }
        return assemble(request, query: request.query, headers: headers)
    }

    private func presignParts(_ request: SigV4Request, at date: Date, expires: Int) -> Parts {
        let owned: Set<String> = ["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"]
        let headers = request.headers.filter { !owned.contains($0.name.lowercased()) }
        let signedNames = signedHeaderNames(headers)
        var query = request.query.filter { !$0.name.hasPrefix("X-Amz-") }
        query.append(.init("X-Amz-Algorithm", Self.algorithm))
        query.append(.init("X-Amz-Credential", "\(credentials.accessKeyId)/\(credentialScope(at: date))"))
        query.append(.init("X-Amz-Date", AWSTimestamp.amzDate(date)))
        query.append(.init("X-Amz-SignedHeaders", signedNames.joined(separator: ";")))
        query.append(.init("X-Amz-Expires", String(expires)))
        if options.signSessionToken, let token = credentials.sessionToken {
            query.append(.init("X-Amz-Security-Token", token))
        }
        var parts = assemble(request, query: query, headers: headers)
        parts.query = query
        return parts
    }

    private func signedHeaderNames(_ headers: [SigV4Request.Field]) -> [String] {
        Set(headers.map { $0.name.lowercased() }).subtracting(Self.unsignedHeaderNames).sorted {
            $0.utf8.lexicographicallyPrecedes($1.utf8)
        }
    }

    private func assemble(_ request: SigV4Request, query: [SigV4Request.Field], headers: [SigV4Request.Field]) -> Parts {
        var grouped: [String: [String]] = [:]
        for h in headers {
            let name = h.name.lowercased()
            guard !Self.unsignedHeaderNames.contains(name) else { continue }
            grouped[name, default: []].append(SigV4Encoding.canonicalHeaderValue(h.value))
        }
        let names = grouped.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var lines = [
            request.method.uppercased(),
            SigV4Encoding.canonicalURI(request.path, normalize: options.normalizePath, encode: options.encodePath),
            SigV4Encoding.canonicalQuery(query),
        ]
        for name in names { lines.append("\(name):\(grouped[name]!.joined(separator: ","))") }
        let signed = names.joined(separator: ";")
        lines.append("")
        lines.append(signed)
        lines.append(payloadHash(request.payload))
        return Parts(canonical: lines.joined(separator: "\n"), signedHeaders: signed)
    }
}

/// The result of signing: what to add to the request, plus the intermediate strings for debugging.
public struct SigV4Signature: Sendable, Equatable {
    public var canonicalRequest: String
    public var stringToSign: String
    /// `;`-joined lowercase names that were signed.
    public var signedHeaders: String
    /// Lowercase hex signature.
    public var signature: String
    /// The `Authorization` value (header mode only).
    public var authorization: String?
    /// Header mode: `X-Amz-Date`, `X-Amz-Security-Token`?, `X-Amz-Content-Sha256`?, `Authorization`.
    public var headers: [SigV4Request.Field]
    /// Query mode: the complete decoded query to send (encode with `SigV4Encoding.uriEncode`).
    public var query: [SigV4Request.Field]

    public init(
        canonicalRequest: String, stringToSign: String, signedHeaders: String, signature: String,
        authorization: String?, headers: [SigV4Request.Field], query: [SigV4Request.Field] = []
    ) {
        self.canonicalRequest = canonicalRequest
        self.stringToSign = stringToSign
        self.signedHeaders = signedHeaders
        self.signature = signature
        self.authorization = authorization
        self.headers = headers
        self.query = query
    }
}

import Foundation
import SluiceCore
import SluiceCrypto
import SluiceHTTP

/// Signs `HTTPClientRequest`s with SigV4 in header mode, covering exactly the headers that go on the wire.
public struct AWSRequestSigner: Sendable {
    /// SigV4 signing name, e.g. `ses`, `sns`, `sts`.
    public var service: String
    public var region: String
    public var hashing: any SigV4Hashing

    public init(service: String, region: String, hashing: any SigV4Hashing = OpenSSLHashing()) {
        self.service = service
        self.region = region
        self.hashing = hashing
    }

    /// Returns `request` with `X-Amz-Date`, `X-Amz-Security-Token`? and `Authorization` set.
    ///
    /// Signs `Host` (as the client will write it) and every header in `request.headers` except the
    /// signer's blocklist and `Content-Length`, which the HTTP client writes itself.
    /// - Throws: `AWSRequestSignerError` when the URL cannot be split into host, path and query.
    public func sign(_ request: HTTPClientRequest, credentials: AWSCredentials, at date: Date = Date())
        throws(AWSRequestSignerError) -> HTTPClientRequest
    {
        let parts = try AWSURLParts(request.url)
        var fields = [SigV4Request.Field("Host", parts.hostHeader)]
        for (name, value) in request.headers {
            let lower = name.lowercased()
            // The client drops callers' Host / Content-Length and writes its own; signing them could mismatch.
            guard lower != "host", lower != "content-length" else { continue }
            fields.append(.init(name, value))
        }
        let sigRequest = SigV4Request(
            method: request.method, path: parts.path, query: SigV4Request.parseQuery(parts.query), headers: fields,
            payload: .bytes(request.body))
        let signer = SigV4Signer(credentials: credentials, region: region, service: service, hashing: hashing)
        let signature = signer.sign(sigRequest, at: date)
        var signed = request
        for header in signature.headers { signed.headers.set(header.name, header.value) }
        return signed
    }
}

/// The URL could not be signed.
public struct AWSRequestSignerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "cannot sign request: \(message)" }
}

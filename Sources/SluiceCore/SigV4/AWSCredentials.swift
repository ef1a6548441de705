import Foundation

/// An AWS access key pair with optional session token and expiry. `description` redacts secrets.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// Temporary-credential session token (`X-Amz-Security-Token`).
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        // The access key id is not secret (it appears in every Authorization header); the rest is.
        var s = "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
        s += sessionToken == nil ? ", sessionToken: nil" : ", sessionToken: <redacted>"
        if let expiration { s += ", expiration: \(AWSTimestamp.iso8601(expiration))" }
        return s + ")"
    }

    public var debugDescription: String { description }
}

// libFuzzer entry for `sns-message` (pending until branch aws is merged): SNSMessage.parse, its
// canonical string, the topic ARN parser and the certificate/subscribe URL policy checks.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Parses the bytes as an SNS HTTP body; everything derived from a parsed message must not trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? SNSMessage.parse(body) else { return 0 }
    let canonical = message.canonicalString()
    // The signed string carries the whole Message, so it can never be shorter.
    precondition(canonical.count > message.message.utf8.count, "canonical string lost the message")
    _ = SNSTopicARN(message.topicArn)?.snsHost
    let policy = SNSSecurityPolicy(allowedTopicPatterns: ["arn:aws:sns:*:123456789012:*"])
    try? policy.checkCertificateURL(message.signingCertURL, topicArn: message.topicArn)
    if let url = message.subscribeURL {
        try? policy.checkSubscribeURL(url, topicArn: message.topicArn, token: message.token)
    }
    try? policy.checkAutoConfirm(message)
    try? message.checkHeaders(messageType: message.type.rawValue, messageId: message.messageId, topicArn: nil)
    return 0
}

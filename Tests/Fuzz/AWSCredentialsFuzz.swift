// libFuzzer entry for `aws-credentials` (pending until branch aws is merged): the shared
// credentials/config INI parser, container/IMDS credential JSON and STS XML responses.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
@testable import SluiceCore

/// Byte 0 picks the parser: 0 = INI files (credentials, then config), 1 = JSON, 2 = STS XML.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        let text = String(decoding: body, as: UTF8.self)
        _ = try? AWSProfileResolver.resolve(profile: "default", credentialsFile: text, configFile: text)
        _ = try? AWSProfileResolver.resolve(profile: "dev", credentialsFile: nil, configFile: text)
    case 1:
        _ = try? CredentialPayload.parseJSON(body)
    default:
        _ = try? CredentialPayload.parseSTSXML(body)
    }
    return 0
}

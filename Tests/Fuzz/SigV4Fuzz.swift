// libFuzzer entry for `sigv4` (pending until branch aws is merged): the SigV4 canonical request,
// header and presigned signing from a fuzzed request, plus the encoding helpers.
// Scripts/fuzz links it against an instrumented, -enable-testing build of SluiceCore.
import Foundation
@testable import SluiceCore

/// Input: byte 0 = option flags, then LF-separated lines: method, path, raw query, `name:value` headers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let flags = data[0]
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let method = lines.first ?? ""
    let path = lines.count > 1 ? lines[1] : ""
    let rawQuery = lines.count > 2 ? lines[2] : ""
    let headers = lines.dropFirst(3).map { line -> SigV4Request.Field in
        guard let colon = line.firstIndex(of: ":") else { return .init(line, "") }
        return .init(String(line[..<colon]), String(line[line.index(after: colon)...]))
    }
    let query = SigV4Request.parseQuery(rawQuery)
    let request = SigV4Request(
        method: method, path: path, query: query, headers: headers,
        payload: flags & 0x10 != 0 ? .unsigned : .bytes(Array(path.utf8)))
    let signer = SigV4Signer(
        credentials: AWSCredentials(
            accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: flags & 1 != 0 ? "token" : nil),
        region: "us-east-1", service: flags & 2 != 0 ? "s3" : "ses", hashing: FuzzHashing(),
        options: SigV4Signer.Options(
            normalizePath: flags & 4 != 0, encodePath: flags & 8 != 0, signSessionToken: flags & 0x20 != 0,
            addContentSHA256Header: flags & 0x40 != 0))
    let date = Date(timeIntervalSince1970: 1_440_938_160)
    let signature = signer.sign(request, at: date)
    precondition(signature.canonicalRequest == signer.canonicalRequest(request, at: date), "signing is not deterministic")
    _ = signer.presign(request, at: date, expires: Int(flags))
    // Encoding round trip: every string survives uriEncode + percentDecode.
    for field in query {
        precondition(SigV4Encoding.percentDecode(SigV4Encoding.uriEncode(field.name)) == field.name, "uriEncode round trip")
    }
    let collapsed = SigV4Encoding.canonicalHeaderValue(path)
    precondition(!collapsed.utf8.contains(0x0A) && !collapsed.hasPrefix(" ") && !collapsed.hasSuffix(" "), "header value not trimmed")
    return 0
}

/// Cheap stand-in for SHA-256/HMAC: the fuzz target checks canonicalisation, not cryptography.
private struct FuzzHashing: SigV4Hashing {
    func sha256(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for (i, byte) in data.enumerated() { out[i & 31] &+= byte &* 31 &+ UInt8(truncatingIfNeeded: i) }
        return out
    }

    func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] { sha256(key + data) }
}

// Micro-benchmark of the SNS request path's parsing on one thread (Scripts/bench-sns-parse builds it
// together with the SluiceCore sources of a revision): envelope parse, canonical string, SES event.
// Usage: sns-parse BODIES.jsonl [ROUNDS]; prints CPU µs per notification for each step.
import Foundation

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let file = FileManager.default.contents(atPath: arguments[1]) else {
    print("usage: sns-parse BODIES.jsonl [ROUNDS]")
    exit(2)
}
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 10 : 10
let bodies = Array(file).split(separator: 0x0A).map { Array($0) }.filter { $0.first == UInt8(ascii: "{") }
let normalizer = AddressNormalizer()
let messages = bodies.map { try! SNSMessage.parse($0) }
func payload(_ m: SNSMessage) -> [UInt8] {
    #if SNS_MESSAGE_BYTES
    m.messageBytes
    #else
    Array(m.message.utf8)
    #endif
}
let payloads = messages.map(payload)
var sink = 0

func measure(_ name: String, _ body: () -> Void) -> Double {
    let start = cpuSeconds()
    for _ in 0..<rounds { body() }
    let us = (cpuSeconds() - start) / Double(rounds * bodies.count) * 1e6
    print("\(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(String(format: "%7.2f", us)) µs/notification")
    return us
}

print("\(bodies.count) bodies × \(rounds) rounds")
let envelope = measure("SNSMessage.parse") { for b in bodies { sink &+= (try! SNSMessage.parse(b)).messageId.utf8.count } }
let canonical = measure("canonicalString") { for m in messages { sink &+= m.canonicalString().count } }
let ses = measure("SESEventParser.parse") {
    for p in payloads { sink &+= (try! SESEventParser.parse(p, normalizer: normalizer)).recipientEvents.count }
}
let whole = measure("all (body → events)") {
    for b in bodies {
        let m = try! SNSMessage.parse(b)
        sink &+= m.canonicalString().count
        sink &+= (try! SESEventParser.parse(payload(m), normalizer: normalizer)).recipientEvents.count
    }
}
print("sink \(sink % 7)")

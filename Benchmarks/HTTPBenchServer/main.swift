// A minimal server for Scripts/bench-http: Sluice's HTTP server answering `POST /echo` (an async
// handler, run as a Swift task on the event loop like every ordinary route) and `POST /echo-sync`
// (a synchronous handler, `Router.addSync`, run inline on the loop thread) with 200 "ok", the
// counterparts of nginx's `return 200`.
import Foundation
import Logging
import SluiceHTTP

var port = 18080
var threads = HTTPServerConfiguration.cpuCount
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = Int(arguments.next() ?? "") ?? port
    case "--threads": threads = Int(arguments.next() ?? "") ?? threads
    default: FileHandle.standardError.write(Data("usage: http-bench-server [--port N] [--threads N]\n".utf8)); exit(64)
    }
}

var router = Router()
router.add(.POST, "/echo") { _ in .text(.ok, "ok") }
router.addSync(.POST, "/echo-sync") { _ in .text(.ok, "ok") }
var logger = Logger(label: "bench")
logger.logLevel = .error
let server = HTTPServer(configuration: HTTPServerConfiguration(port: port, threads: threads), responder: router, logger: logger)
try server.start()
print("listening on 127.0.0.1:\(server.port) with \(threads) threads")
try await server.run()

import ArgumentParser
import Dispatch
import Foundation
import SluiceApp

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the service until SIGTERM/SIGINT, then drain and exit 0.",
        discussion: "Binds http.host:http.port (default 127.0.0.1:8080); set SLUICE_HTTP_HOST=0.0.0.0 to listen on every interface."
    )
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await exiting {
            let configuration = try global.loadConfiguration()
            let logger = makeLogger(configuration)
            let app: Application
            do { app = try Application.build(configuration: configuration, logger: logger) } catch {
                throw ExitFailure.failure("cannot start: \(error)")
            }
            try await checkAddressKeyMode(configuration, store: app.context.store)
            do { try app.start() } catch {
                throw ExitFailure.failure("cannot listen on \(configuration.string("http.host")):\(configuration.int("http.port")): \(error)")
            }
            let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { signal in
                logger.info("signal received, shutting down", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"])
                Task { await app.shutdown() }
            }
            try await app.run()
            withExtendedLifetime(signals) {}
        }
    }
}

/// Turns POSIX signals into a callback on a dispatch queue (never inside a signal handler).
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "sluice.signals")
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Stops watching and gives the signals their default action back.
    func stop() {
        for source in sources {
            source.cancel()
            signal(Int32(source.handle), SIG_DFL)
        }
    }
}

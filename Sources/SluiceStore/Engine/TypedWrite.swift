import SluiceCore

/// A write job producing `T`, resumed exactly once through `finish`.
final class TypedWrite<T: Sendable>: PendingWrite {
    private let body: (Database) throws(StoreError) -> T
    private let continuation: CheckedContinuation<Result<T, StoreError>, Never>
    private var result: Result<T, StoreError>?
    let runsAlone: Bool

    init(_ body: @escaping (Database) throws(StoreError) -> T, alone: Bool = false, continuation: CheckedContinuation<Result<T, StoreError>, Never>) {
        self.body = body
        self.runsAlone = alone
        self.continuation = continuation
    }

    func run(_ database: Database) -> Bool {
        do throws(StoreError) {
            result = .success(try body(database))
            return true
        } catch {
            result = .failure(error)
            return false
        }
    }

    var failure: StoreError? {
        if case .failure(let error) = result { return error }
        return nil
    }

    func finish(with error: StoreError?) {
        if let error {
            continuation.resume(returning: .failure(error))
        } else {
            continuation.resume(returning: result ?? .failure(StoreError(.io, "write job finished without running")))
        }
    }
}

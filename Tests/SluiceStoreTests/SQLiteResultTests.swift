import SluiceCore
@testable import SluiceStore
import Testing

struct SQLiteResultTests {
    // Literal SQLite result codes (https://sqlite.org/rescode.html): only SluiceStore imports CSQLite.
    @Test(arguments: [
        (13, StoreError.Code.full), (8, .readOnly), (11, .corrupt), (26, .corrupt), (5, .busy), (6, .busy),
        (14, .unavailable), (10, .io), (19, .constraint),
        (10 | (4 << 8), .io), (5 | (2 << 8), .busy), (19 | (3 << 8), .constraint), (8 | (1 << 8), .readOnly),
    ] as [(Int32, StoreError.Code)])
    func mapsResultCodes(code: Int32, expected: StoreError.Code) {
        #expect(SQLiteResult.code(for: code) == expected)
        let error = SQLiteResult.error(code, connection: nil, context: "test")
        #expect(error.code == expected)
        #expect((error.underlying as? SQLiteCode)?.extended == code)
    }
}

import ArgumentParser
import Foundation
import SluiceApp
import SluiceCore

/// `sluice suppressions import <file|->`: streamed CSV or JSON-lines import, committed per chunk.
struct SuppressionsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import suppressions from CSV (address,reason,detail,expires_at; header optional) or JSON lines.",
        discussion: """
        The file is read in pieces and committed every 100,000 valid rows (5,000 on PostgreSQL); invalid rows are reported
        with their line numbers and skipped. Exit 0 when every row was imported, 1 when some rows were
        rejected (the valid ones are kept), 64 for an unusable header or format, 66 when the file cannot
        be read (not there, not readable, not a regular file or pipe; a read error midway keeps every valid
        row read before it).
        """
    )
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The file to read, or - for standard input.") var file: String
    @Option(help: "csv or jsonl (default: from the file extension, else csv).") var format: String?
    @Flag(help: "Print the report as JSON like the API.") var json = false

    func run() async throws {
        try await exiting {
            let format = try resolvedFormat()
            // Before the store is opened (or created): an unusable input changes nothing.
            let handle = try openInput()
            let report = try await SuppressionsSupport.withService(global) { service in
                var importer = service.makeImport(format: format, source: "cli")
                while true {
                    let chunk: Data?
                    do { chunk = try handle.read(upToCount: 256 * 1024) } catch {
                        // The rows read before the error are committed (the partial chunk too), then exit 66.
                        let report = try await importer.finishAfterInputFailure()
                        throw ExitFailure(code: 66, message: """
                            error: cannot read '\(file)': \(error.localizedDescription) (\(report.imported) rows before it \
                            were imported, \(report.rejected) rejected)
                            """)
                    }
                    guard let chunk, !chunk.isEmpty else { break }
                    try await importer.feed([UInt8](chunk))
                }
                return try await importer.finish()
            }
            if json {
                print(try SuppressionsSupport.json(report))
            } else {
                print("imported \(report.imported), rejected \(report.rejected)")
                for error in report.errors { print("line \(error.line): \(error.message)") }
                if report.rejected > report.errors.count { print("… and \(report.rejected - report.errors.count) more rejected rows") }
            }
            if report.rejected > 0 { throw ExitCode(1) }
        }
    }

    /// Standard input for `-`; else the file, which must be a regular file or a pipe (`<(…)`): a directory
    /// opens but fails on the first read. Exit 66 otherwise.
    private func openInput() throws -> FileHandle {
        if file == "-" { return FileHandle.standardInput }
        var status = stat()
        guard stat(file, &status) == 0 else {
            throw ExitFailure(code: 66, message: "error: cannot open '\(file)' for reading: \(String(cString: strerror(errno)))")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG || kind == S_IFIFO else {
            throw ExitFailure(code: 66, message: "error: cannot import '\(file)': not a regular file or a pipe")
        }
        guard let opened = FileHandle(forReadingAtPath: file) else {
            throw ExitFailure(code: 66, message: "error: cannot open '\(file)' for reading")
        }
        return opened
    }

    private func resolvedFormat() throws -> ImportFormat {
        if let format {
            guard let parsed = ImportFormat(rawValue: format.lowercased()) else { throw ExitFailure(code: 64, message: "error: --format must be csv or jsonl") }
            return parsed
        }
        let lower = file.lowercased()
        return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") ? .jsonl : .csv
    }
}

/// `sluice suppressions export`: every active suppression as CSV, streamed.
struct SuppressionsExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export active suppressions as CSV (the header names the columns; `import` reads it back)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @Flag(help: "gzip the output.") var gzip = false
    @Flag(help: "Prefix cells starting with = + - @ with ' so a spreadsheet shows them as text (not for import).") var spreadsheet = false

    func run() async throws {
        try await exiting {
            // A failed export leaves nothing under the name (`OutputFile`).
            let file = try output.map { (path) throws(ExitFailure) in try OutputFile(path: path) }
            defer { file?.discard() }
            let rows = try await SuppressionsSupport.withService(global) { service in
                try await service.export(gzip: gzip, spreadsheet: spreadsheet) { bytes in
                    if let file { try file.write(bytes) } else { try FileHandle.standardOutput.write(contentsOf: bytes) }
                }
            }
            if let file {
                try file.commit()
                FileHandle.standardError.write(Data("exported \(rows) suppressions to \(file.path)\n".utf8))
            }
        }
    }
}

import CSQLitePlugins
import Foundation
import SluiceCore
@testable import SluiceStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The WAL syncer's own descriptor: it syncs only while the path still names the file it opened, and it
/// reads that file's identity without asking for its timestamps (file_identity.c says why).
struct WALFileTests {
    @Test func identityOfAPathAndOfADescriptorIsTheOneStatReports() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        var reported = stat()
        #expect(stat(path, &reported) == 0)

        var byPath = CSQLitePluginsFileIdentity()
        #expect(CSQLitePlugins_file_identity(-1, path, &byPath) == 0)
        #expect(byPath.device == UInt64(reported.st_dev))
        #expect(byPath.inode == UInt64(reported.st_ino))

        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        var byDescriptor = CSQLitePluginsFileIdentity()
        #expect(CSQLitePlugins_file_identity(descriptor, nil, &byDescriptor) == 0)
        #expect(byDescriptor.device == byPath.device && byDescriptor.inode == byPath.inode)

        var missing = CSQLitePluginsFileIdentity()
        #expect(CSQLitePlugins_file_identity(-1, path + ".missing", &missing) == ENOENT)
        #expect(CSQLitePlugins_file_identity(-1, nil, &missing) == EBADF)
    }

    @Test func syncsWhileThePathNamesTheOpenedFileAndRefusesAReplacedOne() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("sluice.sqlite-wal").path
        try Data("frames".utf8).write(to: URL(fileURLWithPath: path))
        let file = try WALFile(path: path)
        try file.sync()

        // Another file renamed over the name: the descriptor now holds an unlinked file.
        let other = path + ".new"
        try Data("other".utf8).write(to: URL(fileURLWithPath: other))
        #expect(rename(other, path) == 0)
        let error = #expect(throws: StoreError.self) { try file.sync() }
        #expect(error?.code == .io)
        #expect(error?.message.contains("removed or replaced") == true)

        // A descriptor opened on the new file syncs it.
        try WALFile(path: path).sync()
    }

    /// Each folder made for a new database is synced into its parent, outermost first (a new folder's name
    /// survives power loss only then); existing ones are left alone.
    @Test func createsMissingFoldersEachSyncedIntoItsParent() throws {
        let directory = try TemporaryDirectory()
        let root = directory.url.path
        let synced = try FileSync.createDirectories(root + "/a/b/c")
        #expect(synced == [root, root + "/a", root + "/a/b"])
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: root + "/a/b/c", isDirectory: &isFolder) && isFolder.boolValue)
        #expect(try FileSync.createDirectories(root + "/a/b/c").isEmpty)
        #expect(try FileSync.createDirectories(root + "/a/d") == [root + "/a"])
    }
}

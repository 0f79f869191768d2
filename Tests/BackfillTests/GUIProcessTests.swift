import Foundation
import Testing

/// The built `gui` as a user starts it, on SQLite.
@Suite("gui process")
struct GUIProcessTests {
    /// No warehouse yet: the gui makes an empty one (a first backfill starts from its monitor) and
    /// says so; a folder that does not exist is an error naming it.
    @Test func aMissingWarehouseIsCreatedButAMissingFolderIsAnError() async throws {
        let folder = try TestSupport.temporaryDirectory()
        let path = folder.appendingPathComponent("fresh.sqlite").path
        let gui = try await GUIServerProcess.start(database: path)
        defer { gui.stop() }
        let (status, body) = try await GUIPostgresProcessTests.fetch(gui.baseURL + "/api/inventory")
        #expect(status == 200 && body == "[]", "\(body)")
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(gui.printed.contains("creating an empty one"), "\(gui.printed)")

        let nowhere = folder.appendingPathComponent("no-such-folder/x.sqlite").path
        let (code, message) = try await GUIServerProcess.runToExit(["--db", nowhere, "--port", "0"])
        #expect(code != nil && code != 0 && message.contains("no folder '\(folder.path)/no-such-folder'"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }
}

import Foundation

/// Writes `contents` to a new file in the temporary folder and returns its path.
func temporaryFile(_ contents: String, suffix: String = ".json") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("quickstep-\(UUID())\(suffix)").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

import Foundation
import ParleyApp

/// A fresh temporary directory per test, with a made-up home and XDG config directory inside
/// it, so configuration tests never read or write the real ones.
struct ConfigurationFixture: ~Copyable {
    let root: String

    init() throws {
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("parley-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/home", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Paths as Parley would compute them with `HOME` and `XDG_CONFIG_HOME` inside the fixture.
    var paths: ParleyPaths {
        ParleyPaths(environment: ["HOME": "\(root)/home", "XDG_CONFIG_HOME": "\(root)/config"])
    }

    /// Writes `text` to `relativePath` under the fixture, creating directories, and returns the path.
    @discardableResult
    func write(_ text: String, to relativePath: String) throws -> String {
        let path = "\(root)/\(relativePath)"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Writes a configuration file at `relativePath` and loads it as if given with `--config`.
    func load(_ text: String, at relativePath: String = "conf/config.toml") throws -> ConfigurationLoadResult {
        let file = try write(text, to: relativePath)
        return ConfigurationLoader.load(path: file, explicit: true, paths: paths)
    }
}

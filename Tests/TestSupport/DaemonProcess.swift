import CTidingsSys
import Foundation

/// Output of a finished command.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Where the built executables are: `$TIDINGS_BIN_DIR`, else next to the test bundle
/// (`swift build --build-tests` puts them side by side).
public enum Binaries {
    public static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["TIDINGS_BIN_DIR"], !dir.isEmpty { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }
    public static var tidingsd: String { directory + "/tidingsd" }
    public static var tidingsctl: String { directory + "/tidingsctl" }

    /// Runs a program to completion (with a timeout) and captures its output.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
        timeout: Double = 30
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TIDINGS_SOCKET"] = nil
        env["TIDINGS_DATABASE"] = nil
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes while the process runs so that a full pipe cannot block it.
        let collected = OutputBox()
        let group = DispatchGroup()
        for (pipe, isError) in [(out, false), (err, true)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isError: isError)
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        group.wait()
        return CommandResult(status: process.terminationStatus, stdout: collected.stdout, stderr: collected.stderr)
    }
}

private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data(), err = Data()
    func set(_ data: Data, isError: Bool) { lock.withLock { if isError { err = data } else { out = data } } }
    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }
}

/// A real `tidingsd` process with its own config, database and socket in a temp directory.
public final class DaemonProcess: @unchecked Sendable {
    public let dir: TempDirectory
    public let configPath: String
    public var socketPath: String { dir.file("d.sock") }
    public var databasePath: String { dir.file("tidings.db") }
    public var stderrPath: String { dir.file("stderr.log") }
    public private(set) var process: Process?

    /// Writes a config (`[daemon]` filled in; `body` adds tables such as `[[sources]]`).
    public init(body: String = "", daemonExtra: String = "", dir: TempDirectory = TempDirectory()) {
        self.dir = dir
        configPath = dir.file("tidingsd.toml")
        writeConfig(body: body, daemonExtra: daemonExtra)
    }

    public func writeConfig(body: String, daemonExtra: String = "") {
        dir.write(
            "tidingsd.toml",
            """
            [daemon]
            database = "\(databasePath)"
            socket = "\(socketPath)"
            log_level = "debug"
            \(daemonExtra)
            \(body)
            """)
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Starts the daemon; with `waitReady`, returns once its socket accepts connections.
    public func start(environment: [String: String] = [:], waitReady: Bool = true) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.tidingsd)
        process.arguments = ["run", "--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        env["WATCHDOG_USEC"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        if !FileManager.default.fileExists(atPath: stderrPath) {
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        }
        let log = FileHandle(forWritingAtPath: stderrPath)!
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        if waitReady {
            let up = waitFor(timeout: 20) { !process.isRunning || canConnect() }
            guard up, process.isRunning else {
                throw DaemonTestError("tidingsd did not come up: \(stderr)")
            }
        }
    }

    public func canConnect() -> Bool {
        let fd = tidings_connect_unix(socketPath)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    public var pid: Int32 { process?.processIdentifier ?? 0 }

    public func signal(_ number: Int32) { if let process { kill(process.processIdentifier, number) } }

    /// Waits for the process to exit and returns its status, or nil on timeout.
    public func waitExit(timeout: Double = 15) -> Int32? {
        guard let process else { return nil }
        guard waitFor(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    public func kill9() {
        signal(SIGKILL)
        _ = waitExit()
    }

    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Runs `tidingsctl --socket <this daemon's socket> ARGS`.
    public func ctl(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try Binaries.run(Binaries.tidingsctl, arguments + ["--socket", socketPath], environment: environment)
    }
}

public struct DaemonTestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// gzip-compresses with the system's gzip (test helper).
public func gzip(_ bytes: [UInt8]) -> [UInt8]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c", "-9"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    guard (try? process.run()) != nil else { return nil }
    let writer = Thread {
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(data)
}


import Foundation
import Glibc
import Logging
import TidingsCore

/// Writes swift-log records to stderr, one line each. Under journald (`JOURNAL_STREAM` set)
/// lines carry `<N>` syslog priority prefixes and no timestamps, since journald adds its own.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let journald: Bool

    public init(label: String, level: Logger.Level, journald: Bool) {
        self.label = label
        self.logLevel = level
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Installs the handler for the whole process.
    public static func bootstrap(level: Logger.Level, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let journald = stderrIsJournal(environment["JOURNAL_STREAM"])
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, journald: journald) }
    }

    /// True when stderr is the journal stream systemd set up: `JOURNAL_STREAM` is
    /// `DEVICE:INODE` of that stream, and a child whose stderr was redirected elsewhere
    /// inherits the variable without the stream, so the two are compared.
    static func stderrIsJournal(_ value: String?) -> Bool {
        guard let value else { return false }
        let parts = value.split(separator: ":").compactMap { UInt64($0) }
        guard parts.count == 2 else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == parts[0] && UInt64(info.st_ino) == parts[1]
    }

    /// The syslog priority journald reads from `<N>`.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // One record is one line: embedded newlines would split it in the journal.
        let message = "\(event.message)\(fields)".replacingOccurrences(of: "\n", with: " | ")
        let line =
            journald
            ? "<\(Self.priority(event.level))>\(message)\n"
            : "\(Timestamps.iso(Date())) \(event.level.rawValue.uppercased()) \(label): \(message)\n"
        // A raw write: a closed stderr (EPIPE) must not crash the daemon, and a lost log line is
        // the lesser harm.
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }
}

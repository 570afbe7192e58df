import CTidingsSys
import Dispatch
import Foundation
import Glibc
import Logging
import TidingsCore

/// The program behind an exec plugin: spawned in its own process group, spoken to over pipes
/// with poll(2) deadlines, its stderr forwarded to the log, reaped and killed.

enum ChildFailure: Error, CustomStringConvertible {
    case timeout
    case exited(String)
    case lineTooLong
    case io(String)

    var description: String {
        switch self {
        case .timeout: return "timed out"
        case .exited(let status): return "the program exited (\(status))"
        case .lineTooLong: return "line too long"
        case .io(let message): return message
        }
    }
}

/// A running plugin program: its pipes, a line reader with deadlines, and a thread that turns
/// its stderr into log lines. Not Sendable: its plugin's session lock owns it.
final class Child {
    let pid: pid_t
    let input: Int32
    let output: Int32
    private var buffer: [UInt8] = []
    private var inputOpen = true
    private var outputOpen = true

    init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
    }

    static func spawn(_ settings: ExecPluginSettings, logger: Logger) throws(ChildFailure) -> Child {
        var options = JSONWriter()
        options.beginObject()
        for key in settings.options.keys.sorted() {
            options.key(key)
            options.string(settings.options[key]!)
        }
        options.endObject()
        var environment = ProcessInfo.processInfo.environment
        // systemd's hand-over variables are the daemon's, not its children's.
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "INVOCATION_ID", "JOURNAL_STREAM"] {
            environment[key] = nil
        }
        environment["TIDINGS_PLUGIN_NAME"] = settings.name
        environment["TIDINGS_PLUGIN_CONFIG"] = String(decoding: options.bytes, as: UTF8.self)
        environment["TIDINGS_PLUGIN_PROTOCOL"] = String(ExecPlugin.protocolVersion)
        let argv = settings.command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1
        let result = tidings_spawn(argv, envp, &pid, &stdin, &stdout, &stderr)
        guard result == 0 else { throw .io("cannot start \(settings.command[0]): \(String(cString: strerror(result)))") }
        let flags = fcntl(stdin, F_GETFL)
        _ = fcntl(stdin, F_SETFL, flags | O_NONBLOCK)
        let child = Child(pid: pid, input: stdin, output: stdout)
        Child.forwardLog(stderr, logger: logger)
        return child
    }

    /// stderr lines as log lines: a leading `<N>` (syslog priority) or `ERROR:`, `WARNING:`,
    /// `INFO:`, `DEBUG:` sets the level; other lines are notices.
    static func forwardLog(_ fd: Int32, logger: Logger) {
        let thread = Thread {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending += chunk[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline].prefix(4096), as: UTF8.self)
                    pending.removeSubrange(...newline)
                    let (level, message) = Child.level(of: line)
                    if !message.isEmpty { logger.log(level: level, "\(message)") }
                }
                if pending.count > 65_536 { pending.removeAll() }
            }
            Glibc.close(fd)
        }
        thread.name = "tidings-plugin-stderr"
        thread.start()
    }

    static func level(of line: String) -> (Logger.Level, String) {
        var text = Substring(line)
        if text.hasPrefix("<"), let close = text.firstIndex(of: ">"), let priority = Int(text[text.index(after: text.startIndex)..<close]) {
            text = text[text.index(after: close)...]
            let levels: [Logger.Level] = [.critical, .critical, .critical, .error, .warning, .notice, .info, .debug]
            return (levels[max(0, min(7, priority))], text.trimmedWhitespace())
        }
        let words: [(String, Logger.Level)] = [
            ("CRITICAL:", .critical), ("ERROR:", .error), ("WARNING:", .warning), ("WARN:", .warning), ("NOTICE:", .notice), ("INFO:", .info),
            ("DEBUG:", .debug),
        ]
        for (prefix, level) in words where text.uppercased().hasPrefix(prefix) {
            return (level, text.dropFirst(prefix.count).trimmedWhitespace())
        }
        return (.notice, text.trimmedWhitespace())
    }

    func readHandshake(timeout: Double) throws(ChildFailure) -> JSON {
        let line = try readLine(timeout: timeout)
        do {
            return try JSON.parse(line)
        } catch {
            throw .io("the handshake is not JSON: \(error)")
        }
    }

    /// Writes the request without ever blocking past `deadline`: stdin is non-blocking, and
    /// what the program writes meanwhile is read into the buffer (a program that answers
    /// before it has read everything must not dead-lock with us).
    func write(_ bytes: [UInt8], deadline: UInt64) throws(ChildFailure) {
        var offset = 0
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && errno == EPIPE { throw .exited(reap()) }
            guard written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) else {
                throw .io("cannot write to the program: \(String(cString: strerror(errno)))")
            }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw .timeout }
            var pollers = [pollfd(fd: input, events: Int16(POLLOUT), revents: 0), pollfd(fd: output, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&pollers, 2, Int32(min(Double(deadline - now) / 1e6 + 1, 60_000)))
            if ready < 0 && errno != EINTR { throw .io("poll failed: \(String(cString: strerror(errno)))") }
            if pollers[1].revents & Int16(POLLIN) != 0 {
                let count = read(output, &chunk, chunk.count)
                if count > 0 { buffer += chunk[0..<count] }
                if buffer.count > 4 * ExecPlugin.maxLine { throw .io("the program writes without reading its input") }
            }
        }
    }

    /// The next line from stdout, waiting at most `timeout`.
    func readLine(timeout: Double) throws(ChildFailure) -> [UInt8] {
        try readLine(deadline: DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9))
    }

    /// True when the program has exited (it is reaped then).
    func hasExited() -> Bool {
        var status: Int32 = 0
        let done = waitpid(pid, &status, WNOHANG)
        guard done == pid || done < 0 else { return false }
        closeFiles()
        return true
    }

    /// The next line from stdout, waiting until `deadline` at most. A line over the limit is
    /// read to its end and dropped.
    func readLine(deadline: UInt64) throws(ChildFailure) -> [UInt8] {
        var skipping = false
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                if skipping || line.count > ExecPlugin.maxLine { throw .lineTooLong }
                return line
            }
            if buffer.count > ExecPlugin.maxLine {
                skipping = true
                buffer.removeAll(keepingCapacity: true)
            }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw .timeout }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(Double(deadline - now) / 1e6 + 1, 60_000)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw .io("poll failed: \(String(cString: strerror(errno)))")
            }
            if ready == 0 { continue }
            let count = read(output, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .io("cannot read from the program: \(String(cString: strerror(errno)))")
            }
            if count == 0 { throw .exited(reap()) }
            buffer += chunk[0..<count]
        }
    }

    /// Waits for the child (it closed its stdout) and says how it ended.
    func reap() -> String {
        closeFiles()
        var status: Int32 = 0
        // It closed stdout; give it a moment to exit, then make sure it does.
        for _ in 0..<50 {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return Child.describe(status) }
            if done < 0 { return "gone" }
            usleep(10_000)
        }
        Glibc.kill(-pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        return "killed: it closed stdout but did not exit"
    }

    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "status \((status >> 8) & 0xFF)" }
        return "signal \(signal)"
    }

    /// Kills the program (and anything it started) and waits for it.
    func kill() {
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        closeFiles()
    }

    /// Closes stdin (the program's cue to exit), waits a little, then kills it.
    func close() {
        if inputOpen {
            inputOpen = false
            Glibc.close(input)
        }
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid {
                closeFiles()
                return
            }
            usleep(10_000)
        }
        kill()
    }

    private func closeFiles() {
        if inputOpen {
            inputOpen = false
            Glibc.close(input)
        }
        if outputOpen {
            outputOpen = false
            Glibc.close(output)
        }
    }
}

import CTidingsSys
import Dispatch
import Foundation
import Glibc
import Logging
import TidingsCore

/// A plugin in any language: a long-running program that speaks JSON lines on stdin/stdout
/// (docs/PLUGIN-PROTOCOL.md). One request is in flight at a time. A crash restarts the program
/// with backoff; a timeout kills it and starts it again; a reply that is malformed or over the
/// line limit fails that document only. stderr lines become log lines.
public final class ExecPlugin: PipelineStage, @unchecked Sendable {
    public static let protocolVersion = 1
    /// Longest reply line accepted.
    public static let maxLine = 1 << 20

    let settings: ExecPluginSettings
    let logger: Logger
    public let descriptor: PluginDescriptor
    public var kind: String { "exec" }

    private let lock = NSLock()
    private var child: Child?
    private var nextID = 0
    private var crashes = 0
    private var restartAfter: DispatchTime = .now()

    init(settings: ExecPluginSettings, descriptor: PluginDescriptor, child: Child?, logger: Logger) {
        self.settings = settings
        self.descriptor = descriptor
        self.child = child
        self.logger = logger
        if let child { runningPid = child.pid }
    }

    /// For `check-config`: what the config says, without running anything.
    static func placeholder(_ settings: ExecPluginSettings) -> ExecPlugin {
        ExecPlugin(
            settings: settings, descriptor: PluginDescriptor(name: settings.name, version: "?", produces: ["annotations"], summary: "exec plugin"),
            child: nil, logger: Logger(label: "tidings.plugin.\(settings.name)"))
    }

    /// The program must exist and be executable (found in PATH when it has no slash).
    static func checkCommand(_ settings: ExecPluginSettings) throws(PluginSetupError) {
        let program = settings.command[0]
        let candidates = program.contains("/")
            ? [program] : (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }
        guard candidates.contains(where: { access($0, X_OK) == 0 }) else {
            throw PluginSetupError(
                line: settings.line, key: "plugins.exec[\(settings.name)].command",
                message: "\(program) is not an executable file\(program.contains("/") ? "" : " in PATH")")
        }
    }

    /// Starts the program and reads its handshake.
    static func start(_ settings: ExecPluginSettings, logger parent: Logger) throws(PluginSetupError) -> ExecPlugin {
        try checkCommand(settings)
        // Writing to a program that died must be an error to handle, not a signal that kills us.
        signal(SIGPIPE, SIG_IGN)
        var logger = parent
        logger[metadataKey: "plugin"] = "\(settings.name)"
        let child: Child
        let handshake: JSON
        do {
            child = try Child.spawn(settings, logger: logger)
        } catch {
            throw PluginSetupError(line: settings.line, key: "plugins.exec[\(settings.name)]", message: "\(settings.command[0]): \(error)")
        }
        do {
            handshake = try child.readHandshake(timeout: max(settings.timeout, 10))
        } catch {
            child.kill()
            throw PluginSetupError(line: settings.line, key: "plugins.exec[\(settings.name)]", message: "\(settings.command[0]): \(error)")
        }
        do {
            let descriptor = try ExecPlugin.descriptor(from: handshake, settings: settings)
            return ExecPlugin(settings: settings, descriptor: descriptor, child: child, logger: logger)
        } catch {
            child.kill()
            throw PluginSetupError(line: settings.line, key: "plugins.exec[\(settings.name)]", message: "bad handshake: \(error)")
        }
    }

    static func descriptor(from handshake: JSON, settings: ExecPluginSettings) throws(PluginError) -> PluginDescriptor {
        guard handshake["protocol"]?.int == protocolVersion else {
            throw PluginError("\"protocol\" must be \(protocolVersion), got \(handshake["protocol"].map { "\($0)" } ?? "nothing")")
        }
        guard let name = handshake["name"]?.string, name == settings.name else {
            throw PluginError("\"name\" must be \"\(settings.name)\" (the name in the config), got \(handshake["name"]?.string ?? "nothing")")
        }
        guard let version = handshake["version"]?.string, !version.isEmpty else { throw PluginError("\"version\" (a string) is missing") }
        var requires: [String] = []
        if let list = handshake["requires"], !list.isNull {
            guard let items = list.array, items.allSatisfy({ $0.string != nil }) else { throw PluginError("\"requires\" must be an array of plugin names") }
            requires = items.compactMap(\.string)
        }
        let produces = handshake["produces"]?.array?.compactMap(\.string) ?? ["annotations"]
        return PluginDescriptor(
            name: name, version: version, requires: requires, produces: produces,
            summary: handshake["summary"]?.string ?? "exec plugin: \(settings.command.joined(separator: " "))")
    }

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        try lock.withLock { () throws -> Extraction in
            guard !isStopped else { throw PluginError("the daemon is stopping", transient: true) }
            let child = try runningChild()
            nextID += 1
            let id = nextID
            var json = JSONWriter()
            json.beginObject()
            json.key("id"); json.number(id)
            json.field("text", document.text)
            json.field("title", document.title)
            json.field("date", document.date)
            json.field("language", document.language)
            if !context.targets.isEmpty {
                json.key("targets")
                json.beginArray()
                for target in context.targets {
                    json.beginObject()
                    json.key("start"); json.number(target.start)
                    json.key("end"); json.number(target.end)
                    json.endObject()
                }
                json.endArray()
            }
            json.key("requires")
            json.beginObject()
            for name in descriptor.requires {
                json.key(name)
                ExtractionJSON.write(context.results[name] ?? Extraction(), to: &json)
            }
            json.endObject()
            json.endObject()
            json.newline()
            var wrote = false
            do {
                // One deadline for writing the request and reading the reply.
                let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(settings.timeout * 1e9)
                try child.write(json.bytes, deadline: deadline)
                wrote = true
                var line = try child.readLine(deadline: deadline)
                // A late or doubled reply to an earlier request is passed over.
                while let earlier = (try? JSON.parse(line))?["id"]?.int, earlier < id {
                    logger.warning("passed over a reply for request \(earlier) while waiting for \(id)")
                    line = try child.readLine(deadline: deadline)
                }
                do {
                    let extraction = try ExecPlugin.reply(line, id: id)
                    crashes = 0
                    return extraction
                } catch let error as PluginError where error.message.hasPrefix("malformed reply") || error.message.hasPrefix("reply for id") {
                    // Out of step with the program (a stray line, a second reply): start it
                    // afresh so the next document gets its own reply.
                    logger.warning("\(error.message); restarting the program to get back in step")
                    child.kill()
                    self.child = nil
                    throw error
                }
            } catch let failure as ChildFailure {
                if isStopped {
                    child.kill()
                    self.child = nil
                    throw PluginError("the daemon is stopping", transient: true)
                }
                switch failure {
                case .timeout:
                    child.kill()
                    self.child = nil
                    crashes += 1
                    // Repeated timeouts back off like crashes, so one stuck program cannot hold
                    // every document for its full timeout.
                    if crashes >= 3 { restartAfter = .now() + min(60, pow(2, Double(crashes - 3))) }
                    logger.warning("no reply within \(Durations.format(settings.timeout)); the program was restarted")
                    throw PluginError("no reply within \(Durations.format(settings.timeout)); the program was restarted")
                case .exited(let status):
                    self.child = nil
                    crashes += 1
                    let wait = min(60, pow(2, Double(crashes - 1)))
                    restartAfter = .now() + wait
                    if !wrote {
                        // It died before it got the document: nothing to say about the document.
                        logger.error("the program had exited (\(status)); restarting in \(Durations.format(wait))")
                        throw PluginError("the program had exited (\(status)); restarting", transient: true)
                    }
                    logger.error("the program exited (\(status)) while reading document \(document.id.map(String.init) ?? "?"); restarting in \(Durations.format(wait))")
                    throw PluginError("the program exited (\(status)) on this document; it is restarted")
                case .lineTooLong:
                    throw PluginError("the reply is longer than \(ExecPlugin.maxLine) bytes")
                case .io(let message):
                    child.kill()
                    self.child = nil
                    throw PluginError(message, transient: !wrote)
                }
            }
        }
    }

    /// The child, started again if it died (after its backoff). A child that exited while
    /// idle is reaped here and replaced.
    private func runningChild() throws -> Child {
        if let child {
            if child.hasExited() {
                logger.warning("the program exited while idle; starting it again")
                self.child = nil
            } else {
                return child
            }
        }
        let now = DispatchTime.now()
        if now < restartAfter {
            let seconds = Double(restartAfter.uptimeNanoseconds - now.uptimeNanoseconds) / 1e9
            throw PluginError("the program failed \(crashes) time(s) in a row; next start in \(Durations.format(max(seconds, 1)))", transient: true)
        }
        var started: Child?
        do {
            let spawned = try Child.spawn(settings, logger: logger)
            started = spawned
            publish(spawned.pid)
            let handshake = try spawned.readHandshake(timeout: max(settings.timeout, 10))
            let again = try ExecPlugin.descriptor(from: handshake, settings: settings)
            if again.version != descriptor.version || again.requires != descriptor.requires {
                logger.warning("the program now says version \(again.version), requires \(again.requires); the daemon keeps \(descriptor.version) until it restarts")
            }
            child = spawned
            logger.notice("program started again (pid \(spawned.pid))")
            return spawned
        } catch {
            started?.kill()
            crashes += 1
            restartAfter = .now() + min(60, pow(2, Double(crashes - 1)))
            throw PluginError("cannot restart the program: \(error)", transient: true)
        }
    }

    /// The running child's pid, for `shutdown` (which must not wait for a request in flight).
    private let pidLock = NSLock()
    private var runningPid: pid_t = 0
    private var stoppedFlag = false
    private var isStopped: Bool { pidLock.withLock { stoppedFlag } }
    private func publish(_ pid: pid_t) { pidLock.withLock { runningPid = pid } }

    static func reply(_ line: [UInt8], id: Int) throws(PluginError) -> Extraction {
        let object: JSON
        do {
            object = try JSON.parse(line)
        } catch {
            throw PluginError("malformed reply: \(error)")
        }
        guard object.members != nil else { throw PluginError("malformed reply: not a JSON object") }
        guard object["id"]?.int == id else { throw PluginError("reply for id \(object["id"].map { "\($0)" } ?? "none"), expected \(id)") }
        if let error = object["error"], !error.isNull { throw PluginError(error.string ?? "\(error)") }
        return try ExtractionJSON.read(object)
    }

    /// Stops the program at once: closes in-flight work (its read returns, the document is
    /// not stored), then tells an idle program to exit.
    public func shutdown() {
        let pid = pidLock.withLock { () -> pid_t in
            stoppedFlag = true
            return runningPid
        }
        if pid > 0 { Glibc.kill(-pid, SIGTERM) }
        lock.withLock {
            child?.close()
            child = nil
        }
    }
}

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
/// its stderr into log lines.
final class Child: @unchecked Sendable {
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

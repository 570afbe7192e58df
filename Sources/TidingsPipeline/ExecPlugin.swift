import CTidingsSys
import Dispatch
import Foundation
import Synchronization
import Glibc
import Logging
import TidingsCore
import TidingsPluginKit

/// A plugin in any language: a long-running program that speaks JSON lines on stdin/stdout
/// (docs/PLUGIN-PROTOCOL.md). One request is in flight at a time. A crash restarts the program
/// with backoff; a timeout kills it and starts it again; a reply that is malformed or over the
/// line limit fails that document only. stderr lines become log lines.
public final class ExecPlugin: PipelineStage, Sendable {
    public static let protocolVersion = 1
    /// Longest reply line accepted.
    public static let maxLine = 1 << 20

    let settings: ExecPluginSettings
    let logger: Logger
    public let descriptor: PluginDescriptor
    public var kind: String { "exec" }

    /// The program and its restart state: one request at a time holds it.
    private struct Session {
        var child: Child?
        var nextID = 0
        var crashes = 0
        var restartAfter: DispatchTime = .now()
    }
    private let session: Mutex<Session>
    /// The running program's pid and whether the daemon is stopping, apart from the session
    /// so that `shutdown` need not wait for a request in flight.
    private let lifecycle: Mutex<(pid: pid_t, stopped: Bool)>

    init(settings: ExecPluginSettings, descriptor: PluginDescriptor, child: sending Child?, logger: Logger) {
        self.settings = settings
        self.descriptor = descriptor
        self.logger = logger
        lifecycle = Mutex((pid: child?.pid ?? 0, stopped: false))
        session = Mutex(Session(child: child))
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

    public func extract(_ document: AnalyzedDocument, context: ExtractionContext) throws -> Extraction {
        try session.withLock { session throws -> Extraction in
            guard !isStopped else { throw PluginError("the daemon is stopping", transient: true) }
            let child = try runningChild(&session)
            session.nextID += 1
            let id = session.nextID
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
                    session.crashes = 0
                    return extraction
                } catch let error as PluginError where error.message.hasPrefix("malformed reply") || error.message.hasPrefix("reply for id") {
                    // Out of step with the program (a stray line, a second reply): start it
                    // afresh so the next document gets its own reply.
                    logger.warning("\(error.message); restarting the program to get back in step")
                    child.kill()
                    session.child = nil
                    throw error
                }
            } catch let failure as ChildFailure {
                if isStopped {
                    child.kill()
                    session.child = nil
                    throw PluginError("the daemon is stopping", transient: true)
                }
                switch failure {
                case .timeout:
                    child.kill()
                    session.child = nil
                    session.crashes += 1
                    // Repeated timeouts back off like session.crashes, so one stuck program cannot hold
                    // every document for its full timeout.
                    if session.crashes >= 3 { session.restartAfter = .now() + min(60, pow(2, Double(session.crashes - 3))) }
                    logger.warning("no reply within \(Durations.format(settings.timeout)); the program was restarted")
                    throw PluginError("no reply within \(Durations.format(settings.timeout)); the program was restarted")
                case .exited(let status):
                    session.child = nil
                    session.crashes += 1
                    let wait = min(60, pow(2, Double(session.crashes - 1)))
                    session.restartAfter = .now() + wait
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
                    session.child = nil
                    throw PluginError(message, transient: !wrote)
                }
            }
        }
    }

    /// The child, started again if it died (after its backoff). A child that exited while
    /// idle is reaped here and replaced.
    private func runningChild(_ session: inout Session) throws -> Child {
        if let child = session.child {
            if child.hasExited() {
                logger.warning("the program exited while idle; starting it again")
                session.child = nil
            } else {
                return child
            }
        }
        let now = DispatchTime.now()
        if now < session.restartAfter {
            let seconds = Double(session.restartAfter.uptimeNanoseconds - now.uptimeNanoseconds) / 1e9
            throw PluginError("the program failed \(session.crashes) time(s) in a row; next start in \(Durations.format(max(seconds, 1)))", transient: true)
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
            session.child = spawned
            logger.notice("program started again (pid \(spawned.pid))")
            return spawned
        } catch {
            started?.kill()
            session.crashes += 1
            session.restartAfter = .now() + min(60, pow(2, Double(session.crashes - 1)))
            throw PluginError("cannot restart the program: \(error)", transient: true)
        }
    }

    private var isStopped: Bool { lifecycle.withLock { $0.stopped } }
    private func publish(_ pid: pid_t) { lifecycle.withLock { $0.pid = pid } }

    /// Stops the program at once: closes in-flight work (its read returns, the document is
    /// not stored), then tells an idle program to exit.
    public func shutdown() {
        let pid = lifecycle.withLock { state -> pid_t in
            state.stopped = true
            return state.pid
        }
        if pid > 0 { Glibc.kill(-pid, SIGTERM) }
        session.withLock { session in
            session.child?.close()
            session.child = nil
        }
    }
}

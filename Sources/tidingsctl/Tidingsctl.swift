import ArgumentParser
import Foundation
import TidingsAdmin
import TidingsCore

/// `tidingsctl`: control a running tidingsd over its admin socket, and read its database.
///
/// Exit codes: 0 ok; 1 the daemon answered with an error; 2 usage; 69 the daemon cannot be
/// reached.
@main
struct Tidingsctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tidingsctl",
        abstract: "Control tidingsd and read what it collected.",
        discussion: """
            Exit codes: 0 ok, 1 error reply from the daemon, 2 usage error, 69 daemon unreachable.
            The socket comes from --socket, else TIDINGS_SOCKET, else /run/tidings/tidingsd.sock.
            """,
        version: TidingsVersion.string,
        subcommands: [
            Status.self, Sources.self, Pause.self, Resume.self, Plugins.self, Reprocess.self, Jobs.self, Reload.self, Shutdown.self,
            Tail.self, Search.self, Show.self, Entities.self, Entity.self, Events.self, ToneCommand.self,
        ])

    /// Maps errors to the documented exit codes (argument-parser's own usage code is 64).
    static func main() {
        do {
            var command = try parseAsRoot(hoistingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch let error as AdminClientError {
            FileHandle.standardError.write(Data("tidingsctl: \(error)\n".utf8))
            switch error {
            case .unreachable: Foundation.exit(ExitCodes.unreachable)
            case .reply, .protocolError: Foundation.exit(ExitCodes.errorReply)
            }
        } catch let error as TidingsError {
            FileHandle.standardError.write(Data("tidingsctl: \(error.message)\n".utf8))
            Foundation.exit(ExitCodes.errorReply)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data("\(message)\n".utf8)) }
            // argument-parser reports usage errors as 64; this tool documents 2.
            Foundation.exit(code == .validationFailure ? ExitCodes.usage : code.rawValue)
        }
    }

    /// `--socket PATH`, `--database PATH` and `--json` may come before the subcommand
    /// (`tidingsctl --socket s status`); argument-parser wants them after it, so they move to the end.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first {
            if first == "--json" {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--socket" || first == "--database", rest.count >= 2 {
                leading.append(contentsOf: rest.prefix(2))
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--socket=") || first.hasPrefix("--database=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        if let separator = rest.firstIndex(of: "--") {
            return Array(rest[..<separator]) + leading + Array(rest[separator...])
        }
        return Array(rest) + leading
    }
}

enum ExitCodes {
    static let errorReply: Int32 = 1
    static let usage: Int32 = 2
    static let unreachable: Int32 = 69
}

/// Options every daemon command takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "The daemon's admin socket (default: $TIDINGS_SOCKET or /run/tidings/tidingsd.sock).")
    var socket: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["TIDINGS_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/run/tidings/tidingsd.sock"
    }

    func client(timeout: Double? = 30) throws -> AdminClient { try AdminClient(path: socketPath, timeout: timeout) }

    /// Calls one method and prints its result: as the daemon sent it with `--json`, else
    /// through `table`.
    func call<M: AdminMethod>(_ method: M.Type, _ params: M.Params, table: (M.Result) throws -> Void) throws {
        let result: JSON = try client().call(method, params)
        if json {
            print(Output.json(result))
        } else {
            try table(AdminClient.decode(result, as: M.Result.self, method: M.name))
        }
    }
}

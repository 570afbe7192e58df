import ArgumentParser
import Dispatch
import Foundation
import Logging
import TidingsCore
import TidingsDaemon
import TidingsFetch

/// `tidingsd`: the news-ingestion daemon.
@main
struct Tidingsd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tidingsd",
        abstract: "Fetch news sources, extract what they say, and keep it in SQLite.",
        version: TidingsVersion.string,
        subcommands: [Run.self, CheckConfig.self, ParseFeed.self, ExtractArticle.self, Analyze.self, Segment.self, TrainTone.self],
        defaultSubcommand: Run.self)

    static func main() {
        // The offline JSON-lines commands run in evaluation pipelines, over and over: in their
        // plain form they skip the argument parser, whose reflection costs milliseconds of
        // start-up each time.
        switch Array(CommandLine.arguments.dropFirst()) {
        case ["parse-feed", "--jsonl"]: ParseFeed.runJSONLines()
        case ["extract-article", "--jsonl"]: ExtractArticle.runJSONLines()
        default: main(nil)
        }
    }
}

/// The process exits with 78 (EX_CONFIG) on a bad config, as sysexits.h has it.
let exitConfigError: Int32 = 78

struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "The TOML config file.")
    var config: String = "/etc/tidings/tidingsd.toml"
}

extension Tidingsd {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the daemon in the foreground (the default).")

        @OptionGroup var options: ConfigOption

        func run() throws {
            Daemon.prepareProcess()
            let workingDirectory = FileManager.default.currentDirectoryPath
            let config: DaemonConfig
            do {
                config = try ConfigLoader.load(path: options.config, workingDirectory: workingDirectory)
            } catch {
                FileHandle.standardError.write(Data("tidingsd: refusing to start: \(error)\n".utf8))
                throw ExitCode(exitConfigError)
            }
            if let failure = Fetcher.libraryError {
                FileHandle.standardError.write(Data("tidingsd: cannot start: \(failure)\n".utf8))
                throw ExitCode.failure
            }
            // Files the daemon creates (database, WAL) are readable by its group, nobody else.
            umask(0o027)
            StderrLogHandler.bootstrap(level: Logger.Level(rawValue: config.logLevel) ?? .info)
            let logger = Logger(label: "tidingsd")
            let daemon: Daemon
            do {
                daemon = try Daemon(config: config, configPath: config.file, workingDirectory: workingDirectory, logger: logger)
                try daemon.start()
            } catch let error as TidingsError where error.code == "config_conflict" {
                logger.critical("refusing to start: \(config.file): \(error.message)")
                throw ExitCode(exitConfigError)
            } catch {
                logger.critical("cannot start: \(error)")
                throw ExitCode.failure
            }
            // The daemon's queues, timers and signal sources live as long as it does: forever,
            // until a stop request exits the process.
            withExtendedLifetime(daemon) { dispatchMain() }
        }
    }

    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config", abstract: "Validate a config file and print what it sets.")

        @OptionGroup var options: ConfigOption

        func run() throws {
            do {
                let config = try ConfigLoader.load(path: options.config)
                print("\(config.file): OK")
                print("  database  \(config.database)")
                print("  socket    \(config.socket) (mode \(String(config.socketMode, radix: 8)))")
                print("  fetch     interval \(Durations.format(config.fetch.interval)), timeout \(Durations.format(config.fetch.timeout)), private networks \(config.fetch.allowPrivateNetworks ? "allowed" : "refused")")
                // What the daemon will fetch with (and a missing libcurl shows here, not at start).
                if let failure = Fetcher.libraryError {
                    FileHandle.standardError.write(Data("tidingsd: \(failure)\n".utf8))
                    throw ExitCode.failure
                }
                print("  libcurl   \(Fetcher.curlVersion)")
                print("  sources   \(config.sources.count)")
                for source in config.sources {
                    print("    \(source.name)  \(source.url)  every \(Durations.format(source.interval))\(source.enabled ? "" : "  (disabled)")")
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(exitConfigError)
            }
        }
    }
}

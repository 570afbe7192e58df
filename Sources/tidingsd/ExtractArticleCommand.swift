import ArgumentParser
import Foundation
import TidingsCore
import TidingsParse

/// `tidingsd extract-article --jsonl`: the article reader without the daemon.
/// In: `{"id", "path": HTML file (.gz accepted), "url"}`; out: `{"id", "title", "text",
/// "author", "published", "language"}` or `{"id", "error"}`, one line each, in order.
struct ExtractArticle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-article", abstract: "Extract article text from HTML pages as the daemon would, as JSON lines.")

    @Flag(help: "Read JSON lines ({\"id\", \"path\", \"url\"}) from stdin; write one JSON line each.")
    var jsonl = false

    @Argument(help: "HTML files (without --jsonl); prints each article's text.")
    var files: [String] = []

    @Flag(help: "With files: print the best-scoring blocks and the ones chosen, instead of the text.")
    var explain = false

    func validate() throws {
        if !jsonl && files.isEmpty { throw ValidationError("give HTML files, or --jsonl with requests on stdin") }
    }

    func run() throws {
        if jsonl {
            ExtractArticle.runJSONLines()
        } else {
            for file in files {
                if explain {
                    let lines = (try? ArticleExtractor.explain(FileBytes.read(file) ?? [], url: nil)) ?? ["unreadable"]
                    print("\(file):\n  " + lines.joined(separator: "\n  "))
                    continue
                }
                let result = ArticleResult(ArticleRequest(id: file, path: file, url: nil))
                print(result.error.map { "\(file): \($0)" } ?? "\(result.title ?? file)\n\n\(result.text ?? "")\n")
            }
        }
    }
}

extension ExtractArticle {
    /// `--jsonl`: requests on stdin, results on stdout, in order.
    static func runJSONLines() {
        JSONLines.tuneAllocator()
        JSONLines.process(JSONLines.read()) { line in ArticleResult(ArticleRequest(line)) }
    }
}

struct ArticleRequest: Sendable {
    var id: String?
    var path: String?
    var url: String?

    init(id: String?, path: String?, url: String?) {
        self.id = id
        self.path = path
        self.url = url
    }

    /// A request line; nil when it is not a JSON object.
    init?(_ line: [UInt8]) {
        guard let object = try? JSON.parse(line), object.members != nil else { return nil }
        // Ids may be strings or numbers.
        id = object["id"]?.string ?? object["id"]?.int.map(String.init) ?? object["id"]?.number.map { String($0) }
        path = object["path"]?.string
        url = object["url"]?.string
    }
}

struct ArticleResult: JSONLineEncodable {
    var id: String?
    var title, text, author, published, language, error: String?

    init(_ request: ArticleRequest?) {
        guard let request, let path = request.path else {
            error = "bad request line: expected {\"id\", \"path\": FILE, \"url\": URL}"
            return
        }
        id = request.id
        guard let bytes = FileBytes.read(path) else {
            error = "cannot read \(path)"
            return
        }
        do {
            let article = try ArticleExtractor.extract(bytes, url: request.url)
            title = article.title
            text = article.text
            author = article.author
            published = article.published.map(Timestamps.iso)
            language = article.language
        } catch {
            self.error = error.message
        }
    }

    func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        if let error {
            json.field("error", error)
        } else {
            json.field("title", title)
            json.field("text", text)
            json.field("author", author)
            json.field("published", published)
            json.field("language", language)
        }
        json.endObject()
    }
}

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
            JSONLines.process(JSONLines.read()) { line in
                let request = try? JSONDecoder().decode(ArticleRequest.self, from: Data(line.utf8))
                return ArticleResult(request)
            }
        } else {
            for file in files {
                if explain {
                    let lines = (try? ArticleExtractor.explain(Array(FileManager.default.contents(atPath: file) ?? Data()), url: nil)) ?? ["unreadable"]
                    print("\(file):\n  " + lines.joined(separator: "\n  "))
                    continue
                }
                let result = ArticleResult(ArticleRequest(id: file, path: file, url: nil))
                print(result.error.map { "\(file): \($0)" } ?? "\(result.title ?? file)\n\n\(result.text ?? "")\n")
            }
        }
    }
}

struct ArticleRequest: Decodable, Sendable {
    var id: String?
    var path: String?
    var url: String?

    enum CodingKeys: String, CodingKey { case id, path, url }

    init(id: String?, path: String?, url: String?) {
        self.id = id
        self.path = path
        self.url = url
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Ids may be strings or numbers.
        id = (try? container.decode(String.self, forKey: .id)) ?? (try? container.decode(Int.self, forKey: .id)).map(String.init)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        url = try container.decodeIfPresent(String.self, forKey: .url)
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
        guard let data = FileManager.default.contents(atPath: path) else {
            error = "cannot read \(path)"
            return
        }
        do {
            let article = try ArticleExtractor.extract(Array(data), url: request.url)
            title = article.title
            text = article.text
            author = article.author
            published = article.published.map(Timestamps.iso)
            language = article.language
        } catch {
            self.error = error.message
        }
    }

    func jsonLine(into out: inout String) {
        var object = JSONObjectWriter()
        object.field("id", id)
        if let error {
            object.field("error", error)
        } else {
            object.field("title", title)
            object.field("text", text)
            object.field("author", author)
            object.field("published", published)
            object.field("language", language)
        }
        out += object.close()
    }
}

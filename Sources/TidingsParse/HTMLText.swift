/// Turns an HTML fragment or page into plain text: one paragraph per line, whitespace
/// collapsed, scripts and styles dropped. The article extractor of a later stage builds on it.
public enum HTMLText {
    static let blocks: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "blockquote",
        "pre", "section", "article", "header", "footer", "dd", "dt", "figcaption", "hr",
    ]
    static let skipped: Set<String> = ["script", "style", "noscript", "template", "head", "iframe", "svg"]

    /// Plain text of `html`. Text without any markup comes back with whitespace collapsed.
    public static func plainText(_ html: String) -> String {
        guard html.utf8.contains(0x3C) || html.utf8.contains(0x26) else { return collapse(html) }
        guard let document = XMLDocument(html: Array(html.utf8), url: nil), let root = document.root else {
            return collapse(html)
        }
        var paragraphs: [String] = []
        var current = ""
        func breakParagraph() {
            let line = collapse(current)
            if !line.isEmpty { paragraphs.append(line) }
            current = ""
        }
        func walk(_ node: XMLNode) {
            if node.isText {
                current += node.content
                return
            }
            guard node.isElement else { return }
            let name = node.name
            if skipped.contains(name) { return }
            let block = blocks.contains(name)
            if block { breakParagraph() }
            for child in node.children { walk(child) }
            if block { breakParagraph() }
        }
        walk(root)
        breakParagraph()
        return paragraphs.joined(separator: "\n")
    }

    /// Collapses runs of whitespace (including no-break spaces) into single spaces.
    static func collapse(_ text: String) -> String {
        text.collapsingWhitespace()
    }
}

/// Cleans HTML from feeds into a safe subset: elements are kept without attributes (so no
/// scripts, event handlers or `javascript:` links survive), the contents of script, style,
/// applet, object and similar elements are dropped, and text is re-escaped.
public enum HTMLSanitizer {
    /// Elements dropped with everything inside them; other elements lose only their attributes.
    static let dropped: Set<String> = ["script", "style", "applet", "template"]
    static let void: Set<String> = ["br", "hr", "img", "area", "col", "wbr", "input", "param", "source", "track"]

    /// The cleaned HTML. Text without markup comes back unchanged.
    public static func clean(_ html: String) -> String {
        guard html.utf8.contains(0x3C) || html.utf8.contains(0x26) else { return html }
        guard let document = XMLDocument(html: Array(html.utf8), url: nil), let root = document.root else { return escape(html) }
        var out = ""
        func walk(_ node: XMLNode) {
            if node.isText {
                out += escape(node.content)
                return
            }
            guard node.isElement else { return }
            let name = node.name
            if dropped.contains(name) { return }
            let wrapper = name == "html" || name == "body"
            if !wrapper { out += "<\(name)>" }
            for child in node.children { walk(child) }
            if !wrapper && !void.contains(name) { out += "</\(name)>" }
        }
        walk(root)
        return out
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}

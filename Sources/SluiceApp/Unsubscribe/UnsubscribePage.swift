import SluiceCrypto

/// The minimal HTML pages of `/u/{token}` (no scripts, no external resources).
enum UnsubscribePage {
    /// The confirmation page: a button that POSTs `List-Unsubscribe=One-Click` back to the same URL.
    static func confirm(_ token: UnsubscribeToken) -> String {
        let what = token.list.map { "from the list “\(escape($0))”" } ?? "from all our mail"
        return layout("""
            <h1>Unsubscribe</h1>
            <p>Stop sending mail to <strong>\(escape(masked(token.recipient)))</strong> \(what)?</p>
            <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">\
            <button type="submit">Unsubscribe</button></form>
            """)
    }

    static func done(_ token: UnsubscribeToken) -> String {
        layout("<h1>Unsubscribed</h1><p>\(escape(masked(token.recipient))) will receive no more of this mail.</p>")
    }

    static func message(_ text: String) -> String { layout("<h1>Unsubscribe</h1><p>\(escape(text))</p>") }

    /// `j***@example.com`: enough for the recipient to recognise, little for anyone else.
    static func masked(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@"), at > address.startIndex else { return "***" }
        return String(address[address.startIndex]) + "***" + address[at...]
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    private static func layout(_ body: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">\
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Unsubscribe</title>\
        <style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1rem}</style>\
        </head><body>\(body)</body></html>
        """
    }
}

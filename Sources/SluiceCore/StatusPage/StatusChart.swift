import Foundation

/// The inline SVG bar chart of the status page: sends on top, bounces and complaints below, each on its own scale.
enum StatusChart {
    static func svg(_ buckets: [ChartBucket]) -> String {
        let width = 720.0, left = 60.0, right = 10.0
        let topY = 20.0, topH = 120.0, bottomY = 170.0, bottomH = 70.0, height = 270.0
        let n = max(1, buckets.count)
        let slot = (width - left - right) / Double(n)
        let peakSends = buckets.map(\.sends).max() ?? 0
        let peakFeedback = buckets.map { max($0.bounces, $0.complaints) }.max() ?? 0
        // Scale divisors never zero; labels show the real peaks.
        let maxSends = max(1, peakSends), maxFeedback = max(1, peakFeedback)

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
            + "viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"sends, bounces and complaints over 7 days\">\n"
        out += "<text x=\"\(f(left))\" y=\"12\" font-size=\"11\">Sends (max \(peakSends))</text>\n"
        out += "<text x=\"\(f(left))\" y=\"\(f(bottomY - 8))\" font-size=\"11\">"
            + "<tspan fill=\"#d97706\">Bounces</tspan> / <tspan fill=\"#dc2626\">complaints</tspan> (max \(peakFeedback))</text>\n"
        out += line(left, topY + topH, width - right, topY + topH)
        out += line(left, bottomY + bottomH, width - right, bottomY + bottomH)
        for (i, b) in buckets.enumerated() {
            let x = left + Double(i) * slot
            let label = HTMLEscape.escape(b.start.ISO8601Format())
            let sendsH = topH * Double(b.sends) / Double(maxSends)
            out += rect(x + slot * 0.1, topY + topH - sendsH, slot * 0.8, sendsH, "#2563eb", "\(label): \(b.sends) sends")
            let bounceH = bottomH * Double(b.bounces) / Double(maxFeedback)
            let complaintH = bottomH * Double(b.complaints) / Double(maxFeedback)
            out += rect(x + slot * 0.1, bottomY + bottomH - bounceH, slot * 0.4, bounceH, "#d97706", "\(label): \(b.bounces) bounces")
            out += rect(x + slot * 0.5, bottomY + bottomH - complaintH, slot * 0.4, complaintH, "#dc2626",
                        "\(label): \(b.complaints) complaints")
            // Label each UTC midnight with its month-day.
            if Int(b.start.timeIntervalSince1970) % 86_400 == 0 {
                let day = String(b.start.ISO8601Format().dropFirst(5).prefix(5))
                out += "<text x=\"\(f(x))\" y=\"\(f(height - 4))\" font-size=\"10\">\(HTMLEscape.escape(day))</text>\n"
            }
        }
        out += "</svg>"
        return out
    }

    private static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ fill: String, _ title: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"\(fill)\"><title>\(title)</title></rect>\n"
    }

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"#999\"/>\n"
    }

    private static func f(_ v: Double) -> String { RateFormat.number(v, decimals: 1) }
}

package org.covidct.app.report;

import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML page: inline CSS, every image a data: URI, no script and no other file,
 * so it opens from disk in any browser with no server.
 */
public final class HtmlReport {
    private static final String STYLE = """
            body { font-family: sans-serif; margin: 24px auto; max-width: 1200px; color: #222; }
            h1 { margin-bottom: 4px; }
            h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 32px; }
            table { border-collapse: collapse; margin: 8px 0; }
            th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
            th { background: #f2f2f2; }
            figure { display: inline-block; margin: 8px; vertical-align: top; }
            figure.plot img { max-width: 560px; }
            .gallery { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px; }
            .gallery figure { margin: 0; }
            .gallery img { width: 100%; image-rendering: auto; }
            figcaption { font-size: 12px; color: #444; overflow-wrap: anywhere; }
            .note { color: #666; font-style: italic; }
            """;

    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlReport(String title) {
        this.title = title;
        body.append("<h1 id=\"title\">").append(escape(title)).append("</h1>\n");
    }

    public HtmlReport heading(String text) {
        body.append("<h2>").append(escape(text)).append("</h2>\n");
        return this;
    }

    public HtmlReport subheading(String text) {
        body.append("<h3>").append(escape(text)).append("</h3>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    public HtmlReport note(String text) {
        body.append("<p class=\"note\">").append(escape(text)).append("</p>\n");
        return this;
    }

    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<table>\n<tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            row.forEach(c -> body.append("<td>").append(escape(c)).append("</td>"));
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    public HtmlReport keyValues(Map<String, String> entries) {
        return table(List.of("setting", "value"),
                entries.entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList());
    }

    /** A link to {@code href}, a URL or a path relative to the page, shown as {@code text}. */
    public record Link(String text, String href) {
    }

    /** A bulleted list of links. */
    public HtmlReport links(List<Link> links) {
        body.append("<ul>\n");
        for (Link l : links) {
            body.append("<li><a href=\"").append(escape(l.href())).append("\">").append(escape(l.text()))
                    .append("</a></li>\n");
        }
        body.append("</ul>\n");
        return this;
    }

    /** A PNG with a caption. */
    public HtmlReport figure(String caption, byte[] png) {
        body.append("<figure class=\"plot\">").append(img(caption, png)).append("<figcaption>").append(escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** One captioned PNG tile. */
    public record Tile(String caption, byte[] png) {
    }

    public HtmlReport gallery(List<Tile> tiles) {
        body.append("<div class=\"gallery\">\n");
        for (Tile t : tiles) {
            body.append("<figure>").append(img(t.caption(), t.png())).append("<figcaption>").append(escape(t.caption()))
                    .append("</figcaption></figure>\n");
        }
        body.append("</div>\n");
        return this;
    }

    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title)
                + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
    }

    private static String img(String alt, byte[] png) {
        return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\">";
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

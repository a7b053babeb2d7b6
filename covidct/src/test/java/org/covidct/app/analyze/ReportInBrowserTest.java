package org.covidct.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html in a real browser (Debian's chromium, headless): every image loads, nothing is
 * logged to the console, and a screenshot shows the report. Skipped, saying why, where chromium
 * is not installed (.ci/run installs it).
 */
class ReportInBrowserTest {
    /** Records errors and broken images, then writes what it found into the DOM once the page has loaded. */
    private static final String PROBE = """
            <script>
            window.probeErrors = [];
            window.addEventListener('error', e => window.probeErrors.push(e.message
                || 'failed to load ' + (e.target && (e.target.src || e.target.href))), true);
            window.addEventListener('load', () => {
              const images = Array.from(document.images);
              const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt);
              const marker = document.createElement('pre');
              marker.id = 'probe';
              marker.textContent = 'probe images=' + images.length + ' broken=' + broken.length + ' ['
                  + broken.join('|') + '] errors=' + window.probeErrors.length + ' [' + window.probeErrors.join('|') + ']';
              document.body.appendChild(marker);
            });
            </script>
            """;

    @TempDir
    Path dir;

    @Test
    void theReportRendersWithEveryImageAndNoConsoleError() throws IOException, InterruptedException {
        Path work = Files.createDirectories(dir.resolve("browser"));
        HeadlessChromium chromium = HeadlessChromium.find(work).orElse(null);
        Assumptions.assumeTrue(chromium != null,
                "chromium is not installed (apt-get install -y chromium; .ci/run does it): the report's browser check needs it");

        Path run = NarrowRun.create(dir);
        RunAnalysis.Result result = new RunAnalysis(NarrowRun.MODELS, new PrintStream(new ByteArrayOutputStream()))
                .run(run, null, 10, null);
        String html = Files.readString(result.report());
        int embedded = count(Pattern.compile("<img "), html);
        assertTrue(embedded >= 10, "the report embeds " + embedded + " images");

        Path probe = work.resolve("probe.html");
        Files.writeString(probe, html.replaceFirst("<head>", "<head>\n" + Matcher.quoteReplacement(PROBE)));
        HeadlessChromium.Output dom = chromium.dumpDom(probe);
        Matcher m = Pattern.compile("probe images=(\\d+) broken=(\\d+) \\[(.*?)\\] errors=(\\d+) \\[(.*?)\\]")
                .matcher(dom.stdout());
        assertTrue(m.find(), "the page never finished loading; DOM:\n" + tail(dom.stdout()) + "\nlog:\n" + dom.stderr());
        assertEquals(embedded, Integer.parseInt(m.group(1)), "images in the rendered DOM");
        assertEquals("0", m.group(2), "broken images: " + m.group(3));
        assertEquals("0", m.group(4), "page errors: " + m.group(5));
        List<String> console = dom.stderr().lines().filter(l -> l.contains(":CONSOLE")).toList();
        assertEquals(List.of(), console, "console messages");
        assertTrue(dom.stdout().contains("<title>COVID-CT run report</title>"), "the DOM is the report's");

        Path shot = work.resolve("report.png");
        chromium.screenshot(result.report(), shot, 1280, 4000);
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1280, img.getWidth());
        double inked = fraction(img, 0, img.getHeight(), (r, g, b) -> r + g + b < 3 * 235);
        // A blank page has none; the report's first 4000 px, mostly tables of metrics, about 4%.
        assertTrue(inked > 0.02, "the screenshot is nearly blank: " + inked + " of its pixels are not white");
        double titleInk = fraction(img, 0, 90, (r, g, b) -> r + g + b < 3 * 100);
        assertTrue(titleInk > 0.002, "no dark title text in the top band: " + titleInk);
        double colour = fraction(img, 0, img.getHeight(), (r, g, b) -> Math.max(r, Math.max(g, b))
                - Math.min(r, Math.min(g, b)) > 120);
        assertTrue(colour > 0.001, "no saturated colour (plots, heat maps) on the screenshot: " + colour);
    }

    @FunctionalInterface
    private interface PixelTest {
        boolean test(int r, int g, int b);
    }

    private static double fraction(BufferedImage img, int top, int bottom, PixelTest test) {
        long hits = 0, all = 0;
        for (int y = top; y < Math.min(bottom, img.getHeight()); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                hits += test.test(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF) ? 1 : 0;
                all++;
            }
        }
        return hits / (double) all;
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }
}

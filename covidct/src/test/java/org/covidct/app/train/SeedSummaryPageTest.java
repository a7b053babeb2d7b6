package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary.html: the per-seed table with the mean ± standard deviation, and the links to each seed's report. */
class SeedSummaryPageTest {
    @TempDir
    Path out;

    /** Seeds 7 and 8 finish (test accuracy 0.6 and 0.8; only seed 7 analysed); seed 9 fails with markup in its error. */
    private String page() throws IOException {
        SeedRuns.run(out, List.of(7L, 8L, 9L), (seed, dir) -> {
            if (seed == 9) {
                throw new IllegalStateException("bad <data> & \"labels\"");
            }
            SyntheticRuns.metrics(dir, 0.5, seed == 7 ? 0.75 : 0.625);
            SyntheticRuns.testMetrics(dir, seed == 7 ? 0.6 : 0.8, 0.7, null);
            if (seed == 7) {
                Files.writeString(dir.resolve("report.html"), "<html></html>");
            }
        }, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        return Files.readString(out.resolve("summary.html"));
    }

    @Test
    void perSeedTableWithMeanAndStandardDeviation() throws IOException {
        String html = page();
        assertTrue(html.contains("<tr><th>seed</th><th>status</th><th>best val accuracy</th><th>epochs trained</th>"
                + "<th>test accuracy</th><th>test ROC AUC</th><th>test ECE</th><th>test Brier</th></tr>"), html);
        assertTrue(html.contains("<tr><td>7</td><td>ok</td><td>0.7500</td><td>2</td><td>0.6000</td><td>0.7000</td>"
                + "<td>0.1000</td><td>0.2000</td></tr>"), html);
        assertTrue(html.contains("<tr><td>9</td><td>failed: bad &lt;data&gt; &amp; &quot;labels&quot;</td>"
                + "<td>failed</td>"), html);
        // test accuracy 0.6 and 0.8: mean 0.7, std sqrt(2 x 0.1^2 / 1) = 0.1414 (population: 0.1).
        assertTrue(html.contains("<tr><td>mean ± std</td><td></td><td>0.6875 ± 0.0884</td><td>2.00 ± 0.00</td>"
                + "<td>0.7000 ± 0.1414</td><td>0.7000 ± 0.0000</td>"), html);
        assertTrue(html.contains("<p>3 seeds (7, 8, 9): 2 finished, 1 failed; mean ± sample standard deviation (n - 1) "
                + "over the finished runs.</p>"), html);
    }

    @Test
    void linksEachSeedsReportWhereThereIsOne() throws IOException {
        String html = page();
        assertTrue(html.contains("<ul>\n<li><a href=\"seed-7/report.html\">seed 7: seed-7/report.html</a></li>\n</ul>"),
                html);
        assertFalse(html.contains("href=\"seed-8/"), html);
        assertTrue(html.contains("No report.html for seed 8, 9 ("), html);
    }

    @Test
    void everyMetricTableHoldsEachSeedsValue() throws IOException {
        String html = page();
        assertTrue(html.contains("<tr><th>metric</th><th>n</th><th>mean ± std</th><th>seed 7</th><th>seed 8</th>"
                + "<th>seed 9</th></tr>"), html);
        assertTrue(html.contains("<tr><td>test.accuracy_ci.high</td><td>2</td><td>0.9000 ± 0.0000</td><td>0.9000</td>"
                + "<td>0.9000</td><td>failed</td></tr>"), html);
        assertEquals(1, html.split("<td>test.accuracy</td>", -1).length - 1);
    }
}

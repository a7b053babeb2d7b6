package org.covidct.app.train;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.covidct.app.report.HtmlReport;

/**
 * summary.html: the headline metrics of every seed with their mean ± standard deviation, a link to
 * each seed's report.html, and every metric's values and statistics.
 */
final class SeedSummaryPage {
    private SeedSummaryPage() {
    }

    static String html(SeedSummary summary) {
        HtmlReport page = new HtmlReport("Runs over several seeds");
        page.paragraph(summary.headline() + ".");

        page.heading("Per seed");
        List<String> header = new ArrayList<>(List.of("seed", "status"));
        List<String> shown = summary.metricNames().stream().filter(SeedSummary.HEADLINE::containsKey).toList();
        shown.forEach(m -> header.add(SeedSummary.HEADLINE.get(m)));
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> cells = shown.stream().map(summary::cells).toList();
        for (int r = 0; r < summary.runs().size(); r++) {
            SeedSummary.SeedRun run = summary.runs().get(r);
            List<String> row = new ArrayList<>(List.of(Long.toString(run.seed()),
                    run.failed() ? "failed: " + run.error() : "ok"));
            for (List<String> metric : cells) {
                row.add(metric.get(r));
            }
            rows.add(row);
        }
        List<String> meanRow = new ArrayList<>(List.of("mean ± std", ""));
        shown.forEach(m -> meanRow.add(summary.meanStd(m)));
        rows.add(meanRow);
        page.table(header, rows);

        page.heading("Each seed's report");
        List<HtmlReport.Link> links = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (SeedSummary.SeedRun run : summary.runs()) {
            String dir = run.runDir().getFileName().toString();
            if (Files.isRegularFile(new RunDirectory(run.runDir()).report())) {
                links.add(new HtmlReport.Link("seed " + run.seed() + ": " + dir + "/report.html",
                        dir + "/report.html"));
            } else {
                missing.add(Long.toString(run.seed()));
            }
        }
        if (!links.isEmpty()) {
            page.links(links);
        }
        if (!missing.isEmpty()) {
            page.note("No report.html for seed " + String.join(", ", missing) + " (a failed run, or one trained "
                    + "with --no-analyze; `covidct analyze --run DIR` makes it for a finished run).");
        }

        page.heading("Every metric");
        page.note("Every number of the runs' test_metrics.json, named by its path, after the two of metrics.json; "
                + "the deviation is the sample one (n - 1 in the denominator), and a metric of one run shows its "
                + "value alone. summary.csv and summary.json hold the same to full precision.");
        List<String> allHeader = new ArrayList<>(List.of("metric", "n", "mean ± std"));
        summary.runs().forEach(r -> allHeader.add("seed " + r.seed()));
        List<List<String>> all = new ArrayList<>();
        for (String m : summary.metricNames()) {
            List<String> row = new ArrayList<>(List.of(m, Integer.toString(summary.stats(m).orElseThrow().count()),
                    summary.meanStd(m)));
            row.addAll(summary.cells(m));
            all.add(row);
        }
        page.table(allHeader, all);
        return page.html();
    }
}

package org.covidct.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepSummaryTest {
    private static SweepResult ok(SweepPoint p, double accuracy, double auc) {
        LinkedHashMap<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test.accuracy", accuracy);
        metrics.put("test.roc_auc", auc);
        return new SweepResult(p, null, "/runs/" + p.name(), 12.34, metrics);
    }

    @Test
    void tablesPerPointAndPerSetting() {
        List<SweepPoint> points = SweepGrid.parse(List.of("seeds=0,1,2", "lr=0.001,0.01")).points();
        List<SweepResult> results = List.of(
                ok(points.get(0), 0.5, 0.6), ok(points.get(1), 0.75, 0.8),
                ok(points.get(2), 0.625, 0.7), new SweepResult(points.get(3), "diverged, at 1e30", "/runs/p03",
                        1.0, new LinkedHashMap<>()),
                ok(points.get(4), 0.75, 0.8), ok(points.get(5), 0.25, 0.9));
        List<String> keys = List.of("seed", "lr");
        assertEquals("""
                point,seed,lr,status,error,run_dir,seconds,test.accuracy,test.roc_auc
                p00-seed-0_lr-0.001,0,0.001,ok,,/runs/p00-seed-0_lr-0.001,12.3,0.5,0.6
                p01-seed-0_lr-0.01,0,0.01,ok,,/runs/p01-seed-0_lr-0.01,12.3,0.75,0.8
                p02-seed-1_lr-0.001,1,0.001,ok,,/runs/p02-seed-1_lr-0.001,12.3,0.625,0.7
                p03-seed-1_lr-0.01,1,0.01,failed,"diverged, at 1e30",/runs/p03,1.0,,
                p04-seed-2_lr-0.001,2,0.001,ok,,/runs/p04-seed-2_lr-0.001,12.3,0.75,0.8
                p05-seed-2_lr-0.01,2,0.01,ok,,/runs/p05-seed-2_lr-0.01,12.3,0.25,0.9
                """, SweepSummary.pointsCsv(keys, results));
        // lr 0.001: accuracy 0.5, 0.625, 0.75 (mean 0.625, std 0.125); AUC 0.6, 0.7, 0.8 (mean 0.7, std 0.1).
        // lr 0.01: one failed; accuracy 0.75, 0.25 (mean 0.5, std 0.3535533905932738); AUC 0.8, 0.9.
        String[] lines = SweepSummary.bySettingCsv(keys, results).split("\n");
        assertEquals("lr,runs,failed,test.accuracy.mean,test.accuracy.std,test.roc_auc.mean,test.roc_auc.std", lines[0]);
        assertRow(lines[1], "0.001", 3, 0, 0.625, 0.125, 0.7, 0.1);
        assertRow(lines[2], "0.01", 3, 1, 0.5, 0.3535533905932738, 0.85, 0.07071067811865474);
        assertEquals(3, lines.length);
    }

    private static void assertRow(String line, String lr, int runs, int failed, double... meanStd) {
        String[] f = line.split(",");
        assertEquals(lr, f[0]);
        assertEquals(runs, Integer.parseInt(f[1]));
        assertEquals(failed, Integer.parseInt(f[2]));
        for (int i = 0; i < meanStd.length; i++) {
            assertEquals(meanStd[i], Double.parseDouble(f[3 + i]), 1e-12, line);
        }
    }

    @Test
    void aSingleRunHasNoDeviation() {
        List<SweepPoint> points = SweepGrid.parse(List.of("lr=0.001,0.01")).points();
        String csv = SweepSummary.bySettingCsv(List.of("lr"), List.of(ok(points.get(0), 0.5, 0.6),
                new SweepResult(points.get(1), "failed", "/runs/p01", 1.0, new LinkedHashMap<>())));
        assertEquals("""
                lr,runs,failed,test.accuracy.mean,test.accuracy.std,test.roc_auc.mean,test.roc_auc.std
                0.001,1,0,0.5,,0.6,
                0.01,1,1,,,,
                """, csv);
    }
}

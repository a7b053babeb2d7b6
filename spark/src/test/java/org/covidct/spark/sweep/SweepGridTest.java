package org.covidct.spark.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepGridTest {
    @Test
    void everyCombinationTheLastKeyFastest() {
        SweepGrid grid = SweepGrid.parse(List.of("seeds=0,1,2", "lr=0.001,0.01"));
        assertEquals(List.of("seed", "lr"), grid.keys());
        List<SweepPoint> points = grid.points();
        assertEquals(6, points.size());
        assertEquals(List.of("p00-seed-0_lr-0.001", "p01-seed-0_lr-0.01", "p02-seed-1_lr-0.001", "p03-seed-1_lr-0.01",
                "p04-seed-2_lr-0.001", "p05-seed-2_lr-0.01"), points.stream().map(SweepPoint::name).toList());
        assertEquals(Map.of("seed", "1", "lr", "0.01"), points.get(3).settings());
        assertEquals(Map.of("lr", "0.01"), points.get(3).setting(), "the setting leaves out the seed");
    }

    @Test
    void namesAWeightFileByItsFileName() {
        SweepPoint p = SweepGrid.parse(List.of("weights=none,/shared/w/vgg11 bn.pth", "arch=vgg11_bn")).points().get(1);
        assertEquals("p01-weights-vgg11-bn.pth_arch-vgg11_bn", p.name());
    }

    /** The executors resolve paths elsewhere: the driver makes the weight files absolute. */
    @Test
    void namesWeightFilesByAbsolutePaths() {
        SweepGrid grid = SweepGrid.parse(List.of("weights=none,w.pth", "lr=0.1")).withAbsoluteWeights();
        assertEquals(List.of("none", Path.of("w.pth").toAbsolutePath().toString()), grid.values().get("weights"));
        assertEquals(List.of("0.1"), grid.values().get("lr"));
        assertEquals(List.of("weights", "lr"), grid.keys());
    }

    @Test
    void refusesMalformedArguments() {
        assertEquals("--grid lr: expected KEY=V1,V2,... with KEY one of [accumulate, arch, batch-size, epochs, "
                        + "image-size, lr, momentum, patience, recipe, seed, weights]",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("lr"))).getMessage());
        assertEquals("--grid rate=0.1: unknown key 'rate'; the keys are [accumulate, arch, batch-size, epochs, "
                        + "image-size, lr, momentum, patience, recipe, seed, weights] (seeds is seed)",
                assertThrows(IllegalArgumentException.class, () -> SweepGrid.parse(List.of("rate=0.1"))).getMessage());
        assertEquals("--grid seed=1: seed is given twice", assertThrows(IllegalArgumentException.class,
                () -> SweepGrid.parse(List.of("seeds=0", "seed=1"))).getMessage());
        assertEquals("--grid lr=0.1,,0.2: an empty value", assertThrows(IllegalArgumentException.class,
                () -> SweepGrid.parse(List.of("lr=0.1,,0.2"))).getMessage());
        assertEquals("--grid lr=0.1,0.1: 0.1 is given twice", assertThrows(IllegalArgumentException.class,
                () -> SweepGrid.parse(List.of("lr=0.1,0.1"))).getMessage());
    }
}

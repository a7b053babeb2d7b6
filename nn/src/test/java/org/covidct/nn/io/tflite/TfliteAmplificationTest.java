package org.covidct.nn.io.tflite;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.covidct.nn.io.WeightFileException;
import org.covidct.nn.io.tflite.FlatBufferWriter.Table;
import org.covidct.nn.io.tflite.FlatBufferWriter.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files whose offsets point many times at one table, so that a few hundred kilobytes describe
 * gigabytes: the reader refuses them with one line naming the file, and allocates little on the
 * way, instead of copying the shared data once per reference. A huge shape is abbreviated in
 * messages.
 */
class TfliteAmplificationTest {
    /** 50,000 references to 50,000 values: a 400 KB file describing 2.5 billion. */
    private static final int REFERENCES = 50_000;
    private static final int VALUES = 50_000;
    /** A few times the file (reading it measured 1 to 3 MB), far below the 10 GB it describes. */
    private static final long ALLOCATION_LIMIT = 16L << 20;

    @TempDir
    Path dir;

    @Test
    void tensorsSharingOneHugeShapeAreRefused() throws IOException {
        Table tensor = new Table().child(0, Vector.ints(new int[VALUES])).int32(2, 0);
        Table graph = new Table().child(0, Vector.of(Collections.nCopies(REFERENCES, tensor)));
        assertRefusedCheaply(graph, "subgraphs[0].tensors[", ".shape");
    }

    @Test
    void operatorsSharingOneHugeInputListAreRefused() throws IOException {
        Table tensor = new Table().child(0, Vector.ints(1)).int32(2, 0);
        Table operator = new Table().child(1, Vector.ints(new int[VALUES]));
        Table graph = new Table().child(0, Vector.of(List.of(tensor)))
                .child(3, Vector.of(Collections.nCopies(REFERENCES, operator)));
        assertRefusedCheaply(graph, "subgraphs[0].operators[", ".inputs");
    }

    @Test
    void aHugeShapeIsAbbreviatedInTheMessage() throws IOException {
        int[] shape = new int[VALUES];
        shape[VALUES - 1] = -1;
        Table tensor = new Table().child(0, Vector.ints(shape)).int32(2, 0);
        Path file = write(new Table().child(0, Vector.of(List.of(tensor))));
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfliteModel.read(file));
        assertTrue(e.getMessage().endsWith("has shape [0, 0, 0, 0, 0, 0, 0, 0, ... (50000 dimensions)]"),
                e.getMessage());
    }

    /** A model around {@code graph} with one ADD operator code and the empty buffer 0. */
    private Path write(Table graph) throws IOException {
        Table model = new Table().int32(0, 3).child(1, Vector.of(List.of(new Table())))
                .child(2, Vector.of(List.of(graph))).child(4, Vector.of(List.of(new Table())));
        return Files.write(dir.resolve("amplified.tflite"), FlatBufferWriter.write(model, "TFL3"));
    }

    private void assertRefusedCheaply(Table graph, String... fragments) throws IOException {
        Path file = write(graph);
        assertTrue(Files.size(file) < 1 << 20, Files.size(file) + " bytes");

        long allocatedBefore = allocatedByThisThread();
        WeightFileException e = assertThrows(WeightFileException.class, () -> TfliteModel.read(file));
        long allocated = allocatedByThisThread() - allocatedBefore;

        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": ") && m.contains("asks for more work than the file's size allows"), m);
        for (String fragment : fragments) {
            assertTrue(m.contains(fragment), m);
        }
        assertFalse(m.contains("\n"), m);
        assertTrue(allocated < ALLOCATION_LIMIT, "reading the file allocated " + allocated + " bytes");
    }

    /** What this thread has allocated so far, from the JDK's thread bean. */
    private static long allocatedByThisThread() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}

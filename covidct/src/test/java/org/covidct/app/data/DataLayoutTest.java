package org.covidct.app.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.covidct.app.TinyCollections;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.LabelledDataset;
import org.covidct.nn.data.LabelledFile;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --data is told apart by what it is, and COVID-CT reads as a labelled data set exactly as its split files list it. */
class DataLayoutTest {
    @TempDir
    Path dir;

    @Test
    void aCovidCtCheckoutIsItsSplitFilesInTheirOrder() throws IOException {
        Path root = dir.resolve("covid-ct");
        CovidCtDatasetTest.writeTree(root);
        assertEquals(DataLayout.COVID_CT, DataLayout.of(root));
        LabelledDataset read = DataLayout.COVID_CT.read(root);
        CovidCtDataset covidCt = new CovidCtDataset(root);

        assertEquals(List.of("CT_NonCOVID", "CT_COVID"), read.classes());
        assertEquals("CT_COVID", read.positiveClass().orElseThrow());
        assertTrue(read.isSplit());
        List<Sample> all = new ArrayList<>();
        for (Split split : Split.values()) {
            assertEquals(covidCt.split(split.id()), read.samples(split), split.id());
            all.addAll(covidCt.split(split.id()));
        }
        assertEquals(all, read.files().stream().map(LabelledFile::sample).toList(), "train, val, test in order");
        List<Path> splitFiles = new ArrayList<>();
        for (String split : CovidCtDataset.SPLITS) {
            splitFiles.add(covidCt.splitFile(split, CovidCtDataset.NON_COVID));
            splitFiles.add(covidCt.splitFile(split, CovidCtDataset.COVID));
        }
        assertEquals(splitFiles, read.indexFiles());
        List<Path> dependencies = new ArrayList<>(splitFiles);
        all.forEach(sample -> dependencies.add(sample.path()));
        assertEquals(dependencies, read.dependencies(), "data.sha256 covers the split files and their images");
        assertEquals(root, DataLayout.COVID_CT.root(root));
    }

    @Test
    void aFolderIsAnImageFolderTreeAndAFileAManifest() throws IOException {
        Path tree = TinyCollections.imageFolder(dir.resolve("tree"), Map.of("covid", 3, "normal", 2), "covid", 8, 1);
        assertEquals(DataLayout.IMAGE_FOLDER, DataLayout.of(tree));
        assertEquals(List.of("covid", "normal"), DataLayout.IMAGE_FOLDER.read(tree).classes());
        assertEquals(tree, DataLayout.IMAGE_FOLDER.root(tree));

        Path manifest = TinyCollections.groupedManifest(dir.resolve("csv"), new String[] {"a", "b"}, 4, "b", 8, 2);
        assertEquals(DataLayout.CSV_MANIFEST, DataLayout.of(manifest));
        assertEquals(7, DataLayout.CSV_MANIFEST.read(manifest).files().size());
        assertEquals(dir.resolve("csv").toAbsolutePath(), DataLayout.CSV_MANIFEST.root(manifest));

        assertEquals(DataLayout.IMAGE_FOLDER, DataLayout.byId("image-folder"));
        assertEquals(null, DataLayout.byId("imagefolder"));
        Path missing = dir.resolve("nowhere");
        DatasetException e = assertThrows(DatasetException.class, () -> DataLayout.of(missing));
        assertEquals(missing + " does not exist (--data takes a COVID-CT checkout, an ImageFolder tree or a CSV "
                + "manifest)", e.getMessage());
    }

    @Test
    void aBrokenLayoutIsOneLineNamingTheFile() throws IOException {
        Path tree = TinyCollections.imageFolder(dir.resolve("tree"), Map.of("covid", 2, "normal", 2), "covid", 8, 1);
        Files.createDirectories(tree.resolve("empty"));
        DatasetException empty = assertThrows(DatasetException.class, () -> DataLayout.IMAGE_FOLDER.read(tree));
        assertEquals("class folder " + tree.resolve("empty") + " holds no image (.jpg .jpeg .png .bmp)",
                empty.getMessage());

        Path manifest = Files.writeString(dir.resolve("m.csv"), "path,label\nnot there.png,a\n");
        DatasetException line = assertThrows(DatasetException.class, () -> DataLayout.CSV_MANIFEST.read(manifest));
        assertEquals(manifest + " line 2: image " + dir.resolve("not there.png").toAbsolutePath() + " does not exist",
                line.getMessage());
    }
}

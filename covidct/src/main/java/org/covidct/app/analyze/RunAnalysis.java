package org.covidct.app.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.covidct.app.gradcam.GradCamImages;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.metrics.ClassNames;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.report.GalleryImage;
import org.covidct.app.report.Png;
import org.covidct.app.train.RunDirectory;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.tensor.Device;

/**
 * {@code analyze}: the tutorial's error analysis of a finished run, from its test scores and best
 * checkpoint, which records the architecture, input size and normalisation it was trained with
 * (a run from before checkpoints recorded them falls back to its config.json and the tutorial's
 * normalisation), and the class names that the galleries and the page use. It writes Grad-CAM galleries of up to {@code perGallery} seeded random true
 * positives (score above 0.9), false positives, true negatives and false negatives under
 * {@code analysis/}, and {@code report.html}, which embeds them with the run's configuration,
 * metrics and plots.
 */
public final class RunAnalysis {
    /** Builds the model a run trained, from its architecture name and a weight file. */
    @FunctionalInterface
    public interface ModelLoader {
        Module load(String arch, Path weights) throws IOException;
    }

    /** The application's architectures, as train builds them. */
    public static final ModelLoader CLASSIFIERS =
            (arch, weights) -> ClassifierModels.build(arch, weights.toString(), new Generator(0));

    public static final int PER_GALLERY = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelLoader models;
    private final PrintStream log;

    public RunAnalysis(ModelLoader models, PrintStream log) {
        this.models = models;
        this.log = log;
    }

    /**
     * The end of train: the default analysis of the run just finished. A failure is reported as a
     * warning, since the run itself is complete; analyze --run can be repeated on its own.
     */
    public static void afterTraining(Path runDir, boolean enabled, Device device, PrintStream log) {
        if (!enabled) {
            return;
        }
        try {
            ModelLoader onDevice = (arch, weights) -> CLASSIFIERS.load(arch, weights).to(device);
            new RunAnalysis(onDevice, log).run(runDir, null, PER_GALLERY, null);
        } catch (IOException | RuntimeException e) {
            log.println("warning: analyze failed (" + e.getMessage() + "); the run is complete, and "
                    + "`covidct analyze --run " + runDir + "` retries it");
        }
    }

    /** What the analysis wrote, and the explained images of each gallery. */
    public record Result(Path report, String layer, Map<GalleryKind, List<GradCamImages.Explained>> galleries) {
    }

    /**
     * Analyses the run in {@code runDir}. {@code layer} is a dotted module name or null for the
     * last block of {@code features}; {@code seed} null means the run's own seed.
     */
    public Result run(Path runDir, String layer, int perGallery, Long seed) throws IOException {
        if (perGallery < 1) {
            throw new IllegalArgumentException("analyze: images per gallery must be at least 1, got " + perGallery);
        }
        RunDirectory run = new RunDirectory(runDir);
        for (Path required : List.of(run.config(), run.testScores(), run.bestCheckpoint())) {
            if (!Files.isRegularFile(required)) {
                throw new IOException(runDir + ": not a finished run (" + required + " is missing)");
            }
        }
        JsonNode config = JSON.readTree(run.config().toFile());
        ModelMetadata described = described(run.bestCheckpoint(), config);
        ClassNames names = ClassNames.of(described.classNames());
        int batchSize = Math.max(1, config.path("batch_size").asInt(8));
        long drawSeed = seed != null ? seed : config.path("seed").asLong(0);
        List<TestScores.Row> rows = TestScores.read(run.testScores());

        Map<GalleryKind, List<TestScores.Row>> picked = new EnumMap<>(GalleryKind.class);
        List<Path> paths = new ArrayList<>();
        for (GalleryKind kind : GalleryKind.values()) {
            List<TestScores.Row> sample = kind.sample(rows, perGallery, drawSeed);
            picked.put(kind, sample);
            sample.forEach(r -> paths.add(r.path()));
        }
        List<GradCamImages.Explained> explained;
        String layerName;
        try (Module model = models.load(described.architecture(), run.bestCheckpoint())) {
            GradCamImages cams = new GradCamImages(model, layer, Transforms.eval(described.imageSize(),
                    ClassifierModels.normalize(described)), batchSize);
            layerName = cams.layerName();
            log.printf(Locale.ROOT, "analyze: Grad-CAM of %d test images at layer %s%n", paths.size(), layerName);
            explained = cams.explain(paths, null);
        }

        Path out = run.analysis();
        Files.createDirectories(out);
        Map<GalleryKind, List<GradCamImages.Explained>> galleries = new EnumMap<>(GalleryKind.class);
        int next = 0;
        for (GalleryKind kind : GalleryKind.values()) {
            List<GradCamImages.Explained> g = List.copyOf(explained.subList(next, next + picked.get(kind).size()));
            next += g.size();
            galleries.put(kind, g);
            writeGallery(kind, names, g, picked.get(kind), kind.members(rows).size(),
                    out.resolve("gradcam_" + kind.fileStem() + ".png"));
        }
        Path report = run.report();
        ReportPage page = new ReportPage(run, config, names, layerName, drawSeed);
        AtomicOutput.text(report, page.html(rows, picked, galleries));
        log.println("analyze: wrote " + report);
        return new Result(report, layerName, galleries);
    }

    private static void writeGallery(GalleryKind kind, ClassNames names, List<GradCamImages.Explained> images,
                                     List<TestScores.Row> rows, int members, Path file) throws IOException {
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            tiles.add(Png.image(images.get(i).overlay()));
            captions.add(ReportPage.caption(rows.get(i), names));
        }
        String title = String.format(Locale.ROOT, "%s (%s): %d of %d", kind.title(), kind.rule(names), images.size(),
                members);
        AtomicOutput.png(file, GalleryImage.draw(title, tiles, captions));
    }

    /** What the best checkpoint records, or for an older run its config.json with the tutorial's normalisation. */
    private static ModelMetadata described(Path checkpoint, JsonNode config) throws IOException {
        Optional<ModelMetadata> recorded = ModelMetadata.read(checkpoint);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        return ClassifierModels.describe(config.path("arch").asText(),
                config.path("image_size").asInt(ClassifierModels.DEFAULT_IMAGE_SIZE), Normalize.TUTORIAL);
    }
}

package org.covidct.app.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.covidct.app.data.DataLayout;
import org.covidct.app.data.DataManifest;
import org.covidct.app.io.AtomicOutput;
import org.covidct.app.model.ClassifierModels;
import org.covidct.app.tensorboard.EventTruncation;
import org.covidct.app.tensorboard.SummaryWriter;
import org.covidct.nn.Generator;
import org.covidct.nn.CrossEntropyLoss;
import org.covidct.nn.Module;
import org.covidct.nn.Sequential;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.nn.data.DatasetException;
import org.covidct.nn.data.Sample;
import org.covidct.nn.data.Split;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.data.image.Transforms;
import org.covidct.nn.io.Checkpoint;
import org.covidct.nn.io.ConsoleProgress;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.nn.optim.Optimizer;
import org.covidct.nn.optim.TrainingStep;
import org.covidct.tensor.Device;
import org.covidct.tensor.Ops;
import org.covidct.tensor.TensorScope;

/**
 * The tutorial's training loop: SGD with momentum over mini-batches whose gradients accumulate
 * into one update, validation metrics after every epoch, the best model kept by validation
 * accuracy, and its early-stopping rule (stop when both patiences run out, divide the learning rate
 * by ten when only the loss's does). Every epoch ends with an atomic checkpoint, from which
 * {@link #resume} continues a killed run to the same result; {@link RunStep} gives the order of the
 * files an epoch writes, which makes a crash at any point harmless. The run's
 * {@link TrainingRecipe} can replace the optimiser, the schedule (the cosine one runs its whole
 * length, keeping the best epoch), the loss and the augmentation, freeze the backbone at first,
 * and evaluate an average of the weights with test-time flipping ({@link RunOptimization}).
 *
 * <p>Gradient accumulation steps after every {@code accumulate} batches and after the epoch's last
 * batch, each batch's loss scaled by 1/(batches in its group), so every update averages its group.
 * The tutorial instead steps at batch 0 and then at every 8th (so its first update uses one batch,
 * and the last few batches of an epoch carry over into the next epoch's first update) and always
 * scales by 1/8.
 */
public final class Trainer {
    /** Called before each file-system step of the run; tests throw from it to crash the run there. */
    @FunctionalInterface
    public interface StepListener {
        /** @param epoch the epoch the step belongs to, counted from 0; the run's epoch count at its end */
        void before(RunStep step, int epoch) throws IOException;
    }

    /** Builds the model a run starts from. */
    @FunctionalInterface
    public interface ModelFactory {
        Module create(TrainConfig config, Generator gen) throws IOException;
    }

    static final ObjectMapper JSON = new ObjectMapper();
    /** The tutorial's input normalisation, which the checkpoints record. */
    static final Normalize NORMALIZE = Normalize.TUTORIAL;

    private final TrainConfig config;
    private final RunDirectory run;
    private final ModelFactory models;
    private final PrintStream log;
    private StepListener steps = (step, epoch) -> { };
    private Device device = Device.CPU;

    public Trainer(TrainConfig config, ModelFactory models, PrintStream log) {
        this.config = config;
        this.run = new RunDirectory(config.out());
        this.models = models;
        this.log = log;
    }

    public Trainer onStep(StepListener listener) {
        this.steps = listener;
        return this;
    }

    /** Trains and evaluates on {@code device}; the CPU unless set. */
    public Trainer onDevice(Device device) {
        this.device = device;
        return this;
    }

    /**
     * Trains from the start; the run directory must not hold a run already. The data set is split
     * where its layout leaves it open, and the split written as the run's split.csv.
     *
     * @throws org.covidct.app.data.PositiveClassException before anything is written, when the
     *     positive class is open or named wrongly
     */
    public RunResult train() throws IOException {
        refuseAnotherRun();
        RunData data = RunData.start(config); // bad data fails before anything is written
        run.create();
        refuseAnotherRun(); // again, now that no other process can write the directory
        run.discardUncheckpointedAttempt();
        data.write(run);
        // last: a config.json says the run has all it needs to resume
        ConfigFile.write(run.config(), config.withPositiveClass(data.classes().positive()), data.record());
        return loop(null, data);
    }

    private void refuseAnotherRun() throws IOException {
        if (Files.exists(run.lastCheckpoint())) {
            throw new IOException(config.out() + ": already holds a run; use --resume to continue it or choose another --out");
        }
    }

    /**
     * Continues the run in {@code runDir} from its last checkpoint, with the settings it was started
     * with, on the same data (checked file by file). The options can extend (or shorten, down to
     * the epochs already trained) the run, and name the data set's new place; config.json is
     * updated to say so. A run killed before its first checkpoint starts again from its config.json,
     * and a finished one has its end-of-run files written again.
     */
    public static RunResult resume(Path runDir, ResumeOptions options, ModelFactory models, Device device,
                                   PrintStream log) throws IOException {
        return resume(runDir, options, models, device, log, (step, epoch) -> { });
    }

    /** {@link #resume(Path, ResumeOptions, ModelFactory, Device, PrintStream)}, reporting each step to {@code steps}. */
    public static RunResult resume(Path runDir, ResumeOptions options, ModelFactory models, Device device,
                                   PrintStream log, StepListener steps) throws IOException {
        OptionalInt epochs = options.epochs();
        RunDirectory dir = new RunDirectory(runDir);
        if (!Files.isRegularFile(dir.config())) {
            throw new IOException(runDir + ": no run to resume (" + dir.config() + " is missing)");
        }
        dir.claim();
        dir.removeStaleTemporaryFiles();
        Optional<RecordedData> recorded = ConfigFile.readData(dir.config());
        TrainConfig started = ConfigFile.read(dir.config(), runDir);
        TrainConfig config = onSameData(started, recorded, options.data(), dir);
        RunData data = RunData.resume(config, recorded, dir);
        if (config != started) { // the data set moved, and the run has found its images there
            ConfigFile.write(dir.config(), config, recorded.orElse(null));
        }
        if (!Files.isRegularFile(dir.lastCheckpoint())) {
            // config.json completes a start, so this attempt was killed in its first epoch.
            config = withEpochs(config, recorded, epochs, 0, dir);
            dir.discardUncheckpointedAttempt();
            log.println("restarting " + runDir + ": it was stopped before its first epoch ended");
            return new Trainer(config, models, log).onDevice(device).onStep(steps).loop(null, data);
        }
        ConfigFile.requireMatches(config, dir.config(), dir.lastCheckpoint());
        try (Checkpoint last = Checkpoint.load(dir.lastCheckpoint())) {
            int trained = ((List<?>) last.extra().get("history")).size();
            if (trained < last.epoch() && epochs.isPresent() && epochs.getAsInt() > config.epochs()) {
                throw new IOException(runDir + ": stopped early after " + trained + " epochs, so --epochs cannot "
                        + "extend it; start a new run to train longer");
            }
            config = withEpochs(config, recorded, epochs, last.epoch(), dir);
            return new Trainer(config, models, log).onDevice(device).onStep(steps).loop(last, data);
        }
    }

    /**
     * Refuses, naming the directory and the settings, a run in {@code runDir} started with other
     * settings than {@code config} (its data set's place and the loading threads aside).
     */
    public static void requireSameSettings(Path runDir, TrainConfig config) throws IOException {
        Path file = new RunDirectory(runDir).config();
        TrainConfig started = ConfigFile.read(file, runDir);
        TrainConfig comparable = config.withData(started.data()).withWorkers(started.workers())
                .withPositiveClass(started.positiveClass());
        if (!started.equals(comparable)) {
            throw new IOException(runDir + " holds a run started with other settings (" + file + "); give another "
                    + "--out, or resume it with train --resume");
        }
    }

    /**
     * {@code config}, with the data set at {@code moved} when given and not where it was, after
     * checking that the data set holds the files the run started with, named relative to its root.
     */
    private static TrainConfig onSameData(TrainConfig config, Optional<RecordedData> recorded, Optional<Path> moved,
                                          RunDirectory dir) throws IOException {
        if (!Files.isRegularFile(dir.dataManifest())) {
            if (moved.isPresent()) {
                throw new IOException(dir.root() + ": --data cannot be checked against the run's data, as it has no "
                        + dir.dataManifest().getFileName() + " (it was started by an earlier version)");
            }
            return config;
        }
        Path data = moved.orElse(config.data());
        try {
            DataManifest.read(dir.dataManifest()).requireMatches(recorded.map(RecordedData::layout)
                    .orElse(DataLayout.COVID_CT).root(data));
        } catch (IOException e) {
            throw new IOException(e.getMessage() + (moved.isEmpty() ? "; if the data set moved, give --data with its "
                    + "new place" : ""), e);
        }
        if (moved.isEmpty() || moved.get().toAbsolutePath().equals(config.data().toAbsolutePath())) {
            return config;
        }
        return config.withData(moved.get());
    }

    /** {@code config} with the number of epochs the resume asks for, recorded in config.json. */
    private static TrainConfig withEpochs(TrainConfig config, Optional<RecordedData> recorded, OptionalInt epochs,
                                          int trained, RunDirectory dir) throws IOException {
        if (epochs.isEmpty() || epochs.getAsInt() == config.epochs()) {
            return config;
        }
        if (config.recipe().schedule() == TrainingRecipe.Schedule.COSINE) {
            throw new IOException(dir.root() + ": --epochs cannot change a run whose cosine schedule was laid out "
                    + "over its " + config.epochs() + " epochs; start a new run to train longer");
        }
        if (epochs.getAsInt() < Math.max(1, trained)) {
            throw new IOException(dir.root() + ": --epochs " + epochs.getAsInt() + " is fewer than the " + trained
                    + " epochs it has trained");
        }
        TrainConfig changed = config.withEpochs(epochs.getAsInt());
        ConfigFile.write(dir.config(), changed, recorded.orElse(null));
        return changed;
    }

    private RunResult loop(Checkpoint resumeFrom, RunData data) throws IOException {
        List<Sample> trainSamples = data.samples(Split.TRAIN);
        Generator gen = new Generator(config.seed());
        TrainingRecipe recipe = config.recipe();
        // A resumed model gets its weights from the checkpoint, not from the initial weights file.
        try (Module model = Sequential.fuseForInference(models.create(resumeFrom == null ? config
                : config.withWeights("none"), gen));
             DataLoader train = loader(trainSamples, true, trainTransform());
             DataLoader val = loader(data.samples(Split.VAL), false, Transforms.eval(config.imageSize(), NORMALIZE));
             SummaryWriter board = new SummaryWriter(run.tensorboard())) {
            model.to(device); // before the optimiser's state is restored onto the parameters' device
            int stepsPerEpoch = Math.ceilDiv(train.numBatches(), config.accumulate());
            try (RunOptimization optimization = RunOptimization.start(model, config, stepsPerEpoch, resumeFrom, gen)) {
                trainEpochs(resumeFrom, data, model, gen, optimization, train, val, board);
            }
        }
        // The trained model and its optimiser's state are closed first: the best checkpoint's model
        // takes their place rather than sitting beside them.
        return RunReport.finish(config, run, data, models, device, log, steps);
    }

    private void trainEpochs(Checkpoint resumeFrom, RunData data, Module model, Generator gen,
                             RunOptimization optimization, DataLoader train, DataLoader val, SummaryWriter board)
            throws IOException {
        Optimizer optimizer = optimization.optimizer();
        TrainingStep training = new TrainingStep(model, optimizer, new CrossEntropyLoss(config.recipe().labelSmoothing()));
        EarlyStopping stopper = new EarlyStopping(config.patience());
        ArrayNode history = JSON.createArrayNode();
        double bestAccuracy = -1;
        int startEpoch = 0;
        if (resumeFrom != null) {
            Map<String, Object> extra = resumeFrom.extra();
            @SuppressWarnings("unchecked")
            Map<String, Object> stopperState = (Map<String, Object>) extra.get("early_stopping");
            stopper = EarlyStopping.fromState(stopperState);
            history = (ArrayNode) JSON.valueToTree(extra.get("history"));
            bestAccuracy = ((Number) extra.get("best_val_accuracy")).doubleValue();
            startEpoch = resumeFrom.epoch();
            // A kill after the checkpoint's rename can have left metrics.json an epoch behind it.
            writeMetrics(history);
            EventTruncation.truncate(run.tensorboard(), startEpoch);
            if (startEpoch < config.epochs()) {
                run.deleteEndOfRunFiles(); // they describe the run as it was when it last ended
                log.println("resuming " + config.out() + " at epoch " + startEpoch);
            }
        }
        for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
            long t0 = System.nanoTime();
            optimization.beginEpoch(epoch);
            EpochStats stats = trainEpoch(training, optimization, model, train, epoch);
            Evaluation v;
            try (RunOptimization.EvaluationWeights weights = optimization.evaluationWeights()) {
                v = Evaluation.run(model, val, null, data.classes(), config.recipe().testTimeFlip());
                double seconds = (System.nanoTime() - t0) / 1e9;
                log.println(summaryLine(epoch, stats, v, optimizer.learningRate(), seconds));

                steps.before(RunStep.TENSORBOARD, epoch);
                board.addScalars("Losses", Map.of("Train loss", stats.loss(), "Validation_loss", v.metrics().loss()),
                        epoch);
                board.addScalars("Accuracies", Map.of("Train Accuracy", 100.0 * stats.accuracy(),
                        "Valid Accuracy", 100.0 * v.metrics().accuracy()), epoch);
                history.add(epochJson(epoch, stats, v, optimizer.learningRate(), seconds));

                if (v.metrics().accuracy() > bestAccuracy) {
                    bestAccuracy = v.metrics().accuracy();
                    steps.before(RunStep.BEST_CHECKPOINT, epoch);
                    // the weights evaluated: the average, where the recipe keeps one
                    Map<String, Object> best = Map.of("val_accuracy", bestAccuracy);
                    int trained = epoch + 1;
                    writeCheckpoint(run.bestCheckpoint(), () -> Checkpoint.write(run.bestCheckpoint(), model,
                            optimizer, gen, trained, best, description(data)));
                }
            }
            stopper.add(v.metrics().loss(), v.metrics().accuracy());
            EarlyStopping.Decision decision = optimization.followsPlateauRule() ? stopper.decision()
                    : EarlyStopping.Decision.CONTINUE;
            if (decision == EarlyStopping.Decision.LOSS_STALLED) {
                optimizer.setLearningRate(optimizer.learningRate() * 0.1f);
                stopper.resetPatience();
                log.println(String.format(Locale.ROOT, "validation loss stopped improving: learning rate now %g",
                        optimizer.learningRate()));
            }
            boolean stop = decision == EarlyStopping.Decision.STOP;
            int next = stop ? config.epochs() : epoch + 1;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("early_stopping", stopper.state());
            extra.put("history", JSON.convertValue(history, List.class));
            extra.put("best_val_accuracy", bestAccuracy);
            steps.before(RunStep.LAST_CHECKPOINT, epoch);
            writeCheckpoint(run.lastCheckpoint(), () -> optimization.writeCheckpoint(run.lastCheckpoint(), gen, next,
                    extra, description(data)));
            steps.before(RunStep.METRICS, epoch);
            writeMetrics(history);
            if (stop) {
                log.println("early stopping: neither validation loss nor accuracy improved for "
                        + (config.patience() + 1) + " epochs");
                break;
            }
        }
    }

    /** The training images' augmentation: the tutorial's, or the recipe's stronger one. */
    private ImageTransform trainTransform() {
        return config.recipe().augmentation() == TrainingRecipe.Augmentation.STRONG
                ? Transforms.trainStrong(config.imageSize(), NORMALIZE)
                : Transforms.train(config.imageSize(), NORMALIZE);
    }

    private void writeMetrics(ArrayNode history) throws IOException {
        AtomicOutput.text(run.metrics(), JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(JSON.createObjectNode().<ObjectNode>set("epochs", history)));
    }

    /** Training-time loaders leave unreadable images out, and the epoch summary counts them. */
    private DataLoader loader(List<Sample> samples, boolean shuffle, ImageTransform transform) {
        return DataLoader.builder(samples, transform).batchSize(config.batchSize()).shuffle(shuffle)
                .seed(config.seed()).workers(config.workers()).skipUnreadable(true).device(device).build();
    }

    /** Mean loss and accuracy over the epoch's training images, and how many were unreadable. */
    record EpochStats(double loss, double accuracy, int images, int skipped) {
    }

    /** Writes one checkpoint file. */
    @FunctionalInterface
    private interface CheckpointWrite {
        void write() throws IOException;
    }

    /** Writes a checkpoint, naming it in the error when it cannot (a full disk, say); the old file stays. */
    private static void writeCheckpoint(Path file, CheckpointWrite write) throws IOException {
        try {
            write.write();
        } catch (IOException e) {
            throw new IOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    private ModelMetadata description(RunData data) {
        return ClassifierModels.describe(config.arch(), config.imageSize(), NORMALIZE, data.modelClassNames());
    }

    private EpochStats trainEpoch(TrainingStep training, RunOptimization optimization, Module model, DataLoader train,
                                  int epoch)
            throws DatasetException {
        model.train();
        int batches = train.numBatches();
        ConsoleProgress bar = new ConsoleProgress().begin(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1,
                config.epochs()), batches);
        double lossSum = 0;
        int correct = 0, images = 0;
        try (DataLoader.Epoch data = train.epoch(epoch)) {
            for (int b = 0; b < batches; b++) {
                int groupStart = b - b % config.accumulate();
                int groupSize = Math.min(config.accumulate(), batches - groupStart);
                try (Batch batch = data.next(); TensorScope step = TensorScope.open()) {
                    if (batch.size() > 0) { // empty when every image of the batch was unreadable
                        TrainingStep.Pass pass = training.accumulate(batch.images(), batch.labels(), groupSize);
                        float loss = pass.loss().item();
                        if (!Float.isFinite(loss)) {
                            throw new ArithmeticException(String.format(Locale.ROOT, "epoch %d, batch %d of %d: the "
                                    + "training loss is %s; the last checkpoint is the previous epoch's (try a lower "
                                    + "--lr)", epoch + 1, b + 1, batches, loss));
                        }
                        lossSum += (double) loss * batch.size();
                        int[] predicted = Ops.argmaxRows(pass.logits());
                        for (int i = 0; i < predicted.length; i++) {
                            correct += predicted[i] == batch.labels()[i] ? 1 : 0;
                        }
                        images += batch.size();
                    }
                    if (b - groupStart == groupSize - 1) {
                        training.step();
                        optimization.afterStep();
                    }
                }
                bar.batchesDone(b + 1, images, lossSum / Math.max(1, images));
            }
            data.skipped().forEach(reason -> log.println("warning: skipped an unreadable image: " + reason));
            if (images == 0) { // training on nothing would only turn the loss and the weights into NaN
                throw new DatasetException(String.format(Locale.ROOT, "epoch %d: no training image could be read "
                        + "(%d unreadable, such as %s); nothing was written for this epoch", epoch + 1,
                        data.skipped().size(), data.skipped().isEmpty() ? "none" : data.skipped().get(0)));
            }
            return new EpochStats(lossSum / images, correct / (double) images, images, data.skipped().size());
        }
    }

    private static String summaryLine(int epoch, EpochStats s, Evaluation v, float lr, double seconds) {
        return String.format(Locale.ROOT,
                "epoch %d  train loss %.4f acc %.3f | val loss %.4f acc %.3f sens %.3f spec %.3f auc %s | lr %g | %.0f s%s",
                epoch + 1, s.loss(), s.accuracy(), v.metrics().loss(), v.metrics().accuracy(),
                v.metrics().sensitivity(), v.metrics().specificity(), v.metrics().rocAuc().format(3), lr, seconds,
                s.skipped() > 0 ? " | " + s.skipped() + " unreadable images skipped" : "");
    }

    private static ObjectNode epochJson(int epoch, EpochStats s, Evaluation v, float lr, double seconds) {
        ObjectNode e = JSON.createObjectNode();
        e.put("epoch", epoch + 1);
        e.put("learning_rate", lr);
        e.put("seconds", seconds);
        e.put("train_loss", s.loss());
        e.put("train_accuracy", s.accuracy());
        e.put("train_images_skipped", s.skipped());
        e.set("val", v.metrics().toJsonTree());
        return e;
    }

    /** A finished run: its directory and the best model's test evaluation. */
    public record RunResult(Path runDir, Evaluation test) {
    }
}

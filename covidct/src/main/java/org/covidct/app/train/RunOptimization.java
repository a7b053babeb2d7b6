package org.covidct.app.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.io.Checkpoint;
import org.covidct.nn.io.ModelMetadata;
import org.covidct.nn.optim.AdamW;
import org.covidct.nn.optim.CosineAnnealingLr;
import org.covidct.nn.optim.LinearLr;
import org.covidct.nn.optim.LrSchedule;
import org.covidct.nn.optim.LrScheduler;
import org.covidct.nn.optim.ModelEma;
import org.covidct.nn.optim.Optimizer;
import org.covidct.nn.optim.SequentialLr;
import org.covidct.nn.optim.Sgd;

/**
 * The optimiser side of one run, as its {@link TrainingRecipe} sets it: the optimiser, the
 * learning-rate schedule stepped after every optimiser step, the average of the weights updated
 * there too, and which parameters train in each epoch. Its state goes into and comes back from the
 * run's checkpoints, so a resumed run takes the same steps as an uninterrupted one.
 */
final class RunOptimization implements AutoCloseable {
    /** The checkpoint's extra entry that counts the schedule's steps. */
    static final String SCHEDULE_STEPS = "lr_schedule_steps";
    /** The warm-up starts at this fraction of the learning rate. */
    private static final double WARMUP_START_FACTOR = 0.01;

    private final Module model;
    private final TrainingRecipe recipe;
    private final Optimizer optimizer;
    private final ModelEma ema;
    private final LrScheduler scheduler;

    private RunOptimization(Module model, TrainingRecipe recipe, Optimizer optimizer, ModelEma ema,
                            LrScheduler scheduler) {
        this.model = model;
        this.recipe = recipe;
        this.optimizer = optimizer;
        this.ema = ema;
        this.scheduler = scheduler;
    }

    /**
     * The optimisation of {@code model}, on its device, for a run of {@code stepsPerEpoch} optimiser
     * steps per epoch; from {@code resumeFrom}'s state when it is not null (which also restores the
     * model and the generator).
     */
    static RunOptimization start(Module model, TrainConfig config, int stepsPerEpoch, Checkpoint resumeFrom,
                                 Generator gen) {
        TrainingRecipe recipe = config.recipe();
        Optimizer optimizer = switch (recipe.optimizer()) {
            case SGD -> new Sgd(model.parameters(), config.lr(), config.momentum(), recipe.weightDecay());
            case ADAMW -> new AdamW(model.parameters(), config.lr(), 0.9f, 0.999f, 1e-8f, recipe.weightDecay());
        };
        ModelEma ema = null;
        try {
            ema = recipe.averagesWeights() ? new ModelEma(model, recipe.emaDecay()) : null;
            long scheduleSteps = 0;
            if (resumeFrom != null) {
                resumeFrom.restore(model, optimizer, ema, gen);
                scheduleSteps = ((Number) resumeFrom.extra().getOrDefault(SCHEDULE_STEPS, 0)).longValue();
            }
            LrScheduler scheduler = recipe.schedule() == TrainingRecipe.Schedule.COSINE
                    ? new LrScheduler(optimizer, cosine(recipe, config.epochs(), stepsPerEpoch), config.lr(),
                            scheduleSteps)
                    : null;
            return new RunOptimization(model, recipe, optimizer, ema, scheduler);
        } catch (RuntimeException e) {
            optimizer.close();
            if (ema != null) {
                ema.close();
            }
            throw e;
        }
    }

    /** Linear warm-up over the recipe's warm-up epochs, then cosine annealing to 0 at the run's last step. */
    private static LrSchedule cosine(TrainingRecipe recipe, int epochs, int stepsPerEpoch) {
        int total = Math.max(1, epochs * stepsPerEpoch);
        int warmup = Math.min(recipe.warmupEpochs() * stepsPerEpoch, total - 1);
        if (warmup == 0) {
            return new CosineAnnealingLr(total, 0);
        }
        return new SequentialLr(List.of(new LinearLr(WARMUP_START_FACTOR, 1, warmup),
                new CosineAnnealingLr(total - warmup, 0)), List.of(warmup));
    }

    Optimizer optimizer() {
        return optimizer;
    }

    /** Whether the tutorial's plateau rule governs the learning rate and early stopping. */
    boolean followsPlateauRule() {
        return recipe.schedule() == TrainingRecipe.Schedule.PLATEAU;
    }

    /**
     * Sets which parameters train in {@code epoch} (counted from 0): only the classifier head in the
     * recipe's first freeze epochs, all of them after.
     */
    void beginEpoch(int epoch) {
        if (recipe.freezeEpochs() == 0) {
            return;
        }
        boolean frozen = epoch < recipe.freezeEpochs();
        model.setRequiresGrad(!frozen);
        ClassifierModels.head(model).setRequiresGrad(true);
    }

    /** After every optimiser step: the schedule moves on, and the average takes in the new weights. */
    void afterStep() {
        if (scheduler != null) {
            scheduler.step();
        }
        if (ema != null) {
            ema.update(model);
        }
    }

    /**
     * Puts the weights that validation, test and the best checkpoint use into the model until
     * closed: the average where the recipe keeps one, else the model's own.
     */
    EvaluationWeights evaluationWeights() {
        if (ema == null) {
            return () -> { };
        }
        ModelEma.Swap swap = ema.swapInto(model);
        return swap::close;
    }

    /** The evaluation weights in the model; closing puts the model's own back. */
    interface EvaluationWeights extends AutoCloseable {
        @Override
        void close();
    }

    /** Writes the last checkpoint: the model, the optimiser, the average and the schedule's step count. */
    void writeCheckpoint(Path file, Generator gen, int epoch, Map<String, Object> extra, ModelMetadata description)
            throws IOException {
        Map<String, Object> withSchedule = new LinkedHashMap<>(extra);
        if (scheduler != null) {
            withSchedule.put(SCHEDULE_STEPS, scheduler.steps());
        }
        Checkpoint.write(file, model, optimizer, ema, gen, epoch, withSchedule, description);
    }

    @Override
    public void close() {
        optimizer.close();
        if (ema != null) {
            ema.close();
        }
    }
}

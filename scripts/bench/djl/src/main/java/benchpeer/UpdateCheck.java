package benchpeer;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that {@link MomentumSgd} moves the weights exactly as DJL's {@code Trainer.step()} with
 * {@code Optimizer.sgd()} does: a small two-layer network, the same start and data, four steps each;
 * exits 1 where any weight differs by more than 1e-6, or where the weights hardly moved.
 */
public final class UpdateCheck {
    private static final int STEPS = 4;
    private static final Shape INPUT = new Shape(6, 5);

    private UpdateCheck() {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        float[] x = new float[(int) INPUT.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i + 1.0);
        }
        long[] labels = {0, 1, 2, 1, 0, 2};
        Engine.getEngine("PyTorch").setRandomSeed(0);
        try (Model viaTrainer = Model.newInstance("trainer", "PyTorch");
             Model viaDirect = Model.newInstance("direct", "PyTorch")) {
            viaTrainer.setBlock(net());
            viaDirect.setBlock(net());
            Loss loss = Loss.softmaxCrossEntropyLoss();
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(Optimizer.sgd()
                    .setLearningRateTracker(Tracker.fixed(0.1f)).optMomentum(0.9f).build());
            try (Trainer trainer = viaTrainer.newTrainer(config)) {
                trainer.initialize(INPUT);
                Block direct = viaDirect.getBlock();
                direct.initialize(viaDirect.getNDManager(), DataType.FLOAT32, INPUT);
                List<NDArray> weights = new ArrayList<>();
                List<NDArray> reference = new ArrayList<>();
                List<float[]> start = new ArrayList<>();
                for (String name : direct.getParameters().keys()) {
                    NDArray w = direct.getParameters().get(name).getArray();
                    NDArray r = viaTrainer.getBlock().getParameters().get(name).getArray();
                    w.set(r.toFloatArray());
                    start.add(r.toFloatArray());
                    weights.add(w);
                    reference.add(r);
                }
                MomentumSgd sgd = new MomentumSgd(weights, 0.1f, 0.9f);
                ParameterStore store = new ParameterStore(viaDirect.getNDManager(), false);
                for (int s = 0; s < STEPS; s++) {
                    try (NDManager step = viaTrainer.getNDManager().newSubManager()) {
                        NDList in = new NDList(step.create(x, INPUT));
                        NDList target = new NDList(step.create(labels));
                        try (GradientCollector collector = trainer.newGradientCollector()) {
                            collector.backward(loss.evaluate(target, trainer.forward(in)));
                        }
                        trainer.step();
                        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                            collector.backward(loss.evaluate(target, direct.forward(store, in, true)));
                        }
                        sgd.step();
                    }
                }
                double worst = 0;
                double moved = 0;
                for (int i = 0; i < weights.size(); i++) {
                    float[] a = weights.get(i).toFloatArray();
                    float[] b = reference.get(i).toFloatArray();
                    for (int j = 0; j < a.length; j++) {
                        worst = Math.max(worst, Math.abs(a[j] - b[j]));
                        moved = Math.max(moved, Math.abs(b[j] - start.get(i)[j]));
                    }
                }
                System.out.printf("MomentumSgd against Trainer.step() after %d steps: largest weight difference %.3g"
                        + " (the weights moved by up to %.3g)%n", STEPS, worst, moved);
                if (!(worst <= 1e-6) || moved < 1e-3) {
                    System.exit(1);
                }
            }
        }
    }

    private static Block net() {
        return new SequentialBlock().add(Linear.builder().setUnits(4).build()).add(Activation.reluBlock())
                .add(Linear.builder().setUnits(3).build());
    }
}

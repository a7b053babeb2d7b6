package org.covidct.app.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tutorial's early-stopping rule, kept exactly. It tracks running averages
 * ({@code 0.2 * new + 0.8 * old}) of the validation loss and accuracy, and counts the epochs since
 * each last improved on its best running value. {@link #decision()} then says whether the
 * accuracy's patience, the loss's, both or neither ran out; the training loop stops on both and
 * divides the learning rate by ten (and calls {@link #resetPatience()}) on the loss alone.
 */
public final class EarlyStopping {
    /** The tutorial's stop codes 0 to 3. */
    public enum Decision {
        CONTINUE(0), STOP(1), ACCURACY_STALLED(2), LOSS_STALLED(3);

        public final int code;

        Decision(int code) {
            this.code = code;
        }
    }

    private final int patience;
    private boolean started;
    private double runningLoss;
    private double runningAccuracy;
    private double bestRunningLoss = 1e7;
    private double bestRunningAccuracy;
    private int lossIncreaseEpochs;
    private int accuracyDecreaseEpochs;

    public EarlyStopping(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("early stopping: patience must be >= 0, got " + patience);
        }
        this.patience = patience;
    }

    /** Records one epoch's validation loss and accuracy. */
    public void add(double loss, double accuracy) {
        if (started) {
            runningLoss = 0.2 * loss + 0.8 * runningLoss;
            runningAccuracy = 0.2 * accuracy + 0.8 * runningAccuracy;
        } else {
            runningLoss = loss;
            runningAccuracy = accuracy;
            started = true;
        }
        if (runningAccuracy < bestRunningAccuracy) {
            accuracyDecreaseEpochs++;
        } else {
            bestRunningAccuracy = runningAccuracy;
            accuracyDecreaseEpochs = 0;
        }
        if (runningLoss > bestRunningLoss) {
            lossIncreaseEpochs++;
        } else {
            bestRunningLoss = runningLoss;
            lossIncreaseEpochs = 0;
        }
    }

    /** Patience runs out when a metric has not improved for more than {@code patience} epochs. */
    public Decision decision() {
        boolean accuracyOut = accuracyDecreaseEpochs > patience;
        boolean lossOut = lossIncreaseEpochs > patience;
        if (accuracyOut && lossOut) {
            return Decision.STOP;
        }
        if (accuracyOut) {
            return Decision.ACCURACY_STALLED;
        }
        return lossOut ? Decision.LOSS_STALLED : Decision.CONTINUE;
    }

    /** Clears both counters (after the learning rate was lowered); the running values stay. */
    public void resetPatience() {
        accuracyDecreaseEpochs = 0;
        lossIncreaseEpochs = 0;
    }

    /** The whole state, for checkpoints. */
    public Map<String, Object> state() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("patience", patience);
        s.put("started", started);
        s.put("running_loss", runningLoss);
        s.put("running_accuracy", runningAccuracy);
        s.put("best_running_loss", bestRunningLoss);
        s.put("best_running_accuracy", bestRunningAccuracy);
        s.put("loss_increase_epochs", lossIncreaseEpochs);
        s.put("accuracy_decrease_epochs", accuracyDecreaseEpochs);
        return s;
    }

    /** Rebuilds a stopper from {@link #state()}. */
    public static EarlyStopping fromState(Map<String, ?> s) {
        EarlyStopping e = new EarlyStopping(((Number) s.get("patience")).intValue());
        e.started = (Boolean) s.get("started");
        e.runningLoss = ((Number) s.get("running_loss")).doubleValue();
        e.runningAccuracy = ((Number) s.get("running_accuracy")).doubleValue();
        e.bestRunningLoss = ((Number) s.get("best_running_loss")).doubleValue();
        e.bestRunningAccuracy = ((Number) s.get("best_running_accuracy")).doubleValue();
        e.lossIncreaseEpochs = ((Number) s.get("loss_increase_epochs")).intValue();
        e.accuracyDecreaseEpochs = ((Number) s.get("accuracy_decrease_epochs")).intValue();
        return e;
    }
}

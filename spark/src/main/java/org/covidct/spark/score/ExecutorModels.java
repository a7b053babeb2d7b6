package org.covidct.spark.score;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.covidct.tensor.Device;

/**
 * The classifiers this JVM has built, one per weight file and device, kept for the JVM's life:
 * every task of every job that scores with the same weights on an executor shares one model, so a
 * model is loaded once per executor, not once per task. A task that waits for another to finish
 * loading the same model waits rather than loading it twice.
 */
final class ExecutorModels {
    private static final ConcurrentHashMap<String, LoadedClassifier> LOADED = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {
    }

    static LoadedClassifier get(ScoringModel model, Device device) {
        return LOADED.computeIfAbsent(model.sha256() + "@" + device, key -> {
            LOADS.incrementAndGet();
            try {
                return model.load(device);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** How many models this JVM has built. */
    static int loads() {
        return LOADS.get();
    }
}

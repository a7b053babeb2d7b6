package org.covidct.app.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.covidct.app.metrics.Prediction;
import org.covidct.app.train.ScoresCsv;
import org.covidct.nn.Module;
import org.covidct.nn.autograd.GradMode;
import org.covidct.nn.autograd.Variable;
import org.covidct.nn.data.Batch;
import org.covidct.nn.data.DataLoader;
import org.covidct.tensor.TensorScope;

/** predict's output: {@code path,covid_probability,prediction} per image, printed a batch at a time. */
final class PredictionCsv {
    static final String HEADER = "path,covid_probability,prediction";

    private PredictionCsv() {
    }

    /**
     * Runs {@code model} in eval mode over the loader's batches as they arrive, naming each image's
     * predicted class from {@code classNames}; each batch's lines are flushed before the next runs.
     */
    static void write(Module model, DataLoader loader, List<String> classNames, PrintWriter out) {
        model.eval();
        out.println(HEADER);
        out.flush();
        try (DataLoader.Epoch epoch = loader.epoch(0); GradMode.Guard noGrad = GradMode.noGrad()) {
            while (epoch.hasNext()) {
                try (Batch batch = epoch.next(); TensorScope scope = TensorScope.open()) {
                    float[] logits = model.forward(Variable.constant(batch.images())).data().toArray();
                    for (int i = 0; i < batch.size(); i++) {
                        float nonCovid = logits[2 * i], covid = logits[2 * i + 1];
                        out.printf(Locale.ROOT, "%s,%.8f,%s%n", ScoresCsv.quote(batch.paths().get(i).toString()),
                                Prediction.covidProbability(nonCovid, covid),
                                ScoresCsv.quote(classNames.get(Prediction.argmax(nonCovid, covid))));
                    }
                    out.flush();
                }
            }
        }
    }
}

package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays validation histories through the tutorial's own Python class
 * (scripts/train/make_early_stopping_fixture.py) and ours: same stop codes, same learning rates.
 */
class EarlyStoppingTest {
    @Test
    void matchesTheTutorialsClassOnEveryHistory() throws IOException {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("/train/early_stopping.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        int patience = fixture.get("patience").asInt();
        int caseIndex = 0;
        for (JsonNode c : fixture.get("cases")) {
            List<Integer> codes = new ArrayList<>();
            List<Double> lrs = new ArrayList<>();
            EarlyStopping stopper = new EarlyStopping(patience);
            double lr = fixture.get("initial_lr").asDouble();
            for (int epoch = 0; epoch < c.get("losses").size(); epoch++) {
                stopper.add(c.get("losses").get(epoch).asDouble(), c.get("accuracies").get(epoch).asDouble());
                EarlyStopping.Decision d = stopper.decision();
                codes.add(d.code);
                if (d == EarlyStopping.Decision.STOP) {
                    lrs.add(lr);
                    break;
                }
                if (d == EarlyStopping.Decision.LOSS_STALLED) {
                    lr *= 0.1;
                    stopper.resetPatience();
                }
                lrs.add(lr);
                // A checkpoint taken at any epoch restores the same decisions.
                stopper = EarlyStopping.fromState(stopper.state());
            }
            List<Integer> expectedCodes = new ArrayList<>();
            c.get("codes").forEach(n -> expectedCodes.add(n.asInt()));
            List<Double> expectedLrs = new ArrayList<>();
            c.get("learning_rates").forEach(n -> expectedLrs.add(n.asDouble()));
            assertEquals(expectedCodes, codes, "stop codes of case " + caseIndex);
            assertEquals(expectedLrs, lrs, "learning rates of case " + caseIndex);
            caseIndex++;
        }
        assertEquals(40, caseIndex);
    }
}

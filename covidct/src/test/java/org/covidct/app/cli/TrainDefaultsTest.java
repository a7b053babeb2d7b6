package org.covidct.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TrainDefaultsTest {
    @Test
    void vggKeepsTheTutorialsRateAndMobileNetGetsATenthOfIt() {
        assertEquals(0.01f, TrainCommand.defaultLearningRate("vgg19_bn"));
        assertEquals(0.01f, TrainCommand.defaultLearningRate("vgg11"));
        assertEquals(0.001f, TrainCommand.defaultLearningRate("mobilenet_v2"));
    }
}

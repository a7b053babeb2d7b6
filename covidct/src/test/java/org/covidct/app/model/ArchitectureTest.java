package org.covidct.app.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArchitectureTest {
    @Test
    void theCommandLinesChoicesAreWhatTheClassifierBuilds() {
        assertEquals(ClassifierModels.architectures(), Arrays.stream(Architecture.values()).map(Enum::name).toList());
    }
}

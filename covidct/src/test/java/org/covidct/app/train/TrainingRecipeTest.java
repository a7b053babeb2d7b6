package org.covidct.app.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainingRecipeTest {
    @Test
    void theTutorialsRecipeIsSgdOnThePlateauRuleWithNothingAdded() {
        TrainingRecipe t = TrainingRecipe.preset("tutorial");
        assertEquals(TrainingRecipe.OptimizerKind.SGD, t.optimizer());
        assertEquals(TrainingRecipe.Schedule.PLATEAU, t.schedule());
        assertEquals(TrainingRecipe.Augmentation.TUTORIAL, t.augmentation());
        assertEquals(0f, t.weightDecay());
        assertEquals(0f, t.labelSmoothing());
        assertEquals(0, t.freezeEpochs());
        assertFalse(t.averagesWeights());
        assertFalse(t.testTimeFlip());
        assertEquals(60, t.defaultEpochs());
        assertEquals(8, t.defaultAccumulate());
    }

    @Test
    void vggKeepsTheTutorialsRateMobileNetGetsATenthOfItAndAdamWItsOwn() {
        assertEquals(0.01f, TrainingRecipe.TUTORIAL.defaultLearningRate("vgg19_bn"));
        assertEquals(0.01f, TrainingRecipe.TUTORIAL.defaultLearningRate("vgg11"));
        assertEquals(0.001f, TrainingRecipe.TUTORIAL.defaultLearningRate("mobilenet_v2"));
        assertEquals(1e-4f, TrainingRecipe.TRANSFER.defaultLearningRate("mobilenet_v2"));
        assertEquals(0.01f, TrainingRecipe.TRANSFER.with(TrainingRecipe.OptimizerKind.SGD, null, null, null, null, null,
                null, null, null).defaultLearningRate("vgg19_bn"));
    }

    @Test
    void theTransferRecipeTurnsEveryPieceOn() {
        TrainingRecipe t = TrainingRecipe.preset("transfer");
        assertEquals(TrainingRecipe.OptimizerKind.ADAMW, t.optimizer());
        assertEquals(TrainingRecipe.Schedule.COSINE, t.schedule());
        assertEquals(TrainingRecipe.Augmentation.STRONG, t.augmentation());
        assertEquals(0.1f, t.labelSmoothing());
        assertEquals(2, t.freezeEpochs());
        assertTrue(t.averagesWeights());
        assertTrue(t.testTimeFlip());
        assertEquals(30, t.defaultEpochs());
        assertEquals(2, t.defaultAccumulate());
    }

    @Test
    void singleSettingsReplaceThePresetsAndKeepItsName() {
        TrainingRecipe changed = TrainingRecipe.TRANSFER.with(null, 0.01f, TrainingRecipe.Schedule.PLATEAU, null, 0f,
                null, 0, 0f, false);
        assertEquals(new TrainingRecipe("transfer", TrainingRecipe.OptimizerKind.ADAMW, 0.01f,
                TrainingRecipe.Schedule.PLATEAU, 1, 0f, TrainingRecipe.Augmentation.STRONG, 0, 0f, false), changed);
    }

    @Test
    void badSettingsAreRefusedInOneLine() {
        assertEquals("unknown recipe 'fast': expected tutorial or transfer",
                assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.preset("fast")).getMessage());
        assertEquals("invalid recipe settings: weight decay 0.0, warm-up epochs 0, label smoothing 0.0 (0 to below 1), "
                + "freeze epochs 0, EMA decay 1.0 (0 to below 1)", assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.TUTORIAL.with(null, null, null, null, null, null, null, 1f, null)).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.TUTORIAL.with(null, -1f, null, null, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.TUTORIAL.with(null, null, null, -1, null, null, null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.TUTORIAL.with(null, null, null, null, 1f, null, null, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingRecipe.TUTORIAL.with(null, null, null, null, null, null, -2, null, null));
    }
}

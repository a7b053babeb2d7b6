package org.covidct.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PositiveClassTest {
    private static OptionalInt inferred(String a, String b) {
        return PositiveClass.inferred(List.of(a, b));
    }

    @Test
    void aNegatedNameMakesTheOtherPositive() {
        assertEquals(OptionalInt.of(1), inferred("CT_NonCOVID", "CT_COVID"));
        assertEquals(OptionalInt.of(0), inferred("CT_COVID", "CT_NonCOVID"));
        assertEquals(OptionalInt.of(0), inferred("covid", "non-covid"));
        assertEquals(OptionalInt.of(1), inferred("no_tumor", "Tumor"));
        assertEquals(OptionalInt.of(0), inferred("cancer", "Not Cancer"));
        assertEquals(OptionalInt.of(0), inferred("covid_ct", "noncovid_ct"));
        assertEquals(OptionalInt.of(0), inferred("noise", "nonoise"));
    }

    @Test
    void positiveNegativeAndAbnormalNormalAreDecided() {
        assertEquals(OptionalInt.of(1), inferred("negative", "Positive"));
        assertEquals(OptionalInt.of(0), inferred("abnormal", "normal"));
        assertEquals(OptionalInt.of(1), inferred("NORMAL", "ABNORMAL"));
    }

    @Test
    void otherNamesLeaveItOpen() {
        for (List<String> pair : List.of(List.of("cat", "dog"), List.of("pneumonia", "normal"), List.of("yes", "no"),
                List.of("covid", "covid"), List.of("no", "non"), List.of("covid", "anticovid"), List.of("a", "nota b"))) {
            assertEquals(OptionalInt.empty(), PositiveClass.inferred(pair), pair.toString());
        }
        assertEquals(OptionalInt.empty(), PositiveClass.inferred(List.of("covid", "noncovid", "other")));
    }

    @Test
    void chooseTakesTheGivenNameOrTheInferredOneOrRefuses() throws DatasetException {
        Path source = Path.of("data");
        assertEquals(OptionalInt.of(0), PositiveClass.choose(source, List.of("cat", "dog"), "cat"));
        assertEquals(OptionalInt.of(1), PositiveClass.choose(source, List.of("CT_NonCOVID", "CT_COVID"), null));
        assertEquals(OptionalInt.of(0), PositiveClass.choose(source, List.of("CT_NonCOVID", "CT_COVID"), "CT_NonCOVID"));
        assertEquals(OptionalInt.empty(), PositiveClass.choose(source, List.of("a", "b", "c"), null));
        assertEquals("data: the class names 'cat' and 'dog' do not say which one is positive; name it",
                assertThrows(DatasetException.class,
                        () -> PositiveClass.choose(source, List.of("cat", "dog"), null)).getMessage());
        assertEquals("data: the positive class 'bird' is neither of its classes, 'cat' and 'dog'",
                assertThrows(DatasetException.class,
                        () -> PositiveClass.choose(source, List.of("cat", "dog"), "bird")).getMessage());
        assertEquals("data: a positive class is for two classes, and there are 3: a, b, c",
                assertThrows(DatasetException.class,
                        () -> PositiveClass.choose(source, List.of("a", "b", "c"), "a")).getMessage());
    }
}

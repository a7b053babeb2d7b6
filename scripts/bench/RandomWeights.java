import java.nio.file.Path;
import org.covidct.app.model.ClassifierModels;
import org.covidct.nn.Generator;
import org.covidct.nn.Module;
import org.covidct.nn.data.image.Normalize;
import org.covidct.nn.io.SafeTensors;

/**
 * Writes an untrained two-class classifier as a checkpoint that records its description, for
 * benchmarks that time scoring (the weights' values do not change the time). Run with the jar on
 * the class path: java -cp covidct/target/covidct.jar scripts/bench/RandomWeights.java OUT ARCH SIZE
 */
public final class RandomWeights {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        String arch = args[1];
        int size = Integer.parseInt(args[2]);
        try (Module model = ClassifierModels.build(arch, "none", new Generator(0))) {
            SafeTensors.write(out, model.stateDict(),
                    ClassifierModels.describe(arch, size, Normalize.TUTORIAL).toMetadata());
        }
    }
}

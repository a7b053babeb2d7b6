package org.covidct.nn.gradcam;

import java.util.ArrayList;
import java.util.List;
import org.covidct.nn.Module;

/**
 * Finds a layer by its dotted module name (features.52, classifier.0), as torch's get_submodule
 * does; a negative index counts from the end (features.-1 is features[-1]).
 */
public final class LayerPath {
    /** The last block of {@code features}, where the Grad-CAM README points for VGG. */
    public static final String DEFAULT = "features.-1";

    private LayerPath() {
    }

    /** The module named {@code dotted} inside {@code root}. */
    public static Module resolve(Module root, String dotted) {
        return walk(root, dotted).module;
    }

    /** The same name with negative indices replaced by the child names they stand for. */
    public static String canonical(Module root, String dotted) {
        return walk(root, dotted).name;
    }

    private record Found(Module module, String name) {
    }

    private static Found walk(Module root, String dotted) {
        if (dotted == null || dotted.isBlank()) {
            throw new IllegalArgumentException("layer name is empty; use a dotted module name such as " + DEFAULT);
        }
        Module m = root;
        List<String> names = new ArrayList<>();
        for (String part : dotted.split("\\.", -1)) {
            String child = childName(m, part);
            if (child == null) {
                String at = names.isEmpty() ? "the model" : "'" + String.join(".", names) + "'";
                throw new IllegalArgumentException("layer '" + dotted + "': " + at + " has no child '" + part
                        + "'; its children are " + m.children().keySet());
            }
            names.add(child);
            m = m.children().get(child);
        }
        return new Found(m, String.join(".", names));
    }

    private static String childName(Module parent, String part) {
        if (parent.children().containsKey(part)) {
            return part;
        }
        if (part.matches("-[0-9]+")) {
            List<String> keys = new ArrayList<>(parent.children().keySet());
            int i = keys.size() + Integer.parseInt(part);
            return i >= 0 ? keys.get(i) : null;
        }
        return null;
    }
}

package org.covidct.nn.data;

/** The three parts a data set is divided into: training, validation (model selection) and test. */
public enum Split {
    /** The samples the model is trained on. */
    TRAIN("train"),
    /** The samples that choose the epoch and the learning-rate steps. */
    VAL("val"),
    /** The held-out samples the final model is measured on. */
    TEST("test");

    private final String id;

    Split(String id) {
        this.id = id;
    }

    /** The name of the split in folders and manifests: {@code train}, {@code val} or {@code test}. */
    public String id() {
        return id;
    }

    /** The split whose {@link #id()} is {@code id} exactly, or null when there is none. */
    public static Split byId(String id) {
        for (Split s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return id;
    }
}
